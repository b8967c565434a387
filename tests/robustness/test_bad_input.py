"""Bad input: each kind gets a clear per-input reason in `skipped`, and the rest is briefed."""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from ..conftest import CORPUS, FIXTURES
from ..servers.web import Route, WebServer

GOOD = CORPUS / "001_e4295a515bf2662b.txt"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def w(name: str, data: bytes | str) -> Callable[[Path], list[str]]:
    def make(tmp: Path) -> list[str]:
        p = tmp / name
        p.write_bytes(data if isinstance(data, bytes) else data.encode())
        return [str(p)]

    return make


def zip_file(tmp: Path) -> list[str]:
    p = tmp / "archive.txt"
    with zipfile.ZipFile(p, "w") as z:
        z.writestr("a.txt", "hello")
    return [str(p)]


def big_file(tmp: Path) -> list[str]:
    p = tmp / "huge.txt"
    with p.open("wb") as f:
        f.seek(50 * 1024 * 1024)
        f.write(b"x")
    return [str(p)]


def long_line(tmp: Path) -> list[str]:
    p = tmp / "oneline.txt"
    p.write_text("word " * (2 * 1024 * 1024))  # 10 MB, no line break
    return [str(p)]


def symlink_loop(tmp: Path) -> list[str]:
    d = tmp / "loop"
    d.mkdir()
    (d / "self").symlink_to(d, target_is_directory=True)
    return [str(d)]


def fifo(tmp: Path) -> list[str]:
    p = tmp / "pipe.txt"
    os.mkfifo(p)
    return [str(p)]


def many_tiny(tmp: Path) -> list[str]:
    d = tmp / "tiny"
    d.mkdir()
    for i in range(2000):
        (d / f"{i:04d}.txt").write_text(f"note {i}")
    return [str(d)]


def nested_json(depth: int) -> Callable[[Path], list[str]]:
    return w(f"nested{depth}.json", "[" * depth + "]" * depth)


def unreadable(tmp: Path) -> list[str]:
    p = tmp / "secret.txt"
    p.write_text("You may not read this.")
    p.chmod(0)
    return [str(p)]


LIVEBLOG_NO_BYLINES = "date 2025-02-13\nRussian drones hit Ukraine port overnight, officials said on Thursday morning.\nMoldova said two drones exploded on its soil, and Romania said its airspace was breached.\n"
IMPOSSIBLE = "Drones over Odesa\nRussia launched drones at the port city of Odesa overnight, officials said.\nTom Watling31 February 2025 09:15\nTalks in Riyadh\nDelegations met in Riyadh on Thursday for talks about the war.\nTom Watling13 February 2025 08:15\n"
FUTURE = "Later\nAn entry whose byline says it was written years from now, by mistake.\nTom Watling13 February 2039 09:15\nNow\nAn entry written on the day itself, in the morning, about the talks.\nTom Watling13 February 2025 09:15\n"

