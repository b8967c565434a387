"""Which sentences cover a story: concepts, bullet budgets, and a greedy selection that covers
the most concept weight with no two lines saying the same thing.

The approach of concept-coverage summarisers (Gillick and Favre's ICSI system: maximise the
weight of the concepts covered, each counted once), solved greedily, with maximal marginal
relevance's non-redundancy kept as a hard bound. A concept is a pair of neighbouring content
words, stemmed (5 letters, so "Ukraine" and "Ukrainian" meet), or a name. Its weight is the
number of the story's items that mention it (what several reports say is the story's news),
more in the first sentence of an entry. A sentence is worth the weight of the concepts it adds,
times its own weight (lede, length, context), over the square root of its length.

`similarity` is the bound: the share of the smaller sentence's concepts (words and pairs,
weighted by rarity) that the other has. Two lines above `REDUNDANT` say the same thing.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from itertools import pairwise

from ...check import GROUPS, STOPWORDS, stem
from ...models import Story
from .candidates import Candidate

REDUNDANT = 0.3  # similarity above which two lines say the same thing (docs/quality.md)
LEDE_CONCEPT = 3.0  # a concept in an entry's first sentence counts this much more
DAY_CONCEPT = 0.5  # an item of another story that mentions a concept counts this much
PER_DOUBLING, PER_SOURCE = 0.3, 1.0  # a story's bullets: one more per doubling of its items
PER_SENTENCES, SENTENCES_UNIT = 2.0, 10  # and for a story with more to say than 10 sentences
LENGTH_POWER = 1.0  # value per word^power: long sentences cover more, but cost more to read
_SAID = re.compile(r"^[^:]{1,60} said: ")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*|\d+(?:[.,]\d+)*")
# the meaning checks' synonym groups, and a few more that say "the same" only for redundancy
_MORE = {"talk": "negotiation negotiations negotiate negotiating", "involve": "participation"}
_SYNONYM = {stem(w): name for name, ws in (*GROUPS.items(), *_MORE.items()) for w in ws.split()}


def words(text: str) -> list[str]:
    """Content words, stemmed; a word of a synonym group (lexicon.GROUPS) becomes the group."""
    out = []
    for w in _WORD.findall(text.lower().replace("’", "'")):
        w = w.removesuffix("'s")
        if w in STOPWORDS or (len(w) < 3 and not w.isdigit()):
            continue
        s = stem(w)
        out.append(_SYNONYM.get(s, s))
    return out


def concepts(text: str) -> set[str]:
    """Neighbouring content-word pairs, and the names (capitalised words inside a sentence)."""
    ws = words(text)
    out = {f"{a} {b}" for a, b in pairwise(ws)}
    caps = re.findall(r"(?<=\s)[A-Z][^\W\d_]+", text)
    out |= {stem(c.lower()) for c in caps if c.lower() not in STOPWORDS}
    return out


def budget(story: Story, cap: int, sentences: int = 0) -> int:
    """Bullets a story may have: one, and more for a story of many items, many sources and
    much to say (`sentences`: its candidate sentences), up to `cap` (the section's maximum)."""
    sources = len({d for it in story.items for d in it.documents})
    size = (1 + PER_DOUBLING * math.log2(len(story.items)) + PER_SOURCE * (sources - 1)
            + PER_SENTENCES * math.log2(max(1.0, sentences / SENTENCES_UNIT)))  # fmt: skip
    return max(1, min(cap, int(size)))


def _overlap(a: set[str], b: set[str], rarity: dict[str, float]) -> float:
    """The share of the smaller set's weight (rarity; 1 for a term no candidate has) that the
    other set has."""
    if not a or not b:
        return 0.0
    shared = sum(rarity.get(k, 1.0) for k in a & b)
    return shared / min(sum(rarity.get(k, 1.0) for k in a), sum(rarity.get(k, 1.0) for k in b))


class Selector:
    """Greedy concept coverage over the candidates of several stories, with one shared bound
    on redundancy: a line is never chosen if it says the same as a line already chosen."""

    def __init__(self, cands: Sequence[Candidate]) -> None:
        self.cands = cands
        # what a line says, without the speaker a list point is given to ("Hegseth said: …")
        self.concepts = [concepts(_SAID.sub("", c.text, count=1)) for c in cands]
        self.length = [len(_SAID.sub("", c.text, count=1).split()) for c in cands]
        self.terms = [set(words(_SAID.sub("", c.text, count=1))) | k
                      for c, k in zip(cands, self.concepts, strict=True)]
        df: dict[str, int] = {}
        for t in self.terms:
            for k in t:
                df[k] = df.get(k, 0) + 1
        n = len(cands) + 1
        self.rarity = {k: math.log(n / v) + 1.0 for k, v in df.items()}
        seen: dict[tuple[int, str], set[int]] = {}  # (story, concept) -> the items with it
        day: dict[str, int] = {}  # concept -> the items of all stories with it
        lede: set[tuple[int, str]] = set()
        for c, ks in zip(cands, self.concepts, strict=True):
            for k in ks:
                mine = seen.setdefault((c.story, k), set())
                day[k] = day.get(k, 0) + len(c.items - mine)
                mine.update(c.items)
                if c.lede:
                    lede.add((c.story, k))
        self.value = {(s, k): (len(its) + DAY_CONCEPT * (day[k] - len(its)))
                      * (LEDE_CONCEPT if (s, k) in lede else 1.0)
                      for (s, k), its in seen.items()}  # fmt: skip
        self.covered: set[tuple[int, str]] = set()
        self.chosen: list[int] = []

    def similarity(self, i: int, j: int) -> float:
        return _overlap(self.terms[i], self.terms[j], self.rarity)

    def redundant(self, i: int) -> bool:
        return any(self.similarity(i, j) > REDUNDANT for j in self.chosen)

    def gain(self, i: int) -> float:
        c = self.cands[i]
        new = sum(self.value[(c.story, k)] for k in self.concepts[i]
                  if (c.story, k) not in self.covered)  # fmt: skip
        return c.weight * new / max(1, self.length[i]) ** LENGTH_POWER

    def take(self, pool: Sequence[int], k: int) -> list[int]:
        """Up to k of `pool` in its own order (a report's list of its key points), each that
        adds something and is not redundant with any line chosen so far."""
        picked: list[int] = []
        for i in pool:
            if len(picked) == k:
                break
            if i in self.chosen or self.redundant(i) or self.gain(i) <= 0:
                continue
            picked.append(i)
            self.chosen.append(i)
            c = self.cands[i]
            self.covered |= {(c.story, x) for x in self.concepts[i]}
        return picked

    def pick(self, pool: Sequence[int], k: int) -> list[int]:
        """Up to k of `pool`, best gain first, none redundant with any line chosen so far."""
        picked: list[int] = []
        for _ in range(k):
            free = [i for i in pool if i not in self.chosen and not self.redundant(i)]
            if not free:
                break
            best = max(free, key=lambda i: (self.gain(i), -free.index(i)))
            if self.gain(best) <= 0:
                break
            picked.append(best)
            self.chosen.append(best)
            c = self.cands[best]
            self.covered |= {(c.story, x) for x in self.concepts[best]}
        return picked
