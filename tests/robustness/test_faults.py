"""Faults: kill -9 mid-run and mid-build, concurrent runs on one state, a full disk."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from briefing.errors import DeliveryError
from briefing.render import write_outputs
from briefing.state import Store

from ..conftest import brief

EXE = str(Path(sys.executable).with_name("briefing"))


def integrity(state: Path) -> str:
    db = sqlite3.connect(state / "briefing.sqlite3")
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def spawn(*args: str, state: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen([EXE, *args], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env={**os.environ, "BRIEFING_STATE_DIR": str(state)})  # fmt: skip


@pytest.mark.slow
def test_kill_9_during_run_leaves_a_consistent_state(tmp_path: Path) -> None:
    state = tmp_path / "state"
    for delay in (0.3, 0.6, 0.9, 1.2, 1.5):
        p = spawn(
            "run", "--sample", "--date", "2025-02-13", "--out", str(tmp_path / "out"), state=state
        )
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        if (state / "briefing.sqlite3").exists():
            assert integrity(state) == "ok"
    done = subprocess.run([EXE, "run", "--sample", "--date", "2025-02-13", "--out", str(tmp_path / "out")],
                          env={**os.environ, "BRIEFING_STATE_DIR": str(state)}, capture_output=True)  # fmt: skip
    assert done.returncode == 0
    assert integrity(state) == "ok"
    json.loads((tmp_path / "out" / "briefing.json").read_text())  # outputs are whole, never half


@pytest.mark.slow
def test_kill_9_during_archive_build_never_breaks_the_site(tmp_path: Path) -> None:
    state = tmp_path / "state"
    store = Store(state)
    b = brief("2025-02-13")
    for i in range(300):  # enough pages that a build takes a while
        store.save_briefing(b.model_copy(update={"topic": f"Topic {i}", "topic_id": None}), edition=True)
    store.close()
    site = tmp_path / "site"
    assert subprocess.run([EXE, "archive", "build", "--out", str(site)], capture_output=True,
                          env={**os.environ, "BRIEFING_STATE_DIR": str(state)}).returncode == 0  # fmt: skip
    store = Store(state)
    store.save_briefing(b.model_copy(update={"topic": "One more", "topic_id": None}), edition=True)
    store.close()
    for delay in (0.2, 0.5, 0.8, 1.1):
        p = spawn("archive", "build", "--out", str(site), state=state)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        live = site.resolve()
        manifest = json.loads((live / "manifest.json").read_text())
        assert all((live / rel).is_file() for rel in manifest), "the live site is always complete"
        assert (site / "index.html").is_file()
    assert subprocess.run([EXE, "archive", "build", "--out", str(site)], capture_output=True,
                          env={**os.environ, "BRIEFING_STATE_DIR": str(state)}).returncode == 0  # fmt: skip
    assert (site / "2025/02/13/one-more/index.html").is_file()
    assert len(list((tmp_path / ".site.builds").iterdir())) <= 2  # killed half-builds are cleaned


@pytest.mark.slow
def test_two_runs_at_once_on_one_state(tmp_path: Path) -> None:
    state = tmp_path / "state"
    procs = [spawn("run", "--sample", "--date", d, "--format", "json", state=state)
             for d in ("2025-02-12", "2025-02-13", "2025-02-12", "2025-02-13")]  # fmt: skip
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0, 0]
    assert integrity(state) == "ok"
    db = sqlite3.connect(state / "briefing.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM briefings").fetchone()[0] == 4
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT id) FROM entries").fetchone() == (33, 33)
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 5
    db.close()


def test_full_disk_while_writing_outputs_keeps_the_previous_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    b = brief("2025-02-13")
    out = tmp_path / "out"
    write_outputs(b, ["md", "html", "json"], out)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    real = Path.write_text

    def full(self: Path, *a: object, **k: object) -> int:
        if self.name.endswith(".tmp"):
            raise OSError(28, "No space left on device")
        return real(self, *a, **k)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "write_text", full)
    changed = b.model_copy(update={"topic": "Changed"})
    with pytest.raises(DeliveryError, match="No space left on device"):
        write_outputs(changed, ["md", "html", "json"], out)
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_unwritable_output_folder_is_a_clear_error(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from briefing.cli import app

    target = tmp_path / "file-not-folder"
    target.write_text("x")
    r = CliRunner().invoke(
        app, ["run", "--sample", "--date", "2025-02-13", "--out", str(target / "sub")]
    )
    assert r.exit_code == 1 and "cannot create" in r.stderr
