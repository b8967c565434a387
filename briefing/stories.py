"""Items -> Stories: related reports of one event grouped together. Pure.

TF-IDF over each item's headline and body (words common to most items, such as the topic's own
names, weigh little), cosine similarity, average-link agglomerative clustering with a distance
cut-off. Stories are ranked by how many items and sources report them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Sequence

import numpy as np

from .contract import Briefing, Section
from .models import Item, Story

DISTANCE_CUTOFF = 0.92  # 1 - cosine; tuned on the sample corpus (Hegseth's remarks = one story)


def item_text(item: Item) -> str:
    e = item.canonical
    return "\n".join(x for x in (e.headline, e.headline, e.body) if x)  # headline weighs double


def similarity(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    if len(texts) == 1:
        return np.ones((1, 1))
    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True, min_df=1,
                          max_df=0.7 if len(texts) >= 6 else 1.0,
                          token_pattern=r"(?u)\b[^\W\d_][\w'-]+\b")  # fmt: skip
    try:
        m = vec.fit_transform(texts)
    except ValueError:  # every word was a stop word
        return np.eye(len(texts))
    sim = (m @ m.T).toarray()
    np.fill_diagonal(sim, 1.0)
    return np.clip(sim, 0.0, 1.0)


def cluster(sim: np.ndarray, cutoff: float = DISTANCE_CUTOFF) -> list[int]:
    n = sim.shape[0]
    if n == 1:
        return [0]
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    dist = squareform(1.0 - sim, checks=False)
    labels = fcluster(linkage(dist, method="average"), t=cutoff, criterion="distance")
    return [int(x) for x in labels]


def group(items: Sequence[Item], cutoff: float = DISTANCE_CUTOFF) -> list[Story]:
    if not items:
        return []
    sim = similarity([item_text(i) for i in items])
    labels = cluster(sim, cutoff)
    by_label: dict[int, list[int]] = {}
    for idx, label in enumerate(labels):
        by_label.setdefault(label, []).append(idx)
    stories = []
    for idxs in by_label.values():
        members = [items[i] for i in idxs]
        centrality = sim[np.ix_(idxs, idxs)].mean(axis=1)
        docs = {d for it in members for d in it.documents}
        score = len(members) + 0.5 * len(docs) + 0.25 * sum(len(it.members) - 1 for it in members)
        order = sorted(range(len(idxs)), key=lambda k: -centrality[k])
        ranked = [members[k] for k in order]
        title = _title(ranked)
        sid = (
            "s" + hashlib.sha256("|".join(sorted(i.id for i in members)).encode()).hexdigest()[:10]
        )
        stories.append(Story(sid, title, tuple(ranked), float(score)))
    stories.sort(key=lambda s: (-s.score, s.title))
    return stories


_PREFIX = re.compile(r"^(?:Breaking|Live|Watch|Latest|Update|Analysis|Exclusive)\s*[:|-]\s*", re.I)


def _title(ranked: Sequence[Item]) -> str:
    """The headline of the story's first report (the event itself), else its first line."""
    headed = [m for it in ranked for m in it.members if m.headline and m.kind != "lead"]
    if headed:
        first_report = min(headed, key=lambda m: (m.published is None, m.published, -m.position))
        return _PREFIX.sub("", first_report.headline or "")
    first = ranked[0].canonical.body.split("\n")[0]
    return first if len(first) <= 90 else first[:87].rsplit(" ", 1)[0] + "…"


def _terms(title: str, bullets: Sequence[str]) -> set[str]:
    from .check import proper_nouns

    return {w.lower() for w in proper_nouns(" ".join([title + ".", *bullets]))}


CONTINUES_JACCARD = 0.35


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
