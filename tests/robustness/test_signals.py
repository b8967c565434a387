"""Processes stopped or racing on one state (issue 24): SIGTERM during `run`, `run --save`
racing `archive build` and `send`, and the scheduler across the spring DST gap. Real
processes, real SQLite, a real aiosmtpd on 127.0.0.1."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ..servers.smtp import SmtpServer

EXE = str(Path(sys.executable).with_name("briefing"))
DAY = ["--sample", "--date", "2025-02-13"]
READERS = ["ann@readers.example", "bob@readers.example", "cy@readers.example"]


def env(state: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "BRIEFING_STATE_DIR": str(state), **extra}


def query(state: Path, sql: str) -> list[tuple[object, ...]]:
    db = sqlite3.connect(state / "briefing.sqlite3")
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_sigterm_during_run_exits_cleanly_and_writes_nothing_half(tmp_path: Path) -> None:
    """SIGTERM at 4 moments of `run --save --out`: each run either finished (0) or stopped
    with exit 143 and one line; every output is the previous one or the new one, whole; no
    temporary file is left; the database is intact."""
    state, out = tmp_path / "state", tmp_path / "out"
    first = subprocess.run([EXE, "run", "--sample", "--date", "2025-02-12", "--out", str(out),
                            "--save"], env=env(state), capture_output=True, text=True)  # fmt: skip
    assert first.returncode == 0, first.stderr
    codes = []
    for delay in (0.4, 1.0, 1.8, 2.6):
        p = subprocess.Popen([EXE, "run", *DAY, "--out", str(out), "--save"], env=env(state),
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
        time.sleep(delay)
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=60)
        codes.append(p.returncode)
        # -15: the signal came before Python had started the command (nothing begun)
        assert p.returncode in (0, 143, -signal.SIGTERM), (p.returncode, err)
        assert "Traceback" not in err, err
        if p.returncode == 143:
            assert err.strip().endswith("briefing: stopped by SIGTERM; what was finished is "
                                        "kept, nothing is half-written"), err  # fmt: skip
        assert sorted(f.name for f in out.iterdir()) == ["briefing.html", "briefing.json",
                                                         "briefing.md"]  # fmt: skip
        date = json.loads((out / "briefing.json").read_text())["date"]
        assert date in ("2025-02-12", "2025-02-13")
        assert (out / "briefing.html").read_text().rstrip().endswith("</html>")
        assert query(state, "PRAGMA integrity_check") == [("ok",)]
        assert query(state, "SELECT COUNT(*) FROM briefings WHERE date = '2025-02-12'") == [(1,)]
    assert 143 in codes, codes  # at least one signal landed mid-run


@pytest.mark.slow
def test_run_save_racing_archive_build_and_send_on_one_state(tmp_path: Path) -> None:
    """`run --save`, `archive build` and `send` started together, twice over, on one state:
    each succeeds, every reader is mailed once, the site is whole, the database intact."""
    state, site = tmp_path / "state", tmp_path / "site"
    with SmtpServer() as smtp:
        extra = {**smtp.env, "BRIEFING_MAIL_TO": ", ".join(READERS)}
        for _round in range(2):
            procs = [subprocess.Popen([EXE, *args], env=env(state, **extra),
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                     for args in (["run", *DAY, "--save", "--format", "json"],
                                  ["archive", "build", "--out", str(site)], ["send", *DAY])]  # fmt: skip
            outs = [p.communicate(timeout=120) for p in procs]
            assert [p.returncode for p in procs] == [0, 0, 0], outs
            assert not any("Traceback" in e for _, e in outs), outs
        assert sorted(str(m["To"]) for m in smtp.handler.messages) == READERS  # once each
    assert query(state, "PRAGMA integrity_check") == [("ok",)]
    assert sorted(r[0] for r in query(state, "SELECT recipient FROM deliveries WHERE "
                                      "status = 'sent'")) == READERS  # fmt: skip
    live = site.resolve()
    manifest = json.loads((live / "manifest.json").read_text())
    assert all((live / rel).is_file() for rel in manifest)
    assert subprocess.run([EXE, "archive", "build", "--out", str(site)], env=env(state),
                          capture_output=True).returncode == 0  # fmt: skip
    assert any(site.resolve().glob("2025/02/13/*/index.html"))  # the edition is published


SCHEDULER = """
import sys, datetime as d, time_machine
from zoneinfo import ZoneInfo
start = d.datetime(2026, 3, 29, 1, 29, 57, tzinfo=d.UTC)  # 02:29:57 BST
with time_machine.travel(start, tick=True):
    from briefing.cli.main import main
    sys.argv = ["briefing", "-v", "schedule", "--at", "01:30", "--allow-dst-window",
                "--tz", "Europe/London", "--config", sys.argv[1]]
    main()
"""


def test_the_scheduler_runs_a_slot_in_the_dst_gap_once_an_hour_on(tmp_path: Path) -> None:
    """01:30 Europe/London does not exist on 29 March 2026 (01:00 GMT -> 02:00 BST). A
    scheduler started at 02:29:57 BST neither catches it up early nor skips it: it runs once,
    at 02:30 BST (01:30 UTC), as README says; the next run is 30 March 01:30 BST."""
    arts = [{"title": f"Talks, part {i}", "url": f"https://news.example/{i}",
             "publisher": "Example News", "published": "2026-03-28T22:00:00Z",
             "text": f"Ministers from {10 + i} countries met in Geneva to discuss the grain "
                     "corridor. The talks ended without an agreement, officials said."}
            for i in range(3)]  # fmt: skip
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.json").write_text(json.dumps({"articles": arts}))
    toml = tmp_path / "briefing.toml"
    toml.write_text('llm = "extractive"\n[topics.news]\ntitle = "News"\nsources = ["in"]\n')
    state = tmp_path / "state"
    p = subprocess.Popen([sys.executable, "-c", SCHEDULER, str(toml)], env=env(state),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 40
        runs: list[tuple[object, ...]] = []
        while time.monotonic() < deadline and p.poll() is None:
            with contextlib.suppress(sqlite3.OperationalError):  # (not made or migrated yet)
                runs = query(state, "SELECT started_at, outcome FROM runs")
                if runs and runs[-1][1]:
                    break
            time.sleep(0.3)
        time.sleep(2)  # long enough for a second (wrong) run to start
        p.send_signal(signal.SIGTERM)
        _, err = p.communicate(timeout=30)
    finally:
        if p.poll() is None:
            p.kill()
    runs = query(state, "SELECT started_at, outcome FROM runs")
    assert len(runs) == 1, (runs, err)
    assert str(runs[0][0]).startswith("2026-03-29T01:30:0"), runs  # 02:30 BST
    assert runs[0][1] in ("ok", "partial"), (runs, err)
    assert "missed" not in err, err  # not caught up at 02:29:57
    assert "next run 2026-03-29 02:30 BST" in err, err  # as it said when it started
