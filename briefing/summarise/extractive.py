"""The offline default summariser: cited, extractive, deterministic, no network.

For each story it scores the sentences of its items by centrality (TF-IDF cosine to the story's
centroid), weighted for position (ledes first), length and context-free openings ("He said"),
then picks sentences greedily with maximal marginal relevance so no two bullets say the same.
Each bullet cites every source of the item it came from (all copies of a deduplicated entry),
plus any other item that carries the same sentence.

Work is bounded per story, not per corpus: only the stories it is given (the pipeline gives the
top `max_sections`), and of each only its most central items up to `STORY_CHARS` characters,
are split into sentences (pysbd is the slow part). Vectors stay sparse.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import numpy as np

from ..clean import fingerprint_text
from ..contract import Bullet, Section
from ..instructions import instruction_like
from ..models import Item, Paragraph, Story
from ..tokens import count, sentences
from .base import Draft, SummaryRequest, Usage

if TYPE_CHECKING:
    from scipy.sparse import csr_matrix

MIN_WORDS = 7
MAX_WORDS = 55
REDUNDANT = 0.45  # cosine above which a candidate repeats a chosen bullet
MMR_LAMBDA = 0.75
STORY_CHARS = 30_000  # text read per story, most central items first (the sample's are < 5,000)
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


def reading(story: Story) -> Iterator[tuple[int, Item, list[tuple[int, Paragraph, str]]]]:
    """The items of a story that are read, most central first, each with the paragraphs read
    (index, paragraph, text): STORY_CHARS characters in all. A paragraph that does not fit
    whole is cut at a space, and the sentence it was cut in is not used."""
    budget = STORY_CHARS
    for ii, item in enumerate(story.items):
        if budget <= 0:
            return
        read = []
        for pi, para in enumerate(item.canonical.paragraphs):
            if budget <= 0:
                break
            text = para.text if len(para.text) <= budget else para.text[:budget].rsplit(" ", 1)[0]
            budget -= len(para.text)
            read.append((pi, para, text))
        yield ii, item, read


def tokens_read(stories: Sequence[Story]) -> int:
    """Tokens of the text the summariser read (each entry's headline and body when read whole)."""
    total = 0
    for story in stories:
        for _ii, item, read in reading(story):
            body = "\n".join(text for _pi, _para, text in read)
            total += count("\n".join(x for x in (item.canonical.headline, body) if x))
    return total


def candidates(stories: Sequence[Story]) -> list[Candidate]:
    by_key: dict[str, Candidate] = {}
    for si, story in enumerate(stories):
        for ii, item, read in reading(story):
            e = item.canonical
            first = True
            for pi, para, para_text in read:
                if para.kind == "h":
                    continue
                sents = sentences(para_text)
                if para_text != para.text:  # cut short: its last sentence is not whole
                    sents = sents[:-1]
                for ki, sent in enumerate(sents):
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


def _vectors(texts: Sequence[str]) -> csr_matrix:
    """Unit-length TF-IDF rows, sparse (a row of zeros for a sentence of stop words only)."""
    from scipy.sparse import identity
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.preprocessing import normalize

    vec = TfidfVectorizer(stop_words="english", sublinear_tf=True)
    try:
        return normalize(vec.fit_transform(texts)).tocsr()
    except ValueError:  # every word was a stop word
        return identity(len(texts), format="csr")


class ExtractiveSummariser:
    name = "extractive"

    def execute(self, request: SummaryRequest) -> Draft:
        stories = request.stories[: request.max_sections]
        cands = candidates(stories)
        source_tokens = tokens_read(stories)
        if not cands:
            return Draft([], [], self.name, usage=Usage(tokens_in=source_tokens))
        vecs = _vectors([c.text for c in cands])
        relevance = np.zeros(len(cands))
        by_story: dict[int, list[int]] = {}
        for i, c in enumerate(cands):
            by_story.setdefault(c.story, []).append(i)
        for idxs in by_story.values():
            rows = vecs[idxs]
            centroid = np.asarray(rows.mean(axis=0)).ravel()  # one vocabulary-long row
            cn = np.linalg.norm(centroid) or 1.0
            relevance[idxs] = (rows @ centroid) / cn
        score = relevance * np.array([c.weight for c in cands])
        overlap = np.zeros(len(cands))  # each candidate's highest cosine to a chosen bullet
        taken = np.zeros(len(cands), dtype=bool)

        def pick(pool: Sequence[int], k: int) -> list[int]:
            nonlocal overlap
            picked: list[int] = []
            for _ in range(k):
                free = np.array([i for i in pool if not taken[i]], dtype=np.int64)
                free = free[overlap[free] <= REDUNDANT] if len(free) else free
                if not len(free):
                    break
                val = MMR_LAMBDA * score[free] - (1 - MMR_LAMBDA) * overlap[free]
                best = int(free[int(np.argmax(val))])  # the first of equals, in pool order
                picked.append(best)
                taken[best] = True
                overlap = np.maximum(overlap, (vecs @ vecs[best].T).toarray().ravel())
            return picked

        def bullet(i: int) -> Bullet:
            return Bullet(text=cands[i].text, citations=list(cands[i].citations))

        # Top summary: the best sentence of each of the leading stories.
        summary: list[Bullet] = []
        for si in range(min(request.summary_lines, len(stories))):
            summary.extend(bullet(i) for i in pick(by_story.get(si, []), 1))

        sections: list[Section] = []
        for si, story in enumerate(stories):
            k = min(request.max_bullets, 1 + len(story.items) // 2)
            picked = pick(by_story.get(si, []), k)
            if not picked and si >= request.summary_lines:
                continue
            picked.sort(key=lambda i: (cands[i].when is None, cands[i].when or 0, cands[i].order))
            sections.append(Section(title=story.title, story_id=story.id,
                                    bullets=[bullet(i) for i in picked]))  # fmt: skip
        sections = [s for s in sections if s.bullets]
        out_tokens = sum(count(b.text) for b in summary) + sum(
            count(b.text) for s in sections for b in s.bullets
        )
        return Draft(summary, sections, self.name,
                     usage=Usage(tokens_in=source_tokens, tokens_out=out_tokens))  # fmt: skip
