from __future__ import annotations

from .conftest import prepare_sample


def _story_of(stories, headline_start: str):  # type: ignore[no-untyped-def]
    for s in stories:
        for it in s.items:
            if any((m.headline or "").startswith(headline_start) for m in it.members):
                return s
    raise AssertionError(headline_start)


def test_drone_reports_are_one_story() -> None:
    stories = prepare_sample("2025-02-13").stories
    a = _story_of(stories, "Russian drones hit Ukraine port")
    b = _story_of(stories, "Russia launched 140 drones")
    assert a is b and len(a.items) == 2


def test_trump_putin_call_and_hegseth_remarks_group() -> None:
    stories = prepare_sample("2025-02-12").stories
    call = _story_of(stories, "Breaking: Trump agrees to talks")
    assert _story_of(stories, "Zelenksy and Trump speak") is call
    assert call.title == "Trump agrees to talks with Putin over ending Ukraine war"
    hegseth = _story_of(stories, "In five points: What Hegseth")
    assert _story_of(stories, "Hegseth won't commit") is hegseth
    assert hegseth is not call


def test_unrelated_reports_stay_apart() -> None:
    stories = prepare_sample("2025-02-13").stories
    children = _story_of(stories, "Russia returns eight children")
    drones = _story_of(stories, "Russian drones hit Ukraine port")
    assert children is not drones
    assert stories == sorted(stories, key=lambda s: (-s.score, s.title))
