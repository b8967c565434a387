"""Cross-source deduplication: exact, near-duplicate and contained copies -> Items. Pure.

- exact: the same normalised body (the content-derived entry id is that hash): the first
  report keeps the id (and its headline); each later copy is recorded under its own id;
- near: MinHash LSH over word 3-shingles (banding as datasketch's MinHashLSH does it, in bulk
  with numpy), confirmed by the real Jaccard of the shingle sets;
- contained: a short live-blog entry inside a longer article. Candidates are the entries that
  share a whole normalised sentence with it (an inverted index: linear, and far cheaper than
  datasketch's LSH Ensemble, which cost half the run time at 10k entries); confirmed by the
  real containment of the shingle sets, so light edits inside the copy are tolerated.
- numbers: entries whose words are the same once every run of digits is masked (numbers,
  times, numeric dates; month and day names are words) are near copies of each other, however
  many figures differ: a feed of 5,000 "update N: shelling in sector X at HH:MM" items is one
  item with 5,000 occurrences, not 5,000 stories.
Confirmed pairs are merged with union-find; the longest member is the canonical text. An LSH
bucket of many entries gives each only its next BUCKET_WINDOW members as candidates
(`band_pairs`), so a flood of near-identical entries costs linear work, not all its pairs.

The MinHash signatures of all entries are computed at once with numpy (the same construction
as datasketch's "affine32" scheme: a murmur finaliser, then a*h+b mod 2^32 per permutation);
feeding datasketch one shingle at a time was a third of the run time at 100k entries, and its
index (one Python call per band per entry, and half a second to import) most of the rest
(docs/benchmarks.md). The candidate pairs are the same as its MinHashLSH's (tests/test_dedupe).
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np

from ..models import DupKind, Entry, Item
from ..parallel import fork_map
from .shingles import analyse_block, shingles, sorted_unique

__all__ = ["DedupeConfig", "DedupeResult", "copy_id", "dedupe", "shingles"]

SHINGLE = 3
NUM_PERM = 64  # 128 halves the speed and changed no result on the benchmark corpus
NEAR_THRESHOLD = 0.5  # confirmed Jaccard of shingle sets
CONTAIN_THRESHOLD = 0.8  # confirmed share of the smaller entry's shingles found in the larger
MIN_CONTAINED_SHINGLES = 12  # shorter texts are too generic to call "contained"
BUCKET_WINDOW = 16  # LSH pairs per entry and band, at most (all pairs of smaller buckets)
MAX_BUCKET = 200  # a sentence found in more entries than this says nothing about copying
SIGNATURE_BLOCK = 50_000  # shingles hashed at once (64 permutations x 4 bytes each: 13 MB)
ESTIMATE_MARGIN = 0.25  # ~4 standard deviations of a 64-permutation Jaccard estimate
ANALYSE_BLOCK = 500  # entries analysed at once (a worker's task): bulk numpy per block
PARALLEL_MIN_ENTRIES = 2_000  # fewer: forking workers to analyse them costs more than it saves


@dataclass(frozen=True, slots=True)
class DedupeConfig:
    near: float = NEAR_THRESHOLD
    contain: float = CONTAIN_THRESHOLD
    num_perm: int = NUM_PERM
    shingle: int = SHINGLE


@dataclass(slots=True)
class DedupeResult:
    items: list[Item]
    relations: list[tuple[str, str, DupKind]] = field(default_factory=list)
    occurrences: int = 0

    @property
    def duplicates_removed(self) -> int:
        return self.occurrences - len(self.items)


def signatures(sets: Sequence[np.ndarray], num_perm: int, seed: int = 1) -> np.ndarray:
    """MinHash signatures (len(sets) x num_perm, uint32 values) of many shingle sets at once."""
    rng = np.random.RandomState(seed)
    a = rng.randint(1, 2**32 - 1, num_perm, dtype=np.uint64) | np.uint64(1)  # odd: a bijection
    b = rng.randint(0, 2**32 - 1, num_perm, dtype=np.uint64)
    a32, b32 = a.astype(np.uint32), b.astype(np.uint32)  # uint32 arithmetic wraps mod 2^32
    out = np.full((len(sets), num_perm), 0xFFFFFFFF, np.uint32)
    start = 0
    while start < len(sets):  # blocks of about SIGNATURE_BLOCK shingles keep memory flat
        if len(sets[start]) > SIGNATURE_BLOCK:  # one huge text: its shingles a block at a time
            for c in range(0, len(sets[start]), SIGNATURE_BLOCK):
                part = sets[start][c : c + SIGNATURE_BLOCK].astype(np.uint32, copy=False)
                perm = a32[:, None] * part[None, :]
                perm += b32[:, None]
                mins = perm.min(axis=1)
                out[start] = np.minimum(out[start], mins)
            start += 1
            continue
        end, total = start, 0
        while end < len(sets) and len(sets[end]) <= SIGNATURE_BLOCK and (
            total < SIGNATURE_BLOCK or end == start
        ):
            total += len(sets[end])
            end += 1
        block = [s for s in sets[start:end] if len(s)]
        rows = [i for i in range(start, end) if len(sets[i])]
        if block:
            flat = np.concatenate(block).astype(np.uint32, copy=False)
            perm = a32[:, None] * flat[None, :]  # permutations x shingles
            perm += b32[:, None]
            offsets = np.cumsum([0] + [len(s) for s in block[:-1]])
            out[rows] = np.minimum.reduceat(perm, offsets, axis=1).T  # rows stay contiguous
        start = end
    return out


DEFAULT_BANDS = {(0.4, 64): (16, 4)}  # datasketch's optimal (bands, rows) for these


def _area(y: np.ndarray, x: np.ndarray) -> float:
    return float(np.sum((y[1:] + y[:-1]) * np.diff(x)) / 2)


def lsh_bands(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows per band) for a Jaccard threshold, by datasketch's rule: the (b, r) with
    b * r <= num_perm minimising 0.5 * (false-positive area below the threshold) + 0.5 *
    (false-negative area above it) of the S-curve 1 - (1 - s^r)^b. Computed here (trapezoid
    rule on a fine grid) rather than through datasketch's private helper; the default's is
    kept, so a default run does no search."""
    if (threshold, num_perm) in DEFAULT_BANDS:
        return DEFAULT_BANDS[(threshold, num_perm)]
    below = np.linspace(0.0, threshold, 2001)
    above = np.linspace(threshold, 1.0, 2001)
    best, best_err = (1, 1), float("inf")
    for b in range(1, num_perm + 1):
        for r in range(1, num_perm // b + 1):
            fp = _area(1 - (1 - below**r) ** b, below)
            fn = _area((1 - above**r) ** b, above)
            err = 0.5 * fp + 0.5 * fn
            if err < best_err:
                best, best_err = (b, r), err
    return best


_BAND_MIX = np.array([0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                      0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5, 0xFF51AFD7ED558CCD],
                     dtype=np.uint64)  # fmt: skip


def band_pairs(
    sigs: np.ndarray, use: np.ndarray, bands: int, rows: int
) -> tuple[np.ndarray, np.ndarray]:
    """LSH banding: the index pairs i < j (rows of `sigs` where `use`) whose signatures agree
    on every value of at least one band, as MinHashLSH finds them, in bulk with numpy. A
    band's values are mixed into one 64-bit key and sorted; equal keys are checked value by
    value, so a key collision adds no pair. A bucket of more than BUCKET_WINDOW + 1 entries
    (a flood of near-identical items) gives each member the pairs with its next
    BUCKET_WINDOW members only, not all its pairs: candidates stay linear in the entries, and
    union-find still joins the whole bucket when its neighbours are confirmed copies."""
    idx = np.flatnonzero(use)
    mix = np.resize(_BAND_MIX, rows)
    found: list[np.ndarray] = []
    for b in range(bands):
        band = sigs[idx, b * rows : (b + 1) * rows]
        key = (band.astype(np.uint64) * mix).sum(axis=1)  # wraps mod 2^64
        order = np.argsort(key, kind="stable")
        same = np.flatnonzero(key[order][1:] == key[order][:-1])  # runs of equal keys
        if not len(same):
            continue
        gap = np.diff(same) > 1  # a run of equal keys ends where `same` jumps
        starts = same[np.concatenate(([True], gap))]
        ends = np.append(same[:-1][gap], same[-1]) + 2
        li, ri = _bucket_pairs(order, starts, ends)
        equal = (band[li] == band[ri]).all(axis=1)
        li, ri = idx[li[equal]], idx[ri[equal]]
        found.append(np.minimum(li, ri) * len(sigs) + np.maximum(li, ri))
    if not found:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    pairs = sorted_unique(np.concatenate(found))
    return pairs // len(sigs), pairs % len(sigs)


def _bucket_pairs(order: np.ndarray, starts: np.ndarray,
                  ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """Index pairs within each run order[s:e] of equal keys: all pairs of a run of up to
    BUCKET_WINDOW + 1 members, each member with its next BUCKET_WINDOW members in a longer
    one. Built in bulk: at most BUCKET_WINDOW pairs per member, however big the run."""
    size = ends - starts
    lefts, rights = [], []
    for d in range(1, min(BUCKET_WINDOW, int(size.max(initial=1)) - 1) + 1):
        ok = size > d  # runs with a member d places after another
        s, e = starts[ok], ends[ok]
        if not len(s):
            break
        lens = e - s - d
        first = np.repeat(s - np.concatenate(([0], np.cumsum(lens)[:-1])), lens)
        pos = first + np.arange(int(lens.sum()))
        lefts.append(order[pos])
        rights.append(order[pos + d])
    if not lefts:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(lefts), np.concatenate(rights)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def dedupe(entries: Sequence[Entry], config: DedupeConfig | None = None) -> DedupeResult:
    # the cyclic garbage collector finds nothing to free here, but walking the growing index
    # cost 3 s of 30 at 100k entries
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _dedupe(entries, config or DedupeConfig())
    finally:
        if was_enabled:
            gc.enable()


def copy_id(e: Entry) -> str:
    """The own id of one source's exact copy of an entry (whose content-derived id the first
    report keeps, and citations cite): the entry id, its document and place, hashed."""
    basis = f"{e.id}\n{e.document}\n{e.position}"
    return "e" + hashlib.sha256(basis.encode()).hexdigest()[:12]


def _first_report(e: Entry) -> tuple[bool, float]:
    """Exact copies in the order they were reported: dated ones by time, then the rest (the
    sort is stable: input order breaks ties)."""
    return (e.published is None, e.published.timestamp() if e.published else 0.0)


def _dedupe(entries: Sequence[Entry], cfg: DedupeConfig) -> DedupeResult:
    by_id: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_id[e.id].append(e)
    ids = list(by_id)
    relations: list[tuple[str, str, DupKind]] = []
    for eid, occ in by_id.items():
        if len(occ) > 1:  # the first report is the entry; each later copy has its own id
            occ.sort(key=_first_report)
            relations.extend((copy_id(o), eid, "exact") for o in occ[1:])

    sets: dict[str, np.ndarray] = {}
    keys: dict[str, set[int]] = {}
    sentence_index: dict[int, list[str]] = defaultdict(list)
    texts = [e.body or e.text for e in (by_id[eid][0] for eid in ids)]
    blocks = [texts[i : i + ANALYSE_BLOCK] for i in range(0, len(texts), ANALYSE_BLOCK)]
    analyse = partial(analyse_block, k=cfg.shingle)  # per-word hashes: workers agree
    parts = fork_map(analyse, blocks, PARALLEL_MIN_ENTRIES // ANALYSE_BLOCK, step=1)
    analysed = [a for part in parts for a in part]
    masked: dict[int, str] = {}  # masked text -> the first entry with it
    uf = _UnionFind()
    kind_of: dict[frozenset[str], DupKind] = {}
    for eid, (shingle_set, sentence_keys, digest) in zip(ids, analysed, strict=True):
        sets[eid], keys[eid] = shingle_set, sentence_keys
        for s in sentence_keys:
            sentence_index[s].append(eid)
        first = masked.setdefault(digest, eid)
        if first != eid and len(shingle_set):  # the same words, other numbers: a near copy
            uf.union(first, eid)
            kind_of[frozenset((first, eid))] = "near"
    same_words = np.array([digest for _s, _k, digest in analysed], np.uint64)
    sigs = signatures([sets[eid] for eid in ids], cfg.num_perm)
    nonempty = np.array([len(sets[eid]) > 0 for eid in ids], dtype=bool)
    bands, rows = lsh_bands(max(cfg.near - 0.1, 0.1), cfg.num_perm)
    left, right = band_pairs(sigs, nonempty, bands, rows)
    # the signatures estimate the Jaccard; only plausible pairs get the exact check
    floor = cfg.near - ESTIMATE_MARGIN
    agree = np.zeros(len(left), dtype=np.int64)
    for s in range(0, len(left), 100_000):
        part = slice(s, s + 100_000)
        agree[part] = (sigs[left[part]] == sigs[right[part]]).sum(axis=1)
    plausible = (agree >= floor * cfg.num_perm) & (same_words[left] != same_words[right])
    for i, j in zip(left[plausible].tolist(), right[plausible].tolist(), strict=True):
        eid, other = ids[i], ids[j]
        a, b = sets[eid], sets[other]
        inter = len(np.intersect1d(a, b, assume_unique=True))
        if inter / (len(a) + len(b) - inter) >= cfg.near:
            uf.union(eid, other)
            kind_of[frozenset((eid, other))] = "near"

    index = {eid: i for i, eid in enumerate(ids)}
    for eid in ids:
        small = sets[eid]
        if len(small) < MIN_CONTAINED_SHINGLES:
            continue
        candidates: set[str] = set()
        for s in keys[eid]:
            bucket = sentence_index[s]
            if len(bucket) <= MAX_BUCKET:
                candidates.update(bucket)
        for other in candidates:
            big = sets[other]
            if other == eid or len(big) <= len(small) or frozenset((eid, other)) in kind_of:
                continue
            if same_words[index[eid]] == same_words[index[other]]:
                continue  # one item already
            inter = len(np.intersect1d(small, big, assume_unique=True))
            if inter / len(small) >= cfg.contain:
                uf.union(other, eid)
                kind_of[frozenset((eid, other))] = "contained"

    groups: dict[str, list[str]] = defaultdict(list)
    for eid in ids:
        groups[uf.find(eid)].append(eid)
    items = []
    for members in groups.values():
        canonical_id = max(members, key=lambda m: (len(sets[m]), len(by_id[m][0].text), m))
        occ = [e for m in members for e in by_id[m]]
        canonical = by_id[canonical_id][0]  # the first report of that text (its headline)
        rels = []
        for m in members:
            if m != canonical_id:
                kind = kind_of.get(frozenset((m, canonical_id)), "near")
                if len(sets[m]) < len(sets[canonical_id]) * 0.7 and kind != "exact":
                    kind = "contained"
                rels.append((m, canonical_id, kind))
        relations.extend(rels)
        ordered = [canonical, *[e for e in occ if e is not canonical]]
        items.append(Item(canonical, tuple(ordered), tuple(rels)))
    order = {eid: i for i, eid in enumerate(ids)}  # first appearance in the input
    items.sort(key=lambda it: min(order[eid] for eid in it.entry_ids))
    return DedupeResult(items, relations, len(entries))
