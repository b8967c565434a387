"""Progress on stderr while a run works: one line per stage (reading, dedupe, stories, LLM
calls), only when stderr is a terminal; nothing in logs or pipes."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class TerminalProgress:
    """`app.Progress` drawn with rich: a bar when a stage's size is known, else a spinner."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar
        self.task: Any = None

    def stage(self, name: str, total: int | None = None) -> None:
        if self.task is not None:
            self.bar.update(self.task, visible=False)
        self.task = self.bar.add_task(name, total=total)

    def advance(self, steps: int = 1) -> None:
        if self.task is not None:
            self.bar.advance(self.task, steps)

    def note(self, text: str) -> None:
        if self.task is not None:
            self.bar.update(self.task, description=text)


@contextmanager
def terminal_progress() -> Iterator[TerminalProgress | None]:
    """A progress display on a terminal's stderr; None elsewhere."""
    if not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn())  # fmt: skip
    with Progress(*columns, console=Console(stderr=True), transient=True) as bar:
        yield TerminalProgress(bar)
