"""Sparse rows for story grouping, in numpy alone: the few operations of TF-IDF and a nearest-
neighbour graph, without loading SciPy and scikit-learn (about 1.5 s of start-up for a run of
a handful of entries). Pure.

`Rows` is compressed sparse rows: row i holds columns `indices[indptr[i]:indptr[i+1]]`
(ascending, no repeats, no stored zeros) with their `data`. Every operation costs in proportion
to the values it touches, sorts of them included; none is dense in the number of rows or
columns, except the vocabulary-long vectors the caller asks for (`column_sums`).
`tests/test_sparse.py` checks each against SciPy and scikit-learn."""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from .stopwords import ENGLISH_STOP_WORDS


@dataclass(frozen=True, slots=True)
class Rows:
    indptr: np.ndarray  # int64, one more than the rows
    indices: np.ndarray  # int64 column of each value
    data: np.ndarray  # float64
    width: int  # number of columns

    @property
    def n(self) -> int:
        return len(self.indptr) - 1

    @property
    def nnz(self) -> int:
        return len(self.data)

    def lengths(self) -> np.ndarray:
        return np.diff(self.indptr)

    def row_ids(self) -> np.ndarray:
        return np.repeat(np.arange(self.n, dtype=np.int64), self.lengths())

    @classmethod
    def build(cls, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray, n: int,
              width: int) -> Rows:  # fmt: skip
        """From (row, column, value) triples in any order: repeats summed (in the order
        given), zeros dropped."""
        key = np.asarray(rows, np.int64) * max(width, 1) + np.asarray(cols, np.int64)
        return cls.build_keys(key, np.asarray(vals, np.float64), n, width)

    @classmethod
    def build_keys(cls, key: np.ndarray, vals: np.ndarray, n: int, width: int) -> Rows:
        """`build` from keys row * width + column."""
        order = np.argsort(key, kind="stable")
        key, vals = key[order], vals[order]
        if len(key):
            starts = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
            if len(starts) < len(key):
                vals = np.add.reduceat(vals, starts)
                key = key[starts]
        keep = vals != 0
        key, vals = key[keep], vals[keep]
        r, c = np.divmod(key, max(width, 1))
        indptr = np.zeros(n + 1, np.int64)
        np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
        return cls(indptr, c, vals, width)

    def with_data(self, data: np.ndarray) -> Rows:
        """The same pattern with new values (zeros among them dropped)."""
        if np.all(data != 0):
            return Rows(self.indptr, self.indices, data, self.width)
        return Rows.build(self.row_ids(), self.indices, data, self.n, self.width)

    def take(self, idx: Sequence[int] | np.ndarray) -> Rows:
        """The rows `idx`, in that order."""
        idx = np.asarray(idx, np.int64)
        lens = self.lengths()[idx]
        indptr = np.zeros(len(idx) + 1, np.int64)
        np.cumsum(lens, out=indptr[1:])
        pos = np.repeat(self.indptr[idx] - indptr[:-1], lens) + np.arange(indptr[-1])
        return Rows(indptr, self.indices[pos], self.data[pos], self.width)

    def block(self, start: int, stop: int) -> Rows:
        a, b = self.indptr[start], self.indptr[stop]
        return Rows(self.indptr[start : stop + 1] - a, self.indices[a:b], self.data[a:b],
                    self.width)  # fmt: skip

    def normalized(self) -> Rows:
        """Each row divided by its L2 norm (rows of zeros stay as they are)."""
        rid = self.row_ids()
        norms = np.sqrt(np.bincount(rid, weights=self.data * self.data, minlength=self.n))
        norms[norms == 0] = 1.0
        return Rows(self.indptr, self.indices, self.data / norms[rid], self.width)

    def plus(self, other: Rows) -> Rows:
        return Rows.build(np.concatenate((self.row_ids(), other.row_ids())),
                          np.concatenate((self.indices, other.indices)),
                          np.concatenate((self.data, other.data)), self.n, self.width)  # fmt: skip

    def columns(self, keep: np.ndarray) -> Rows:
        """Only the columns where `keep` (a boolean per column) is true, renumbered."""
        mask = keep[self.indices]
        new = np.cumsum(keep) - 1
        counts = np.bincount(self.row_ids()[mask], minlength=self.n)
        indptr = np.zeros(self.n + 1, np.int64)
        np.cumsum(counts, out=indptr[1:])
        return Rows(indptr, new[self.indices[mask]], self.data[mask], int(keep.sum()))

    def transposed(self) -> Rows:
        return Rows.build(self.indices, self.row_ids(), self.data, self.width, self.n)

    def column_counts(self) -> np.ndarray:
        """How many rows hold each column."""
        return np.bincount(self.indices, minlength=self.width)

    def column_sums(self) -> np.ndarray:
        return np.bincount(self.indices, weights=self.data, minlength=self.width)

    def dot(self, vector: np.ndarray) -> np.ndarray:
        """Each row's dot product with a dense vector of `width` values."""
        return np.bincount(self.row_ids(), weights=self.data * vector[self.indices],
                           minlength=self.n)  # fmt: skip

    def squares(self) -> np.ndarray:
        return np.bincount(self.row_ids(), weights=self.data * self.data, minlength=self.n)

    def product(self, index: Rows) -> Rows:
        """self @ index.T-as-given: `index` is the transposed matrix (a row per column of
        self), so row i of the result holds, for each row j of the original, the dot product
        of rows i and j. Every (value, posting) pair is formed once: the cost is the sum over
        self's values of their column's count in `index`, which the caller bounds."""
        cnt = index.lengths()[self.indices]
        total = int(cnt.sum())
        first = np.concatenate((np.zeros(1, np.int64), np.cumsum(cnt)[:-1]))[: self.nnz]
        pos = np.arange(total, dtype=np.int64)
        pos += np.repeat(index.indptr[self.indices] - first, cnt)
        key = np.repeat(self.row_ids() * max(index.width, 1), cnt)
        key += index.indices[pos]
        vals = np.repeat(self.data, cnt)
        vals *= index.data[pos]
        del pos
        return Rows.build_keys(key, vals, self.n, index.width)

    def pair_dots(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        """Row-by-row dot products self[a[i]] . self[b[i]], a chunk of pairs at a time (about
        100,000 values in each chunk: ~100 B each while it runs)."""
        lens = self.lengths()
        per = np.maximum(1, (lens[a] + lens[b]) if len(a) else 1)
        chunk = max(100, int(100_000 // max(1.0, float(np.mean(per)))))
        out = np.zeros(len(a))
        for s in range(0, len(a), chunk):
            x, y = self.take(a[s : s + chunk]), self.take(b[s : s + chunk])
            pairs = np.concatenate((x.row_ids(), y.row_ids()))
            key = pairs * max(self.width, 1) + np.concatenate((x.indices, y.indices))
            vals = np.concatenate((x.data, y.data))
            order = np.argsort(key, kind="stable")
            key, vals, pairs = key[order], vals[order], pairs[order]
            both = np.flatnonzero(key[1:] == key[:-1])  # a column in both rows: adjacent
            out[s : s + chunk] = np.bincount(pairs[both], weights=vals[both] * vals[both + 1],
                                             minlength=x.n)  # fmt: skip
        return out


def hstack(blocks: Sequence[Rows]) -> Rows:
    """The blocks side by side (same rows), columns numbered block after block."""
    offset, rows, cols, vals = 0, [], [], []
    for b in blocks:
        rows.append(b.row_ids())
        cols.append(b.indices + offset)
        vals.append(b.data)
        offset += b.width
    return Rows.build(np.concatenate(rows), np.concatenate(cols), np.concatenate(vals),
                      blocks[0].n, offset)  # fmt: skip


def counts(docs: Iterable[str], pattern: str, stop: frozenset[str] | None) -> Rows | None:
    """Word counts per document: lower-cased, split by the regex `pattern` (its matches are
    the words), stop words dropped; columns are the words in sorted order (scikit-learn's
    `CountVectorizer`). None when no document has a word."""
    find = re.compile(pattern).findall
    vocab: dict[str, int] = {}
    get = vocab.setdefault
    lens, cols, vals = array("q"), array("q"), array("d")  # 8 bytes a value, not a Python int
    for doc in docs:
        found = Counter(find(doc.lower()))
        if stop:
            for w in stop.intersection(found):
                del found[w]
        lens.append(len(found))
        cols.extend([get(w, len(vocab)) for w in found])
        vals.extend(found.values())
    if not vocab:
        return None
    words = sorted(vocab)
    rank = np.empty(len(words), np.int64)
    rank[[vocab[w] for w in words]] = np.arange(len(words))
    n = len(lens)
    rows = np.repeat(np.arange(n, dtype=np.int64), np.frombuffer(lens, np.int64))
    return Rows.build(rows, rank[np.frombuffer(cols, np.int64)], np.frombuffer(vals), n,
                      len(words))  # fmt: skip


STOP = {"english": ENGLISH_STOP_WORDS}
