"""Whole runs through the real CLI, from inputs to a written briefing (`bench/run.py --only
wholerun`, or `make bench-wholerun`).

Each run is `briefing -v run INPUT --format json --out TMP --no-state --llm extractive
[--date D]` in a fresh process; the bench samples the summed PSS of the whole process tree
(forked workers included) every 0.2 s, and reads the per-stage times the run logs at -v
("dedupe: 7,195 items once copies are merged in 2.10 s"); "summarise" includes the check and
the assembly of the briefing, and what is left of the wall time is start-up, writing and exit. The same runs go through the code before this change (a `git worktree`
of `--base`, run with the same interpreter) so the change shows as a ratio; the old code is
stopped at a memory cap (`--mem-cap-gb`) or a time limit (`--limit-s`), since it needed 16 GB
at 10k entries.

The corpora are built by `bench/realtext.py` from a folder of real live blogs given with
`--dataset DIR` or the BRIEFING_BENCH_DATASET environment variable (see docs/benchmarks.md).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import DATA, ROOT, record, table, tree_pss

BEFORE = "8b7d7be"  # origin/main when the scale work started (the code measured "before")
DATED = "2025-02-14"
_TIMING = re.compile(r"INFO: (read|window|dedupe|stories|summarise)\b.* in ([0-9.]+) s$", re.M)


def add_arguments(ap: Any) -> None:
    """bench/run.py's options for this benchmark."""
    ap.add_argument("--dataset", help="real live blogs (DIR/blogs/*.json); or BRIEFING_BENCH_DATASET")
    ap.add_argument("--wholerun-sizes", default="1000,10000,100000")
    ap.add_argument("--base", default=None, help=f"git ref of the code to compare with (default {BEFORE}; 'none': skip)")
    ap.add_argument("--base-max", type=int, default=10_000, help="largest corpus run with the old code")
    ap.add_argument("--repeat", type=int, default=3, help="runs per case with this code (the median is reported)")
    ap.add_argument("--limit-s", type=float, default=300.0, help="stop a run after this long")
    ap.add_argument("--mem-cap-gb", type=float, default=6.0, help="stop a run above this much memory")
    ap.add_argument("--no-abusive", action="store_true", help="skip the four abusive inputs")


def dataset_dir(given: str | None) -> Path:
    folder = given or os.environ.get("BRIEFING_BENCH_DATASET")
    if not folder or not (Path(folder) / "blogs").is_dir():
        raise SystemExit("wholerun needs a folder of real live blogs (DIR/blogs/*.json): "
                         "--dataset DIR or BRIEFING_BENCH_DATASET=DIR (docs/benchmarks.md)")  # fmt: skip
    return Path(folder)


def worktree(ref: str) -> Path:
    """A checkout of `ref` beside the bench data (made once, reused)."""
    sha = subprocess.run(["git", "rev-parse", "--short", ref], capture_output=True, text=True,
                         cwd=ROOT, check=True).stdout.strip()  # fmt: skip
    path = DATA / f"code-{sha}"
    if not (path / "briefing").is_dir():
        subprocess.run(["git", "worktree", "add", "--detach", str(path), sha], cwd=ROOT, check=True,
                       capture_output=True)  # fmt: skip
    return path


def _kill_tree(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def run_cli(code: Path, args: list[str], limit_s: float, cap_bytes: int) -> dict[str, Any]:
    """One CLI run of the code in `code`; wall time, peak tree PSS, exit code, stage times."""
    out = Path(tempfile.mkdtemp(prefix="wholerun-", dir=DATA))
    cmd = [sys.executable, "-c", "from briefing.cli import main; main()", "-v", "run", *args,
           "--format", "json", "--out", str(out), "--no-state", "--llm", "extractive"]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(code), "COLUMNS": "200"}
    err = out / "stderr.log"
    started = time.perf_counter()
    with err.open("w") as stderr:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=stderr, env=env, cwd=code,
                                start_new_session=True)  # fmt: skip
        peak, stopped = 0, None
        while proc.poll() is None:
            peak = max(peak, tree_pss(proc.pid))
            if peak > cap_bytes:
                stopped = f"over {cap_bytes / 2**30:.0f} GB"
            elif time.perf_counter() - started > limit_s:
                stopped = f"over {limit_s:.0f} s"
            if stopped:
                _kill_tree(proc.pid)
                proc.wait()
                break
            time.sleep(0.2)
    wall = time.perf_counter() - started
    log = err.read_text(errors="replace")
    stages: dict[str, float] = {}
    for name, secs in _TIMING.findall(log):
        stages[name] = stages.get(name, 0.0) + float(secs)
    written = out / "briefing.json"
    result: dict[str, Any] = {"wall": wall, "peak_pss": peak, "exit": proc.returncode,
                              "stopped": stopped, "stages": stages}  # fmt: skip
    if written.exists() and not stopped:
        b = json.loads(written.read_text())
        result.update(sections=len(b["sections"]), stories=b["stats"]["stories"],
                      items=b["stats"]["items"], entries=b["stats"]["entries_in_window"],
                      json_mb=written.stat().st_size / 2**20,
                      also=len(b.get("also_reported", [])))  # fmt: skip
    elif not stopped:
        result["error"] = log.strip().splitlines()[-1:] if log.strip() else ["no output"]
    shutil.rmtree(out, ignore_errors=True)
    return result


