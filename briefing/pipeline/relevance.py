"""Which entries are on a topic: `include` and `exclude` terms. Pure.

A term matches a word or a word prefix, case-insensitively ("ukrain" matches "Ukraine" and
"Ukrainian"); several words match those words in a row, each a prefix ("peace talk" matches
"peace talks"); a "quoted phrase" matches exactly those whole words in a row. An entry is on
the topic when its headline or body matches an include term (any, when there are none) and
no exclude term.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..models import Entry

_WORD = re.compile(r"\w+")


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


class Relevance:
    """A topic's include and exclude terms, compiled once."""

    def __init__(self, include: Sequence[str] = (), exclude: Sequence[str] = ()) -> None:
        self.include, self.exclude = tuple(include), tuple(exclude)
        self._inc, self._exc = compile_terms(self.include), compile_terms(self.exclude)

    @property
    def active(self) -> bool:
        return self._inc is not None or self._exc is not None

    def matches(self, e: Entry) -> bool:
        text = e.topic_text
        if self._inc is not None and not self._inc.search(text):
            return False
        return self._exc is None or not self._exc.search(text)

    def includes(self, text: str) -> bool:
        """Whether an include term matches this text (any text, when there are none): a feed
        item worth reading its page for (`ingest.PageScope`)."""
        return self._inc is None or self._inc.search(text) is not None

    def split(self, entries: Sequence[Entry]) -> tuple[list[Entry], list[Entry]]:
        """(on the topic, off it)."""
        on: list[Entry] = []
        off: list[Entry] = []
        for e in entries:
            (on if self.matches(e) else off).append(e)
        return on, off

    def unmatched(self, entries: Iterable[Entry]) -> list[str]:
        """The include terms that match none of these entries."""
        if self._inc is None:
            return []
        found: set[str] = set()
        for e in entries:
            found.update(m.lastgroup for m in self._inc.finditer(e.topic_text) if m.lastgroup)
        return [t for i, t in enumerate(self.include) if f"t{i}" not in found]
