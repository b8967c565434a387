"""Section titles that say what happened: from the story's central report, cleaned, whole,
and checked like a bullet (`check.check_title`: its names and numbers are in the entries it
comes from). Pure.

A headline is the first choice: its label ("Breaking:", "In five points:") goes, and it is
kept only whole and as a statement: not a question, not an explainer ("What Hegseth on
Ukraine"), not a live-blog page title. When the central report's headline will not do, its
first sentence will, if it is short enough or has a clause boundary to end at after its main
verb; else the next report's headline. A title is never cut in the middle of a phrase.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..models import Entry, Item

MAX_CHARS = 110
MIN_WORDS = 3
LEDE_WORDS = 16  # a first sentence this short is a title as it stands
_LABEL = re.compile(
    r"^(?:(?:Breaking|Live|Watch|Latest|Update|Updated|Analysis|Exclusive|Explained|Explainer"
    r"|Opinion|Comment|Video|Pictured|Revealed|Factcheck|Fact check|Q&A|Timeline|Recap"
    r"|In pictures|In numbers|In full|In brief|Key points|At a glance|Just in|Developing)"
    r"|In (?:\w+ )?(?:points|things|charts|numbers|quotes))\s*[:|\-–—]\s*",
    re.IGNORECASE,
)
_EXPLAINER = re.compile(
    r"^(?:What|How|Why|Who|Where|When|Which|Here's|Here is|Here are|Everything|All you need"
    r"|Live|As it happened)\b",
    re.IGNORECASE,
)
_LIVE_PAGE = re.compile(r"\b(?:live|as it happened|live updates|latest news)\s*$", re.IGNORECASE)
# where a long first sentence may end as a title: before these, after its main verb
_CLAUSE = re.compile(
    r",\s|\s(?:and|while|after|during|following|but|amid|before|because|since|despite)\s"
)
_VERB = re.compile(
    r"\b(?:said|says|has|have|had|is|are|was|were|will|would|could|should|may|must|can"
    r"|\w+ed|\w+s)\b"
)


def clean_headline(headline: str) -> str | None:
    """The headline as a title, or None when it is no statement of what happened."""
    t = " ".join(headline.split())
    for _ in range(2):  # "Breaking: Live: …"
        t = _LABEL.sub("", t)
    t = t.strip(" .:;-–—|")
    if (
        len(t.split()) < MIN_WORDS
        or len(t) > MAX_CHARS
        or t.endswith("?")
        or t.endswith("…")
        or _EXPLAINER.match(t)
        or _LIVE_PAGE.search(t)
    ):
        return None
    return t[0].upper() + t[1:]


def from_lede(sentence: str) -> str | None:
    """A first sentence as a title: whole if short, else up to the first clause boundary
    (a comma, "and", "while", "after"…) that follows its verb and three more words; None if
    neither fits."""
    s = " ".join(sentence.split()).rstrip(".!")
    if s.count('"') % 2 or s.count("\u201c") != s.count("\u201d") or s.count("(") != s.count(")"):
        return None
    if len(s.split()) <= LEDE_WORDS and len(s) <= MAX_CHARS:
        return s
    for m in _CLAUSE.finditer(s):
        head = s[: m.start()]
        n = len(head.split())
        if n < 6:
            continue
        if n > LEDE_WORDS + 4 or len(head) > MAX_CHARS:
            break
        verb = _VERB.search(head, len(head.split()[0]))
        if verb and len(head[verb.end() :].split()) >= 3 and head.count('"') % 2 == 0:
            return head  # a verb, and a complement of three words at least
    return None


_FIRST = re.compile(r"(?<=[.!?])[\"'\u201d]?\s+(?=[\"'(\[\u201c]?[A-Z0-9])")


def first_sentence(paragraph: str) -> str:
    """A paragraph's first sentence, by a cheap rule (titles are made for every story; pysbd
    is kept for the sentences that may become bullets)."""
    head = paragraph[:1_000]
    m = _FIRST.search(head)
    return head[: m.start()] if m else head


def options(ranked: Sequence[Item]) -> Iterator[tuple[str, Entry]]:
    """Titles for a story whose items are ranked most central first, best first, each with
    the entry it comes from."""
    from .tidy import deixis, flaws, tidy

    for item in ranked:
        e = item.canonical
        for m in item.members:
            if m.headline and m.kind != "lead" and (t := clean_headline(m.headline)):
                yield t, m
        body = next((p.text for p in e.paragraphs if p.kind != "h"), "")
        s = deixis(tidy(first_sentence(body))) if body else ""
        if s and not flaws(s) and (t := from_lede(s)):
            yield t, e


def choose(ranked: Sequence[Item]) -> tuple[str, Entry]:
    """The story's title and the entry it comes from: the first option that passes the title
    check against its entry (`check.check_title`: a title that is its entry's own words
    passes by construction, so only the others are checked), else the central item's first
    line."""
    from ..check import check_title

    for title, entry in options(ranked):
        if title in entry.text or check_title(title, [entry.id], {entry.id: entry.text}):
            return title, entry
    e = ranked[0].canonical
    first = first_sentence(e.body.split("\n")[0]) or e.headline or ""
    if len(first) > MAX_CHARS:
        first = first[: MAX_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return first, e
