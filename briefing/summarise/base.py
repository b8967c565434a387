"""The summariser interface every backend implements, and the records it speaks."""

from __future__ import annotations

from collections.abc import Callable
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


@dataclass(frozen=True, slots=True)
class LLMSettings:
    """What an LLM backend needs to know, and nothing more (no SMTP, no paths)."""

    model: str = "gpt-4o-mini"
    base_url: str | None = None
    api_key: str | None = field(default=None, repr=False)
    timeout: float = 60.0  # seconds per request
    max_retries: int = 3  # the SDK's transport retries
    concurrency: int = 4  # calls in flight
    temperature: float | None = None  # None: each prompt's own
    max_input_tokens: int = 6000  # per call, for the entries
    batch_stories: bool = True  # pack stories into shared calls; False: one call per story
    prompt_versions: dict[str, int] = field(default_factory=dict)
    token_budget: int | None = None  # tokens (in + out) a run may spend; then extractive


@runtime_checkable
class ReportsUsage(Protocol):
    """A summariser that can say how its calls go while it works (for progress displays)."""

    def on_usage(self, callback: Callable[[Usage], None]) -> None: ...


class Summariser(Protocol):
    """`execute` turns stories into cited bullets."""

    name: str

    def execute(self, request: SummaryRequest) -> Draft: ...
