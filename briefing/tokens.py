"""Token counting that never touches the network, and token-budget chunking.

tiktoken downloads its BPE files on first use. We ship `cl100k_base` in `data/tiktoken/`
(OpenAI's file, MIT licence, named as tiktoken's cache names it), check its sha256 and build the
encoding from it with `tiktoken.Encoding`, so tiktoken's cache and downloader are never
used. If it cannot be loaded, counts fall back to an explicit estimate (about 4 characters a
token) and say so.
"""

from __future__ import annotations

import binascii
import hashlib
import logging
import math
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Protocol

from .models import Entry
from .parallel import fork_map

log = logging.getLogger(__name__)

CHARS_PER_TOKEN = 4.0


class Counter(Protocol):
    method: str

    def count(self, text: str) -> int: ...


class TiktokenCounter:
    method = "tiktoken:cl100k_base"

    def __init__(self, encoding: object) -> None:
        self._enc = encoding

    def count(self, text: str) -> int:
        return len(self._enc.encode(text, disallowed_special=()))  # type: ignore[attr-defined]


class EstimateCounter:
    """The fallback: ceil(words * 1.3) and chars / 4, whichever is larger."""

    method = "estimate:chars/4"

    def count(self, text: str) -> int:
        if not text:
            return 0
        return max(math.ceil(len(text) / CHARS_PER_TOKEN), math.ceil(len(text.split()) * 1.3))


BPE_SHA256 = "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7"
BPE_CACHE_NAME = "9b5ad71b2ce5302211f9c61530b329a4922fc6a4"  # sha1 of the file's download URL


def _bpe_dir() -> Path:
    return Path(str(resources.files("briefing").joinpath("data/tiktoken")))


# cl100k_base's split pattern and special tokens, as tiktoken_ext.openai_public defines them
# (tests/test_tokens.py checks both against tiktoken's own constructor).
CL100K_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+"""
    r"""|\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
CL100K_SPECIAL = {
    "<|endoftext|>": 100257,
    "<|fim_prefix|>": 100258,
    "<|fim_middle|>": 100259,
    "<|fim_suffix|>": 100260,
    "<|endofprompt|>": 100276,
}


def read_ranks(data: bytes) -> dict[bytes, int]:
    """The BPE file's token → rank table: lines of "base64-token rank". Read in one pass of
    binascii (twice as fast as tiktoken's own reader, which a one-file run would wait for)."""
    parts = data.split()
    if len(parts) % 2:
        raise ValueError("the vendored cl100k_base file is not pairs of token and rank")
    return dict(zip(map(binascii.a2b_base64, parts[0::2]), map(int, parts[1::2]), strict=True))


@lru_cache(maxsize=1)
def counter() -> Counter:
    """cl100k_base built from the vendored file (sha256 checked) with tiktoken.Encoding: no
    cache directory, environment variable or download is involved."""
    try:
        import tiktoken

        data = (_bpe_dir() / BPE_CACHE_NAME).read_bytes()
        if hashlib.sha256(data).hexdigest() != BPE_SHA256:
            raise ValueError("the vendored cl100k_base file is damaged (sha256 mismatch)")
        encoding = tiktoken.Encoding(
            "cl100k_base",
            pat_str=CL100K_PATTERN,
            mergeable_ranks=read_ranks(data),
            special_tokens=CL100K_SPECIAL,
        )
        return TiktokenCounter(encoding)
    except Exception as exc:  # any failure here must degrade to the estimate, never crash
        log.warning("token counts are estimates: offline tiktoken unavailable (%s)", exc)
        return EstimateCounter()


def count(text: str) -> int:
    return counter().count(text)


def count_in_background(texts: Sequence[str]) -> Callable[[], int]:
    """Start counting the tokens of many texts in a thread (tiktoken works without the GIL,
    so the count runs beside the caller's work on another core); the returned function waits
    for the total."""
    counter()  # load the encoding here, not in the thread
    total: list[int] = []
    worker = threading.Thread(target=lambda: total.append(sum(map(count, texts))), daemon=True)
    worker.start()

    def result() -> int:
        worker.join()
        return total[0]

    return result


