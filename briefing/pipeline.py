"""The whole flow on one page: inputs -> Briefing.

ingest -> clean -> live-blog entries -> window -> dedupe -> stories -> summarise -> check
"""

from __future__ import annotations

import logging
import os
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from . import check as checker
from .clean import Rules, load_rules
from .dedupe import DedupeResult, dedupe
from .errors import LLMError, NothingToBrief, UsageError
from .ingest import FetchOptions, IngestResult, ingest
from .liveblog import split_entries
from .models import (
    Briefing,
    Bullet,
    Document,
    Dropped,
    Duplicate,
    Entry,
    Occurrence,
    PromptRef,
    Section,
    Skip,
    SkippedInput,
    Source,
    Stats,
    Story,
    SummariserInfo,
)
from .stories import continuations, group
from .summarise.base import Draft, Summariser, SummaryRequest

if TYPE_CHECKING:
    from .store import Store
from .tokens import count, counter

log = logging.getLogger(__name__)

DEFAULT_TOPIC = "News briefing"
SAMPLE_TOPIC = "Ukraine talks"
EXCERPT_CHARS = 280


def sample_corpus() -> Path:
    """The bundled sample corpus (five Independent live blogs and articles)."""
    return Path(str(resources.files("briefing").joinpath("data/corpus")))


_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.I)


def parse_since(text: str) -> timedelta:
    m = _DURATION.match(text)
    if not m:
        raise UsageError(f"--since {text!r}: use a number and a unit, e.g. 90m, 24h, 2d, 1w")
    n, unit = int(m.group(1)), m.group(2).lower()
    return {
        "m": timedelta(minutes=n),
        "h": timedelta(hours=n),
        "d": timedelta(days=n),
        "w": timedelta(weeks=n),
    }[unit]


@dataclass(frozen=True, slots=True)
class Window:
    """Which entries are briefed: by their own timestamps, in a time zone."""

    tz: ZoneInfo
    day: date | None = None
    since: timedelta | None = None
    now: datetime | None = None

    @property
    def bounds(self) -> tuple[datetime, datetime] | None:
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
        b = self.bounds
        if b is None:
            return True
        if e.published is None:
            return False
        start, end = b
        if e.date_only:  # the whole day counts when only the day is known
            d0 = datetime.combine(e.published.date(), dtime(0), self.tz)
            return d0 < end and d0 + timedelta(days=1) > start
        return start <= e.published < end

    def describe(self) -> str:
        b = self.bounds
        if b is None:
            return "all entries"
        if self.day is not None and self.since is None:
            return f"{self.day.isoformat()} ({self.tz.key})"
        return f"{b[0].isoformat(timespec='minutes')} to {b[1].isoformat(timespec='minutes')}"


@dataclass(slots=True)
class RunOptions:
    inputs: Sequence[str]
    topic: str = DEFAULT_TOPIC
    window: Window = field(default_factory=lambda: Window(ZoneInfo("Europe/London")))
    assume_date: date | None = None
    rules: Rules | None = None
    fetch: FetchOptions | None = None
    on_progress: Callable[[str], None] | None = None
    request: SummaryRequest | None = None  # limits; stories are filled in
    store: Store | None = None  # when given: remember what was seen, save the briefing
    only_new: bool = False  # brief only entries first seen since the topic's last briefing


@dataclass(slots=True)
class Prepared:
    """Everything before summarising: what was read, what is in the window, and the stories."""

    ingested: IngestResult
    entries: list[Entry]  # every parsed entry, all documents
    in_window: list[Entry]
    links: int
    deduped: DedupeResult
    skipped: list[Skip]
    stories: list[Story]


def now_utc() -> datetime:
    """The time a briefing is generated; SOURCE_DATE_EPOCH pins it for reproducible outputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def utc_stamp(dt: datetime) -> str:
    """The state database's timestamp format (sortable as text)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _only_new(opts: RunOptions, ing: IngestResult, entries: list[Entry]) -> list[Entry]:
    """Record what was seen; with --new keep entries first seen after the last briefing."""
    assert opts.store is not None
    tz = opts.window.tz
    docs = [(i.document.source, i.document.id, i.document.title) for i in ing.loaded]
    rows = [(e.id, e.document, _iso(e.published, tz)) for e in entries]
    previous = opts.store.previous_briefing_time(opts.topic)
    first_seen = opts.store.record_seen(docs, rows, utc_stamp(datetime.now(UTC)))
    if not opts.only_new or previous is None:
        return entries
    return [e for e in entries if first_seen.get(e.id, "") > previous]


