"""Per-entry analysis for dedupe, pure: word 3-shingle hashes, sentence keys, and a hash of the
words with every run of digits masked (`dedupe.py` says what each is for).

Words are hashed with crc32, so forked workers agree without sharing a vocabulary. The shingles
of a block of entries are hashed in one pass of numpy over all their words (`analyse_block`):
entry by entry, a 60-word entry paid ~45 µs in numpy calls on tiny arrays, as much as folding
its text; in bulk the same hashes cost a few µs. `analyse` (one entry) is the reference the
bulk path is checked against (tests/test_dedupe.py) and what short or odd entries use.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections.abc import Sequence

import numpy as np

from ..text import fingerprint_text

MIN_SENTENCE_CHARS = 20
_MASK = np.uint64(0xFFFFFFFF)
_BOUNDARY = re.compile(r"(?<=[.!?])\s+|\n")
_NONWORD = re.compile(r"[^\w%£$€]+")
_DIGITS = re.compile(r"\d+")
_MARK = "zqxbreakzqx"  # a sentence break that survives the punctuation folding
_MARK_CRC = zlib.crc32(_MARK.encode())
_PRIMES = np.array([2654435761, 2246822519, 3266489917, 668265263, 374761393], np.uint64)

Analysis = tuple[np.ndarray, set[int], int]  # shingle set (uint32, sorted), sentence keys, digest


def _mix(h: np.ndarray, k: int) -> np.ndarray:
    """32-bit hashes of every run of k consecutive word hashes (order matters)."""
    n = len(h) - k + 1
    acc = np.zeros(n, np.uint64)
    for j in range(k):
        acc = (acc * _PRIMES[j % len(_PRIMES)] + h[j : j + n]) & _MASK
    return acc


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's finaliser: spreads structured 32-bit values over all bits."""
    h = h & _MASK
    h ^= h >> np.uint64(16)
    h = (h * np.uint64(0x85EBCA6B)) & _MASK
    h ^= h >> np.uint64(13)
    h = (h * np.uint64(0xC2B2AE35)) & _MASK
    h ^= h >> np.uint64(16)
    return h


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """np.unique by sorting: numpy 2's hash-based np.unique took 4 s on 3 M integers."""
    out = np.sort(values)
    if len(out) > 1:
        out = out[np.concatenate(([True], out[1:] != out[:-1]))]
    return out


def _shingle_hashes(word_hashes: np.ndarray, k: int) -> np.ndarray:
    if not len(word_hashes):
        return np.zeros(0, np.uint64)
    return sorted_unique(_fmix32(_mix(word_hashes, min(k, len(word_hashes)))))


def word_hashes(folded: str) -> np.ndarray:
    """crc32 of every space-separated word of already folded text (the one word hasher)."""
    return np.fromiter(map(zlib.crc32, folded.encode().split()), np.uint64)


def shingles(text: str, k: int = 3, normalised: bool = False) -> np.ndarray:
    """Sorted unique 32-bit hashes of the word k-grams of the normalised text."""
    return _shingle_hashes(word_hashes(text if normalised else fingerprint_text(text)), k)


_AFTER_STOP = re.compile(r"([.!?])\s+")  # _BOUNDARY's first half, without a look-behind
_WORD = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_%$"  # ASCII [\w%£$€]
_NONWORD_BYTES = bytes(c if c in _WORD else 32 for c in range(256))
_DIGIT_BYTES = bytes.maketrans(b"123456789", b"000000000")
_MARK_BYTES = _MARK.encode()


def _fold(text: str) -> tuple[list[bytes], set[int], int]:
    """An entry's folded words (with sentence-break marks), its sentences' hashes, and a
    64-bit hash of its folded words with every run of digits masked."""
    if text.isascii():
        return _fold_ascii(text)
    return _fold_regex(unicodedata.normalize("NFKC", text))


