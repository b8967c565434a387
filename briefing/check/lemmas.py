"""Word forms from a dictionary, for aligning a bullet's words with its evidence's: `lemma`
undoes irregular inflections ("shot" -> "shoot", "won" -> "win", "fled" -> "flee"), so that
`lexicon.root`, the stem of a word's lemma, gives one key to "shot", "shooting", "shoots" and
"shoot"; `known` says whether a word is an ordinary English word (so a capitalised "Roughly"
opening a sentence is not a name); `places` gives a country's other one-word names ("Norway",
"Norwegian", "NOR"). Imports nothing of ours.

The data (`data/lemmas.txt.gz`, ~170 kB) is derived from LemmInflect's dictionary by
`scripts/lemmas.py` (see there); it is read once, on first use (~10 ms on a quiet machine). Pure."""

from __future__ import annotations

import gzip
from bisect import bisect_left
from functools import lru_cache
from pathlib import Path

DATA = Path(__file__).with_name("data") / "lemmas.txt.gz"
PLACES = Path(__file__).with_name("data") / "places.txt"  # from countryinfo: scripts/places.py


@lru_cache(maxsize=1)
def _table() -> tuple[dict[str, str], frozenset[str], list[str]]:
    """(irregular form -> lemma, the words that are never nouns, the other ordinary words in
    order: searched by bisection, since a set of them took ~10 ms to build)."""
    pairs, plain, other = gzip.decompress(DATA.read_bytes()).decode().split("\n\n")
    words = pairs.split()
    return dict(zip(words[::2], words[1::2], strict=True)), frozenset(plain.split()), (
        other.split())


def lemma(word: str) -> str:
    """The dictionary form of an irregular inflection ("shot" -> "shoot"); else the word."""
    return _table()[0].get(word, word)


def known(word: str) -> bool:
    """Whether a lowercase word is an ordinary English word (the dictionary has no names)."""
    _, plain, other = _table()
    at = bisect_left(other, word)
    return word in plain or (at < len(other) and other[at] == word) or lemma(word) != word


def never_a_name(word: str) -> bool:
    """Whether a lowercase word is an adjective, adverb or function word and never a noun
    ("roughly", "despite", "several"; not "trump" or "police"): a sentence it opens has no
    name there."""
    return word in _table()[1]


@lru_cache(maxsize=1)
def _places() -> dict[str, frozenset[str]]:
    out: dict[str, set[str]] = {}
    for line in PLACES.read_text("utf-8").splitlines():
        group = line.split()
        for w in group:
            out.setdefault(w, set()).update(group)
    return {w: frozenset(g) for w, g in out.items()}


def places(word: str) -> frozenset[str]:
    """The lowercase one-word names of the country `word` names or belongs to, `word` among
    them ("norwegian": norway, norwegian, nor…); empty for any other word."""
    return _places().get(word.lower(), frozenset())


def other_places(a: str, b: str) -> bool:
    """Two words that name different countries ("Austrian", "Australian"): never spelling
    variants of one name, however alike."""
    pa, pb = places(a.removesuffix("s")) or places(a), places(b.removesuffix("s")) or places(b)
    return bool(pa and pb and not pa & pb)
