"""Dates in inputs: ISO 8601 text -> aware datetimes a briefing can work with. Pure."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import InputError

# Dates a briefing can work with in any zone: a day either side of a conversion, and the
# window's next midnight, stay inside datetime's years 1-9999.
EARLIEST = datetime(1, 1, 3, tzinfo=UTC)
LATEST = datetime(9999, 12, 29, tzinfo=UTC)


def in_range(dt: datetime) -> bool:
    try:
        return EARLIEST <= dt.astimezone(UTC) <= LATEST
    except (OverflowError, ValueError):
        return False


def parse_when(value: Any, tz: ZoneInfo, source: str = "input") -> tuple[datetime | None, bool]:
    """An ISO 8601 date or date-time -> (aware datetime, date_only). Naive times are in tz.
    Unreadable: None; a date too near year 1 or 9999 to shift between zones: InputError."""
    if value in (None, ""):
        return None, False
    text = str(value).strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            dt, date_only = datetime.combine(date.fromisoformat(text), time(0), tz), True
        else:
            dt, date_only = datetime.fromisoformat(text.replace("Z", "+00:00")), False
            dt = dt if dt.tzinfo else dt.replace(tzinfo=tz)
    except ValueError:
        return None, False
    if not in_range(dt):
        raise InputError(source, f"date {text[:40]!r} is out of range (years 1 to 9999)")
    return dt, date_only
