"""What an LLM backend needs of the settings, built by the backend from them."""

from __future__ import annotations

from dataclasses import dataclass, field

from ...config import Settings


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

    @classmethod
    def from_settings(cls, s: Settings) -> LLMSettings:
        """The summarising model's view of the settings."""
        return cls(
            model=s.model, base_url=s.base_url, api_key=s.secret_key(), timeout=s.timeout,
            max_retries=s.max_retries, concurrency=s.concurrency, temperature=s.temperature,
            max_input_tokens=s.max_input_tokens, batch_stories=s.batch_stories,
            prompt_versions=dict(s.prompt_versions), token_budget=s.llm_token_budget,
        )  # fmt: skip
