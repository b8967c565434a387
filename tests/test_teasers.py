"""Feed teasers (issue 21, item 3): a feed item's cut text is its headline and excerpt, never
news text; item pages are fetched only inside the window and on the topic; one warning line
a feed. Real feeds and pages from a local HTTP server (tests/servers/web.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing import app as briefing_app
from briefing.cli import app
from briefing.config import load_settings
from briefing.contract import Briefing
from briefing.ingest.teasers import is_cut, trim

from .servers.web import Route, WebServer

runner = CliRunner()
DAY = "Thu, 13 Feb 2025 10:00:00 GMT"
PAGE = (
    '<html><head><meta property="article:published_time" content="2025-02-13T09:00:00Z">'
    "<title>{title}</title></head><body><article><h1>{title}</h1>"
    + "<p>{lede}</p>"
    + "<p>Officials from both delegations said the meeting in Riyadh would be the first of "
    "several, and that a further round was planned for the end of the month in Geneva.</p>" * 3
    + "</article></body></html>"
)


def item(title: str, link: str, desc: str, when: str = DAY) -> str:
    return (f"<item><title>{title}</title><link>{link}</link><pubDate>{when}</pubDate>"
            f"<description><![CDATA[{desc}]]></description></item>")  # fmt: skip


def rss(items: list[str]) -> bytes:
    return ("<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>"
            + "".join(items) + "</channel></rss>").encode()  # fmt: skip


@pytest.fixture()
def web(monkeypatch: pytest.MonkeyPatch) -> Iterator[WebServer]:
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_ADDRESSES", "true")  # the pages are on 127.0.0.1
    with WebServer() as server:
        yield server


def run(*args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, ["run", *args, "--no-state"])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, r.stdout, r.stderr


# ---------------------------------------------------------------- the signal


@pytest.mark.parametrize(("text", "cut"), [
    ("Delegations agreed on Tuesday to resume talks in Riyadh next week, officials said…", True),
    ("Talks resume in Riyadh. Officials said the delegations would meet on [...]", True),
    ("Talks resume in Riyadh. Officials said the delegations would meet on […]", True),
    ("Talks resume in Riyadh. The delegations will meet on Monday... ", True),
    ("Talks resume in Riyadh. The delegations will meet on Monday. Read more", True),
    ("Talks resume in Riyadh. Continue reading...", True),
    ("Talks resume in Riyadh. Continue reading “Talks resume in Riyadh” →", True),
    ("Talks resume in Riyadh. [Read more]", True),
    ("Talks resume in Riyadh. Read the full story", True),
    ("Talks in Riyadh ended. Full story »", True),
    ("Talks in Riyadh ended. More »", True),
    ("Talks in Riyadh ended (…)", True),
    ("The delegations met in Riyadh on Tuesday and agreed to", True),  # short, mid-sentence
    ("The delegations met with the U.S. and The post Talks appeared first on Wire News.", True),
    ("The delegations met in Riyadh. The post Talks appeared first on Wire News.", False),
    ("Zelensky said Ukraine would not accept a deal made without it.", False),
    ('Zelensky said: "We will not accept a deal made without us."', False),
    ("He urged people to read the full report.", False),
    ("Will the talks in Riyadh end the war?", False),
    (("The talks continued. " * 30) + "Delegates also discussed prisoner exchanges and the", False),
])  # fmt: skip
def test_the_cut_signal(text: str, cut: bool) -> None:
    """Ellipses, read-more links and the WordPress footer at the end, or a short text that
    stops mid-sentence; a long text without a final stop, or whole sentences, are not cut."""
    assert is_cut(text) is cut


def test_a_link_to_the_items_own_page_at_the_end_is_a_read_more_link_in_any_language() -> None:
    page = "https://wire.example/world/talks-1"
    html = '<p>Talks resume in Riyadh.</p><p><a href="/world/talks-1/">Lire la suite</a></p>'
    assert is_cut("Talks resume in Riyadh.\nLire la suite", html, page)
    other = '<p>Talks resume in Riyadh. See <a href="https://kremlin.example/x">the text</a>.</p>'
    assert not is_cut("Talks resume in Riyadh. See the text.", other, page)


def test_the_excerpt_of_a_cut_teaser_loses_its_tail_and_shows_the_cut() -> None:
    assert trim("Talks resume in Riyadh. Delegations will meet on [...]") == (
        "Talks resume in Riyadh. Delegations will meet on…")
    assert trim("Talks resume in Riyadh. Continue reading →") == "Talks resume in Riyadh."
    assert trim("Talks resume in Riyadh with the. The post X appeared first on Y.") == (
        "Talks resume in Riyadh with the.")
    footer = "We walked to the post office. The post The post-war order appeared first on Wire."
    assert trim(footer) == "We walked to the post office." and not is_cut(footer)


# ---------------------------------------------------------------- a run

CUT = {
    "/a": ("Ukraine and Russia agree to resume talks in Riyadh",
           "Ukrainian and Russian delegations agreed on Thursday to resume peace talks in "
           "Riyadh next week, with American mediators expected to"),
    "/b": ("Zelensky rejects any deal made without Kyiv",
           "President Volodymyr Zelensky said on Thursday that Ukraine would never accept a "
           "peace deal negotiated without it, and warned Europe […]"),
    "/c": ("Ceasefire monitors to be sent to the front line",
           "<p>Ceasefire monitors from the OSCE will be sent to the front line in eastern "
           "Ukraine, diplomats said.</p><p><a href='{url}'>Read more</a></p>"),
}
WHOLE = ("Kyiv says energy talks will continue in Geneva",
         "Ukrainian officials said on Thursday that talks on protecting energy plants would "
         "continue in Geneva next week. The delegations will meet on Monday.")  # fmt: skip


def _teaser_feed(web: WebServer) -> None:
    items = [item(t, web.url(p), d.format(url=web.url(p))) for p, (t, d) in CUT.items()]
    items.append(item(WHOLE[0], web.url("/d"), WHOLE[1]))
    web.routes["/feed.xml"] = Route(body=rss(items), content_type="application/rss+xml")
    # no routes for /a … /d: every item page answers 404


def test_cut_teasers_whose_pages_404_are_never_bullets(web: WebServer, tmp_path: Path) -> None:
    """Three cut teasers and one whole short item, every page 404: no bullet (and no dropped
    bullet) quotes a teaser; each teaser is listed by its headline, its source line saying the
    full text was not available; the whole item is briefed; one warning line, with counts."""
    _teaser_feed(web)
    code, _out, err = run(web.url("/feed.xml"), "--date", "2025-02-13", "--format", "all",
                          "--out", str(tmp_path))  # fmt: skip
    assert code == 0, err
    assert sorted(h for h in web.hits if h != "/feed.xml") == ["/a", "/b", "/c", "/d"]
    b = Briefing.model_validate_json((tmp_path / "briefing.json").read_text(encoding="utf-8"))
    teasers = {k: s for k, s in b.sources.items() if s.teaser}
    assert sorted(s.title or "" for s in teasers.values()) == sorted(t for t, _ in CUT.values())
    for s in teasers.values():
        assert s.text == s.title  # nothing of the teaser is citable text
        assert s.excerpt and "Read more" not in s.excerpt
    bullets = [x for x in b.summary] + [x for sec in b.sections for x in sec.bullets]
    assert bullets and all(not set(x.citations) & set(teasers) for x in bullets)
    said = " ".join(x.text for x in [*bullets, *b.dropped])
    for _title, desc in CUT.values():
        assert desc.split(",")[0][:40] not in said
    assert any("energy plants" in x.text for x in bullets)  # the whole short item is used
    listed = {c for m in b.also_reported for c in m.citations}
    assert listed and listed <= set(teasers)  # known by their headlines, listed
    md = (tmp_path / "briefing.md").read_text(encoding="utf-8")
    lines = [ln for ln in md.splitlines() if "full text not available" in ln]
    assert len(lines) == len(listed) and all("feed teaser only" in ln for ln in lines)
    html = (tmp_path / "briefing.html").read_text(encoding="utf-8")
    assert html.count("full text not available") == len(listed)
    from briefing.deliver.email import render_email

    text, mail = render_email(b)
    assert text.count("full text not available") == mail.count("full text not available") == (
        len(listed))  # the email's source lines too
    warnings = [ln for ln in err.splitlines() if "WARNING" in ln]
    assert warnings == [
        f"briefing: WARNING: feed {web.url('/feed.xml')}: 4 item pages could not be read "
        "(4 × HTTP 404 Not Found); 3 cut teasers kept as headline and excerpt only (full text "
        "not available)"
    ]


def test_a_cut_teasers_page_replaces_it(web: WebServer) -> None:
    """When the page answers, the item is its page: not a teaser, its text briefed."""
    _teaser_feed(web)
    title = CUT["/a"][0]
    web.routes["/a"] = Route(body=PAGE.format(title=title, lede="Ukrainian and Russian "
                             "delegations agreed on Thursday to resume peace talks in Riyadh "
                             "next week, with American mediators expected to attend.").encode())
    code, out, _err = run(web.url("/feed.xml"), "--date", "2025-02-13", "--format", "json")
    b = Briefing.model_validate_json(out)
    page = next(s for s in b.sources.values() if s.title == title)
    assert code == 0 and not page.teaser and "American mediators expected to attend" in page.text


def test_a_feed_file_of_cut_teasers(tmp_path: Path) -> None:
    """A local feed file (no page is fetched): its cut items are teasers, one warning line."""
    feed = tmp_path / "wire.xml"
    items = [item(t, f"https://wire.example{p}", d.format(url="https://wire.example" + p))
             for p, (t, d) in CUT.items()]  # fmt: skip
    feed.write_bytes(rss([*items, item(WHOLE[0], "https://wire.example/d", WHOLE[1])]))
    code, out, err = run(str(feed), "--date", "2025-02-13", "--format", "json")
    b = Briefing.model_validate_json(out)
    assert code == 0 and sum(s.teaser for s in b.sources.values()) == 3
    assert [ln for ln in err.splitlines() if "WARNING" in ln] == [
        f"briefing: WARNING: feed {feed}: 3 cut teasers kept as headline and excerpt only "
        "(full text not available)"]  # fmt: skip


# ---------------------------------------------------------------- which pages are fetched


def test_old_items_pages_are_not_requested(web: WebServer) -> None:
    """A feed of 3 items of the day and 200 old ones, all short teasers with pages: only the
    3 pages are requested; the 200 are counted once, in one line."""
    items = [item(f"Riyadh talks day {i}", web.url(f"/new/{i}"), f"Talks in Riyadh, day {i}.")
             for i in range(3)]  # fmt: skip
    items += [item(f"Old report {i}", web.url(f"/old/{i}"), f"An old report number {i}.",
                   f"Mon, {1 + i % 28:02d} Jan 2024 10:00:00 GMT") for i in range(200)]
    web.routes["/feed.xml"] = Route(body=rss(items), content_type="application/rss+xml")
    for i in range(3):
        web.routes[f"/new/{i}"] = Route(body=PAGE.format(
            title=f"Riyadh talks day {i}", lede=f"Talks in Riyadh went on for day {i}.").encode())
    r = runner.invoke(app, ["-v", "run", web.url("/feed.xml"), "--date", "2025-02-13",
                            "--format", "json", "--no-state"])  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert sorted(web.hits) == ["/feed.xml", "/new/0", "/new/1", "/new/2"]
    said = [ln for ln in r.stderr.splitlines() if "pages not fetched" in ln]
    assert said == [f"briefing: INFO: feed {web.url('/feed.xml')}: pages not fetched: "
                    "200 outside the window"], r.stderr  # fmt: skip


def _topic_settings(tmp_path: Path, feed: str) -> Path:
    cfg = tmp_path / "briefing.toml"
    cfg.write_text('llm = "extractive"\n[topics.talks]\ntitle = "Ukraine talks"\n'
                   f'sources = ["{feed}"]\ninclude = ["ukrain", "kyiv"]\n', encoding="utf-8")
    return cfg


def test_an_off_topic_items_page_is_not_requested(web: WebServer, tmp_path: Path) -> None:
    """The topic's include terms on the feed's headline and teaser: the on-topic item's page
    is read, the off-topic one's is not."""
    web.routes["/feed.xml"] = Route(body=rss([
        item("Ukraine talks in Riyadh", web.url("/on"), "Ukrainian delegates arrived in Riyadh."),
        item("Song contest line-up", web.url("/off"), "The song contest line-up is out."),
    ]), content_type="application/rss+xml")  # fmt: skip
    web.routes["/on"] = Route(body=PAGE.format(title="Ukraine talks in Riyadh",
                              lede="Ukrainian delegates arrived in Riyadh.").encode())
    web.routes["/off"] = Route(body=PAGE.format(title="Song contest", lede="Songs.").encode())
    cfg = _topic_settings(tmp_path, web.url("/feed.xml"))
    r = runner.invoke(app, ["-v", "run", "--topic", "talks", "--config", str(cfg), "--date",
                            "2025-02-13", "--format", "json", "--no-state"])  # fmt: skip
    assert r.exit_code == 0, r.stderr
    assert "/on" in web.hits and "/off" not in web.hits
    assert f"feed {web.url('/feed.xml')}: pages not fetched: 1 not on the topic" in r.stderr


