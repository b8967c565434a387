"""(I/O) Producing and delivering briefings with settings and state: what `send`, `archive`
and the scheduler share."""

from __future__ import annotations

import logging
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from .clean import load_rules
from .config import Settings
from .errors import UsageError
from .models import Briefing
from .pipeline import DEFAULT_TOPIC, RunOptions, Window, run
from .store import Store
from .summarise import make_summariser

log = logging.getLogger(__name__)


def today(tz: ZoneInfo) -> date:
    return datetime.now(tz).date()


def produce(settings: Settings, store: Store, inputs: list[str], day: date, topic: str | None,
            *, only_new: bool = False) -> tuple[int, Briefing]:  # fmt: skip
    """Build, check and store the briefing of `day`; returns (state id, briefing)."""
    sources = inputs or settings.sources
    if not sources:
        raise UsageError("nothing to read: give inputs, or set `sources` in briefing.toml")
    topic = topic or settings.topic or DEFAULT_TOPIC
    opts = RunOptions(inputs=sources, topic=topic, window=Window(ZoneInfo(settings.tz), day),
                      rules=load_rules(), store=store, only_new=only_new)  # fmt: skip
    b = run(opts, make_summariser(settings, store))
    found = store.latest_briefing(b.topic, b.date)
    assert found is not None
    return found[0], b


def load_or_produce(settings: Settings, store: Store, inputs: list[str], day: date,
                    topic: str | None) -> tuple[int, Briefing]:  # fmt: skip
    """The stored briefing of that topic and day, or a new one when there is none (or when
    inputs were given explicitly)."""
    name = topic or settings.topic or DEFAULT_TOPIC
    if not inputs:
        found = store.latest_briefing(name, day.isoformat())
        if found is not None:
            return found
    return produce(settings, store, inputs, day, topic)


def archive_dir(settings: Settings, out: Path | None = None) -> Path:
    return out or settings.archive_dir or settings.state_path() / "site"
