"""Story grouping's sparse rows (`briefing/pipeline/sparse.py`, numpy only) against the
libraries they replace at run time: scikit-learn's CountVectorizer, stop words and normalize,
SciPy's sparse products. Both stay in the `test` extra as references."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csr_matrix, diags, hstack
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer
from sklearn.preprocessing import normalize

from briefing.pipeline import stories
from briefing.pipeline.sparse import STOP, Rows, counts
from briefing.pipeline.sparse import hstack as our_hstack
from briefing.pipeline.stopwords import ENGLISH_STOP_WORDS as OURS

from .conftest import prepare_sample


def _csr(m: Rows) -> csr_matrix:
    return csr_matrix((m.data, m.indices, m.indptr), shape=(m.n, m.width))


def _random(rng: np.random.Generator, n: int, width: int, density: float) -> Rows:
    dense = rng.uniform(0.1, 1.0, (n, width)) * (rng.uniform(0, 1, (n, width)) < density)
    s = csr_matrix(dense)
    return Rows(s.indptr.astype(np.int64), s.indices.astype(np.int64), s.data, width)


def _close(ours: Rows, theirs: csr_matrix) -> None:
    theirs = csr_matrix(theirs)
    theirs.eliminate_zeros()
    theirs.sort_indices()
    assert (ours.n, ours.width) == theirs.shape
    assert np.array_equal(ours.indptr, theirs.indptr)
    assert np.array_equal(ours.indices, theirs.indices)
    assert np.allclose(ours.data, theirs.data, rtol=1e-12, atol=0)
    assert np.all(np.diff(ours.indices)[np.diff(ours.row_ids()) == 0] > 0)  # sorted, no repeats


def test_the_stop_words_are_scikit_learns() -> None:
    assert frozenset(ENGLISH_STOP_WORDS) == OURS == STOP["english"]


def _texts() -> list[str]:
    items = prepare_sample().deduped.items
    out = [stories.item_text(i) for i in items]
    return [*out, "", "It is what it is.", "Zelensky's Zelensky-led   KYIV kyiv 2025 é café"]


@pytest.mark.parametrize(("stop", "pattern"), [("english", stories._TOKEN), (None, r"\S+")])
def test_word_counts_are_count_vectorizers(stop: str | None, pattern: str) -> None:
    docs = _texts()
    theirs = CountVectorizer(stop_words=stop, token_pattern=pattern).fit(docs)
    ours = counts(docs, pattern, STOP[stop] if stop else None)
    assert ours is not None
    _close(ours, theirs.transform(docs).astype(np.float64))
    assert ours.width == len(theirs.vocabulary_)


def test_no_word_at_all_is_none() -> None:
    assert counts(["It is what it is.", ""], stories._TOKEN, STOP["english"]) is None
    with pytest.raises(ValueError):  # scikit-learn's way of saying the same
        CountVectorizer(stop_words="english", token_pattern=stories._TOKEN).fit(["It is."])


def _reference_weighted(docs: list[str], n: int, stop: str | None, pattern: str,
                        weights: tuple[float, ...]) -> csr_matrix | None:  # fmt: skip
    """`stories._weighted` as it was written with scikit-learn and SciPy (until issue 26)."""
    k = len(weights)
    try:
        c = CountVectorizer(stop_words=stop, token_pattern=pattern).fit_transform(docs)
    except ValueError:
        return None
    c = c.tocsr().astype(np.float64)
    c.data = 1.0 + np.log(c.data)
    per = [c[j::k] for j in range(k)]
    seen = per[0].copy()
    for m in per[1:]:
        seen = seen + m
    df = np.bincount(seen.indices, minlength=c.shape[1])
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    if n >= stories.SMALL_DAY:
        idf[df >= n] = 0.0
    total = None
    for w, m in zip(weights, per, strict=True):
        part = normalize(m @ diags(idf)) * w
        total = part if total is None else total + part
    return total.tocsr() if total is not None and total.nnz else None


def test_item_vectors_are_the_scikit_learn_ones_on_the_sample() -> None:
    from briefing.pipeline.features import names, speakers

    items = prepare_sample().deduped.items
    got = stories.vectors(items)
    assert got is not None
    split = [stories.parts(i) for i in items]
    n = len(items)
    w = stories.WEIGHTS
    text = _reference_weighted([s[k] for s in split for k in range(3)], n, "english",
                               stories._TOKEN, (w["headline"], w["lede"], w["rest"]))  # fmt: skip
    blocks = [text]
    for key, words in (("names", [names(h, lede) for h, lede, _ in split]),
                       ("speakers", [speakers(h, lede, rest, stories.SPEAKER_CHARS)
                                     for h, lede, rest in split])):  # fmt: skip
        block = _reference_weighted(words, n, None, r"\S+", (w[key],))
        if block is not None:
            blocks.append(block)
    _close(got[0], normalize(hstack(blocks, format="csr")))
    _close(got[1], normalize(text))


def test_row_operations_are_scipys() -> None:
    rng = np.random.default_rng(5)
    for _ in range(30):
        n, width = int(rng.integers(1, 60)), int(rng.integers(1, 80))
        m = _random(rng, n, width, float(rng.uniform(0.01, 0.5)))
        s = _csr(m)
        idx = rng.integers(0, n, int(rng.integers(0, 2 * n)))
        _close(m.take(idx), s[idx])
        _close(m.block(n // 3, n), s[n // 3 :])
        _close(m.normalized(), normalize(s))
        _close(m.transposed(), s.T.tocsr())
        keep = rng.uniform(0, 1, width) < 0.6
        _close(m.columns(keep), s[:, np.flatnonzero(keep)])
        other = _random(rng, n, width, 0.2)
        _close(m.plus(other), s + _csr(other))
        _close(m.product(m.transposed()), s @ s.T)
        assert np.allclose(m.column_sums(), np.asarray(s.sum(axis=0)).ravel())
        vec = rng.uniform(0, 1, width)
        assert np.allclose(m.dot(vec), s @ vec)
        a, b = rng.integers(0, n, 500), rng.integers(0, n, 500)
        assert np.allclose(m.pair_dots(a, b), np.asarray(s[a].multiply(s[b]).sum(axis=1)).ravel())
        right = _random(rng, n, int(rng.integers(1, 30)), 0.3)
        _close(our_hstack([m, right]), hstack([s, _csr(right)], format="csr"))


def test_pair_dots_in_many_chunks_are_the_same_as_in_one() -> None:
    rng = np.random.default_rng(9)
    m = _random(rng, 300, 2_000, 0.2)  # ~800 values a pair: 125 pairs a chunk
    a, b = rng.integers(0, 300, 5_000), rng.integers(0, 300, 5_000)
    s = _csr(m)
    assert np.allclose(m.pair_dots(a, b), np.asarray(s[a].multiply(s[b]).sum(axis=1)).ravel())


def test_the_neighbour_graph_is_the_one_of_scipys_product() -> None:
    """Small inputs: every pair that shares a word is an edge, with its cosine."""
    rng = np.random.default_rng(3)
    m = _random(rng, 200, 300, 0.03).normalized()
    a, b, sim = stories.graph(m, stories.neighbours(m.n))
    s = _csr(m)
    full = (s @ s.T).toarray()
    ia, ib = np.nonzero(np.triu(full > 0, 1))
    assert np.array_equal(a, ia) and np.array_equal(b, ib)
    assert np.allclose(sim, np.clip(full[ia, ib], 0, 1))
