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
import logging
import os
import time as time_
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import IO, Any
from zoneinfo import ZoneInfo

from apscheduler.triggers.base import BaseTrigger

from ..errors import BriefingError, DeliveryError, UsageError
from ..render import plural

log = logging.getLogger(__name__)

RUN_KIND = "daily"
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
                pid = handle.read().strip()
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
    from ..config import zone
    from ..topics import configured, resolve

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


def _step(notes: list[str], what: str, fn: Any) -> bool:
    """One step of the daily job; a failure is noted and does not stop the other steps."""
    try:
        notes.append(fn())
        return True
    except BriefingError as exc:
        notes.append(f"{what} failed: {exc}")
    except Exception as exc:  # the scheduler must survive anything a step throws
        log.exception("scheduled %s failed", what)
        notes.append(f"{what} failed: {type(exc).__name__}: {exc}")
    return False


def daily_job(state: str, config: str | None, topic: str, tz: str) -> str:
    """One topic's scheduled run: its edition of today, the archive, the email. Never raises:
    the outcome is recorded and returned. A failed archive never blocks the email, nor the
    other way round."""
    from .. import app
    from ..config import load_settings
    from ..deliver.archive import build
    from ..deliver.email import send_briefing
    from ..store import Store, utc_stamp
    from ..topics import resolve

    zone = ZoneInfo(tz)
    kind = f"{RUN_KIND}:{topic}"
    day = datetime.now(zone).date()
    try:
        settings = load_settings(Path(config) if config else None, state_dir=Path(state))
        chosen = resolve(settings, topic)
    except BriefingError as exc:
        log.error("scheduled run of %s: %s", topic, exc)
        return "error"
    if chosen.settings.tz != tz:  # --tz given to `schedule`
        chosen = replace(chosen, settings=chosen.settings.model_copy(update={"tz": tz}))
    with Store(Path(state)) as store:
        if done_today(store, kind, day, zone):
            log.info("%s: today's edition (%s) was already delivered; nothing to do", topic, day)
            return "skipped"
        run_id = store.run_started(kind, utc_stamp(datetime.now(UTC)))
        started = time_.monotonic()
        log.info("%s: run for %s started", topic, day)
        notes: list[str] = []
        made: list[Any] = []

        def brief() -> str:
            made.append(app.produce(app.request(settings, topic=chosen, day=day), store))
            b = made[0].briefing
            counts = [
                plural(b.stats.entries_in_window, "entry"),
                plural(len(b.sections), "section"),
                plural(len(b.all_bullets()), "bullet"),
            ]
            return f"{', '.join(counts)} (briefing {made[0].state_id})"

        ok = _step(notes, "briefing", brief)
        archived = _step(
            notes, "archive", lambda: f"archive {build(store, app.archive_dir(settings)).path}"
        )
        mailed = True
        if ok and settings.smtp_host and chosen.mail_to:
            b, bid = made[0].briefing, made[0].state_id

            def mail() -> str:
                sent = send_briefing(b, bid, chosen.mail_to, settings.smtp(), store)
                failed = [o for o in sent if o.status == "failed"]
                if failed:
                    raise BriefingError(
                        f"mail {len(sent) - len(failed)}/{len(sent)}: "
                        + "; ".join(f"{o.recipient}: {o.error}" for o in failed)
                    )
                return f"mail {len(sent)}/{len(sent)}"

            mailed = _step(notes, "mail", mail)
        outcome = "ok" if ok and archived and mailed else ("partial" if ok else "error")
        if ok and (made[0].briefing.summariser.degraded or made[0].briefing.has_errors):
            outcome = "partial" if outcome == "ok" else outcome
        store.run_finished(run_id, utc_stamp(datetime.now(UTC)), outcome, "; ".join(notes))
    took = time_.monotonic() - started
    (log.info if outcome == "ok" else log.warning)(
        "%s: run for %s %s in %.1f s: %s", topic, day, outcome, took, "; ".join(notes)
    )
    return outcome


# ---------------------------------------------------------------- the scheduler


def scheduled_time_passed(at: time, tz: ZoneInfo, now: datetime | None = None) -> bool:
    now = (now or datetime.now(UTC)).astimezone(tz)
    return now.time() >= at


def make_scheduler(jobs: list[JobArgs], *, blocking: bool = True) -> Any:
    """One scheduler, one job per topic (each at its own time and zone). Jobs live in memory:
    they are rebuilt from the settings at every start, and the runs table remembers runs."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.schedulers.blocking import BlockingScheduler

    cls = BlockingScheduler if blocking else BackgroundScheduler
    sched = cls(
        timezone=UTC,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE},
    )
    for job in jobs:
        sched.add_job(
            daily_job, trigger(parse_at(job.at, True), ZoneInfo(job.tz)), id=job.kind,
            name=f"daily briefing: {job.topic}", replace_existing=True,
            kwargs={"state": job.state, "config": job.config, "topic": job.topic, "tz": job.tz},
        )  # fmt: skip
    return sched


def catch_up(job: JobArgs) -> str | None:
    """At start-up: if today's time has passed and today's run has not happened, run it now."""
    from ..store import Store

    zone, at = ZoneInfo(job.tz), parse_at(job.at, True)
    if not scheduled_time_passed(at, zone):
        return None
    with Store(Path(job.state)) as store:
        if done_today(store, job.kind, datetime.now(zone).date(), zone):
            return None
    log.info("%s: today's %s run was missed; running it now", job.topic, job.at)
    return daily_job(job.state, job.config, job.topic, job.tz)
