"""The blind claim set (tests/data/blind/, issue 22): big and varied enough, split by entry, the
held-out half frozen. Its figures come from `python -m bench.blind_claims` (held-out only)."""

from __future__ import annotations

import json
from collections import Counter

from bench.blind_claims import HERE, frozen


def test_the_blind_set_is_big_split_by_entry_and_frozen() -> None:
    tune = json.loads((HERE / "claims_tune.json").read_text("utf-8"))
    held = json.loads((HERE / "claims_heldout.json").read_text("utf-8"))
    claims = tune + held
    assert len(claims) >= 400 and len({c["entry"] for c in claims}) >= 80
    assert not {c["entry"] for c in tune} & {c["entry"] for c in held}
    labels = Counter(c["label"] for c in claims)
    assert min(labels.values()) >= 0.4 * len(claims)  # about half faithful, half wrong
    assert len({c["kind"] for c in claims if c["label"] == "wrong"}) >= 11
    assert frozen("claims_heldout.json") and frozen("claims_tune.json")
    assert frozen("liveblogs_dev_split.json")


def test_the_blind_relevance_set_has_each_kind_in_both_halves_and_is_frozen() -> None:
    for half in ("tune", "heldout"):
        reports = json.loads((HERE / f"relevance_{half}.json").read_text("utf-8"))
        kinds = Counter(r["kind"] for r in reports)
        assert kinds["on_topic"] >= 15 and kinds["passing_mention"] >= 15 and kinds["no_terms"] >= 5
        assert all(r["label"] == ("on_topic" if r["kind"] == "on_topic" else "off_topic")
                   for r in reports)  # fmt: skip
        assert frozen(f"relevance_{half}.json")
