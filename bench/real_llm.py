"""Real LLM output: brief held-out dev live blogs through a real model and keep every bullet.

Issue 22, item 4. Start a model first (`make local-llm`, Qwen2.5-Coder-1.5B on 127.0.0.1:8088),
then:

    .venv/bin/python -m bench.real_llm --blogs 10 --base-url http://127.0.0.1:8088/v1

Each blog is the first N of the held-out half of `tests/data/blind/liveblogs_dev_split.json`
(split order, never chosen by result), read from DATASET/blogs/<id>.json
(`--dataset`, else BRIEFING_BENCH_DATASET, else ../shared/eval/liveblogs-dev). Each is briefed
by the real CLI (`briefing -v run BLOG --llm openai --format json`), so the checker, re-asks,
drops and the extractive fallback are the ones a user gets. To tell the model's bullets from the
fallback's: a section whose every bullet is a verbatim run of a cited entry was written by the
extractive fallback (it copies whole sentences; the model recases and rewords); the count is
checked against the briefing's notice ("N of M stories were summarised by the extractive
summariser").

Saved to bench/data/real_llm_bullets.json: per bullet the blog, story, text, cited entry ids
and their texts, verdict, reason and origin (`model` or `fallback`); per blog the exit code,
seconds, summariser record, stats, dropped bullets and the re-asks and fallbacks in the log.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SPLIT = ROOT / "tests" / "data" / "blind" / "liveblogs_dev_split.json"
OUT = ROOT / "bench" / "data" / "real_llm_bullets.json"
DEFAULT_DATASET = ROOT.parent.parent / "shared" / "eval" / "liveblogs-dev"
_NOTICE = re.compile(r"(\d+) of (\d+) stories were summarised by the extractive summariser")
# what the summariser logs at -v when it re-asks or falls back (briefing/summarise/llm/)
_LOG = {
    "asked_alone": "nothing usable in the packed answer; asking alone",
    "packed_call_failed": "a packed call failed",
    "story_fallback": "LLM failed (",
    "step_failed": "LLM step failed",
}


def server_model(base_url: str) -> str:
    import openai

    client = openai.OpenAI(base_url=base_url, api_key="local", timeout=30, max_retries=1)
    return client.models.list().data[0].id


def run_cli(blog: Path, out: Path, extra: list[str], limit_s: float) -> tuple[int, float, str]:
    cmd = [sys.executable, "-m", "briefing", "-v", "run", str(blog), "--format", "json",
           "--out", str(out), *extra]  # fmt: skip
    started = time.perf_counter()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=limit_s, cwd=ROOT,
                              env={**os.environ, "COLUMNS": "200"})  # fmt: skip
    except subprocess.TimeoutExpired as exc:
        log = exc.stderr.decode(errors="replace") if isinstance(exc.stderr, bytes) else ""
        return -1, time.perf_counter() - started, log + f"\n(stopped after {limit_s:.0f} s)"
    return proc.returncode, time.perf_counter() - started, proc.stderr


def fallback_sections(briefing: dict[str, Any]) -> set[int]:
    """Indexes of the sections the extractive summariser wrote: every bullet is, character for
    character, a run of one of its cited entries (the extractive summariser copies whole
    sentences; the model recases and rewords). Checked against the notice's count."""
    texts = {k: " ".join(v["text"].split()) for k, v in briefing["sources"].items()}

    def copied(x: dict[str, Any]) -> bool:
        return any(" ".join(x["text"].split()) in texts.get(c, "") for c in x["citations"])

    return {i for i, s in enumerate(briefing["sections"])
            if s["bullets"] and all(copied(x) for x in s["bullets"])}  # fmt: skip


