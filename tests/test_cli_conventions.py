"""The command line behaves like the tools our users know: version, help, python -m,
completion, settings errors with their origin, doctor, and no traceback for any expected
failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing import __version__
from briefing.cli import app
from briefing.cli.main import hoist_verbosity

from .servers.openai_server import FakeOpenAI
from .servers.smtp import SmtpServer

runner = CliRunner()
EXE = str(Path(sys.executable).with_name("briefing"))


def sh(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`briefing ARGS` in this process (Typer's CliRunner, as `main()` calls the app): exit
    code, stdout and stderr apart. The process itself is tested by `sh_process` below and by
    test_cli.py's console-script test."""
    r = runner.invoke(app, hoist_verbosity(list(args)), prog_name="briefing", env=env)
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        raise r.exception  # a traceback the user would have seen
    return subprocess.CompletedProcess([EXE, *args], r.exit_code, r.stdout, r.stderr)


def sh_process(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([EXE, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})  # fmt: skip


def test_version_help_and_python_m() -> None:
    for flag in ("--version", "-V"):
        r = sh_process(flag) if flag == "--version" else sh(flag)  # the real console script once
        assert r.returncode == 0 and r.stdout.strip() == f"briefing {__version__}"
    m = subprocess.run([sys.executable, "-m", "briefing", "--version"], capture_output=True, text=True)
    assert m.stdout.strip() == f"briefing {__version__}"
    for args in (["-h"], ["--help"], ["run", "-h"], ["send", "-h"], ["archive", "build", "-h"]):
        r = sh(*args)
        assert r.returncode == 0 and "Usage: briefing" in r.stdout, args
        assert "<bool>" not in r.stdout and "<str>" not in r.stdout and "list[" not in r.stdout
    top = sh("--help").stdout
    assert "--install-completion" in top and "--show-completion" in top
    for command in ("run", "check", "send", "archive", "schedule", "topics", "history", "eval",
                    "doctor", "prompts"):  # fmt: skip
        assert f"\n  {command} " in top, command
        assert "..." not in top.split(f"\n  {command} ")[1].split("\n")[0]  # summaries are whole
    readme = (Path(__file__).parent.parent / "README.md").read_text()
    for command in ("check", "send", "archive", "schedule", "topics", "history", "eval", "doctor"):
        assert f"`briefing {command}" in readme, command


def test_verbosity_after_the_command() -> None:
    assert hoist_verbosity(["run", "x", "-v"]) == ["-v", "run", "x"]
    assert hoist_verbosity(["-v", "run", "-vv", "--", "-q"]) == ["-v", "-vv", "run", "--", "-q"]


def test_dates_and_settings_errors_name_their_origin(tmp_path: Path) -> None:
    r = sh("run", "--sample", "--date", "2025-02-30", "--no-state")
    assert r.returncode == 2 and "2025-02-30: that day does not exist" in r.stderr
    bad = tmp_path / "briefing.toml"
    bad.write_text('llm = "extractive"\n\ntopik = "x"\n')
    r = sh("run", "--sample", "--config", str(bad), "--no-state")
    assert r.returncode == 2 and f"{bad} line 3: unknown key `topik` (did you mean `topic`?)" in r.stderr
    r = sh("run", "--sample", "--no-state", env={"BRIEFING_CONCURRENCY": "many"})
    assert r.returncode == 2 and "BRIEFING_CONCURRENCY: not an integer" in r.stderr
    for empty in ("0h", "0m", "0d"):
        r = sh("run", "--sample", "--since", empty, "--no-state")
        assert r.returncode == 2 and "the window would be empty" in r.stderr, empty
    r = sh("run", "--sample", "--no-state", "--templates", str(tmp_path / "nowhere"))
    assert r.returncode == 2 and "no such folder" in r.stderr
    r = sh("run", "--sample", "--no-state", "--llm", "extractive", "--prompt-version", "story_batch@7")
    assert r.returncode == 2 and "no version 7" in r.stderr


def test_doctor_names_what_is_broken_and_the_fix(tmp_path: Path) -> None:
    cfg = tmp_path / "briefing.toml"
    with SmtpServer() as smtp, FakeOpenAI() as llm:
        cfg.write_text(f"""smtp_host = "127.0.0.1"
smtp_port = {smtp.port}
mail_from = "briefing@news.example"
base_url = "{llm.base_url}"
api_key = "x"
model = "test-model"
[topics.t]
sources = ["{tmp_path}", "{tmp_path / 'missing'}"]
""")
        r = sh("doctor", "--config", str(cfg), "--state", str(tmp_path / "state"),
               env={"BRIEFING_TIMEOUT": "9"})  # fmt: skip
    out = r.stdout
    assert r.returncode == 1, out
    assert f"base_url = {llm.base_url}\t<- file ({cfg} line 4)" in out
    assert "timeout = 9.0\t<- environment (BRIEFING_TIMEOUT)" in out
    assert "state_dir = " in out and "<- flag" in out
    assert f"ok    LLM: {llm.base_url.rstrip('/')} reachable" in out
    assert "FAIL  SMTP: 127.0.0.1:" in out and "offers no STARTTLS" in out
    assert 'fix: set smtp_security = "none"' in out
    assert f"FAIL  topic t: {tmp_path / 'missing'}: not found" in out
    assert "Traceback" not in r.stderr


def test_doctor_reports_an_llm_that_is_down_within_its_limit(tmp_path: Path) -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = sh("doctor", "--state", str(tmp_path), env={"BRIEFING_BASE_URL": f"http://127.0.0.1:{port}/v1"})
    assert r.returncode == 1 and f"FAIL  LLM: http://127.0.0.1:{port}/v1 unreachable" in r.stdout
    assert "fix: start the server" in r.stdout


@pytest.mark.slow
def test_no_command_prints_a_traceback_for_broken_input(tmp_path: Path) -> None:
    """Every command, with the inputs a user gets wrong: a clear line and an exit code."""
    junk = tmp_path / "junk.json"
    junk.write_text("{not json")
    notbriefing = tmp_path / "other.json"
    notbriefing.write_text('{"hello": 1}')
    bad_toml = tmp_path / "bad.toml"
    bad_toml.write_text("[topics.x\n")
    state = tmp_path / "state"
    cases = [
        ["run", str(tmp_path / "missing.txt")],
        ["run", str(junk), "--date", "2025-02-13"],
        ["run", "--sample", "--date", "13/02/2025"],
        ["run", "--sample", "--since", "forever"],
        ["run", "--sample", "--tz", "Mars/Olympus"],
        ["run", "--sample", "--format", "pdf"],
        ["run", "--sample", "--config", str(bad_toml)],
        ["run", "--topic", "nope"],
        ["check", str(junk)],
        ["check", str(notbriefing)],
        ["check", str(tmp_path / "missing.json")],
        ["send", "--sample", "--date", "2025-02-13"],  # no SMTP configured
        ["send", "--sample", "--date", "2025-02-13", "--to", "not-an-address"],
        ["archive", "serve", "--out", str(tmp_path / "nosite")],
        ["schedule", "--at", "25:00"],
        ["schedule", "status", "--topic", "nope"],
        ["topics", "show", "nope"],
        ["history", "rm", "999"],
        ["eval", str(tmp_path)],
        ["prompts", "show", "nope"],
        ["doctor", "--config", str(bad_toml)],
    ]
    for args in cases:
        r = sh(*args, "--state", str(state)) if args[0] in ("run", "send", "history") else sh(*args)
        assert "Traceback" not in r.stderr and "Traceback" not in r.stdout, (args, r.stderr)
        assert r.returncode in (1, 2, 3, 5), (args, r.returncode, r.stderr)
        assert r.stderr.strip(), args


def test_quiet_prints_only_errors_and_data(tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = sh("run", "--sample", "--date", "2025-02-13", "--no-state", "-o", str(out), "-q")
    assert r.returncode == 0 and r.stdout == "" and r.stderr == ""
    r = sh("run", "--sample", "--date", "2025-02-13", "--no-state", "-o", str(out))
    assert str(out / "briefing.md") in r.stdout  # what was written, without -q
    r = sh("run", "--sample", "--date", "2025-02-13", "--no-state", "-q", "-f", "json")
    assert r.stdout.startswith("{")  # data still goes to stdout


def test_paths_in_the_settings_file_are_relative_to_it_and_tilde_is_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home, conf, elsewhere = tmp_path / "home", tmp_path / "conf", tmp_path / "elsewhere"
    (home / ".config" / "briefing").mkdir(parents=True)
    (home / ".config" / "briefing" / "key").write_text("k\n")
    (conf / "tpl").mkdir(parents=True)
    elsewhere.mkdir()
    cfg = conf / "s.toml"
    cfg.write_text('llm = "extractive"\nstate_dir = "st"\ntemplates = "tpl"\n'
                   'api_key_file = "~/.config/briefing/key"\narchive_dir = "~/site"\n')  # fmt: skip
    from briefing.config import load_settings

    monkeypatch.delenv("BRIEFING_STATE_DIR", raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(elsewhere)  # as cron or systemd would run it: not in the settings' folder
    s = load_settings(cfg)
    assert s.state_path() == conf / "st" and s.templates == conf / "tpl"
    assert s.archive_dir == home / "site" and s.secret_key() == "k"
    assert load_settings(cfg, state_dir=Path("flag")).state_dir == Path("flag")  # flags: cwd
    r = subprocess.run([EXE, "run", "--sample", "--date", "2025-02-13", "--config", str(cfg),
                        "-q", "-f", "json", "--out", str(tmp_path / "b.json")],
                       capture_output=True, text=True)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert (conf / "st" / "briefing.sqlite3").is_file() and not (elsewhere / "st").exists()
    # an error names the setting and where it was set, not a flag the user never typed
    cfg.write_text('boilerplate = "nope.toml"\nllm = "openai"\n')
    r = sh("run", "--sample", "--config", str(cfg), "--no-state")
    assert r.returncode == 2 and f"boilerplate in {cfg} line 1: no such file: {conf / 'nope.toml'}" in r.stderr
    cfg.write_text('llm = "openai"\n')
    r = sh("run", "--sample", "--config", str(cfg), "--no-state",
           env={"OPENAI_API_KEY": "", "BRIEFING_API_KEY": "", "OPENAI_BASE_URL": ""})  # fmt: skip
    assert r.returncode == 2 and f"llm = openai (llm in {cfg} line 1) needs an API key" in r.stderr


def test_doctor_fails_an_llm_it_cannot_use_and_offline_still_checks_files(tmp_path: Path) -> None:
    cfg = tmp_path / "briefing.toml"
    cfg.write_text('llm = "openai"\n[topics.t]\nsources = ["feeds.opml", "https://news.example/rss"]\n')
    clean = {"OPENAI_API_KEY": "", "BRIEFING_API_KEY": "", "OPENAI_BASE_URL": ""}
    r = sh("doctor", "--offline", "--config", str(cfg), "--state", str(tmp_path / "s"), env=clean)
    assert r.returncode == 1, r.stdout
    assert f"FAIL  LLM: llm = openai (llm in {cfg} line 1) but no API key or server" in r.stdout
    assert f"FAIL  topic t: {tmp_path / 'feeds.opml'}: not found" in r.stdout
    assert "https://news.example/rss: not checked (--offline)" in r.stdout
    assert f"llm = openai\t<- file ({cfg} line 1)" in r.stdout
    # every file or folder a setting names is checked, offline too (a run would stop on it)
    cfg.write_text('templates = "tpl"\nsmtp_password_file = "pw"\n[topics.t]\n'
                   'sources = ["."]\nboilerplate = "bp.toml"\n')  # fmt: skip
    r = sh("doctor", "--offline", "--config", str(cfg), "--state", str(tmp_path / "s"), env=clean)
    assert r.returncode == 1, r.stdout
    assert f"FAIL  templates: templates in {cfg} line 1: {tmp_path / 'tpl'}: not found" in r.stdout
    assert f"FAIL  smtp_password_file: smtp_password_file in {cfg} line 2" in r.stdout
    assert f"FAIL  topic t: boilerplate {tmp_path / 'bp.toml'}: not found" in r.stdout


def test_schedule_status_without_topics_says_so(tmp_path: Path) -> None:
    cfg = tmp_path / "briefing.toml"
    cfg.write_text('llm = "extractive"\n')
    r = sh("schedule", "status", "--config", str(cfg), "--state", str(tmp_path / "s"))
    assert r.returncode == 0 and "scheduler:\tnot running" in r.stdout
    assert "topics:\tnone configured" in r.stdout
