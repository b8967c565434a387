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
from dataclasses import dataclass

from .tokens import sentences

MAX_EVIDENCE = 3  # sentences per bullet
MIN_FIRST_SHARE = 0.34  # the best sentence must hold this share of the bullet's weighted words
MIN_FIRST_WORDS = 2  # ... and at least this many of its distinct words
MIN_GAIN = 2.0  # a further sentence must add this much weight the others lack ...
MIN_SHARED = 3  # ... and share this many distinct words with the bullet

NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100", "dozen": "12",
}  # fmt: skip
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while who
    whom why will with would you your said says say told tells according also would could mr mrs
    ms sir dr new after amid over week day today yesterday tomorrow""".split()
)
# time word -> its class: a bullet's "Wednesday" clashes with its source's "Thursday"
TIME_WORDS = {
    **dict.fromkeys("""monday tuesday wednesday thursday friday saturday sunday yesterday today
        tonight tomorrow""".split(), "day"),
    **dict.fromkeys("""january february march april may june july august september october
        november december""".split(), "month"),
    **dict.fromkeys("overnight morning afternoon evening".split(), "part"),
}
# A capitalised word that is one of these is not a name.
_COMMON_CAPS = frozenset(
    """the a an in on at for but and he she they it this that these those his her their its we i
    our as if when while after before meanwhile however earlier later breaking there here what
    who why how where speaking asked out yet so or nor not no never""".split()
)
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
    def stem(self) -> str:
        return stem(self.word)

    @property
    def content(self) -> bool:
        return self.kind == "n" or (
            self.kind == "w" and len(self.word) > 2 and self.word not in STOPWORDS
        )


_ES_PLURALS = ("ses", "xes", "ches", "shes", "zes")


def stem(word: str) -> str:
    """A crude, fast stem: drop one inflection, keep 5 letters, drop a final "e" (so "raise",
    "raised", "raising" meet, and "agree", "agreed", "agreement")."""
    if not word.isalpha():
        return word
    if word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
    elif word.endswith("eed"):
        word = word[:-1]
    elif (word.endswith("ed") and len(word) >= 5) or word.endswith(_ES_PLURALS):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss") and len(word) >= 4:
        word = word[:-1]
    word = word[:5]
    return word[:-1] if len(word) > 3 and word.endswith("e") else word


def tokenize(text: str) -> list[Tok]:
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
            cap = raw[:1].isupper() and low not in _COMMON_CAPS and low not in STOPWORDS
            out.append(Tok(low, s, e, "w", cap=cap, poss=poss))
    return out


def is_cased(text: str) -> bool:
    """False for lowercased text (some datasets are), where capitals say nothing about names."""
    letters = [c for c in text[:2000] if c.isalpha()]
    return any(c.isupper() for c in letters)


_TIME_STEMS = frozenset(stem(w) for w in TIME_WORDS)


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


def align(bullet: Sequence[Tok], candidates: Sequence[Sentence]) -> list[Sentence]:
    """The sentences that support a bullet, best first; [] when none does.

    The best sentence must hold a good share of the bullet's words. A further sentence must
    add words the chosen ones lack (not counting time words, which must not be borrowed from
    elsewhere in the entry), share words with the bullet, and be about the same thing: next
    to a chosen sentence, in another cited entry, or sharing two common words (not names,
    numbers or times) already found. A bullet copied word for word gets the sentences it was
    copied from."""
    if copied := verbatim(bullet, candidates):
        return copied
    want: dict[str, float] = {}
    for t in bullet:
        if t.content:
            want[t.stem] = max(want.get(t.stem, 0.0), weight(t))
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
        lacking = {k: w for k, w in missing.items() if k not in _TIME_STEMS}
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
