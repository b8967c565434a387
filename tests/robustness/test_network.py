"""Network (issue 14, classes 5 and 6): links found in feeds may not reach private
addresses (SSRF), and no server can stretch a fetch or an LLM call past its deadline.
Everything runs against servers on 127.0.0.1, which is exactly the private address the
guard refuses for URLs the user did not type."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import load_settings
from briefing.state import Store
from briefing.summarise import LLMSettings, OpenAISummariser

from ..conftest import CORPUS, FIXTURES, brief
from ..servers.openai_server import FakeOpenAI
from ..servers.web import Route, WebServer

runner = CliRunner()
SECRET = b'<html><head><meta property="article:published_time" content="2025-02-13T10:00:00Z"></head><body><article><h1>Internal admin page</h1><p>' + b"The internal admin secret token is hunter2 and it must never leave this network. " * 8 + b"</p></article></body></html>"  # fmt: skip


def feed(items: list[tuple[str, str]]) -> bytes:
    """An RSS feed of teaser items: (title, link)."""
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><pubDate>Thu, 13 Feb 2025 10:00:00 GMT"
        f"</pubDate><description>Teaser about {t}: talks in Geneva.</description></item>"
        for t, link in items
    )
    return f'<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>{body}</channel></rss>'.encode()


@pytest.fixture()
def web() -> Iterator[WebServer]:
    with WebServer() as server:
        yield server


def within(seconds: float, fn: Callable[[], Any]) -> Any:
    """fn() in a thread; a failure (not a hang) when it has not returned after `seconds`."""
    got: list[Any] = []
    t = threading.Thread(target=lambda: got.append(fn()), daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"still running after {seconds} s"
    assert got, "failed (see the log)"
    return got[0]


def run(*args: str) -> tuple[int, dict, str]:  # type: ignore[type-arg]
    r = runner.invoke(app, ["run", *args, "--date", "2025-02-13", "--format", "json", "--no-state"])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, json.loads(r.stdout) if r.stdout.startswith("{") else {}, r.stderr


def test_a_feed_link_to_a_private_address_is_not_fetched(
    web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A feed the user typed (on 127.0.0.1) links to a page on 127.0.0.1: 0 requests for the
    page, its teaser kept with the reason; with allow_private_addresses the page is read."""
    web.routes["/feed.xml"] = Route(body=feed([("Secret", web.url("/admin"))]),
                                    content_type="application/rss+xml")  # fmt: skip
    web.routes["/admin"] = Route(body=SECRET)
    code, b, err = run(web.url("/feed.xml"))
    assert "/admin" not in web.hits and "hunter2" not in json.dumps(b)
    assert code == 0 and b["skipped"] == []  # briefed from its teaser: nothing was left out
    line = next(x for x in err.splitlines() if "could not be read" in x)  # one line a feed
    assert "private" in line
    assert line.startswith(f"briefing: WARNING: feed {web.url('/feed.xml')}: 1 item page "), line
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_ADDRESSES", "true")
    _code, b, err = run(web.url("/feed.xml"))
    assert "/admin" in web.hits and "hunter2" in json.dumps(b)


def test_a_redirect_to_another_host_on_a_private_address_is_refused(web: WebServer) -> None:
    """The typed URL redirects to 'localhost' (another host name, resolving to 127.0.0.1): 0
    requests reach the target. A redirect on the typed host itself is followed."""
    port = web.url("/").split(":")[-1].rstrip("/")
    web.routes["/go"] = Route(status=302, redirect=f"http://localhost:{port}/admin")
    web.routes["/admin"] = Route(body=SECRET)
    web.routes["/moved"] = Route(status=301, redirect="/admin")
    _code, b, err = run(web.url("/go"))
    assert web.hits.count("/admin") == 0 and "private" in err
    _code, b, err = run(web.url("/moved"))
    assert web.hits.count("/admin") == 1 and "hunter2" in json.dumps(b)


def test_the_address_policy() -> None:
    from briefing.net import public

    for ip in ("127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
               "100.64.0.1", "0.0.0.0", "::1", "fe80::1", "fc00::1", "::ffff:127.0.0.1",
               "224.0.0.1"):  # fmt: skip
        assert not public(ip), ip
    for ip in ("93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946", "8.8.8.8"):
        assert public(ip), ip


