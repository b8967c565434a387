"""Settings: packaged defaults < briefing.toml < environment (BRIEFING_*, OPENAI_*) < flags.

The fields and their checks; `load.py` finds the file and loads every layer. A settings file
only needs the keys it changes; unknown keys are errors. Secrets (API key, SMTP password)
come from the environment or a file, never flags. Each consumer builds its own view of these
(`LLMSettings.from_settings`, `FetchOptions.from_settings`, `Settings.smtp`).
"""

from __future__ import annotations

import os
import re
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    AliasChoices,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    field_validator,
)
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from ..errors import ConfigError
from .addresses import split_addresses
from .ids import validate_key
from .origins import toml_line
from .values import clock_time, duration, known_zone, one_line

# the settings file `load_settings` is reading (a TOML source of `Settings`), if any
READING: ContextVar[Path | None] = ContextVar("briefing_toml", default=None)


@dataclass(frozen=True, slots=True)
class SmtpConfig:
    """What the mailer needs: the server, the sender, and how hard to try."""

    host: str
    port: int
    security: Literal["starttls", "ssl", "none"] = "starttls"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    sender: str = ""
    list_unsubscribe: str | None = None
    retries: int = 3
    backoff: float = 2.0  # seconds, doubled per attempt
    message_deadline: float = 120.0  # seconds: one recipient's whole exchange, retries included
    run_deadline: float = 600.0  # seconds: every recipient of one send
    archive_url: str | None = None  # the public archive: each email links to its edition there


