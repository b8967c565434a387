from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from briefing.cli.options import parse_since
from briefing.errors import NothingToBrief, UsageError
from briefing.models import Window

from .conftest import LONDON, brief, prepare_sample


@pytest.mark.parametrize("day", ["2025-02-12", "2025-02-13"])
def test_every_bullet_is_cited_and_resolves_to_sources(day: str) -> None:
    b = brief(day)
    bullets = b.all_bullets()
    assert len(b.summary) >= 2 and len(b.sections) >= 3
    for bullet in bullets:
        assert bullet.citations, bullet.text
        for c in bullet.citations:
            assert c in b.sources
            assert b.sources[c].published and b.sources[c].published.startswith(day)
    assert b.dropped == []


def test_date_window_uses_entry_timestamps() -> None:
    b13 = brief("2025-02-13")
    cited_docs = {b13.sources[c].document for x in b13.all_bullets() for c in x.citations}
    assert not any(d.startswith("004") for d in cited_docs)  # 7 Nov 2024 entries never appear
    assert not any(d.startswith("000") for d in cited_docs)  # 12 Feb entries neither
    assert all(s.published.startswith("2025-02-13") for s in b13.sources.values())
    nov = brief("2024-11-07")
    assert {s.document for s in nov.sources.values()} == {"004_6c0612703b4ba396"}


def test_undated_document_is_excluded_and_reported_unless_assumed() -> None:
    b = brief("2025-02-13")
    excluded = [s for s in b.skipped if s.input.endswith("003_b0625f55f9919e7b.txt")]
    assert excluded and excluded[0].kind == "excluded" and excluded[0].reason.startswith("undated")
    assert not b.has_errors
    with_assumed = brief("2025-03-07", assume_date=date(2025, 3, 7))
    assert {s.document for s in with_assumed.sources.values()} == {"003_b0625f55f9919e7b"}


def test_since_window_counts_back_from_the_end_of_the_day() -> None:
    w = Window(LONDON, date(2025, 2, 13), parse_since("3h"))
    start, end = w.bounds  # type: ignore[misc]
    assert end - start == timedelta(hours=3)
    window = Window(
        LONDON, since=parse_since("2h"), now=datetime(2025, 2, 13, 9, 20, tzinfo=LONDON)
    )
    prep = prepare_sample(window=window)
    timed = sorted(e.published for e in prep.in_window if e.published and not e.date_only)
    assert timed[0] >= datetime(2025, 2, 13, 7, 20, tzinfo=LONDON)
    assert timed[-1] < datetime(2025, 2, 13, 9, 20, tzinfo=LONDON)
    assert len(timed) == 9  # 001's entries 07:30 .. 09:15; 09:30 is after "now"
    # a date-only article counts when its day overlaps the window
    assert [e.document[:3] for e in prep.in_window if e.date_only] == ["002"]
    with pytest.raises(UsageError):
        parse_since("yesterday")


def test_no_window_means_every_entry() -> None:
    b = brief(None)
    assert b.stats.entries_in_window == b.stats.entries == 33
    assert b.window == "all entries"


def test_nothing_in_the_window_is_a_clear_error() -> None:
    with pytest.raises(NothingToBrief, match="nothing to brief in the window 2030-01-01"):
        brief("2030-01-01")


def test_stats_and_duplicates_are_reported() -> None:
    b = brief("2025-02-13")
    st = b.stats
    assert (st.documents, st.entries_in_window, st.duplicates_removed) == (5, 12, 1)
    assert st.token_count_method == "tiktoken:cl100k_base"
    assert st.tokens_raw > st.tokens_in > st.tokens_out > 0
    assert st.llm_calls == 0 and b.summariser.backend == "extractive"
    assert [(d.kind) for d in b.duplicates] == ["contained"]
    fury = b.duplicates[0].entry
    assert b.sources[fury].duplicate_of == b.duplicates[0].kept
    # a bullet from the merged item cites both of its sources
    merged = {fury, b.duplicates[0].kept}
    assert any(merged <= set(x.citations) for x in b.all_bullets())


def test_json_contract_round_trips() -> None:
    from briefing.contract import Briefing

    b = brief("2025-02-13")
    again = Briefing.model_validate_json(b.model_dump_json())
    assert again == b
    data = b.model_dump()
    for key in (
        "topic",
        "date",
        "generated_at",
        "summariser",
        "summary",
        "sections",
        "sources",
        "stats",
        "skipped",
    ):
        assert key in data
    src = next(iter(data["sources"].values()))
    assert set(src) >= {"document", "title", "author", "published", "url", "excerpt", "text"}


# ---------------------------------------------------------------- pure pipeline, fake summariser


def test_an_unusable_llm_falls_back_to_the_extractive_summariser() -> None:
    from briefing.errors import LLMError

    from .fakes import FakeSummariser

    fake = FakeSummariser().enqueue(LLMError("server said 503"))
    b = brief("2025-02-13", fake)
    assert len(fake.history) == 1 and fake.history[0].stories  # it was asked, with stories
    assert b.summariser.backend == "extractive" and b.summariser.degraded
    assert b.summariser.notice and "fake-model" in b.summariser.notice and "503" in b.summariser.notice
    assert b.sections and all(x.citations for x in b.all_bullets())


def test_bullets_that_fail_the_check_are_dropped_with_their_reasons() -> None:
    from .fakes import FakeSummariser, draft

    def answer(req):  # type: ignore[no-untyped-def]
        story = req.stories[0]
        eid = story.items[0].canonical.id
        first = story.items[0].canonical.body.split("\n")[0]
        return draft(
            {
                story.title: [
                    (first, [eid]),  # true: kept
                    ("Negotiators met in Reykjavik with 4,000 delegates.", [eid]),  # not in the text
                    (first, ["e000000000000"]),  # cites nothing real
                ],
                "Empty section": [("Martians landed in Kyiv.", [eid])],
            },
            summary=[(first, [])],  # no citation at all
        )

    b = brief("2025-02-13", FakeSummariser().enqueue(answer))
    assert [s.title for s in b.sections] == [b.sections[0].title]  # the emptied section went
    assert [x.text for x in b.sections[0].bullets] == [b.sections[0].bullets[0].text]
    reasons = {d.text[:20]: d.reason for d in b.dropped}
    assert "Reykjavik" in reasons["Negotiators met in R"] and "4000" in reasons["Negotiators met in R"]
    assert any("unknown entries: e000000000000" in d.reason for d in b.dropped)
    assert any(d.reason == "no citations" for d in b.dropped)
    assert "Martians" in " ".join(d.text for d in b.dropped) and b.summary == []
