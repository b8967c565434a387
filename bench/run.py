"""Benchmarks, each against a baseline measured in the same run (`make bench`).

    python bench/run.py [--sizes 1000,10000,100000] [--naive-max 10000] [--only NAME ...]
    python bench/run.py --only wholerun --dataset DIR   # whole runs on real text (wholerun.py)

Prints a table per benchmark and appends one JSON line per benchmark to
bench/results/results.jsonl (machine, commit, figures). Not part of `make test`. Here: the
pipeline's throughput (1) and start-up (6); dedupe against all pairs and its accuracy (2+3)
are in `accuracy.py`, the LLM's tokens and concurrency (4, 5) in `llm.py`, whole runs in
`wholerun.py`; `common.py` holds what they share.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import DATA, RESULTS, ROOT, corpus, record, table, tree_pss

# ---------------------------------------------------------------- 1. pipeline throughput


def pipeline_child(folder: str) -> None:
    """Runs in a fresh process: ingest + clean + parse + chunk + dedupe; prints figures."""
    t0 = time.perf_counter()
    from zoneinfo import ZoneInfo

    from briefing.ingest import ingest, load_rules
    from briefing.pipeline.dedupe import dedupe
    from briefing.tokens import chunk_entries

    tz = ZoneInfo("Europe/London")
    t1 = time.perf_counter()
    ing = ingest([folder], rules=load_rules(), tz=tz)
    t2 = time.perf_counter()
    entries = []
    for item in ing.loaded:  # entries are made by ingest (in the workers, for many files)
        entries += item.entries
    t3 = time.perf_counter()
    chunks = len(chunk_entries(entries, 512))
    t4 = time.perf_counter()
    result = dedupe([e for e in entries if e.kind != "link"])
    t5 = time.perf_counter()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    worker_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # ingest workers
    print(json.dumps({"entries": len(entries), "chunks": chunks, "items": len(result.items),
                      "import": t1 - t0, "ingest": t2 - t1, "parse": t3 - t2, "chunk": t4 - t3,
                      "dedupe": t5 - t4, "pipeline": t5 - t1, "peak_rss": rss, "worker_peak_rss": worker_rss}))  # fmt: skip


def bench_pipeline(sizes: list[int]) -> dict[str, Any]:
    rows, out = [], {}
    for n in sizes:
        folder = corpus(n)
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "_pipeline", str(folder)], stdout=subprocess.PIPE,
                                text=True, cwd=ROOT)  # fmt: skip
        peak_pss = 0
        while proc.poll() is None:  # sample the whole tree's memory, workers included
            peak_pss = max(peak_pss, tree_pss(proc.pid))
            time.sleep(0.2)
        stdout = proc.stdout.read() if proc.stdout else ""
        if proc.returncode:
            raise SystemExit(f"pipeline child failed with exit {proc.returncode}")
        wall = time.perf_counter() - t
        f = json.loads(stdout.strip().splitlines()[-1])
        f["wall"] = wall
        f["peak_tree_pss"] = peak_pss
        out[n] = f
        rows.append(
            [
                n,
                f"{wall:.1f}",
                f"{f['pipeline']:.1f}",
                f"{f['entries'] / f['pipeline']:,.0f}",
                f"{f['peak_rss'] / 2**20:,.0f} (+{f.get('worker_peak_rss', 0) / 2**20:,.0f})",
                f"{peak_pss / 2**20:,.0f}",
                f"{f['ingest']:.1f}/{f['parse']:.1f}/{f['chunk']:.1f}/{f['dedupe']:.1f}",
            ]
        )
    ns = sorted(out)
    exponent = None
    if len(ns) >= 2:
        xs = [math.log(n) for n in ns]
        ys = [math.log(out[n]["pipeline"]) for n in ns]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        exponent = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mx) ** 2 for x in xs
        )
    table("1. pipeline: ingest + clean + parse + chunk + dedupe (fresh process per size)",
          ["entries", "wall s", "pipeline s", "entries/s", "peak RSS MB (+worker)", "peak PSS MB, all processes",
           "ingest+parse/-/chunk/dedupe s"], rows)  # fmt: skip
    print(f"scaling exponent (log-log fit of pipeline time): {exponent:.2f}" if exponent else "")
    figures = {"sizes": out, "exponent": exponent}
    record("pipeline", figures)
    return figures


# ---------------------------------------------------------------- 6. startup


STARTUP_FILE = "briefing/data/corpus/001_e4295a515bf2662b.txt"  # one 9 KB live blog


def bench_startup(repeat: int = 3, base: str | None = "main") -> dict[str, Any]:
    """Median wall time of three commands in a fresh process each, this code and `base` (a git
    worktree, same interpreter and harness) measured alternately, so that both see the same
    load: `--help`, a run of one 9 KB file, `run --sample`. Python may write bytecode, as it
    does for an installed package, and each command runs once unmeasured first, so a run is
    timed as a user's second run is (PYTHONDONTWRITEBYTECODE=1 would add ~0.2 s of compiling)."""
    from bench.wholerun import worktree

    codes = {"this": ROOT}
    if base and base != "none":
        codes[f"base {base}"] = worktree(base)
    state = DATA / "startup-state"
    commands = {
        "briefing --help": ["--help"],
        "briefing run FILE (one 9 KB file)": ["run", STARTUP_FILE, "--llm", "extractive",
                                              "--no-state", "--out", str(DATA / "startup-out")],
        "briefing run --sample": ["run", "--sample", "--date", "2025-02-13", "--llm",
                                  "extractive", "--no-state", "--out", str(DATA / "startup-out")],
    }
    walls: dict[str, dict[str, list[float]]] = {c: {k: [] for k in codes} for c in commands}
    base_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    for name, args in commands.items():
        for i in range(repeat + 1):
            for key, code in codes.items():
                env = {**base_env, "PYTHONPATH": str(code), "BRIEFING_STATE_DIR": str(state)}
                t = time.perf_counter()
                subprocess.run([sys.executable, "-c", "from briefing.cli import main; main()", *args],
                               capture_output=True, check=True, env=env, cwd=code)
                if i:  # the first round writes bytecode and warms the file cache
                    walls[name][key].append(time.perf_counter() - t)
    out = {c: {k: statistics.median(v) for k, v in by.items()} for c, by in walls.items()}
    t = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    out["python -c pass"] = {"this": time.perf_counter() - t}
    load = os.getloadavg()[0]
    table(f"6. start-up (median of {repeat}; load average {load:.1f})",
          ["command", *codes], [[c, *(f"{by[k]:.3f}" if k in by else "-" for k in codes)] for c, by in out.items()])
    record("startup", {"median_s": out, "load": load, "base": base})
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--naive-max", type=int, default=10000)
    ap.add_argument("--only", nargs="*", default=None,
                    help="pipeline, dedupe, tokens, concurrency, startup, flood, wholerun")  # fmt: skip
    ap.add_argument("--startup-base", default="main", help="git ref start-up (and floods) are compared with ('none': skip)")
    ap.add_argument("--flood-sizes", default="5000,40000")
    ap.add_argument("--flood-base", action="store_true", help="run the floods with --startup-base's code too (main: > 150 s, GBs)")
    from bench.wholerun import add_arguments

    add_arguments(ap)
    args = ap.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    random.seed(7)
    todo = args.only or ["pipeline", "dedupe", "tokens", "concurrency", "startup"]
    started = time.perf_counter()
    if "pipeline" in todo:
        bench_pipeline(sizes)
    if "dedupe" in todo:
        from bench.accuracy import bench_dedupe, bench_sample_duplicates

        bench_dedupe([n for n in sizes if n <= 10000], args.naive_max)
        bench_sample_duplicates()
    if "tokens" in todo:
        from bench.llm import bench_tokens

        bench_tokens(10000 if 10000 in sizes else sizes[0])
    if "concurrency" in todo:
        from bench.llm import bench_concurrency

        bench_concurrency()
    if "startup" in todo:
        bench_startup(args.repeat, args.startup_base)
    if "flood" in todo:
        from bench.flood import bench_flood

        bench_flood(args)
    if "wholerun" in todo:
        from bench.wholerun import BEFORE, bench_wholerun

        args.base = args.base or BEFORE
        bench_wholerun(args)
    print(
        f"\nall benchmarks: {time.perf_counter() - started:.0f} s; results appended to {RESULTS.relative_to(ROOT)}"
    )


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "_pipeline":
        pipeline_child(sys.argv[2])
    else:
        main()
