"""The state and output folders under the operating system's refusals (issue 24): a state
folder that is read-only for the (non-root) user running `briefing`, and a disk that is
really full, on the state and on `--out`. Real processes, real SQLite, and, as root, a real
tmpfs of a few hundred kilobytes filled to the last byte (else `ulimit -f`, RLIMIT_FSIZE,
which makes a write past the limit fail with EFBIG as a full disk fails with ENOSPC)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import resource
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

EXE = str(Path(sys.executable).with_name("briefing"))
ROOT = os.geteuid() == 0
SETPRIV = shutil.which("setpriv")


def briefing(*args: str, state: Path, as_nobody: bool = False,
             preexec: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:  # fmt: skip
    env = {**os.environ, "BRIEFING_STATE_DIR": str(state), "HOME": str(state.parent),
           "BRIEFING_SMTP_HOST": "127.0.0.1", "BRIEFING_SMTP_PORT": "9", "BRIEFING_SMTP_SECURITY":
           "none", "BRIEFING_MAIL_FROM": "briefing@news.example"}  # fmt: skip
    cmd = [EXE, *args]
    if as_nobody:
        cmd = [str(SETPRIV), "--reuid=nobody", "--regid=nogroup", "--clear-groups", *cmd]
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=preexec)  # fmt: skip


def integrity(state: Path) -> str:
    db = sqlite3.connect(f"file:{state / 'briefing.sqlite3'}?mode=ro", uri=True)
    try:
        return str(db.execute("PRAGMA integrity_check").fetchone()[0])
    finally:
        db.close()


def editions(state: Path) -> list[str]:
    db = sqlite3.connect(f"file:{state / 'briefing.sqlite3'}?mode=ro", uri=True)
    try:
        return [r[0] for r in db.execute("SELECT date FROM briefings ORDER BY date")]
    finally:
        db.close()


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())
            if p.is_file()}  # fmt: skip


def one_line_error(r: subprocess.CompletedProcess[str], *words: str) -> None:
    assert r.returncode == 1, r.stdout + r.stderr
    assert "Traceback" not in r.stderr, r.stderr
    errors = [line for line in r.stderr.splitlines() if line.startswith("briefing: error:")]
    assert len(errors) == 1, r.stderr
    assert all(w in errors[0] for w in words), errors[0]


@pytest.fixture()
def shared_tmp() -> Iterator[Path]:
    """A folder every user can reach (pytest's own is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="briefing-disk-"))
    path.chmod(0o755)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_a_read_only_state_folder_is_a_clear_error_and_loses_nothing(shared_tmp: Path) -> None:
    """As a non-root user (root drops to `nobody` with setpriv: root ignores permissions)."""
    if ROOT and SETPRIV is None:
        if os.environ.get("CI"):
            pytest.fail("running as root without setpriv: cannot test a read-only state")
        pytest.skip("running as root without setpriv (util-linux): cannot drop to a user "
                    "for whom the folder is read-only")  # fmt: skip
    state, out = shared_tmp / "state", shared_tmp / "out"
    r = briefing("run", "--sample", "--date", "2025-02-12", "--save", "--format", "json", state=state)
    assert r.returncode == 0, r.stderr
    out.mkdir(mode=0o777)
    out.chmod(0o777)
    for p in state.iterdir():
        p.chmod(0o444)
    state.chmod(0o555)
    before = digest(state)
    try:
        r = briefing("run", "--sample", "--date", "2025-02-13", "--save", "--out", str(out),
                     state=state, as_nobody=ROOT)  # fmt: skip
        one_line_error(r, "not stored", str(state / "briefing.sqlite3"), "readonly", "writable")
        json.loads((out / "briefing.json").read_text())  # the outputs were written first
        assert json.loads((out / "briefing.json").read_text())["date"] == "2025-02-13"
        for args in (["send", "--sample", "--date", "2025-02-12", "--to", "a@readers.example"],
                     ["history"], ["archive", "build", "--out", str(out / "site")]):  # fmt: skip
            r = briefing(*args, state=state, as_nobody=ROOT)
            one_line_error(r, str(state / "briefing.sqlite3"), "writable")
        assert digest(state) == before  # nothing in the state changed, nothing was lost
    finally:
        state.chmod(0o755)
    assert integrity(state) == "ok" and editions(state) == ["2025-02-12"]


@contextlib.contextmanager
def small_disk(where: Path, kb: int) -> Iterator[str]:
    """A real filesystem of `kb` KB at `where` (tmpfs, as root); yields how it was made."""
    where.mkdir()
    if not ROOT or os.environ.get("BRIEFING_TEST_RLIMIT"):  # (the second: to test the fallback)
        yield "rlimit"
        return
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={kb}k,mode=0755", "tmpfs",
                              str(where)], capture_output=True)  # fmt: skip
    if mounted.returncode != 0:
        yield "rlimit"
        return
    try:
        yield "tmpfs"
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def fill(folder: Path) -> Path:
    """Fill the filesystem of `folder` to the last byte; the filler is returned (to free it)."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        except OSError:
            pass
        with contextlib.suppress(OSError):
            while True:
                f.write(b"\0")
                f.flush()
    with contextlib.suppress(OSError), (folder / "probe").open("wb", buffering=0) as f:
        f.write(b"x" * 4096)
        f.flush()
        os.fsync(f.fileno())
        raise AssertionError("the disk still takes writes")
    (folder / "probe").unlink(missing_ok=True)
    return filler


def file_limit(kb: int) -> Callable[[], None]:
    """`ulimit -f`: writes past `kb` KB fail with EFBIG (SIGXFSZ ignored, so they fail
    rather than kill)."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (kb * 1024, kb * 1024))

    return limit


