"""A live blog's text -> its timestamped entries; a plain article -> one entry. Pure.

The Independent's live blogs, as copied to text, end each entry with a byline in which the
author's name and the time run together: ``Tom Watling13 February 2025 09:15``. Above each
byline sit the entry's headline and body; above the first entry sits the blog's lead summary.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from ..models import Document, Entry, EntryKind, Loaded, Paragraph, RawEntry
from ..text import fingerprint_text
from .teasers import trim

_MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"),
            ("may",), ("june", "jun"), ("july", "jul"), ("august", "aug"),
            ("september", "sep", "sept"), ("october", "oct"), ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}  # fmt: skip
_MONTH_RE = "|".join(sorted(_MONTHS, key=len, reverse=True))
BYLINE = re.compile(
    rf"^(?P<author>[^\d\n]{{0,80}}?)\s*(?P<day>\d{{1,2}})\s+(?P<month>{_MONTH_RE})\s+"
    r"(?P<year>\d{4}),?\s+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})\s*(?P<ampm>[ap]m)?$",
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"""[.!:;]["')\]]*$|\.\.\.$|…$""")
_LIST_ITEM = re.compile(r"^(?:[-*•]|\d{1,2}[.)])\s+(?P<text>.+)$")
MAX_HEADLINE_CHARS = 200
MAX_HEADLINE_WORDS = 30


@dataclass(frozen=True, slots=True)
class Byline:
    author: str | None
    published: datetime | None
    problem: str | None = None  # e.g. an impossible date


def parse_byline(line: str, tz: ZoneInfo) -> Byline | None:
    m = BYLINE.match(line.strip())
    if not m:
        return None
    author = m["author"].strip(" ,-|·") or None
    hour = int(m["hour"])
    if m["ampm"]:
        hour = hour % 12 + (12 if m["ampm"].lower() == "pm" else 0)
    try:
        published = datetime(
            int(m["year"]), _MONTHS[m["month"].lower()], int(m["day"]), hour, int(m["minute"]),
            tzinfo=tz,
        )  # fmt: skip
    except ValueError as exc:
        return Byline(author, None, f"impossible date in byline {line.strip()!r}: {exc}")
    return Byline(author, published)


def is_headline(line: str) -> bool:
    """A short line with no sentence-final punctuation (questions are allowed)."""
    line = line.strip()
    if not line or len(line) > MAX_HEADLINE_CHARS or len(line.split()) > MAX_HEADLINE_WORDS:
        return False
    if _LIST_ITEM.match(line):
        return False
    return not _TERMINAL.search(line)


def entry_id(headline: str | None, body: str) -> str:
    """Content-derived id: normalised body (or headline when there is no body)."""
    basis = fingerprint_text(body) or fingerprint_text(headline or "")
    return "e" + hashlib.sha256(basis.encode()).hexdigest()[:12]


def _paragraphs(lines: Sequence[str], headline: str | None) -> tuple[Paragraph, ...]:
    out: list[Paragraph] = []
    for i, line in enumerate(lines):
        m = _LIST_ITEM.match(line)
        if m:
            out.append(Paragraph(m["text"].strip(), "li"))
        elif is_headline(line) and i + 1 < len(lines):
            # a repeated headline (video caption, standfirst) directly under the headline
            if i == 0 and headline and _similar(line, headline):
                continue
            out.append(Paragraph(line, "h"))
        else:
            out.append(Paragraph(line, "p"))
    return tuple(out)


def _similar(a: str, b: str) -> bool:
    wa, wb = set(fingerprint_text(a).split()), set(fingerprint_text(b).split())
    return bool(wa and wb) and len(wa & wb) / len(wa | wb) >= 0.7  # a repeat, not a longer line


def _kind_for(headline: str | None, paras: tuple[Paragraph, ...]) -> EntryKind:
    """A headline with no body, or only a teaser line ending in ':', is a link item."""
    body = [p for p in paras if p.kind != "h"]
    if not body:
        return "link"
    if len(body) == 1 and body[0].text.rstrip().endswith(":") and len(body[0].text) < 300:
        return "link"
    return "entry"


