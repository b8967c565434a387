"""Relative time words read against the entry's own time (issue 23, item 3). Pure.

A live-blog entry says "yesterday", "this morning", "on Wednesday", "three years ago this
month": true when it was written, wrong when the briefing is read the next day. `resolve`
writes each such word as the day it meant, in the reader's zone ("yesterday" in an entry of
Thursday 13 February -> "on Wednesday 12 February"), or says the sentence cannot be used
(`None`): the word is inside a quotation (a quote is never rewritten), the entry has no time,
the phrase has no day to write ("yesterday's talks"), or a period ("this month", "two years
ago") is no longer true on the reader's date. The summariser rewrites its sentences with it,
and the checker (`bullets.validate`) accepts a bullet whose words match its source read the
same way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_PART = r"(?:\s+(?P<part>morning|afternoon|evening|night))?"
_DAY = "|".join(DAYS)
# (kind, pattern); each pattern's whole match is replaced
_PHRASES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (kind, re.compile(p, re.IGNORECASE))
    for kind, p in (
        ("ago", r"\b(?:\w+|\d+)\s+(?P<unit>hour|day|week|month|year)s?\s+ago"
                r"(?:\s+(?:this|last)\s+(?P<within>week|month|year))?\b"),
        ("period", r"\b(?:this|last|next|earlier this|later this)\s+(?P<unit>week|month|year)\b"),
        ("yesterday", rf"\b(?:on\s+)?yesterday{_PART}\b"),
        ("day-1", r"\blast\s+(?P<part>night)\b"),
        ("today", r"\b(?:(?:earlier|later)\s+)?today\b"),
        ("today", r"\b(?:(?:earlier|later)\s+)?this\s+(?P<part>morning|afternoon|evening)\b"),
        ("tonight", r"\btonight\b"),
        ("tomorrow", rf"\b(?:on\s+)?tomorrow{_PART}\b"),
        # not "an overnight attack" (what kind of attack, left as written), nor one written already
        ("overnight", rf"(?<!\ban\s)(?<!\bthe\s)(?<![’']s\s)\bovernight\b"
                      rf"(?!\s+into\s+(?:{_DAY})\s+\d)"),
        ("weekday", rf"\b(?:(?P<on>on|last|this|next|from|until|by|since)\s+)?"
                    rf"(?P<day>{_DAY})(?P<poss>['’]s)?{_PART}"
                    r"(?!,?\s+(?:\d{1,2}\b|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)))\b"),
    )
)  # fmt: skip
_QUOTED = re.compile(r'"[^"]*"?|\u201c[^\u201d]*\u201d?|(?<!\w)\u2018[^\u2019]*\u2019(?!\w)')
_FUTURE = re.compile(r"\b(?:will|won['’]t|shall|due|expected|set to|plans?|going to|is to|are to"
                     r"|next|ahead of|upcoming|scheduled)\b", re.IGNORECASE)  # fmt: skip
# a resolved day, as `resolve` writes it: "on Wednesday 12 February", "… 2024"
WRITTEN = re.compile(rf"\b(?:{_DAY})\s+\d{{1,2}}\s+[A-Z][a-z]+\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Clock:
    """How to read an entry's relative time words: when it was published (aware, or None),
    whether only its day is known, the reader's zone and the reader's date."""

    published: datetime | None
    tz: ZoneInfo
    reader: date
    date_only: bool = False


def has_relative(text: str) -> bool:
    """Does the text hold a relative time word at all (quoted or not)?"""
    return any(p.search(text) for _, p in _PHRASES)


def resolve(sentence: str, clock: Clock) -> str | None:
    """The sentence with each relative time word written as the day it meant (or kept, for a
    period still true on the reader's date), or None when it cannot be used."""
    if not has_relative(sentence):
        return sentence
    quoted = [m.span() for m in _QUOTED.finditer(sentence)]
    if clock.published is None:
        return None
    local = clock.published.astimezone(clock.tz)
    day = local.date()
    future = bool(_FUTURE.search(_QUOTED.sub(" ", sentence)))
    out: list[tuple[int, int, str]] = []
    taken: list[tuple[int, int]] = []
    pos = 0
    for kind, pattern in _PHRASES:
        for m in pattern.finditer(sentence):
            a, z = m.span()
            if any(a < tz_ and ta < z for ta, tz_ in taken):
                continue  # part of a phrase already read ("ago this month")
            if any(qa <= a < qz for qa, qz in quoted):
                return None  # a quote is never rewritten
            written = _written(kind, m, day, local, clock, future)
            if written is None:
                return None
            taken.append((a, z))
            out.append((a, z, written))
    parts = []
    for a, z, written in sorted(out):
        piece = sentence[pos:a]
        if written.startswith("on ") and re.search(r"\bon\s*$", piece):
            written = written[3:]  # "met on yesterday" never happens; "on Wednesday" keeps one
        parts.append(piece + written)
        pos = z
    return "".join(parts) + sentence[pos:]


def resolve_text(text: str, clock: Clock) -> tuple[str, list[tuple[int, int, int, int]]]:
    """A whole text read the same way, sentence by sentence as far as it can be (what cannot
    be resolved is left as written), for the checker, which compares a bullet with it; and
    where each sentence went: (start, end in the text, start, end in the result)."""
    out: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    a = b = 0
    for piece in re.split(r"((?<=[.!?])\s+|\n)", text):
        new = piece if not piece or piece.isspace() else (resolve(piece, clock) or piece)
        spans.append((a, a + len(piece), b, b + len(new)))
        out.append(new)
        a, b = a + len(piece), b + len(new)
    return "".join(out), spans


def source_span(spans: list[tuple[int, int, int, int]], start: int, end: int) -> tuple[int, int]:
    """Where a span of a `resolve_text` result came from in the text it was made from: exact
    in a sentence left as it was, the whole sentence where one was rewritten."""
    hit = [s for s in spans if s[2] < end and start < s[3]] or [spans[-1]]
    (oa, oz, na, nz), last = hit[0], hit[-1]
    first = oa + (start - na) if oz - oa == nz - na else oa
    stop = last[0] + (end - last[2]) if last[1] - last[0] == last[3] - last[2] else last[1]
    return first, max(first, stop)


def _written(kind: str, m: re.Match[str], day: date, local: datetime, clock: Clock,
             future: bool) -> str | None:  # fmt: skip
    text = m.group(0)
    if kind == "ago":
        unit = (m.group("within") or m.group("unit")).lower()
        return text if _same(unit, day, clock.reader) else None
    if kind == "period":
        return text if _same(m.group("unit").lower(), day, clock.reader) else None
    part = (m.groupdict().get("part") or "").lower() or None
    if kind in ("yesterday", "day-1"):
        return _on(day - timedelta(days=1), part, clock.reader)
    if kind == "today":
        return _on(day, part, clock.reader)
    if kind == "tonight":
        return _on(day, "evening", clock.reader)
    if kind == "tomorrow":
        return _on(day + timedelta(days=1), part, clock.reader)
    if kind == "overnight":
        if clock.date_only or local.hour >= 12:
            return None
        return f"overnight into {_date(day, clock.reader)}"
    # a weekday
    if m.group("poss"):
        return None  # "Wednesday's talks": no place for a date
    on = (m.group("on") or "").lower()
    target = DAYS.index(m.group("day").lower())
    back = (day.weekday() - target) % 7
    ahead = (target - day.weekday()) % 7
    if on == "last":
        when = day - timedelta(days=back or 7)
    elif on == "next":
        when = day + timedelta(days=ahead or 7)
    elif on in ("until", "by") or future:
        when = day + timedelta(days=ahead)
    else:
        when = day - timedelta(days=back)
    lead = on if on in ("from", "until", "by", "since") else "on"
    return f"{lead} {_date(when, clock.reader)}" if not part else (
        f"{lead} the {part} of {_date(when, clock.reader)}")


def _on(d: date, part: str | None, reader: date) -> str:
    return f"on the {part} of {_date(d, reader)}" if part else f"on {_date(d, reader)}"


def _date(d: date, reader: date) -> str:
    year = f" {d.year}" if d.year != reader.year else ""
    return f"{d:%A} {d.day} {d:%B}{year}"


def _same(unit: str, a: date, b: date) -> bool:
    """Are a and b in the same hour/day, week (ISO), month or year?"""
    if unit in ("hour", "day"):
        return a == b
    if unit == "week":
        return a.isocalendar()[:2] == b.isocalendar()[:2]
    if unit == "month":
        return (a.year, a.month) == (b.year, b.month)
    return a.year == b.year
