"""Delivery and state under concurrency and faults (issue 14, classes 1 and 2): two `send`
processes at once, a kill -9 mid-send, a state disk that is full or a database that is
damaged. Real SMTP (aiosmtpd on 127.0.0.1), real SQLite, real processes."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.state import Store

from ..servers.smtp import Handler, SmtpServer
from .conftest import delivery_rows as rows

EXE = str(Path(sys.executable).with_name("briefing"))
READERS = ["ann@readers.example", "bob@readers.example", "cy@readers.example"]
DAY = ["--sample", "--date", "2025-02-13"]
runner = CliRunner()


class SlowHandler(Handler):
    """Takes `delay` seconds to accept each message: sends overlap, kills land mid-send."""

    delay = 0.4

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch, state_dir: Path) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.handler = SlowHandler()
    server.controller.handler = server.handler
    with server:
        for k, v in server.env.items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("BRIEFING_MAIL_TO", ", ".join(READERS))
        yield server


def env(state: Path) -> dict[str, str]:
    return {**os.environ, "BRIEFING_STATE_DIR": str(state)}


def prime(state: Path) -> None:
    """Store the sample's edition of the day, so each send only mails."""
    r = subprocess.run([EXE, "run", *DAY, "--format", "json"], env=env(state), capture_output=True)
    assert r.returncode == 0, r.stderr


@pytest.mark.slow
def test_two_sends_at_once_deliver_each_recipient_once(smtp: SmtpServer, state_dir: Path) -> None:
    """2 concurrent sends × 3 recipients: 3 messages delivered, none 'superseded'."""
    prime(state_dir)
    procs = [subprocess.Popen([EXE, "send", *DAY], env=env(state_dir), stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]  # fmt: skip
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert sorted(m["To"] for m in smtp.handler.messages) == READERS
    sent = [r for r in rows(state_dir) if r[1] == "sent"]
    assert sorted(r[0] for r in sent) == READERS
    assert not any("superseded" in (r[2] or "") for r in rows(state_dir))
    said = "".join(o for o, _ in outs)
    assert said.count("sent\t") - said.count("already sent\t") == 3  # each said once


@pytest.mark.slow
def test_kill_9_mid_send_repeats_at_most_the_message_in_flight(
    smtp: SmtpServer, state_dir: Path
) -> None:
    """kill -9 while the 2nd of 3 is in the SMTP transaction; a rerun takes over the dead
    process's claim: every recipient gets it, at most one message twice."""
    prime(state_dir)
    p = subprocess.Popen([EXE, "send", *DAY], env=env(state_dir), stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 60
    while not smtp.handler.messages and time.monotonic() < deadline:
        time.sleep(0.02)
    deadline = time.monotonic() + 5  # the second message claimed, and now in DATA
    while not any(r[1] == "pending" for r in rows(state_dir)) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(SlowHandler.delay / 4)
    p.send_signal(signal.SIGKILL)
    p.wait()
    assert any(r[1] == "pending" for r in rows(state_dir)), "a claim was left by the dead process"
    again = subprocess.run([EXE, "send", *DAY], env=env(state_dir), capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    got = [m["To"] for m in smtp.handler.messages]
    assert set(got) == set(READERS) and len(got) <= len(READERS) + 1
    assert sorted(r[0] for r in rows(state_dir) if r[1] == "sent") == READERS


class FullDisk:
    """A sqlite3 connection whose writes fail as SQLite's do when the disk is full."""

    armed = True

    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def _check(self, sql: str) -> None:
        if FullDisk.armed and sql.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            raise sqlite3.OperationalError("database or disk is full")

    def execute(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self._db.execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> Any:
        self._check(sql)
        return self._db.executemany(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._db, name)


@pytest.fixture()
def full_disk(monkeypatch: pytest.MonkeyPatch) -> type[FullDisk]:
    real = Store.__init__

    def init(self: Store, folder: Path) -> None:
        real(self, folder)
        self.db = FullDisk(self.db)  # type: ignore[assignment]

    FullDisk.armed = True
    monkeypatch.setattr(Store, "__init__", init)
    return FullDisk


def test_send_with_the_state_disk_full_sends_nothing_twice(
    smtp: SmtpServer, state_dir: Path, full_disk: type[FullDisk]
) -> None:
    """State disk full: one line naming the state file, exit 1; after space is freed a retry
    mails each of the 3 recipients once (3 messages in all, none repeated)."""
    full_disk.armed = False
    assert runner.invoke(app, ["run", *DAY, "--format", "json"]).exit_code == 0  # the edition
    full_disk.armed = True
    smtp.handler.delay = 0.0  # type: ignore[attr-defined]
    r = runner.invoke(app, ["send", *DAY])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    line = r.stderr.strip()
    assert "\n" not in line and str(state_dir / "briefing.sqlite3") in line
    assert "database or disk is full; free space on its disk" in line
    full_disk.armed = False
    retry = runner.invoke(app, ["send", *DAY])
    assert retry.exit_code == 0, retry.output
    assert sorted(m["To"] for m in smtp.handler.messages) == READERS  # each once, in all


def test_run_with_the_state_disk_full_still_writes_its_outputs(
    tmp_path: Path, state_dir: Path, full_disk: type[FullDisk]
) -> None:
    out = tmp_path / "out"
    r = runner.invoke(app, ["run", *DAY, "--out", str(out)])
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert sorted(p.name for p in out.iterdir()) == ["briefing.html", "briefing.json", "briefing.md"]
    line = r.stderr.strip().splitlines()[-1]
    assert f"written to {out} but not stored: state file {state_dir / 'briefing.sqlite3'}" in line


def damage(state: Path) -> Path:
    """A state database whose pages are overwritten with junk after the header."""
    Store(state).close()
    db = state / "briefing.sqlite3"
    data = bytearray(db.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)
    db.write_bytes(bytes(data))
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    return db


@pytest.mark.parametrize("command", ["run", "send", "archive", "history"])
def test_a_damaged_state_database_is_one_line_not_a_traceback(
    tmp_path: Path, state_dir: Path, command: str, smtp: SmtpServer
) -> None:
    db = damage(state_dir)
    out = tmp_path / "out"
    args = {"run": ["run", *DAY, "--out", str(out)], "send": ["send", *DAY],
            "archive": ["archive", "build", "--out", str(tmp_path / "site")],
            "history": ["history"]}[command]  # fmt: skip
    r = runner.invoke(app, args)
    assert r.exit_code == 1 and isinstance(r.exception, SystemExit), r.output
    assert f"state file {db}" in r.stderr and "move it aside" in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 2  # the error line (+ a skipped-input line)
    if command == "run":  # the outputs come first
        assert (out / "briefing.json").is_file()
