"""Settings and topics: every layer of settings loaded (`load.py`) into one `Settings`
(`settings.py`), each value checked (`values.py`) and a bad one named by where it came from
(`origins.py`); the standing topics resolved from them (`topics.py`), each with a stable id
(`ids.py`)."""

from __future__ import annotations

from .addresses import addresses, check_address, mailbox, split_addresses
from .ids import topic_id, validate_key
from .load import FOLDERS, config_file, load_settings, missing_paths, user_config_file
from .origins import toml_line
from .settings import Settings, SmtpConfig, TopicConfig
from .topics import (
    OVERRIDES,
    SAMPLE_ID,
    Topic,
    configured,
    find,
    legacy,
    names,
    resolve,
)
from .values import span, zone

__all__ = [
    "FOLDERS",
    "OVERRIDES",
    "SAMPLE_ID",
    "Settings",
    "SmtpConfig",
    "Topic",
    "TopicConfig",
    "addresses",
    "check_address",
    "config_file",
    "configured",
    "find",
    "legacy",
    "load_settings",
    "mailbox",
    "missing_paths",
    "names",
    "resolve",
    "span",
    "split_addresses",
    "toml_line",
    "topic_id",
    "user_config_file",
    "validate_key",
    "zone",
]
