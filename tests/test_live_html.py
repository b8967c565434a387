"""HTML live-blog pages split into their posts (issue 21, item 4): the page markup of two real
publishers (Guardian blocks, BBC lx-stream posts) and schema.org LiveBlogPosting JSON-LD."""

from __future__ import annotations

from datetime import UTC, datetime

from briefing.ingest import FetchOptions, ingest, load_rules
from briefing.ingest.livehtml import live_page
from briefing.models import Loaded

from .conftest import FIXTURES, LONDON
from .servers.web import Route, WebServer

LIVE = FIXTURES / "live"


def load(*inputs: str, fetch: FetchOptions | None = None) -> list[Loaded]:
    return ingest(list(inputs), rules=load_rules(), tz=LONDON, fetch=fetch).loaded


def at(h: int, m: int) -> datetime:
    return datetime(2025, 2, 18, h, m, tzinfo=UTC)


def test_guardian_blocks_become_entries_with_headline_byline_and_time() -> None:
    [page] = load(str(LIVE / "guardian.html"))
    assert page.document.title == "Ukraine war live: US and Russian officials meet in Riyadh"
    assert page.document.publisher == "the Guardian"
    got = [(e.kind, e.published, e.headline, e.author) for e in page.entries]
    assert got == [
        ("entry", at(12, 40), "Rubio says the talks were a first step", "Pjotr Sauer"),
        ("entry", at(10, 5), "Zelenskyy postpones visit to Saudi Arabia", None),
        ("entry", at(9, 2), None, "Tom Ambrose"),
    ]
    first = page.entries[0].body
    assert first.startswith("The US secretary of state, Marco Rubio, said the meeting")
    assert "appoint teams" in first
    # the time stamp, the byline, share buttons and "Updated at" are no part of the text
    for junk in ("12.40 GMT", "Pjotr Sauer", "Share", "Updated at", "Home"):
        assert all(junk not in e.body for e in page.entries), junk


def test_bbc_stream_posts_become_entries() -> None:
    [page] = load(str(LIVE / "bbc.html"))
    assert page.document.publisher == "BBC News"
    got = [(e.published, e.headline, e.author) for e in page.entries]
    assert got == [
        (at(13, 10), "Lavrov: talks were useful", "Steve Rosenberg"),
        (at(11, 30), "European leaders meet in Paris", None),
    ]
    paris = page.entries[1].body
    assert "security guarantees" in paris and "troops on the ground" in paris
    assert all("GMT" not in e.body and "Russia editor" not in e.body for e in page.entries)


def test_jsonld_live_blog_updates_become_entries_and_junk_updates_are_skipped() -> None:
    [page] = load(str(LIVE / "jsonld.html"))
    assert page.document.title == "Live updates: Russia-Ukraine talks in Riyadh"
    got = [(e.published, e.headline, e.author) for e in page.entries]
    assert got == [
        (at(14, 20), "Talks end after four and a half hours", "Anna Lee"),
        (at(9, 45), "Oil prices edge up", "Raj Patel"),
    ]  # a string and an update with neither headline nor text are not posts
    assert "alert" not in page.entries[0].body  # markup in articleBody: scripts dropped
    assert page.entries[0].body.endswith("a Saudi official said.")


def test_a_page_with_one_dated_article_is_read_as_an_article() -> None:
    body = "<p>" + "Peace talks went on in Geneva today with many officials present. " * 8 + "</p>"
    one = f"<html><body><article><time datetime='2025-02-18T10:00:00Z'>10:00</time>{body}</article></body></html>"
    assert live_page(one) is None
    article = (FIXTURES / "article.html").read_text()
    assert live_page(article) is None
    [page] = load(str(FIXTURES / "article.html"))
    assert [e.kind for e in page.entries] == ["article"]


def test_broken_jsonld_falls_back_to_the_page_markup() -> None:
    html = (
        (LIVE / "bbc.html")
        .read_text()
        .replace(
            "</head>",
            '<script type="application/ld+json">{"@type": "LiveBlogPosting", </script></head>',
        )
    )
    page = live_page(html)
    assert page is not None and [p.headline for p in page.posts] == [
        "Lavrov: talks were useful",
        "European leaders meet in Paris",
    ]


def test_a_bad_post_time_is_reported_and_the_other_posts_kept() -> None:
    html = (
        (LIVE / "guardian.html")
        .read_text()
        .replace("2025-02-18T10:05:00.000Z", "0001-01-01T00:00:00Z")
    )
    path = FIXTURES.parent / "_tmp_live_bad_time.html"
    try:
        path.write_text(html)
        [page] = load(str(path))
    finally:
        path.unlink()
    assert [e.published for e in page.entries] == [at(12, 40), at(9, 2)]
    assert any("out of range" in p for p in page.problems)


def test_a_live_page_fetched_over_http_is_split() -> None:
    with WebServer() as server:
        server.routes["/live"] = Route(body=(LIVE / "bbc.html").read_bytes())
        opts = FetchOptions(timeout=2.0, max_bytes=2 * 1024 * 1024, allow_private=True)
        [page] = load(server.url("/live"), fetch=opts)
    assert [e.headline for e in page.entries] == [
        "Lavrov: talks were useful",
        "European leaders meet in Paris",
    ]
    assert page.document.url == server.url("/live")
