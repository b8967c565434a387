"""Other publishers' reports of one event that the story grouping left in other stories
(issue 27): for a story whose items are all by one publisher (or one set of publishers), the
items of other publishers its items are linked to in the grouping's sparse neighbour graph.
Corroboration searches them as it searches the story. Pure; bounded by the graph (a few
edges per item, never an n x n array)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from ..models import Item, Story
from .stories import Edges, edges, grouping, vectors

# Other publishers' reports of one event that the grouping left in other stories (issue 27):
# corroboration also searches them. Bounded: the existing sparse neighbour graph, a few per item.
RELATED_MIN = 0.1  # cosine of two items (as `cluster` caps it) for a candidate: well below a join
RELATED_PER_ITEM = 3  # other publishers' items kept per item, the most similar first
RELATED_LOOK = 10  # ... among its this many most similar items of other stories
RELATED_PER_STORY = 30  # ... and per story
RELATED_HOURS = 12.0  # both dated: no further apart than this


def related(stories: Sequence[Story], publisher: Mapping[str, str],
            items: Sequence[Item] | None = None,
            found: Edges | None = None) -> dict[str, tuple[Item, ...]]:  # fmt: skip
    """For each story, items of other stories, by publishers none of whose items is in the
    story, that may report the same event: an edge of the sparse neighbour graph over all the
    items (words, names and people quoted, as `cluster` weighs them) of similarity at least
    RELATED_MIN, both dated within RELATED_HOURS, RELATED_PER_ITEM per item among its
    RELATED_LOOK nearest of other stories. `publisher` maps a document to its publisher.
    `items` and `found`: the items and the graph `stories.grouping` cut the stories from
    (else both are made again). Empty when all items are of one publisher: nothing changes
    for a single-publisher day."""
    if items is None:
        items = [it for s in stories for it in s.items]
    story_of = {id(it): si for si, s in enumerate(stories) for it in s.items}
    owner = [story_of[id(it)] for it in items]
    pubs = [frozenset(publisher.get(d, d) for d in it.documents) for it in items]
    if len(items) < 2 or len(frozenset().union(*pubs)) < 2:
        return {}
    a, b, sim = found if found is not None else edges(vectors(items), len(items))
    if not len(a):
        return {}
    own = np.asarray(owner)
    when = np.array([it.canonical.published.timestamp() if it.canonical.published else np.nan
                     for it in items])  # fmt: skip
    apart = np.abs(when[a] - when[b])
    keep = (sim >= RELATED_MIN) & (own[a] != own[b]) & ~(apart > RELATED_HOURS * 3600)
    # both directions, each item's edges the most similar first; no Python object per edge
    src = np.concatenate((a[keep], b[keep]))
    dst = np.concatenate((b[keep], a[keep]))
    val = np.concatenate((sim[keep], sim[keep]))
    order = np.lexsort((dst, -val, src))
    src, dst, val = src[order], dst[order], val[order]
    starts = np.flatnonzero(np.diff(src, prepend=-1))  # each item's first edge
    rank = np.arange(len(src)) - np.repeat(starts, np.diff(np.append(starts, len(src))))
    near = rank < RELATED_LOOK
    story_pubs: list[frozenset[str]] = [frozenset()] * len(stories)
    for i, si in enumerate(owner):
        story_pubs[si] = story_pubs[si] | pubs[i]
    per_story: dict[int, dict[int, float]] = {}
    taken = 0
    last = -1
    for i, j, v in zip(src[near].tolist(), dst[near].tolist(), val[near].tolist(),
                       strict=True):  # fmt: skip
        if i != last:
            last, taken = i, 0
        if taken >= RELATED_PER_ITEM or pubs[j] & story_pubs[owner[i]]:
            continue
        taken += 1
        got = per_story.setdefault(owner[i], {})
        got[j] = max(got.get(j, 0.0), v)
    return {stories[si].id: tuple(items[j] for j in sorted(got, key=lambda j: (-got[j], j))
                                  [:RELATED_PER_STORY])
            for si, got in per_story.items()}  # fmt: skip


def grouped(items: Sequence[Item], publisher: Mapping[str, str]
            ) -> tuple[list[Story], dict[str, tuple[Item, ...]]]:  # fmt: skip
    """`stories.group`, and each story's related items from the same graph (computed once)."""
    stories, found = grouping(items)
    return stories, related(stories, publisher, items, found)
