"""Items -> Stories: related reports of one event grouped together. Pure.

TF-IDF over each item's headline and body (words common to most items, such as the topic's own
names, weigh little), cosine similarity, average-link agglomerative clustering with a distance
cut-off. Stories are ranked by how many items and sources report them.

Nothing here is dense in the number of items: the TF-IDF matrix stays sparse (`sparse.py`,
numpy only: a run never loads SciPy or scikit-learn), each item keeps
its nearest neighbours (a sparse graph, computed a block of rows at a time), and average link
runs on that graph, a pair with no edge counting as similarity 0. Up to a few hundred items
every pair that shares a word is an edge, so this is exactly scipy's average linkage; beyond
that each item keeps its `neighbours(n)` most similar items, and on corpora of thousands the
neighbour search ignores words found in more than `COMMON_DF` items (the similarity of the pairs
kept is still computed from every word).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import numpy as np

from ..contract import Briefing, Section
from ..models import Item, Story
from .sparse import STOP, Rows, counts, hstack
from .titles import choose

DISTANCE_CUTOFF = 0.82  # 1 - similarity; tuned on the labelled sample (tests/data/events.json)
EDGE_BUDGET = 200_000  # edges kept in all: every pair up to ~450 items
MIN_NEIGHBOURS = 20  # edges kept per item, at the least
EXACT_SEARCH = 2_000  # items up to which the neighbour search uses every word
COMMON_DF = 200  # above EXACT_SEARCH items, words in more items than this do not find neighbours
PRODUCT_BUDGET = 250_000  # similarities computed at once (a block of rows x all items; ~60 B each)
MAX_BLOCK = 2_000  # rows per sparse product
# What an item's vector is made of, and how much each part weighs (tuned on the labelled
# sample: tests/test_stories.py; precision and recall hold over a range of cut-offs around
# DISTANCE_CUTOFF, docs/quality.md). The headline and the first paragraph say what happened;
# the rest is context and background, which on a busy day links unrelated reports.
WEIGHTS = {"headline": 2.0, "lede": 1.0, "rest": 0.5, "names": 0.5, "speakers": 1.5}
LEDE_CHARS = 400  # the lede: the first paragraph, up to here (cut after a sentence if it can)
SPEAKER_CHARS = 2_000  # speakers are looked for in the headline and this much of the body
WORDS_CAP = 2.0  # a pair's similarity is at most this times that of their words alone
SMALL_DAY = 3  # from this many items on, a word found in all of them weighs nothing
_TOKEN = r"(?u)\b[^\W\d_][\w'-]+\b"


def parts(item: Item) -> tuple[str, str, str]:
    """An item's headline, lede and the rest of its body."""
    e = item.canonical
    body = [p.text for p in e.paragraphs if p.kind != "h"]
    first = body[0] if body else ""
    lede, rest = first, "\n".join(body[1:])
    if len(first) > LEDE_CHARS:
        cut = first.rfind(". ", 0, LEDE_CHARS) + 1 or first.rfind(" ", 0, LEDE_CHARS) + 1
        cut = cut or LEDE_CHARS
        lede, rest = first[:cut], first[cut:] + ("\n" + rest if rest else "")
    return e.headline or "", lede, rest


def item_text(item: Item) -> str:
    return "\n".join(x for x in parts(item) if x)


def vectors(items: Sequence[Item]) -> tuple[Rows, Rows] | None:
    """L2-normalised rows (sparse): TF-IDF of the headline, the lede and the rest, weighted and
    added, beside the names in the headline and lede and the people quoted (`features.py`);
    and the words alone (the first block, normalised). One tokenisation of each part; the IDF
    counts items, not parts. None when no item has a word that is not a stop word."""
    from .features import names, speakers

    split = [parts(i) for i in items]
    n = len(items)
    text = _weighted([s[k] for s in split for k in range(3)], n, STOP["english"], _TOKEN,
                     (WEIGHTS["headline"], WEIGHTS["lede"], WEIGHTS["rest"]))  # fmt: skip
    if text is None:
        return None
    blocks = [text]
    for key, words in (("names", [names(h, lede) for h, lede, _ in split]),
                       ("speakers", [speakers(h, lede, rest, SPEAKER_CHARS)
                                     for h, lede, rest in split])):  # fmt: skip
        block = _weighted(words, n, None, r"\S+", (WEIGHTS[key],))
        if block is not None:
            blocks.append(block)
    return hstack(blocks).normalized(), text.normalized()


