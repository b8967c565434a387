"""Parsing the flags several commands share: days and durations."""

from __future__ import annotations

import re
from datetime import date, timedelta

from ..errors import UsageError

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str) -> timedelta:
    m = _DURATION.match(text)
    if not m:
        raise UsageError(f"--since {text!r}: use a number and a unit, e.g. 90m, 24h, 2d, 1w")
    return timedelta(**{_UNITS[m.group(2).lower()]: int(m.group(1))})


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
        return date.fromisoformat(value.strip())
    except ValueError as exc:
        raise UsageError(f"{flag} {value}: that day does not exist ({exc})") from None