def test_a_full_state_disk_keeps_the_outputs_and_every_earlier_edition(shared_tmp: Path) -> None:
    state, out = shared_tmp / "disk", shared_tmp / "out"
    with small_disk(state, 4096) as how:
        assert briefing("run", "--sample", "--date", "2025-02-12", "--save", "--format", "json",
                        state=state).returncode == 0  # fmt: skip
        if how == "tmpfs":
            filler = fill(state)
            r = briefing("run", "--sample", "--date", "2025-02-13", "--save", "--out", str(out),
                         state=state)  # fmt: skip
            assert json.loads((out / "briefing.json").read_text())["date"] == "2025-02-13"
            one_line_error(r, "not stored", str(state / "briefing.sqlite3"), "disk is full",
                           "free space")  # fmt: skip
        else:  # a limit on every file the process writes: the briefing goes to stdout
            r = briefing("run", "--sample", "--date", "2025-02-13", "--save", "--format", "json",
                         state=state, preexec=file_limit(1))  # fmt: skip
            assert json.loads(r.stdout)["date"] == "2025-02-13"
            one_line_error(r, "not stored", str(state / "briefing.sqlite3"), "disk I/O error")
        if how == "tmpfs":
            filler.unlink()  # (SQLite rolls the failed transaction back on the next open)
        assert integrity(state) == "ok" and editions(state) == ["2025-02-12"]
        again = briefing("run", "--sample", "--date", "2025-02-13", "--save", "--format", "json",
                         state=state)  # fmt: skip
        assert again.returncode == 0, again.stderr
        assert editions(state) == ["2025-02-12", "2025-02-13"] and integrity(state) == "ok"
    print(f"full state disk made with: {how}")


def test_a_full_output_disk_keeps_the_previous_outputs(shared_tmp: Path) -> None:
    state, out = shared_tmp / "state", shared_tmp / "out"
    with small_disk(out, 1024) as how:
        first = briefing("run", "--sample", "--date", "2025-02-12", "--out", str(out), state=state)
        assert first.returncode == 0, first.stderr
        before = digest(out)
        if how == "tmpfs":
            filler = fill(out)
            before["filler"] = digest(out)["filler"]
            r = briefing("run", "--sample", "--date", "2025-02-13", "--out", str(out), state=state)
        else:
            r = briefing("run", "--sample", "--date", "2025-02-13", "--out", str(out),
                         state=state, preexec=file_limit(1))  # fmt: skip
        one_line_error(r, str(out))
        assert "No space left" in r.stderr or "too large" in r.stderr, r.stderr
        assert digest(out) == before  # the previous outputs whole; no temporary file left
        if how == "tmpfs":
            filler.unlink()
        again = briefing("run", "--sample", "--date", "2025-02-13", "--out", str(out), state=state)
        assert again.returncode == 0, again.stderr
        assert json.loads((out / "briefing.json").read_text())["date"] == "2025-02-13"
    print(f"full output disk made with: {how}")
