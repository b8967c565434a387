"""The per-story strategy: one `story_bullets` call per story (per part, for a story too long
for one call; a `story_merge` call then keeps the best bullets of its parts). Entries are
wrapped in delimiters that carry a per-run random marker. It also serves the packed strategy,
for a story a packed answer left empty and for merging a long story's parts.
"""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from ...check import screen
from ...contract import Bullet, Dropped
from ...models import Story
from ...pipeline import SummaryRequest
from ..prompts import Prompt
from .ask import Failed, ask_checked, attempt, dropped, messages, problems, sanitise
from .client import Client
from .parts import Costs, Piece, parts
from .results import StoryResult, extractive, limit, name_copies
from .schemas import answer_tokens, json_schema, parse
from .verify import Verifier, vet

log = logging.getLogger(__name__)

# story_bullets v1: an entry's two delimiter lines (the run's marker twice; hex is many
# tokens), its Headline and By lines; the story's title and entry count lines
COSTS = Costs(entry=64, story=16)


def _payload(piece: Piece) -> dict[str, Any]:
    e = piece.entry
    return {
        "id": e.id,
        "headline": sanitise(e.headline) if e.headline else None,
        "author": e.author,
        "published": e.published.strftime("%d %b %Y %H:%M") if e.published else None,
        "text": sanitise(e.body if piece.whole else piece.text),
    }


class PerStory:
    def __init__(self, client: Client, story: Prompt, merge: Prompt, nonce: str) -> None:
        self.client = client
        self.p_story = story
        self.p_merge = merge
        self.nonce = nonce
        self.verifier: Verifier | None = None

    def run(self, stories: list[Story], request: SummaryRequest) -> list[StoryResult]:
        with ThreadPoolExecutor(max_workers=self.client.settings.concurrency) as pool:
            return list(pool.map(lambda s: self.story(s, request), stories))

    def story(self, story: Story, request: SummaryRequest) -> StoryResult:
        """The story's bullets, or the extractive summariser's when the LLM fails it."""
        result = attempt(lambda: self._bullets(story, request))
        if isinstance(result, Failed):
            log.warning(
                "story %r: LLM failed (%s); using the extractive summariser",
                story.title,
                result.reason,
            )
            return extractive(story, request, result.reason, [])
        if result.bullets:
            return result
        reason = "the model returned no bullet that passed the check"
        return extractive(story, request, reason, result.dropped)

    def _bullets(self, story: Story, request: SummaryRequest) -> StoryResult:
        most = limit(story, request)
        texts = {it.canonical.id: it.canonical.text for it in story.items}
        cut = parts(story, self.client.settings.max_input_tokens, COSTS)
        bullets: list[Bullet] = []
        lost: list[Dropped] = []
        for part in cut:
            entries = [_payload(p) for p in part.pieces]
            variables = {
                "topic": request.topic,
                "nonce": self.nonce,
                "max_bullets": most,
                "story_title": sanitise(story.title),
                "entries": entries,
            }
            given = {p["id"]: texts[p["id"]] for p in entries}
            cache_input = {
                "story": story.title,
                "limit": most,
                "entries": [(p["id"], p["text"]) for p in entries],
            }
            good, bad = self._call(self.p_story, variables, given, most, cache_input)
            bullets += good
            lost += bad
        if len(cut) > 1 and len(bullets) > most:
            bullets, bad = self.merge(story, bullets, most)
            lost += bad
        return StoryResult(story, name_copies(bullets, story.items), lost)

    def merge(
        self, story: Story, bullets: list[Bullet], most: int
    ) -> tuple[list[Bullet], list[Dropped]]:
        """A long story's part bullets (citing canonical ids) -> the best `most` of them."""
        texts = {it.canonical.id: it.canonical.text for it in story.items}
        cands = [{"text": sanitise(b.text), "citations": b.citations} for b in bullets]
        variables = {
            "nonce": self.nonce,
            "max_bullets": most,
            "story_title": sanitise(story.title),
            "candidates": cands,
        }
        key = {"merge": story.title, "candidates": cands}
        return self._call(self.p_merge, variables, texts, most, key)

    def _call(
        self,
        prompt: Prompt,
        variables: dict[str, Any],
        texts: dict[str, str],
        most: int,
        cache_input: Any,
    ) -> tuple[list[Bullet], list[Dropped]]:
        """One story's (or part's, or merge's) bullets, checked against `texts`."""
        name = prompt.meta.schema_name
        schema = json_schema(name, sorted(texts), max_bullets=2 * most)

        def evaluate(content: str) -> tuple[list[Bullet], list[str], list[Dropped]]:
            answer = parse(content, name)
            good, bad = screen(answer.bullets, texts, most)  # type: ignore[attr-defined]
            good, rejected = vet(self.verifier, good, texts)  # re-asked like any failure
            bad += rejected
            return good, problems(bad), dropped(bad)

        asked = messages(prompt, **variables)
        return ask_checked(self.client, prompt, asked, schema, cache_input, evaluate,
                           answer_tokens(2 * most))  # fmt: skip
