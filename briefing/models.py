"""The records every stage speaks.

Pipeline stages pass frozen dataclasses (Document -> Entry -> Item -> Story); the finished
Briefing is a pydantic model because it is the JSON contract that other commands load back
(`briefing check`, delivery, the archive) and must validate.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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

    @property
    def body(self) -> str:
        return "\n".join(p.text for p in self.paragraphs)

    @property
    def text(self) -> str:
        """Headline and body: what citation checks compare against."""
        return "\n".join(x for x in (self.headline, self.body) if x)

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
class Skip:
    input: str
    reason: str
    kind: Literal["error", "excluded"] = "error"


# ---------------------------------------------------------------- the JSON contract


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Bullet(_Strict):
    text: str
    citations: list[str]


class Section(_Strict):
    title: str
    story_id: str | None = None
    bullets: list[Bullet]
    continues: str | None = None  # date of an earlier briefing this story continues


class PromptRef(_Strict):
    name: str
    version: int
    sha256: str


class SummariserInfo(_Strict):
    backend: str
    model: str | None = None
    prompt: PromptRef | None = None
    prompts: list[PromptRef] = Field(default_factory=list)
    notice: str | None = None
    degraded: bool = False


class Occurrence(_Strict):
    document: str
    url: str | None = None
    published: str | None = None


class Source(_Strict):
    document: str
    title: str | None
    author: str | None
    published: str | None
    url: str | None
    anchor: str
    excerpt: str
    text: str
    also_in: list[Occurrence] = Field(default_factory=list)
    duplicate_of: str | None = None  # canonical entry id when this entry was merged


class Dropped(_Strict):
    text: str
    citations: list[str]
    reason: str


class SkippedInput(_Strict):
    input: str
    reason: str
    kind: Literal["error", "excluded"] = "error"


class Stats(_Strict):
    documents: int = 0
    entries: int = 0
    entries_in_window: int = 0
    links: int = 0
    duplicates_removed: int = 0
    items: int = 0
    stories: int = 0
    tokens_raw: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_in_estimate: int = 0
    llm_calls: int = 0
    cache_hits: int = 0
    token_count_method: str = "tiktoken"


class Duplicate(_Strict):
    entry: str
    kept: str
    kind: str


class Briefing(_Strict):
    topic: str
    date: str | None
    window: str
    generated_at: str
    summariser: SummariserInfo
    summary: list[Bullet]
    sections: list[Section]
    sources: dict[str, Source]
    duplicates: list[Duplicate] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)
    stats: Stats
    skipped: list[SkippedInput] = Field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(s.kind == "error" for s in self.skipped)

    def all_bullets(self) -> list[Bullet]:
        return [*self.summary, *(b for s in self.sections for b in s.bullets)]
