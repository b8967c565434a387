"""fork_map: the same answers, in the same order, whether or not it forks."""

from __future__ import annotations

import os

import pytest

from briefing import parallel
from briefing.pipeline.dedupe import dedupe
from briefing.tokens import chunk_entries, count

from .conftest import prepare_sample


def _square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def test_fork_map_keeps_order_and_uses_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_ITEMS", 10)
    monkeypatch.setattr(parallel, "STEP", 7)
    out = parallel.fork_map(_square_and_pid, list(range(100)))
    assert [v for v, _ in out] == [x * x for x in range(100)]
    if (os.cpu_count() or 1) >= 2:
        assert os.getpid() not in {pid for _, pid in out}
    assert parallel._items == () and parallel._fn is None  # nothing left behind


def test_short_lists_stay_in_process() -> None:
    assert {pid for _, pid in parallel.fork_map(_square_and_pid, [1, 2, 3])} == {os.getpid()}


def test_dedupe_and_chunks_agree_forked_or_not(monkeypatch: pytest.MonkeyPatch) -> None:
    entries = [e for it in prepare_sample().deduped.items for e in it.members]
    serial = dedupe(entries)
    chunks = chunk_entries(entries, 200)
    monkeypatch.setattr(parallel, "MIN_ITEMS", 2)
    monkeypatch.setattr(parallel, "STEP", 3)
    forked = dedupe(entries)
    assert [it.entry_ids for it in forked.items] == [it.entry_ids for it in serial.items]
    assert forked.relations == serial.relations
    assert chunk_entries(entries, 200) == chunks
    assert all(c.tokens == count(c.text) <= 200 for c in chunks)
