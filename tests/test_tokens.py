from __future__ import annotations

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

    monkeypatch.setattr(tiktoken, "list_encoding_names", lambda: ["gpt2"])
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
