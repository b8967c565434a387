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


def parse_day(value: str | None, flag: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} {value!r}: use YYYY-MM-DD") from None
