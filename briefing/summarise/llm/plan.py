"""The plan step: when the day took more than one call, a `briefing` call orders the stories,
titles the sections and writes the summary, from the checked bullets. A failed call leaves the
stories in their order, with the top stories' first bullets as the summary, and says so."""

from __future__ import annotations

from typing import Any

from ...check import check_title, screen
from ...contract import Section
from ...pipeline import SummaryRequest
from ..prompts import Prompt
from .ask import Failed, attempt, dropped, messages, sanitise
from .client import Client
from .results import Plan, StoryResult, fresh_title, lead_bullets, section
from .schemas import BriefingPlan, Unusable, answer_tokens, json_schema, parse
from .verify import Verifier, vet


class Planner:
    def __init__(self, client: Client, prompt: Prompt, nonce: str) -> None:
        self.client = client
        self.prompt = prompt
        self.nonce = nonce
        self.verifier: Verifier | None = None

    def run(
        self, results: list[StoryResult], request: SummaryRequest, texts: dict[str, str]
    ) -> Plan:
        """`texts`: every entry's text by id, for checking the summary and the titles."""
        default = [section(r) for r in results if r.bullets]
        stories: list[dict[str, Any]] = [
            {
                "id": s.story_id,
                "title": sanitise(s.title),
                "bullets": [
                    {"text": sanitise(b.text), "citations": b.citations} for b in s.bullets
                ],
            }
            for s in default
        ]
        cited = {c for s in default for b in s.bullets for c in b.citations}
        given = {c: texts[c] for c in cited if c in texts}
        asked = messages(self.prompt, topic=request.topic, nonce=self.nonce, stories=stories)
        schema = json_schema("BriefingPlan", sorted(given), [s["id"] for s in stories],
                             max_bullets=2 * max(1, request.summary_lines))  # fmt: skip
        most = answer_tokens(2 * request.summary_lines, len(stories))

        def ask() -> BriefingPlan:
            content, complete = self.client.ask(self.prompt, asked, schema, {"plan": stories},
                                                most)  # fmt: skip
            if not complete:
                raise Unusable("the answer was cut off (finish_reason=length)")
            plan = parse(content, "BriefingPlan")
            assert isinstance(plan, BriefingPlan)
            return plan

        plan = attempt(ask)
        if isinstance(plan, Failed):
            notice = (
                f"the briefing prompt failed ({plan.reason}); "
                "sections are in story order and the summary is each top story's first bullet"
            )
            return Plan(lead_bullets(default, request), default, [], notice)
        summary, bad = screen(plan.summary, given, request.summary_lines)
        summary, rejected = vet(self.verifier, summary, given)
        bad += rejected
        by_id = {s.story_id: s for s in default}
        sections: list[Section] = []
        for out in plan.sections:
            base = by_id.pop(out.story_id, None)
            if base is None:
                continue
            title = " ".join(out.title.split())
            ok = fresh_title(title, base.bullets) and check_title(
                title, [c for b in base.bullets for c in b.citations], texts
            )
            sections.append(base.model_copy(update={"title": title if ok else base.title}))
        sections += list(by_id.values())  # stories the plan forgot keep their place at the end
        return Plan(summary or lead_bullets(sections, request), sections, dropped(bad))
