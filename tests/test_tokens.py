from __future__ import annotations

import os
from pathlib import Path

import pytest

from briefing import tokens
from briefing.models import Entry, Paragraph


def test_token_counts_are_offline_tiktoken() -> None:
    # conftest blocks every non-loopback connection, so this passing means no download happened
    tokens.counter.cache_clear()
    c = tokens.counter()
    assert c.method == "tiktoken:cl100k_base"
    assert tokens.count("hello world") == 2
    assert tokens.count("Volodymyr Zelensky") > 2


def test_fallback_estimate_when_the_encoding_is_missing(
    monkeypatch: pytest.MonkeyPatch, caplog
) -> None:  # type: ignore[no-untyped-def]
    import tiktoken

    def missing(*args: object, **kwargs: object) -> None:
        raise ValueError("Unknown encoding cl100k_base")

    monkeypatch.setattr(tiktoken, "Encoding", missing)
    tokens.counter.cache_clear()
    try:
        c = tokens.counter()
        assert c.method == "estimate:chars/4"
        assert c.count("abcd" * 10) == 10
        assert "estimates" in caplog.text
    finally:
        tokens.counter.cache_clear()


def test_sentences_do_not_split_on_abbreviations() -> None:
    text = 'Mr Healey said: "There can be no negotiation." The U.S. said no. It was 3.3 per cent.'
    assert tokens.sentences(text) == [
        'Mr Healey said: "There can be no negotiation."',
        "The U.S. said no.",
        "It was 3.3 per cent.",
    ]


def _entry(paragraphs: list[str]) -> Entry:
    return Entry(
        "e1",
        "d",
        "entry",
        "A headline",
        tuple(Paragraph(p) for p in paragraphs),
        None,
        None,
        False,
        0,
    )


def test_chunks_respect_budget_and_keep_every_word() -> None:
    para = " ".join(
        f"Sentence number {i} talks about Ukraine and the talks in Riyadh." for i in range(60)
    )
    entry = _entry([para, "A short closing paragraph.", "supercalifragilistic " * 200])
    chunks = tokens.chunk_entry(entry, 64)
    assert len(chunks) > 5
    assert all(c.tokens <= 64 for c in chunks)
    assert " ".join(" ".join(c.text.split()) for c in chunks).split() == entry.text.split()
    assert chunks[0].text.startswith("A headline")


def test_small_entry_is_one_chunk_and_paragraph_boundaries_are_preferred() -> None:
    entry = _entry(["First paragraph here.", "Second paragraph here."])
    assert [c.text for c in tokens.chunk_entry(entry, 500)] == [entry.text]
    two = tokens.chunk_entry(entry, 10)
    assert two[-1].text.endswith("Second paragraph here.")


def test_pack_groups_within_budget() -> None:
    assert tokens.pack([("a", 5), ("b", 5), ("c", 5)], 10) == [[0, 1], [2]]
    assert tokens.pack([("big", 50), ("b", 5)], 10) == [[0], [1]]


def test_cl100k_base_loads_from_the_vendored_file_and_fetches_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from briefing import tokens

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "users-own-cache"))
    tokens.counter.cache_clear()
    try:
        c = tokens.counter()
        assert c.method == "tiktoken:cl100k_base" and c.count("Hello world") == 2
        assert os.environ["TIKTOKEN_CACHE_DIR"] == str(tmp_path / "users-own-cache")  # restored
        assert not (tmp_path / "users-own-cache").exists()  # nothing written or fetched there
        # a damaged file is never handed to tiktoken (which would delete it and download)
        bad = tmp_path / "bpe"
        bad.mkdir()
        (bad / tokens.BPE_CACHE_NAME).write_bytes(b"damaged")
        monkeypatch.setattr(tokens, "_bpe_dir", lambda: bad)
        tokens.counter.cache_clear()
        assert tokens.counter().method == "estimate:chars/4"
        assert (bad / tokens.BPE_CACHE_NAME).read_bytes() == b"damaged"
    finally:
        tokens.counter.cache_clear()


def test_our_cl100k_base_is_tiktokens_own(monkeypatch: pytest.MonkeyPatch) -> None:
    """The encoding we build from the vendored file has tiktoken's pattern, special tokens and
    ranks, and encodes like tiktoken's own constructor (pointed at the same file)."""
    import tiktoken
    from tiktoken_ext import openai_public

    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tokens._bpe_dir()))
    spec = openai_public.cl100k_base()
    assert spec["pat_str"] == tokens.CL100K_PATTERN
    assert spec["special_tokens"] == tokens.CL100K_SPECIAL
    data = (tokens._bpe_dir() / tokens.BPE_CACHE_NAME).read_bytes()
    assert tokens.read_ranks(data) == spec["mergeable_ranks"]
    theirs = tiktoken.Encoding(**spec)
    tokens.counter.cache_clear()
    ours = tokens.counter()
    text = "Zelensky said: \"We won't accept 1,000 drones\" — ça ne marche pas.\n\n  Ukraine's 3.3%"
    assert ours.count(text) == len(theirs.encode(text, disallowed_special=()))
    with pytest.raises(ValueError):
        tokens.read_ranks(b"QQ== 0\nQg==")
