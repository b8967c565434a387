"""`briefing schedule`: the daily digest in the foreground, and `schedule status`; and the
daily job itself (`daily_job`: a topic's edition, the archive, the email), which the
scheduler of `deliver/schedule.py` runs at each topic's time."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

import typer

from ..errors import BriefingError
from .main import app, handled
from .options import Opt

WHEN = "%Y-%m-%d %H:%M %Z"
log = logging.getLogger("briefing.deliver.schedule")  # the scheduler's log (journalctl)


def local(stamp: str, tz: str) -> str:
    """A state timestamp (UTC, ...Z) in the topic's zone, as `topics` and the logs show it."""
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(ZoneInfo(tz)).strftime(WHEN)


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


def daily_job(state: str, config: str | None, topic: str, tz: str, at: str | None = None) -> str:
    """One topic's scheduled run: its edition due now (of its latest `at`: the scheduler's
    --at when given), the archive, the email. Never raises:
    the outcome is recorded and returned. A failed archive never blocks the email, nor the
    other way round."""
    from .. import app as runs
    from ..config import load_settings, resolve
    from ..deliver import RUN_KIND, build_archive, done_today, send_briefing, tally
    from ..render import plural
    from ..state import Store, utc_stamp

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
    if at is not None:  # --at given to `schedule`
        chosen = replace(chosen, at=at)
    with Store(Path(state)) as store:
        if done_today(store, kind, day, zone):
            log.info("%s: today's edition (%s) was already delivered; nothing to do", topic, day)
            return "skipped"
        run_id = store.run_started(kind, utc_stamp(datetime.now(UTC)))
        started = time.monotonic()
        log.info("%s: run for %s started", topic, day)
        notes: list[str] = []
        made: list[Any] = []

        def brief() -> str:
            # the slot's edition when one exists (a catch-up never replaces it), else a new one
            req = runs.request(settings, topic=chosen, due="slot")
            assert req.window.day is not None
            had = store.latest_revision(chosen.id, req.window.day.isoformat())
            made.append(runs.edition(store, req))
            b, bid = made[0].briefing, made[0].state_id
            rev = store.revision_of(bid) if bid is not None else None
            if had is not None:
                return f"edition of {b.date} already made (briefing {bid}, revision {rev}); kept"
            counts = [
                plural(b.stats.entries_in_window, "entry"),
                plural(len(b.sections), "section"),
                plural(len(b.all_bullets()), "bullet"),
            ]
            return f"{', '.join(counts)} (briefing {bid}, edition of {b.date}, revision {rev})"

        ok = _step(notes, "briefing", brief)
        site = runs.archive_dir(settings)
        archived = _step(notes, "archive", lambda: f"archive {build_archive(store, site).path}")
        mailed = True
        if ok and settings.smtp_host and chosen.mail_to:
            b, bid = made[0].briefing, made[0].state_id

            def mail() -> str:
                sent = send_briefing(b, bid, chosen.mail_to, settings.smtp(), store)
                failed = [o for o in sent if o.status == "failed"]
                said = f"mail of briefing {bid}: {tally(sent)}"
                if failed:
                    raise BriefingError(
                        said + ": " + "; ".join(f"{o.recipient}: {o.error}" for o in failed)
                    )
                return said

            mailed = _step(notes, "mail", mail)
        outcome = "ok" if ok and archived and mailed else ("partial" if ok else "error")
        if ok and (made[0].briefing.summariser.degraded or made[0].briefing.has_errors):
            outcome = "partial" if outcome == "ok" else outcome
        store.run_finished(run_id, utc_stamp(datetime.now(UTC)), outcome, "; ".join(notes))
    took = time.monotonic() - started
    (log.info if outcome == "ok" else log.warning)(
        "%s: run for %s %s in %.1f s: %s", topic, day, outcome, took, "; ".join(notes)
    )
    return outcome


schedule_app = typer.Typer(help="Run every topic daily, or show the schedule.")
app.add_typer(schedule_app, name="schedule")


