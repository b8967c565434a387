"""Loading settings: which file (`--config FILE`, else $BRIEFING_CONFIG, else ./briefing.toml,
else briefing.toml in the user's config folder), every layer, and path settings resolved (`~`
expanded; a relative path written in the file is relative to that file). The only writer of
`Settings`' private fields (the file, the flags given)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import ConfigError
from .origins import origin
from .settings import READING, Settings, TopicConfig


def config_file(explicit: Path | None = None) -> Path | None:
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"config file {explicit} does not exist")
        return explicit
    env = os.environ.get("BRIEFING_CONFIG")
    if env:
        return config_file(Path(env))
    local = Path("briefing.toml")
    if local.is_file():
        return local
    user = user_config_file()
    return user if user.is_file() else None


def user_config_file() -> Path:
    """The user's settings file: ~/.config/briefing/briefing.toml on Linux."""
    import platformdirs

    return Path(platformdirs.user_config_dir("briefing", appauthor=False)) / "briefing.toml"


def load_settings(config: Path | None = None, **flags: Any) -> Settings:
    """Settings from every layer; flags that are None are 'not given'. An invalid value is
    reported with where it came from: the file and line, the environment variable, or the flag."""
    given = {k: v for k, v in flags.items() if v is not None}
    path = config_file(config)
    token = READING.set(path)
    try:
        settings = Settings(**given)
        settings._file = path.absolute() if path is not None else None
        settings._flags = frozenset(given)
        resolve_paths(settings)
        return settings
    except ValidationError as exc:
        keys = (list(Settings.model_fields), list(TopicConfig.model_fields))
        raise ConfigError("; ".join(origin(e, path, given, *keys) for e in exc.errors())) from None
    except ValueError as exc:  # TOML syntax errors surface as ValueError subclasses
        raise ConfigError(f"{path}: {exc}" if path else f"invalid settings: {exc}") from None
    finally:
        READING.reset(token)


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
