"""The packed strategy (the default): stories go into as few `story_batch` calls as the token
budget allows, each entry under a short per-call alias (E1, E2, …) that is mapped back to its
real id. When the whole day fits in one call, that call also orders the stories and writes the
summary, and nothing else is sent. A story too long for one call goes in parts, merged by the
per-story strategy's `story_merge`; a story a packed answer left empty is asked for alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from ...check import check_title, screen
from ...contract import Bullet, Dropped
from ...models import Story
from ...pipeline import SummaryRequest
from ...tokens import pack
from ..prompts import Prompt
from .ask import Failed, ask_checked, attempt, dropped, messages, sanitise
from .client import Client
from .parts import Costs, Part, parts
from .per_story import PerStory
from .results import Plan, StoryResult, extractive, lead_bullets, limit, name_copies, section
from .schemas import BulletOut, StoryBatch, StoryOut, answer_tokens, json_schema, parse
from .verify import Verifier, vet

log = logging.getLogger(__name__)

# story_batch v1: an entry's <<<E3 08:17>>> line; a story's <<<STORY S1 max=2>>> line
COSTS = Costs(entry=12, story=8)


@dataclass(slots=True)
class PartResult:
    bullets: list[Bullet]  # citations are canonical entry ids
    title: str | None
    failed: str | None = None  # why the call failed


@dataclass(slots=True)
class Answer:
    stories: dict[str, tuple[list[Bullet], str]]  # story alias -> (checked bullets, title)
    summary: list[Bullet]
    order: list[str]  # story aliases, most important first


@dataclass(slots=True)
class Ranking:
    summary: list[Bullet]  # citations are canonical entry ids
    order: list[int]  # part indexes, most important first


Outcome = tuple[list[PartResult], Ranking | None, list[Dropped]]


class Packed:
    def __init__(self, client: Client, prompt: Prompt, per_story: PerStory) -> None:
        self.client = client
        self.prompt = prompt
        self.per_story = per_story
        self.verifier: Verifier | None = None

    def run(
        self, stories: list[Story], request: SummaryRequest
    ) -> tuple[list[StoryResult], Plan | None]:
        """Every story through as few packed calls as the budget allows."""
        if not stories:
            return [], None
        settings = self.client.settings
        cut = [p for s in stories for p in parts(s, settings.max_input_tokens, COSTS)]
        groups = pack([("", p.tokens) for p in cut], settings.max_input_tokens)
        final = len(groups) == 1 and len(cut) == len(stories)  # the whole day in one call
        with ThreadPoolExecutor(max_workers=settings.concurrency) as pool:
            calls = list(
                pool.map(lambda g: self._call([cut[i] for i in g], request, final), groups)
            )
            by_part = [r for rs, _, _ in calls for r in rs]  # pack keeps the order
            got: dict[str, list[PartResult]] = {s.id: [] for s in stories}
            for part, r in zip(cut, by_part, strict=True):
                got[part.story.id].append(r)
            results = list(pool.map(lambda s: self._finish(s, got[s.id], request), stories))
        lost = [d for _, _, ds in calls for d in ds]
        results[0].dropped[:0] = lost  # the briefing lists drops flat, not per story
        ranking = calls[0][1] if final else None
        if ranking is None:
            return results, None
        summary = name_copies(ranking.summary, [it for s in stories for it in s.items])
        sections = [section(results[i]) for i in ranking.order]
        return results, Plan(summary or lead_bullets(sections, request), sections, [])

    def _call(self, cut: list[Part], request: SummaryRequest, final: bool) -> Outcome:
        """One packed call; if it fails, its stories are written extractively."""
        outcome = attempt(lambda: self._ask(cut, request, final))
        if not isinstance(outcome, Failed):
            return outcome
        reason = outcome.reason
        log.warning("a packed call failed (%s); its stories are written extractively", reason)
        return [PartResult([], None, failed=reason) for _ in cut], None, []

    def _ask(self, cut: list[Part], request: SummaryRequest, final: bool) -> Outcome:
        """One call for several stories (or parts); with `final`, it also plans the briefing."""
        real: dict[str, str] = {}  # alias -> canonical entry id
        given: dict[str, dict[str, str]] = {}  # story alias -> {entry alias: text sent}
        limits: dict[str, int] = {}
        payload = []
        dates = {p.entry.published.date() for c in cut for p in c.pieces if p.entry.published}
        when_format = "%H:%M" if len(dates) <= 1 else "%d %b %H:%M"  # the day is implied
        for k, part in enumerate(cut, 1):
            sid = f"S{k}"
            limits[sid] = limit(part.story, request)
            given[sid] = {}
            entries = []
            for piece in part.pieces:
                e = piece.entry
                alias = f"E{len(real) + 1}"
                real[alias] = e.id
                given[sid][alias] = piece.text
                when = e.published.strftime(when_format) if e.published else None
                entries.append({"id": alias, "published": when, "text": sanitise(piece.text)})
            payload.append({"id": sid, "max_bullets": limits[sid], "entries": entries})
        lines = request.summary_lines if final else 0
        asked = messages(self.prompt, topic=request.topic, summary_lines=lines, stories=payload)
        schema = json_schema("StoryBatch", list(real), list(given), summary=bool(lines),
                             max_bullets=2 * max(limits.values()))  # fmt: skip
        most_tokens = answer_tokens(2 * sum(limits.values()) + lines, len(given))

        def evaluate(content: str) -> tuple[Answer, list[str], list[Dropped]]:
            batch = parse(content, "StoryBatch")
            assert isinstance(batch, StoryBatch)
            answer, lost = _read(batch, given, limits, real, lines)
            return answer, [], lost + self._vet(answer, given, real)

        # no re-ask for failed bullets: re-sending the whole pack costs more than asking for
        # a story left without bullets alone (`_finish`); only an unusable answer is re-asked
        cache_input = {"messages": [m["content"] for m in asked]}
        answer, lost = ask_checked(self.client, self.prompt, asked, schema, cache_input, evaluate,
                                   most_tokens)  # fmt: skip
        out: list[PartResult] = []
        for sid, texts in given.items():
            good, title = answer.stories.get(sid, ([], ""))
            _unalias(good, real)
            ok = check_title(title, list(texts), texts)
            out.append(PartResult(good, title if ok else None))
        if not final:
            return out, None, lost
        _unalias(answer.summary, real)
        order = [int(sid[1:]) - 1 for sid in answer.order]
        order += [i for i in range(len(cut)) if i not in order]
        return out, Ranking(answer.summary, order), lost

    def _vet(self, answer: Answer, given: dict[str, dict[str, str]],
             real: dict[str, str]) -> list[Dropped]:  # fmt: skip
        """The verifier's rejects, out of the answer (in one call for all its bullets); like
        the checker's, they are dropped, not re-asked."""
        if self.verifier is None:
            return []
        every = {a: t for texts in given.values() for a, t in texts.items()}
        lists = [bullets for bullets, _ in answer.stories.values()] + [answer.summary]
        keep, bad = vet(self.verifier, [b for xs in lists for b in xs], every)
        kept = {id(b) for b in keep}
        for xs in lists:
            xs[:] = [b for b in xs if id(b) in kept]
        return dropped(bad, real)

    def _finish(self, story: Story, got: list[PartResult], request: SummaryRequest) -> StoryResult:
        """A story's bullets from its parts: merged if too many, citations naming every copy."""
        failed = next((p.failed for p in got if p.failed), None)
        if failed:
            return extractive(story, request, failed, [])
        bullets = [b for p in got for b in p.bullets]
        if not bullets:  # the packed answer left it out: ask for this story alone
            log.info("story %r: nothing usable in the packed answer; asking alone", story.title)
            return self.per_story.story(story, request)
        most = limit(story, request)
        lost: list[Dropped] = []
        if len(bullets) > most:
            merged = attempt(lambda: self.per_story.merge(story, bullets, most))
            if isinstance(merged, Failed):
                return extractive(story, request, merged.reason, [])
            bullets, lost = merged
            if not bullets:
                reason = "the model returned no bullet that passed the check"
                return extractive(story, request, reason, lost)
        title = next((p.title for p in got if p.title), None)
        return StoryResult(story, name_copies(bullets, story.items), lost, title=title)


