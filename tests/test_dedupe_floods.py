"""Dedupe on floods of near-identical entries (issue 26): candidate pairs are bounded per
entry, entries that differ only by numbers are one item, and a citation of a flooded item
names a few of its copies, not all. No timings here (bench/flood.py measures them)."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import numpy as np

from briefing.models import MAX_CITED, Entry, Item, Paragraph
from briefing.pipeline import dedupe as dd

TEMPLATE = ("Shelling was reported in sector {a} of the front at {t}, officials said, with {b} "
            "buildings damaged and {c} people moved to shelters in the region overnight.")  # fmt: skip


def _e(eid: str, doc: str, text: str, pos: int = 0) -> Entry:
    return Entry(eid, doc, "entry", None, (Paragraph(text),), None,
                 datetime(2025, 2, 14, 9, tzinfo=UTC), False, pos)  # fmt: skip


def _flood(n: int, seed: int = 3) -> list[Entry]:
    rng = random.Random(seed)
    return [_e(f"e{i}", "feed", TEMPLATE.format(a=rng.randint(2, 9999), b=rng.randint(2, 999),
               c=rng.randint(2, 999), t=f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}"), i)
            for i in range(n)]  # fmt: skip


def test_a_giant_bucket_gives_a_bounded_number_of_pairs_that_still_join_it() -> None:
    n = 3_000
    sigs = np.ones((n, 64), np.uint32)  # every entry in one bucket of every band
    left, right = dd.band_pairs(sigs, np.ones(n, bool), 16, 4)
    assert 0 < len(left) <= n * dd.BUCKET_WINDOW  # not n * (n - 1) / 2 = 4.5 M
    assert (left != right).all()
    parent = list(range(n))  # the pairs connect the whole bucket

    def find(x: int) -> int:
        while parent[x] != x:
            x = parent[x]
        return x

    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        parent[find(a)] = find(b)
    assert len({find(i) for i in range(n)}) == 1


def test_a_small_bucket_still_gives_all_its_pairs() -> None:
    k = dd.BUCKET_WINDOW + 1
    sigs = np.zeros((k + 3, 64), np.uint32)
    sigs[k:] = np.arange(3 * 64, dtype=np.uint32).reshape(3, 64) + 1  # three loners
    left, right = dd.band_pairs(sigs, np.ones(k + 3, bool), 16, 4)
    got = {(min(a, b), max(a, b)) for a, b in zip(left.tolist(), right.tolist(), strict=True)}
    assert got == {(a, b) for a in range(k) for b in range(a + 1, k)}


def test_entries_that_differ_only_by_numbers_are_one_item() -> None:
    entries = [*_flood(2_000), _e("other", "wire", "Ukraine and the European Union agreed on "
               "Friday to extend the grain corridor through the Black Sea ports for a year.")]  # fmt: skip
    got = dd.dedupe(entries)
    assert sorted(len(it.members) for it in got.items) == [1, 2_000]
    assert got.duplicates_removed == 1_999


def test_a_changed_word_is_not_a_changed_number() -> None:
    a = _e("a", "d1", "Explosions heard in Kyiv at 10:15.")
    b = _e("b", "d2", "Explosions heard in Lviv at 10:15.")  # too short for the Jaccard rule
    c = _e("c", "d3", "Explosions heard in Kyiv at 11:40.")
    items = dd.dedupe([a, b, c]).items
    assert sorted(sorted(m.id for m in it.members) for it in items) == [["a", "c"], ["b"]]


def test_a_flooded_item_is_cited_by_a_few_copies_one_per_document_first() -> None:
    members = [_e(f"e{i}", "feed" if i < 500 else f"doc{i}", f"text {i}", i) for i in range(503)]
    item = Item(members[0], tuple(members))
    cited = item.cited_ids
    assert len(cited) == MAX_CITED and cited[0] == "e0"
    assert {"e500", "e501", "e502"} <= set(cited)  # every other document is named
    small = Item(members[0], tuple(members[:3]))
    assert small.cited_ids == small.entry_ids == ("e0", "e1", "e2")
