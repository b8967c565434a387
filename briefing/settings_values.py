"""Single setting values: time zones, clock times, one-line text; and path settings resolved
(`~` expanded; a relative path from the settings file is relative to that file). Pure but for
reading the environment."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from .config import Settings


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
    from .clean import scrub

    values = v if isinstance(v, list) else [v]
    if not values or not all(isinstance(x, str) for x in values):
        return v
    for x in values:
        if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in x):
            raise ValueError(f"{x!r} contains a control character or a line break")
    return [scrub(x) for x in values] if isinstance(v, list) else scrub(v)


PATH_KEYS = ("api_key_file", "verify_api_key_file", "state_dir", "boilerplate", "templates",
             "smtp_password_file", "archive_dir")  # fmt: skip


def resolve_paths(settings: Settings) -> None:
    """`~` expanded in every path setting; a relative path written in the settings file (a
    topic's too) is relative to that file's folder, wherever the command runs (cron, systemd);
    one from a flag or the environment is relative to the working folder."""
    home = settings.config_dir()

    def resolve(v: Path, from_file: bool) -> Path:
        v = v.expanduser()
        return home / v if from_file and home is not None and not v.is_absolute() else v

    for key in PATH_KEYS:
        v = getattr(settings, key)
        if v is not None:
            from_file = key not in settings._flags and settings.env_var(key) is None
            object.__setattr__(settings, key, resolve(v, from_file))
    for cfg in settings.topics.values():
        if cfg.boilerplate is not None:
            object.__setattr__(cfg, "boilerplate", resolve(cfg.boilerplate, True))


FOLDERS = frozenset({"templates"})  # path settings that name a folder; the rest name files
MUST_EXIST = ("templates", "boilerplate", "api_key_file", "verify_api_key_file",
              "smtp_password_file")  # fmt: skip


def missing_paths(settings: Settings, keys: Sequence[str] = MUST_EXIST) -> list[tuple[str, Path]]:
    """The path settings among `keys` that are set and name no such folder (or file)."""
    out = []
    for key in keys:
        path = getattr(settings, key)
        if path is not None and not (path.is_dir() if key in FOLDERS else path.is_file()):
            out.append((key, path))
    return out
