"""Benchmarks 4 and 5: the LLM's input tokens (raw documents vs sent vs a lower bound), and
its wall time against concurrency on a loopback server."""

from __future__ import annotations

import math
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.common import corpus, record, table


class StubClient:
    """An in-process stand-in for the OpenAI client: honest answers, no network."""

    def __init__(self) -> None:
        from tests.servers.openai_server import completion, honest_answer

        self._answer, self._completion = honest_answer, completion
        self.calls = 0
        self.chat = self
        self.completions = self

    def with_options(self, **_kw: Any) -> StubClient:
        return self

    def create(self, **request: Any) -> Any:
        from openai.types.chat import ChatCompletion

        self.calls += 1
        return ChatCompletion.model_validate(self._completion(self._answer(request)))


def token_cost(inputs: list[str], days: list[str | None], state: Path) -> dict[str, Any]:
    from briefing import app, pipeline
    from briefing.config import load_settings
    from briefing.state import Store
    from briefing.summarise import LLMSettings, OpenAISummariser, load
    from briefing.tokens import count

    settings = load_settings(base_url="http://stub.invalid/v1", api_key="x", state_dir=state,
                             topic="T", max_sections=10_000, also_reported=0, cache=False)  # fmt: skip
    # fixed prompt overhead of one call: the packed prompt's system and user text with no stories
    overhead = sum(count(m) + 4 for m in load("story_batch").render(topic="T", summary_lines=3, stories=[]))
    sent = raw = raw_all = unique = calls = 0
    second_calls = 0
    for day in days:
        req = app.request(settings, inputs, day=datetime.fromisoformat(day).date() if day else None)
        try:
            prep = pipeline.prepare(app.read_inputs(req), req.window, datetime.now(UTC))
        except Exception:
            continue
        if not prep.stories:
            continue
        in_window_docs = {e.document for e in prep.in_window}
        raw_all += sum(count(d.raw_text) for d in prep.read.documents) + overhead
        raw += sum(count(d.raw_text) + overhead for d in prep.read.documents
                   if d.id in in_window_docs)  # fmt: skip
        unique_day = sum(count(it.canonical.text) for it in prep.deduped.items)
        unique += unique_day + overhead * max(1, math.ceil(unique_day / settings.max_input_tokens))
        for attempt in (1, 2):
            stub = StubClient()
            with Store(state) as store:
                summariser = OpenAISummariser(LLMSettings.from_settings(settings), store, client=stub)
                b = app.produce(req, None, summariser=summariser).briefing
            if attempt == 1:
                sent += b.stats.tokens_in_estimate
                calls += stub.calls
            else:
                second_calls += stub.calls
    return {
        "sent": sent,
        "raw": raw,
        "raw_all_inputs": raw_all,
        "saving_vs_all_inputs": 1 - sent / raw_all if raw_all else 0.0,
        "lower_bound": unique,
        "calls": calls,
        "second_run_calls": second_calls,
        "saving_vs_raw": 1 - sent / raw if raw else 0.0,
        "vs_lower_bound": sent / unique if unique else 0.0,
    }


def bench_tokens(n: int) -> dict[str, Any]:
    import tempfile

    from briefing.app import sample_corpus

    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        out["sample (2 days)"] = token_cost(
            [str(sample_corpus())], ["2025-02-12", "2025-02-13"], Path(tmp) / "a"
        )
        days = [f"2025-02-{d:02d}" for d in range(1, 29)]
        out[f"synthetic {n} (28 days)"] = token_cost([str(corpus(n))], days, Path(tmp) / "b")
    rows = [[k, f"{v['raw_all_inputs']:,}", f"{v['raw']:,}", f"{v['sent']:,}", f"{v['lower_bound']:,}",
             f"{v['saving_vs_all_inputs']:.0%}", f"{v['saving_vs_raw']:.0%}", f"{v['vs_lower_bound']:.2f}x",
             v["calls"], v["second_run_calls"]] for k, v in out.items()]  # fmt: skip
    table("4. LLM input tokens (tiktoken, real prompts): raw documents vs sent vs lower bound",
          ["corpus", "raw, all inputs", "raw, docs in window", "sent", "lower bound", "below all", "below in-window",
           "vs bound", "calls", "rerun calls"], rows)  # fmt: skip
    record("tokens", out)
    return out


# ---------------------------------------------------------------- 5. LLM concurrency


def bench_concurrency(latency: float = 0.3) -> dict[str, Any]:
    from briefing import app
    from briefing.config import load_settings
    from briefing.summarise import LLMSettings, OpenAISummariser
    from tests.servers.openai_server import FakeOpenAI

    out: dict[str, dict[int, dict[str, Any]]] = {}
    for mode, packed in (("warm-up", True), ("packed (default)", True), ("one call per story", False)):
        out[mode] = {}
        for conc in (1,) if mode == "warm-up" else (1, 4, 8, 16):
            with FakeOpenAI(latency=latency) as server:
                settings = load_settings(base_url=server.base_url, api_key="x", concurrency=conc,
                                         batch_stories=packed, topic="T", max_sections=100,
                                         also_reported=0)  # fmt: skip
                req = app.request(settings, sample=True)
                t = time.perf_counter()
                b = app.produce(req, None, summariser=OpenAISummariser(LLMSettings.from_settings(settings), None)).briefing
                out[mode][conc] = {"seconds": time.perf_counter() - t, "calls": b.stats.llm_calls,
                                   "overlap": server.max_overlap(), "tokens_in": b.stats.tokens_in_estimate}  # fmt: skip
    del out["warm-up"]  # imports and first-use loading, not measured
    rows = [[mode, c, f"{v['seconds']:.2f}", v["calls"], f"{v['tokens_in']:,}", v["overlap"],
             f"{runs[1]['seconds'] / v['seconds']:.1f}x"]
            for mode, runs in out.items() for c, v in runs.items()]  # fmt: skip
    table(f"5. LLM wall time vs concurrency (loopback server, {latency:.1f} s per call; all 3 sample days)",
          ["mode", "concurrency", "seconds", "calls", "tokens in", "max in flight", "speed-up"], rows)  # fmt: skip
    record("concurrency", out)
    return out
