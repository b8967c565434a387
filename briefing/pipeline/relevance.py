"""Which entries are on a topic: `include` and `exclude` terms, `exclude_sections`, and how
much an entry is about the topic (`aboutness.py`). Pure.

A term matches a word or a word prefix, case-insensitively ("ukrain" matches "Ukraine" and
"Ukrainian"); several words match those words in a row, each a prefix ("peace talk" matches
"peace talks"); a "quoted phrase" matches exactly those whole words in a row.

An entry is off the topic, for the first of these reasons that holds:
- `excluded_section`: one of its sections (its feed's categories) or a run of its URL's path
  parts is an `exclude_sections` value ("sport", "/sport/", "news/sport"), case-insensitively;
- `excluded_term`: its headline or body matches an exclude term;
- `no_terms`: there are include terms, and it matches none;
- `passing_mention`: it matches one, but is not about the topic (`aboutness.py`).
With no include terms, everything not excluded is on the topic.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import Literal
from urllib.parse import unquote, urlsplit

from ..models import Entry
from .aboutness import ON_TOPIC, scores

_WORD = re.compile(r"\w+")

Reason = Literal["excluded_section", "excluded_term", "no_terms", "passing_mention"]
REASONS: tuple[Reason, ...] = ("excluded_section", "excluded_term", "no_terms", "passing_mention")


def _pattern(term: str) -> str:
    term = term.strip()
    quoted = len(term) >= 2 and term[0] == term[-1] == '"'
    words = _WORD.findall(term.strip('"'))
    if quoted:
        return r"\b" + r"\W+".join(re.escape(w) for w in words) + r"\b"
    return r"\b" + r"\W+".join(re.escape(w) + r"\w*" for w in words)


def compile_terms(terms: Iterable[str]) -> re.Pattern[str] | None:
    parts = [f"(?P<t{i}>{_pattern(t)})" for i, t in enumerate(terms) if _WORD.search(t)]
    return re.compile("|".join(parts), re.IGNORECASE) if parts else None


def section_parts(value: str) -> tuple[str, ...]:
    """A section value or a category as lowercase parts: "/News/Sport/" -> ("news", "sport");
    a category "Sport > Football" -> ("sport", "football")."""
    return tuple(p for p in (" ".join(x.split()).casefold() for x in re.split(r"[/>|]", value))
                 if p)  # fmt: skip


def _runs(parts: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(parts[i : i + n]) for i in range(len(parts) - n + 1)}


class Relevance:
    """A topic's include and exclude terms and excluded sections, compiled once."""

    def __init__(
        self,
        include: Sequence[str] = (),
        exclude: Sequence[str] = (),
        exclude_sections: Sequence[str] = (),
    ) -> None:
        self.include, self.exclude = tuple(include), tuple(exclude)
        self._inc, self._exc = compile_terms(self.include), compile_terms(self.exclude)
        self.exclude_sections = tuple(exclude_sections)
        self._sections = {p for s in exclude_sections if (p := section_parts(s))}

    @property
    def active(self) -> bool:
        return self._inc is not None or self._exc is not None or bool(self._sections)

    def matches(self, e: Entry) -> bool:
        """The terms alone: an include term (any, when there are none) and no exclude term."""
        text = e.topic_text
        if self._inc is not None and not self._inc.search(text):
            return False
        return self._exc is None or not self._exc.search(text)

    def includes(self, text: str) -> bool:
        """Whether an include term matches this text (any text, when there are none): a feed
        item worth reading its page for (`ingest.PageScope`)."""
        return self._inc is None or self._inc.search(text) is not None

    def in_excluded_section(self, e: Entry, sections: Sequence[str] = ()) -> bool:
        """One of `sections` (the entry's feed categories), or a run of the path parts of its
        URL, is an excluded section."""
        if not self._sections:
            return False
        cats = {section_parts(s) for s in sections}
        if cats & self._sections:
            return True
        if e.url:
            path = [unquote(p).casefold() for p in urlsplit(e.url).path.split("/") if p]
            if any(s in _runs(path, len(s)) for s in self._sections):
                return True
        return False

    def judge(
        self,
        entries: Sequence[Entry],
        sections: Callable[[Entry], Sequence[str]] = lambda e: (),
        blog_title: Callable[[Entry], str | None] = lambda e: None,
    ) -> list[Reason | None]:
        """Why each entry is off the topic (None: it is on it). The entries are judged
        together: an entry's words are compared with the clearly on-topic ones."""
        out: list[Reason | None] = [None] * len(entries)
        left: list[int] = []
        for i, e in enumerate(entries):
            if self.in_excluded_section(e, sections(e)):
                out[i] = "excluded_section"
            elif self._exc is not None and self._exc.search(e.text):
                out[i] = "excluded_term"
            else:
                left.append(i)
        if self._inc is None:
            return out
        got = scores([entries[i] for i in left], self._inc, blog_title)
        for i, score in zip(left, got, strict=True):
            if score is None:
                out[i] = "no_terms"
            elif score < ON_TOPIC:
                out[i] = "passing_mention"
        return out

    def split(
        self,
        entries: Sequence[Entry],
        sections: Callable[[Entry], Sequence[str]] = lambda e: (),
        blog_title: Callable[[Entry], str | None] = lambda e: None,
    ) -> tuple[list[Entry], list[Entry], dict[str, int]]:
        """(on the topic, off it, how many are off for each reason)."""
        on: list[Entry] = []
        off: list[Entry] = []
        why: Counter[str] = Counter()
        for e, reason in zip(entries, self.judge(entries, sections, blog_title), strict=True):
            if reason is None:
                on.append(e)
            else:
                off.append(e)
                why[reason] += 1
        return on, off, {r: why[r] for r in REASONS if why[r]}

    def unmatched(self, entries: Iterable[Entry]) -> list[str]:
        """The include terms that match none of these entries."""
        if self._inc is None:
            return []
        found: set[str] = set()
        for e in entries:
            found.update(m.lastgroup for m in self._inc.finditer(e.topic_text) if m.lastgroup)
        return [t for i, t in enumerate(self.include) if f"t{i}" not in found]
