"""The one place a run is assembled: settings + flags + a topic + the store + a summariser.

`run`, `send`, `schedule`, `eval` and `samples` all build their `RunRequest` with `request()`
and brief with `produce()`. Everything that changes a briefing (boilerplate rules, assumed
date, cache, prompt versions, time zone, size) comes from `Settings`, which a topic's table
and then flags override, so a scheduled run can do whatever a CLI run can.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from . import pipeline
from .config import FOLDERS, SAMPLE_ID, Settings, Topic, missing_paths, resolve, span, zone
from .contract import Briefing
from .errors import NothingToBrief, UsageError
from .ingest import FetchOptions, PageScope, expand, ingest, load_rules
from .models import Window
from .net import run_deadline
from .pipeline import Relevance, ReportsUsage, Summariser, SummaryRequest
from .render import off_topic_reasons, plural
from .state import DB_NAME, StateError, Store, utc_stamp
from .summarise import ExtractiveSummariser, TakesVerifier, load, make_summariser, make_verifier

if TYPE_CHECKING:
    from .summarise import Verifier

log = logging.getLogger(__name__)


def sample_corpus() -> Path:
    """The bundled sample corpus (five Independent live blogs and articles)."""
    return Path(str(resources.files("briefing").joinpath("data/corpus")))


def now_utc() -> datetime:
    """The time a briefing is generated; SOURCE_DATE_EPOCH pins it for reproducible outputs."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    return datetime.now(UTC)


def display_path(source: str) -> str:
    """How an input is named in outputs: the bundled sample as sample/<file>, others as given."""
    sample = str(sample_corpus())
    if source.startswith(sample):
        return "sample/" + source[len(sample) :].lstrip("/\\")
    return source


@dataclass(frozen=True, slots=True)
class RunRequest:
    """One run: which topic (and its settings), what to read, over which window."""

    topic: Topic
    inputs: tuple[str, ...]
    window: Window
    only_new: bool = False  # brief only entries first seen since the topic's last briefing
    edition: bool = False  # the topic's briefing of the whole day: the archive shows it

    @property
    def settings(self) -> Settings:
        return self.topic.settings


class Progress(Protocol):
    """What a long run tells the person waiting (the CLI draws it in a terminal)."""

    def stage(self, name: str, total: int | None = None) -> None:
        """A stage starts; `total` is how many steps it has, when known."""

    def advance(self, steps: int = 1) -> None:
        """Steps of the current stage are done."""

    def note(self, text: str) -> None:
        """What the current stage is doing now (LLM calls done, tokens so far)."""


class Stages:
    """Logs one line per stage with its time (at -v), and forwards to a Progress."""

    def __init__(self, progress: Progress | None = None) -> None:
        self.progress = progress
        self.name, self.started = "", time.perf_counter()

    def start(self, name: str, total: int | None = None, note: str = "") -> None:
        self.finish()
        self.name, self.started = name, time.perf_counter()
        if note:
            log.debug("%s: %s", name, note)
        if self.progress is not None:
            self.progress.stage(f"{name} {note}".strip(), total)

    def finish(self, result: str = "") -> None:
        if self.name:
            took = time.perf_counter() - self.started
            log.info("%s%s in %.2f s", self.name, f": {result}" if result else "", took)
        self.name = ""


@dataclass(frozen=True, slots=True)
class Produced:
    briefing: Briefing
    state_id: int | None  # the stored briefing's id; None when no store was given


def check_settings(settings: Settings) -> None:
    """Typos are errors, even where they would not matter for this run: a templates folder
    that does not exist, a prompt version that does not exist."""
    for key, path in missing_paths(settings, ("templates", "boilerplate")):
        kind = "folder" if key in FOLDERS else "file"
        raise UsageError(f"{settings.origin(key)}: no such {kind}: {path}")
    for name, version in settings.prompt_versions.items():
        load(name, version)


