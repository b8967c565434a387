"""`briefing schedule`: the daily digest in the foreground, and `schedule status`."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated

import typer

from . import app, err, handled

Opt = typer.Option
schedule_app = typer.Typer(help="Run the daily briefing on a schedule (foreground), or show its status.")
app.add_typer(schedule_app, name="schedule")


@schedule_app.callback(invoke_without_command=True)
def schedule(
    ctx: typer.Context,
    at: Annotated[str | None, Opt("--at", help="Local time of the daily run, HH:MM (default 07:00).")] = None,
    tz: Annotated[str | None, Opt("--tz", help="Time zone of --at (default Europe/London).")] = None,
    topic: Annotated[str | None, Opt("--topic", help="Briefing title (default from settings).")] = None,
    allow_dst_window: Annotated[bool, Opt("--allow-dst-window", help="Allow a time between 01:00 and 03:00.")] = False,
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file (sources, SMTP, recipients).")] = None,
) -> None:
    """Every day at --at: ingest the configured sources, brief, update the archive, email.
    Catches up at start if today's run was missed. One scheduler per state folder."""
    if ctx.invoked_subcommand is not None:
        return
    with handled():
        from ..config import config_file, load_settings, zone
        from ..deliver.schedule import JobArgs, SchedulerLock, catch_up, make_scheduler, parse_at

        settings = load_settings(config, state_dir=state, tz=tz, topic=topic)
        when = parse_at(at or settings.schedule_at, allow_dst_window)
        zone(settings.tz)
        cfg = config_file(config)
        args = JobArgs(state=str(settings.state_path()), config=str(cfg.absolute()) if cfg else None,
                       tz=settings.tz, topic=settings.topic)
        with SchedulerLock(settings.state_path()):
            outcome = catch_up(args, when)
            if outcome:
                err(f"briefing: caught up today's missed run: {outcome}")
            sched = make_scheduler(args, when)
            err(f"briefing: scheduled daily at {when:%H:%M} {settings.tz}; Ctrl-C stops")
            with contextlib.suppress(KeyboardInterrupt, SystemExit):
                sched.start()


@schedule_app.command("status")
def status(
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file.")] = None,
) -> None:
    """Next run, last run and its outcome."""
    with handled():
        from ..config import load_settings
        from ..deliver.schedule import RUN_KIND, JobArgs, next_run
        from ..store import Store

        settings = load_settings(config, state_dir=state)
        nxt = next_run(JobArgs(state=str(settings.state_path()), config=None, tz=settings.tz))
        print(f"next run:\t{nxt.isoformat() if nxt else 'not scheduled (start `briefing schedule`)'}")
        with Store(settings.state_path()) as store:
            last = store.last_run(RUN_KIND)
        if last:
            print(f"last run:\t{last['started_at']} -> {last['finished_at'] or 'running'}")
            print(f"outcome:\t{last['outcome'] or 'running'}: {last['message'] or ''}")
        else:
            print("last run:\tnever")
