"""The labelled claim set (tests/data/claims.json): meaning-changing edits must be caught and
faithful paraphrases must pass. The thresholds in briefing/meaning.py were tuned on this set
and then frozen. `python -m tests.test_check_claims` prints the rates per kind."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from briefing.check import check_bullet

DATA = json.loads((Path(__file__).parent / "data" / "claims.json").read_text("utf-8"))
SOURCES = {k: v["text"] for k, v in DATA["entries"].items()}
CAUGHT_AT_LEAST = 0.90  # of the meaning-changing edits
FLAGGED_AT_MOST = 0.05  # of the faithful paraphrases


def results() -> list[tuple[dict[str, Any], bool, tuple[str, ...]]]:
    """(claim, flagged, reasons) for every claim."""
    out = []
    for c in DATA["claims"]:
        r = check_bullet(c["claim"], c["cites"], SOURCES)
        out.append((c, not r.ok, r.reasons))
    return out


def rates() -> dict[str, dict[str, tuple[int, int]]]:
    """label -> kind -> (flagged, total); kind "all" sums the label."""
    table: dict[str, dict[str, Counter[str]]] = {}
    for c, flagged, _ in results():
        for kind in (c["kind"], "all"):
            row = table.setdefault(c["label"], {}).setdefault(kind, Counter())
            row["n"] += 1
            row["flagged"] += flagged
    return {lab: {k: (v["flagged"], v["n"]) for k, v in kinds.items()}
            for lab, kinds in table.items()}  # fmt: skip


def test_the_set_is_big_and_varied_enough() -> None:
    labels = Counter(c["label"] for c in DATA["claims"])
    kinds = {c["kind"] for c in DATA["claims"] if c["label"] == "changed"}
    assert labels["faithful"] >= 30 and labels["changed"] >= 30
    assert {"negation", "double_negation", "numbers", "roles", "relation", "attribution",
            "time", "place", "modality", "predicate", "wrong_entry"} <= kinds  # fmt: skip
    origins = {v["from"].split(" entry")[0] for v in DATA["entries"].values()}
    assert len(origins) >= 8  # many documents of the sample corpus and of liveblogs-dev


def test_edits_are_caught_and_paraphrases_pass() -> None:
    r = rates()
    caught, edits = r["changed"]["all"]
    flagged, faithful = r["faithful"]["all"]
    assert caught / edits >= CAUGHT_AT_LEAST, _misses("changed")
    assert flagged / faithful <= FLAGGED_AT_MOST, _misses("faithful")


def _misses(label: str) -> str:
    wrong = [(c["kind"], c["claim"], reasons) for c, flagged, reasons in results()
             if c["label"] == label and flagged == (label == "faithful")]  # fmt: skip
    return "\n".join(f"{k}: {t} {list(r)}" for k, t, r in wrong)


def main() -> None:
    r = rates()
    print(f"{'label':9} {'kind':16} {'flagged':>8} {'of':>4} {'rate':>6}")
    for label in ("changed", "faithful"):
        for kind, (flagged, n) in sorted(r[label].items(), key=lambda kv: kv[0] == "all"):
            print(f"{label:9} {kind:16} {flagged:8} {n:4} {flagged / n:6.0%}")
    for label in ("changed", "faithful"):
        if text := _misses(label):
            print(f"\n{'missed edits' if label == 'changed' else 'false alarms'}:\n{text}")


if __name__ == "__main__":
    main()
