"""Amounts written another way are the same amount, in the words check and in the meaning
checks alike (one number token per amount, matched by all its forms); a time of day is not a
length of time."""

from __future__ import annotations

import pytest

from briefing.check import check_bullet, tokenize
from briefing.check.quantities import mentions

SAME = [
    ("The talks lasted a quarter of an hour.", "The talks lasted 15 minutes."),
    ("The second round starts at 19:00.", "The second round starts at 7pm."),
    ("The second round starts at 7pm.", "The second round starts at 19:00."),
    ("Two-thirds of voters backed the plan.", "Some 67% of voters backed the plan."),
    ("The plant closed ten years ago.", "The plant closed a decade ago."),
    ("The strike lasted two weeks.", "The strike lasted a fortnight."),
    ("The strike lasted seven days.", "The strike lasted a week."),
    ("The inquiry lasted half a year.", "The inquiry lasted six months."),
    ("The company cut one point two million jobs.", "The company cut 1.2m jobs."),
    ("Seventy-one per cent of those surveyed backed it.", "71% of those surveyed backed it."),
    ("Nine out of ten doctors agreed.", "90% of doctors agreed."),
    ("He served for thirty-one years.", "He served for 31 years."),
    ("Thirteen-year-old Sam was found.", "Sam, 13, was found."),
    ("The meeting will be at half past three.", "The meeting will be at 3.30pm."),
    ("Shares fell three and a half per cent.", "Shares fell 3.5%."),
    ("The trial lasted an hour and a quarter.", "The trial lasted 75 minutes."),
    ("The trial lasted 75 minutes.", "The trial lasted an hour and a quarter."),
    ("Ninety minutes later, the police arrived.", "The police arrived an hour and a half later."),
    ("Four in ten adults smoke.", "Forty per cent of adults smoke."),
    ("One in every five children is poor.", "20% of children are poor."),
    ("The polls closed at ten o'clock at night.", "The polls closed at 10pm."),
]


@pytest.mark.parametrize(("claim", "source"), SAME)
def test_one_amount_written_two_ways_is_supported(claim: str, source: str) -> None:
    r = check_bullet(claim, ["e"], {"e": source})
    assert r.verdict == "supported", r.reasons


@pytest.mark.parametrize(("claim", "source"), [
    ("The talks lasted half an hour.", "The talks lasted 15 minutes."),
    ("The polls closed at 9pm.", "The polls closed at 10pm."),
    ("Seventy-two per cent of those surveyed backed it.", "71% of those surveyed backed it."),
    ("He served for thirty-two years.", "He served for 31 years."),
])  # fmt: skip
def test_a_different_amount_is_contradicted(claim: str, source: str) -> None:
    assert check_bullet(claim, ["e"], {"e": source}).verdict == "contradicted"


def test_an_amount_is_one_number_token() -> None:
    toks = [t for t in tokenize("About eighty-five of a hundred and forty drones") if t.kind == "n"]
    assert [t.word for t in toks] == ["85", "140"]
    assert [t.word for t in tokenize("three thousand jobs") if t.kind == "n"] == ["3000"]


def test_a_time_of_day_is_no_length_of_time() -> None:
    r = check_bullet("The band shared one snippet every hour until 10pm.", ["e"],
                     {"e": "The band shared one snippet per hour for 10 hours, until 10pm."})
    assert r.verdict == "supported", r.reasons
    (clock,) = mentions("7.30pm")
    assert {"7.3", "19.3"} <= clock.alts


def test_a_vague_unit_is_never_missing() -> None:
    r = check_bullet("A year ago, the plant closed.", ["e"], {"e": "Last year, the plant closed."})
    assert r.verdict != "contradicted"