def _weighted(docs: Sequence[str], n: int, stop: frozenset[str] | None, pattern: str,
              weights: Sequence[float]) -> Rows | None:  # fmt: skip
    """`docs` holds len(weights) parts per item, item by item: each part's TF-IDF row
    (sublinear counts, smooth IDF over the n items), normalised, times its weight, summed."""
    k = len(weights)
    got = counts(docs, pattern, stop)
    if got is None:  # no word in any part
        return None
    got = got.with_data(1.0 + np.log(got.data))
    per = [got.take(np.arange(j, got.n, k)) for j in range(k)]
    item = got.row_ids() // k  # the items holding each word, once each
    df = np.bincount(np.unique(item * got.width + got.indices) % got.width, minlength=got.width)
    idf = np.log((1.0 + n) / (1.0 + df)) + 1.0
    if n >= SMALL_DAY:  # a word in every item tells nothing about which of them go together
        idf[df >= n] = 0.0
    total = None
    for w, m in zip(weights, per, strict=True):
        weighted = m.with_data(m.data * idf[m.indices]).normalized()
        part = weighted.with_data(weighted.data * w)
        total = part if total is None else total.plus(part)
    return total if total is not None and total.nnz else None


def neighbours(n: int) -> int:
    """Edges kept per item: all of them for small inputs, MIN_NEIGHBOURS for big ones."""
    return max(MIN_NEIGHBOURS, EDGE_BUDGET // max(n, 1))


def graph(m: Rows, k: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each row's k most similar other rows (cosine > 0), as unique pairs i < j with their
    cosine. Sparse products a block of rows at a time; never an n x n array."""
    n = m.n
    search = m
    if n > EXACT_SEARCH:  # common words make the product quadratic; they find no neighbours
        search = m.columns(m.column_counts() <= COMMON_DF)
    index = search.transposed()
    # a row's products number at most the sum of its words' item counts: blocks of rows are
    # cut so that a block's product stays within PRODUCT_BUDGET, however alike the items are
    per_row = np.bincount(search.row_ids(), weights=index.lengths()[search.indices].astype(
        np.float64), minlength=n)  # fmt: skip
    bound = np.cumsum(per_row)
    rows, cols, sims = [], [], []
    start = 0
    while start < n:
        done = bound[start - 1] if start else 0.0
        stop = int(np.searchsorted(bound, done + PRODUCT_BUDGET, "right"))
        stop = min(max(stop, start + 1), start + MAX_BLOCK, n)
        prod = search.block(start, stop).product(index)
        ptr, idx, val = prod.indptr, prod.indices, prod.data
        for i in range(prod.n):
            mine, sim = idx[ptr[i] : ptr[i + 1]], val[ptr[i] : ptr[i + 1]]
            keep = (mine != start + i) & (sim > 0)
            mine, sim = mine[keep], sim[keep]
            if len(mine) > k:
                top = np.argpartition(sim, -k)[-k:]
                mine, sim = mine[top], sim[top]
            rows.append(np.full(len(mine), start + i, np.int64))
            cols.append(mine.astype(np.int64))
            sims.append(sim)
        start = stop
    if not rows:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    r, c, v = np.concatenate(rows), np.concatenate(cols), np.concatenate(sims)
    key = np.minimum(r, c) * n + np.maximum(r, c)
    order = np.argsort(key, kind="stable")
    key, v = key[order], v[order]
    first = np.concatenate(([True], key[1:] != key[:-1])) if len(key) else key.astype(bool)
    lo, hi, v = key[first] // n, key[first] % n, v[first]
    if search is not m:  # the common words count in the similarity of the pairs found
        v = m.pair_dots(lo, hi)
    return lo, hi, np.clip(v, 0.0, 1.0)


def average_link(
    n: int, a: np.ndarray, b: np.ndarray, sim: np.ndarray, min_sim: float
) -> list[int]:
    """Average-link clusters of n points, joined while the mean similarity of two clusters
    (over all their pairs; a pair without an edge counts 0) is at least `min_sim`: the flat
    clusters of scipy's `linkage(method="average")` cut there. Returns a label (a point of
    the cluster) per point.

    Nearest-neighbour chain: follow each cluster's most similar neighbour until two clusters
    are each other's, and merge them (for average link this gives the same hierarchy as always
    merging the closest pair). A cluster whose best neighbour is below `min_sim` stays below
    it whatever merges later, so it is done. Edges live in one dict per cluster; a merge moves
    the smaller dict into the larger."""
    adj: list[dict[int, float]] = [{} for _ in range(n)]
    for x, y, s in zip(a.tolist(), b.tolist(), sim.tolist(), strict=True):
        adj[x][y] = adj[y][x] = s
    size = [1] * n
    root = list(range(n))
    done = [False] * n
    todo = list(range(n - 1, -1, -1))
    while todo:
        start = todo.pop()
        if root[start] != start or done[start]:
            continue
        chain = [start]
        while chain:
            c = chain[-1]
            prev = chain[-2] if len(chain) > 1 else -1
            best, near, sc = -1.0, -1, size[c]
            for z, w in adj[c].items():
                v = w / (sc * size[z])
                if v > best or (v == best and z == prev):  # a tie goes to the chain: no cycles
                    best, near = v, z
            if best < min_sim:
                done[c] = True
                chain.pop()
            elif near != prev:
                chain.append(near)
            else:
                del chain[-2:]
                x, y = (c, prev) if len(adj[c]) >= len(adj[prev]) else (prev, c)
                keep, gone = adj[x], adj[y]
                del keep[y], gone[x]
                for z, w in gone.items():
                    other = adj[z]
                    del other[y]
                    keep[z] = other[x] = keep.get(z, 0.0) + w
                adj[y] = {}
                size[x] += size[y]
                root[y] = x
                (todo if chain else chain).append(x)
    labels = []
    for i in range(n):
        r = i
        while root[r] != r:
            r = root[r]
        labels.append(r)
    return labels


def cluster(m: tuple[Rows, Rows] | None, n: int,
            cutoff: float = DISTANCE_CUTOFF) -> list[int]:  # fmt: skip
    """A story label per item: average link on the items' sparse neighbour graph. A pair's
    similarity is at most `WORDS_CAP` times that of their words alone: names and people
    quoted strengthen a link the words make, never make one alone (on a small day every
    report of the topic quotes its president)."""
    if n == 1 or m is None:
        return list(range(n))
    return average_link(n, *edges(m, n), 1.0 - cutoff)


Edges = tuple[np.ndarray, np.ndarray, np.ndarray]  # item i < item j, their similarity


def edges(m: tuple[Rows, Rows] | None, n: int) -> Edges:
    """The sparse neighbour graph `cluster` cuts: each item's `neighbours(n)` most similar,
    a pair's similarity capped at WORDS_CAP times that of their words."""
    if n < 2 or m is None:
        return np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0)
    full, words = m
    a, b, sim = graph(full, neighbours(n))
    if len(a):
        sim = np.minimum(sim, WORDS_CAP * words.pair_dots(a, b))
    return a, b, sim


