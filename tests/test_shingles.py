"""Dedupe's per-entry analysis (`pipeline/shingles.py`): the bulk path gives every entry exactly
what the one-entry reference gives, on the sample corpus and on odd texts."""

from __future__ import annotations

import random

import numpy as np
import pytest

from briefing.pipeline.shingles import _MARK, _fold_ascii, _fold_regex, analyse, analyse_block

ODD = ["", "one", "two words", "a. b. c.", "Café ﬁne résumé 12:30 x", "\n\n", "zqxbreakzqx",
       "a b c", "Hello.\nWorld again now.", "  leading and trailing  ", "١٢٣ Arabic-Indic digits ٤٥",
       "tabs\tand\x1cseparators.\x1fnext sentence here, long enough to be a key", "!!! ??? ...",
       "Price: $40, 25% up; £3 or €5.\r\nNext line of the same entry is here as well."]  # fmt: skip

_ALPHABET = "abcXYZ019 .!?,;:'\"-_%$£€\n\t\r\x0b\x0c\x1c\x1f\u00a0\u2028é٣ﬁ"


def _random_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    return ["".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 120))) for _ in range(n)]


def _same(a: tuple[np.ndarray, set[int], int], b: tuple[np.ndarray, set[int], int]) -> bool:
    return a[0].dtype == b[0].dtype and np.array_equal(a[0], b[0]) and a[1:] == b[1:]


@pytest.mark.parametrize("k", [1, 2, 3, 4])
def test_the_bulk_analysis_equals_the_one_entry_reference(prepared_all, k: int) -> None:  # type: ignore[no-untyped-def]
    texts = [e.body or e.text for e in prepared_all.entries] + ODD + _random_texts(400, k)
    got = analyse_block(texts, k)
    assert len(got) == len(texts)
    bad = [t for t, g in zip(texts, got, strict=True) if not _same(analyse(t, k), g)]
    assert not bad, bad[:3]
    assert sum(len(g[0]) for g in got) > 1000  # the sample has shingles: not all empty


def test_a_block_of_empty_texts() -> None:
    got = analyse_block(["", " ", "..."], 3)
    assert [len(g[0]) for g in got] == [0, 0, 0]


def _ascii_texts(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    alphabet = "abcXYZ0129 .!?,;:'\"-_%$#\n\t\r\x0b\x0c\x1c\x1d\x1e\x1f\x00\x7f" + _MARK
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(0, 200))) for _ in range(n)]


def test_the_ascii_fold_gives_the_regex_folds_words_keys_and_digest(prepared_all) -> None:  # type: ignore[no-untyped-def]
    texts = [t for t in (e.body or e.text for e in prepared_all.entries) if t.isascii()]
    texts += [t for t in ODD if t.isascii()] + _ascii_texts(3000, 1)
    for t in texts:
        assert _fold_ascii(t) == _fold_regex(t), t
    assert sum(len(_fold_ascii(t)[1]) for t in texts) > 100  # sentences were keyed
