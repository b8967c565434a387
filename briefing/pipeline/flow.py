"""The whole flow on one page, pure: what was read + a window + a summariser -> Briefing.

    entries (read) -> window -> dedupe -> stories -> summarise -> check -> assemble
                                                                  (+ continuations)

A briefing's size does not grow with the window: stories are ranked, the top `max_sections`
are handed to the summariser (whichever it is), the next `also_reported` are listed by title
and source count, and the rest are counted only. Each stage logs its wall time at -v.

Nothing here opens the store, reads the environment or parses flags: `app.py` reads the
inputs and the settings, asks the store for what a run needs (the entries seen before, the
earlier briefings), calls these functions, and saves the result.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from pathlib import PurePath
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..check import Clock, validate, write_days
from ..contract import (
    Briefing,
    Duplicate,
    Mention,
    Occurrence,
    Skipped,
    Source,
    Stats,
    SummariserInfo,
)
from ..errors import LLMError, NothingToBrief
from ..models import Document, Entry, Item, Loaded, Story, Window
from ..tokens import count_in_background, counter
from .corroborate import corroborate
from .dedupe import DedupeResult, copy_id, dedupe
from .related import grouped
from .relevance import Relevance
from .stories import continuations, titled_by
from .summary import Draft, Summariser, SummaryRequest

log = logging.getLogger(__name__)

EXCERPT_CHARS = 280
UNDATED = "undated: not in any date window"


@dataclass(slots=True)
class Read:
    """What ingest produced: documents with their entries, and what was skipped."""

    loaded: list[Loaded]
    skipped: list[Skipped]

    @property
    def documents(self) -> list[Document]:
        return [x.document for x in self.loaded]

    def entries(self, tz: ZoneInfo, assume_date: date | None = None) -> list[Entry]:
        """Every entry; with `assume_date`, undated entries take that day."""
        out = [e for x in self.loaded for e in x.entries]
        if assume_date is None:
            return out
        assumed = datetime.combine(assume_date, dtime(0), tz)
        return [e if e.published else replace(e, published=assumed, date_only=True) for e in out]


@dataclass(slots=True)
class Prepared:
    """Everything before summarising: what was read, what is in the window, and the stories."""

    read: Read
    entries: list[Entry]  # every parsed entry, all documents
    in_window: list[Entry]  # on the topic, in the window
    off_topic: list[Entry]  # in the window, but not on the topic
    links: int
    deduped: DedupeResult
    skipped: list[Skipped]
    stories: list[Story]
    raw_tokens: Callable[[], int]  # the tokens of every input read (counted beside the rest)
    off_topic_by_reason: dict[str, int] = field(default_factory=dict)  # relevance.REASONS
    # each one-publisher story's other publishers' items of the same event (`related.py`)
    related: dict[str, tuple[Item, ...]] = field(default_factory=dict)


def prepare(
    read: Read,
    window: Window,
    now: datetime,
    *,
    assume_date: date | None = None,
    only: Collection[str] | None = None,
    relevance: Relevance | None = None,
    on_stage: Callable[[str, int], None] | None = None,
) -> Prepared:
    """Entries -> the window -> on the topic -> deduplicated items -> stories. `only`: the
    entry ids to keep (`--new`); `now` bounds how far in the future an entry may be dated;
    `on_stage(name, size)` is told as each stage starts ("dedupe", "stories")."""
    entries = read.entries(window.tz, assume_date)
    if only is not None:
        entries = [e for e in entries if e.id in only]
    if not read.loaded:
        raise NothingToBrief(
            "no input could be read" + "".join(f"\n  {s.input}: {s.reason}" for s in read.skipped)
        )
    raw_tokens = count_in_background([d.raw_text for d in read.documents])
    skipped = list(read.skipped)
    source_of = {d.id: d.source for d in read.documents}
    if window.bounds is not None:
        undated = {e.document for e in entries if e.published is None}
        skipped += [
            Skipped(input=source_of[d], reason=UNDATED, kind="excluded") for d in sorted(undated)
        ]
    horizon = (window.now or now) + timedelta(days=1)
    future = [e for e in entries if e.published is not None and e.published > horizon]
    if future:
        per_doc = Counter(e.document for e in future)
        for doc_id in sorted(per_doc):
            n = per_doc[doc_id]
            why = f"{_entries(n)} dated in the future (after {horizon:%Y-%m-%d}): left out"
            skipped.append(Skipped(input=source_of[doc_id], reason=why, kind="excluded"))
        gone = {id(e) for e in future}
        entries = [e for e in entries if id(e) not in gone]
    in_window = [e for e in entries if window.contains(e)]
    off_topic: list[Entry] = []
    by_reason: dict[str, int] = {}
    if relevance is not None and relevance.active:
        docs = {d.id: d for d in read.documents}
        in_window, off_topic, by_reason = relevance.split(
            in_window, sections=lambda e: d.sections if (d := docs.get(e.document)) else (),
            blog_title=lambda e: d.title if (d := docs.get(e.document)) else None)  # fmt: skip
    briefable = [e for e in in_window if e.kind != "link"]
    if on_stage:
        on_stage("dedupe", len(briefable))
    deduped = dedupe(briefable)
    if on_stage:
        on_stage("stories", len(deduped.items))
    publishers = {d.id: publisher_of(d) or d.id for d in read.documents}
    stories, near = grouped(deduped.items, publishers)
    links = len(in_window) - len(briefable)
    return Prepared(read, entries, in_window, off_topic, links, deduped, skipped, stories,
                    raw_tokens, by_reason, near)  # fmt: skip


def summarise(request: SummaryRequest, summariser: Summariser, fallback: Summariser) -> Draft:
    """The summariser's draft; when the LLM cannot be used at all, `fallback`'s, with a notice."""
    try:
        return summariser.execute(request)
    except LLMError as exc:
        log.warning("LLM unusable (%s); the %s summariser writes this briefing", exc, fallback.name)
        draft = fallback.execute(request)
        draft.notice = (
            f"The LLM ({getattr(summariser, 'model', summariser.name)}) could not be "
            f"used: {exc}. This briefing was written by the {fallback.name} summariser."
        )
        draft.degraded = True
        return draft


def brief(
    prep: Prepared,
    request: SummaryRequest,
    summariser: Summariser,
    fallback: Summariser,
    *,
    window: Window,
    generated_at: datetime,
    earlier: Sequence[Briefing] = (),
    topic_id: str | None = None,
) -> Briefing:
    """Stories -> a checked briefing. `earlier`: this topic's earlier briefings, newest first,
    whose stories a section may continue."""
    if not prep.stories:
        raise NothingToBrief(
            f"nothing to brief in the window {window.describe()}: {_entries(len(prep.entries))} "
            f"read, {len(prep.in_window) + len(prep.off_topic)} in the window"
            + (f" ({prep.links} link-only)" if prep.links else "")
            + (f", {len(prep.off_topic)} not on the topic" if prep.off_topic else "")
        )
    # ranked: the rest cost nothing to summarise. A story known only by cut feed teasers has
    # no text to summarise: it is listed by its headline, its sources marked as teasers
    top = [s for s in prep.stories if not teasers_only(s)][: request.max_sections]
    chosen = {s.id for s in top}
    readable = tuple(replace(s, items=tuple(it for it in s.items if not _teaser(it))) for s in top)
    publishers = {d.id: p for d in prep.read.documents if (p := publisher_of(d))}
    draft = summarise(replace(request, stories=readable, publishers=publishers, tz=window.tz,
                              reader=reader_day(window, generated_at)), summariser, fallback)
    briefing = assemble(prep, draft, topic=request.topic, window=window, generated_at=generated_at,
                        topic_id=topic_id)  # fmt: skip
    briefing = account(briefing, prep.stories, chosen, request.also_reported)
    if briefing.date and earlier:
        briefing = continuations(briefing, earlier)
    return briefing


def teasers_only(story: Story) -> bool:
    """Whether every report of the story is a cut feed teaser (no text to summarise)."""
    return all(_teaser(it) for it in story.items)


def _teaser(item: Item) -> bool:
    """An item known only by cut feed teasers: the summariser is not given it at all (not
    even its headline), so no bullet rests on a teaser alone."""
    return all(m.teaser is not None for m in item.members)


def _iso(dt: datetime | None, tz: ZoneInfo, date_only: bool = False) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(tz).date().isoformat() if date_only else dt.astimezone(tz).isoformat()


def _untitled(e: Entry, doc: Document | None) -> str | None:
    if e.kind == "lead":
        return f"Live blog summary: {doc.title}" if doc and doc.title else "Live blog summary"
    return doc.title if doc else None


def _excerpt(text: str) -> str:
    head = " ".join(text[: EXCERPT_CHARS * 8].split())  # a huge entry is not split whole
    text = head if len(head) > EXCERPT_CHARS else " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"


def publisher_of(doc: Document | None, url: str | None = None) -> str | None:
    """Who published a document: as it names itself (header line, JSON, HTML metadata, feed
    title, a publisher rule), else the host of its URL, else its file's name."""
    if doc is None:
        return None
    if doc.publisher:
        return doc.publisher
    link = url or doc.url or (doc.source if "://" in doc.source else None)
    if link:
        host = urlsplit(link).hostname
        if host:
            return host.removeprefix("www.")
    return PurePath(doc.source).name or None


