"""How much an entry is about a topic, not just whether it names it. Pure.

An entry that names one of the topic's include terms gets a score from two kinds of evidence:

- where and how often it names the topic: in its headline (HEADLINE), in its lead (the first
  LEAD_WORDS words of its body: LEAD), in what share of its sentences (SPREAD × the share),
  and with how many distinct terms (DISTINCT for each term beyond the first, at most
  MAX_DISTINCT); a live-blog post whose blog's title names the topic adds BLOG;
- what its other words say (CONTEXT × similarity): the entries of the same run whose term
  evidence alone is strong (at least SEED) are the topic's clear entries; an entry's words,
  with the topic's terms taken out, are compared (TF-IDF over the run's entries, cosine) with
  the centroid of the clear ones (itself left out), as a share of a typical clear entry's
  similarity (their median), capped at 1. With fewer than MIN_SEEDS clear entries there is no
  centroid, and every entry counts NO_CONTEXT.

The entry is on the topic when the score is at least ON_TOPIC; otherwise the topic's words
are a passing mention ("the Ukrainian champions", "a Kyiv-born actor"). The vectors are
sparse dicts over each entry's own words (no run × vocabulary matrix); the cost is linear in
the words of the entries scored.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..check import STOPWORDS, WORD, stem
from ..models import Entry

HEADLINE = 2.0
LEAD = 1.0
LEAD_WORDS = 40
SPREAD = 3.0
DISTINCT = 1.0
MAX_DISTINCT = 2
BLOG = 2.0  # as much as its own headline: the blog's title heads every post
CONTEXT = 2.0
NO_CONTEXT = 0.5
SEED = 4.0
MIN_SEEDS = 3
ON_TOPIC = 4.5

# a sentence ends at . ! ? … and a space (before any letter: lowercased text has sentences
# too), but not after an initial or a title ("J. Smith", "U.S. officials", "Mr. Putin")
_SENTENCE = re.compile(r"[.!?…](?<!\b[A-Z]\.)(?<!\bMr\.)(?<!\bMs\.)(?<!\bDr\.)(?<!\bSt\.)"
                       r"(?<!\bMrs\.)[\"'”’)\]]*\s+(?=[\"'“‘(\[]?\w)")


@dataclass(frozen=True, slots=True)
class Evidence:
    """What an entry's own text says of the topic's terms."""

    headline: bool  # a term in the headline
    lead: bool  # a term in the first LEAD_WORDS words of the body
    share: float  # the share of its sentences (the headline alone, when it has no body) with a term
    distinct: int  # distinct include terms
    blog: bool  # a live-blog post whose blog's title names the topic

    @property
    def score(self) -> float:
        return (HEADLINE * self.headline + LEAD * self.lead + SPREAD * self.share
                + DISTINCT * min(max(self.distinct - 1, 0), MAX_DISTINCT)
                + BLOG * self.blog)  # fmt: skip


def evidence(e: Entry, terms: re.Pattern[str], blog_title: str | None = None) -> Evidence | None:
    """The entry's term evidence; None when it names no term at all."""
    return _read(e, terms, blog_title)[0]


def _read(
    e: Entry, terms: re.Pattern[str], blog_title: str | None
) -> tuple[Evidence | None, list[str]]:
    """The evidence, and the words its term matches took (left out of its context)."""
    if terms.search(e.text) is None:
        return None, []
    taken: list[str] = []
    head = set()
    for m in terms.finditer(e.headline or ""):
        head.add(m.lastgroup or "")
        taken.append(m.group())
    found = set(head)
    sentences = hits = words = 0
    lead = False
    for p in e.paragraphs:
        text = p.text
        starts = [0] + [m.end() for m in _SENTENCE.finditer(text)]
        hit: set[int] = set()
        for m in terms.finditer(text):
            found.add(m.lastgroup or "")
            taken.append(m.group())
            hit.add(bisect_right(starts, m.start()))
            if not lead and words < LEAD_WORDS:
                lead = words + len(WORD.findall(text, 0, m.start())) < LEAD_WORDS
        sentences += sum(1 for a, b in pairwise([*starts, len(text)]) if text[a:b].strip())
        hits += len(hit)
        if words < LEAD_WORDS:
            words += len(WORD.findall(text))
    if not found:
        return None, taken
    if sentences == 0:  # a headline alone (a link): the headline is all it says
        sentences, hits, lead = 1, 1, True
    blog = e.kind == "entry" and bool(blog_title) and terms.search(blog_title or "") is not None
    return Evidence(bool(head), lead, min(1.0, hits / sentences), len(found), blog), taken


