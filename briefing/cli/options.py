"""What the commands share: option declarations with plain metavars, and parsing of days and
durations."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

import typer

from ..errors import UsageError

METAVARS = {
    "--date": "DAY", "--assume-date": "DAY", "--since": "DURATION", "--tz": "ZONE",
    "--out": "PATH", "--state": "DIR", "--templates": "DIR", "--config": "FILE",
    "--boilerplate": "FILE", "--base-url": "URL", "--to": "ADDRESS", "--prompt-version": "NAME@N",
    "--at": "HH:MM", "--json": "FILE", "--baseline": "FILE", "--concurrency": "N",
    "--max-retries": "N", "--timeout": "SECONDS", "--limit": "N", "--port": "PORT",
}  # fmt: skip


def Arg(metavar: str, **kw: Any) -> Any:
    """`typer.Argument` shown by its metavar alone (its help lives in the command's text)."""
    return typer.Argument(metavar=metavar, show_default=False, hidden=True, **kw)


def Opt(*decls: str, metavar: str | None = None, **kw: Any) -> Any:
    """`typer.Option` with a plain metavar (`--date DAY`, not `--date <str>`); flags have none."""
    long = next((d for d in decls if d.startswith("--")), "")
    name = metavar or METAVARS.get(long) or long.lstrip("-").upper().replace("-", "_")
    return typer.Option(*decls, metavar=name, **kw)

def parse_since(text: str) -> timedelta:
    from ..config import span  # the settings' reader; imported late, as the CLI's help loads none

    try:
        return span(text)
    except ValueError as exc:
        raise UsageError(f"--since {text!r}: {exc}") from None


RELATIVE_DAYS = ("today", "yesterday")


def parse_day(value: str | None, flag: str) -> date | str | None:
    """YYYY-MM-DD, or "today"/"yesterday" (resolved in the topic's zone by `app.request`)."""
    if value is None:
        return None
    if value.strip().lower() in RELATIVE_DAYS:
        return value.strip().lower()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise UsageError(f"{flag} {value!r}: use YYYY-MM-DD, today or yesterday")
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise UsageError(f"{flag} {value}: that day does not exist ({exc})") from None
    if not date(1, 1, 3) <= day <= date(9999, 12, 29):  # a day either side must exist too
        raise UsageError(f"{flag} {value}: out of range (years 1 to 9999)")
    return day
