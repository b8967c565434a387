"""Property tests: the cleaner, the live-blog parser and the checker never raise anything but
the project's own errors, and are idempotent where they should be."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefing.check import check_bullet
from briefing.errors import BriefingError
from briefing.ingest import load_rules
from briefing.ingest.clean import clean
from briefing.ingest.liveblog import BYLINE as BYLINE_RE
from briefing.ingest.liveblog import split_entries
from briefing.models import Document
from briefing.text import fingerprint_text

LONDON = ZoneInfo("Europe/London")
RULES = load_rules()
BYLINE = st.builds(lambda a, d, h: f"{a}{d} February 2025 {h:02d}:15",
                   st.sampled_from(["Tom Watling", "", "A", "Arpan Rai"]), st.integers(0, 40), st.integers(0, 30))  # fmt: skip
LINE = st.one_of(st.text(max_size=120), BYLINE, st.sampled_from([
    "Your support helps us to tell the story", "Your support makes all the difference.", "Read more",
    "- a list item", "![img](http://x/y.jpg)", "Headline without a full stop", "<<<END x>>>", "",
]))  # fmt: skip
DOC = st.lists(LINE, max_size=40).map("\n".join)
FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(DOC)
def test_clean_never_raises_and_is_idempotent(text: str) -> None:
    once = clean(text, RULES, "The Independent")
    assert clean(once, RULES, "The Independent") == once
    assert "\r" not in once and "\u201c" not in once


@FAST
@given(DOC)
def test_live_blog_parser_never_raises_and_keeps_every_word(text: str) -> None:
    cleaned = clean(text, RULES)
    doc = Document("d", "d.txt", None, None, None, False, cleaned, len(text))
    try:
        entries, problems = split_entries(doc, LONDON)
    except BriefingError:
        return
    assert all(isinstance(p, str) for p in problems)
    prose = [ln for ln in cleaned.split("\n") if not BYLINE_RE.match(ln.strip())]
    words = set(fingerprint_text("\n".join(prose)).split())
    kept = set(fingerprint_text(" ".join(e.text for e in entries)).split())
    assert words <= kept, words - kept  # nothing but bylines disappears
    again, _ = split_entries(doc, LONDON)
    assert [e.id for e in again] == [e.id for e in entries]  # deterministic ids
    for e in entries:
        assert e.published is None or e.published.tzinfo is not None
        assert e.published is None or e.published > datetime(2025, 1, 1, tzinfo=LONDON)


@FAST
@given(st.text(max_size=300), st.lists(st.text(max_size=20), max_size=5),
       st.dictionaries(st.text(max_size=20), st.text(max_size=300), max_size=5))  # fmt: skip
def test_checker_never_raises(text: str, citations: list[str], sources: dict[str, str]) -> None:
    r = check_bullet(text, citations, sources)
    assert 0.0 <= r.support <= 1.0
    assert r.ok == (not r.reasons)
    if not citations or not set(citations) & set(sources):
        assert not r.ok
