from __future__ import annotations

from datetime import datetime

import pytest

from briefing.ingest import load_rules
from briefing.ingest.liveblog import is_headline, parse_byline, split_entries
from briefing.ingest.parse import document_from_text

from .conftest import FILES, LONDON

# (entries incl. lead and link items, leads, links, articles) per seed file
EXPECTED = {
    "000": (10, 1, 3, 0),
    "001": (11, 1, 0, 0),
    "002": (1, 0, 0, 1),
    "003": (1, 0, 0, 1),
    "004": (10, 1, 2, 0),
}


def entries_of(key: str):  # type: ignore[no-untyped-def]
    loaded = document_from_text(
        FILES[key].read_text("utf-8"),
        doc_id=key,
        source=str(FILES[key]),
        rules=load_rules(),
        tz=LONDON,
    )
    return split_entries(loaded.document, LONDON)


@pytest.mark.parametrize("key", sorted(EXPECTED))
def test_entry_counts_per_seed_file(key: str) -> None:
    entries, problems = entries_of(key)
    total = EXPECTED[key][0]
    kinds = [e.kind for e in entries]
    assert (
        len(entries),
        kinds.count("lead"),
        kinds.count("link"),
        kinds.count("article"),
    ) == EXPECTED[key]
    assert problems == []
    assert len({e.id for e in entries}) == total


def test_bylines_give_author_and_time_in_london() -> None:
    entries, _ = entries_of("001")
    by_headline = {e.headline: e for e in entries}
    drones = by_headline[
        "Russian drones hit Ukraine port, Moldova says drones exploded on its soil"
    ]
    assert drones.author == "Tom Watling"
    assert drones.published == datetime(2025, 2, 13, 9, 15, tzinfo=LONDON)
    authors = [e.author for e in entries if e.kind == "entry"]
    assert authors.count("Arpan Rai") == 4 and authors.count("Tom Watling") == 6
    assert drones.anchor == "001 · 13 Feb 2025 09:15"


def test_lead_summary_is_separate_and_dated_with_latest_entry() -> None:
    entries, _ = entries_of("000")
    lead = entries[0]
    assert lead.kind == "lead" and lead.headline is None
    assert lead.body.startswith("Donald Trump has said he spoke with Vladimir Putin")
    assert lead.published == datetime(2025, 2, 12, 18, 0, tzinfo=LONDON)
    # the headline right under the lead is a link-only item, not part of the lead
    assert entries[1].kind == "link" and entries[1].headline.startswith("Zelensky says Europe")


def test_link_items_subheadings_and_lists() -> None:
    entries, _ = entries_of("000")
    by_headline = {e.headline: e for e in entries}
    assert (
        by_headline["What is the Su-57 stealth fighter jet Russia is offering to India?"].kind
        == "link"
    )
    teaser = next(e for e in entries if (e.headline or "").startswith("Trump has just sabotaged"))
    assert teaser.kind == "link"  # one teaser line ending in ':'
    five = by_headline["In five points: What Hegseth on Ukraine"]
    assert [p.kind for p in five.paragraphs].count("li") == 5
    world = by_headline["World leaders respond to Trump's call with Putin"]
    heads = [p.text for p in world.paragraphs if p.kind == "h"]
    assert heads == [
        "UK defence secretary responds to US's call for European nations to step up over Ukraine"
    ]


def test_repeated_headline_under_headline_is_dropped() -> None:
    entries, _ = entries_of("004")
    e = next(
        e for e in entries if (e.headline or "").startswith("Ukraine had 'good conversations'")
    )
    assert all(p.kind == "p" for p in e.paragraphs) and len(e.paragraphs) == 1


def test_same_entry_in_two_files_gets_the_same_id() -> None:
    entries, _ = entries_of("001")
    loaded = document_from_text(
        FILES["001"].read_text("utf-8"),
        doc_id="copy",
        source="copy.txt",
        rules=load_rules(),
        tz=LONDON,
    )
    again, _ = split_entries(loaded.document, LONDON)
    assert [e.id for e in entries] == [e.id for e in again]
    assert {e.document for e in again} == {"copy"}


def test_byline_parsing() -> None:
    b = parse_byline("Tom Watling13 February 2025 09:15", LONDON)
    assert (
        b
        and b.author == "Tom Watling"
        and b.published == datetime(2025, 2, 13, 9, 15, tzinfo=LONDON)
    )
    b = parse_byline("Alex Ross 1 Jul 2025 4:05pm", LONDON)
    assert b and b.published == datetime(2025, 7, 1, 16, 5, tzinfo=LONDON)
    bad = parse_byline("Tom Watling31 February 2025 09:15", LONDON)
    assert bad and bad.published is None and "impossible date" in (bad.problem or "")
    assert parse_byline("The war began on 24 February 2022 at dawn.", LONDON) is None


def test_headline_heuristic() -> None:
    assert is_headline("Poland describes Trump-Putin call as 'hair-raising'")
    assert is_headline("What is the Su-57 stealth fighter jet Russia is offering to India?")
    assert not is_headline("He said it was a sentence.")
    assert not is_headline("- a list item")
    assert not is_headline("x " * 40)
