"""Summarisers: the pipeline's interface (`pipeline/summary.py`: `execute(request) -> Draft`),
several backends, found by name in `BACKENDS` (`llm`: auto, openai, extractive):

- `extractive/`: the offline default, cited and deterministic;
- `llm/`: OpenAI or any OpenAI-compatible server, and the optional verifier model;
- `prompts.py`: the versioned prompt files.

A backend's module is imported when it is made, so `briefing --help` and an extractive run
never load the `openai` SDK.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from ..errors import UsageError
from .prompts import Prompt, available, load, parse_selector

if TYPE_CHECKING:
    from ..config import Settings
    from ..pipeline import Summariser
    from ..state import Store
    from .extractive import ExtractiveSummariser
    from .llm import LLMSettings, OpenAISummariser, Verifier

__all__ = [
    "BACKENDS",
    "ExtractiveSummariser",
    "LLMSettings",
    "OpenAISummariser",
    "Prompt",
    "TakesVerifier",
    "Verifier",
    "available",
    "backend",
    "load",
    "make_summariser",
    "make_verifier",
    "parse_selector",
]

Factory = Callable[["Settings", "Store | None"], "Summariser"]
BACKENDS: dict[str, Factory] = {}  # `llm` setting -> how to make that summariser


def backend(name: str) -> Callable[[Factory], Factory]:
    """Register a summariser factory under the `llm` setting's value `name`."""

    def register(make: Factory) -> Factory:
        BACKENDS[name] = make
        return make

    return register


@backend("extractive")
def _extractive(settings: Settings, store: Store | None) -> Summariser:
    from .extractive import ExtractiveSummariser

    return ExtractiveSummariser()


@backend("openai")
def _openai(settings: Settings, store: Store | None) -> Summariser:
    if not settings.llm_configured:
        raise UsageError(
            f"llm = {settings.llm} ({settings.origin('llm')}) needs an API key (OPENAI_API_KEY, "
            "BRIEFING_API_KEY or api_key_file) or a server (base_url, --base-url, OPENAI_BASE_URL)"
        )
    from .llm import LLMSettings, OpenAISummariser

    return OpenAISummariser(LLMSettings.from_settings(settings), store)


def make_summariser(settings: Settings, store: Store | None = None) -> Summariser:
    """The summariser the settings name; `--llm auto` uses the LLM when one is configured (a
    base URL or an API key)."""
    choice = settings.llm
    if choice == "auto":
        choice = "openai" if settings.llm_configured else "extractive"
    return BACKENDS[choice](settings, store)


def make_verifier(settings: Settings, store: Store | None = None) -> Verifier:
    """The verifier model of `verify_model` (a `ConfigError` when it is unset)."""
    from .llm import Verifier

    return Verifier.of(settings, store)


@runtime_checkable
class TakesVerifier(Protocol):
    """A summariser that asks a verifier about its answers (the LLM summariser does)."""

    def use_verifier(self, verifier: Verifier) -> None: ...


_LAZY = {"ExtractiveSummariser": ".extractive", "LLMSettings": ".llm",
         "OpenAISummariser": ".llm", "Verifier": ".llm"}  # fmt: skip


def __getattr__(name: str) -> Any:
    """The backends' classes, imported on first use (PEP 562)."""
    if name in _LAZY:
        from importlib import import_module

        return getattr(import_module(_LAZY[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
