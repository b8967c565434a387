"""Opt-in tier: brief the sample through a real model (`make local-llm`, then `make test-llm`).

Skipped unless BRIEFING_TEST_LLM_URL points at a running OpenAI-compatible server.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing.check import check_bullet
from briefing.config import load_settings
from briefing.state import Store
from briefing.summarise import LLMSettings, OpenAISummariser

from .conftest import brief

URL = os.environ.get("BRIEFING_TEST_LLM_URL")
pytestmark = [pytest.mark.llm, pytest.mark.skipif(not URL, reason="BRIEFING_TEST_LLM_URL not set")]


def test_real_model_briefs_the_sample_and_every_bullet_passes(tmp_path: Path) -> None:
    import openai

    model = openai.OpenAI(base_url=URL, api_key="local").models.list().data[0].id
    settings = load_settings(base_url=URL, api_key="local", model=model, timeout=900, concurrency=1)
    b = brief("2025-02-13", OpenAISummariser(LLMSettings.from_settings(settings), Store(tmp_path)))
    assert b.summariser.backend == "openai" and b.summariser.model == model
    assert b.stats.llm_calls > 0 and b.all_bullets()
    texts = {k: v.text for k, v in b.sources.items()}
    for x in b.all_bullets():
        assert check_bullet(x.text, x.citations, texts).ok, x.text
