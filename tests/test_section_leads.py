"""Each section leads with its news (issue 23, item 2): the fact its In-brief line says, else
its most central line; never a follow-up; the story's key figures are in its section."""

from __future__ import annotations

import re

import pytest

from .conftest import brief


@pytest.mark.parametrize("day", ["2025-02-12", "2025-02-13"])
def test_in_brief_lines_lead_their_sections_and_nothing_else_repeats(day: str) -> None:
    b = brief(day)
    leads = [s.bullets[0].text for s in b.sections]
    for x in b.summary:
        assert leads.count(x.text) == 1, x.text  # the In-brief line leads its own section
    rest = [x.text for s in b.sections for x in s.bullets[1:]]
    assert len(rest) == len(set(rest)) and not set(rest) & {x.text for x in b.summary}


def test_a_section_leads_with_the_news_not_a_follow_up() -> None:
    b = brief("2025-02-12")
    trump = next(s for s in b.sections if s.title.startswith("Trump agrees to talks"))
    assert re.search(r"spoke with Vladimir Putin about starting negotiations",
                     trump.bullets[0].text)  # fmt: skip
    assert not re.search(r"\balso spoke\b|\blater\b", trump.bullets[0].text)


def test_the_key_figure_is_in_its_section() -> None:
    b = brief("2025-02-13")
    drones = next(s for s in b.sections if "140 drones" in s.title)
    assert any("140" in x.text for x in drones.bullets)


def test_a_story_whose_only_line_is_in_brief_still_has_its_section() -> None:
    b = brief("2025-02-12")
    assert [s.story_id for s in b.sections] and not b.also_reported  # 4 stories, 4 sections
    assert len(b.sections) == b.stats.stories