def median_run(code: Path, args: list[str], repeat: int, limit_s: float, cap: int) -> dict[str, Any]:
    """The run with the median wall time of `repeat` (all runs' walls kept)."""
    runs = [run_cli(code, args, limit_s, cap) for _ in range(repeat)]
    runs.sort(key=lambda r: r["wall"])
    mid = dict(runs[len(runs) // 2])
    mid["walls"] = [round(r["wall"], 2) for r in runs]
    mid["peak_pss"] = statistics.median(r["peak_pss"] for r in runs)
    return mid


def dedupe_accuracy(folder: Path) -> dict[str, Any]:
    """Pairwise precision/recall/F1 of the current dedupe against the corpus's ground truth."""
    from zoneinfo import ZoneInfo

    from bench.accuracy import pair_scores
    from bench.realtext import truth_path
    from briefing.ingest import ingest, load_rules
    from briefing.pipeline.dedupe import dedupe

    truth_map = {(t["doc"], t["index"]): (t["group"], t["kind"])
                 for t in json.loads(truth_path(folder).read_text())["entries"]}  # fmt: skip
    got = ingest([str(folder)], rules=load_rules(), tz=ZoneInfo("Europe/London"))
    entries = [e for x in got.loaded for e in x.entries if e.kind != "link"]
    truth = [truth_map[(e.document, e.position)] for e in entries]
    index = {id(e): i for i, e in enumerate(entries)}
    result = dedupe(entries)
    return pair_scores([{index[id(m)] for m in it.members} for it in result.items], truth)


def _fmt(r: dict[str, Any] | None) -> tuple[str, str]:
    if r is None:
        return "-", "-"
    peak = f"{r['peak_pss'] / 2**20:,.0f} MB"
    if r.get("stopped"):
        return f"stopped at {r['wall']:.0f} s ({r['stopped']})", ">" + peak
    if r.get("error"):
        return f"failed at {r['wall']:.0f} s: {r['error'][0].split(':')[-1].strip()[:60]}", peak
    return f"{r['wall']:.1f}", peak


def _ratio(old: dict[str, Any] | None, new: dict[str, Any]) -> str:
    if old is None or old.get("error") or new.get("error") or new.get("stopped"):
        return "-"
    t = old["wall"] / new["wall"]
    m = old["peak_pss"] / max(new["peak_pss"], 1)
    more = ">" if old.get("stopped") else ""
    return f"{more}{t:.1f}x time" + ("" if more else f", {m:.1f}x memory")


def bench_wholerun(args: Any) -> dict[str, Any]:
    from bench.realtext import build
    from bench.shapes import huge_feed, huge_liveblog, huge_prose, many_files

    dataset = dataset_dir(args.dataset)
    sizes = [int(s) for s in args.wholerun_sizes.split(",")]
    cap = int(args.mem_cap_gb * 2**30)
    base = worktree(args.base) if args.base != "none" else None
    cases: list[tuple[str, list[str], int | None]] = []
    for n in sizes:
        folder = build(dataset, n, DATA / f"real_{n}")
        cases.append((f"{n:,} entries, whole corpus", [str(folder)], n))
        cases.append((f"{n:,} entries, dated {DATED}", [str(folder), "--date", DATED], n))
    if not args.no_abusive:
        shapes = DATA / "abusive"
        cases += [("one JSON live blog, 200,000 entries", [str(huge_liveblog(dataset, shapes))], None),
                  ("one RSS file, 100,000 items", [str(huge_feed(dataset, shapes))], None),
                  ("one 19 MB prose file", [str(huge_prose(dataset, shapes))], None),
                  ("a folder of 50,000 small files", [str(many_files(dataset, shapes))], None)]  # fmt: skip
    out: dict[str, Any] = {"base": args.base, "cases": {}}
    rows = []
    for name, cli_args, n in cases:
        new = median_run(ROOT, cli_args, args.repeat, args.limit_s, cap)
        old = None
        if base is not None and (n is None or n <= args.base_max):
            old = median_run(base, cli_args, 1, args.limit_s, cap)
        out["cases"][name] = {"after": new, "before": old, "n": n}
        t_new, m_new = _fmt(new)
        t_old, m_old = _fmt(old)
        stages = " / ".join(f"{k} {v:.1f}" for k, v in new["stages"].items())
        rows.append([name, t_old, m_old, t_new, m_new, _ratio(old, new), stages])
        print(f"  {name}: {t_old} s, {m_old} -> {t_new} s, {m_new}  [{stages}]", flush=True)
    table("whole run to a written briefing (extractive, --no-state; median of "
          f"{args.repeat} after, 1 before)",
          ["case", "before s", "before peak", "after s", "after peak", "change", "after: stages (s)"], rows)  # fmt: skip
    whole = {n: out["cases"][f"{n:,} entries, whole corpus"]["after"]["wall"] for n in sizes}
    if len(whole) >= 2:
        xs, ys = [math.log(n) for n in whole], [math.log(t) for t in whole.values()]
        mx, my = statistics.fmean(xs), statistics.fmean(ys)
        out["exponent"] = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
            (x - mx) ** 2 for x in xs)  # fmt: skip
        print(f"scaling exponent, whole corpus {min(sizes):,} -> {max(sizes):,}: {out['exponent']:.2f}")
    f1_n = min(10_000, max(sizes))
    if not (DATA / f"real_{f1_n}.truth.json").exists():  # sizes that skip it: no accuracy
        print(f"dedupe accuracy: skipped (no {f1_n:,}-entry corpus in this run)")
        record("wholerun", out)
        return out
    acc = dedupe_accuracy(DATA / f"real_{f1_n}")
    out["dedupe"] = {f1_n: acc}
    print(f"dedupe on the real-text {f1_n:,} corpus: precision {acc['precision']:.4f}, "
          f"recall {acc['recall']:.4f}, F1 {acc['f1']:.4f}; recall by kind "
          f"{json.dumps({k: round(v, 4) for k, v in acc['recall_by_kind'].items()})}; "
          f"false pairs {acc['false_pairs']}")  # fmt: skip
    record("wholerun", out)
    return out
