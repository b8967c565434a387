"""The words check: every number of a bullet is in its cited text, every name too (spelling
variants through a fuzzy match), and enough of its content words (`support`). Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from rapidfuzz import fuzz, process

from ..text import fingerprint_text
from .evidence import numbers
from .lexicon import NOT_NAMES, STOPWORDS, group_stems, stem
from .thresholds import NAME_SIMILARITY

WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-])*")  # letters of any script: 'Szłapka', 'Łukasz'


def proper_nouns(text: str) -> list[str]:
    """Capitalised words that are not the first word of a sentence, nor common words."""
    names = []
    for sent in re.split(r"(?<=[.!?])\s+", text):
        words = WORD.findall(sent)
        for i, w in enumerate(words):
            w = re.sub(r"['’]s$", "", w)
            if not w[:1].isupper() or w in NOT_NAMES or len(w) < 2:
                continue
            if i == 0 and w.lower() in STOPWORDS:
                continue
            names.append(w)
    return names


def content_words(text: str) -> list[str]:
    return [w for w in fingerprint_text(text).split() if w not in STOPWORDS and len(w) > 2]


def support(
    wanted: Iterable[tuple[str, float]], have: set[str], *, synonyms: bool = False
) -> float:
    """The share of the wanted stems' weight that `have` holds (with `synonyms`, a stem also
    counts when a word grouped with it is there: lexicon.GROUPS); 1.0 when nothing is wanted.
    The words check weighs each content word of a bullet 1 against its whole cited text; the
    meaning check weighs names and numbers 2 against its evidence, synonyms counting."""
    pairs = list(wanted)
    if not pairs:
        return 1.0
    found = sum(w for k, w in pairs if k in have or (synonyms and group_stems(k) & have))
    return found / sum(w for _, w in pairs)


def words_check(text: str, cited: tuple[str, ...], sources: Mapping[str, str],
                min_support: float) -> tuple[float, list[str]]:  # fmt: skip
    """The words check: numbers, names and enough content words in the cited text."""
    reasons: list[str] = []
    source_text = "\n".join(sources[c] for c in cited)
    missing_nums = sorted(numbers(text) - numbers(source_text))
    if missing_nums:
        reasons.append("numbers not in the cited text: " + ", ".join(missing_nums))
    source_words = {re.sub(r"['’]s$", "", w) for w in WORD.findall(source_text)}
    source_lower = {w.lower() for w in source_words}
    missing_names = []
    for name in dict.fromkeys(proper_nouns(text)):
        if name.lower() in source_lower:
            continue
        match = process.extractOne(name, source_words, scorer=fuzz.ratio)
        if match is None or match[1] < NAME_SIMILARITY:
            missing_names.append(name)
    if missing_names:
        reasons.append("names not in the cited text: " + ", ".join(missing_names))
    have = {stem(w) for w in content_words(source_text)}
    score = support([(stem(w), 1.0) for w in content_words(text)], have)
    if score < min_support:
        reasons.append(f"weak support: {score:.2f} of its words are in the cited text")
    return score, reasons
