"""LLM answers, whatever their bytes (issue 24): a body that is not UTF-8, a response nested
very deep outside the content, or a huge body never ends a run with a traceback: each is
unusable, re-asked, then the story is written extractively and `run` exits 4. The huge body
is cut while reading (MAX_RESPONSE_BYTES), not read in full. A real OpenAI-compatible
server on 127.0.0.1 through the real `openai` client."""

from __future__ import annotations

import json
import resource
import time
from typing import Any

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.errors import EXIT_DEGRADED
from briefing.summarise.llm.schemas import MAX_RESPONSE_BYTES, MAX_RESPONSE_DEPTH

from ..servers.openai_server import FakeOpenAI, Reply, completion

runner = CliRunner()
HEAD = b'{"id":"x","object":"chat.completion","created":0,"model":"m","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"'  # fmt: skip
TAIL = b'"}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2}}'
DEEP = 100_000


def bodies() -> dict[str, bytes]:
    deep = completion("{}")
    raw = json.dumps(deep).encode()
    nested = b'"extra":' + b"[" * DEEP + b"]" * DEEP + b","
    return {
        "not utf-8": HEAD + b"caf\xe9 \xff\xfe" + TAIL,
        "nested deep": raw[:1] + nested + raw[1:],
        "nested past the cap": raw[:1] + b'"extra":' + b"[" * (MAX_RESPONSE_DEPTH + 1)
        + b"]" * (MAX_RESPONSE_DEPTH + 1) + b"," + raw[1:],
        "huge": HEAD + b"a" * (40 * 1024 * 1024) + TAIL,
    }


BODIES = bodies()


def run_against(body: bytes) -> tuple[Any, FakeOpenAI, float]:
    with FakeOpenAI(script=lambda _req, _n: Reply(body=body)) as server:
        start = time.monotonic()
        r = runner.invoke(app, ["run", "--sample", "--no-state", "--format", "json", "--llm",
                                "openai", "--base-url", server.base_url, "--max-retries", "0"])  # fmt: skip
        return r, server, time.monotonic() - start


@pytest.mark.parametrize("kind", list(BODIES))
def test_any_llm_answer_degrades_to_the_extractive_briefing(kind: str) -> None:
    r, server, _took = run_against(BODIES[kind])
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    assert r.exit_code == EXIT_DEGRADED, r.stderr[-2000:]
    b = json.loads(r.stdout)
    assert b["sections"] and all(s["bullets"] for s in b["sections"])  # nothing lost
    assert b["summariser"]["degraded"], b["summariser"]
    assert "Traceback" not in r.stderr
    assert 1 <= len(server.requests) <= 2 * len(b["sections"]) + 2, len(server.requests)


def test_a_huge_answer_is_cut_while_reading() -> None:
    """A 40 MB answer: cut after MAX_RESPONSE_BYTES (2 MB), so the run's peak memory grows
    by far less than the answer; the notice names the limit."""
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kB
    r, _server, _took = run_against(BODIES["huge"])
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    assert r.exit_code == EXIT_DEGRADED
    assert f"over the {MAX_RESPONSE_BYTES:,}-byte limit" in r.stderr
    assert grown_mb < 40, grown_mb  # the 40 MB body (and its copies) were never held


def test_the_reasons_are_named() -> None:
    r, _s, _t = run_against(BODIES["not utf-8"])
    assert "not valid UTF-8 (byte 0xe9" in r.stderr
    r, _s, _t = run_against(BODIES["nested deep"])
    assert f"nests deeper than {MAX_RESPONSE_DEPTH} levels" in r.stderr
