"""The email digest against a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from .servers.smtp import SmtpServer

runner = CliRunner()


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    with SmtpServer() as server:
        for k, v in server.env.items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("BRIEFING_MAIL_TO", "ann@readers.example, bob@readers.example")
        monkeypatch.setenv("BRIEFING_LIST_UNSUBSCRIBE", "https://news.example/unsubscribe")
        yield server


def send(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, ["send", "--sample", "--date", "2025-02-13", *args])


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.attrs: list[tuple[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attrs.extend(attrs)


def test_send_delivers_multipart_with_headers_and_citations_then_never_twice(
    smtp: SmtpServer,
) -> None:
    r = send()
    assert r.exit_code == 0, r.output
    assert [m["To"] for m in smtp.handler.messages] == [
        "ann@readers.example",
        "bob@readers.example",
    ]
    msg = smtp.handler.messages[0]
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert msg["Subject"] == "Ukraine talks — 13 February 2025"
    assert msg["From"] == "briefing@news.example"
    assert msg["Date"] and re.match(r"<.+@news\.example>", msg["Message-ID"])
    assert msg["List-Unsubscribe"] == "<https://news.example/unsubscribe>"
    text = msg.get_body(("plain",)).get_content()
    html = msg.get_body(("html",)).get_content()
    assert "IN BRIEF" in text and "[1]" in text and "SOURCES" in text
    assert len(html.encode()) < 102 * 1024
    tags = Tags()
    tags.feed(html)
    assert "script" not in tags.tags and "link" not in tags.tags and "img" not in tags.tags
    assert "style" not in tags.tags  # CSS inlined
    assert any(k == "style" for k, _ in tags.attrs)
    hrefs = {v for k, v in tags.attrs if k == "href"}
    ids = {v for k, v in tags.attrs if k == "id"}
    cites = {h for h in hrefs if h and h.startswith("#src-")}
    assert cites and {c[1:] for c in cites} <= ids
    assert all(h.startswith(("#", "https://", "http://")) for h in hrefs if h)
    assert "already sent" not in r.stdout and r.stdout.count("sent\t") == 2
    # a rerun sends nothing; --force resends
    again = send()
    assert again.exit_code == 0 and again.stdout.count("already sent") == 2
    assert len(smtp.handler.messages) == 2
    forced = send("--force", "--to", "ann@readers.example")
    assert forced.exit_code == 0 and len(smtp.handler.messages) == 3


def test_one_refused_recipient_does_not_lose_the_others(smtp: SmtpServer) -> None:
    smtp.handler.refuse.add("bob@readers.example")
    r = send(
        "--to", "ann@readers.example", "--to", "bob@readers.example", "--to", "cy@readers.example"
    )
    assert r.exit_code == 3
    assert [m["To"] for m in smtp.handler.messages] == ["ann@readers.example", "cy@readers.example"]
    assert "failed\tbob@readers.example: bob@readers.example: 550" in r.stdout
    smtp.handler.refuse.clear()
    retry = send("--to", "ann@readers.example", "--to", "bob@readers.example")
    assert retry.exit_code == 0 and "already sent\tann" in retry.stdout
    assert [m["To"] for m in smtp.handler.messages][-1] == "bob@readers.example"


def test_temporary_failure_is_retried(smtp: SmtpServer) -> None:
    smtp.handler.temp_fail_data = 2
    r = send("--to", "ann@readers.example")
    assert r.exit_code == 0, r.output
    assert len(smtp.handler.messages) == 1


@pytest.mark.parametrize("fault", ["busy_data", "drop_data"])
def test_421_and_a_disconnect_mid_data_are_retried_and_sent_once(
    smtp: SmtpServer, fault: str
) -> None:
    setattr(smtp.handler, fault, 1)
    r = send("--to", "ann@readers.example", "--to", "bob@readers.example")
    assert r.exit_code == 0, r.output
    assert sorted(m["To"] for m in smtp.handler.messages) == [
        "ann@readers.example",
        "bob@readers.example",
    ]
    assert send("--to", "ann@readers.example").stdout.count("already sent") == 1


def test_server_down_is_reported_and_nothing_recorded(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from .servers.smtp import free_port

    monkeypatch.setenv("BRIEFING_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("BRIEFING_SMTP_RETRIES", "2")
    r = send("--to", "ann@readers.example")
    assert r.exit_code == 1 and "nothing accepts connections at 127.0.0.1:" in r.stderr
    assert "Error" not in r.stderr and "Traceback" not in r.output  # no class names
    monkeypatch.setenv("BRIEFING_SMTP_PORT", str(smtp.port))
    assert send("--to", "ann@readers.example").exit_code == 0  # it was not marked as sent


def test_dry_run_shows_the_message_and_sends_nothing(
    smtp: SmtpServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_ARCHIVE_URL", "https://news.example/briefings")
    monkeypatch.setenv("BRIEFING_MAIL_FROM", "Daily Briefing <briefing@news.example>")
    r = send("--dry-run", "--to", "Ben Smith <ben@readers.example>")
    assert r.exit_code == 0
    assert "Subject: Ukraine talks — 13 February 2025" in r.stdout and "nothing sent" in r.stdout
    assert "From: Daily Briefing <briefing@news.example>" in r.stdout  # display names kept
    assert "To: Ben Smith <ben@readers.example>" in r.stdout
    assert "IN BRIEF" in r.stdout and "SOURCES" in r.stdout  # the plain-text body is shown
    link = "https://news.example/briefings/2025/02/13/ukraine-talks/index.html"
    assert f"View in the archive: {link}" in r.stdout
    assert "Unsubscribe: https://news.example/unsubscribe" in r.stdout
    eml = tmp_path / "message.eml"
    r = send("--dry-run", "--out", str(eml))
    assert r.exit_code == 0 and str(eml) in r.stdout
    import email
    from email.policy import default

    msg = email.message_from_bytes(eml.read_bytes(), policy=default)
    html = msg.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert f'href="{link}"' in html and "View in the archive" in html and "Unsubscribe" in html
    assert smtp.handler.messages == []


@pytest.mark.parametrize(
    "bad", ["ann@readers.example\r\nBcc: evil@x.example", "not-an-address", "a@b"]
)
def test_header_injection_and_bad_addresses_are_refused(smtp: SmtpServer, bad: str) -> None:
    r = send("--to", bad)
    assert r.exit_code == 2 and smtp.handler.messages == []


def test_topic_with_a_line_break_is_refused(smtp: SmtpServer) -> None:
    r = send("--topic", "Ukraine\r\nBcc: evil@x.example", "--to", "ann@readers.example")
    assert r.exit_code == 2 and "line break" in r.stderr


def test_missing_smtp_settings_are_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BRIEFING_SMTP_HOST", raising=False)
    r = send("--to", "ann@readers.example")
    assert r.exit_code == 2 and "BRIEFING_SMTP_HOST" in r.stderr


def test_big_briefing_email_is_shrunk_under_gmail_clipping() -> None:
    from briefing.contract import Bullet, Section
    from briefing.deliver.email import MAX_HTML_BYTES, render_email

    from .conftest import brief

    b = brief("2025-02-13")
    cid = next(iter(b.sources))
    long = [
        Section(title=f"Section {i}", bullets=[Bullet(text="word " * 300, citations=[cid])] * 8)
        for i in range(40)
    ]
    big = b.model_copy(update={"sections": long})
    _text, html = render_email(big)
    assert len(html.encode()) <= MAX_HTML_BYTES
    assert re.search(r"\d+ more sections? did not fit", html)


def test_a_dry_run_needs_no_smtp_server(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("BRIEFING_SMTP_HOST", "BRIEFING_MAIL_FROM"):
        monkeypatch.delenv(var, raising=False)
    r = send("--dry-run", "--to", "ann@readers.example")
    assert r.exit_code == 0 and "To: ann@readers.example" in r.stdout and "nothing sent" in r.stdout
