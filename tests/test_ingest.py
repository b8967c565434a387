from __future__ import annotations

import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from briefing.errors import InputError
from briefing.ingest import FetchOptions, ingest, load_rules
from briefing.ingest.liveblog import split_entries
from briefing.ingest.parse import decode, split_header

from .conftest import CORPUS, FIXTURES, LONDON
from .servers.web import Route, WebServer


def read(*inputs: str, fetch: FetchOptions | None = None):  # type: ignore[no-untyped-def]
    return ingest(list(inputs), rules=load_rules(), tz=LONDON, fetch=fetch)


def test_folder_of_seed_files_becomes_five_documents() -> None:
    res = read(str(CORPUS))
    assert [d.document.id for d in res.loaded] == sorted(p.stem for p in CORPUS.iterdir())
    assert res.skipped == []
    assert all(d.document.publisher == "The Independent" for d in res.loaded[:4])
    dated = {d.document.id[:3]: d.document.published for d in res.loaded}
    assert dated["002"] == datetime(2025, 2, 13, tzinfo=LONDON)
    assert dated["003"] is None


def test_html_file_keeps_article_and_metadata_drops_scripts_and_nav() -> None:
    res = read(str(FIXTURES / "article.html"))
    doc = res.loaded[0].document
    assert doc.title == "Talks in Riyadh begin"
    assert doc.publisher == "Example News"  # the page's og:site_name
    assert doc.published is not None and doc.published.date().isoformat() == "2025-02-18"
    assert "Marco Rubio led the US delegation" in doc.text
    assert "tracking" not in doc.text and "Home" not in doc.text and "Sign up" not in doc.text


def test_json_live_blog_arrives_as_entries_and_empty_entries_are_links() -> None:
    res = read(str(FIXTURES / "liveblog.json"))
    item = res.loaded[0]
    assert item.document.title == "Ukraine talks live: Riyadh meeting"
    assert item.entries is not None
    assert [e.kind for e in item.entries] == ["entry", "entry", "link"]
    first = item.entries[0]
    assert first.author == "Jane Reporter"
    assert first.published == datetime(2025, 2, 18, 15, 10, tzinfo=LONDON)  # naive = --tz
    assert item.entries[1].published == datetime(2025, 2, 18, 8, 0, tzinfo=UTC)


def test_json_articles_list_keeps_good_items_and_reports_bad_ones() -> None:
    res = read(str(FIXTURES / "articles.json"))
    assert len(res.loaded) == 1
    doc = res.loaded[0].document
    assert doc.title == "Macron hosts emergency summit" and doc.date_only
    assert any('"text"' in s.reason for s in res.skipped)


def test_markdown_title_date_emphasis_and_images() -> None:
    doc = read(str(FIXTURES / "starmer.md")).loaded[0].document
    assert doc.title == "Starmer offers troops"
    assert doc.published == datetime(2025, 2, 17, tzinfo=LONDON) and doc.date_only
    assert "ready and willing" in doc.text and "**" not in doc.text
    assert "Daily Telegraph" in doc.text and "](" not in doc.text and "img.example" not in doc.text


def test_rss_and_atom_files() -> None:
    res = read(str(FIXTURES / "feed.rss"), str(FIXTURES / "feed.atom"))
    titles = [d.document.title for d in res.loaded]
    assert titles == [
        "Zelensky says Ukraine will not accept a deal made without it",
        "Rubio and Lavrov agree to restore embassies",
        "European leaders meet in Paris on Ukraine security",
    ]
    z = res.loaded[0].document
    assert z.published == datetime(2025, 2, 18, 10, 30, tzinfo=UTC)
    assert "alert(1)" not in z.text and "postponed a planned visit" in z.text
    assert z.url == "https://news.example/zelensky-deal"


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_read(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "001_e4295a515bf2662b.txt", tmp_path / "good.txt")
    (tmp_path / "empty.txt").write_text("")
    (tmp_path / "blank.txt").write_text("  \n\n \t ")
    (tmp_path / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 50)
    (tmp_path / "latin1.txt").write_bytes("Caf\xe9 au lait in Kyiv".encode("latin-1"))
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "shape.json").write_text("[1, 2, 3]")
    (tmp_path / "copy.txt").write_bytes((tmp_path / "good.txt").read_bytes())
    res = read(str(tmp_path), str(tmp_path / "missing.txt"))
    assert [d.document.id for d in res.loaded] == ["copy"]
    reasons = {Path(s.input).name: s.reason for s in res.skipped}
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.txt"] == "empty file"
    assert "binary file (a PNG image)" in reasons["image.txt"]
    assert "not valid UTF-8 (byte 0xe9 at offset 3)" in reasons["latin1.txt"]
    assert "invalid JSON" in reasons["bad.json"]
    assert "must be a JSON object" in reasons["shape.json"]
    assert reasons["good.txt"] == "identical to another input"
    assert reasons["missing.txt"] == "no such file or folder"