def prepare(opts: RunOptions) -> Prepared:
    tz = opts.window.tz
    rules = opts.rules or load_rules()
    ing = ingest(opts.inputs, rules=rules, tz=tz, fetch=opts.fetch, on_progress=opts.on_progress)
    skipped = list(ing.skipped)
    entries: list[Entry] = []
    for item in ing.loaded:
        doc = item.document
        if item.entries is not None:
            doc_entries = item.entries
        else:
            doc_entries, problems = split_entries(doc, tz)
            skipped.extend(Skip(doc.source, p) for p in problems)
        if opts.assume_date is not None:
            assumed = datetime.combine(opts.assume_date, dtime(0), tz)
            doc_entries = [
                e if e.published else replace(e, published=assumed, date_only=True)
                for e in doc_entries
            ]
        entries.extend(doc_entries)
    if opts.store is not None:
        entries = _only_new(opts, ing, entries)
    if not ing.loaded:
        raise NothingToBrief(
            "no input could be read" + "".join(f"\n  {s.input}: {s.reason}" for s in skipped)
        )
    window = opts.window
    source_of = {i.document.id: i.document.source for i in ing.loaded}
    if window.bounds is not None:
        undated = {e.document for e in entries if e.published is None}
        for doc_id in sorted(undated):
            src = source_of[doc_id]
            skipped.append(
                Skip(
                    src,
                    "undated: not in any date window (pass --assume-date YYYY-MM-DD to include it)",
                    "excluded",
                )
            )
    horizon = (window.now or datetime.now(UTC)) + timedelta(days=1)
    future = [e for e in entries if e.published is not None and e.published > horizon]
    if future:
        for doc_id in sorted({e.document for e in future}):
            n = sum(e.document == doc_id for e in future)
            why = f"{n} entries dated in the future (after {horizon:%Y-%m-%d}): left out"
            skipped.append(Skip(source_of[doc_id], why, "excluded"))
        gone = {id(e) for e in future}
        entries = [e for e in entries if id(e) not in gone]
    in_window = [e for e in entries if window.contains(e)]
    briefable = [e for e in in_window if e.kind != "link"]
    deduped = dedupe(briefable)
    stories = group(deduped.items)
    return Prepared(
        ing, entries, in_window, len(in_window) - len(briefable), deduped, skipped, stories
    )


def run(opts: RunOptions, summariser: Summariser) -> Briefing:
    started = time.perf_counter()
    prep = prepare(opts)
    if not prep.stories:
        where = opts.window.describe()
        raise NothingToBrief(
            f"nothing to brief in the window {where}: {len(prep.entries)} entries read, "
            f"{len(prep.in_window)} in the window"
            + (f" ({prep.links} link-only)" if prep.links else "")
        )
    base = opts.request or SummaryRequest(topic=opts.topic, stories=())
    request = replace(base, topic=opts.topic, stories=tuple(prep.stories))
    try:
        draft = summariser.execute(request)
    except LLMError as exc:
        log.warning("LLM unusable (%s); the extractive summariser writes this briefing", exc)
        from .summarise.extractive import ExtractiveSummariser

        draft = ExtractiveSummariser().execute(request)
        draft.notice = (
            f"The LLM ({getattr(summariser, 'model', summariser.name)}) could not be "
            f"used: {exc}. This briefing was written by the extractive summariser."
        )
        draft.degraded = True
    briefing = assemble(opts, prep, draft)
    if opts.store is not None:
        if briefing.date:
            earlier = opts.store.earlier_briefings(opts.topic, briefing.date)
            briefing = continuations(briefing, earlier)
        opts.store.save_briefing(briefing)
    log.info(
        "briefed %d stories from %d entries in %.2f s",
        len(prep.stories),
        len(prep.in_window),
        time.perf_counter() - started,
    )
    return briefing


def _iso(dt: datetime | None, tz: ZoneInfo, date_only: bool = False) -> str | None:
    if dt is None:
        return None
    return dt.astimezone(tz).date().isoformat() if date_only else dt.astimezone(tz).isoformat()


