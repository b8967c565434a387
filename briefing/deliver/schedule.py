"""(I/O) The daily scheduled digest: APScheduler 3 in the foreground.

One `BlockingScheduler` in one process for every topic: one job per topic (in memory, rebuilt
from the settings at every start), our own `DailyTrigger` in the topic's zone (not
APScheduler's `CronTrigger`), coalescing, one instance at a time and a misfire grace of hours.
Each run: the topic's sources -> its edition -> archive -> email; one topic failing never
stops another.

Exactly once a day: the job itself checks the runs table and does nothing when the topic's run
of today already succeeded, so a catch-up at start-up, a coalesced misfire and the regular trigger
can never send twice. Times between 01:00 and 03:00 are refused in zones with daylight saving:
on change days they happen twice or not at all.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from ..errors import DeliveryError, UsageError

log = logging.getLogger(__name__)

RUN_KIND = "daily"
# the daily job: (state folder, settings file, topic id, zone) -> its outcome; never raises
DailyRun = Callable[[str, str | None, str, str, str], str]  # state, config, topic, tz, at
MISFIRE_GRACE = 6 * 3600  # seconds: a machine that slept through 07:00 still runs at 09:00
DST_WINDOW = (1, 3)  # local hours [1, 3) are ambiguous or missing on change days


def parse_at(text: str, allow_dst_window: bool = False, tz: ZoneInfo | None = None) -> time:
    """HH:MM. Times from 01:00 to 03:00 are refused (unless allowed) in zones that change
    their clocks at that hour (without a zone: assumed to)."""
    try:
        h, m = (int(x) for x in text.split(":"))
        at = time(h, m)
    except ValueError:
        raise UsageError(f"--at {text!r}: use HH:MM (24-hour), e.g. 07:00") from None
    if DST_WINDOW[0] <= at.hour < DST_WINDOW[1] and (tz is None or _changes_clocks(tz)):
        if not allow_dst_window:
            raise UsageError(
                f"--at {text}: times from 01:00 to 03:00 repeat or do not exist on "
                "daylight-saving change days; choose another time (or --allow-dst-window)"
            )
        log.warning("%s is inside the DST change window; on change days it may shift", text)
    return at


def _changes_clocks(tz: ZoneInfo, year: int | None = None) -> bool:
    """True when the zone's UTC offset changes during the year (daylight saving)."""
    year = year or datetime.now(UTC).year
    offsets = {datetime(year, m, 15, 12, tzinfo=tz).utcoffset() for m in range(1, 13)}
    return len(offsets) > 1


def _wall(day: date, at: time, tz: ZoneInfo) -> datetime:
    """`at` on `day` in tz: the first of a repeated time; a missing time moves past the gap."""
    local = datetime.combine(day, at, tz)
    return local.astimezone(UTC).astimezone(tz)  # normalises a time inside a spring-forward gap


class DailyTrigger(BaseTrigger):
    """A daily trigger at wall-clock `at` in tz: once per local date, never twice or skipped.

    APScheduler's CronTrigger (3.11.3) skips the day after a spring-forward change for some
    times (America/New_York, 00:30: 8 March 2026 -> 10 March), so the time is computed here.
    """

    def __init__(self, at: time, tz: ZoneInfo) -> None:
        self.at, self.tz = at, tz

    def get_next_fire_time(self, previous_fire_time: datetime | None, now: datetime) -> datetime:
        start = now.astimezone(self.tz)
        if previous_fire_time is not None:  # never a second time on the same local date
            next_day = previous_fire_time.astimezone(self.tz).date() + timedelta(days=1)
            start = max(start, datetime.combine(next_day, time(0), self.tz))
        day = start.date()
        while (fire := _wall(day, self.at, self.tz)) < start:
            day += timedelta(days=1)
        return fire

    def __getstate__(self) -> dict[str, Any]:
        return {"version": 1, "at": self.at.isoformat(), "tz": self.tz.key}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.at, self.tz = time.fromisoformat(state["at"]), ZoneInfo(state["tz"])

    def __str__(self) -> str:
        return f"daily[{self.at:%H:%M} {self.tz.key}]"


def trigger(at: time, tz: ZoneInfo) -> DailyTrigger:
    return DailyTrigger(at, tz)


# ---------------------------------------------------------------- one process per state