def centrality(m: Rows | None, labels: Sequence[int]) -> np.ndarray:
    """Each item's mean similarity to the items of its story, itself counted as 1: its
    cosine with the sum of the story's rows (one vocabulary-long row per story at a time)."""
    n = len(labels)
    lab = np.asarray(labels)
    order = np.argsort(lab, kind="stable")
    cuts = np.flatnonzero(np.diff(lab[order])) + 1
    mean = np.ones(n)
    for idxs in np.split(order, cuts):
        if len(idxs) < 2:
            continue
        if m is None:
            mean[idxs] = 1.0 / len(idxs)
            continue
        rows = m.take(idxs)
        mean[idxs] = (rows.dot(rows.column_sums()) - rows.squares() + 1.0) / len(idxs)
    return np.round(mean, 9)  # ties stay ties whatever order the sums were taken in


def group(items: Sequence[Item], cutoff: float = DISTANCE_CUTOFF) -> list[Story]:
    return grouping(items, cutoff)[0]


def grouping(items: Sequence[Item], cutoff: float = DISTANCE_CUTOFF) -> tuple[list[Story], Edges]:
    """The stories, and the neighbour graph (indices into `items`) they were cut from."""
    if not items:
        return [], edges(None, 0)
    m = vectors(items) if len(items) > 1 else None
    found = edges(m, len(items))
    labels = list(range(len(items))) if m is None else average_link(
        len(items), *found, 1.0 - cutoff)  # fmt: skip
    cent = centrality(m[0] if m else None, labels)
    by_label: dict[int, list[int]] = {}
    for idx, label in enumerate(labels):
        by_label.setdefault(label, []).append(idx)
    stories = []
    for idxs in by_label.values():
        members = [items[i] for i in idxs]
        docs = {d for it in members for d in it.documents}
        score = len(members) + 0.5 * len(docs) + 0.25 * sum(len(it.members) - 1 for it in members)
        ranked = [items[i] for i in sorted(idxs, key=lambda i: (-cent[i], _when(items[i])))]
        title = choose(ranked)[0]
        sid = (
            "s" + hashlib.sha256("|".join(sorted(i.id for i in members)).encode()).hexdigest()[:10]
        )
        stories.append(Story(sid, title, tuple(ranked), float(score)))
    stories.sort(key=lambda s: (-s.score, s.title, s.id))
    return stories, found


