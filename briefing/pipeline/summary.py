"""The summariser interface the pipeline calls and every backend (`summarise/`) implements,
and the records it speaks: a request of stories in, a draft of cited bullets out."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from ..contract import Bullet, Dropped, PromptRef, Section
from ..models import Story


@dataclass(frozen=True, slots=True)
class SummaryRequest:
    topic: str
    stories: tuple[Story, ...]
    max_sections: int = 4
    max_bullets: int = 2  # per section; tuned on the eval set (docs/quality.md)
    summary_lines: int = 3
    also_reported: int = 2  # one-line bullets for stories beyond max_sections
    # who published each document (by Document.id): a fact several publishers report ranks
    # above one only one reports (issue 27)
    publishers: Mapping[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class Usage:
    tokens_in: int = 0
    tokens_out: int = 0
    calls: int = 0
    cache_hits: int = 0


@dataclass(slots=True)
class Draft:
    summary: list[Bullet]
    sections: list[Section]
    backend: str
    model: str | None = None
    prompts: list[PromptRef] = field(default_factory=list)
    usage: Usage = field(default_factory=Usage)
    dropped: list[Dropped] = field(default_factory=list)
    notice: str | None = None
    degraded: bool = False  # an LLM was asked for, and the extractive summariser stood in
    tokens_estimate: int = 0  # tiktoken's count of what was sent, beside the API's usage


@runtime_checkable
class ReportsUsage(Protocol):
    """A summariser that can say how its calls go while it works (for progress displays)."""

    def on_usage(self, callback: Callable[[Usage], None]) -> None: ...


class Summariser(Protocol):
    """`execute` turns stories into cited bullets."""

    name: str

    def execute(self, request: SummaryRequest) -> Draft: ...
