"""`briefing schedule`: the daily digest in the foreground, and `schedule status`."""

from __future__ import annotations

import contextlib
import logging
import os
import signal
from pathlib import Path
from typing import Annotated

import typer

from . import app, handled
from .options import Opt

WHEN = "%Y-%m-%d %H:%M %Z"


def local(stamp: str, tz: str) -> str:
    """A state timestamp (UTC, ...Z) in the topic's zone, as `topics` and the logs show it."""
    from datetime import datetime
    from zoneinfo import ZoneInfo

    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).astimezone(ZoneInfo(tz)).strftime(WHEN)


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
        from ..deliver.schedule import SchedulerLock, catch_up, make_scheduler, plan

        settings = load_settings(config, state_dir=state)
        jobs = plan(settings, config_file(config), topic, at, tz, allow_dst_window)
        sched_log = logging.getLogger("briefing.deliver.schedule")
        if logging.getLogger("briefing").level <= logging.WARNING:  # a daemon logs its runs
            sched_log.setLevel(min(logging.INFO, logging.getLogger("briefing").level))
        with SchedulerLock(settings.state_path()):
            for job in jobs:
                outcome = catch_up(job)
                if outcome:
                    sched_log.info("%s: caught up today's missed run: %s", job.topic, outcome)
            sched = make_scheduler(jobs)
            for job in jobs:
                sched_log.info("%s: daily at %s %s; next run %s", job.topic, job.at, job.tz,
                               job.next_fire().strftime("%Y-%m-%d %H:%M %Z"))  # fmt: skip
            stopping: list[str] = []

            def stop(signum: int, _frame: object) -> None:
                name = signal.Signals(signum).name
                if stopping:  # a second signal: abandon the run in progress
                    sched_log.error("%s again: abandoning the current run", name)
                    os._exit(128 + signum)
                stopping.append(name)
                sched_log.warning("%s: finishing the current run, then stopping", name)
                raise SystemExit

            signal.signal(signal.SIGTERM, stop)
            signal.signal(signal.SIGINT, stop)
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
        from ..config import config_file, load_settings
        from ..deliver.schedule import SchedulerLock, plan
        from ..store import Store
        from ..topics import configured

        settings = load_settings(config, state_dir=state)
        pid = SchedulerLock.holder(settings.state_path())
        if topic is None and not configured(settings) and not settings.sources:
            print(f"scheduler:\t{f'running (pid {pid})' if pid else 'not running'}")
            print("topics:\tnone configured: add a [topics.<id>] table to briefing.toml")
            return
        jobs = plan(settings, config_file(config), topic, allow_dst_window=True)
        print(f"scheduler:\t{f'running (pid {pid})' if pid else 'not running'}")
        with Store(settings.state_path()) as store:
            for job in jobs:
                last = store.last_run(job.kind)
                print(f"topic:\t{job.topic}")
                print(f"next run:\t{job.next_fire().strftime(WHEN)} ({job.tz})")
                if last:
                    ended = local(last["finished_at"], job.tz) if last["finished_at"] else "running"
                    print(f"last run:\t{local(last['started_at'], job.tz)} -> {ended}")
                    print(f"outcome:\t{last['outcome'] or 'running'}: {last['message'] or ''}")
                else:
                    print("last run:\tnever")