def chunk_entries(entries: Sequence[Entry], max_tokens: int) -> list[Chunk]:
    """Every entry's chunks, in order. Entries are counted on all cores when there are many
    (tiktoken's threaded batch encoder was slower here on two cores); the rare entry over
    `max_tokens` is then split here."""
    counter()  # load the encoding once, before any worker is forked
    counts = fork_map(count, [e.text for e in entries])
    return [
        c
        for e, n in zip(entries, counts, strict=True)
        for c in ([Chunk(e.id, 0, e.text, n)] if n <= max_tokens else chunk_entry(e, max_tokens))
    ]


# ---------------------------------------------------------------- sentences


@lru_cache(maxsize=1)
def _segmenter() -> object:
    import pysbd

    return pysbd.Segmenter(language="en", clean=False)


MAX_SEGMENT = 10_000
_FALLBACK_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[\"'(\[]?[A-Z0-9])")


def sentences(paragraph: str) -> list[str]:
    """Split one paragraph into sentences (pysbd: rule-based, no model downloads)."""
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    if len(paragraph) > MAX_SEGMENT:  # pysbd is slow on huge inputs: split at spaces first
        out: list[str] = []
        while paragraph:
            cut = paragraph.rfind(" ", 0, MAX_SEGMENT) if len(paragraph) > MAX_SEGMENT else -1
            cut = (
                len(paragraph)
                if cut <= 0 and len(paragraph) <= MAX_SEGMENT
                else (cut if cut > 0 else MAX_SEGMENT)
            )
            out += sentences(paragraph[:cut])
            paragraph = paragraph[cut:].strip()
        return out
    try:
        parts = _segmenter().segment(paragraph)  # type: ignore[attr-defined]
    except Exception:  # pysbd has raised on odd unicode; a regex split is a fine fallback
        parts = _FALLBACK_SPLIT.split(paragraph)
    return [p.strip() for p in parts if p and p.strip()]


# ---------------------------------------------------------------- chunking


@dataclass(frozen=True, slots=True)
class Chunk:
    entry_id: str
    index: int
    text: str
    tokens: int


def _split_to_budget(text: str, budget: int) -> list[str]:
    """Pieces of text each within budget: sentences, and words for a monster sentence."""
    out: list[str] = []
    for sent in sentences(text):
        if count(sent) <= budget:
            out.append(sent)
            continue
        words, cur = sent.split(), list[str]()
        for w in words:
            if cur and count(" ".join([*cur, w])) > budget:
                out.append(" ".join(cur))
                cur = []
            cur.append(w)
        if cur:
            out.append(" ".join(cur))
    return out


def chunk_entry(entry: Entry, max_tokens: int) -> list[Chunk]:
    """Chunks of an entry, each <= max_tokens, split on paragraph then sentence boundaries.

    The headline leads the first chunk. Nothing is dropped: the chunks' text, joined, holds
    every word of the entry.
    """
    if max_tokens < 8:
        raise ValueError("max_tokens must be at least 8")
    whole = count(entry.text)
    if whole <= max_tokens:  # the common case: one chunk, one count
        return [Chunk(entry.id, 0, entry.text, whole)]
    units: list[tuple[str, str]] = []  # (text, joiner before it)
    if entry.headline:
        units.append((entry.headline, ""))
    for p in entry.paragraphs:
        if count(p.text) <= max_tokens:
            units.append((p.text, "\n"))
        else:
            pieces = _split_to_budget(p.text, max_tokens)
            units.extend((s, "\n" if i == 0 else " ") for i, s in enumerate(pieces))
    chunks: list[str] = []
    cur = ""
    for text, joiner in units:
        candidate = f"{cur}{joiner}{text}" if cur else text
        if cur and count(candidate) > max_tokens:
            chunks.append(cur)
            cur = text
        else:
            cur = candidate
    if cur:
        chunks.append(cur)
    return [Chunk(entry.id, i, t, count(t)) for i, t in enumerate(chunks)]


def pack(texts: Sequence[tuple[str, int]], budget: int) -> list[list[int]]:
    """Greedy packing of (text, tokens) into groups within budget (indices, order kept)."""
    groups: list[list[int]] = []
    used = 0
    for i, (_, tokens) in enumerate(texts):
        if groups and used + tokens <= budget:
            groups[-1].append(i)
            used += tokens
        else:
            groups.append([i])
            used = tokens
    return groups
