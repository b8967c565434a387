"""Addresses (issue 24): a `mail_to` entry is parsed by the standard library into one address
each (two in one entry are two recipients, never the first alone); an international domain
is sent in its IDNA form; what cannot be sent is refused before anything is sent, with an
error naming the setting. A real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from ..servers.smtp import SmtpServer

runner = CliRunner()


def send(*to: str):  # type: ignore[no-untyped-def]
    args = [a for t in to for a in ("--to", t)]
    return runner.invoke(app, ["send", "--sample", "--date", "2025-02-13", *args])


def test_two_addresses_in_one_entry_are_two_recipients(smtp: SmtpServer) -> None:
    r = send('ann@readers.example, "Smith, Bob" <bob@readers.example>')
    assert r.exit_code == 0, r.stdout + r.stderr
    rcpts = sorted(a for e in smtp.handler.envelopes for a in e.rcpt_tos)
    assert rcpts == ["ann@readers.example", "bob@readers.example"]
    assert sorted(str(m["To"]) for m in smtp.handler.messages) == [
        '"Smith, Bob" <bob@readers.example>', "ann@readers.example"]


def test_an_international_domain_is_sent_in_idna(smtp: SmtpServer) -> None:
    r = send("ana@bücher.example", "cy@readers.example")
    assert r.exit_code == 0, r.stdout + r.stderr
    rcpts = sorted(a for e in smtp.handler.envelopes for a in e.rcpt_tos)
    assert rcpts == ["ana@xn--bcher-kva.example", "cy@readers.example"]


@pytest.mark.parametrize(("entry", "why"), [
    ("jos\u00e9@readers.example", "needs SMTPUTF8"),
    ("ann@readers.example\r\nBcc: x@evil.example", "line break"),
    ("not an address", "not a valid email address"),
])  # fmt: skip
def test_an_address_that_cannot_be_sent_is_refused_before_any_send(
    smtp: SmtpServer, entry: str, why: str
) -> None:
    r = send("ann@readers.example", entry)
    assert r.exit_code == 2 and why in r.stderr and "--to:" in r.stderr, r.stderr  # names the flag given
    assert smtp.handler.messages == []  # nobody was mailed: not the first, not half
    assert "Traceback" not in r.stderr
