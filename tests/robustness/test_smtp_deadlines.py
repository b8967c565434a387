"""SMTP deadlines (issue 24): a server that trickles its reply one byte at a time keeps no
`send` past `smtp_message_deadline` per recipient and `smtp_run_deadline` in all, whatever
it stalls (the greeting, the reply to DATA); every claim is given back as failed, so a later
send mails everyone once. A raw-socket server and a real aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from ..servers.smtp import SmtpServer
from ..servers.trickle_smtp import TrickleSmtp
from .conftest import delivery_rows as rows

runner = CliRunner()
READERS = ["ann@readers.example", "bob@readers.example", "cy@readers.example",
           "dee@readers.example"]  # fmt: skip
DAY = ["--sample", "--date", "2025-02-13"]
MESSAGE, WHOLE = 1.5, 4.0  # seconds


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
    print(f"{stall}: send took {took:.1f} s; connections {len(server.accepted)}")
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


EXE = str(Path(sys.executable).with_name("briefing"))
TEXT = ("Ministers from twelve countries met in Geneva on Tuesday to discuss the grain corridor. "
        "The talks ended without an agreement, officials said. A second round is planned for "
        "next week, according to the Swiss foreign ministry.")  # fmt: skip


def topic_files(tmp_path: Path, *readers: str) -> Path:
    """A standing topic whose edition due at 00:00 (London) has news: three articles of
    yesterday, briefed extractively; `schedule` catches it up at once."""
    yesterday = (datetime.now(UTC) - timedelta(days=1)).replace(hour=12, minute=0, second=0)
    arts = [{"title": f"Grain talks, part {i}", "url": f"https://news.example/{i}",
             "publisher": "Example News", "published": yesterday.isoformat(),
             "text": TEXT.replace("twelve", str(10 + i))} for i in range(3)]  # fmt: skip
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "articles.json").write_text(json.dumps({"articles": arts}))
    toml = tmp_path / "briefing.toml"
    toml.write_text(f'llm = "extractive"\n[topics.news]\ntitle = "News"\nsources = ["in"]\n'
                    f'at = "00:00"\ntz = "Europe/London"\nmail_to = {json.dumps(list(readers))}\n')  # fmt: skip
    return toml


def test_sigterm_stops_the_scheduler_mid_send_and_the_claim_is_given_back(tmp_path: Path) -> None:
    """The scheduler's catch-up mails a server that never finishes its reply to DATA (and
    deadlines far off): SIGTERM stops it within seconds, no claim is left pending, and the
    next send mails each reader once."""
    toml = topic_files(tmp_path, *READERS[:2])
    state = tmp_path / "state"
    with TrickleSmtp("data") as server:
        env = {**os.environ, **server.env, "BRIEFING_SMTP_MESSAGE_DEADLINE": "300",
               "BRIEFING_SMTP_RUN_DEADLINE": "600", "BRIEFING_STATE_DIR": str(state)}  # fmt: skip
        p = subprocess.Popen([EXE, "schedule", "--config", str(toml)], env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        try:
            deadline = time.monotonic() + 60
            while not server.messages and time.monotonic() < deadline and p.poll() is None:
                time.sleep(0.05)
            assert server.messages == 1, p.stderr.read() if p.poll() is not None else "no DATA"
            time.sleep(0.3)  # in the trickling reply now
            began = time.monotonic()
            p.send_signal(signal.SIGTERM)
            _, err = p.communicate(timeout=15)
            took = time.monotonic() - began
        finally:
            if p.poll() is None:
                p.kill()
    assert took < 5, took
    print(f"scheduler stopped {took:.1f} s after SIGTERM")
    assert p.returncode == 0 and "Traceback" not in err, err
    assert "SIGTERM" in err and "lock released" in err, err
    assert [s for _, s, _ in rows(state)] == ["failed"]  # given back, not 'pending'
    with SmtpServer() as good:
        env = {**os.environ, **good.env, "BRIEFING_STATE_DIR": str(state)}
        again = subprocess.run([EXE, "send", "--config", str(toml)], env=env,
                               capture_output=True, text=True, timeout=60)  # fmt: skip
        assert again.returncode == 0, again.stdout + again.stderr
        assert sorted(str(m["To"]) for m in good.handler.messages) == READERS[:2]
