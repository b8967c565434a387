"""BRIEFING_MAIL_TO and a topic's mail_to (issue 24): the environment's string is split by
the same standard-library parser as `mail_to` entries (a quoted "Smith, Bob" stays one
address), and a bad address is refused with the setting's name (exit 2) before `send` or the
scheduler makes the edition: no edition stored, nobody mailed. A real aiosmtpd on 127.0.0.1,
real SQLite."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from ..servers.smtp import SmtpServer

runner = CliRunner()
DAY = ["--sample", "--date", "2025-02-13"]
EXE = str(Path(sys.executable).with_name("briefing"))


def editions(state: Path) -> int:
    if not (state / "briefing.sqlite3").exists():
        return 0
    db = sqlite3.connect(state / "briefing.sqlite3")
    try:
        return int(db.execute("SELECT COUNT(*) FROM briefings").fetchone()[0])
    finally:
        db.close()


def test_the_environment_list_is_split_by_the_address_parser(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("BRIEFING_MAIL_TO",
                       'ann@readers.example, "Smith, Bob" <bob@readers.example>,cy@bücher.example')  # fmt: skip
    r = runner.invoke(app, ["send", *DAY])
    assert r.exit_code == 0, r.stdout + r.stderr
    rcpts = sorted(a for e in smtp.handler.envelopes for a in e.rcpt_tos)
    assert rcpts == ["ann@readers.example", "bob@readers.example", "cy@xn--bcher-kva.example"]
    assert '"Smith, Bob" <bob@readers.example>' in [str(m["To"]) for m in smtp.handler.messages]


@pytest.mark.parametrize(("value", "why"), [
    ("ann@readers.example, not-an-address", "'not-an-address' is not a valid email address"),
    ("ann@readers.example, jos\u00e9@readers.example", "needs SMTPUTF8"),
    ("ann@readers.example, bob@", "'bob@' is not a valid email address"),
    ("ann@readers.example; bob@readers.example", "separate addresses with commas"),
])  # fmt: skip
def test_a_bad_environment_address_stops_send_before_the_edition_is_made(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, state_dir: Path, value: str, why: str
) -> None:
    monkeypatch.setenv("BRIEFING_MAIL_TO", value)
    r = runner.invoke(app, ["send", *DAY])
    assert r.exit_code == 2, r.stdout + r.stderr
    assert r.stderr.startswith("briefing: error: BRIEFING_MAIL_TO") and why in r.stderr, r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.splitlines()) == 1
    assert smtp.handler.messages == [] and editions(state_dir) == 0  # nothing made, nobody mailed


def test_a_bad_flag_address_stops_send_before_the_edition_is_made(
    smtp: SmtpServer, monkeypatch: pytest.MonkeyPatch, state_dir: Path
) -> None:
    monkeypatch.setenv("BRIEFING_MAIL_TO", "ann@readers.example")
    r = runner.invoke(app, ["send", *DAY, "--to", "bob@readers.example", "--to", "cy@@x"])
    assert r.exit_code == 2 and "--to: 'cy@@x' is not a valid email address" in r.stderr, r.stderr
    assert smtp.handler.messages == [] and editions(state_dir) == 0


def test_a_bad_topic_address_stops_the_scheduler_at_start(tmp_path: Path, smtp: SmtpServer) -> None:
    """The scheduler refuses to start (exit 2, the file and line named) rather than making
    each day's edition and failing at the mail step."""
    toml = tmp_path / "briefing.toml"
    toml.write_text('[topics.news]\ntitle = "News"\nsources = ["in"]\nat = "07:00"\n'
                    'mail_to = ["ann@readers.example", "Bob <bob@readers.example>, x@y@z"]\n')  # fmt: skip
    (tmp_path / "in").mkdir()
    state = tmp_path / "state"
    r = subprocess.run([EXE, "schedule", "--config", str(toml), "--state", str(state)],
                       capture_output=True, text=True, timeout=60)  # fmt: skip
    assert r.returncode == 2, r.stderr
    assert "mail_to" in r.stderr and str(toml) in r.stderr and "line 5" in r.stderr, r.stderr
    assert "'x@y@z' is not a valid email address" in r.stderr and "Traceback" not in r.stderr
    assert editions(state) == 0 and smtp.handler.messages == []
