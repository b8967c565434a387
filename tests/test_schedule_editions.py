"""`briefing schedule` itself (issue 21, Done means): the real scheduler process (APScheduler,
its own trigger, lock and signal handling) with a real SMTP server on 127.0.0.1, driven by a
fixed clock: the process imports its modules, then runs under time-machine from 06:59:57
London (ticking), so its 07:00 job fires 3 s later instead of waiting for a real minute. Then the
catch-up path after a missed 07:00: it keeps the edition a reader was already sent (no
replacement), mails only the reader who had not had it, and its log says so."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from briefing.cli import app
from briefing.state import Store

from .servers.smtp import SmtpServer
from .test_editions_revisions import READERS, _config, _held, _message_to_last, _titles
from .test_editions_window import _at

runner = CliRunner()

# the scheduler, its modules imported first, then a clock that ticks from the given moment
_RUN = (
    "import sys, datetime, time_machine\n"
    "import briefing.app, briefing.deliver, briefing.cli.schedule, apscheduler.schedulers.blocking\n"
    "from briefing.cli import main\n"
    "time_machine.travel(datetime.datetime.fromisoformat(sys.argv[1]), tick=True).start()\n"
    "sys.argv = ['briefing', *sys.argv[2:]]\n"
    "main()\n"
)


def _scheduler(when: str, cfg: Path, state: Path, env: dict[str, str], until: str) -> str:
    """Run `briefing schedule` from `when` (London, HH:MM:SS) until its log has `until` and it
    runs (its signal handlers set); then SIGTERM, as systemd stops it. Returns its whole log."""
    proc = subprocess.Popen(
        [sys.executable, "-c", _RUN, (_at(when[:16]) + timedelta(seconds=int(when[17:] or 0))).isoformat(), "schedule", "--config", str(cfg),
         "--state", str(state)],
        stderr=subprocess.PIPE, text=True, env={**os.environ, **env},
    )  # fmt: skip
    lines: list[str] = []
    try:
        assert proc.stderr is not None
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            assert line, "the scheduler stopped:\n" + "".join(lines)
            lines.append(line)
            log = "".join(lines)
            if until in log and "scheduler running" in log:  # its signal handlers are set
                break
        else:
            pytest.fail("no such log line: " + until + "\n" + "".join(lines))
        proc.send_signal(signal.SIGTERM)
        lines.append(proc.stderr.read())
        assert proc.wait(timeout=30) == 0, "".join(lines)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = "".join(lines)
    assert "Traceback" not in log, log
    return log


def _cli(cfg: Path, state: Path, when: str, *args: str) -> str:
    with time_machine.travel(_at(when), tick=False):
        r = runner.invoke(app, [*args, "--config", str(cfg), "--state", str(state)])
    assert r.exit_code == 0, (args, r.stdout, r.stderr)
    return r.stdout + r.stderr


@pytest.mark.slow
def test_the_scheduler_mails_each_edition_once_and_its_catch_up_never_replaces_one(
    tmp_path: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _config(tmp_path)
    with SmtpServer() as smtp:
        for k, v in smtp.env.items():
            monkeypatch.setenv(k, v)
        # 13 Feb: the 07:00 job fires in the running scheduler and mails both readers
        log = _scheduler("2026-02-13 06:59:57", cfg, state_dir, smtp.env, "run for 2026-02-13 ok")
        assert "caught up" not in log  # the trigger ran it, not the start-up catch-up
        assert "desk: run for 2026-02-13 ok" in log, log
        assert "mail of briefing 1: sent to 2, 0 skipped, 0 failed" in log
        assert sorted(m["To"] for m in smtp.handler.messages) == sorted(READERS)
        for rcpt in READERS:
            assert _held(_message_to_last(smtp, rcpt)) == _titles(1, 2, 3, 4, 5)

        # 12:30: someone stores another run of the day: revision 2, archived beside it
        _cli(cfg, state_dir, "2026-02-13 12:30", "run", "--topic", "desk", "--save", "-f", "json")
        # 14 Feb: the scheduler was down at 07:00; at 08:00 one reader is sent the edition by hand
        out = _cli(cfg, state_dir, "2026-02-14 08:00", "send", "--topic", "desk", "--to", READERS[0])
        assert "sent to 1, 0 skipped, 0 failed" in out
        with Store(state_dir) as store:
            made = store.latest_revision("desk", "2026-02-14")
        assert made is not None
        # 09:30 the scheduler starts: its catch-up keeps that edition and mails only the other
        log = _scheduler("2026-02-14 09:30:00", cfg, state_dir, smtp.env, "caught up")
        assert "today's 07:00 run was missed; running it now" in log
        assert f"edition of 2026-02-14 already made (briefing {made[0]}, revision 1); kept" in log
        assert f"mail of briefing {made[0]}: sent to 1, 1 skipped (already sent), 0 failed" in log
        assert len(smtp.handler.messages) == 4
        assert _held(_message_to_last(smtp, READERS[1])) == _titles(6, 7)

    with Store(state_dir) as store:
        slots = [(r["date"], r["kind"], r["revision"], r["readers"]) for r in store.history("desk")]
        assert slots == [("2026-02-14", "edition", 1, 2), ("2026-02-13", "revision", 2, 0),
                         ("2026-02-13", "edition", 1, 2)]  # fmt: skip
        got = {d["recipient"]: d["briefing_id"] for d in store.deliveries("desk", "2026-02-13")}
        first = store.edition("desk", "2026-02-13")
        assert first is not None and set(got.values()) == {first[0]}
        assert made[1].window_start == first[1].window_end  # 13 Feb 07:00: nothing falls between
    site = state_dir / "site" / "2026" / "02" / "13" / "desk"
    assert _held((site / "index.html").read_text(encoding="utf-8")) == _titles(1, 2, 3, 4, 5)
    assert (site / "r2" / "index.html").is_file()
