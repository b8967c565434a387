"""Settings errors that name where the bad value came from: the settings file and line, the
environment variable, or the flag. Pure."""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path
from typing import Any

_PLAIN = {"int_parsing": "not an integer", "float_parsing": "not a number",
          "bool_parsing": "not true or false", "extra_forbidden": "unknown key"}  # fmt: skip


def toml_line(path: Path, loc: tuple[Any, ...]) -> int | None:
    """The line of the settings file that sets this key (inside its [table], if nested)."""
    import re

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    keys = [str(k) for k in loc]
    table, key = keys[:-1], keys[-1]
    current: list[str] = []
    for n, line in enumerate(lines, 1):
        if m := re.match(r"\s*\[([^\]]+)\]", line):
            current = [k.strip().strip('"') for k in m.group(1).split(".")]
        elif re.match(rf"\s*\"?{re.escape(key)}\"?\s*=", line) and current == table:
            return n
    return None


def origin(e: Any, path: Path | None, flags: dict[str, Any], keys: Collection[str],
           topic_keys: Collection[str]) -> str:  # fmt: skip
    """One validation error, named by where the value came from. `keys` and `topic_keys`: the
    settings' keys and a topic table's, for "did you mean"."""
    import difflib

    loc = tuple(e["loc"])
    key = ".".join(str(k) for k in loc) or "settings"
    what = _PLAIN.get(e["type"], e["msg"][:1].lower() + e["msg"][1:])
    if e["type"] == "extra_forbidden":
        fields = keys if len(loc) == 1 else topic_keys
        near = difflib.get_close_matches(str(loc[-1]), list(fields), n=1)
        what = f"unknown key `{loc[-1]}`" + (f" (did you mean `{near[0]}`?)" if near else "")
        if len(loc) > 1 and str(loc[-1]) in keys:
            what = f"`{loc[-1]}` is a top-level setting; a topic cannot set it for itself"
    elif e["type"] == "value_error":  # our own validators say what was wrong, value included
        what = e["msg"].removeprefix("Value error, ")
    elif "input" in e and not isinstance(e["input"], dict | list):
        what += f" (got {e['input']!r})"
    if loc and loc[0] in flags:
        return f"--{str(loc[0]).replace('_', '-')}: {what}"
    env = f"BRIEFING_{str(loc[0]).upper()}" if loc else ""
    if env and env in os.environ:
        return f"{env}: {what}"
    if path is not None:
        line = toml_line(path, loc)
        return f"{path}{f' line {line}' if line else ''}: {what}" + (
            "" if e["type"] == "extra_forbidden" else f" for `{key}`"
        )
    return f"{key}: {what}"