def build_sources(prep: Prepared, tz: ZoneInfo) -> dict[str, Source]:
    """Every entry in the window, cited or not (README, "The JSON contract"). Built without
    re-validation (`model_construct`: the values are ours and typed), which is a third of the
    cost at 100k entries."""
    docs = {d.id: d for d in prep.read.documents}
    canonical_of = {m: c for m, c, kind in prep.deduped.relations if m != c}
    sources: dict[str, Source] = {}
    for item in prep.deduped.items:
        for e in item.members:
            doc = docs.get(e.document)
            url = e.url or (doc.url if doc else None)
            published = _iso(e.published, tz, e.date_only)
            publisher = publisher_of(doc, e.url)
            own = e.id
            if e.id in sources:
                also = sources[e.id].also_in
                if all(o.document != e.document for o in also):
                    also.append(Occurrence.model_construct(
                        document=e.document, publisher=publisher, url=url, published=published))
                own = copy_id(e)  # an exact copy: listed under its own id (never cited)
                if own in sources:
                    continue
            body = e.body
            sources[own] = Source.model_construct(
                document=e.document,
                publisher=publisher,
                title=e.headline or _untitled(e, doc),
                author=e.author,
                published=published,
                url=url,
                anchor=e.anchor,
                excerpt=_excerpt(e.teaser or body or e.headline or ""),
                text="\n".join(x for x in (e.headline, body) if x),  # = e.text
                also_in=[],
                duplicate_of=e.id if own != e.id else canonical_of.get(e.id),
                teaser=e.teaser is not None,
            )
    return sources


