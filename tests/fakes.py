"""An in-process summariser for pipeline tests (in the spirit of simonw/llm's MockModel):
queue drafts or errors with `enqueue`, read what it was asked in `history`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from briefing.contract import Bullet, Section
from briefing.pipeline import Draft, SummaryRequest

Answer = Draft | BaseException | Callable[[SummaryRequest], Draft]


@dataclass
class FakeSummariser:
    name: str = "fake"
    model: str = "fake-model"
    queue: list[Answer] = field(default_factory=list)
    history: list[SummaryRequest] = field(default_factory=list)

    def enqueue(self, *answers: Answer) -> FakeSummariser:
        self.queue.extend(answers)
        return self

    def execute(self, request: SummaryRequest) -> Draft:
        self.history.append(request)
        if not self.queue:
            raise AssertionError("FakeSummariser was asked more often than answers were queued")
        answer = self.queue.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer(request) if callable(answer) else answer


def draft(sections: dict[str, list[tuple[str, list[str]]]],
          summary: list[tuple[str, list[str]]] = ()) -> Draft:  # type: ignore[assignment]
    """A draft from {section title: [(bullet text, citations)]}."""
    return Draft(
        summary=[Bullet(text=t, citations=c) for t, c in summary],
        sections=[Section(title=title, bullets=[Bullet(text=t, citations=c) for t, c in bs])
                  for title, bs in sections.items()],
        backend="fake",
        model="fake-model",
    )
