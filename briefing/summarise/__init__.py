"""Summarisers: one interface (`execute(request) -> Draft`), several backends."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..errors import UsageError

if TYPE_CHECKING:
    from ..config import Settings
    from ..store import Store
    from .base import Summariser


def make_summariser(settings: Settings, store: Store | None = None) -> Summariser:
    """`--llm auto` uses the LLM when one is configured (a base URL or an API key)."""
    from .extractive import ExtractiveSummariser

    choice = settings.llm
    if choice == "auto":
        choice = "openai" if settings.llm_configured else "extractive"
    if choice == "extractive":
        return ExtractiveSummariser()
    if not settings.llm_configured:
        raise UsageError(
            f"llm = {settings.llm} ({settings.origin('llm')}) needs an API key (OPENAI_API_KEY, "
            "BRIEFING_API_KEY or api_key_file) or a server (base_url, --base-url, OPENAI_BASE_URL)"
        )
    from .llm import OpenAISummariser

    return OpenAISummariser(settings.llm_settings(), store)
