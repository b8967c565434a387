"""The daily scheduler: DST change days, catch-up, exactly-once, one process per state."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time as _time
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine

from briefing.cli.schedule import daily_job
from briefing.deliver import schedule as sch
from briefing.errors import UsageError
from briefing.state import Store

CHANGE_DAYS_2026 = {
    "Europe/London": [date(2026, 3, 29), date(2026, 10, 25)],
    "America/New_York": [date(2026, 3, 8), date(2026, 11, 1)],
}


@pytest.mark.parametrize("zone", sorted(CHANGE_DAYS_2026))
@pytest.mark.parametrize("at", ["07:00", "00:30", "03:00", "03:30", "23:59"])
def test_exactly_one_fire_on_each_dst_change_day(zone: str, at: str) -> None:
    tz = ZoneInfo(zone)
    trig = sch.trigger(sch.parse_at(at), tz)
    for day in CHANGE_DAYS_2026[zone]:
        start = datetime.combine(day - timedelta(days=2), time(12), tz)
        fires, prev, now = [], None, start
        while True:
            nxt = trig.get_next_fire_time(prev, now)
            if nxt > datetime.combine(day + timedelta(days=2), time(12), tz):
                break
            fires.append(nxt)
            prev, now = nxt, nxt + timedelta(seconds=1)
        per_day = {}
        for f in fires:
            per_day.setdefault(f.astimezone(tz).date(), []).append(f)
        assert [len(v) for v in per_day.values()] == [1, 1, 1, 1], (zone, at, fires)
        fire = per_day[day][0].astimezone(tz)
        assert (fire.hour, fire.minute) == tuple(int(x) for x in at.split(":"))


@pytest.mark.parametrize("at", ["01:00", "01:30", "02:00", "02:59"])
def test_times_in_the_dst_window_are_refused(at: str) -> None:
    with pytest.raises(UsageError, match="daylight-saving"):
        sch.parse_at(at)
    assert sch.parse_at(at, allow_dst_window=True) == time(*map(int, at.split(":")))


def test_bad_times_are_usage_errors() -> None:
    for bad in ("7am", "25:00", "07:60", ""):
        with pytest.raises(UsageError):
            sch.parse_at(bad)


@pytest.fixture()
def job_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A daily job whose briefing step is counted (the rest of the run is real)."""
    calls: list[date] = []
    from briefing import app

    monkeypatch.setenv("BRIEFING_SOURCES", str(app.sample_corpus()))
    real = app.produce

    def counted(req, store, **kw):  # type: ignore[no-untyped-def]
        calls.append(req.window.day)
        sample = app.request(req.settings, sample=True, day=date(2025, 2, 13))
        return real(sample, store, **kw)

    monkeypatch.setattr(app, "produce", counted)
    state = tmp_path / "state"
    monkeypatch.setenv("BRIEFING_STATE_DIR", str(state))
    job = sch.JobArgs(state=str(state), config=None, topic="news-briefing", tz="Europe/London")
    return job, calls, state


def test_catch_up_runs_a_missed_day_once(job_env) -> None:  # type: ignore[no-untyped-def]
    args, calls, state = job_env
    london = ZoneInfo("Europe/London")
    with time_machine.travel(datetime(2026, 3, 29, 6, 0, tzinfo=london), tick=False):
        assert sch.catch_up(args, daily_job) is None  # not yet time
    with time_machine.travel(datetime(2026, 3, 29, 9, 30, tzinfo=london), tick=False):
        assert sch.catch_up(args, daily_job) == "ok"
        assert sch.catch_up(args, daily_job) is None  # a restart does not run it again
        assert daily_job(args.state, None, args.topic, args.tz) == "skipped"  # nor the trigger
    with time_machine.travel(datetime(2026, 3, 30, 7, 0, 5, tzinfo=london), tick=False):
        assert daily_job(args.state, None, args.topic, args.tz) == "ok"
    assert calls == [date(2026, 3, 29), date(2026, 3, 30)]
    store = Store(state)
    last = store.last_run(args.kind)
    assert last and last["outcome"] == "ok" and "archive" in last["message"]
    assert (state / "site" / "index.html").exists()


@pytest.mark.slow
@pytest.mark.parametrize(
    ("zone", "moment", "at"),
    [
        (
            "Europe/London",
            datetime(2026, 3, 29, 3, 29, 57),
            "03:30",
        ),  # the day the clocks skip 01:00-02:00
        (
            "America/New_York",
            datetime(2026, 11, 1, 6, 59, 57),
            "07:00",
        ),  # the day 01:00-02:00 repeats
    ],
)
def test_running_scheduler_fires_once_on_a_change_day(
    job_env, zone: str, moment: datetime, at: str
) -> None:  # type: ignore[no-untyped-def]
    args, calls, _state = job_env
    args = sch.JobArgs(state=args.state, config=None, topic=args.topic, at=at, tz=zone)
    tz = ZoneInfo(zone)
    with time_machine.travel(moment.replace(tzinfo=tz), tick=True):
        sched = sch.make_scheduler([args], daily_job, blocking=False)
        sched.start()
        try:
            deadline = _time.monotonic() + 15
            while not calls and _time.monotonic() < deadline:
                _time.sleep(0.2)
            _time.sleep(1.5)
            job = sched.get_job(args.kind)
            nxt = job.next_run_time.astimezone(tz)
            assert args.next_fire() == nxt
        finally:
            sched.shutdown(wait=True)
    assert calls == [moment.date()]
    assert nxt.date() == moment.date() + timedelta(days=1) and nxt.strftime("%H:%M") == at