def request(
    settings: Settings,
    inputs: Sequence[str] = (),
    *,
    sample: bool = False,
    day: date | str | None = None,
    since: timedelta | None = None,
    topic: str | Topic | None = None,
    only_new: bool = False,
    save: bool = False,
    default_today: bool = False,
    due: str | None = None,
    now: datetime | None = None,
) -> RunRequest:
    """The run request of every command.

    The topic is `topic` (a configured topic's key or title; with inputs or the sample, else a
    new title), else the sample with `sample`, else the only configured one. Inputs: the given
    ones (they override the topic's sources), else the topic's sources. A run of a configured
    topic's own sources over a whole day is its edition; other runs are too, with `save`.
    `day` may be "today" or "yesterday" in the topic's zone, as is the default day with
    `default_today`. With `due` ("slot" or "now") a configured topic's own run with no day,
    `since` or `only_new` is the edition due at `now` (`due_window`): "slot" (send, the
    scheduler) is the edition of the latest `at`, stored; "now" (`run`) runs to now and is
    stored only with `save`.
    """
    corpus = sample_corpus() if sample else None
    if isinstance(topic, Topic):
        chosen = topic
    else:
        chosen = resolve(settings, topic, corpus=corpus, adhoc=bool(inputs) or sample)
    if corpus is not None and chosen.id != SAMPLE_ID:
        inputs = [*inputs, str(corpus)]  # the sample briefed under another topic
    sources = list(inputs) or list(chosen.sources)
    if not sources:
        raise UsageError(
            f"topic {chosen.id!r} has no sources: set `sources` in its [topics.{chosen.id}] "
            "table, or give files, folders or URLs"
            if chosen.configured
            else "nothing to read: give files, folders or URLs, --sample, or configure a topic"
        )
    check_settings(chosen.settings)
    tz = zone(chosen.settings.tz)
    if (due and chosen.configured and day is None and since is None and not only_new
            and not inputs and not sample):  # fmt: skip
        window = due_window(chosen, now or datetime.now(UTC), to_slot=due == "slot",
                            stored=save)  # fmt: skip
        return RunRequest(topic=chosen, inputs=tuple(sources), window=window,
                          edition=save or due == "slot")  # fmt: skip
    if day is None and default_today:
        day = "today"
    if isinstance(day, str):
        day = datetime.now(tz).date() - timedelta(days=("today", "yesterday").index(day))
    window = Window(tz, day, since, datetime.now(UTC) if day is None and since else None,
                    new_only=only_new)
    whole_day = day is not None and since is None and not only_new and not inputs
    return RunRequest(
        topic=chosen,
        inputs=tuple(sources),
        window=window,
        only_new=only_new,
        edition=save or (chosen.configured and whole_day),
    )


def slot_time(topic: Topic, now: datetime) -> datetime:
    """The topic's latest scheduled time (`at` in its zone) at or before `now`."""
    tz = zone(topic.settings.tz)
    hh, mm = (int(x) for x in topic.at.split(":"))
    local = now.astimezone(tz)
    at = datetime.combine(local.date(), dtime(hh, mm), tz)
    return at if at <= local else datetime.combine(local.date() - timedelta(days=1),
                                                   dtime(hh, mm), tz)  # fmt: skip


def _stored_edition(settings: Settings, topic: str, day: date, before: bool) -> Briefing | None:
    """The topic's edition in force of `day` (`before`: of the latest day before it). None:
    no such edition, or no state database to ask."""
    path = settings.state_path()
    if not (path / DB_NAME).exists():
        return None
    try:
        with Store(path) as store:
            got = store.edition(topic, day.isoformat(), before=before)
    except StateError as exc:
        log.warning("the state database could not be read (%s); the edition reaches back "
                    "its whole window", exc)  # fmt: skip
        return None
    return got[1] if got is not None else None


def previous_end(settings: Settings, topic: str, before: date) -> datetime | None:
    """Where the topic's latest edition of a day before `before` ended (the revision in force:
    what its readers were sent, so nothing falls between two editions they got): its window's
    end, or for an edition without one (a calendar day's) the end of its day. None: no such
    edition, or no state database to ask."""
    found = _stored_edition(settings, topic, before, before=True)
    if found is None:
        return None
    if found.window_end:
        return datetime.fromisoformat(found.window_end)
    if found.date:
        tz = zone(found.tz or settings.tz)
        return datetime.combine(date.fromisoformat(found.date) + timedelta(days=1), dtime(0), tz)
    return None


