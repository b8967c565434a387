"""Cross-publisher candidates (issue 27): `related.related` finds other publishers' items of
the same event that the grouping left in other stories, and corroboration searches them."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from briefing.contract import Bullet, Section, Source
from briefing.models import Entry, Item, Paragraph, Story
from briefing.pipeline.corroborate import corroborate
from briefing.pipeline.related import related

LONDON = ZoneInfo("Europe/London")
EVENING = datetime(2015, 5, 23, 20, 0, tzinfo=LONDON)
PUBLISHER = {"guardian": "The Guardian", "bbc": "BBC News", "sky": "Sky News"}

HUNGARY = "Now for Latvia: Aminata sings Love Injected, delicate and ethereal."
PROFILE = ("Aminata's delicate and ethereal Love Injected sounds as if British singer FKA "
           "Twigs had a hand in it, and Latvia hopes it will carry the jury.")
WEATHER = "Rain fell on Vienna all afternoon and is expected to continue well into the night."
VOTE = "You should all vote for it."
VOTING = "Voting lines are open now: vote by phone or with the app, but only for 15 minutes."


def _entry(doc: str, n: int, text: str, minutes: float = 0) -> Entry:
    return Entry(id=f"e{doc}{n}", document=doc, kind="entry", headline=None,
                 paragraphs=(Paragraph(text),), author=None,
                 published=EVENING + timedelta(minutes=minutes), date_only=False,
                 position=n)  # fmt: skip


def _story(sid: str, *entries: Entry) -> Story:
    return Story(sid, sid, tuple(Item(e, (e,)) for e in entries), float(len(entries)))


def _sources(stories: list[Story]) -> dict[str, Source]:
    return {e.id: Source(document=e.document, publisher=PUBLISHER[e.document], title=None,
                         author=None, published=None, url=None, anchor=e.anchor,
                         excerpt=e.text[:80], text=e.text)
            for s in stories for it in s.items for e in it.members}  # fmt: skip


def _day() -> list[Story]:
    return [
        _story("s-guardian", _entry("guardian", 1, HUNGARY, 70), _entry("guardian", 2, VOTE, 75)),
        _story("s-profile", _entry("bbc", 1, PROFILE)),
        _story("s-weather", _entry("bbc", 2, WEATHER, 10)),
        _story("s-voting", _entry("bbc", 3, VOTING, 80)),
        # the same words two days later: another event
        _story("s-later", _entry("sky", 1, PROFILE.replace("hand", "part"), 2 * 24 * 60)),
    ]


def test_a_one_publisher_story_finds_the_other_publishers_report_of_its_event() -> None:
    stories = _day()
    got = related(stories, PUBLISHER)
    near = [it.id for it in got["s-guardian"]]
    assert "ebbc1" in near  # the BBC's profile of the same act, in a story of its own
    assert "ebbc2" not in near  # shares no word worth the name
    assert "esky1" not in near  # too far apart in time
    assert all(it.canonical.document != "guardian" for it in got["s-guardian"])
    assert "eguardian1" in [it.id for it in got["s-profile"]]  # and the other way round


def test_nothing_is_searched_for_a_single_publisher_day_or_a_story_with_both() -> None:
    one = [s for s in _day() if all(it.canonical.document == "bbc" for it in s.items)]
    assert related(one, PUBLISHER) == {}
    both = [_story("s-both", _entry("guardian", 1, HUNGARY, 70), _entry("bbc", 1, PROFILE)),
            _story("s-weather", _entry("bbc", 2, WEATHER, 10))]  # fmt: skip
    assert "s-both" not in related(both, PUBLISHER)


def test_corroboration_names_the_publisher_of_a_related_report() -> None:
    stories = _day()
    sources = _sources(stories)
    bullet = Bullet(text="Latvia's Aminata sings Love Injected, a delicate and ethereal song.",
                    citations=["eguardian1"])  # fmt: skip
    vote = Bullet(text=VOTE, citations=["eguardian2"])
    _summary, [section] = corroborate([], [Section(title="Latvia", story_id="s-guardian",
                                                   bullets=[bullet, vote])], stories, sources)
    by = {c.publisher: c.entry for c in section.bullets[0].corroboration}
    assert by == {"The Guardian": "eguardian1", "BBC News": "ebbc1"}
    assert not section.bullets[0].single_source
    # "vote" alone is in the BBC's voting post: too little to say the BBC reports it
    assert [c.publisher for c in section.bullets[1].corroboration] == ["The Guardian"]


def test_the_blind_sample_is_scored_with_its_wilson_bound(tmp_path, capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from bench.corroboration import score, wilson_lower

    assert round(wilson_lower(7, 7), 3) == 0.646 and wilson_lower(0, 0) == 0.0
    entry = {"id": "ebbc1", "text": PROFILE}
    pairs = [{"id": f"c{i}", "event": "e", "bullet": t, "publisher": "BBC News",
              "entries": [entry]} for i, t in enumerate([HUNGARY, WEATHER, VOTE])]  # fmt: skip
    (tmp_path / "to_label.json").write_text(json.dumps({"pairs": pairs}))
    (tmp_path / "answers.json").write_text(json.dumps({"answers": {
        "c0": {"supported": True}, "c1": {"supported": True}, "c2": {"supported": False}}}))
    (tmp_path / "labels.json").write_text(json.dumps({"labels": {"c0": True, "c1": False,
                                                                 "c2": True}}))  # fmt: skip
    assert score(tmp_path / "to_label.json", tmp_path / "answers.json",
                 tmp_path / "labels.json") == 0  # fmt: skip
    out = capsys.readouterr().out
    assert "we say supported 2, of which 1 right: precision 50.0%" in out
    assert "recall 50.0% (2 supported by the labels)" in out and "wrong 'supported' c1" in out
