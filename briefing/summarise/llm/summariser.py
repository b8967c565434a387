"""The LLM summariser: stories through the packed strategy (or one call per story), then the
plan step when the day took more than one call. A story whose calls fail is written by the
extractive summariser, and the briefing says so; if every story failed, the LLM failed."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

from ...contract import Dropped
from ...errors import LLMError
from ...pipeline import Draft, SummaryRequest, Usage
from ...state import Store
from ..prompts import load
from .client import Client
from .packed import Packed
from .per_story import PerStory
from .plan import Planner
from .results import Plan, distinct
from .settings import LLMSettings
from .verify import Verifier

MAX_DROPPED = 50  # dropped bullets listed in a briefing; the rest are counted


class OpenAISummariser:
    """OpenAI, or any OpenAI-compatible server through `base_url`. `store` caches answers;
    `client` replaces the `openai` client (tests and benchmarks inject one)."""

    name = "openai"

    def __init__(
        self, settings: LLMSettings, store: Store | None = None, client: Any = None
    ) -> None:
        self.settings = settings
        self.model = settings.model
        self.client = Client(settings, store, client)
        nonce = secrets.token_hex(6)  # per run: article authors cannot guess it
        versions = settings.prompt_versions
        batch = load("story_batch", versions.get("story_batch"))
        self.per_story = PerStory(
            self.client,
            load("story_bullets", versions.get("story_bullets")),
            load("story_merge", versions.get("story_merge")),
            nonce,
        )
        self.packed = Packed(self.client, batch, self.per_story)
        self.planner = Planner(self.client, load("briefing", versions.get("briefing")), nonce)

    @property
    def verifier(self) -> Verifier | None:
        """The verifier model asked about every answer's checked bullets (`use_verifier`)."""
        return self.per_story.verifier

    def use_verifier(self, verifier: Verifier) -> None:
        """Ask `verifier` about every answer's checked bullets; the two share the run's token
        budget."""
        self.per_story.verifier = self.packed.verifier = self.planner.verifier = verifier
        verifier.share_budget(self.client.ledger)

    def on_usage(self, callback: Callable[[Usage], None]) -> None:
        """`callback(usage so far)` after every call: calls, tokens, cache hits."""
        self.client.ledger.on_change = callback

    def execute(self, request: SummaryRequest) -> Draft:
        limit = request.max_sections + request.also_reported
        stories = list(request.stories[:limit])
        texts = {m.id: m.text for s in stories for it in s.items for m in it.members}
        plan: Plan | None = None
        if self.settings.batch_stories:
            results, plan = self.packed.run(stories, request)
        else:
            results = self.per_story.run(stories, request)
        failed = [r for r in results if r.fallback]
        if failed and len(failed) == len(results):
            raise LLMError(failed[0].fallback or "every call failed")
        if plan is None:
            plan = self.planner.run(results, request, texts)
        notices = []
        if failed:
            notices.append(
                f"{len(failed)} of {len(results)} stories were summarised by the "
                f"extractive summariser because the LLM failed ({failed[0].fallback})"
            )
        if plan.notice:
            notices.append(plan.notice)
        if len(request.stories) > limit:
            notices.append(f"{len(request.stories) - limit} smaller stories were left out")
        sections, repeats = distinct(plan.sections)
        ledger = self.client.ledger
        lost = [d for r in results for d in r.dropped] + plan.dropped + repeats
        if len(lost) > MAX_DROPPED:  # a flooding model must not flood the briefing
            more = len(lost) - MAX_DROPPED
            lost = [*lost[:MAX_DROPPED], Dropped(
                text=f"({more:,} more)", citations=[],
                reason=f"{more:,} more bullets failed the check; only the first "
                       f"{MAX_DROPPED} are listed")]  # fmt: skip
        draft = Draft(
            summary=plan.summary,
            sections=sections,
            backend=self.name,
            model=self.model,
            prompts=list(ledger.prompts.values()),
            usage=ledger.usage,
            dropped=lost,
            notice="; ".join(notices) or None,
        )
        draft.degraded = bool(failed or plan.notice)
        draft.tokens_estimate = ledger.tokens_estimate
        return draft
