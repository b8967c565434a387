"""Unbounded cost (issue 14, class 7; OWASP LLM10) and an LLM that cannot be used (issue 17):
every request carries max_tokens, a flooding model cannot flood the briefing or the state,
a per-run token budget hands the rest to the extractive summariser, and a server that is
down or mis-addressed is given up within seconds, named, without exception class names."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from briefing.config import load_settings
from briefing.state import Store
from briefing.summarise import LLMSettings, OpenAISummariser

from ..conftest import brief
from ..servers.openai_server import FakeOpenAI, Reply, completion, honest_answer
from ..servers.smtp import free_port


def llm(server_url: str, tmp_path: Path | None = None, **kw: Any) -> OpenAISummariser:
    settings = load_settings(base_url=server_url, api_key="k", **{"max_retries": 0, **kw})
    return OpenAISummariser(LLMSettings.from_settings(settings), Store(tmp_path) if tmp_path else None)


def flood(req: dict[str, Any], _n: int) -> Reply:
    """2,000 bullets per story citing real entries, five of them 80 KB strings."""
    answer = json.loads(honest_answer(req))
    for story in answer.get("stories", []):
        cite = story["bullets"][0]["citations"] if story["bullets"] else []
        many = [{"text": f"Flood bullet number {i} says nothing at all.", "citations": cite}
                for i in range(2000)]  # fmt: skip
        huge = [{"text": "flood " * 13_000, "citations": cite}] * 5
        story["bullets"] = huge + many
    return Reply(body=completion(json.dumps(answer)))


def test_a_flooding_model_cannot_flood_the_briefing(tmp_path: Path) -> None:
    """2,000 bullets per story, five of 80 KB: every request carried max_tokens; the briefing
    JSON stays under 200 KB and the state under 2 MB; at most 51 dropped entries are listed,
    each at most 300 characters."""
    with FakeOpenAI(script=flood) as server:
        store = Store(tmp_path / "state")
        b = brief("2025-02-13", llm(server.base_url, tmp_path / "state"), store=store)
        asked = [r.get("max_tokens") for r in server.requests]
    assert asked and all(isinstance(n, int) and 0 < n <= 8000 for n in asked), asked
    size = len(b.model_dump_json())
    assert size < 200_000, size
    assert len(b.dropped) <= 51 and all(len(d.text) <= 300 for d in b.dropped)
    state = sum(p.stat().st_size for p in (tmp_path / "state").iterdir())
    assert state < 2_000_000, state


def test_bullets_per_story_are_capped_in_the_schema() -> None:
    with FakeOpenAI() as server:
        brief("2025-02-13", llm(server.base_url))
        schema = server.requests[0]["response_format"]["json_schema"]["schema"]
    story = schema["properties"]["stories"]["items"]
    assert 1 <= story["properties"]["bullets"]["maxItems"] <= 20


def costly(req: dict[str, Any], _n: int) -> Reply:
    """Honest answers that cost 1,200 tokens each, as the server counts them."""
    body = completion(honest_answer(req))
    body["usage"] = {"prompt_tokens": 1000, "completion_tokens": 200, "total_tokens": 1200}
    return Reply(body=body)


def test_the_token_budget_sends_the_rest_to_the_extractive_summariser() -> None:
    """llm_token_budget 3,000, one call per story, each call 1,200 tokens: 2 calls are made
    (a third could pass the budget), the other stories are extractive, with a notice."""
    with FakeOpenAI(script=costly) as server:
        b = brief("2025-02-13", llm(server.base_url, llm_token_budget=3000, batch_stories=False,
                                    concurrency=1))  # fmt: skip
        calls = len(server.requests)
    assert b.summariser.degraded and "token budget (3,000 tokens) was spent" in (b.summariser.notice or "")
    assert calls == 2 < b.stats.stories and b.stats.tokens_in + b.stats.tokens_out == 2400


def test_an_llm_server_that_is_down_is_given_up_within_seconds() -> None:
    """Nothing listens at base_url: the briefing is extractive within 5 s (not after retries
    for every story), and its notice names the URL and no exception class."""
    url = f"http://127.0.0.1:{free_port()}/v1"
    start = time.monotonic()
    b = brief("2025-02-13", llm(url, max_retries=3))
    assert time.monotonic() - start < 5
    notice = b.summariser.notice or ""
    assert b.summariser.degraded and url in notice and "connection refused" in notice
    assert not re.search(r"\b[A-Z][a-z]+(Error|Exception)\b", notice), notice


def test_a_base_url_without_v1_gets_a_hint() -> None:
    """The server answers 404 on /chat/completions (the /v1 is missing): one request, and the
    notice says so."""

    def missing(req: dict[str, Any], _n: int) -> Reply:
        return Reply(404, {"error": {"message": "not found"}})

    with FakeOpenAI(script=missing) as server:
        b = brief("2025-02-13", llm(server.base_url.removesuffix("/v1"), max_retries=3))
        calls = len(server.requests)
    assert calls == 1 and "is /v1 missing from base_url?" in (b.summariser.notice or "")
