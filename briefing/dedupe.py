"""Cross-source deduplication: exact, near-duplicate and contained copies -> Items. Pure.

- exact: the same normalised body (the content-derived entry id is that hash);
- near: MinHash LSH over word 3-shingles (datasketch), confirmed by the real Jaccard;
- contained: a short live-blog entry inside a longer article. Candidates are the entries that
  share a whole normalised sentence with it (an inverted index: linear, and far cheaper than
  datasketch's LSH Ensemble, which cost half the run time at 10k entries); confirmed by the
  real containment of the shingle sets, so light edits inside the copy are tolerated.
Confirmed pairs are merged with union-find; the longest member is the canonical text.
"""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from .clean import fingerprint_text
from .models import DupKind, Entry, Item

SHINGLE = 3
NUM_PERM = 64  # 128 halves the speed and changed no result on the benchmark corpus
NEAR_THRESHOLD = 0.5  # confirmed Jaccard of shingle sets
CONTAIN_THRESHOLD = 0.8  # confirmed share of the smaller entry's shingles found in the larger
MIN_CONTAINED_SHINGLES = 12  # shorter texts are too generic to call "contained"


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


def shingles(text: str, k: int = SHINGLE, normalised: bool = False) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word k-grams of the normalised text."""
    words = (text if normalised else fingerprint_text(text)).split()
    if not words:
        return np.zeros(0, np.uint64)
    # hash each word once, then combine k neighbours arithmetically (vectorised)
    h = np.fromiter((zlib.crc32(w.encode()) for w in words), np.uint64, len(words))
    if len(h) < k:
        return np.unique(_mix(h, len(h)))
    return np.unique(_mix(h, k))


_PRIMES = np.array([2654435761, 2246822519, 3266489917, 668265263, 374761393], np.uint64)


def _mix(h: np.ndarray, k: int) -> np.ndarray:
    """32-bit hashes of every run of k consecutive word hashes (order matters)."""
    n = len(h) - k + 1
    acc = np.zeros(n, np.uint64)
    for j in range(k):
        acc = (acc * _PRIMES[j % len(_PRIMES)] + h[j : j + n]) & np.uint64(0xFFFFFFFF)
    return acc


MAX_BUCKET = 200


def _sentence_keys(e: Entry) -> set[int]:
    """Hashes of the entry's normalised sentences (paragraph lines split on full stops)."""
    keys = set()
    for p in e.paragraphs:
        for part in p.text.split(". "):
            fp = fingerprint_text(part)
            if len(fp) > 20:
                keys.add(zlib.crc32(fp.encode()))
    return keys


def _identity(x: int) -> int:
    return x


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
    from datasketch import MinHash, MinHashLSH

    cfg = config or DedupeConfig()
    by_id: dict[str, list[Entry]] = defaultdict(list)
    for e in entries:
        by_id[e.id].append(e)
    ids = list(by_id)
    relations: list[tuple[str, str, DupKind]] = []
    for eid, occ in by_id.items():
        relations.extend((eid, eid, "exact") for _ in occ[1:])

    sets = {}
    keys: dict[str, set[int]] = {}
    sentence_index: dict[int, list[str]] = defaultdict(list)
    for eid in ids:
        e = by_id[eid][0]
        sets[eid] = shingles(fingerprint_text(e.body or e.text), cfg.shingle, normalised=True)
        keys[eid] = _sentence_keys(e)
        for s in keys[eid]:
            sentence_index[s].append(eid)
    proto = MinHash(num_perm=cfg.num_perm, seed=1, hashfunc=_identity, scheme="affine32")
    sigs = {}
    for eid in ids:
        m = MinHash(
            num_perm=cfg.num_perm,
            hashfunc=_identity,
            permutations=proto.permutations,
            scheme="affine32",
        )
        m.update_batch(sets[eid].tolist())
        sigs[eid] = m

    uf = _UnionFind()
    kind_of: dict[frozenset[str], DupKind] = {}
    lsh = MinHashLSH(threshold=max(cfg.near - 0.1, 0.1), num_perm=cfg.num_perm)
    for eid in ids:
        if len(sets[eid]):
            lsh.insert(eid, sigs[eid])
    for eid in ids:
        if not len(sets[eid]):
            continue
        for other in lsh.query(sigs[eid]):
            if other <= eid:
                continue
            a, b = sets[eid], sets[other]
            inter = len(np.intersect1d(a, b, assume_unique=True))
            if inter / (len(a) + len(b) - inter) >= cfg.near:
                uf.union(eid, other)
                kind_of[frozenset((eid, other))] = "near"

    for eid in ids:
        small = sets[eid]
        if len(small) < MIN_CONTAINED_SHINGLES:
            continue
        candidates: set[str] = set()
        for s in keys[eid]:
            bucket = sentence_index[s]
            if len(bucket) <= MAX_BUCKET:  # a sentence in hundreds of entries says nothing
                candidates.update(bucket)
        for other in candidates:
            big = sets[other]
            if other == eid or len(big) <= len(small) or frozenset((eid, other)) in kind_of:
                continue
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
        canonical = min(by_id[canonical_id], key=lambda e: (e.published is None, e.position))
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