@schedule_app.callback(invoke_without_command=True)
def schedule(
    ctx: typer.Context,
    at: Annotated[str | None, Opt("--at", help="Local time of the daily run, HH:MM (default: the topic's `at`, else 07:00).")] = None,
    tz: Annotated[str | None, Opt("--tz", help="Time zone of --at (default: the topic's, else Europe/London).")] = None,
    topic: Annotated[str | None, Opt("--topic", help="Schedule only this topic (default: every configured topic).")] = None,
    allow_dst_window: Annotated[bool, Opt("--allow-dst-window", help="Allow a time between 01:00 and 03:00.")] = False,
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file (topics, SMTP, recipients).")] = None,
) -> None:
    """Run every topic daily, each at its own time and zone (in the foreground).

    Each run: the topic's sources -> its edition -> the archive -> email. Catches up at start
    if a run of today was missed. One scheduler per state folder, for every topic."""
    if ctx.invoked_subcommand is not None:
        return
    with handled():
        from ..config import config_file, load_settings
        from ..deliver import SchedulerLock, catch_up, make_scheduler, plan

        settings = load_settings(config, state_dir=state)
        jobs = plan(settings, config_file(config), topic, at, tz, allow_dst_window)
        sched_log = log
        if logging.getLogger("briefing").level <= logging.WARNING:  # a daemon logs its runs
            sched_log.setLevel(min(logging.INFO, logging.getLogger("briefing").level))
        with SchedulerLock(settings.state_path()) as lock:
            lock.announce(jobs)  # `schedule status` shows the times this process runs at
            stopping: list[str] = []

            def stop(signum: int, _frame: object) -> None:
                name = signal.Signals(signum).name
                if stopping:  # a second signal: abandon the run in progress
                    sched_log.error("%s again: abandoning the current run", name)
                    os._exit(128 + signum)
                stopping.append(name)
                sched_log.warning("%s: finishing the current run, then stopping", name)
                raise SystemExit

            signal.signal(signal.SIGTERM, stop)  # also during catch-up: its send gives back
            signal.signal(signal.SIGINT, stop)  # the claim it holds, and the lock is released
            with contextlib.suppress(SystemExit):
                for job in jobs:
                    outcome = catch_up(job, daily_job)
                    if outcome:
                        sched_log.info("%s: caught up today's missed run: %s", job.topic, outcome)
            if stopping:
                sched_log.info("scheduler stopped on %s during catch-up; lock released", stopping[0])
                return
            sched = make_scheduler(jobs, daily_job)
            for job in jobs:
                sched_log.info("%s: daily at %s %s; next run %s", job.topic, job.at, job.tz,
                               job.next_fire().strftime("%Y-%m-%d %H:%M %Z"))  # fmt: skip
            sched_log.info("scheduler running (pid %d); Ctrl-C or SIGTERM stops it", os.getpid())
            with contextlib.suppress(SystemExit):
                sched.start()
            if sched.running:
                sched.shutdown(wait=True)  # runs in progress finish; no new ones start
            sched_log.info("scheduler stopped%s; lock released",
                           f" on {stopping[0]}" if stopping else "")  # fmt: skip


@schedule_app.command("status")
def status(
    topic: Annotated[str | None, Opt("--topic", help="Only this topic.")] = None,
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file.")] = None,
) -> None:
    """Show each topic's next run and its last run's outcome."""
    with handled():
        from ..config import config_file, configured, load_settings
        from ..deliver import SchedulerLock, plan
        from ..state import Store

        settings = load_settings(config, state_dir=state)
        pid = SchedulerLock.holder(settings.state_path())
        if topic is None and not configured(settings) and not settings.sources:
            print(f"scheduler:\t{f'running (pid {pid})' if pid else 'not running'}")
            print("topics:\tnone configured: add a [topics.<id>] table to briefing.toml")
            return
        jobs = plan(settings, config_file(config), topic, allow_dst_window=True)
        print(f"scheduler:\t{f'running (pid {pid})' if pid else 'not running'}")
        running = SchedulerLock.running_plan(settings.state_path()) if pid else {}
        with Store(settings.state_path()) as store:
            for job in jobs:
                last = store.last_run(job.kind)
                print(f"topic:\t{job.topic}")
                at, tz = running.get(job.topic, (job.at, job.tz))
                how = ""
                if (at, tz) != (job.at, job.tz):
                    how = f" (the running scheduler's --at/--tz; the settings say {job.at} {job.tz})"
                    job = replace(job, at=at, tz=tz)
                elif job.topic in running:
                    how = " (the running scheduler)"
                print(f"runs at:\t{at} {tz}{how}")
                print(f"next run:\t{job.next_fire().strftime(WHEN)} ({job.tz})")
                if last:
                    ended = local(last["finished_at"], job.tz) if last["finished_at"] else "running"
                    print(f"last run:\t{local(last['started_at'], job.tz)} -> {ended}")
                    print(f"outcome:\t{last['outcome'] or 'running'}: {last['message'] or ''}")
                else:
                    print("last run:\tnever")
