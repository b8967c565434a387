"""Bad text that used to crash a whole run (issue 14, classes 8 and 9): a lone surrogate in
JSON, a folder nested 1,100 levels deep, dates near year 9999 with an extreme --tz, and
symlinks out of an input folder. Each is a skip with its reason (or a usage error), and the
good input beside it is briefed."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

from ..conftest import CORPUS

GOOD = CORPUS / "001_e4295a515bf2662b.txt"
runner = CliRunner()


def run(*args: str) -> tuple[int, dict | None, str]:  # type: ignore[type-arg]
    r = runner.invoke(app, ["run", *args, "--date", "2025-02-13", "--format", "json", "--no-state"])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    return r.exit_code, (json.loads(r.stdout) if r.stdout.startswith("{") else None), r.stderr


def reasons(b: dict) -> dict[str, str]:  # type: ignore[type-arg]
    return {Path(s["input"]).name: s["reason"] for s in b["skipped"]}


def test_a_lone_surrogate_in_json_skips_that_article(tmp_path: Path) -> None:
    """1 of 2 articles has "\\ud800": it is skipped with the reason; the other is briefed."""
    path = tmp_path / "mixed.json"
    path.write_text(
        '[{"title": "Bad \\ud800", "published": "2025-02-13T10:00:00",'
        ' "text": "Talks in Geneva went on \\ud800 late into the night on Thursday."},'
        ' {"title": "Good", "published": "2025-02-13T11:00:00",'
        ' "text": "Delegates in Geneva agreed to meet again next week to discuss a ceasefire."}]'
    )
    code, b, err = run(str(path), str(GOOD))
    assert code == 3 and b is not None, err
    assert any("lone UTF-16 surrogate (\\ud800)" in r for r in reasons(b).values())
    assert "Delegates in Geneva agreed" in json.dumps(b["sources"])
    assert len({s["document"] for s in b["sources"].values()}) == 2  # the good article + GOOD


def test_a_folder_nested_1100_levels_deep_is_reported_not_a_crash(tmp_path: Path) -> None:
    deep = tmp_path / "deep"
    deep.mkdir()
    here = deep
    for _ in range(1100):  # one by one: mkdir(parents=True) itself recurses too deep
        here = here / "d"
        here.mkdir()
    (here / "bottom.txt").write_text("date 2025-02-13\n\nA note at the bottom of the pit.")
    shutil.copy(GOOD, deep / "good.txt")
    try:
        code, b, err = run(str(deep))
    finally:  # bottom up: shutil.rmtree (and so pytest's clean-up) recurses too deep for it
        (here / "bottom.txt").unlink()
        while here != deep:
            here.rmdir()
            here = here.parent
    assert code == 3 and b is not None, err
    assert any("nested more than 64 levels deep" in r for r in reasons(b).values())
    assert b["sections"]


@pytest.mark.parametrize(
    ("published", "tz"),
    [("9999-12-31T23:30:00", "Etc/GMT+12"), ("9999-12-31T23:30:00-12:00", "Pacific/Kiritimati"),
     ("9999-12-31", "Pacific/Kiritimati"), ("0001-01-01T00:10:00+14:00", "Etc/GMT+12")],
)  # fmt: skip
def test_dates_near_the_ends_of_time_are_skips(tmp_path: Path, published: str, tz: str) -> None:
    path = tmp_path / "far.json"
    path.write_text(json.dumps([
        {"title": "Far", "published": published, "text": "Talks at the end of time went well."},
        {"title": "Near", "published": "2025-02-13T10:00:00",
         "text": "Delegates in Geneva agreed to meet again next week to discuss a ceasefire."},
    ]))  # fmt: skip
    code, b, err = run(str(path), "--tz", tz)
    assert code == 3 and b is not None, err
    assert any("is out of range" in r for r in reasons(b).values())
    assert "Delegates in Geneva" in json.dumps(b["sources"])


@pytest.mark.parametrize("flag", [["--date", "9999-12-31"], ["--date", "0001-01-01"],
                                  ["--since", "99999999999w"]])  # fmt: skip
def test_a_date_flag_at_the_ends_of_time_is_a_usage_error(flag: list[str]) -> None:
    r = runner.invoke(app, ["run", str(GOOD), *flag, "--tz", "Pacific/Kiritimati", "--no-state"])
    assert r.exit_code == 2 and isinstance(r.exception, SystemExit), r.output
    assert "out of range" in r.stderr or "at most" in r.stderr


def test_symlinks_out_of_a_folder_are_skipped_unless_given_themselves(tmp_path: Path) -> None:
    """A folder holds a symlink to a file outside it (skipped, with the reason) and one to a
    file inside it (read); the outside file given by itself is read."""
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("date 2025-02-13\n\nThe secret plan of the ministry was leaked to nobody.")
    inbox = tmp_path / "inbox"
    (inbox / "sub").mkdir(parents=True)
    shutil.copy(GOOD, inbox / "sub" / "good.txt")
    os.symlink(secret, inbox / "link.txt")
    os.symlink(inbox / "sub" / "good.txt", inbox / "inside.txt")
    _code, b, err = run(str(inbox))
    assert b is not None, err
    assert reasons(b)["link.txt"].startswith("a symbolic link to a file outside the folder")
    assert "secret plan" not in json.dumps(b)
    _code, b, err = run(str(inbox / "link.txt"), str(GOOD))
    assert b is not None and "secret plan" in json.dumps(b["sources"]), err