def test_the_edition_window_decides_which_pages_are_fetched(web: WebServer, tmp_path: Path) -> None:
    """The edition due at 13 Feb 2025 07:00 London (its window from 12 Feb 07:00): the page
    of an item of 12 Feb 12:00 is read, those of 11 Feb and of 13 Feb 08:00 are not."""
    when = {"/early": "Tue, 11 Feb 2025 12:00:00 GMT", "/in": "Wed, 12 Feb 2025 12:00:00 GMT",
            "/late": "Thu, 13 Feb 2025 08:00:00 GMT"}  # fmt: skip
    web.routes["/feed.xml"] = Route(body=rss([
        item(f"Kyiv talks {p[1:]}", web.url(p), "Ukrainian delegates met.", w)
        for p, w in when.items()]), content_type="application/rss+xml")  # fmt: skip
    cfg = _topic_settings(tmp_path, web.url("/feed.xml"))
    settings = load_settings(config=cfg)
    req = briefing_app.request(settings, topic="talks", due="now",
                               now=datetime(2025, 2, 13, 7, 0, tzinfo=UTC))  # fmt: skip
    briefing_app.read_inputs(req)
    assert [h for h in web.hits if h != "/feed.xml"] == ["/in"]


def test_the_llm_is_never_sent_a_teaser(web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """Through the real `openai` client to a model on 127.0.0.1: the cut teasers' words are in
    no request (a teaser beside a full copy of its report gives only its headline), and no
    bullet cites a teaser."""
    from .servers.openai_server import FakeOpenAI

    _teaser_feed(web)
    title, _desc = CUT["/b"]
    full = ("Zelensky told reporters in Kyiv that any settlement reached without Ukraine at the "
            "table would be void, and asked European leaders to join the talks.")
    web.routes["/other.xml"] = Route(body=rss([item(title, web.url("/full"), "Zelensky spoke.")]),
                                     content_type="application/rss+xml")  # fmt: skip
    web.routes["/full"] = Route(body=PAGE.format(title=title, lede=full).encode())
    monkeypatch.setenv("OPENAI_API_KEY", "k")
    with FakeOpenAI() as server:
        code, out, err = run(web.url("/feed.xml"), web.url("/other.xml"), "--date", "2025-02-13",
                             "--format", "json", "--llm", "openai", "--base-url",
                             server.base_url, "--no-cache")  # fmt: skip
        sent = json.dumps(server.requests)
    b = Briefing.model_validate_json(out)
    assert code == 0 and b.summariser.backend == "openai" and server.requests, err
    assert "would be void" in sent  # the full copy of the /b report was read
    for _t, d in CUT.values():
        assert d.split(",")[0][-40:] not in sent  # no teaser was
    assert CUT["/a"][0] not in sent and CUT["/c"][0] not in sent  # nor their headlines
    teasers = {k for k, s in b.sources.items() if s.teaser}
    assert len(teasers) == 3
    for x in [*b.summary, *(x for sec in b.sections for x in sec.bullets)]:
        cited = [c for c in x.citations if c not in teasers]
        assert cited  # a bullet rests on an entry with text, never on teasers alone


def test_an_item_with_only_a_headline_and_a_link(web: WebServer) -> None:
    """No text of its own: its page is read (when it answers, the item is its page); when
    the page is gone, the item is a teaser known by its headline, not an error."""
    web.routes["/feed.xml"] = Route(body=rss([
        item("Kyiv hosts energy talks", web.url("/ok"), ""),
        item("Riyadh talks postponed", web.url("/gone"), "<p>Read more</p>"),
        item(WHOLE[0], web.url("/d"), WHOLE[1]),
    ]), content_type="application/rss+xml")  # fmt: skip
    web.routes["/ok"] = Route(body=PAGE.format(title="Kyiv hosts energy talks",
                              lede="Ukraine hosted talks on energy plants in Kyiv.").encode())
    code, out, err = run(web.url("/feed.xml"), "--date", "2025-02-13", "--format", "json")
    b = Briefing.model_validate_json(out)
    assert code == 0 and b.skipped == [], err
    by_title = {s.title: s for s in b.sources.values()}
    assert "energy plants in Kyiv" in by_title["Kyiv hosts energy talks"].text
    gone = by_title["Riyadh talks postponed"]
    assert gone.teaser and gone.text == "Riyadh talks postponed"
    assert "1 cut teaser kept" in err


def test_with_fetch_pages_off_no_item_page_is_requested(
    web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    _teaser_feed(web)
    monkeypatch.setenv("BRIEFING_FETCH_PAGES", "false")
    code, out, err = run(web.url("/feed.xml"), "--date", "2025-02-13", "--format", "json")
    b = Briefing.model_validate_json(out)
    assert code == 0 and web.hits == ["/feed.xml"]
    assert sum(s.teaser for s in b.sources.values()) == 3
    assert [ln for ln in err.splitlines() if "WARNING" in ln] == [
        f"briefing: WARNING: feed {web.url('/feed.xml')}: 3 cut teasers kept as headline and "
        "excerpt only (full text not available)"]  # fmt: skip