def due_window(topic: Topic, now: datetime, *, to_slot: bool, stored: bool = False) -> Window:
    """The window of the topic's edition due at `now`: from the end of its previous edition
    to the latest scheduled time (`to_slot`) or to now, at most `window` (24h) long. Its day
    is the slot's date in the topic's zone. A run to now starts after the slot's own edition
    when there is one (what is new since), unless it is stored (`stored`): then it is the
    slot's next revision, from where the slot's edition starts, so its readers miss nothing."""
    tz = zone(topic.settings.tz)
    slot = slot_time(topic, now)
    end = slot if to_slot else now.astimezone(tz)
    slot_day = slot.astimezone(tz).date()
    if stored and not to_slot:
        mine = _stored_edition(topic.settings, topic.id, slot_day, before=False)
        if mine is not None and mine.window_start:
            return Window(tz, slot_day, start=datetime.fromisoformat(mine.window_start)
                          .astimezone(tz), end=end)  # fmt: skip
    start = end - span(topic.settings.window)
    after = previous_end(topic.settings, topic.id, slot_day if to_slot or stored
                         else slot_day + timedelta(1))  # fmt: skip
    if after is not None and start < after < end:
        start = after.astimezone(tz)
    return Window(tz, slot_day, start=start, end=end)


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
    *,
    on_progress: Callable[[str], None] | None = None,
    fetch: FetchOptions | None = None,
) -> pipeline.Read:
    """Every input of the request, read and split into entries. A feed item's page is
    fetched only when the item is in the request's window and on its topic (`PageScope`)."""
    rules = load_rules(req.settings.boilerplate)
    fetch = fetch or FetchOptions.from_settings(req.settings)
    scope = PageScope(req.window, Relevance(req.topic.include).includes)
    got = ingest(req.inputs, rules=rules, tz=req.window.tz, fetch=fetch, on_progress=on_progress,
                 scope=scope)  # fmt: skip
    return pipeline.Read(got.loaded, got.skipped)


def produce(req: RunRequest, store: Store | None, **kw: Any) -> Produced:
    """`_produce` within the run's time limit (`run_deadline`): fetches and LLM calls that
    would pass it are not made (the LLM's stories go extractive, with a notice)."""
    with run_deadline(req.settings.run_deadline):
        return _produce(req, store, **kw)


