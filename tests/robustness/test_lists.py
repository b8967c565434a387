"""Lists found in answers (issue 24): a URL the user typed that answers with an OPML list
does not make the list's URLs "typed": they are found links, held to the address policy
(public addresses only), and lists are expanded within bounds (`list_depth`,
`list_max_feeds`), each cut stated once. Real HTTP server on 127.0.0.1, which is exactly the
private address the policy refuses for URLs the user did not type."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from briefing.config import load_settings

from ..servers.web import Route, WebServer
from .test_network import SECRET, feed, run


def opml(urls: list[str]) -> bytes:
    outlines = "".join(f'<outline type="rss" text="f{n}" xmlUrl="{u}"/>' for n, u in enumerate(urls))
    return (f'<?xml version="1.0"?><opml version="2.0"><head><title>L</title></head>'
            f"<body>{outlines}</body></opml>").encode()  # fmt: skip


def admin_feed() -> bytes:
    """A feed whose one item carries the internal secret in full (no page to fetch)."""
    text = SECRET.decode().split("<p>")[1].split("</p>")[0]
    return (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Internal</title><item>'
            f"<title>Internal admin page</title><pubDate>Thu, 13 Feb 2025 10:00:00 GMT</pubDate>"
            f"<description>{text}</description></item></channel></rss>").encode()  # fmt: skip


@pytest.fixture()
def web() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


@pytest.mark.parametrize("how", ["body", "content-type", "redirect"])
def test_a_list_in_an_answer_is_found_links_not_typed(web: WebServer, how: str) -> None:
    """The typed URL answers with an OPML list (by its body, by its content type alone, or
    after a redirect on its own host) naming a feed on another host that resolves to
    127.0.0.1 ('localhost', as an attacker's list would name 127.0.0.1): 0 requests for it,
    one line saying why, the secret nowhere, and the typed feed beside it briefed."""
    listing = opml([web.url("/internal.xml").replace("127.0.0.1", "localhost")])
    if how == "content-type":  # no <opml> in the first bytes: only the server says "a list"
        listing = b" " * 4096 + listing
    web.routes["/list"] = Route(body=listing, content_type="text/x-opml" if how != "body" else "text/plain")
    web.routes["/go"] = Route(status=302, redirect="/list")
    web.routes["/internal.xml"] = Route(body=admin_feed(), content_type="application/rss+xml")
    web.routes["/good.xml"] = Route(body=feed([("Talks", "")]), content_type="application/rss+xml")
    code, b, err = run(web.url("/go" if how == "redirect" else "/list"), web.url("/good.xml"))
    assert web.hits.count("/list") == 1 and "/internal.xml" not in web.hits
    assert "hunter2" not in json.dumps(b) and "hunter2" not in err
    refused = [s for s in b["skipped"] if s["input"].endswith("/internal.xml")]
    assert len(refused) == 1 and "private" in refused[0]["reason"], b["skipped"]
    assert code == 3 and "Teaser about Talks" in json.dumps(b["sources"])  # the rest: briefed


def test_a_list_naming_its_own_host_is_as_typed_others_need_allow_private(
    web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    local = web.url("/internal.xml").replace("127.0.0.1", "localhost")
    web.routes["/internal.xml"] = Route(body=admin_feed(), content_type="application/rss+xml")
    web.routes["/other.opml"] = Route(body=opml([local]), content_type="text/x-opml")
    web.routes["/own.opml"] = Route(body=opml([web.url("/internal.xml")]), content_type="text/x-opml")
    code, b, _err = run(web.url("/own.opml"))  # the typed list's own host: as typed
    assert code == 0 and web.hits.count("/internal.xml") == 1
    assert "hunter2" in json.dumps(b)
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_ADDRESSES", "true")
    code, b, _err = run(web.url("/other.opml"))
    assert code == 0 and web.hits.count("/internal.xml") == 2
    assert "hunter2" in json.dumps(b)


def test_lists_that_list_lists_stop_at_list_depth(
    web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A chain of 1,000 lists, each naming the next and a feed: with the default depth 1 the
    typed list and what it names are fetched (2 lists, 1 feed), the list inside is cut with
    one line; with list_depth 3, exactly 4 lists and 3 feeds. Never more."""
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_ADDRESSES", "true")
    for n in range(1000):
        web.routes[f"/l{n}"] = Route(body=opml([web.url(f"/l{n + 1}"), web.url(f"/f{n}")]),
                                     content_type="text/x-opml")  # fmt: skip
        web.routes[f"/f{n}"] = Route(body=feed([(f"Story {n}", "")]), content_type="application/rss+xml")
    _code, b, _err = run(web.url("/l0"))
    lists = [h for h in web.hits if h.startswith("/l")]
    assert lists == ["/l0", "/l1"] and [h for h in web.hits if h.startswith("/f")] == ["/f0"]
    cuts = [s for s in b["skipped"] if "list_depth" in s["reason"]]
    assert len(cuts) == 1 and cuts[0]["input"].endswith("/l1"), b["skipped"]
    assert cuts[0]["reason"] == "a list inside a list: its 2 feeds not read (list_depth=1)"
    assert "Story 0" in json.dumps(b["sources"])  # what was in bounds was briefed
    web.hits.clear()
    monkeypatch.setenv("BRIEFING_LIST_DEPTH", "3")
    _code, b, _err = run(web.url("/l0"))
    assert sorted(h for h in web.hits if h.startswith("/l")) == ["/l0", "/l1", "/l2", "/l3"]
    assert sorted(h for h in web.hits if h.startswith("/f")) == ["/f0", "/f1", "/f2"]


def test_a_long_list_is_cut_at_list_max_feeds(web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A list of 40 feeds with list_max_feeds 5: 5 feeds fetched (1 + 5 requests), the rest
    stated in one line with the count and the setting."""
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_ADDRESSES", "true")
    monkeypatch.setenv("BRIEFING_LIST_MAX_FEEDS", "5")
    web.routes["/big.opml"] = Route(body=opml([web.url(f"/f{n}") for n in range(40)]),
                                    content_type="text/x-opml")  # fmt: skip
    for n in range(40):
        web.routes[f"/f{n}"] = Route(body=feed([(f"Story {n}", "")]), content_type="application/rss+xml")
    _code, b, _err = run(web.url("/big.opml"))
    assert len(web.hits) == 6 and web.hits[1:] == [f"/f{n}" for n in range(5)]
    cuts = [s for s in b["skipped"] if "list_max_feeds" in s["reason"]]
    assert len(cuts) == 1, b["skipped"]
    assert cuts[0]["reason"] == (
        "35 of its 40 feeds not read: all lists add at most 5 feeds to a run (list_max_feeds)"
    )


def test_the_list_bounds_default_and_are_checked() -> None:
    s = load_settings()
    assert (s.list_depth, s.list_max_feeds) == (1, 200)
