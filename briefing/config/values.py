"""Single setting values: time zones, clock times, one-line text. Pure."""

from __future__ import annotations

import re
import unicodedata
from datetime import timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import ConfigError
from ..text import scrub


def known_zone(v: str | None) -> str | None:
    """A time zone name the zone database knows (Europe/London, UTC, Asia/Jerusalem)."""
    if v is None:
        return v
    try:
        ZoneInfo(v)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{v!r} is not a known time zone (e.g. Europe/London)") from None
    return v


def clock_time(v: str | None) -> str | None:
    """HH:MM on a 24-hour clock."""
    if v is not None and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", v.strip()):
        raise ValueError(f"{v!r} is not a time of day: use HH:MM (24-hour), e.g. 07:00")
    return v.strip() if v else v


_SPAN = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$", re.I)
_SPAN_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def span(v: str) -> timedelta:
    """A duration such as 90m, 24h, 2d or 1w (at most 100 years, never empty). The one reader
    of durations: the `window` setting and `--since`."""
    m = _SPAN.match(v)
    if not m:
        raise ValueError("use a number and a unit, e.g. 90m, 24h, 2d, 1w")
    got = timedelta(**{_SPAN_UNITS[m.group(2).lower()]: min(int(m.group(1)), 10**7)})
    if not got:
        raise ValueError("the window would be empty; e.g. 24h")
    if got > timedelta(days=36500):  # a window reaching past year 1 would overflow
        raise ValueError("at most 100 years")
    return got


def duration(v: str | None) -> str | None:
    """A valid `span` text, kept as written."""
    if v is not None:
        try:
            span(v)
        except ValueError as exc:
            raise ValueError(f"{v!r}: {exc}") from None
    return v.strip() if v else v


def one_line(v: Any) -> Any:
    """A text setting (or a list of them) is one line: control characters (ESC, BEL, line
    breaks) are refused; invisible bidi-override and zero-width characters are dropped."""
    values = v if isinstance(v, list) else [v]
    if not values or not all(isinstance(x, str) for x in values):
        return v
    for x in values:
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in x):
            raise ValueError(f"{x!r} contains a control character or a line break")
    return [scrub(x) for x in values] if isinstance(v, list) else scrub(v)


def zone(name: str) -> ZoneInfo:
    """A time zone by name, or a usage error."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"--tz {name!r} is not a known time zone (e.g. Europe/London)") from None
