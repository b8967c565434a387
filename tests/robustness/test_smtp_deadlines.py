"""SMTP deadlines (issue 24): a server that trickles its reply one byte at a time keeps no
`send` past `smtp_message_deadline` per recipient and `smtp_run_deadline` in all, whatever
it stalls (the greeting, the reply to DATA); every claim is given back as failed, so a later
send mails everyone once. A raw-socket server and a real aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from ..servers.smtp import SmtpServer
from ..servers.trickle_smtp import TrickleSmtp

runner = CliRunner()
READERS = ["ann@readers.example", "bob@readers.example", "cy@readers.example",
           "dee@readers.example"]  # fmt: skip
DAY = ["--sample", "--date", "2025-02-13"]
MESSAGE, WHOLE = 1.5, 4.0  # seconds


def rows(state: Path) -> list[tuple[str, str, str | None]]:
    db = sqlite3.connect(state / "briefing.sqlite3")
    try:
        return db.execute("SELECT recipient, status, error FROM deliveries ORDER BY id").fetchall()
    finally:
        db.close()


@pytest.mark.parametrize("stall", ["greeting", "data"])
def test_a_trickling_server_is_cut_off_at_the_deadlines_and_nothing_is_lost(
    stall: str, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_MAIL_TO", ", ".join(READERS))
    monkeypatch.setenv("BRIEFING_SMTP_TIMEOUT", "30")  # per read: never reached by a trickle
    monkeypatch.setenv("BRIEFING_SMTP_MESSAGE_DEADLINE", str(MESSAGE))
    monkeypatch.setenv("BRIEFING_SMTP_RUN_DEADLINE", str(WHOLE))
    assert runner.invoke(app, ["run", *DAY, "--format", "json"]).exit_code == 0  # the edition
    with TrickleSmtp(stall) as server:  # type: ignore[arg-type]
        for k, v in server.env.items():
            monkeypatch.setenv(k, v)
        began = time.monotonic()
        r = runner.invoke(app, ["send", *DAY])
        took = time.monotonic() - began
    assert r.exit_code == 1, r.stdout + r.stderr  # nobody could be sent it
    assert "Traceback" not in r.stderr
    assert took < WHOLE + 3, took  # the run's deadline, with start-up and rendering
    # each recipient's exchange ended within its deadline: 3 connections, at most 1.5 s apart
    assert server.connections == 3, server.accepted
    gaps = [b - a for a, b in zip(server.accepted, server.accepted[1:], strict=False)]
    assert all(g < MESSAGE + 0.5 for g in gaps), gaps
    assert server.messages == (3 if stall == "data" else 0)
    got = rows(state_dir)
    assert [s for _, s, _ in got] == ["failed"] * 3  # no claim left 'pending'
    assert "smtp_message_deadline (1.5 s)" in (got[0][2] or "")
    assert "smtp_run_deadline (4 s)" in (got[2][2] or "")  # the third was cut by the run's
    assert "not tried" in r.stdout and "dee@readers.example" in r.stdout  # the fourth: never claimed
    with SmtpServer() as good:  # the next send mails every one of them, once
        for k, v in good.env.items():
            monkeypatch.setenv(k, v)
        again = runner.invoke(app, ["send", *DAY])
        assert again.exit_code == 0, again.stdout + again.stderr
        assert sorted(str(m["To"]) for m in good.handler.messages) == READERS
        assert runner.invoke(app, ["send", *DAY]).exit_code == 0
        assert len(good.handler.messages) == len(READERS)  # and not again
