"""Header and link hygiene (issue 14, class 11) and the SMTP errors a user meets (issue 17):
Unicode line breaks never reach a mail header, List-Unsubscribe is one mailto: or https:
URL, a JSON url cannot break out of a Markdown link, and an SMTP server that does not speak
what the settings say gives one line with the likely fix, at once."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import markdown
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from typer.testing import CliRunner

from briefing.cli import app
from briefing.contract import Briefing
from briefing.state import Store

from ..conftest import brief
from ..servers.smtp import Handler, SmtpServer, free_port

runner = CliRunner()
DAY = ["--sample", "--date", "2025-02-13"]


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    with SmtpServer() as server:
        for k, v in server.env.items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("BRIEFING_MAIL_TO", "ann@readers.example")
        yield server


def send(*args: str) -> Any:
    return runner.invoke(app, ["send", *DAY, *args])


@pytest.mark.parametrize("brk", ["\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c"])
def test_a_topic_with_a_unicode_line_break_is_refused(smtp: SmtpServer, brk: str) -> None:
    r = send("--topic", f"Ukraine{brk}Bcc: evil@x.example")
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert smtp.handler.messages == []


def test_a_stored_edition_whose_topic_has_a_line_break_is_refused_not_a_traceback(
    smtp: SmtpServer, state_dir: Path
) -> None:
    """An edition stored by an older version with U+2028 in its topic: exit 2, one line."""
    b = brief("2025-02-13")
    raw = json.loads(b.model_dump_json())
    raw["topic"] = "Ukraine\u2028talks"
    with Store(state_dir) as store:
        store.save_briefing(Briefing.model_validate(raw), edition=True)
    r = send()
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert "line break" in r.stderr and smtp.handler.messages == []


@pytest.mark.parametrize(
    "value",
    ["javascript:alert(1)", "https://a.example/u, mailto:x@evil.example",
     "<https://a.example/u>, <mailto:x@evil.example>", "http://plain.example/u",
     "mailto:", "https://", "https://a.example/u\u2028x"],
)  # fmt: skip
def test_list_unsubscribe_is_one_mailto_or_https_url(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BRIEFING_LIST_UNSUBSCRIBE", value)
    r = send()
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert smtp.handler.messages == []


@pytest.mark.parametrize("value", ["mailto:leave@news.example", "<https://news.example/u?id=1>"])
def test_good_list_unsubscribe_values_are_sent(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("BRIEFING_LIST_UNSUBSCRIBE", value)
    assert send().exit_code == 0
    assert smtp.handler.messages[0]["List-Unsubscribe"] == f"<{value.strip('<>')}>"


def test_a_json_url_with_line_breaks_cannot_break_out_of_the_markdown_link(tmp_path: Path) -> None:
    """The url carries a newline, a tracking image and a javascript: link: the Markdown (and so
    its HTML rendering) has no image and no javascript: link, in every output."""
    evil = "https://news.example/a\n![t](https://tracker.example/p.png)\n[click](javascript:alert(1))"
    path = tmp_path / "a.json"
    path.write_text(json.dumps({"title": "Talks", "url": evil, "published": "2025-02-13T09:00:00",
                                "text": "Peace talks resumed in Riyadh on Tuesday with both delegations."}))  # fmt: skip
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", str(path), "--date", "2025-02-13", "--out", str(out), "--no-state"])
    assert r.exit_code == 0, r.output
    md = (out / "briefing.md").read_text()
    html = markdown.markdown(md)
    assert "<img" not in html and "javascript:" not in html and "tracker.example" not in md
    for name in ("briefing.html", "briefing.json"):
        assert "tracker.example" not in (out / name).read_text()


def test_smtp_without_starttls_names_the_fix_at_once(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_SMTP_SECURITY", "starttls")
    start = time.monotonic()
    r = send()
    assert time.monotonic() - start < 5 and r.exit_code == 1, r.output
    assert 'does not offer STARTTLS' in r.stderr and 'smtp_security = "none"' in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1 and "Error" not in r.stderr
    assert send().exit_code == 1  # the claim was given back: nothing is 'in progress'


def test_smtp_ssl_on_a_plain_port_names_the_fix_at_once(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_SMTP_SECURITY", "ssl")
    start = time.monotonic()
    r = send()
    assert time.monotonic() - start < 5 and r.exit_code == 1, r.output
    assert "TLS failed" in r.stderr and "smtp_security" in r.stderr


def test_a_refused_smtp_login_names_the_fix(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_a: Any) -> AuthResult:
        return AuthResult(success=False, handled=False)

    port = free_port()
    ctl = Controller(Handler(), hostname="127.0.0.1", port=port, authenticator=refuse,
                     auth_require_tls=False)  # fmt: skip
    ctl.start()
    try:
        for k, v in {"BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": str(port),
                     "BRIEFING_SMTP_SECURITY": "none", "BRIEFING_MAIL_FROM": "b@news.example",
                     "BRIEFING_SMTP_USER": "me", "BRIEFING_SMTP_PASSWORD": "wrong",
                     "BRIEFING_MAIL_TO": "ann@readers.example"}.items():  # fmt: skip
            monkeypatch.setenv(k, v)
        start = time.monotonic()
        r = send()
    finally:
        ctl.stop()
    assert time.monotonic() - start < 5 and r.exit_code == 1, r.output
    assert "SMTP login refused for me" in r.stderr and "check smtp_user" in r.stderr