def _produce(
    req: RunRequest,
    store: Store | None,
    *,
    summariser: Summariser | None = None,
    progress: Progress | None = None,
    fetch: FetchOptions | None = None,
    save: bool = True,
) -> Produced:
    """Read, brief, check and (with a store) save, unless `save` is off. The store remembers
    the entries seen and gives the earlier editions whose stories a section may continue.
    Each stage is logged with its time (-v) and shown to `progress`."""
    settings, topic, tz = req.settings, req.topic, req.window.tz
    stages = Stages(progress)
    stages.start("read", len(expand(req.inputs, [])) if progress is not None else None)
    read = read_inputs(req, on_progress=(lambda _t: progress.advance()) if progress else None,
                       fetch=fetch)  # fmt: skip
    stages.finish(f"{plural(len(read.loaded), 'document')}, "
                  f"{plural(sum(len(x.entries) for x in read.loaded), 'entry')}")  # fmt: skip
    only = None
    earlier: list[Briefing] = []
    if store is not None:
        entries = read.entries(tz, settings.assume_date)
        docs = [(d.source, d.id, d.title) for d in read.documents]
        rows = [(e.id, e.document, e.published.astimezone(tz).isoformat() if e.published
                 else None) for e in entries]  # fmt: skip
        previous = store.previous_briefing_time(topic.id)
        first_seen = store.record_seen(docs, rows, utc_stamp(datetime.now(UTC)))
        if req.only_new and previous is not None:
            only = {e.id for e in entries if first_seen.get(e.id, "") > previous}
            if not only and entries:
                raise NothingToBrief(f"nothing new since the last briefing of {topic.id} "
                                     f"({plural(len(entries), 'entry')} already seen)")  # fmt: skip
        if req.window.day is not None:
            earlier = store.earlier_briefings(topic.id, req.window.day.isoformat())
    relevance = Relevance(topic.include, topic.exclude, topic.exclude_sections)
    stages.start("window")

    def on_stage(name: str, n: int) -> None:
        stages.finish(plural(n, "entry") + " on the topic" if name == "dedupe" else
                      plural(n, "item") + " once copies are merged")  # fmt: skip
        stages.start(name, n)

    prep = pipeline.prepare(read, req.window, datetime.now(UTC), assume_date=settings.assume_date,
                            only=only, relevance=relevance, on_stage=on_stage)  # fmt: skip
    stages.finish(plural(len(prep.stories), "story"))
    if prep.off_topic:
        log.info("topic %s: %s not on the topic (%s)", topic.id, plural(len(prep.off_topic),
                 "entry"), off_topic_reasons(prep.off_topic_by_reason))  # fmt: skip
    window_entries = prep.in_window + prep.off_topic
    if window_entries and (unmatched := relevance.unmatched(window_entries)):
        log.warning("topic %s: include terms that match no entry in the window: %s", topic.id,
                    ", ".join(map(repr, unmatched)))  # fmt: skip
    if summariser is None:
        summariser = make_summariser(settings, store if settings.cache else None)
    verifier: Verifier | None = None
    if settings.verify_model:  # a second pass: a model asked whether each bullet is supported
        verifier = make_verifier(settings, store if settings.cache else None)
        if isinstance(summariser, TakesVerifier):
            summariser.use_verifier(verifier)
    stages.start("summarise", note=f"with the {summariser.name} summariser")
    if progress is not None and isinstance(summariser, ReportsUsage):
        summariser.on_usage(lambda u: progress.note(
            f"summarise: {plural(u.calls, 'LLM call')} ({u.cache_hits} cached), "
            f"{u.tokens_in + u.tokens_out:,} tokens so far"))  # fmt: skip
    b = pipeline.brief(
        prep, summary_request(settings, topic.title), summariser, ExtractiveSummariser(),
        window=req.window, generated_at=now_utc(), earlier=earlier, topic_id=topic.id,
    )  # fmt: skip
    bullets, dropped = plural(len(b.all_bullets()), "bullet"), plural(len(b.dropped), "bullet")
    stages.finish(f"{plural(len(b.sections), 'section')}, {bullets} ({b.summariser.backend}), "
                  f"{dropped} dropped")  # fmt: skip
    if verifier is not None:
        stages.start("verify", note=f"with {verifier.model}")
        b = verifier.finish(b)
        stages.finish()
    b = b.model_copy(update={"skipped": [
        s.model_copy(update={"input": display_path(s.input)}) for s in b.skipped
    ]})  # fmt: skip
    state_id = store.save_briefing(b, edition=req.edition) if store and save else None
    if state_id is not None:
        rev = store.revision_of(state_id) if store and req.edition else None
        log.info("saved as briefing %d (%s)", state_id,
                 f"edition of {b.date}, revision {rev}" if rev else "ad hoc")  # fmt: skip
    return Produced(b, state_id)


def edition(store: Store, req: RunRequest) -> Produced:
    """The topic's stored edition of the request's day (its latest revision: what readers who
    have not had the day are sent), or a new one when there is none (or when inputs were
    given explicitly: then the new briefing is made and stored, as the day's next revision).
    Never a replacement: a revision a reader was sent stays as it is."""
    assert req.window.day is not None
    if req.edition:
        found = store.latest_revision(req.topic.id, req.window.day.isoformat())
        if found is not None:
            return Produced(found[1], found[0])
    return produce(req, store)


def archive_dir(settings: Settings, out: Path | None = None) -> Path:
    return out or settings.archive_dir or settings.state_path() / "site"