def test_a_second_scheduler_for_the_same_state_refuses_to_run(tmp_path: Path) -> None:
    state = tmp_path / "state"
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path;"
         "from briefing.deliver.schedule import SchedulerLock;"
         f"l = SchedulerLock(Path({str(state)!r})).acquire(); print('locked', flush=True); time.sleep(30)"],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        exe = Path(sys.executable).with_name("briefing")
        r = subprocess.run([str(exe), "schedule", "--state", str(state), "--at", "07:00"],
                           capture_output=True, text=True, timeout=60,
                           env={**os.environ, "BRIEFING_SOURCES": "inbox/"})  # fmt: skip
        assert r.returncode == 1 and f"pid {holder.pid}" in r.stderr
    finally:
        holder.kill()
        holder.wait()
    with sch.SchedulerLock(state):  # free again once the holder is gone
        pass


def test_status_command(tmp_path: Path, job_env) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from briefing.cli import app

    args, _calls, state = job_env
    r = CliRunner().invoke(app, ["schedule", "status", "--state", str(state)])
    assert r.exit_code == 0 and "never" in r.stdout and "topic:\tnews-briefing" in r.stdout
    assert daily_job(args.state, None, args.topic, args.tz) in ("ok", "skipped")
    r = CliRunner().invoke(app, ["schedule", "status", "--state", str(state)])
    assert re.search(r"next run:\t20\d\d-\d\d-\d\d 07:00 (GMT|BST) \(Europe/London\)", r.stdout)
    assert "outcome:\tok" in r.stdout
    assert "runs at:\t07:00 Europe/London\n" in r.stdout  # no scheduler running: the settings' time
    assert "(Europe/London)" in r.stdout
    json.dumps(r.stdout)


@pytest.mark.slow
@pytest.mark.parametrize("signum", [15, 2])  # SIGTERM, SIGINT
def test_a_signal_stops_the_scheduler_cleanly_and_releases_the_lock(tmp_path: Path, signum: int) -> None:
    import signal

    state = tmp_path / "state"
    exe = Path(sys.executable).with_name("briefing")
    env = {**os.environ, "BRIEFING_SOURCES": str(tmp_path), "BRIEFING_STATE_DIR": str(state)}
    now = datetime.now(ZoneInfo("Europe/London"))
    at = (now + timedelta(hours=5)).strftime("%H:%M")  # no run fires while the test runs
    if 1 <= int(at[:2]) < 3:
        at = "05:00"
    proc = subprocess.Popen([str(exe), "schedule", "--at", at], stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert proc.stderr is not None
        lines = []
        while "scheduler running" not in (line := proc.stderr.readline()):
            assert line, "".join(lines)
            lines.append(line)
        status = subprocess.run([str(exe), "schedule", "status"], capture_output=True, text=True, env=env)
        assert f"scheduler:\trunning (pid {proc.pid})" in status.stdout
        # status shows the time this scheduler runs at (its --at), not only the settings' time
        assert f"runs at:\t{at} Europe/London (the running scheduler" in status.stdout, status.stdout
        assert f" {at} " in status.stdout.split("next run:\t", 1)[1].splitlines()[0]
        assert "news-briefing: daily at" in "".join(lines)
        proc.send_signal(signum)
        rest = proc.stderr.read()
        assert proc.wait(timeout=30) == 0
    finally:
        proc.kill()
    name = signal.Signals(signum).name
    assert f"{name}: finishing the current run" in rest and f"stopped on {name}; lock released" in rest
    assert "Traceback" not in rest
    assert sch.SchedulerLock.holder(state) is None
    status = subprocess.run([str(exe), "schedule", "status"], capture_output=True, text=True, env=env)
    assert "scheduler:\tnot running" in status.stdout


def test_the_dst_window_is_refused_only_in_zones_with_daylight_saving() -> None:
    assert sch.parse_at("02:30", tz=ZoneInfo("UTC")) == time(2, 30)
    assert sch.parse_at("02:30", tz=ZoneInfo("Asia/Tokyo")) == time(2, 30)
    with pytest.raises(UsageError, match="daylight-saving"):
        sch.parse_at("02:30", tz=ZoneInfo("Europe/London"))
