"""The one place a run is assembled: settings + flags + a topic + the store + a summariser.

`run`, `send`, `schedule`, `eval` and `samples` all build their `RunRequest` with `request()`
and brief with `produce()`. Everything that changes a briefing (boilerplate rules, assumed
date, cache, prompt versions, time zone) comes from `Settings`, which flags override, so a
scheduled run can do whatever a CLI run can.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo

from . import pipeline
from .clean import load_rules
from .config import Settings, zone
from .contract import Briefing
from .errors import UsageError
from .ingest import FetchOptions, ingest
from .models import Window
from .store import Store, utc_stamp
from .summarise import make_summariser
from .summarise.base import Summariser, SummaryRequest
from .summarise.extractive import ExtractiveSummariser

log = logging.getLogger(__name__)

DEFAULT_TOPIC = "News briefing"
SAMPLE_TOPIC = "Ukraine talks"


def sample_corpus() -> Path:
    """The bundled sample corpus (five Independent live blogs and articles)."""
    return Path(str(resources.files("briefing").joinpath("data/corpus")))


def now_utc() -> datetime:
    """The time a briefing is generated; SOURCE_DATE_EPOCH pins it for reproducible outputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def today(tz: ZoneInfo) -> date:
    return datetime.now(tz).date()


def display_path(source: str) -> str:
    """How an input is named in outputs: the bundled sample as sample/<file>, others as given."""
    sample = str(sample_corpus())
    if source.startswith(sample):
        return "sample/" + source[len(sample) :].lstrip("/\\")
    return source


@dataclass(frozen=True, slots=True)
class RunRequest:
    """One run: what to read, for which topic, over which window."""

    inputs: tuple[str, ...]
    topic: str
    window: Window
    assume_date: date | None = None
    only_new: bool = False  # brief only entries first seen since the topic's last briefing


@dataclass(frozen=True, slots=True)
class Produced:
    briefing: Briefing
    state_id: int | None  # the stored briefing's id; None when no store was given


def topic_title(settings: Settings, sample: bool = False) -> str:
    """The topic of a run: settings (or --topic), else the sample's, else the default."""
    return settings.topic or (SAMPLE_TOPIC if sample else DEFAULT_TOPIC)


def request(
    settings: Settings,
    inputs: Sequence[str] = (),
    *,
    sample: bool = False,
    day: date | None = None,
    since: timedelta | None = None,
    topic: str | None = None,
    only_new: bool = False,
) -> RunRequest:
    """The run request of every command. Inputs: the given ones, plus the sample with
    `sample`, else the configured `sources`."""
    sources = [*inputs, *([str(sample_corpus())] if sample else [])] or list(settings.sources)
    if not sources:
        raise UsageError("nothing to read: give files, folders or URLs, --sample, "
                         "or set `sources` in briefing.toml")  # fmt: skip
    window = Window(zone(settings.tz), day, since, datetime.now(UTC) if day is None and since
                    else None)  # fmt: skip
    return RunRequest(
        inputs=tuple(sources),
        topic=topic or topic_title(settings, sample and not inputs),
        window=window,
        assume_date=settings.assume_date,
        only_new=only_new,
    )


def summary_request(settings: Settings, topic: str) -> SummaryRequest:
    """The size of a briefing, from settings; the stories are filled in by the pipeline."""
    return SummaryRequest(
        topic=topic, stories=(), max_sections=settings.max_sections,
        max_bullets=settings.max_bullets, summary_lines=settings.summary_lines,
        also_reported=settings.also_reported,
    )  # fmt: skip


@contextmanager
def open_store(settings: Settings, enabled: bool = True) -> Iterator[Store | None]:
    """The state database of these settings (None when disabled), closed afterwards."""
    if not enabled:
        yield None
        return
    with Store(settings.state_path()) as store:
        yield store


def read_inputs(
    req: RunRequest,
    settings: Settings,
    *,
    on_progress: Callable[[str], None] | None = None,
    fetch: FetchOptions | None = None,
) -> pipeline.Read:
    """Every input of the request, read and split into entries."""
    rules = load_rules(settings.boilerplate)
    got = ingest(req.inputs, rules=rules, tz=req.window.tz, fetch=fetch, on_progress=on_progress)
    return pipeline.Read(got.loaded, got.skipped)


def produce(
    req: RunRequest,
    settings: Settings,
    store: Store | None,
    *,
    summariser: Summariser | None = None,
    on_progress: Callable[[str], None] | None = None,
    fetch: FetchOptions | None = None,
) -> Produced:
    """Read, brief, check and (with a store) save. The store remembers the entries seen and
    gives the earlier briefings whose stories a section may continue."""
    tz = req.window.tz
    read = read_inputs(req, settings, on_progress=on_progress, fetch=fetch)
    only = None
    earlier: list[Briefing] = []
    if store is not None:
        entries = read.entries(tz, req.assume_date)
        docs = [(d.source, d.id, d.title) for d in read.documents]
        rows = [(e.id, e.document, e.published.astimezone(tz).isoformat() if e.published
                 else None) for e in entries]  # fmt: skip
        previous = store.previous_briefing_time(req.topic)
        first_seen = store.record_seen(docs, rows, utc_stamp(datetime.now(UTC)))
        if req.only_new and previous is not None:
            only = {e.id for e in entries if first_seen.get(e.id, "") > previous}
        if req.window.day is not None:
            earlier = store.earlier_briefings(req.topic, req.window.day.isoformat())
    prep = pipeline.prepare(read, req.window, datetime.now(UTC), assume_date=req.assume_date,
                            only=only)  # fmt: skip
    if summariser is None:
        summariser = make_summariser(settings, store if settings.cache else None)
    b = pipeline.brief(
        prep, summary_request(settings, req.topic), summariser, ExtractiveSummariser(),
        window=req.window, generated_at=now_utc(), earlier=earlier,
    )  # fmt: skip
    b = b.model_copy(update={"skipped": [
        s.model_copy(update={"input": display_path(s.input)}) for s in b.skipped
    ]})  # fmt: skip
    state_id = store.save_briefing(b) if store is not None else None
    return Produced(b, state_id)


def edition(
    settings: Settings, store: Store, inputs: Sequence[str], day: date, *, sample: bool = False
) -> Produced:
    """The stored briefing of the topic and day, or a new one when there is none (or when
    inputs were given explicitly)."""
    req = request(settings, inputs, sample=sample, day=day)
    if not inputs and not sample:
        found = store.latest_briefing(req.topic, day.isoformat())
        if found is not None:
            return Produced(found[1], found[0])
    return produce(req, settings, store)


def archive_dir(settings: Settings, out: Path | None = None) -> Path:
    return out or settings.archive_dir or settings.state_path() / "site"
