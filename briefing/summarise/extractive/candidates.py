"""The sentences a story offers as bullets, each tidied, checked for form and weighed.

Work is bounded per story, not per corpus: only the stories given (the pipeline gives the top
`max_sections`), and of each only its most central items up to `STORY_CHARS` characters, are
split into sentences (pysbd is the slow part).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from ...check import Clock, instruction_like, resolve
from ...models import Item, Paragraph, Story
from ...pipeline import Points, deixis, flaws, needs_context, tidy
from ...text import fingerprint_text
from ...tokens import count, sentences

MAX_WORDS = 55
STORY_CHARS = 30_000  # text read per story, most central items first (the sample's are < 5,000)
LEDE_BONUS = 1.6  # the first sentence of an entry says what happened (docs/quality.md)
SHORT_WORDS, SHORT_PENALTY = 12, 0.9
LONG_WORDS, LONG_PENALTY = 30, 0.6
LIST_WEIGHT = 1.6  # a list item: the report's own key points ("In five points: …")


@dataclass(slots=True)
class Candidate:
    text: str
    key: str  # fingerprint: the same sentence in two items is one candidate
    story: int
    citations: list[str]
    weight: float
    when: datetime | None
    order: tuple[int, int, int]  # item, paragraph, sentence
    items: set[int] = field(default_factory=set)  # the story's items that carry it
    lede: bool = False
    point: bool = False  # a list item: one of the report's own key points


def weight(sentence: str, lede: bool, kind: str, para_kind: str) -> float:
    n = len(sentence.split())
    w = 1.0
    if lede:
        w *= LEDE_BONUS
    if kind == "lead":
        w *= 1.1
    if para_kind == "li":
        w *= LIST_WEIGHT
    if n < SHORT_WORDS:
        w *= SHORT_PENALTY
    elif n > LONG_WORDS:
        w *= LONG_PENALTY
    if sentence.startswith(('"', "\u201c")):
        w *= 0.85
    if sentence.rstrip().endswith("?"):
        w *= 0.3
    return w


def reading(story: Story) -> Iterator[tuple[int, Item, list[tuple[int, Paragraph, str]]]]:
    """The items of a story that are read, most central first, each with the paragraphs read
    (index, paragraph, text): STORY_CHARS characters in all. A paragraph that does not fit
    whole is cut at a space, and the sentence it was cut in is not used."""
    budget = STORY_CHARS
    for ii, item in enumerate(story.items):
        if budget <= 0:
            return
        read = []
        for pi, para in enumerate(item.canonical.paragraphs):
            if budget <= 0:
                break
            text = para.text if len(para.text) <= budget else para.text[:budget].rsplit(" ", 1)[0]
            budget -= len(para.text)
            read.append((pi, para, text))
        yield ii, item, read


def tokens_read(stories: Sequence[Story]) -> int:
    """Tokens of the text the summariser read (each entry's headline and body when read whole)."""
    total = 0
    for story in stories:
        for _ii, item, read in reading(story):
            body = "\n".join(text for _pi, _para, text in read)
            total += count("\n".join(x for x in (item.canonical.headline, body) if x))
    return total


def candidates(stories: Sequence[Story], tz: ZoneInfo | None = None,
               reader: date | None = None) -> list[Candidate]:  # fmt: skip
    """Every usable sentence of the stories read: tidied, live-blog time made plain (relative
    time words written as days in `tz` for a reader on `reader`, or the sentence left out:
    `check.resolve`), and without the flaws `text.flaws` names; one candidate per distinct
    sentence, citing every item that carries it."""
    by_key: dict[str, Candidate] = {}
    zone = tz or ZoneInfo("UTC")
    if reader is None:  # the day of the newest report
        times = [it.canonical.published for s in stories for it in s.items]
        reader = max((t.astimezone(zone).date() for t in times if t), default=date(1970, 1, 1))
    for si, story in enumerate(stories):
        for ii, item, read in reading(story):
            e = item.canonical
            clock = Clock(e.published, zone, reader, e.date_only)
            spread = 1 + 0.2 * (len(item.documents) - 1)
            first = True
            points = Points()
            for pi, para, para_text in read:
                if para.kind == "h":
                    continue
                sents = sentences(para_text)
                if para_text != para.text:  # cut short: its last sentence is not whole
                    sents = sents[:-1]
                speaker = points.read(para.kind, para_text)
                for ki, sent in enumerate(sents):
                    dated = resolve(sent, clock)
                    if dated is None:  # a time word it cannot say plainly: not used
                        first = False
                        continue
                    text = deixis(tidy(dated))
                    if speaker:  # a point of "what he said", in the speaker's name
                        end = "" if text.rstrip().endswith((".", "!", "?", '"', "'", "…")) else "."
                        text = f"{speaker} said: {text.rstrip()}{end}"
                    lede, first = first, False
                    if (len(text.split()) > MAX_WORDS or flaws(text) or instruction_like(text)
                            or needs_context(text) or (dated != sent and needs_context(
                                deixis(tidy(sent))))):  # "They also mark…": no referent here
                        continue
                    key = fingerprint_text(text)
                    w = weight(text, lede, e.kind, para.kind) * spread  # in several documents
                    if key in by_key:  # same sentence in another item: it supports this one
                        c = by_key[key]
                        c.citations.extend(x for x in item.cited_ids if x not in c.citations)
                        c.weight = max(c.weight, w)
                        c.items.add(ii)
                        c.lede = c.lede or lede
                        continue
                    by_key[key] = Candidate(text, key, si, list(item.cited_ids), w, e.published,
                                            (ii, pi, ki), {ii}, lede,
                                            para.kind == "li")  # fmt: skip
    return list(by_key.values())
