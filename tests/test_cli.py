from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from briefing.cli import app

from .conftest import CORPUS

runner = CliRunner()


def invoke(*args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, list(args))


def test_run_sample_markdown_to_stdout() -> None:
    r = invoke("run", "--sample", "--date", "2025-02-13")
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("# Ukraine talks — 13 February 2025")
    assert "## Sources" in r.stdout


def test_run_json_format_is_the_contract() -> None:
    r = invoke("run", "--sample", "--date", "2025-02-12", "--format", "json")
    assert r.exit_code == 0
    data = json.loads(r.stdout)
    assert data["topic"] == "Ukraine talks" and data["date"] == "2025-02-12"
    assert data["summariser"]["backend"] == "extractive"


def test_run_writes_all_formats_into_out(tmp_path: Path) -> None:
    r = invoke("run", "--sample", "--date", "2025-02-13", "--out", str(tmp_path))
    assert r.exit_code == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "briefing.html",
        "briefing.json",
        "briefing.md",
    ]
    assert str(tmp_path / "briefing.html") in r.stdout


def test_usage_errors_exit_2() -> None:
    assert invoke("run").exit_code == 2
    r = invoke("run", "--sample", "--date", "13/02/2025")
    assert r.exit_code == 2 and "use YYYY-MM-DD" in r.stderr
    assert invoke("run", "--sample", "--tz", "Mars/Olympus").exit_code == 2
    assert invoke("run", "--sample", "--format", "pdf").exit_code == 2
    assert invoke("run", "--sample", "--format", "all").exit_code == 2
    assert invoke("run", "--sample", "--no-such-flag").exit_code == 2


def test_nothing_in_window_exits_5_with_a_clear_message() -> None:
    r = invoke("run", "--sample", "--date", "2031-01-01")
    assert r.exit_code == 5
    assert "nothing to brief in the window 2031-01-01" in r.stderr


def test_bad_input_is_skipped_and_exit_code_says_partial(tmp_path: Path) -> None:
    shutil.copy(CORPUS / "001_e4295a515bf2662b.txt", tmp_path)
    (tmp_path / "broken.txt").write_bytes(b"caf\xe9 \xfa not utf8 \xff")
    r = invoke("run", str(tmp_path), "--date", "2025-02-13", "--format", "json")
    assert r.exit_code == 3
    data = json.loads(r.stdout)
    assert data["sections"]
    assert any(s["input"].endswith("broken.txt") for s in data["skipped"])
    assert "skipped" in r.stderr and "broken.txt" in r.stderr


def test_no_readable_input_exits_5(tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_text("")
    r = invoke("run", str(tmp_path / "empty.txt"))
    assert r.exit_code == 5 and "empty file" in r.stderr


def test_console_script_help_and_verbose_logs_go_to_stderr() -> None:
    exe = Path(sys.executable).with_name("briefing")
    r = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    assert "run" in r.stdout
    r = subprocess.run(
        [str(exe), "-v", "run", "--sample", "--date", "2025-02-13", "--format", "json"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert r.returncode == 0
    json.loads(r.stdout)  # stdout is pure data
    stages = [ln.split(":")[2].strip() for ln in r.stderr.splitlines() if ln.startswith("briefing: INFO: ")
              and ln.endswith(" s")]  # fmt: skip
    assert stages == ["read", "window", "dedupe", "stories", "summarise"]  # one line per stage
    assert "\x1b" not in r.stderr  # no progress bar or colour when stderr is not a terminal
    # -v after the command works too, and -q keeps only errors
    r2 = subprocess.run([str(exe), "run", "--sample", "--date", "2025-02-13", "-f", "json", "-v"],
                        capture_output=True, text=True)  # fmt: skip
    assert r2.returncode == 0 and "briefing: INFO: read:" in r2.stderr
    r3 = subprocess.run([str(exe), "run", "--sample", "--date", "2025-02-13", "-f", "json", "-q"],
                        capture_output=True, text=True)  # fmt: skip
    assert r3.returncode == 0 and "INFO" not in r3.stderr
