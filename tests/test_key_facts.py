"""Coverage of the day's key facts by the extractive briefing of each sample day, against the
hand-made list in `tests/data/key_facts.json`. `python -m tests.test_key_facts` prints it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from briefing.contract import Briefing

from .conftest import brief

FACTS = json.loads((Path(__file__).parent / "data" / "key_facts.json").read_text())["days"]
# what the extractive briefing covers today (docs/quality.md); it may only go up
FLOOR = {"2025-02-12": 6, "2025-02-13": 10}
HEGSETH = ("Hegseth: no return to pre-2014 borders",
           "Hegseth: Nato membership for Ukraine is not part of a solution")  # fmt: skip


def lines(b: Briefing) -> list[str]:
    return [*(s.title for s in b.sections), *(x.text for x in b.all_bullets()),
            *(m.title for m in b.also_reported)]  # fmt: skip


def covered(day: str, b: Briefing) -> dict[str, bool]:
    text = lines(b)
    return {fact: any(all(re.search(p, t, re.IGNORECASE) for p in pats) for t in text)
            for fact, pats in FACTS[day].items()}  # fmt: skip


@pytest.mark.parametrize("day", sorted(FLOOR))
def test_key_fact_coverage_does_not_drop(day: str) -> None:
    got = covered(day, brief(day))
    assert sum(got.values()) >= FLOOR[day], got


def test_a_fact_counts_only_when_all_its_patterns_meet_on_one_line() -> None:
    b = brief("2025-02-12")
    one = b.model_copy(update={"sections": [], "summary": [], "also_reported": []})
    assert not any(covered("2025-02-12", one).values())


def test_hegsheths_remarks_are_covered_on_12_february() -> None:
    got = covered("2025-02-12", brief("2025-02-12"))
    assert all(got[f] for f in HEGSETH), got


def test_hegsheths_remark_on_us_troops_is_covered_on_12_february() -> None:
    got = covered("2025-02-12", brief("2025-02-12"))
    assert got["Hegseth: no US troops in Ukraine"], got


if __name__ == "__main__":
    for day in FACTS:
        got = covered(day, brief(day))
        print(f"{day}: {sum(got.values())}/{len(got)} key facts")
        for fact, ok in got.items():
            print(f"    {'yes' if ok else 'no '} {fact}")
