"""Relevance that reads the entry (issue 23, item 1): sport, culture and business reports that
name the topic's words in passing are never briefed, on-topic ones still are, and a topic's
`exclude_sections` leaves out feed categories and URL sections, over a real feed from a local
HTTP server."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.contract import Briefing
from briefing.models import Entry, Paragraph
from briefing.pipeline import Relevance
from briefing.render import render

from .conftest import CORPUS, FIXTURES, brief
from .servers.web import Route, WebServer

runner = CliRunner()
DAY = "2025-02-13"
TOPIC = ["ukrain", "kyiv", "zelensk", "putin", "kremlin", "russia", "peace talks", "ceasefire"]
MIXED = FIXTURES / "relevance" / "mixed.json"  # 9 passing mentions, 3 on-topic reports, by us
ARTICLES = json.loads(MIXED.read_text("utf-8"))["articles"]
ON_TOPIC = {a["title"] for a in ARTICLES if a["category"] in ("World", "Politics")}
PASSING = {a["title"] for a in ARTICLES} - ON_TOPIC


def cited(b: Briefing) -> set[str]:
    return {c for x in b.all_bullets() for c in x.citations}


def titles(b: Briefing, ids: set[str]) -> set[str]:
    return {b.sources[c].title or "" for c in ids}


def test_passing_mentions_are_never_briefed_and_the_topic_still_is() -> None:
    """The sample corpus plus sport, culture and business reports that say "the Ukrainian
    champions", "a Kyiv-born soprano", "its business in Russia", and three on-topic reports."""
    topic = {"topics": {"t": {"include": TOPIC}}, "topic": "t"}
    alone = brief(DAY, inputs=[str(CORPUS)], **topic)  # type: ignore[arg-type]
    both = brief(DAY, inputs=[str(CORPUS), str(MIXED)], **topic)  # type: ignore[arg-type]
    briefed = {s.title for s in both.sources.values()}
    assert not briefed & PASSING  # not in the window's sources, so never cited
    assert not titles(both, cited(both)) & PASSING
    assert briefed >= ON_TOPIC  # on-topic reports of the same publishers are briefed
    assert titles(both, cited(both)) & ON_TOPIC
    assert both.stats.off_topic_by_reason == {"passing_mention": len(PASSING)}
    assert both.stats.off_topic == len(PASSING) + alone.stats.off_topic
    # the sample's own entries are all still on the topic (their stories may now hold ours)
    assert set(alone.sources) <= set(both.sources)
    assert both.stats.stories >= alone.stats.stories
    footer = render(both, "md")
    assert f"({len(PASSING)} more not on the topic: {len(PASSING)} only mentioning it in passing)" in footer
    # the same reports without the sample: the three on-topic ones are the clear entries
    own = brief(DAY, inputs=[str(MIXED)], **topic)  # type: ignore[arg-type]
    assert {s.title for s in own.sources.values()} == ON_TOPIC


def test_the_terms_alone_would_have_briefed_them() -> None:
    """What the filter was before: every passing mention names a term, so only reading the
    entry tells them apart."""
    rel = Relevance(TOPIC)
    entries = [Entry(f"e{i}", f"d{i}", "article", a["title"],
                     tuple(Paragraph(p) for p in a["text"].split("\n\n")), None, None, False, 0,
                     a["url"]) for i, a in enumerate(ARTICLES)]  # fmt: skip
    assert all(rel.matches(e) for e in entries)
    judged = dict(zip((a["title"] for a in ARTICLES), rel.judge(entries), strict=True))
    assert {t for t, why in judged.items() if why is None} == ON_TOPIC
    assert {why for t, why in judged.items() if t in PASSING} == {"passing_mention"}


def entry(headline: str | None, *paragraphs: str, url: str | None = None) -> Entry:
    return Entry("e", "d", "entry", headline, tuple(Paragraph(p) for p in paragraphs), None,
                 None, False, 0, url)  # fmt: skip


