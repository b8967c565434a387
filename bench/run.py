"""Benchmarks, each against a baseline measured in the same run (`make bench`).

    python bench/run.py [--sizes 1000,10000,100000] [--naive-max 10000] [--only NAME ...]
    python bench/run.py --only wholerun --dataset DIR   # whole runs on real text (wholerun.py)

Prints a table per benchmark and appends one JSON line per benchmark to
bench/results/results.jsonl (machine, commit, figures). Not part of `make test`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import resource
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
RESULTS = HERE / "results" / "results.jsonl"
sys.path.insert(0, str(ROOT))


def machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()  # fmt: skip
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "commit": commit, "at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip


def record(name: str, figures: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as f:
        f.write(json.dumps({"bench": name, **machine(), "figures": figures}) + "\n")


def table(title: str, header: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)))


def corpus(n: int) -> Path:
    from bench.corpus import Generator, truth_path, write

    folder = DATA / f"corpus_{n}"
    if not truth_path(folder).exists():
        write(Generator(7).generate(n), folder, 7)
    return folder


# ---------------------------------------------------------------- 1. pipeline throughput


def pipeline_child(folder: str) -> None:
    """Runs in a fresh process: ingest + clean + parse + chunk + dedupe; prints figures."""
    t0 = time.perf_counter()
    from zoneinfo import ZoneInfo

    from briefing.clean import load_rules
    from briefing.dedupe import dedupe
    from briefing.ingest import ingest
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


def _tree_pss(root: int) -> int:
    """Bytes of memory the process tree under `root` really holds: the sum of its processes'
    PSS (shared pages, like a forked worker's view of its parent, are split among sharers).
    Linux only; 0 elsewhere."""
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total


def bench_pipeline(sizes: list[int]) -> dict[str, Any]:
    rows, out = [], {}
    for n in sizes:
        folder = corpus(n)
        t = time.perf_counter()
        proc = subprocess.Popen([sys.executable, __file__, "_pipeline", str(folder)], stdout=subprocess.PIPE,
                                text=True, cwd=ROOT)  # fmt: skip
        peak_pss = 0
        while proc.poll() is None:  # sample the whole tree's memory, workers included
            peak_pss = max(peak_pss, _tree_pss(proc.pid))
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


# ---------------------------------------------------------------- 2+3. dedupe vs naive, accuracy


def parsed(n: int) -> tuple[list[Any], dict[tuple[str, int], tuple[int, str]]]:
    from zoneinfo import ZoneInfo

    from bench.corpus import truth_path
    from briefing.clean import load_rules
    from briefing.ingest import ingest

    folder = corpus(n)
    tz = ZoneInfo("Europe/London")
    entries = []
    for item in ingest([str(folder)], rules=load_rules(), tz=tz).loaded:
        entries += item.entries
    truth = {(t["file"][:-4], t["index"]): (t["group"], t["kind"])
             for t in json.loads(truth_path(folder).read_text())["entries"]}  # fmt: skip
    return entries, truth


def naive_groups(entries: list[Any], near: float, contain: float) -> list[set[int]]:
    """The baseline: every pair compared (Jaccard and containment of word 3-shingles)."""
    from briefing.dedupe import shingles

    sets = [frozenset(shingles(e.body).tolist()) for e in entries]
    parent = list(range(len(entries)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i in range(len(sets)):
        a = sets[i]
        la = len(a)
        for j in range(i + 1, len(sets)):
            b = sets[j]
            inter = len(a & b)
            if not inter:
                continue
            lb = len(b)
            if (
                inter / (la + lb - inter) >= near
                or (inter / min(la, lb) >= contain
                and min(la, lb) >= 12)
            ):
                parent[find(j)] = find(i)
    groups: dict[int, set[int]] = defaultdict(set)
    for i in range(len(entries)):
        groups[find(i)].add(i)
    return list(groups.values())


def pair_scores(groups: list[set[int]], truth: list[tuple[int, str]]) -> dict[str, Any]:
    """Pairwise precision/recall/F1, and recall per kind of copy."""
    predicted = {(a, b) for g in groups for a in g for b in g if a < b}
    by_group: dict[int, list[int]] = defaultdict(list)
    for i, (g, _k) in enumerate(truth):
        by_group[g].append(i)
    actual = {(a, b) for members in by_group.values() for a in members for b in members if a < b}
    tp = len(predicted & actual)
    p = tp / len(predicted) if predicted else 1.0
    r = tp / len(actual) if actual else 1.0
    per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a, b in actual:
        kind = truth[b][1] if truth[b][1] != "original" else truth[a][1]
        per_kind[kind][1] += 1
        per_kind[kind][0] += (a, b) in predicted
    false_pos: dict[str, int] = defaultdict(int)
    for a, b in predicted - actual:
        kinds = {truth[a][1], truth[b][1]}
        false_pos["distinct" if "distinct" in kinds else "other"] += 1
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": p, "recall": r, "f1": f1, "pairs": len(actual),
            "recall_by_kind": {k: v[0] / v[1] for k, v in sorted(per_kind.items())},
            "false_pairs": dict(false_pos)}  # fmt: skip


def bench_dedupe(sizes: list[int], naive_max: int) -> dict[str, Any]:
    from briefing.dedupe import CONTAIN_THRESHOLD, NEAR_THRESHOLD, dedupe

    rows, out = [], {}
    for n in sizes:
        entries, truth_map = parsed(n)
        entries = [e for e in entries if e.kind != "link"]
        truth = [truth_map[(e.document, e.position)] for e in entries]
        t = time.perf_counter()
        result = dedupe(entries)
        ours_s = time.perf_counter() - t
        index = {id(e): i for i, e in enumerate(entries)}
        ours_groups = [{index[id(m)] for m in it.members} for it in result.items]
        ours = pair_scores(ours_groups, truth)
        f: dict[str, Any] = {"ours_s": ours_s, "ours": ours}
        naive_s = None
        if n <= naive_max:
            t = time.perf_counter()
            naive = pair_scores(naive_groups(entries, NEAR_THRESHOLD, CONTAIN_THRESHOLD), truth)
            naive_s = time.perf_counter() - t
            f.update(naive_s=naive_s, naive=naive, speedup=naive_s / ours_s)
        out[n] = f
        rows.append([n, f"{ours_s:.2f}", f"{naive_s:.1f}" if naive_s else "-",
                     f"{naive_s / ours_s:.0f}x" if naive_s else "-", f"{ours['f1']:.4f}",
                     f"{f['naive']['f1']:.4f}" if naive_s else "-", f"{ours['precision']:.4f}",
                     f"{ours['recall']:.4f}"])  # fmt: skip
    table("2+3. dedupe (MinHash LSH + sentence index) vs naive all-pairs, pairwise accuracy",
          ["entries", "ours s", "naive s", "speed-up", "ours F1", "naive F1", "precision", "recall"], rows)  # fmt: skip
    for n, f in out.items():
        print(f"  {n}: recall by kind {json.dumps({k: round(v, 4) for k, v in f['ours']['recall_by_kind'].items()})}"
              f"; false pairs {f['ours']['false_pairs']}")  # fmt: skip
    record("dedupe", out)
    return out


def bench_sample_duplicates() -> dict[str, Any]:
    from briefing import app, pipeline
    from briefing.config import Settings

    settings = Settings()
    req = app.request(settings, sample=True)
    prep = pipeline.prepare(app.read_inputs(req), req.window, datetime.now(UTC))
    cross = [(it.canonical.document, it.canonical.headline or it.canonical.body[:60], [m.document for m in it.members])
             for it in prep.deduped.items if len(set(it.documents)) > 1]  # fmt: skip
    print("\nsample corpus cross-file duplicates found:")
    for doc, head, members in cross:
        print(f"  {head!r} kept from {doc}; copies in {sorted(set(members) - {doc})}")
    record(
        "sample_duplicates", {"cross_file": len(cross), "removed": prep.deduped.duplicates_removed}
    )
    return {"cross_file": cross}


# ---------------------------------------------------------------- 4. token cost


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
    from briefing.store import Store
    from briefing.summarise.llm import OpenAISummariser
    from briefing.summarise.prompts import load
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
                summariser = OpenAISummariser(settings.llm_settings(), store, client=stub)
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
    from briefing.summarise.llm import OpenAISummariser
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
                b = app.produce(req, None, summariser=OpenAISummariser(settings.llm_settings(), None)).briefing
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


# ---------------------------------------------------------------- 6. startup


def bench_startup(repeat: int = 5) -> dict[str, Any]:
    exe = str(Path(sys.executable).with_name("briefing"))

    def median(cmd: list[str]) -> float:
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            subprocess.run(
                cmd,
                capture_output=True,
                check=True,
                env={**os.environ, "BRIEFING_STATE_DIR": str(DATA / "startup-state")},
            )
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    baseline = median([sys.executable, "-c", "pass"])
    out = {"python -c pass": baseline, "briefing --help": median([exe, "--help"]),
           "briefing run --sample": median([exe, "run", "--sample", "--date", "2025-02-13"])}  # fmt: skip
    table(
        f"6. start-up (median of {repeat})",
        ["command", "seconds"],
        [[k, f"{v:.3f}"] for k, v in out.items()],
    )
    record("startup", out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--naive-max", type=int, default=10000)
    ap.add_argument("--only", nargs="*", default=None,
                    help="pipeline, dedupe, tokens, concurrency, startup, wholerun")  # fmt: skip
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
        bench_dedupe([n for n in sizes if n <= 10000], args.naive_max)
        bench_sample_duplicates()
    if "tokens" in todo:
        bench_tokens(10000 if 10000 in sizes else sizes[0])
    if "concurrency" in todo:
        bench_concurrency()
    if "startup" in todo:
        bench_startup()
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
