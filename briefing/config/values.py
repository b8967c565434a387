"""Single setting values: time zones, clock times, one-line text. Pure."""

from __future__ import annotations

import re
import unicodedata
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