# (case, builder, expected exit code, substring of the skip reason or None)
CASES: list[tuple[str, Callable[[Path], list[str]], int, str | None]] = [
    ("empty file", w("empty.txt", b""), 3, "empty file"),
    ("whitespace only", w("blank.txt", " \n\t \n"), 3, "empty file"),
    ("PNG image", w("image.txt", PNG), 3, "binary file (a PNG image)"),
    ("PNG named .html", w("image.html", PNG), 3, "binary file (a PNG image)"),
    ("ZIP archive", zip_file, 3, "binary file (a ZIP archive)"),
    ("NUL bytes", w("nul.txt", b"abc\x00def" * 10), 3, "contains NUL bytes"),
    ("invalid UTF-8", w("bad.txt", b"caf\xc3\x28 au lait " * 5), 3, "not valid UTF-8"),
    (
        "Latin-1 text",
        w("latin1.txt", "Café in Kyiv, déjà vu.".encode("latin-1")),
        3,
        "not valid UTF-8 (byte 0xe9",
    ),
    (
        "UTF-16 with BOM",
        w(
            "utf16.txt",
            ("date 2025-02-13\n" + "Officials in Kyiv said the talks would go on.\n").encode(
                "utf-16"
            ),
        ),
        0,
        None,
    ),
    (
        "UTF-8 with BOM",
        w(
            "bom.txt",
            "\ufeffdate 2025-02-13\nOfficials in Kyiv said the talks would go on for days.\n".encode(),
        ),
        0,
        None,
    ),
    ("50 MB file", big_file, 3, "over the 20,971,520-byte limit"),
    ("10 MB single line", long_line, 3, "a single line of"),
    ("live blog with no bylines", w("nobylines.txt", LIVEBLOG_NO_BYLINES), 0, None),
    ("impossible byline date", w("impossible.txt", IMPOSSIBLE), 3, "impossible date in byline"),
    ("entries dated in the future", w("future.txt", FUTURE), 0, "dated in the future"),
    (
        "HTML that is all script",
        w(
            "script.html",
            "<html><head><script>var a=1;</script></head><body><script>document.write('x')</script></body></html>",
        ),
        3,
        "no article text found",
    ),
    (
        "HTML with only boilerplate",
        w(
            "boiler.html",
            "<html><body><p>Sign up to our free breaking news emails</p><p>Read more</p></body></html>",
        ),
        3,
        None,
    ),
    (
        "text with only boilerplate",
        w("boiler.txt", "Sign up to our free breaking news emails\nRead more\nMore to follow...\n"),
        3,
        "no text left after removing boilerplate",
    ),
    (
        "JSON of the wrong shape",
        w("shape.json", json.dumps({"articles": [1, "x", None]})),
        3,
        "must be a JSON object",
    ),
    ("JSON scalar", w("scalar.json", "42"), 3, "JSON must be an object"),
    (
        "JSON entries not a list of objects",
        w("entries.json", json.dumps({"title": "t", "entries": [1, 2]})),
        3,
        "entry 0 is not an object",
    ),
    ("invalid JSON", w("broken.json", '{"title": "x", "text": '), 3, "invalid JSON"),
    ("deeply nested JSON (50)", nested_json(50), 3, "nested deeper than 20"),
    ("deeply nested JSON (100 000)", nested_json(100_000), 3, "invalid JSON"),
    (
        "malformed RSS",
        w("bad.rss", "<?xml version='1.0'?><rss><channel><item><title>x</ti"),
        3,
        "not a valid RSS/Atom feed",
    ),
    (
        "empty feed",
        w(
            "empty.atom",
            "<?xml version='1.0'?><feed xmlns='http://www.w3.org/2005/Atom'><title>t</title></feed>",
        ),
        3,
        "feed has no items",
    ),
    (
        "feed items with no links or dates",
        w(
            "nolinks.rss",
            "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><item><title>Talks</title><description>Delegations met in Riyadh for talks about the war in Ukraine on Tuesday.</description></item></channel></rss>",
        ),
        0,
        "undated",
    ),
    ("directory with a symlink loop", symlink_loop, 3, "folder holds no"),
    ("FIFO named .txt", fifo, 3, "not a regular file"),
    ("unreadable file", unreadable, 3, "permission denied"),
    ("missing path", lambda tmp: [str(tmp / "nope.txt")], 3, "no such file or folder"),
    ("two thousand tiny files", many_tiny, 0, "undated"),
    (
        "duplicate of the good file",
        lambda tmp: [str(shutil.copy(GOOD, tmp / "copy-of-good.txt"))],
        0,
        "identical to",
    ),
]


@pytest.mark.parametrize(("case", "build", "code", "reason"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_reported_and_the_rest_briefed(
    case: str,
    build: Callable[[Path], list[str]],
    code: int,
    reason: str | None,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if case == "unreadable file" and os.geteuid() == 0:  # root reads anything: make the OS say no
        real = Path.read_bytes

        def deny(self: Path) -> bytes:
            if self.name == "secret.txt":
                raise PermissionError(13, "Permission denied", str(self))
            return real(self)

        monkeypatch.setattr(Path, "read_bytes", deny)
    bad = build(tmp_path)
    r = CliRunner().invoke(
        app, ["run", str(GOOD), *bad, "--date", "2025-02-13", "--format", "json"]
    )
    assert r.exit_code == code, (case, r.exit_code, r.stderr[-500:])
    b = json.loads(r.stdout)
    assert b["sections"], case  # the good input is still briefed
    assert any(s["document"] == "001_e4295a515bf2662b" for s in b["sources"].values())
    if reason is not None:
        assert any(reason in s["reason"] for s in b["skipped"]), (case, b["skipped"])
    if code == 3:
        assert "skipped" in r.stderr


@pytest.fixture()
def web() -> WebServer:  # type: ignore[misc]
    with WebServer() as server:
        server.routes["/slow"] = Route(body=b"<p>late</p>", delay=3)
        server.routes["/loop"] = Route(status=302, redirect="/loop")
        server.routes["/huge"] = Route(stream_bytes=2 * 1024 * 1024 * 1024)  # 2 GB, streamed
        server.routes["/atom"] = Route(
            body=(FIXTURES / "feed.atom").read_bytes(), content_type="application/atom+xml"
        )
        yield server


URL_CASES = [
    ("404", "/missing", "HTTP 404"),
    ("timeout", "/slow", "timed out"),
    ("redirects forever", "/loop", "too many redirects"),
    ("2 GB response", "/huge", "byte limit"),
]


@pytest.mark.parametrize(("case", "path", "reason"), URL_CASES, ids=[c[0] for c in URL_CASES])
def test_bad_urls(
    web: WebServer, case: str, path: str, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_FETCH_TIMEOUT", "1")
    r = CliRunner().invoke(
        app, ["run", str(GOOD), web.url(path), "--date", "2025-02-13", "--format", "json"]
    )
    assert r.exit_code == 3, r.stderr
    b = json.loads(r.stdout)
    assert b["sections"] and any(reason in s["reason"] for s in b["skipped"])


def test_atom_relative_links_resolve(web: WebServer) -> None:
    r = CliRunner().invoke(app, ["run", web.url("/atom"), "--format", "json"])
    b = json.loads(r.stdout)
    urls = {s["url"] for s in b["sources"].values()}
    assert web.url("/2025/02/17/paris-meeting") in urls
