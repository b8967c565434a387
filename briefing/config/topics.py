"""Topics: a standing briefing, configured once in the settings file. Pure.

```toml
[topics.ukraine-talks]              # the key: the topic's stable id
title = "Ukraine talks"
sources = ["feeds.opml", "https://example.org/world/rss", "~/news/ukraine/"]
include = ["ukrain", "kyiv", "zelensk", "peace talks"]
exclude = ["eurovision"]
at = "07:00"
tz = "Europe/London"
mail_to = ["ana@example.org", "Ben Smith <ben@example.org>"]
max_sections = 6                    # any briefing setting may be set per topic
```

The top-level settings are every topic's defaults. A topic known only by a title (`--topic
"Україна"` with no such key) gets an id that never collides: the title transliterated, plus a
short hash of the title when it is not in Latin script or its slug is taken.
"""

from __future__ import annotations

import os
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import UsageError
from .ids import topic_id

if TYPE_CHECKING:
    from .settings import Settings

DEFAULT_TITLE = "News briefing"
SAMPLE_ID, SAMPLE_TITLE = "ukraine-talks", "Ukraine talks"
# per-topic keys that override the top-level setting of the same name
OVERRIDES = (
    "tz", "mail_to", "max_sections", "max_bullets", "summary_lines", "also_reported", "llm",
    "model", "base_url", "verify_model", "verify_base_url", "prompt_versions", "assume_date",
    "boilerplate", "window",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Topic:
    """A resolved topic: its id, title and sources, what is on it, and its settings (the
    top-level ones with the topic's overrides)."""

    id: str
    title: str
    sources: tuple[str, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    at: str  # HH:MM, in settings.tz
    settings: Settings
    configured: bool  # a standing topic: its whole-day runs are its editions
    exclude_sections: tuple[str, ...] = ()  # feed categories or URL path parts never on it

    @property
    def mail_to(self) -> list[str]:
        return list(self.settings.mail_to)


def _sources(raw: list[str], base: Path | None) -> tuple[str, ...]:
    """URLs as given; paths with ~ expanded, relative to the settings file's folder."""
    out = []
    for s in raw:
        if s.startswith(("http://", "https://")):
            out.append(s)
            continue
        p = Path(s).expanduser()
        if not p.is_absolute() and base is not None:
            p = base / p
        out.append(os.path.normpath(p))
    return tuple(out)


def _topic(key: str, cfg: Any, settings: Settings) -> Topic:
    flags = settings._flags  # a flag wins over the topic's own table, which wins over the top
    overrides = {k: getattr(cfg, k) for k in OVERRIDES
                 if getattr(cfg, k) is not None and k not in flags}  # fmt: skip
    title = check_title(cfg.title or key)
    effective = settings.model_copy(update={**overrides, "topic": title})
    base = settings.config_dir()
    return Topic(
        id=key, title=title, sources=_sources(cfg.sources, base), include=tuple(cfg.include),
        exclude=tuple(cfg.exclude), at=cfg.at or settings.schedule_at, settings=effective,
        configured=True, exclude_sections=tuple(cfg.exclude_sections),
    )  # fmt: skip


def configured(settings: Settings) -> list[Topic]:
    """Every topic of the settings file, in the file's order. With none, the top-level
    settings are one topic when they name sources (the single-topic setup)."""
    topics = [_topic(k, v, settings) for k, v in settings.topics.items()]
    if topics or not settings.sources:
        return topics
    return [legacy(settings, configured=True)]


def check_title(title: str) -> str:
    """A title goes into mail headers and page titles: line breaks and control characters are
    refused; invisible format characters (bidi overrides, zero-width) are dropped."""
    if any(unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in title):
        raise UsageError(f"topic title {title!r} contains a line break or a control character")
    title = "".join(c for c in title if unicodedata.category(c) != "Cf").strip()
    if not title:
        raise UsageError("a topic title cannot be empty")
    return title


def legacy(settings: Settings, title: str | None = None, *, configured: bool = False) -> Topic:
    """The topic of the top-level settings (its title, sources and readers), or an ad-hoc
    topic of that title."""
    title = check_title(title or settings.topic or DEFAULT_TITLE)
    taken = frozenset(settings.topics)
    return Topic(
        id=topic_id(title, taken), title=title,
        sources=_sources(list(settings.sources), settings.config_dir()), include=(), exclude=(),
        at=settings.schedule_at, settings=settings.model_copy(update={"topic": title}),
        configured=configured,
    )  # fmt: skip


def sample(settings: Settings, corpus: Path) -> Topic:
    """The bundled sample as a topic (`--sample`): everything in it is on the topic."""
    return Topic(
        id=SAMPLE_ID, title=SAMPLE_TITLE, sources=(str(corpus),), include=(), exclude=(),
        at=settings.schedule_at, settings=settings.model_copy(update={"topic": SAMPLE_TITLE}),
        configured=True,
    )  # fmt: skip


def find(settings: Settings, name: str) -> Topic | None:
    """A configured topic by its key or its title (case-insensitive)."""
    wanted = name.strip().casefold()
    for t in configured(settings):
        if wanted in (t.id.casefold(), t.title.casefold()):
            return t
    return None


def names(settings: Settings) -> str:
    return ", ".join(f"{t.id} ({t.title})" for t in configured(settings)) or "none"


def resolve(
    settings: Settings,
    name: str | None = None,
    *,
    corpus: Path | None = None,
    adhoc: bool = False,
) -> Topic:
    """The topic a command works on.

    `name` (--topic): a configured topic's key or title; else, with `adhoc`, a topic of that
    title that is not configured (its runs are never editions); else an error that lists the
    configured topics. Without a name: the sample topic when `corpus` is given, the only
    configured topic, or (with `adhoc`) the top-level title.
    """
    if name is not None:
        found = find(settings, name)
        if found is not None:
            return found
        if corpus is not None and name.strip().casefold() in (SAMPLE_ID, SAMPLE_TITLE.casefold()):
            return sample(settings, corpus)
        if adhoc:
            return legacy(settings, name)
        raise UsageError(f"unknown topic {name!r}; configured topics: {names(settings)}")
    if corpus is not None:
        return sample(settings, corpus)
    topics = configured(settings)
    if len(topics) == 1:
        return topics[0]
    if adhoc:
        return legacy(settings)
    if not topics:
        raise UsageError(
            "no topic is configured: add a [topics.<id>] table to briefing.toml "
            "(see examples/briefing.toml), or brief files, folders or URLs you name: "
            "briefing run SOURCE... [--topic TITLE]"
        )
    raise UsageError(f"several topics are configured; pass --topic ({names(settings)})")