def _words(e: Entry, taken: list[str], stems: dict[str, str]) -> Counter[str]:
    """The context: its words (stemmed, no stopwords) besides the topic's own."""
    out: Counter[str] = Counter()
    for w in WORD.findall(e.text):
        w = w.lower()
        if len(w) > 2 and w not in STOPWORDS:
            out[stems.get(w) or stems.setdefault(w, stem(w))] += 1
    for t in taken:
        for w in WORD.findall(t.lower()):
            if (k := stems.get(w)) is not None and out.get(k, 0) > 0:
                out[k] -= 1
    return +out


def _vectors(counts: Sequence[Counter[str]]) -> list[dict[str, float]]:
    """Unit TF-IDF vectors (log tf, smoothed idf over these entries)."""
    df: Counter[str] = Counter()
    for c in counts:
        df.update(c.keys())
    n = len(counts)
    idf = {w: math.log((n + 1) / (k + 1)) for w, k in df.items()}
    out = []
    for c in counts:
        v = {w: (1 + math.log(k)) * idf[w] for w, k in c.items() if idf[w] > 0}
        norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
        out.append({w: x / norm for w, x in v.items()})
    return out


def context(vectors: Sequence[dict[str, float]], seeds: Sequence[int]) -> list[float] | None:
    """Each vector's similarity to the seeds' centroid (a seed's own vector left out), as a
    share of the seeds' median similarity, capped at 1; None with fewer than MIN_SEEDS."""
    if len(seeds) < MIN_SEEDS:
        return None
    centroid: dict[str, float] = {}
    for i in seeds:
        for w, x in vectors[i].items():
            centroid[w] = centroid.get(w, 0.0) + x
    norm2 = sum(x * x for x in centroid.values())
    is_seed = set(seeds)
    sims = []
    for i, v in enumerate(vectors):
        dot = sum(x * centroid.get(w, 0.0) for w, x in v.items())
        if i in is_seed:  # |c - v|² = |c|² - 2 c·v + |v|², c·v - |v|² = (c - v)·v
            own = sum(x * x for x in v.values())
            dot, n2 = dot - own, norm2 - 2 * dot + own
        else:
            n2 = norm2
        sims.append(dot / math.sqrt(n2) if n2 > 1e-12 else 0.0)
    typical = sorted(sims[i] for i in seeds)[len(seeds) // 2]
    if typical <= 0:
        return None
    return [min(1.0, max(0.0, s / typical)) for s in sims]


def scores(
    entries: Sequence[Entry],
    terms: re.Pattern[str],
    blog_title: Callable[[Entry], str | None] = lambda e: None,
) -> list[float | None]:
    """Each entry's score (None: it names no term). On the topic: score >= ON_TOPIC."""
    read = [_read(e, terms, blog_title(e)) for e in entries]
    found = [ev for ev, _taken in read]
    named = [i for i, ev in enumerate(found) if ev is not None]
    if not named:
        return [None] * len(entries)
    stems: dict[str, str] = {}
    vectors = _vectors([_words(entries[i], read[i][1], stems) for i in named])
    seeds = [k for k, i in enumerate(named) if (ev := found[i]) is not None and ev.score >= SEED]
    near = context(vectors, seeds)
    out: list[float | None] = [None] * len(entries)
    for k, i in enumerate(named):
        ev = found[i]
        assert ev is not None
        out[i] = ev.score + CONTEXT * (near[k] if near is not None else NO_CONTEXT)
    return out
