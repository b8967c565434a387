"""The records every stage speaks: frozen dataclasses (Document -> Entry -> Item -> Story),
and the Window that selects entries by time. The finished briefing is the JSON contract in
`contract.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Literal
from zoneinfo import ZoneInfo

EntryKind = Literal["entry", "lead", "article", "link"]
ParagraphKind = Literal["p", "h", "li"]


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One paragraph of an entry: body text ("p"), a sub-heading ("h") or a list item ("li")."""

    text: str
    kind: ParagraphKind = "p"


@dataclass(frozen=True, slots=True)
class Document:
    """One input: a file, a fetched page, a feed item or one article of a JSON file."""

    id: str  # short, human: file stem or URL slug, unique within a run
    source: str  # path or URL as given
    title: str | None
    publisher: str | None
    published: datetime | None  # tz-aware; None when undated
    date_only: bool  # True when only the day is known
    text: str  # cleaned text (empty for JSON live blogs whose entries come pre-split)
    raw_chars: int
    raw_text: str = field(repr=False, default="")
    url: str | None = None
    author: str | None = None
    # a feed item's own text, cut short ("…", "Read more"), whose page was not read: its
    # headline and excerpt are kept, its text is never news text (`ingest/teasers.py`)
    teaser: bool = False
    sections: tuple[str, ...] = ()  # its feed's categories (RSS <category>, Atom term/label)


RawEntry = tuple[str | None, str, str | None, datetime | None]  # title, text, author, time


@dataclass(slots=True)
class Loaded:
    """A parsed input: its document, its entries once made (`liveblog.entries_of`), and the
    entries it brought pre-split (JSON live blogs), cleaned but not yet made into entries."""

    document: Document
    parts: list[RawEntry] | None = None
    problems: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Entry:
    """One timestamped live-blog entry, a live blog's lead summary, or a whole article."""

    id: str  # content-derived: the same entry in two documents gets the same id
    document: str  # Document.id
    kind: EntryKind
    headline: str | None
    paragraphs: tuple[Paragraph, ...]
    author: str | None
    published: datetime | None
    date_only: bool
    position: int  # order within its document, 0-based
    url: str | None = None
    teaser: str | None = None  # a cut feed teaser, shown as the excerpt; never in `text`

    @property
    def body(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def text(self) -> str:
        """Headline and body: what citation checks compare against."""
        return "\n".join(x for x in (self.headline, self.body) if x)

    @property
    def topic_text(self) -> str:
        """What the entry is about, to match a topic's terms: its text and any teaser."""
        return "\n".join(x for x in (self.text, self.teaser) if x)

    @property
    def anchor(self) -> str:
        """A human anchor: document and time."""
        if self.published is None:
            return self.document
        fmt = "%d %b %Y" if self.date_only else "%d %b %Y %H:%M"
        return f"{self.document} · {self.published.strftime(fmt)}"


DupKind = Literal["exact", "near", "contained"]


@dataclass(frozen=True, slots=True)
class Item:
    """One deduplicated entry: its canonical text and every entry it appeared as."""

    canonical: Entry
    members: tuple[Entry, ...]  # includes canonical; exact copies from other documents too
    relations: tuple[tuple[str, str, DupKind], ...] = ()  # (entry id, canonical id, kind)

    @property
    def id(self) -> str:
        return self.canonical.id

    @property
    def entry_ids(self) -> tuple[str, ...]:
        """Distinct entry ids, canonical first: what a citation of this item expands to."""
        seen: dict[str, None] = {self.canonical.id: None}
        for m in self.members:
            seen.setdefault(m.id, None)
        return tuple(seen)

    @property
    def documents(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.document for m in self.members))


@dataclass(frozen=True, slots=True)
class Story:
    """Related items about one event."""

    id: str
    title: str
    items: tuple[Item, ...]
    score: float


@dataclass(frozen=True, slots=True)
class Window:
    """Which entries are briefed: by their own timestamps, in a time zone."""

    tz: ZoneInfo
    day: date | None = None
    since: timedelta | None = None
    now: datetime | None = None
    new_only: bool = False  # only entries first seen since the topic's last briefing
    # an edition's own window (start <= published < end), which overrides day and since
    start: datetime | None = None
    end: datetime | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime] | None:
        if self.start is not None and self.end is not None:
            return self.start, self.end
        if self.day is None and self.since is None:
            return None
        if self.day is not None:
            end = datetime.combine(self.day + timedelta(days=1), dtime(0), self.tz)
            start = end - (self.since or timedelta(days=1))
        else:
            end = self.now or datetime.now(UTC)
            start = end - (self.since or timedelta(days=1))
        return start, end

    def contains(self, e: Entry) -> bool:
        return self.covers(e.published, e.date_only)

    def covers(self, published: datetime | None, date_only: bool = False) -> bool:
        """Whether a time (or, `date_only`, any of its day) is in the window; undated: no."""
        b = self.bounds
        if b is None:
            return True
        if published is None:
            return False
        start, end = b
        if date_only:  # the whole day counts when only the day is known
            d0 = datetime.combine(published.date(), dtime(0), self.tz)
            return d0 < end and d0 + timedelta(days=1) > start
        return start <= published < end

    def describe(self) -> str:
        b = self.bounds
        if b is None:
            return "entries new since the last briefing" if self.new_only else "all entries"
        if self.start is not None and self.end is not None:
            start, end = (t.astimezone(self.tz) for t in b)
            first = "%a %-d %b %Y %H:%M" if start.year != end.year else "%a %-d %b %H:%M"
            return (f"News from {start.strftime(first)} to {end.strftime('%a %-d %b %H:%M')} "
                    f"({self.tz.key})")  # fmt: skip
        if self.new_only:
            return "new entries of " + Window(self.tz, self.day, self.since, self.now).describe()
        if self.day is not None and self.since is None:
            return f"{self.day.isoformat()} ({self.tz.key})"
        start, end = (t.astimezone(self.tz) for t in b)
        first = "%-d %b %Y %H:%M" if start.year != end.year else "%-d %b %H:%M"
        return f"{start.strftime(first)} – {end.strftime('%-d %b %H:%M %Z')}"