class Trickle:
    """A TCP server that answers an HTTP request with headers, then 2 bytes every 0.5 s for
    ever: each read is quick, so only a whole-request deadline ends it."""

    def __init__(self, headers: bytes) -> None:
        self.headers = headers
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.stop = threading.Event()
        threading.Thread(target=self.serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}"

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.drip, args=(conn,), daemon=True).start()

    def drip(self, conn: socket.socket) -> None:
        try:
            conn.recv(65536)
            conn.sendall(self.headers)
            while not self.stop.is_set():
                conn.sendall(b"  ")
                time.sleep(0.5)
        except OSError:
            pass
        finally:
            conn.close()

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def test_a_trickling_page_is_cut_at_the_fetch_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    """fetch_timeout 2 s; the server sends 2 bytes every 0.5 s: the URL is skipped as timed out
    within 6 s, and the good file beside it is briefed."""
    server = Trickle(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html><body>")
    monkeypatch.setenv("BRIEFING_FETCH_TIMEOUT", "2")
    try:
        _code, b, err = within(6, lambda: run(server.url + "/page",
                                              str(CORPUS / "001_e4295a515bf2662b.txt")))  # fmt: skip
    finally:
        server.close()
    assert any(s["reason"].startswith("timed out") for s in b["skipped"]), err


def test_fifty_slow_teasers_take_about_one_fetch(web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """50 teaser items whose pages each take 0.5 s: fetched 8 at a time, in about 4 s, not 25."""
    page = (FIXTURES / "article.html").read_bytes()
    items = [(f"Story {i}", web.url(f"/story/{i}")) for i in range(50)]
    web.routes["/feed.xml"] = Route(body=feed(items), content_type="application/rss+xml")
    for i in range(50):
        web.routes[f"/story/{i}"] = Route(body=page.replace(b"Riyadh", f"Riyadh {i}".encode()),
                                          delay=0.5)  # fmt: skip
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_ADDRESSES", "true")
    start = time.monotonic()
    _code, _b, _err = run(web.url("/feed.xml"))
    took = time.monotonic() - start
    assert sum(h.startswith("/story/") for h in web.hits) == 50
    assert took < 15, f"{took:.1f} s"


def test_a_trickling_llm_server_is_cut_at_the_request_deadline(tmp_path: Path) -> None:
    """--timeout 2, no retries; the LLM server sends its headers and then 2 bytes every 0.5 s:
    the briefing is written by the extractive summariser within 8 s, with a notice."""
    server = Trickle(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n")  # fmt: skip
    settings = load_settings(base_url=server.url + "/v1", api_key="k", timeout=2.0, max_retries=0)
    try:
        b = within(8, lambda: brief("2025-02-13", OpenAISummariser(LLMSettings.from_settings(settings),
                                                                   Store(tmp_path))))  # fmt: skip
    finally:
        server.close()
    assert b.summariser.degraded and b.summariser.notice


def test_the_run_deadline_stops_llm_calls(tmp_path: Path) -> None:
    """run_deadline 1 s and a model that takes 0.6 s a call, one call at a time: the calls
    after the first second are not made; those stories are extractive, with a notice."""
    from briefing.net import run_deadline

    with FakeOpenAI(latency=0.6) as server:
        settings = load_settings(base_url=server.base_url, api_key="k", concurrency=1,
                                 batch_stories=False, max_retries=0)  # fmt: skip
        with run_deadline(1.0):
            llm = OpenAISummariser(LLMSettings.from_settings(settings), None)
        start = time.monotonic()
        b = brief("2025-02-13", llm)
        assert time.monotonic() - start < 4
        assert len(server.requests) <= 3
    assert b.summariser.degraded and "time limit" in (b.summariser.notice or "")


def test_a_dead_feed_item_is_one_clear_line(web: WebServer, monkeypatch: pytest.MonkeyPatch) -> None:
    web.routes["/feed.xml"] = Route(body=feed([("Gone story", web.url("/gone"))]),
                                    content_type="application/rss+xml")  # fmt: skip
    monkeypatch.setenv("BRIEFING_ALLOW_PRIVATE_ADDRESSES", "true")
    code, b, err = run(web.url("/feed.xml"))
    assert (f"briefing: WARNING: feed {web.url('/feed.xml')}: 1 item page could not be read "
            "(1 × HTTP 404 Not Found)\n") in err  # its text is whole: not a cut teaser
    assert code == 0 and b["skipped"] == []  # not an error: the item is briefed from its teaser
    assert "Teaser about Gone story" in json.dumps(b["sources"])  # briefed from its teaser
