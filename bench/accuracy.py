"""Benchmarks 2+3: deduplication against the naive all-pairs baseline, and its pairwise
accuracy against the synthetic corpus's ground truth; the sample corpus's cross-file copies."""

from __future__ import annotations

import json
import time
from collections import defaultdict
from datetime import UTC, datetime
from typing import Any

from bench.common import corpus, record, table


def parsed(n: int) -> tuple[list[Any], dict[tuple[str, int], tuple[int, str]]]:
    from zoneinfo import ZoneInfo

    from bench.corpus import truth_path
    from briefing.ingest import ingest, load_rules

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
    from briefing.pipeline.dedupe import shingles

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
    from briefing.pipeline.dedupe import CONTAIN_THRESHOLD, NEAR_THRESHOLD, dedupe

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
