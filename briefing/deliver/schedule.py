"""(I/O) The daily scheduled digest: APScheduler 3 in the foreground.

One `BlockingScheduler` with a SQLite job store, one job under a fixed id (replaced on every
start), our own `DailyTrigger` in a zoneinfo zone (not APScheduler's `CronTrigger`),
coalescing, one instance at a time and a misfire grace of hours. Each run: ingest the
configured sources -> briefing -> archive -> email.

Exactly once a day: the job itself checks the state database and does nothing when today's
run already succeeded, so a catch-up at start-up, a coalesced misfire and the regular trigger
can never send twice. Times between 01:00 and 03:00 are refused: on daylight-saving change
days they happen twice or not at all in most zones.
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from ..errors import BriefingError, DeliveryError, UsageError

log = logging.getLogger(__name__)

JOB_ID = "daily-briefing"
RUN_KIND = "daily"
MISFIRE_GRACE = 6 * 3600  # seconds: a machine that slept through 07:00 still runs at 09:00
DST_WINDOW = (1, 3)  # local hours [1, 3) are ambiguous or missing on change days


def parse_at(text: str, allow_dst_window: bool = False) -> time:
    try:
        h, m = (int(x) for x in text.split(":"))
        at = time(h, m)
    except ValueError:
        raise UsageError(f"--at {text!r}: use HH:MM (24-hour), e.g. 07:00") from None
    if DST_WINDOW[0] <= at.hour < DST_WINDOW[1]:
        if not allow_dst_window:
            raise UsageError(
                f"--at {text}: times from 01:00 to 03:00 repeat or do not exist on "
                "daylight-saving change days; choose another time (or --allow-dst-window)"
            )
        log.warning("%s is inside the DST change window; on change days it may shift", text)
    return at


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
            holder = handle.read().strip() or "unknown"
            handle.close()
            raise DeliveryError(
                f"another scheduler is already running for {self.path.parent} (pid {holder})"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self.handle = handle
        return self

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
    state: str
    config: str | None
    tz: str
    topic: str | None = None


def done_today(store: Any, day: date, tz: ZoneInfo) -> bool:
    last = store.last_successful_run(RUN_KIND)
    if not last:
        return False
    started = datetime.fromisoformat(last.replace("Z", "+00:00")).astimezone(tz).date()
    return started == day


def daily_job(state: str, config: str | None, tz: str, topic: str | None = None) -> str:
    """The scheduled run. Never raises: the outcome is recorded and returned."""
    from .. import app
    from ..config import load_settings
    from ..deliver.archive import build
    from ..deliver.email import send_briefing
    from ..store import Store, utc_stamp

    zone = ZoneInfo(tz)
    settings = load_settings(Path(config) if config else None, state_dir=Path(state), tz=tz,
                             topic=topic)  # fmt: skip
    day = datetime.now(zone).date()
    with Store(Path(state)) as store:
        if done_today(store, day, zone):
            log.info("today's briefing (%s) was already delivered; nothing to do", day)
            return "skipped"
        run_id = store.run_started(RUN_KIND, utc_stamp(datetime.now(UTC)))
        outcome, notes = "ok", []
        try:
            made = app.produce(app.request(settings, day=day), settings, store)
            b, briefing_id = made.briefing, made.state_id
            assert briefing_id is not None
            notes.append(f"{len(b.sections)} sections")
            site = build(store, app.archive_dir(settings))
            notes.append(f"archive {site.path}")
            if settings.smtp_host and settings.mail_to:
                sent = send_briefing(b, briefing_id, settings.mail_to, settings.smtp(), store)
                failed = [o for o in sent if o.status == "failed"]
                notes.append(f"mail {len(sent) - len(failed)}/{len(sent)}")
                if failed:
                    outcome = "partial"
            if b.summariser.degraded or b.has_errors:
                outcome = "partial"
        except BriefingError as exc:
            outcome, notes = "error", [str(exc)]
        except Exception as exc:  # the scheduler must survive anything a run throws
            log.exception("scheduled run failed")
            outcome, notes = "error", [f"{type(exc).__name__}: {exc}"]
        store.run_finished(run_id, utc_stamp(datetime.now(UTC)), outcome, "; ".join(notes))
        log.info("scheduled run %s: %s", outcome, "; ".join(notes))
        return outcome


# ---------------------------------------------------------------- the scheduler


def scheduled_time_passed(at: time, tz: ZoneInfo, now: datetime | None = None) -> bool:
    now = (now or datetime.now(UTC)).astimezone(tz)
    return now.time() >= at


def make_scheduler(args: JobArgs, at: time, *, blocking: bool = True) -> Any:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    zone = ZoneInfo(args.tz)
    Path(args.state).mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{Path(args.state).absolute() / 'jobs.sqlite3'}"
    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(
        jobstores={"default": SQLAlchemyJobStore(url=url)},
        timezone=zone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
    )
    sched.add_job(
        daily_job, trigger(at, zone), id=JOB_ID, name="daily briefing", replace_existing=True,
        kwargs={"state": args.state, "config": args.config, "tz": args.tz, "topic": args.topic},
    )  # fmt: skip
    return sched


def catch_up(args: JobArgs, at: time) -> str | None:
    """At start-up: if today's time has passed and today's run has not happened, run it now."""
    from ..store import Store

    zone = ZoneInfo(args.tz)
    if not scheduled_time_passed(at, zone):
        return None
    with Store(Path(args.state)) as store:
        if done_today(store, datetime.now(zone).date(), zone):
            return None
    log.info("today's %s run was missed; running it now", at.strftime("%H:%M"))
    return daily_job(args.state, args.config, args.tz, args.topic)


def next_run(args: JobArgs) -> datetime | None:
    from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore

    path = Path(args.state) / "jobs.sqlite3"
    if not path.exists():
        return None
    store = SQLAlchemyJobStore(url=f"sqlite:///{path.absolute()}")
    try:
        job = store.lookup_job(JOB_ID)
        return job.next_run_time if job else None
    finally:
        store.shutdown()