def _when(item: Item) -> tuple[bool, float]:
    """Equally central items: the first report first (undated last)."""
    t = item.canonical.published
    return (t is None, t.timestamp() if t else 0.0)


def titled_by(story: Story) -> list[str]:
    """The entries a story's title comes from: its report (and that item's copies)."""
    from .titles import choose

    _title, entry = choose(story.items)
    for item in story.items:
        if any(m is entry for m in item.members) or item.canonical is entry:
            return list(dict.fromkeys([entry.id, *item.entry_ids]))
    return [entry.id]


def _terms(title: str, bullets: Sequence[str]) -> set[str]:
    from ..check import proper_nouns

    return {w.lower() for w in proper_nouns(" ".join([title + ".", *bullets]))}


CONTINUES_JACCARD = 0.3  # sections are shorter since the bullet budgets (fewer names each)


def continuations(briefing: Briefing, earlier: Sequence[Briefing]) -> Briefing:
    """Mark each section that continues a story of an earlier briefing (newest first): it
    cites an entry that briefing cited, or shares most of its names."""

    def profile(sec: Section) -> tuple[set[str], set[str]]:
        return ({c for b in sec.bullets for c in b.citations},
                _terms(sec.title, [b.text for b in sec.bullets]))  # fmt: skip

    # newest briefing first, each earlier section's citations and names worked out once
    past = [(old.date, *profile(o)) for old in earlier for o in old.sections]
    sections = []
    for sec in briefing.sections:
        cited, terms = profile(sec)
        found = None
        for date, o_cited, o_terms in past:
            union = terms | o_terms
            if cited & o_cited or (
                union and len(terms & o_terms) / len(union) >= CONTINUES_JACCARD
            ):
                found = date
                break
        sections.append(sec.model_copy(update={"continues": found}) if found else sec)
    return briefing.model_copy(update={"sections": sections})