def split_entries(doc: Document, tz: ZoneInfo) -> tuple[list[Entry], list[str]]:
    """Split a document's cleaned text into entries. Returns (entries, problems)."""
    lines = [ln.strip() for ln in doc.text.split("\n") if ln.strip()]
    problems: list[str] = []
    bylines: list[tuple[int, Byline]] = []
    for i, line in enumerate(lines):
        b = parse_byline(line, tz)
        if b is not None:
            bylines.append((i, b))
            if b.problem:
                problems.append(b.problem)
    if not bylines:
        return [_article(doc, lines)], problems

    entries: list[Entry] = []
    start = 0
    for n, (idx, byline) in enumerate(bylines):
        block = lines[start:idx]
        start = idx + 1
        if not block:
            continue
        if n == 0:
            lead, block = _split_lead(block)
            if lead:
                entries.append(_make(doc, "lead", None, lead, doc.author, None, len(entries)))
        headline, body = _split_headline(block)
        paras = _paragraphs(body, headline)
        entries.append(
            _make(doc, _kind_for(headline, paras), headline, paras, byline.author,
                  byline.published, len(entries))
        )  # fmt: skip
    tail = lines[start:]
    if tail:  # text after the last byline: an entry whose byline was lost
        headline, body = _split_headline(tail)
        entries.append(_make(doc, "entry", headline, _paragraphs(body, headline), None, None,
                             len(entries)))  # fmt: skip
    # The lead summary and undated entries are as current as the blog's latest entry.
    latest = max((e.published for e in entries if e.published), default=doc.published)
    return [_dated(e, latest) for e in entries], problems


def _dated(e: Entry, latest: datetime | None) -> Entry:
    if e.published is not None or latest is None:
        return e
    return Entry(e.id, e.document, e.kind, e.headline, e.paragraphs, e.author, latest, False,
                 e.position, e.url)  # fmt: skip


def _split_lead(block: list[str]) -> tuple[tuple[Paragraph, ...], list[str]]:
    """The first block holds the lead summary, then the first entry's headline and body."""
    for i, line in enumerate(block):
        if is_headline(line):
            return tuple(Paragraph(x) for x in block[:i]), block[i:]
    return (), block


def _split_headline(block: list[str]) -> tuple[str | None, list[str]]:
    if is_headline(block[0]):
        return block[0], block[1:]
    return None, block


def _make(
    doc: Document,
    kind: EntryKind,
    headline: str | None,
    paras: Iterable[Paragraph],
    author: str | None,
    published: datetime | None,
    position: int,
) -> Entry:
    paras = tuple(paras)
    body = "\n".join(p.text for p in paras)
    return Entry(entry_id(headline, body), doc.id, kind, headline, paras, author, published,
                 False, position, doc.url)  # fmt: skip


def _article(doc: Document, lines: list[str]) -> Entry:
    headline = doc.title
    paras = _paragraphs(lines, headline)
    body = "\n".join(p.text for p in paras)
    return Entry(entry_id(headline, body), doc.id, "article", headline, paras, doc.author,
                 doc.published, doc.date_only, 0, doc.url)  # fmt: skip


def teaser_entry(doc: Document) -> Entry:
    """A feed item known only by its cut teaser: its headline, with the teaser beside it as
    the excerpt. Its body is empty, so no summariser reads it and no bullet can cite its
    words; an item without a headline is a link. The id is the teaser's, as before."""
    headline = doc.title
    kind: EntryKind = "article" if headline else "link"
    return Entry(entry_id(headline, doc.text), doc.id, kind, headline, (), doc.author,
                 doc.published, doc.date_only, 0, doc.url, teaser=trim(doc.text))  # fmt: skip


def entries_of(loaded: Loaded, tz: ZoneInfo) -> list[Entry]:
    """The one place entries are made from a parsed input: its pre-split parts (JSON live
    blogs) or its text (live blog or article). Problems found are added to `loaded.problems`."""
    if loaded.parts is not None:
        return entries_from_json(loaded.document, loaded.parts)
    if loaded.document.teaser:
        return [teaser_entry(loaded.document)]
    entries, problems = split_entries(loaded.document, tz)
    loaded.problems.extend(problems)
    return entries


def entries_from_json(doc: Document, raw_entries: Sequence[RawEntry]) -> list[Entry]:
    """Entries that arrive pre-split (JSON live blogs): (title, cleaned text, author, time)."""
    out: list[Entry] = []
    for title, text, author, published in raw_entries:
        lines = [ln for ln in text.split("\n") if ln.strip()]
        paras = _paragraphs(lines, title)
        body = "\n".join(p.text for p in paras)
        kind: EntryKind = "entry" if body else "link"
        out.append(Entry(entry_id(title, body), doc.id, kind, title, paras, author, published,
                         False, len(out), doc.url))  # fmt: skip
    return out
