"""What a strategy hands back for each story and for the briefing's plan, and what every
strategy falls back on: the extractive summariser for a story, the top sections' first
bullets for a summary, and citations that name every copy of a merged item."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ...contract import Bullet, Dropped, Section
from ...models import Item, Story
from ...pipeline import SummaryRequest
from ..extractive import ExtractiveSummariser


@dataclass(slots=True)
class StoryResult:
    story: Story
    bullets: list[Bullet]
    dropped: list[Dropped]
    fallback: str | None = None  # why the extractive summariser wrote this story
    title: str | None = None  # the model's section title, checked against the story's sources


@dataclass(slots=True)
class Plan:
    """The briefing around the stories: its summary lines and its sections, in order."""

    summary: list[Bullet]
    sections: list[Section]
    dropped: list[Dropped]
    notice: str | None = None  # the plan step failed, and the order is the stories' own


def limit(story: Story, request: SummaryRequest) -> int:
    """The most bullets a story may have: fewer for a story of few items."""
    return min(request.max_bullets, 1 + len(story.items) // 2)


def extractive(
    story: Story, request: SummaryRequest, reason: str, dropped: list[Dropped]
) -> StoryResult:
    """The story written by the extractive summariser, because the LLM failed (`reason`)."""
    one = ExtractiveSummariser().execute(
        SummaryRequest(
            request.topic,
            (story,),
            max_sections=1,
            max_bullets=request.max_bullets,
            summary_lines=0,
            publishers=request.publishers,
        )
    )
    bullets = [b for s in one.sections for b in s.bullets]
    return StoryResult(story, bullets, dropped, fallback=reason)


def name_copies(bullets: list[Bullet], items: Sequence[Item]) -> list[Bullet]:
    """A citation of a merged item names every copy of it, canonical first."""
    copies = {it.canonical.id: it.entry_ids for it in items}
    for b in bullets:
        b.citations = list(dict.fromkeys(x for c in b.citations for x in copies.get(c, (c,))))
    return bullets


def lead_bullets(sections: list[Section], request: SummaryRequest) -> list[Bullet]:
    """When no summary line passed the check: the top sections' first (checked) bullets."""
    return [s.bullets[0] for s in sections[: request.summary_lines] if s.bullets]


def _words(text: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", text.casefold()))


def fresh_title(title: str | None, bullets: Sequence[Bullet]) -> bool:
    """A model's title that can head its section: a statement, not a question, and not one of
    the section's bullets again (case and punctuation aside)."""
    if not title or title.rstrip(" \"'”’»").endswith("?"):
        return False
    words = _words(title)
    return bool(words) and all(_words(b.text) != words for b in bullets)


SAME = 0.6  # share of the shorter bullet's words and word pairs another has: it says the same


def _terms(text: str) -> set[str]:
    from ..extractive.coverage import concepts, words

    return set(words(text)) | concepts(text)


def _different_facts(a: str, b: str) -> bool:
    """Two similar sentences that state different facts: other numbers, other names (neither
    sentence's names within the other's: Macron / Starmer), or a verb negated in one only
    ("120 drones" / "40 missiles"; "would send" / "would not send")."""
    from ...check import aliases, proper_nouns

    def facts(text: str) -> tuple[set[str], set[str], bool]:
        words = re.findall(r"[\w']+", text.casefold())
        negated = any(w in ("not", "never") or w.endswith("n't") for w in words)
        names = {n.casefold().removesuffix("'s") for n in proper_nouns(text)}
        return set(re.findall(r"\d+(?:[.,]\d+)?", text)), aliases(names), negated

    (na, ma, ga), (nb, mb, gb) = facts(a), facts(b)
    return na != nb or ga != gb or not (ma <= mb or mb <= ma)


def distinct(sections: Sequence[Section]) -> tuple[list[Section], list[Dropped]]:
    """Sections without a bullet that says the same as an earlier one of its section (more
    than `SAME` of the shorter one's words and word pairs in the other); those are dropped
    with the reason. A section keeps its first bullet."""
    out: list[Section] = []
    lost: list[Dropped] = []
    for sec in sections:
        kept: list[tuple[Bullet, set[str]]] = []
        for b in sec.bullets:
            t = _terms(b.text)
            same = [k for k, kt in kept if len(t & kt) > SAME * max(1, min(len(t), len(kt)))
                    and not _different_facts(k.text, b.text)]  # fmt: skip
            if not same:
                kept.append((b, t))
                continue
            why = f"says the same as an earlier bullet: {same[0].text[:80]}"
            lost.append(Dropped(text=b.text, citations=b.citations, reason=why))
        out.append(sec.model_copy(update={"bullets": [b for b, _ in kept]}))
    return out, lost


def section(result: StoryResult) -> Section:
    """The story's section, headed by the model's title when it passed the check and does
    not repeat a bullet; else by the story's own title."""
    r = result
    title = r.title if r.title and fresh_title(r.title, r.bullets) else r.story.title
    return Section(title=title, story_id=r.story.id, bullets=r.bullets)