def _untitled(e: Entry, doc: Document | None) -> str | None:
    if e.kind == "lead":
        return f"Live blog summary: {doc.title}" if doc and doc.title else "Live blog summary"
    return doc.title if doc else None


def display_path(source: str) -> str:
    """How an input is named in outputs: the bundled sample as sample/<file>, others as given."""
    sample = str(sample_corpus())
    if source.startswith(sample):
        return "sample/" + source[len(sample) :].lstrip("/\\")
    return source


def _excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT_CHARS else text[: EXCERPT_CHARS - 1].rsplit(" ", 1)[0] + "…"


def build_sources(prep: Prepared, tz: ZoneInfo) -> dict[str, Source]:
    docs = {i.document.id: i.document for i in prep.ingested.loaded}
    canonical_of = {m: c for m, c, kind in prep.deduped.relations if m != c}
    sources: dict[str, Source] = {}
    for item in prep.deduped.items:
        for e in item.members:
            doc = docs.get(e.document)
            occ = Occurrence(
                document=e.document,
                url=e.url or (doc.url if doc else None),
                published=_iso(e.published, tz, e.date_only),
            )
            if e.id in sources:
                if all(o.document != e.document for o in sources[e.id].also_in):
                    sources[e.id].also_in.append(occ)
                continue
            sources[e.id] = Source(
                document=e.document,
                title=e.headline or _untitled(e, doc),
                author=e.author,
                published=_iso(e.published, tz, e.date_only),
                url=occ.url,
                anchor=e.anchor,
                excerpt=_excerpt(e.body or e.text),
                text=e.text,
                duplicate_of=canonical_of.get(e.id),
            )
    return sources


def validate(
    draft: Draft, sources: dict[str, Source]
) -> tuple[list[Bullet], list[Section], list[Dropped]]:
    """Check every bullet against its cited sources; failures are dropped and reported."""
    texts = {k: v.text for k, v in sources.items()}
    dropped = list(draft.dropped)

    def keep(bullets: list[Bullet]) -> list[Bullet]:
        out = []
        for b in bullets:
            res = checker.check_bullet(b.text, b.citations, texts)
            if res.ok:
                out.append(Bullet(text=b.text, citations=list(res.citations)))
            else:
                dropped.append(
                    Dropped(text=b.text, citations=b.citations, reason="; ".join(res.reasons))
                )
        return out

    summary = keep(draft.summary)
    sections = []
    for s in draft.sections:
        bullets = keep(s.bullets)
        if bullets:
            sections.append(s.model_copy(update={"bullets": bullets}))
    return summary, sections, dropped


def assemble(opts: RunOptions, prep: Prepared, draft: Draft) -> Briefing:
    tz = opts.window.tz
    sources = build_sources(prep, tz)
    summary, sections, dropped = validate(draft, sources)
    raw_tokens = sum(count(i.document.raw_text) for i in prep.ingested.loaded)
    day = opts.window.day
    prompts: list[PromptRef] = list(draft.prompts)
    return Briefing(
        topic=opts.topic,
        date=day.isoformat() if day else None,
        window=opts.window.describe(),
        generated_at=now_utc().isoformat(timespec="seconds"),
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
        sources=sources,
        duplicates=[Duplicate(entry=m, kept=c, kind=k) for m, c, k in prep.deduped.relations],
        dropped=dropped,
        stats=Stats(
            documents=len(prep.ingested.loaded),
            entries=len(prep.entries),
            entries_in_window=len(prep.in_window),
            links=prep.links,
            duplicates_removed=prep.deduped.duplicates_removed,
            items=len(prep.deduped.items),
            stories=len(prep.stories),
            tokens_raw=raw_tokens,
            tokens_in=draft.usage.tokens_in,
            tokens_out=draft.usage.tokens_out,
            tokens_in_estimate=draft.tokens_estimate,
            llm_calls=draft.usage.calls,
            cache_hits=draft.usage.cache_hits,
            token_count_method=counter().method,
        ),
        skipped=[
            SkippedInput(input=display_path(s.input), reason=s.reason, kind=s.kind)
            for s in prep.skipped
        ],
    )