def _fold_regex(text: str) -> tuple[list[bytes], set[int], int]:
    """`_fold` by regexes, for any text (the reference `_fold_ascii` is checked against)."""
    folded = _NONWORD.sub(" ", _BOUNDARY.sub(f" {_MARK} ", text.casefold()))
    keys = {zlib.crc32(s.strip().encode()) for s in folded.split(_MARK)
            if len(s.strip()) > MIN_SENTENCE_CHARS}  # fmt: skip
    masked = " ".join(_DIGITS.sub("0", folded).split())
    digest = int.from_bytes(hashlib.blake2b(masked.encode(), digest_size=8).digest(), "big")
    return folded.encode().split(), keys, digest


def _fold_ascii(text: str) -> tuple[list[bytes], set[int], int]:
    """`_fold` of ASCII text with one cheaper regex and bytes methods instead of three regexes
    (a third of the time): the same words, keys and digest (tests/test_shingles.py). The break
    marks go where `_BOUNDARY` puts them: after . ! or ? a run of whitespace is one break,
    elsewhere each newline is one."""
    t = _AFTER_STOP.sub(rf"\1 {_MARK} ", text.casefold()).replace("\n", f" {_MARK} ")
    words = t.encode().translate(_NONWORD_BYTES).split()
    folded = b" ".join(words)
    keys = {zlib.crc32(s.strip()) for s in folded.split(_MARK_BYTES)
            if len(s.strip()) > MIN_SENTENCE_CHARS}  # fmt: skip
    masked = folded.translate(_DIGIT_BYTES)
    while b"00" in masked:
        masked = masked.replace(b"00", b"0")  # every run of digits is one 0
    digest = int.from_bytes(hashlib.blake2b(masked, digest_size=8).digest(), "big")
    return words, keys, digest


def analyse(text: str, k: int) -> Analysis:
    """One entry: its shingle set (uint32), its sentences' hashes, its masked-digits digest."""
    words, keys, digest = _fold(text)
    h = np.fromiter(map(zlib.crc32, words), np.uint64, count=len(words))
    return _shingle_hashes(h[h != _MARK_CRC], k).astype(np.uint32), keys, digest


def analyse_block(texts: Sequence[str], k: int) -> list[Analysis]:
    """[analyse(t, k) for t in texts], the same values, with the shingles of all entries
    hashed at once: each entry's words are tagged with its number, k-grams that would cross
    from one entry into the next are dropped, and one sort by (entry, hash) gives every
    entry's sorted unique set. Entries of fewer than k words (one shorter k-gram) go one by
    one."""
    folds = [_fold(t) for t in texts]
    words: list[bytes] = []
    counts = np.zeros(len(texts), np.int64)
    for i, (ws, _keys, _digest) in enumerate(folds):
        counts[i] = len(ws)
        words.extend(ws)
    h = np.fromiter(map(zlib.crc32, words), np.uint64, count=len(words))
    owner = np.repeat(np.arange(len(texts), dtype=np.uint64), counts)
    keep = h != _MARK_CRC
    h, owner = h[keep], owner[keep]
    sizes = np.bincount(owner.astype(np.int64), minlength=len(texts))
    out: list[np.ndarray | None] = [None] * len(texts)
    for i in np.flatnonzero(sizes < k).tolist():  # 0 words: empty; 1..k-1: one short k-gram
        out[i] = _shingle_hashes(h[owner == i], k).astype(np.uint32)
    if len(h) >= k:
        within = owner[: len(h) - k + 1] == owner[k - 1 :]  # the k-gram stays in one entry
        tagged = (owner[: len(h) - k + 1][within] << np.uint64(32)) | _fmix32(_mix(h, k)[within])
        tagged = sorted_unique(tagged)
        bounds = np.searchsorted(
            tagged >> np.uint64(32), np.arange(len(texts) + 1, dtype=np.uint64)
        )
        values = (tagged & _MASK).astype(np.uint32)
        for i in np.flatnonzero(sizes >= k).tolist():
            out[i] = values[bounds[i] : bounds[i + 1]]  # views of one array
    return [(s, keys, digest) for s, (_f, keys, digest) in zip(out, folds, strict=True)]  # type: ignore[misc]