def brief_blog(blog: Path, base_url: str, model: str, state: Path, timeout: float,
               limit_s: float) -> tuple[dict[str, Any], list[dict[str, Any]]]:  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="real-llm-") as tmp:
        llm_out = Path(tmp) / "llm"
        code, seconds, log = run_cli(blog, llm_out, ["--llm", "openai", "--base-url", base_url,
                                     "--model", model, "--timeout", str(timeout),
                                     "--concurrency", "1", "--state", str(state)], limit_s)  # fmt: skip
        record: dict[str, Any] = {"blog": blog.stem, "exit": code, "seconds": round(seconds, 1),
                                  "log": {k: log.count(v) for k, v in _LOG.items()}}  # fmt: skip
        if not (llm_out / "briefing.json").exists():
            record["error"] = log.strip().splitlines()[-1:] if log.strip() else ["no output"]
            return record, []
        b = json.loads((llm_out / "briefing.json").read_text())
    fallback = fallback_sections(b)
    notice = b["summariser"].get("notice") or ""
    m = _NOTICE.search(notice)
    record.update(summariser=b["summariser"], stats=b["stats"], dropped=b["dropped"],
                  sections=len(b["sections"]), fallback_sections=len(fallback),
                  notice_fallback_stories=int(m.group(1)) if m else 0,
                  degraded=b["summariser"].get("degraded", False))  # fmt: skip
    sources = b["sources"]
    bullets = []
    for i, s in enumerate(b["sections"]):
        origin = "fallback" if (b["summariser"]["backend"] != "openai" or i in fallback) else "model"
        for x in s["bullets"]:
            bullets.append({
                "blog": blog.stem, "story": s["story_id"], "section": s["title"],
                "text": x["text"], "citations": x["citations"],
                "cited": {c: sources[c]["text"] if c in sources else None for c in x["citations"]},
                "evidence": [e["text"] for e in x.get("evidence", [])],
                "verdict": x["verdict"], "reason": x.get("reason"),
                "verified_by": x.get("verified_by", []), "origin": origin,
            })  # fmt: skip
    return record, bullets


def summary(records: list[dict[str, Any]], bullets: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [r for r in records if "error" not in r]
    by = Counter((x["origin"], x["verdict"]) for x in bullets)
    return {
        "blogs": len(records), "briefed": len(ok),
        "model_bullets_by_verdict": {v: by[("model", v)] for v in
                                     ("supported", "unconfirmed", "contradicted")},
        "fallback_bullets_by_verdict": {v: by[("fallback", v)] for v in
                                        ("supported", "unconfirmed", "contradicted")},
        "dropped": sum(len(r["dropped"]) for r in ok),
        "dropped_reasons": Counter(d["reason"].split(":")[0][:60] for r in ok
                                   for d in r["dropped"]).most_common(12),
        "sections": sum(r["sections"] for r in ok),
        "fallback_sections": sum(r["fallback_sections"] for r in ok),
        "notice_fallback_stories": sum(r["notice_fallback_stories"] for r in ok),
        "asked_alone": sum(r["log"]["asked_alone"] for r in ok),
        "packed_calls_failed": sum(r["log"]["packed_call_failed"] for r in ok),
        "llm_calls": sum(r["stats"]["llm_calls"] for r in ok),
        "cache_hits": sum(r["stats"]["cache_hits"] for r in ok),
        "seconds": round(sum(r["seconds"] for r in records), 1),
        "exit_codes": dict(Counter(str(r["exit"]) for r in records)),
    }  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--blogs", type=int, default=10, help="the first N held-out blogs")
    ap.add_argument("--skip", type=int, default=0, help="start after this many held-out blogs")
    ap.add_argument("--base-url", default="http://127.0.0.1:8088/v1")
    ap.add_argument("--model", help="default: the first model the server lists")
    ap.add_argument("--dataset", type=Path, help="DIR with blogs/<id>.json")
    ap.add_argument("--state", type=Path, default=Path(tempfile.gettempdir()) / "briefing-real-llm",
                    help="state folder (its LLM cache makes a rerun cheap)")
    ap.add_argument("--timeout", type=float, default=600.0, help="seconds per LLM request")
    ap.add_argument("--limit-s", type=float, default=1800.0, help="stop one blog's run after this")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--append", action="store_true", help="add to the blogs already in --out")
    args = ap.parse_args()
    dataset = args.dataset or Path(os.environ.get("BRIEFING_BENCH_DATASET") or DEFAULT_DATASET)
    ids = json.loads(SPLIT.read_text())["heldout"][args.skip:args.skip + args.blogs]
    model = args.model or server_model(args.base_url)
    records: list[dict[str, Any]] = []
    bullets: list[dict[str, Any]] = []
    if args.append and args.out.exists():
        old = json.loads(args.out.read_text())
        records, bullets = old["blogs"], old["bullets"]
        ids = [i for i in ids if i not in {r["blog"] for r in records}]
    for blog_id in ids:
        record, got = brief_blog(dataset / "blogs" / f"{blog_id}.json", args.base_url, model,
                                 args.state, args.timeout, args.limit_s)  # fmt: skip
        records.append(record)
        bullets.extend(got)
        print(f"{blog_id[:12]}: exit {record['exit']}, {record['seconds']:.0f} s, "
              f"{len(got)} bullets", file=sys.stderr, flush=True)  # fmt: skip
        result = {"model": model, "base_url": args.base_url, "split": str(SPLIT.relative_to(ROOT)),
                  "summary": summary(records, bullets), "blogs": records, "bullets": bullets}  # fmt: skip
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(json.dumps(summary(records, bullets), indent=1))


if __name__ == "__main__":
    main()