class SchedulerLock:
    """An exclusive lock file in the state folder; a second scheduler refuses to start."""

    def __init__(self, state: Path) -> None:
        self.path = state / "scheduler.lock"
        self.handle: IO[str] | None = None

    def acquire(self) -> SchedulerLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        handle = self.path.open("a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.readline().strip() or "unknown"
            handle.close()
            raise DeliveryError(
                f"another scheduler is already running for {self.path.parent} (pid {holder})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        self.handle = handle
        return self

    def announce(self, jobs: Sequence[JobArgs]) -> None:
        """Write the times this scheduler runs each topic at (its `--at`/`--tz` included)
        beside its pid, for `schedule status`."""
        if self.handle is None:
            return
        self.handle.seek(0)
        self.handle.truncate()
        plan = {j.topic: [j.at, j.tz] for j in jobs}
        self.handle.write(f"{os.getpid()}\n{json.dumps(plan)}\n")
        self.handle.flush()

    @staticmethod
    def running_plan(state: Path) -> dict[str, tuple[str, str]]:
        """Topic -> (at, tz) of the scheduler running on this state folder ({} if none)."""
        if SchedulerLock.holder(state) is None:
            return {}
        try:
            lines = (state / "scheduler.lock").read_text().splitlines()
            raw = json.loads(lines[1]) if len(lines) > 1 else {}
        except (OSError, ValueError):
            return {}
        if not isinstance(raw, dict):
            return {}
        return {str(k): (str(v[0]), str(v[1])) for k, v in raw.items()
                if isinstance(v, list) and len(v) == 2}  # fmt: skip

    @staticmethod
    def holder(state: Path) -> int | None:
        """The pid of the scheduler that holds this state folder's lock now, if any."""
        path = state / "scheduler.lock"
        if not path.exists():
            return None
        with path.open("r") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = handle.readline().strip()
                return int(pid) if pid.isdigit() else -1
            fcntl.flock(handle, fcntl.LOCK_UN)
        return None

    def release(self) -> None:
        if self.handle is not None:
            fcntl.flock(self.handle, fcntl.LOCK_UN)
            self.handle.close()
            self.handle = None

    def __enter__(self) -> SchedulerLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


# ---------------------------------------------------------------- the job


@dataclass(frozen=True, slots=True)
class JobArgs:
    """One topic's daily run: the state folder, the settings file, the topic, its time."""

    state: str
    config: str | None
    topic: str  # the topic's id
    at: str = "07:00"  # HH:MM local time
    tz: str = "Europe/London"

    @property
    def kind(self) -> str:
        """The runs-table kind of this topic's daily runs."""
        return f"{RUN_KIND}:{self.topic}"

    def next_fire(self, now: datetime | None = None) -> datetime:
        return trigger(parse_at(self.at, True), ZoneInfo(self.tz)).get_next_fire_time(
            None, now or datetime.now(UTC)
        )


def plan(settings: Any, config: Path | None, topic: str | None = None, at: str | None = None,
         tz: str | None = None, allow_dst_window: bool = False) -> list[JobArgs]:  # fmt: skip
    """The daily jobs: every configured topic (or the one named), each at its own time and
    zone; `at` and `tz` override them for one topic."""
    from ..config import configured, resolve, zone

    chosen = (
        [resolve(settings, topic)] if topic or not configured(settings) else configured(settings)
    )
    if (at or tz) and len(chosen) > 1:
        raise UsageError("--at and --tz set one topic's time: add --topic")
    jobs = []
    for t in chosen:
        when, zone_name = at or t.at, tz or t.settings.tz
        parse_at(when, allow_dst_window, ZoneInfo(zone(zone_name).key))
        cfg = str(config.absolute()) if config else None
        jobs.append(JobArgs(str(settings.state_path()), cfg, t.id, when, zone_name))
    return jobs


def done_today(store: Any, kind: str, day: date, tz: ZoneInfo) -> bool:
    last = store.last_successful_run(kind)
    if not last:
        return False
    started = datetime.fromisoformat(last.replace("Z", "+00:00")).astimezone(tz).date()
    return started == day


# ---------------------------------------------------------------- the scheduler


def scheduled_time_passed(at: time, tz: ZoneInfo, now: datetime | None = None) -> bool:
    """Whether today's slot has come: compared as instants, so 01:30 on the day it does not
    exist (it runs at 02:30 BST) has not passed at 02:10 BST."""
    now = (now or datetime.now(UTC)).astimezone(tz)
    return now >= _wall(now.date(), at, tz)


def make_scheduler(jobs: list[JobArgs], run: DailyRun, *, blocking: bool = True) -> Any:
    """One scheduler, one job per topic (each at its own time and zone), each calling `run`
    (the daily job: `cli/schedule.py`). Jobs live in memory: they are rebuilt from the settings
    at every start, and the runs table remembers runs."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
    )
    for job in jobs:
        sched.add_job(
            run, trigger(parse_at(job.at, True), ZoneInfo(job.tz)), id=job.kind,
            name=f"daily briefing: {job.topic}", replace_existing=True,
            kwargs={"state": job.state, "config": job.config, "topic": job.topic, "tz": job.tz,
                    "at": job.at},
        )  # fmt: skip
    return sched


def catch_up(job: JobArgs, run: DailyRun) -> str | None:
    """At start-up: if today's time has passed and today's run has not happened, `run` it now."""
    from ..state import Store

    zone, at = ZoneInfo(job.tz), parse_at(job.at, True)
    if not scheduled_time_passed(at, zone):
        return None
    with Store(Path(job.state)) as store:
        if done_today(store, job.kind, datetime.now(zone).date(), zone):
            return None
    log.info("%s: today's %s run was missed; running it now", job.topic, job.at)
    return run(job.state, job.config, job.topic, job.tz, job.at)
