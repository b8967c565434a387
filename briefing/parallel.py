"""Run a function over a long list on every core. Forked workers inherit the list, so only
the results travel back; short lists (and machines without fork) stay in this process."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

T = TypeVar("T")
MIN_ITEMS = 20_000  # below this, starting workers costs more than it saves
STEP = 2_000  # items per task

_fn: Callable[[Any], Any] | None = None
_items: Sequence[Any] = ()


def _run(job: tuple[int, int]) -> list[Any]:
    assert _fn is not None
    return [_fn(x) for x in _items[job[0] : job[1]]]


def fork_map(
    fn: Callable[[Any], T],
    items: Sequence[Any],
    min_items: int | None = None,
    step: int | None = None,
    meanwhile: Callable[[], object] | None = None,
) -> list[T]:
    """[fn(x) for x in items], in order; on all cores (up to 8) for long lists.

    `min_items` (default MIN_ITEMS) is the length worth forking for; `step` (default STEP)
    the items per task: small for costly items like whole files, large for cheap ones.
    `meanwhile` runs in this process while the workers work (after every worker is forked,
    so nothing it imports or starts is inherited half-done); it runs anyway when the list
    is too short to fork for."""
    import multiprocessing

    global _fn, _items
    workers = min(os.cpu_count() or 1, 8)
    forkable = "fork" in multiprocessing.get_all_start_methods()
    if len(items) < (min_items or MIN_ITEMS) or workers < 2 or not forkable:
        if meanwhile is not None:
            meanwhile()
        return [fn(x) for x in items]
    from concurrent.futures import ProcessPoolExecutor

    step = step or STEP
    jobs = [(i, min(i + step, len(items))) for i in range(0, len(items), step)]
    _fn, _items = fn, items
    try:
        ctx = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
            parts = pool.map(_run, jobs)  # submits every job: with fork, all workers start now
            if meanwhile is not None:
                meanwhile()
            return [r for part in parts for r in part]
    finally:
        _fn, _items = None, ()
