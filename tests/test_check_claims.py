"""The labelled claim sets: meaning-changing edits must be caught and faithful paraphrases
must pass. The rules, word lists and thresholds (briefing/check/: meaning.py, marks.py,
lexicon.py, thresholds.py) were tuned on tests/data/claims.json and then frozen;
tests/data/claims_heldout.json was written after that and never tuned on. `python -m tests.test_check_claims` prints the rates per kind."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from briefing.check import check_bullet

HERE = Path(__file__).parent / "data"
DATA = json.loads((HERE / "claims.json").read_text("utf-8"))
HELD_OUT = json.loads((HERE / "claims_heldout.json").read_text("utf-8"))
CAUGHT_AT_LEAST = 0.90  # of the meaning-changing edits
FLAGGED_AT_MOST = 0.05  # of the faithful paraphrases


def results(data: dict[str, Any] = DATA) -> list[tuple[dict[str, Any], bool, tuple[str, ...]]]:
    """(claim, flagged, reasons) for every claim."""
    sources = {k: v["text"] for k, v in data["entries"].items()}
    out = []
    for c in data["claims"]:
        r = check_bullet(c["claim"], c["cites"], sources)
        out.append((c, not r.ok, r.reasons))
    return out


def rates(data: dict[str, Any] = DATA) -> dict[str, dict[str, tuple[int, int]]]:
    """label -> kind -> (flagged, total); kind "all" sums the label."""
    table: dict[str, dict[str, Counter[str]]] = {}
    for c, flagged, _ in results(data):
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


def test_held_out_claims_do_not_get_worse() -> None:
    """Claims the rules were never tuned on (see claims_heldout.json's "about"): 87 % of edits
    caught and 12 % of paraphrases flagged when the rules were frozen; these floors may only
    go up."""
    r = rates(HELD_OUT)
    caught, edits = r["changed"]["all"]
    flagged, faithful = r["faithful"]["all"]
    assert caught / edits >= 0.85, _misses("changed", HELD_OUT)
    assert flagged / faithful <= 0.15, _misses("faithful", HELD_OUT)


def _misses(label: str, data: dict[str, Any] = DATA) -> str:
    wrong = [(c["kind"], c["claim"], reasons) for c, flagged, reasons in results(data)
             if c["label"] == label and flagged == (label == "faithful")]  # fmt: skip
    return "\n".join(f"{k}: {t} {list(r)}" for k, t, r in wrong)


def main() -> None:
    rounds = [("tuning set: tests/data/claims.json", DATA),
              ("held-out set: tests/data/claims_heldout.json", HELD_OUT)]
    for n in sorted({c["round"] for c in HELD_OUT["claims"]}):
        part = [c for c in HELD_OUT["claims"] if c["round"] == n]
        rounds.append((f"held-out round {n}", {**HELD_OUT, "claims": part}))
    for name, data in rounds:
        r = rates(data)
        print(f"\n{name}\n{'label':9} {'kind':16} {'flagged':>8} {'of':>4} {'rate':>6}")
        for label in ("changed", "faithful"):
            for kind, (flagged, n) in sorted(r[label].items(), key=lambda kv: kv[0] == "all"):
                print(f"{label:9} {kind:16} {flagged:8} {n:4} {flagged / n:6.0%}")
        for label in ("changed", "faithful"):
            if text := _misses(label, data):
                print(f"{'missed edits' if label == 'changed' else 'false alarms'}:\n{text}")


if __name__ == "__main__":
    main()
