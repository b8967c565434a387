"""Our bands/rows choice against datasketch's (its private optimiser is the reference here
only; the package no longer imports datasketch at run time)."""

from __future__ import annotations

import pytest

from briefing.pipeline.dedupe import DEFAULT_BANDS, lsh_bands


@pytest.mark.parametrize(("threshold", "num_perm"),
                         [(0.3, 32), (0.5, 64), (0.7, 64), (0.8, 128), (0.4, 64)])  # fmt: skip
def test_bands_match_datasketch(threshold: float, num_perm: int) -> None:
    from datasketch.lsh import _optimal_param

    b, r = lsh_bands(threshold, num_perm)
    assert b * r <= num_perm
    assert (b, r) == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_default_is_datasketchs_choice() -> None:
    from datasketch.lsh import _optimal_param

    for (threshold, num_perm), pair in DEFAULT_BANDS.items():
        assert pair == _optimal_param(threshold, num_perm, 0.5, 0.5)


def test_higher_threshold_means_longer_bands() -> None:
    assert lsh_bands(0.9, 64)[1] > lsh_bands(0.3, 64)[1]