def _read(
    batch: StoryBatch,
    given: dict[str, dict[str, str]],
    limits: dict[str, int],
    real: dict[str, str],
    lines: int,
) -> tuple[Answer, list[Dropped]]:
    """A packed answer, checked: each bullet goes with the entries it cites, whatever story
    it was filed under, and is screened against them."""
    owner = {a: sid for sid, texts in given.items() for a in texts}
    answers: dict[str, StoryOut] = {}
    for story_out in batch.stories:
        answers.setdefault(story_out.story_id, story_out)
    lost: list[Dropped] = []
    placed: dict[str, list[BulletOut]] = {sid: [] for sid in given}
    for sid, out in answers.items():
        for b in out.bullets:
            homes = [owner[c] for c in b.citations if c in owner]
            home = homes[0] if homes else sid
            if home not in placed:
                lost += dropped([(b, f"filed under unknown story {sid}")], real)
                continue
            cites = [c for c in b.citations if owner.get(c, home) == home]
            placed[home].append(b.model_copy(update={"citations": cites}))
    done: dict[str, tuple[list[Bullet], str]] = {}
    for sid, texts in given.items():
        good, bad = screen(placed[sid], texts, limits[sid])
        lost += dropped(bad, real)
        title = answers[sid].title if sid in answers else ""
        done[sid] = (good, " ".join(title.split()))
    every = {a: t for texts in given.values() for a, t in texts.items()}
    summary, bad = screen(batch.summary, every, lines)
    lost += dropped(bad, real)
    order = [sid for sid in answers if sid in given]
    return Answer(done, summary, order), lost


def _unalias(bullets: Sequence[Bullet], real: dict[str, str]) -> None:
    """A packed call's aliases (E1, E2, …) -> the canonical entry ids they stand for."""
    for b in bullets:
        b.citations = list(dict.fromkeys(real[a] for a in b.citations))
