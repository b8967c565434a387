"""Evidence: the sentences of its cited entries that support a bullet. Pure.

An entry's text (headline + body) is split into sentences with their character offsets; a
bullet is aligned to the sentence that shares most of its words (numbers, names and time words
count double), then to further sentences (at most `MAX_EVIDENCE`) that add what the first
lacks, which is how a bullet that merges two sentences finds both. `meaning.py` then compares
the bullet with these sentences.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from ..tokens import sentences
from .lemmas import never_a_name
from .lexicon import (
    AMOUNT_WORDS,
    COMMON_CAPS,
    NUMBER_WORDS,
    STOPWORDS,
    TIME_STEMS,
    TIME_WORDS,
    root,
)
from .quantities import forms, mentions, plain
from .thresholds import MAX_EVIDENCE, MIN_FIRST_SHARE, MIN_FIRST_WORDS, MIN_GAIN, MIN_SHARED

_TOKEN = re.compile(
    r"(?P<num>\d+(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?)"
    r"|(?P<word>[^\W\d_]+(?:['’][^\W\d_]+)*)"
    r"|(?P<punct>[;:,.!?()–—]|--|\s-\s)"
)


@dataclass(frozen=True, slots=True)
class Tok:
    word: str  # lowercased; possessive dropped; "n't" -> "not"; numbers normalised
    start: int
    end: int
    kind: str  # "w" word, "n" number, "p" boundary punctuation
    cap: bool = False  # a capitalised word that is not a common word: a name, probably
    poss: bool = False  # was "X's"

    @property
    def stem(self) -> str:  # the word's root: one key for its forms ("shot", "shoots")
        return root(self.word)

    @property
    def content(self) -> bool:
        return self.kind == "n" or (
            self.kind == "w" and len(self.word) > 2 and self.word not in STOPWORDS
        )


def tokenize(text: str) -> list[Tok]:
    """The text's words, numbers and boundary marks (read once per text: a summariser's
    checks meet the same sentences again and again; long texts are not kept)."""
    return list(_tokenize(text) if len(text) <= CACHED_CHARS else _read_tokens(text))


CACHED_CHARS = 2_000  # texts up to this long are read once and kept (8,192 of them at most)


@lru_cache(maxsize=8192)
def _tokenize(text: str) -> tuple[Tok, ...]:
    return _read_tokens(text)


def _read_tokens(text: str) -> tuple[Tok, ...]:
    out: list[Tok] = []
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        if m.lastgroup == "num":
            n = m.group().replace(",", "")
            if "." in n:
                n = n.rstrip("0").rstrip(".")
            out.append(Tok(n, s, e, "n"))
        elif m.lastgroup == "punct":
            out.append(Tok(m.group().strip(), s, e, "p"))
        else:
            raw = m.group().replace("’", "'")
            low = raw.lower()
            poss = low.endswith("'s")
            if poss:
                low = low[:-2]
            if low in ("n't", "cannot") or low.endswith("n't"):
                base = {"n't": "", "cannot": "can", "won't": "will", "can't": "can"}.get(
                    low, low[:-3]
                )
                if base:
                    out.append(Tok(base, s, e, "w"))
                out.append(Tok("not", s, e, "w"))
                continue
            if low in NUMBER_WORDS:
                out.append(Tok(NUMBER_WORDS[low], s, e, "n"))
                continue
            cap = raw[:1].isupper() and low not in COMMON_CAPS and low not in STOPWORDS
            if cap and (not out or out[-1].word in (".", "!", "?")) and not raw.isupper() and (
                    never_a_name(low) or low in AMOUNT_WORDS):  # fmt: skip
                cap = False  # "Roughly 12 people …", "Despite the talks …": no names ("US" is)
            out.append(Tok(low, s, e, "w", cap=cap, poss=poss))
    return tuple(out)


def numbers(text: str) -> set[str]:
    """The numbers a text states, normalised ("1,200" -> "1200", "3.50" -> "3.5", "eight" ->
    "8"): the one number reader, for the words check and the meaning checks alike."""
    return {t.word for t in tokenize(text) if t.kind == "n"}


def weight(t: Tok) -> float:
    return 2.0 if (t.kind == "n" or t.cap or t.word in TIME_WORDS) else 1.0


@dataclass(frozen=True, slots=True)
class Sentence:
    entry: str
    index: int  # position in its entry; 0 is the headline when the entry has one
    start: int
    end: int
    text: str
    toks: tuple[Tok, ...]
    stems: frozenset[str]


# The end of a sentence: a full stop, ? or ! and any closing quotes, before a capital, digit
# or opening quote; in lowercased, tokenised text (" . "), before anything.
_END = re.compile(
    r"[.!?…][\"'”’)\]]*(?=\s+[\"'“‘(\[`]*[A-Z0-9])|(?<=\s)[.!?](?:\s+''|\s+'')?(?=\s)"
)
# Abbreviations that a plain split would cut at: such paragraphs go to pysbd.
_ABBREVIATION = re.compile(r"\b(?:[A-Z][a-z]{0,3}|[A-Z](?:\.[A-Z])*|e\.g|i\.e|etc|vs|no|st)\.\s")


def _split(line: str) -> list[str]:
    if _ABBREVIATION.search(line):
        return sentences(line)
    out, start = [], 0
    for m in _END.finditer(line):
        out.append(line[start : m.end()].strip())
        start = m.end()
    out.append(line[start:].strip())
    return [x for x in out if x]


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of an entry's text: paragraph by paragraph (the headline
    is the first line), then at sentence ends; a paragraph with abbreviations ("Dr.", "U.S.")
    goes to pysbd, which is slower."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.split("\n"):
        line_start = pos
        pos += len(line) + 1
        cursor = line_start
        for sent in _split(line):
            at = text.find(sent, cursor, line_start + len(line))
            if at < 0:  # the splitter changed the text: fall back to the rest of the line
                spans.append((cursor, line_start + len(line)))
                break
            spans.append((at, at + len(sent)))
            cursor = at + len(sent)
    return spans


class Index:
    """Sentences of the entries, split once per run and only for entries that are cited."""

    def __init__(self, sources: Mapping[str, str]) -> None:
        self.sources = sources
        self._sentences: dict[str, list[Sentence]] = {}

    def sentences(self, entry: str) -> list[Sentence]:
        got = self._sentences.get(entry)
        if got is None:
            text = self.sources[entry]
            got = []
            for i, (s, e) in enumerate(sentence_spans(text)):
                toks = tuple(tokenize(text[s:e]))
                stems = frozenset(t.stem for t in toks if t.content)
                got.append(Sentence(entry, i, s, e, text[s:e], toks, stems))
            self._sentences[entry] = got
        return got

    def context(self, sent: Sentence, before: int = 2, after: int = 1) -> list[Sentence]:
        """The headline and the sentences just around `sent` in its entry: where "he" and an
        unattributed quote find their speaker, and a name its first mention."""
        every = self.sentences(sent.entry)
        near = every[max(0, sent.index - before) : sent.index]
        near += every[sent.index + 1 : sent.index + 1 + after]
        return ([every[0]] if every and sent.index > before else []) + near


def verbatim(bullet: Sequence[Tok], candidates: Sequence[Sentence]) -> list[Sentence]:
    """The sentences a bullet was copied from, when its words run unbroken through them
    (an extractive bullet; quotes, capitals and punctuation may differ); [] otherwise."""
    words = [t.word for t in bullet if t.kind != "p"]
    if not words:
        return []
    for entry in dict.fromkeys(s.entry for s in candidates):
        sents = [s for s in candidates if s.entry == entry]
        flat = [(t.word, k) for k, s in enumerate(sents) for t in s.toks if t.kind != "p"]
        n = len(words)
        for i in range(len(flat) - n + 1):
            if flat[i][0] == words[0] and all(flat[i + j][0] == words[j] for j in range(n)):
                return sents[flat[i][1] : flat[i + n - 1][1] + 1]
    return []


def align(
    bullet: Sequence[Tok], candidates: Sequence[Sentence], text: str | None = None
) -> list[Sentence]:
    """The sentences that support a bullet, best first; [] when none does.

    The best sentence must hold a good share of the bullet's words. A further sentence must
    add words the chosen ones lack (not counting time words, which must not be borrowed from
    elsewhere in the entry), share words with the bullet, and be about the same thing: next
    to a chosen sentence, in another cited entry, or sharing two common words (not names,
    numbers or times) already found. A bullet copied word for word gets the sentences it was
    copied from. When none is found and the bullet's `text` is given, its amounts are matched
    by their forms instead of their words ("seventy-one per cent" with "71%")."""
    if copied := verbatim(bullet, candidates):
        return copied
    want: dict[str, float] = {}
    for t in bullet:
        if t.content:
            want[t.stem] = max(want.get(t.stem, 0.0), weight(t))
    found = _choose(want, candidates)
    return found if found or text is None else _by_amounts(bullet, text, candidates)


def _by_amounts(bullet: Sequence[Tok], text: str, candidates: Sequence[Sentence]) -> list[Sentence]:
    """`align` with each amount of the bullet one word, found in a sentence that states it in
    any form (`quantities.forms`)."""
    amounts = [m for m in mentions(text) if not m.soft]
    if not amounts:
        return []
    widened = [replace(s, stems=s.stems | forms(s.text)) for s in candidates]
    have = {k for s in widened for k in s.stems}
    want: dict[str, float] = {}
    for t in bullet:
        if t.content and not any(m.start <= t.start < m.end for m in amounts):
            want[t.stem] = max(want.get(t.stem, 0.0), weight(t))
    for m in amounts:
        want[min(m.alts & have, default=plain(m))] = 2.0
    by_place = {(s.entry, s.index): s for s in candidates}
    return [by_place[(s.entry, s.index)] for s in _choose(want, widened)]


def _choose(want: Mapping[str, float], candidates: Sequence[Sentence]) -> list[Sentence]:
    total = sum(want.values())
    if not want or not candidates:
        return []

    def gain(s: Sentence, missing: Mapping[str, float]) -> float:
        return sum(w for k, w in missing.items() if k in s.stems)

    best = max(candidates, key=lambda s: (gain(s, want), -len(s.stems), -s.index))
    shared = len(best.stems & want.keys())
    if gain(best, want) < MIN_FIRST_SHARE * total or shared < min(MIN_FIRST_WORDS, len(want)):
        return []
    chosen = [best]
    missing = {k: w for k, w in want.items() if k not in best.stems}
    while missing and len(chosen) < MAX_EVIDENCE:
        taken = {(s.entry, s.index) for s in chosen}
        lacking = {k: w for k, w in missing.items() if k not in TIME_STEMS}
        rest = [s for s in candidates if (s.entry, s.index) not in taken]
        nxt = max(rest, key=lambda s: (gain(s, lacking), -len(s.stems), -s.index), default=None)
        if (nxt is None or gain(nxt, lacking) < MIN_GAIN
                or len(nxt.stems & want.keys()) < min(MIN_SHARED, len(want))):  # fmt: skip
            break
        related = (
            any(s.entry == nxt.entry and abs(s.index - nxt.index) <= 1 for s in chosen)
            or all(s.entry != nxt.entry for s in chosen)
            or sum(want[k] == 1 for k in nxt.stems & (want.keys() - missing.keys())) >= 2
        )
        if not related:
            break
        chosen.append(nxt)
        missing = {k: w for k, w in missing.items() if k not in nxt.stems}
    return chosen
