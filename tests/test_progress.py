"""What a long run tells the person waiting: every stage, and the LLM's calls as they go."""

from __future__ import annotations

from datetime import date

from briefing import app
from briefing.config import Settings

from .servers.openai_server import FakeOpenAI


class Recorder:
    def __init__(self) -> None:
        self.stages: list[tuple[str, int | None]] = []
        self.steps = 0
        self.notes: list[str] = []

    def stage(self, name: str, total: int | None = None) -> None:
        self.stages.append((name, total))

    def advance(self, steps: int = 1) -> None:
        self.steps += steps

    def note(self, text: str) -> None:
        self.notes.append(text)


def test_every_stage_and_each_llm_call_are_reported() -> None:
    with FakeOpenAI() as server:
        settings = Settings(base_url=server.base_url, api_key="x", llm="openai", cache=False,
                            batch_stories=False)  # fmt: skip
        req = app.request(settings, sample=True, day=date(2025, 2, 13))
        seen = Recorder()
        b = app.produce(req, None, progress=seen).briefing
    names = [n.split(" ")[0] for n, _ in seen.stages]
    assert names == ["read", "window", "dedupe", "stories", "summarise"]
    assert seen.stages[0] == ("read", 5) and seen.steps == 5  # the sample folder: 5 files, read
    assert seen.stages[2][1] == 12  # dedupe of the day's 12 entries
    calls = [n for n in seen.notes if "LLM call" in n]
    assert len(calls) == b.stats.llm_calls + b.stats.cache_hits > 1
    assert calls[0].startswith("summarise: 1 LLM call") and calls[-1].endswith("tokens so far")
