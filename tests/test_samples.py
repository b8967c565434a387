"""Golden outputs: sample_outputs/ must be what the current code generates (`make samples`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefing.ops.samples import generate

SAMPLES = Path(__file__).resolve().parent.parent / "sample_outputs"
EPOCH = "1739516400"  # the Makefile's SAMPLE_EPOCH


def test_sample_outputs_are_current(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    for name, text in generate().items():
        path = SAMPLES / name
        assert path.exists(), f"{name} missing: run `make samples`"
        assert path.read_text("utf-8") == text, (
            f"{name} is stale: run `make samples` and review the diff"
        )