def mentions(stories: Sequence[Story]) -> list[Mention]:
    """Stories listed under "Also reported": title, the report it comes from, source count."""
    return [Mention(title=s.title, story_id=s.id, citations=titled_by(s),
                    sources=len({d for it in s.items for d in it.documents}))
            for s in stories]  # fmt: skip


def reader_day(window: Window, generated_at: datetime) -> date:
    """The day the briefing is read on, in its zone: its day, or the day its window ends (or
    the `now` it was made for: `briefing eval` reads a blog as on the day it ended), or the
    day it was made."""
    if window.day is not None:
        return window.day
    end = window.end or window.now or generated_at
    return end.astimezone(window.tz).date()


def clocks(prep: Prepared, window: Window, generated_at: datetime) -> dict[str, Clock]:
    """How to read each entry's relative time words (check.when)."""
    reader = reader_day(window, generated_at)
    return {e.id: Clock(e.published, window.tz, reader, e.date_only)
            for item in prep.deduped.items for e in item.members}  # fmt: skip


def account(b: Briefing, stories: Sequence[Story], chosen: Collection[str], also: int,
            ) -> Briefing:  # fmt: skip
    """Every story of the window is a section, an "Also reported" line or one of the "N more
    stories": a story summarised but left with no section (no bullet passed the check) is
    listed under Also reported first, before the next `also` stories by rank."""
    shown = {s.story_id for s in b.sections}
    unshown = [s for s in stories if s.id in chosen and s.id not in shown]
    rest = [s for s in stories if s.id not in chosen]
    listed = [*unshown, *rest[:also]]
    more = rest[also:]
    return b.model_copy(update={"also_reported": mentions(listed), "more_stories": mentions(more)})


def assemble(
    prep: Prepared,
    draft: Draft,
    *,
    topic: str,
    window: Window,
    generated_at: datetime,
    topic_id: str | None = None,
    also: Sequence[Mention] = (),
) -> Briefing:
    """The draft, checked against the sources it cites, with the run's figures."""
    sources = build_sources(prep, window.tz)
    texts = {k: v.text for k, v in sources.items()}
    read_by = clocks(prep, window, generated_at)
    checked = validate(draft.summary, draft.sections, texts, draft.dropped, clocks=read_by)
    summary, sections = corroborate(checked.summary, checked.sections, prep.stories, sources,
                                    prep.related)  # fmt: skip
    summary, sections, undated = write_days(summary, sections, texts, read_by)
    prompts = list(draft.prompts)
    return Briefing(
        topic=topic,
        topic_id=topic_id,
        tz=window.tz.key,
        date=window.day.isoformat() if window.day else None,
        window=window.describe(),
        window_start=_utc(window.start),
        window_end=_utc(window.end),
        generated_at=generated_at.isoformat(timespec="seconds"),
        summariser=SummariserInfo(
            backend=draft.backend,
            model=draft.model,
            prompt=prompts[0] if prompts else None,
            prompts=prompts,
            notice=draft.notice,
            degraded=draft.degraded,
        ),
        summary=summary,
        sections=sections,
        also_reported=list(also),
        sources=sources,
        duplicates=[Duplicate(entry=m, kept=c, kind=k) for m, c, k in prep.deduped.relations],
        dropped=[*checked.dropped, *undated],
        flagged=checked.flagged,
        stats=Stats(
            documents=len(prep.read.loaded),
            entries=len(prep.entries),
            entries_in_window=len(prep.in_window),
            links=prep.links,
            off_topic=len(prep.off_topic),
            off_topic_by_reason=dict(prep.off_topic_by_reason),
            duplicates_removed=prep.deduped.duplicates_removed,
            items=len(prep.deduped.items),
            stories=len(prep.stories),
            tokens_raw=prep.raw_tokens(),
            tokens_in=draft.usage.tokens_in,
            tokens_out=draft.usage.tokens_out,
            tokens_in_estimate=draft.tokens_estimate,
            llm_calls=draft.usage.calls,
            cache_hits=draft.usage.cache_hits,
            token_count_method=counter().method,
        ),
        skipped=prep.skipped,
    )


def _utc(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt is not None else None


def _entries(n: int) -> str:
    return f"{n:,} {'entry' if n == 1 else 'entries'}"
