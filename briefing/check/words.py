"""The words check: every number of a bullet is in its cited text, every name too (spelling
variants through a fuzzy match), and enough of its content words (`support`). Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz import fuzz, process

from ..text import fingerprint_text
from .lemmas import known, other_places, places
from .lexicon import AMOUNT_WORDS, NOT_NAMES, NUMBER_WORDS, STOPWORDS, group_stems, root
from .quantities import forms, found, missing
from .thresholds import NAME_SIMILARITY, UNRELATED_SUPPORT

WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-])*")  # letters of any script: 'Szłapka', 'Łukasz'


def proper_nouns(text: str, *, openers: bool = True) -> list[str]:
    """Capitalised words that are not the first word of a sentence, nor common words. With
    `openers=False`, a sentence's first word is a name only when the dictionary does not know
    it as an ordinary word ("Roughly", "Twelve", "Officials" are none; "Putin" is), or the
    text capitalises it again further on."""
    names = []
    sents = [WORD.findall(sent) for sent in re.split(r"(?<=[.!?])\s+", text)]
    inner = {w for words in sents for w in words[1:] if w[:1].isupper()}
    for words in sents:
        for i, w in enumerate(words):
            w = re.sub(r"['’]s$", "", w)
            if not w[:1].isupper() or w in NOT_NAMES or len(w) < 2:
                continue
            if i == 0 and (w.lower() in STOPWORDS or w.endswith("ing")):
                continue  # "Speaking to reporters, …": a participle, not a name
            if i == 0 and not openers and w not in inner and not w.isupper() and _ordinary(w):
                continue
            names.append(w)
    return names


def _ordinary(word: str) -> bool:
    """A word of the dictionary, or a number word ("Twelve", "Eighty-five", "Tens")."""
    parts = word.lower().split("-")  # "Two-thirds", "Thirteen-year-old"
    return known(word.lower()) or all(
        known(p) or p in NUMBER_WORDS or p.removesuffix("s") in NUMBER_WORDS
        or p in AMOUNT_WORDS for p in parts)  # fmt: skip


def content_words(text: str) -> list[str]:
    return [w for w in fingerprint_text(text).split() if w not in STOPWORDS and len(w) > 2]


def support(
    wanted: Iterable[tuple[str, float]], have: AbstractSet[str], *, synonyms: bool = False
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


def _variants(source_words: set[str]) -> set[str]:
    """The lowercased forms a name may take in the source: its words, their hyphenated
    parts, and the initials of each run of capitalised words ("Gross Domestic Product": gdp)."""
    out = {w.lower() for w in source_words}
    out |= {p for w in out if "-" in w for p in w.split("-")}
    return out


def _acronyms(text: str) -> set[str]:
    word = r"\b[A-Z][\w'’-]*"
    runs = re.findall(rf"(?:{word}(?:\s+(?:of|and|for|the)\s+|\s+)){{1,6}}{word}", text)
    return {"".join(w[0] for w in r.split() if w[:1].isupper()).lower() for r in runs}


def _glued(key: str, long_words: Sequence[str]) -> bool:
    """`key` inside a longer token ("candistaton", "anniemacwebchat"), not as its stem with
    an ending ("supported" holds no name "Support")."""
    for w in long_words:
        at = w.find(key)
        if at > 0 or (at == 0 and len(w) - len(key) >= 4):
            return True
    return False


def _initials(text: str, most: int = 5) -> set[str]:
    """The initials of each run of 2 to `most` words, small words skipped: "gross domestic
    product" -> gdp, for an acronym the source spells out in lowercase."""
    words = [w for w in WORD.findall(text.lower()) if w not in ("of", "and", "the", "for")]
    return {"".join(w[0] for w in words[i : i + n]) for n in range(3, most + 1)
            for i in range(len(words) - n + 1)}  # fmt: skip


def _name_in(name: str, lower: AbstractSet[str], words: AbstractSet[str],
             long_words: Sequence[str]) -> bool:  # fmt: skip
    """A name is in the source as a word, a spelling variant, initials, or glued into a
    longer lowercased token."""
    key = name.lower().rstrip("'’")
    if len(name) > 2 and name[-1] == "s" and name[:-1].isupper():  # "DJs"
        key = key[:-1]
    if key in lower or (len(key) >= 3 and _glued(key, long_words)):
        return True
    if any(root(w) == root(key) and not other_places(w, key) for w in lower
           if w[:3] == key[:3]):  # fmt: skip
        return True  # another form of it: "Norwegian" and "norwegians", "European", "Europe"
    if places(key) & lower or places(key.removesuffix("s")) & lower:
        return True  # a country by its people's name: "Norwegian(s)" where it has "Norway"
    match = process.extractOne(name, words, scorer=fuzz.ratio)
    return match is not None and match[1] >= NAME_SIMILARITY and not other_places(name, match[0])


@dataclass(frozen=True, slots=True)
class _Source:
    """What the words check reads from a cited text, read once per text: a summariser checks
    many candidate lines against the same entries."""

    text: str
    forms: frozenset[str]  # every form of every amount it states
    words: frozenset[str]  # its words, "'s" dropped
    lower: frozenset[str]  # the lowercased forms a name may take in it
    glued: tuple[str, ...]  # the long ones, which may hold a glued name
    roots: frozenset[str]  # the roots (stems of lemmas) of its content words


@lru_cache(maxsize=256)  # cited texts up to 50,000 chars: at most ~13 MB of keys kept
def _source(text: str) -> _Source:
    return _read_source(text)


def _read_source(text: str) -> _Source:
    words = {re.sub(r"['’]s$", "", w) for w in WORD.findall(text)}
    lower = _variants(words) | _acronyms(text) | _initials(text)
    return _Source(text, frozenset(forms(text)), frozenset(words), frozenset(lower),
                   tuple(w for w in lower if len(w) > 8),
                   frozenset(root(w) for w in content_words(text)))  # fmt: skip


def words_check(text: str, cited: tuple[str, ...], sources: Mapping[str, str],
                min_support: float) -> tuple[float, list[tuple[str, bool]]]:  # fmt: skip
    """The words check: numbers, names and enough content words in the cited text. Each
    reason comes with whether it is a conflict: a number or a name the cited text gives in no
    form, or nothing in it bearing on the bullet."""
    reasons: list[tuple[str, bool]] = []
    joined = "\n".join(sources[c] for c in cited)
    source = _source(joined) if len(joined) <= 50_000 else _read_source(joined)
    missing_nums = sorted(dict.fromkeys(missing(text, source.text, source.forms)))
    if missing_nums:
        reasons.append(("numbers not in the cited text: " + ", ".join(missing_nums), True))
    missing_names = [name for name in dict.fromkeys(proper_nouns(text, openers=False))
                     if not _name_in(name, source.lower, source.words, source.glued)]  # fmt: skip
    if missing_names:
        reasons.append(("names not in the cited text: " + ", ".join(missing_names), True))
    have = source.roots
    rest = text  # an amount the source gives in another form ("fifty-seven": 57) is found
    for a, z in reversed(found(text, source.forms)):
        rest = rest[:a] + " " + rest[z:]
    score = support([(root(w), 1.0) for w in content_words(rest)], have)
    if score < min_support:
        unrelated = score < UNRELATED_SUPPORT
        why = ": nothing in the cited entries bears on it" if unrelated else ""
        reasons.append((f"weak support: {score:.2f} of its words are in the cited text{why}",
                        unrelated))
    return score, reasons