class TopicConfig(BaseModel):
    """One `[topics.<id>]` table: a standing topic (see `config/topics.py`)."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = None
    sources: list[str] = Field(default_factory=list)
    include: list[str] = Field(default_factory=list)  # words, word prefixes or "quoted phrases"
    exclude: list[str] = Field(default_factory=list)
    exclude_sections: list[str] = Field(default_factory=list)  # feed categories, URL path parts
    at: str | None = None  # HH:MM, the daily run's local time
    window: str | None = None  # how far back an edition reaches at most (24h)
    # the top-level settings of these names, for this topic only
    tz: str | None = None
    mail_to: list[str] | None = None
    max_sections: int | None = Field(default=None, ge=1, le=10_000)
    max_bullets: int | None = Field(default=None, ge=1, le=20)
    summary_lines: int | None = Field(default=None, ge=0, le=10)
    also_reported: int | None = Field(default=None, ge=0, le=10_000)
    llm: Literal["auto", "openai", "extractive"] | None = None
    model: str | None = None
    base_url: str | None = None
    verify_model: str | None = None
    verify_base_url: str | None = None
    prompt_versions: dict[str, int] | None = None
    assume_date: date | None = None
    boilerplate: Path | None = None

    _no_controls = field_validator("*", mode="after")(classmethod(lambda cls, v: one_line(v)))

    _zone = field_validator("tz")(classmethod(lambda cls, v: known_zone(v)))
    _at = field_validator("at")(classmethod(lambda cls, v: clock_time(v)))
    _window = field_validator("window")(classmethod(lambda cls, v: duration(v)))
    _mail_to = field_validator("mail_to")(
        classmethod(lambda cls, v: None if v is None else split_addresses(v))
    )

    @field_validator("include", "exclude")
    @classmethod
    def _terms(cls, v: list[str]) -> list[str]:
        if any(not t.strip(' "') for t in v):
            raise ValueError("an empty term matches everything; remove it")
        return v

    @field_validator("exclude_sections")
    @classmethod
    def _sections(cls, v: list[str]) -> list[str]:
        for s in v:
            if not s.strip(" />|"):
                raise ValueError(f"{s!r} is not a section: give a feed category or a URL path "
                                 "part, such as 'sport' or '/sport/'")  # fmt: skip
            if "://" in s or any(c in s for c in "?#"):
                raise ValueError(f"{s!r} is a URL, not a section: give a path part, such as "
                                 "'/sport/'")  # fmt: skip
        return v


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="BRIEFING_", extra="forbid", populate_by_name=True, case_sensitive=False
    )

    # LLM
    llm: Literal["auto", "openai", "extractive"] = "auto"
    model: str = "gpt-4o-mini"
    base_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("base_url", "BRIEFING_BASE_URL", "OPENAI_BASE_URL"),
    )
    api_key: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("api_key", "BRIEFING_API_KEY", "OPENAI_API_KEY")
    )
    api_key_file: Path | None = None
    timeout: float = Field(default=60.0, gt=0)
    max_retries: int = Field(default=3, ge=0, le=10)
    concurrency: int = Field(default=4, ge=1, le=64)
    temperature: float | None = Field(default=None, ge=0, le=2)
    max_input_tokens: int = Field(default=6000, ge=500)  # per call, for the entries
    # tokens (in + out, as the server counts them) one run may spend; then the remaining
    # stories are written by the extractive summariser, with a notice
    llm_token_budget: int = Field(default=1_000_000, ge=1000)
    batch_stories: bool = True  # pack stories into shared calls; false: one call per story
    prompt_versions: dict[str, int] = Field(default_factory=dict)
    # the verifier: a model asked, after the checks, whether each bullet is supported (off
    # when unset); it may be the summarising model or a fact-checking one on another server
    verify_model: str | None = None
    verify_base_url: str | None = None  # unset: the summariser's server (base_url) and key
    verify_api_key: SecretStr | None = None  # for a verify_base_url of its own
    verify_api_key_file: Path | None = None
    cache: bool = True  # read and write the LLM call cache in the state folder
    # briefing size (tuned on the eval set: docs/quality.md)
    max_sections: int = Field(default=4, ge=1, le=10_000)  # stories summarised in full
    max_bullets: int = Field(default=2, ge=1, le=20)  # per section
    summary_lines: int = Field(default=3, ge=0, le=10)  # the "In brief" lines
    also_reported: int = Field(default=4, ge=0, le=10_000)  # one-line stories after those
    # run
    topic: str | None = None
    tz: str = "Europe/London"
    state_dir: Path | None = None
    sources: Annotated[list[str], NoDecode] = Field(default_factory=list)  # when none are given
    boilerplate: Path | None = None  # extra boilerplate rules (TOML)
    assume_date: date | None = None  # the day of undated documents
    templates: Path | None = None  # templates that override the packaged ones
    run_deadline: float = Field(default=1800.0, gt=0)  # seconds for a whole run: fetches, LLM
    # network: a fetch's whole time (connect, redirects, body), however slowly bytes arrive
    fetch_timeout: float = Field(default=15.0, gt=0)
    fetch_concurrency: int = Field(default=8, ge=1, le=64)  # a feed's item pages at once
    fetch_pages: bool = True  # read a feed item's page when the feed has only a teaser of it
    # links found in feeds and redirects to other hosts may not reach loopback, private or
    # link-local addresses unless this is on (feeds served on your own network)
    allow_private_addresses: bool = False
    # lists (OPML) read from an input: how deep a list inside a list is followed (1: the
    # feeds of a list you gave, not lists it names) and how many feeds all lists add at most
    list_depth: int = Field(default=1, ge=0, le=5)
    list_max_feeds: int = Field(default=200, ge=1, le=10_000)
    # email
    smtp_host: str | None = None
    smtp_port: int | None = Field(default=None, ge=1, le=65535)
    smtp_security: Literal["starttls", "ssl", "none"] = "starttls"
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    smtp_password_file: Path | None = None
    smtp_timeout: float = Field(default=30.0, gt=0)
    smtp_retries: int = Field(default=3, ge=1, le=10)
    smtp_backoff: float = Field(default=2.0, ge=0)
    smtp_message_deadline: float = Field(default=120.0, gt=0, le=86_400)
    smtp_run_deadline: float = Field(default=600.0, gt=0, le=86_400)
    mail_from: str | None = None
    mail_to: Annotated[list[str], NoDecode] = Field(default_factory=list)
    list_unsubscribe: str | None = None
    # schedule and archive
    schedule_at: str = "07:00"
    window: str = "24h"  # an edition reaches back to the previous one, at most this far
    archive_dir: Path | None = None
    archive_url: str | None = None  # where the archive is published (feeds, email links)
    # standing topics: [topics.<id>] tables
    topics: dict[str, TopicConfig] = Field(default_factory=dict)
    _file: Path | None = PrivateAttr(default=None)  # the settings file these came from
    _flags: frozenset[str] = PrivateAttr(default=frozenset())  # keys set by command-line flags

    _zone = field_validator("tz")(classmethod(lambda cls, v: known_zone(v)))
    _at = field_validator("schedule_at")(classmethod(lambda cls, v: clock_time(v)))
    _window = field_validator("window")(classmethod(lambda cls, v: duration(v)))

    @field_validator("archive_url")
    @classmethod
    def _archive_url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s/?#]+(/[^\s?#]*)?$", v):
            raise ValueError("use an http(s) address of the published archive, e.g. https://news.example/briefings/")
        return v if v is None or v.endswith("/") else v + "/"

    @field_validator("base_url", "verify_base_url")
    @classmethod
    def _base_url(cls, v: str | None) -> str | None:
        from urllib.parse import urlsplit

        if v is None or not v.strip():
            return None
        parts = urlsplit(v.strip())
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"{v!r} is not an http(s) URL with a host; e.g. "
                             "http://127.0.0.1:11434/v1 or https://api.openai.com/v1")  # fmt: skip
        return v.strip()

    _no_controls = field_validator("*", mode="after")(classmethod(lambda cls, v: one_line(v)))

    @field_validator("topics")
    @classmethod
    def _topic_keys(cls, v: dict[str, TopicConfig]) -> dict[str, TopicConfig]:
        for key in v:
            validate_key(key)
        return v

    @classmethod
    def env_var(cls, key: str) -> str | None:
        """The environment variable that sets `key` now (BRIEFING_KEY, or an alias such as
        OPENAI_API_KEY), if any."""
        names = [f"BRIEFING_{key.upper()}"]
        alias = cls.model_fields[key].validation_alias
        names += [str(a) for a in getattr(alias, "choices", []) if str(a).isupper()]
        return next((n for n in names if n in os.environ), None)

    def origin(self, key: str) -> str:
        """Where a setting's value came from, for an error message: `--key`, `BRIEFING_KEY`
        or `key in FILE`."""
        if key in self._flags:
            return "--" + key.replace("_", "-")
        if env := self.env_var(key):
            return env
        if self._file is None:
            return key
        line = toml_line(self._file, (key,))
        return f"{key} in {self._file}" + (f" line {line}" if line else "")

    def config_dir(self) -> Path | None:
        """The folder of the settings file: relative topic sources are relative to it."""
        return self._file.parent if self._file is not None else None

    @field_validator("sources", mode="before")
    @classmethod
    def _comma_list(cls, v: Any) -> Any:
        if isinstance(v, str):
            return [x.strip() for x in v.split(",") if x.strip()]
        return v

    @field_validator("mail_to", mode="before")
    @classmethod
    def _address_list(cls, v: Any) -> Any:
        """BRIEFING_MAIL_TO is one string: the address parser splits it (`_mail_to`)."""
        return [v] if isinstance(v, str) else v

    _mail_to = field_validator("mail_to")(classmethod(lambda cls, v: split_addresses(v)))

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        path = READING.get()
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def llm_configured(self) -> bool:
        return bool(self.base_url or self.secret_key())

    def secret_key(self) -> str | None:
        if self.api_key is not None:
            return self.api_key.get_secret_value()
        if self.api_key_file is not None:
            try:
                return self.api_key_file.read_text().strip() or None
            except OSError as exc:
                raise ConfigError(f"cannot read api_key_file {self.api_key_file}: {exc}") from exc
        return None

    def smtp_secret(self) -> str | None:
        if self.smtp_password is not None:
            return self.smtp_password.get_secret_value()
        if self.smtp_password_file is not None:
            try:
                return self.smtp_password_file.read_text().strip()
            except OSError as exc:
                raise ConfigError(f"cannot read smtp_password_file: {exc.strerror}") from None
        return None

    def smtp(self, dry_run: bool = False) -> SmtpConfig:
        """The mailer's settings; a dry run (nothing sent) needs neither server nor sender."""
        if dry_run and not (self.smtp_host and self.mail_from):
            stand_in = {"smtp_host": self.smtp_host or "(none)",
                        "mail_from": self.mail_from or "briefing@example.invalid"}  # fmt: skip
            return self.model_copy(update=stand_in).smtp()
        if not self.smtp_host:
            raise ConfigError("no SMTP server: set smtp_host (BRIEFING_SMTP_HOST)")
        if not self.mail_from:
            raise ConfigError("no sender: set mail_from (BRIEFING_MAIL_FROM)")
        port = self.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[self.smtp_security]
        return SmtpConfig(
            host=self.smtp_host, port=port, security=self.smtp_security, user=self.smtp_user,
            password=self.smtp_secret(), timeout=self.smtp_timeout, sender=self.mail_from,
            list_unsubscribe=self.list_unsubscribe, retries=self.smtp_retries,
            backoff=self.smtp_backoff, archive_url=self.archive_url,
            message_deadline=self.smtp_message_deadline, run_deadline=self.smtp_run_deadline,
        )  # fmt: skip

    def state_path(self) -> Path:
        if self.state_dir is not None:
            return self.state_dir
        import platformdirs

        return Path(platformdirs.user_data_dir("briefing", appauthor=False))