def test_decode_handles_boms() -> None:
    assert decode("\ufeffhello".encode("utf-8"), "x") == "hello"
    assert decode("hello \u2014 world".encode("utf-16"), "x") == "hello \u2014 world"
    with pytest.raises(InputError, match="empty"):
        decode(b"", "x")


def test_header_lines() -> None:
    meta, rest = split_header(" date 2025-02-13 Your support\nmore")
    assert meta == {"date": "2025-02-13"} and rest == "Your support\nmore"
    meta, rest = split_header("title: A title\nurl: https://x.example/a\nBody")
    assert meta == {"title": "A title", "url": "https://x.example/a"} and rest == "Body"


@pytest.fixture()
def web() -> WebServer:  # type: ignore[misc]
    with WebServer() as server:
        page = (FIXTURES / "article.html").read_bytes()
        server.routes["/article"] = Route(body=page)
        feed = (FIXTURES / "feed.atom").read_bytes()
        server.routes["/feed.atom"] = Route(body=feed, content_type="application/atom+xml")
        paris = page.replace(b"Talks in Riyadh begin", b"Leaders meet in Paris").replace(
            b"American and Russian officials met in Riyadh", b"European leaders met in Paris"
        )
        server.routes["/2025/02/17/paris-meeting"] = Route(body=paris)
        server.routes["/slow"] = Route(body=page, delay=3)
        server.routes["/loop"] = Route(status=302, redirect="/loop")
        server.routes["/huge"] = Route(stream_bytes=50 * 1024 * 1024)
        server.routes["/gone"] = Route(status=404, body=b"gone")
        yield server


def test_urls_pages_feeds_and_failures(web: WebServer) -> None:
    opts = FetchOptions(timeout=1.0, max_bytes=2 * 1024 * 1024, allow_private=True)  # item pages on 127.0.0.1
    res = read(
        web.url("/article"),
        web.url("/feed.atom"),
        web.url("/gone"),
        web.url("/slow"),
        web.url("/loop"),
        web.url("/huge"),
        fetch=opts,
    )
    docs = [d.document for d in res.loaded]
    assert docs[0].title == "Talks in Riyadh begin" and docs[0].url == web.url("/article")
    assert docs[0].publisher == "Example News"  # the site's name, not its host
    # the Atom item's relative link is resolved against the feed, and its teaser replaced by the page
    assert docs[1].url == web.url("/2025/02/17/paris-meeting")
    assert docs[1].title == "European leaders meet in Paris on Ukraine security"
    assert "European leaders met in Paris on Tuesday" in docs[1].text
    assert docs[1].published == datetime(2025, 2, 17, 18, 0, tzinfo=UTC)
    assert not docs[1].date_only
    reasons = {s.input.rsplit("/", 1)[-1]: s.reason for s in res.skipped}
    assert reasons["gone"] == "HTTP 404 Not Found"
    assert reasons["slow"].startswith("timed out")
    assert reasons["loop"].startswith("too many redirects")
    assert "byte limit" in reasons["huge"]


def test_documents_split_into_entries() -> None:
    res = read(str(CORPUS / "001_e4295a515bf2662b.txt"))
    entries, problems = split_entries(res.loaded[0].document, LONDON)
    assert len(entries) == 11 and problems == []


def test_a_title_fragment_is_no_publisher() -> None:
    from briefing.ingest import load_rules
    from briefing.ingest.parse import document_from_html

    body = "<article><p>" + "Peace talks went on in Geneva today with many officials. " * 10
    page = f"<html><head><title>Ukraine war live | Russia rejects U.S. peace plan</title></head><body>{body}</p></article></body></html>"
    doc = document_from_html(page, doc_id="d", source="p.html", rules=load_rules(None), tz=LONDON).document
    assert doc.publisher != "Russia rejects U.S. peace plan"