def test_where_the_terms_are_counts_without_other_entries() -> None:
    """With no clear on-topic entries to compare with, the entry's own evidence decides: a
    headline and a lead that name the topic, or most of its sentences, are enough; one
    mention late in a report is not."""
    rel = Relevance(["ukrain", "kyiv"])
    about = entry("Kyiv braces for winter blackouts", "Officials in Kyiv said on Monday that "
                  "power cuts would last longer.", "Ukraine's grid has been hit 12 times.")
    said = entry(None, "The Ukrainian president spoke to reporters in Kyiv.")  # all it says
    passing = entry("Storm closes schools", "Heavy snow closed 200 schools on Tuesday.",
                    "Drivers were told to avoid the A9.", "Forecasters said milder air would "
                    "come by Thursday, as it did last week in Kyiv.")  # fmt: skip
    none = entry("Storm closes schools", "Heavy snow closed 200 schools.")
    assert rel.judge([about, said, passing, none]) == [None, None, "passing_mention", "no_terms"]
    # the exclude term still wins, and a topic without include terms takes everything else
    assert Relevance(["kyiv"], ["blackout"]).judge([about]) == ["excluded_term"]
    assert Relevance((), ["snow"]).judge([about, none]) == [None, "excluded_term"]


def test_sections_match_categories_and_runs_of_url_path_parts() -> None:
    rel = Relevance((), (), ["sport", "/news/culture/"])
    on_sport = entry("x", "y", url="https://a.example/sport/football/123")
    in_culture = entry("x", "y", url="https://a.example/News/Culture/film/9")
    culture_elsewhere = entry("x", "y", url="https://a.example/culture/news/9")
    sportswear = entry("x", "y", url="https://a.example/business/sportswear-sales")
    assert rel.in_excluded_section(on_sport) and rel.in_excluded_section(in_culture)
    assert not rel.in_excluded_section(culture_elsewhere)  # a run in order, not any part
    assert not rel.in_excluded_section(sportswear)  # whole parts only
    assert rel.in_excluded_section(sportswear, ["World", "Sport"])  # a category
    assert rel.in_excluded_section(sportswear, ["News > Culture"])
    assert not rel.in_excluded_section(sportswear, ["Sports business"])
    assert rel.judge([on_sport, sportswear]) == ["excluded_section", None]


# ---------------------------------------------------------------- a real feed, a real run


FILLER = (" Officials who briefed reporters said the talks would continue through the week, with"
          " delegations meeting again on Friday to review a draft text.")  # fmt: skip


def rss_item(title: str, body: str, hour: int, link: str, cats: tuple[str, ...] = ()) -> str:
    return (f"<item><title>{title}</title><link>{link}</link>"
            + "".join(f"<category>{c}</category>" for c in cats)
            + f"<pubDate>Thu, 13 Feb 2025 {hour:02d}:00:00 GMT</pubDate>"
            f"<description><![CDATA[<p>{body}{FILLER}{FILLER}</p>]]></description></item>")  # fmt: skip


WORLD = ("Zelensky rejects any deal made without Kyiv",
         "Volodymyr Zelensky said Ukraine would not accept an agreement negotiated without Kyiv.")
MATCH = ("Ukraine beat Georgia to reach Nations League finals",
         "Ukraine beat Georgia 2-0 in Kyiv's absence, playing in Poland, as Ukrainian fans sang.")
GOLF = ("Ukrainian golfer leads in Dubai", "The Ukrainian golfer, born in Kyiv, shot 64.")
TEASER = ("Ukraine's skaters train in Kyiv for the Olympics",
          "Ukraine's figure skaters trained in Kyiv on Thursday as Ukrainian coaches named a team.")
ATOM_MATCH = ("Dynamo Kyiv sign Ukraine winger", "Dynamo Kyiv signed the Ukraine winger on loan.")


@pytest.fixture()
def web() -> Iterator[WebServer]:
    with WebServer() as server:
        b = server.base
        items = [rss_item(*WORLD, 8, f"{b}/world/1", ("World",)),
                 rss_item(*MATCH, 9, f"{b}/news/2", ("Sport", "Football")),
                 rss_item(*GOLF, 10, f"{b}/sport/golf/3"),
                 f"<item><title>{TEASER[0]}</title><link>{b}/news/5</link>"  # a teaser only:
                 "<category>Sport</category><pubDate>Thu, 13 Feb 2025 12:00:00 GMT</pubDate>"
                 "<description>Kyiv's Olympic hopefuls.</description></item>"]  # its page is read
        server.routes["/news/5"] = Route(body=(
            f"<html><head><title>{TEASER[0]}</title></head><body><article><h1>{TEASER[0]}</h1>"
            f"<p>{TEASER[1]}{FILLER}{FILLER}</p></article></body></html>").encode())
        server.routes["/all.rss"] = Route(body=(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
            f"<link>{b}/</link>{''.join(items)}</channel></rss>").encode(),
            content_type="application/rss+xml")  # fmt: skip
        server.routes["/sport.atom"] = Route(body=(
            '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>Desk</title>'
            f'<entry><title>{ATOM_MATCH[0]}</title><link href="{b}/items/4"/>'
            '<category term="sport" label="Sport"/><updated>2025-02-13T11:00:00Z</updated>'
            f"<summary>{ATOM_MATCH[1]}{FILLER}{FILLER}</summary></entry></feed>").encode(),
            content_type="application/atom+xml")  # fmt: skip
        yield server


