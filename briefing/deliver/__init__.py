"""Delivery (I/O): email over SMTP (`email.py`), the static archive (`archive.py`), and the
daily scheduler (`schedule.py`: its trigger, lock and jobs; the job itself, which briefs,
archives and mails, is `cli/schedule.py`'s)."""

from __future__ import annotations

from .archive import build as build_archive
from .archive import serve as serve_archive
from .email import Outcome, Stopped, build_message, recipients_of, send_briefing
from .schedule import (
    RUN_KIND,
    DailyRun,
    JobArgs,
    SchedulerLock,
    catch_up,
    done_today,
    make_scheduler,
    plan,
)
from .tally import tally

__all__ = [
    "RUN_KIND",
    "DailyRun",
    "JobArgs",
    "Outcome",
    "SchedulerLock",
    "Stopped",
    "build_archive",
    "build_message",
    "catch_up",
    "done_today",
    "make_scheduler",
    "plan",
    "recipients_of",
    "send_briefing",
    "serve_archive",
    "tally",
]
