"""Three verdicts (issue 22): `supported`, `unconfirmed` (nothing conflicts, support not
shown), `contradicted` (an aligned conflict, with its reason); amounts written two ways."""

from __future__ import annotations

import pytest

from briefing.check import check_bullet
from briefing.check.quantities import missing

SOURCE = {
    "e1": "Ukraine's air force said it shot down 85 of the 140 drones launched overnight. "
    "Talks could resume in Riyadh on Monday, officials said. The Kremlin rejected the proposal. "
    "Zelensky and Trump spoke for an hour and a half on Wednesday."
}


def verdict(text: str) -> tuple[str, str | None]:
    r = check_bullet(text, ["e1"], SOURCE)
    return r.verdict, r.reason


@pytest.mark.parametrize("text", [
    "Ukraine's air force said it shot down 85 of the 140 drones launched overnight.",
    "Zelensky and Trump spoke for 90 minutes on Wednesday.",
    "Zelensky and Trump spoke for ninety minutes on Wednesday.",
])  # fmt: skip
def test_what_the_evidence_says_is_supported(text: str) -> None:
    assert verdict(text) == ("supported", None)


@pytest.mark.parametrize(("text", "why"), [
    ("Ukraine's air force said it shot down 95 of the 140 drones.", "numbers not in the cited"),
    ("Talks could resume in Riyadh on Tuesday, officials said.", "which say 'monday'"),
    ("Talks could resume in Geneva on Monday, officials said.", "names not in the cited text"),
    ("The Kremlin accepted the proposal.", "'proposal' is negated in the source"),
    ("Zelensky and Trump spoke for two hours on Wednesday.", "numbers not in the cited"),
])  # fmt: skip
def test_an_aligned_conflict_contradicts_with_its_reason(text: str, why: str) -> None:
    got, reason = verdict(text)
    assert got == "contradicted" and reason and why in reason


def test_a_hedge_dropped_is_unconfirmed_not_contradicted() -> None:
    got, reason = verdict("Talks resume in Riyadh on Monday, officials said.")
    assert got == "unconfirmed" and reason and "hedges 'resume'" in reason


def test_a_negation_of_a_word_it_does_not_govern_is_no_conflict() -> None:
    """"did not shoot down 85 of the 140 drones launched overnight": the negation governs
    "shoot", not "overnight"; "shoot" is not aligned with "shot", so no conflict is shown."""
    got, _ = verdict("Ukraine's air force said it did not shoot down 85 of the 140 drones "
                     "launched overnight.")  # fmt: skip
    assert got != "supported"


def test_a_bullet_nothing_cited_bears_on_is_contradicted() -> None:
    r = check_bullet("Football club sacks its manager after derby loss.", ["e1"], SOURCE)
    assert r.verdict == "contradicted" and r.failed and not r.ok


def test_unknown_citations_contradict() -> None:
    assert check_bullet("The Kremlin rejected the proposal.", ["e9"], SOURCE).failed


@pytest.mark.parametrize(("said", "source"), [
    ("an hour and a half", "90 minutes"), ("half an hour", "30 minutes"),
    ("three-quarters", "75%"), ("two-thirds", "66%"), ("one in five", "20%"),
    ("a quarter of a million", "250,000"), ("half past seven", "7:30pm"),
    ("quarter to eight", "7.45"), ("sixty", "60"), ("800,000", "800k"),
    ("one of them", "them"), ("1.5m", "one and a half million"),
    ("six thousand and seventy-nine", "6,079"), ("one point five", "1.5"),
    ("nineteen ninety-nine", "1999"), ("twenty-first", "21st"), ("half a billion", "500m"),
])  # fmt: skip
def test_one_amount_written_two_ways_is_one_amount(said: str, source: str) -> None:
    assert missing(said, source) == []


@pytest.mark.parametrize(("said", "source"), [
    ("two hours", "90 minutes"), ("three-quarters", "70%"), ("7:30", "8.30"), ("61", "sixty"),
])  # fmt: skip
def test_different_amounts_stay_different(said: str, source: str) -> None:
    assert missing(said, source)


def test_a_number_in_words_is_found_whole_in_its_source() -> None:
    """"one hundred and nine points" is 109 points: neither 1 nor 9 is a number to find,
    nor are its words missing content words."""
    source = {"e": "The Dow Jones industrial average is up 109 points or 0.6%, while the Nasdaq "
                   "is about 1% higher."}  # fmt: skip
    r = check_bullet("The Dow Jones industrial average is up one hundred and nine points or "
                     "0.6%, while the Nasdaq is about 1% higher.", ["e"], source)  # fmt: skip
    assert r.verdict == "supported", r.reasons


def test_a_summariser_keeps_unconfirmed_bullets_marked_and_fails_contradicted_ones() -> None:
    """`screen` (what the LLM summariser re-asks on, then drops) and `validate` (the run's
    last check) fail only contradicted bullets; an unconfirmed one is kept with its verdict,
    reason and evidence."""
    from briefing.check import screen, validate
    from briefing.contract import Bullet

    hedge_dropped = Bullet(text="Talks resume in Riyadh on Monday, officials said.",
                           citations=["e1"])  # fmt: skip
    invented = Bullet(text="Talks resume in Geneva on Monday, officials said.", citations=["e1"])
    good, bad = screen([hedge_dropped, invented], SOURCE, limit=5)
    assert [(b.text, b.verdict) for b in good] == [(hedge_dropped.text, "unconfirmed")]
    assert good[0].reason and "hedges 'resume'" in good[0].reason and good[0].evidence
    assert [(b.text, "Geneva" in why) for b, why in bad] == [(invented.text, True)]
    checked = validate([hedge_dropped, invented], [], SOURCE)
    assert [b.verdict for b in checked.summary] == ["unconfirmed"]
    assert [d.text for d in checked.dropped] == [invented.text]


def test_two_names_swapped_around_the_same_word_contradict() -> None:
    source = {"s": "Greece rejected a bailout request from Germany on Friday."}
    r = check_bullet("Germany rejected a bailout request from Greece on Friday.", ["s"], source)
    assert r.verdict == "contradicted" and r.reason and "other way round" in r.reason
    passive = check_bullet("A bailout request from Germany was rejected by Greece on Friday.",
                           ["s"], source)  # fmt: skip
    assert passive.verdict != "contradicted", passive.reason