def settings(tmp_path: Path, web: WebServer, sections: str) -> Path:
    f = tmp_path / "briefing.toml"
    f.write_text(f"""
tz = "Europe/London"
llm = "extractive"
allow_private_addresses = true  # the teaser's page is on this test's loopback server
[topics.ukraine]
title = "Ukraine talks"
sources = ["{web.url('/all.rss')}", "{web.url('/sport.atom')}"]
include = {json.dumps(TOPIC)}
exclude_sections = {sections}
""")
    return f


def test_exclude_sections_over_a_real_feed(tmp_path: Path, web: WebServer) -> None:
    """RSS <category> (also on an item whose page replaces its teaser), Atom <category term>,
    and a /sport/ URL: left out, counted by reason; the world report on the feed is briefed."""
    cfg = settings(tmp_path, web, '["sport"]')
    r = runner.invoke(app, ["-v", "run", "--config", str(cfg), "--state", str(tmp_path / "s"),
                            "--date", DAY, "--format", "json"])  # fmt: skip
    assert r.exit_code in (0, 3), r.stderr
    b = json.loads(r.stdout)
    assert {s["title"] for s in b["sources"].values()} == {WORLD[0]}
    assert b["stats"]["off_topic_by_reason"] == {"excluded_section": 4}
    assert "4 entries not on the topic (4 in an excluded section)" in r.stderr
    assert "/news/5" in web.hits  # the teaser's page was read, and kept the feed's category
    # without the setting the terms alone would brief the match reports
    r = runner.invoke(app, ["run", "--config", str(settings(tmp_path, web, "[]")), "--state",
                            str(tmp_path / "s2"), "--date", DAY, "--format", "json"])  # fmt: skip
    assert r.exit_code in (0, 3), r.stderr
    assert MATCH[0] in {s["title"] for s in json.loads(r.stdout)["sources"].values()}


@pytest.mark.parametrize("bad, message", [
    ('[""]', "is not a section"),
    ('["/"]', "is not a section"),
    ('["https://news.example/sport/"]', "is a URL, not a section"),
    ('"sport"', "exclude_sections"),
])  # fmt: skip
def test_exclude_sections_is_validated(tmp_path: Path, web: WebServer, bad: str, message: str) -> None:
    r = runner.invoke(app, ["topics", "--config", str(settings(tmp_path, web, bad))])
    assert r.exit_code == 2 and message in r.stderr and "Traceback" not in r.stderr, r.stderr
    assert "briefing.toml" in r.stderr  # named by where it came from


def test_a_blog_about_the_topic_lends_its_posts_some_weight() -> None:
    """One mention in a live-blog post counts for more when the blog's title names the topic."""
    rel = Relevance(["ukrain"])
    post = entry(None, "Ministers met in Brussels on Thursday.", "They agreed a plan.",
                 "Aid to Ukraine was on the agenda.")  # fmt: skip
    assert rel.judge([post], blog_title=lambda e: "Ukraine war live") == [None]
    assert rel.judge([post], blog_title=lambda e: "Brussels summit live") == ["passing_mention"]


def test_json_article_categories_are_sections() -> None:
    topic = {"include": TOPIC, "exclude_sections": ["business", "markets"]}
    b = brief(DAY, inputs=[str(MIXED)], topics={"t": topic}, topic="t")
    business = {a["title"] for a in ARTICLES if a["category"] in ("Business", "Markets")}
    assert b.stats.off_topic_by_reason == {"excluded_section": len(business),
                                           "passing_mention": len(PASSING - business)}  # fmt: skip
