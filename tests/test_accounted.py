"""Every story of the window is accounted for (issue 23, item 4): a section, an "Also reported"
line (title, publisher count, citation), or one of the "N more stories", which the HTML and
the archive list in full."""

from __future__ import annotations

from datetime import UTC, datetime

from briefing import pipeline
from briefing.contract import Bullet, Section
from briefing.models import Window
from briefing.pipeline import Draft, SummaryRequest
from briefing.render import render, render_template, view

from .conftest import LONDON, brief, prepare_sample


class FirstOnly:
    """Writes a section for the first story only: the others it was given have none."""

    name = "first-only"

    def execute(self, request: SummaryRequest) -> Draft:
        s = request.stories[0]
        return Draft([], [Section(title=s.title, story_id=s.id, bullets=[Bullet(
            text=s.items[0].canonical.body, citations=[s.items[0].id])])], self.name)  # fmt: skip


def _ids(b: object) -> list[str]:
    return [m.story_id for m in b]  # type: ignore[attr-defined]


def test_every_story_is_a_section_an_also_reported_line_or_counted() -> None:
    prep = prepare_sample("2025-02-13")
    ranked = [s.id for s in prep.stories]
    assert len(ranked) >= 6
    request = SummaryRequest("t", (), max_sections=3, also_reported=1)
    b = pipeline.brief(prep, request, FirstOnly(), FirstOnly(), window=Window(LONDON),
                       generated_at=datetime.now(UTC))  # fmt: skip
    shown = [s.story_id for s in b.sections]
    assert shown == ranked[:1]
    # the two summarised without a section come first under Also reported, then the next one
    assert _ids(b.also_reported) == [*ranked[1:3], ranked[3]]
    assert _ids(b.more_stories) == ranked[4:]
    assert sorted(shown + _ids(b.also_reported) + _ids(b.more_stories)) == sorted(ranked)
    for m in [*b.also_reported, *b.more_stories]:
        assert m.title and m.sources >= 1 and m.citations
        assert all(c in b.sources for c in m.citations)


def test_the_count_is_in_markdown_and_the_list_in_html_and_the_archive() -> None:
    b = brief("2025-02-13", also_reported=1)
    assert b.more_stories and b.stats.stories == len(b.sections) + len(b.also_reported) + len(
        b.more_stories)
    n = len(b.more_stories)
    word = "more story" if n == 1 else "more stories"
    md = render(b, "md")
    assert f"- {n} {word} (listed in the HTML briefing and the archive)" in md
    html = render(b, "html")
    assert f'<a href="#more-stories">{n} {word}</a>' in html and 'id="more-stories"' in html
    for m in b.more_stories:
        assert m.title.replace("'", "&#39;") in html and m.title not in md
    page = render_template("archive/briefing.html.j2", v=view(b), root="../", links={})
    assert 'id="more-stories"' in page and b.more_stories[0].title.replace("'", "&#39;") in page


def test_nothing_more_means_no_line() -> None:
    b = brief("2025-02-13", also_reported=100)
    assert b.more_stories == [] and "more stor" not in render(b, "md")
    assert "more-stories" not in render(b, "html")


def test_the_email_counts_them_and_links_the_archive_list() -> None:
    b = brief("2025-02-13", also_reported=1)
    n = len(b.more_stories)
    link = "https://archive.example/ukraine-talks/2025-02-13.html"
    ctx = {"v": view(b), "archive_link": link, "unsubscribe": None, "compact": False, "omitted": 0}
    text = render_template("email.txt.j2", **ctx)
    assert f"* {n} more stories (listed in the archive: {link}#more-stories)" in text
    html = render_template("email.html.j2", **ctx)
    assert f'<a href="{link}#more-stories">{n} more stories</a>' in html
