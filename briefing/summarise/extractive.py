"""The offline default summariser: cited, extractive, deterministic, no network.

For each story it scores the sentences of its items by centrality (TF-IDF cosine to the story's
centroid), weighted for position (ledes first), length and context-free openings ("He said"),
then picks sentences greedily with maximal marginal relevance so no two bullets say the same.
Each bullet cites every source of the item it came from (all copies of a deduplicated entry),
plus any other item that carries the same sentence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from ..clean import fingerprint_text
from ..contract import Bullet, Section
from ..instructions import instruction_like
from ..models import Story
from ..tokens import count, sentences
from .base import Draft, SummaryRequest, Usage

MIN_WORDS = 7
MAX_WORDS = 55
REDUNDANT = 0.45  # cosine above which a candidate repeats a chosen bullet
MMR_LAMBDA = 0.75
_OPENERS = re.compile(
    r"^(?:Meanwhile|However|Separately|Elsewhere|Additionally|Also|And|But|So|Now|Yesterday"
    r"|Today|Earlier|Later|Earlier today|Last night|In addition|As we've been reporting)\s*,?\s+",
    re.IGNORECASE,
)
_CONTEXTLESS = re.compile(
    r"^(?:He|She|They|It|This|That|These|Those|His|Her|Their|Its|The move|The comments)\b"
)


@dataclass(slots=True)
class Candidate:
    text: str
    key: str  # fingerprint: the same sentence in two items is one candidate
    story: int
    citations: list[str]
    weight: float
    when: datetime | None
    order: tuple[int, int, int]


def compress(sentence: str) -> str:
    """Light compression: drop a leading discourse marker, tidy quotes and spaces."""
    s = _OPENERS.sub("", sentence.strip(), count=1)
    s = re.sub(r"\s+", " ", s)
    if s and s[0].islower():
        s = s[0].upper() + s[1:]
    if s.count('"') % 2 == 1:  # a quote that opens in an earlier sentence or closes in a later one
        s = s.replace('"', "")
    return s


LEDE_BONUS = 1.6  # the first sentence of an entry says what happened (docs/quality.md)
SHORT_WORDS, SHORT_PENALTY = 12, 0.9
LONG_WORDS, LONG_PENALTY = 30, 0.6


def _weight(sentence: str, lede: bool, kind: str, para_kind: str) -> float:
    n = len(sentence.split())
    w = 1.0
    if lede:
        w *= LEDE_BONUS
    if kind == "lead":
        w *= 1.1
    if para_kind == "li":
        w *= 0.8
    if n < SHORT_WORDS:
        w *= SHORT_PENALTY
    elif n > LONG_WORDS:
        w *= LONG_PENALTY
    if _CONTEXTLESS.match(sentence):
        w *= 0.6
    if sentence.startswith('"'):
        w *= 0.85
    if sentence.rstrip().endswith((":", "?")):
        w *= 0.3
    return w


def candidates(stories: Sequence[Story]) -> list[Candidate]:
    by_key: dict[str, Candidate] = {}
    for si, story in enumerate(stories):
        for ii, item in enumerate(story.items):
            e = item.canonical
            first = True
            for pi, para in enumerate(e.paragraphs):
                if para.kind == "h":
                    continue
                for ki, sent in enumerate(sentences(para.text)):
                    text = compress(sent)
                    n = len(text.split())
                    if n < MIN_WORDS or n > MAX_WORDS or instruction_like(text):
                        first = False
                        continue
                    key = fingerprint_text(text)
                    # reported in several documents: more weight
                    w = _weight(text, first, e.kind, para.kind) * (
                        1 + 0.2 * (len(item.documents) - 1)
                    )
                    first = False
                    if key in by_key:  # same sentence in another item: it supports this one
                        c = by_key[key]
                        c.citations.extend(x for x in item.entry_ids if x not in c.citations)
                        c.weight = max(c.weight, w)
                        continue
                    by_key[key] = Candidate(text, key, si, list(item.entry_ids), w,
                                            e.published, (ii, pi, ki))  # fmt: skip
    return list(by_key.values())


def _vectors(texts: Sequence[str]) -> np.ndarray:
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        return np.asarray(vec.fit_transform(texts).toarray())
    except ValueError:
        return np.eye(len(texts))


class ExtractiveSummariser:
    name = "extractive"

    def execute(self, request: SummaryRequest) -> Draft:
        stories = request.stories
        cands = candidates(stories)
        source_tokens = sum(count(it.canonical.text) for s in stories for it in s.items)
        if not cands:
            return Draft([], [], self.name, usage=Usage(tokens_in=source_tokens))
        vecs = _vectors([c.text for c in cands])
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        vecs = vecs / np.where(norms == 0, 1, norms)
        relevance = np.zeros(len(cands))
        by_story: dict[int, list[int]] = {}
        for i, c in enumerate(cands):
            by_story.setdefault(c.story, []).append(i)
        for idxs in by_story.values():
            centroid = vecs[idxs].mean(axis=0)
            cn = np.linalg.norm(centroid) or 1.0
            relevance[idxs] = (vecs[idxs] @ centroid) / cn
        score = relevance * np.array([c.weight for c in cands])

        chosen: list[int] = []

        def pick(pool: Sequence[int], k: int) -> list[int]:
            picked: list[int] = []
            for _ in range(k):
                best, best_val = -1, -1e9
                for i in pool:
                    if i in chosen or i in picked:
                        continue
                    taken = chosen + picked
                    overlap = float(np.max(vecs[taken] @ vecs[i])) if taken else 0.0
                    if overlap > REDUNDANT:
                        continue
                    val = MMR_LAMBDA * score[i] - (1 - MMR_LAMBDA) * overlap
                    if val > best_val:
                        best, best_val = i, val
                if best < 0:
                    break
                picked.append(best)
            chosen.extend(picked)
            return picked

        def bullet(i: int) -> Bullet:
            return Bullet(text=cands[i].text, citations=list(cands[i].citations))

        # Top summary: the best sentence of each of the leading stories.
        summary: list[Bullet] = []
        for si in range(min(request.summary_lines, len(stories))):
            summary.extend(bullet(i) for i in pick(by_story.get(si, []), 1))

        sections: list[Section] = []
        for si, story in enumerate(stories[: request.max_sections]):
            k = min(request.max_bullets, 1 + len(story.items) // 2)
            picked = pick(by_story.get(si, []), k)
            if not picked and si >= request.summary_lines:
                continue
            picked.sort(key=lambda i: (cands[i].when is None, cands[i].when or 0, cands[i].order))
            sections.append(Section(title=story.title, story_id=story.id,
                                    bullets=[bullet(i) for i in picked]))  # fmt: skip
        sections = [s for s in sections if s.bullets]
        rest = stories[request.max_sections :]
        also: list[Bullet] = []
        for si in range(request.max_sections, request.max_sections + len(rest)):
            if len(also) >= request.also_reported:
                break
            also.extend(bullet(i) for i in pick(by_story.get(si, []), 1))
        if also:
            sections.append(Section(title="Also reported", bullets=also))
        out_tokens = sum(count(b.text) for b in summary) + sum(
            count(b.text) for s in sections for b in s.bullets
        )
        return Draft(summary, sections, self.name,
                     usage=Usage(tokens_in=source_tokens, tokens_out=out_tokens))  # fmt: skip
