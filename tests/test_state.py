"""State: what was seen and briefed, `--new`, and continuations across days."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing import app as runs
from briefing.cli import app
from briefing.config import load_settings
from briefing.state import Store

from .conftest import CORPUS

runner = CliRunner()


def test_new_briefs_only_entries_first_seen_since_the_last_briefing(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(CORPUS / "001_e4295a515bf2662b.txt", inbox)
    state = tmp_path / "state"
    args = ["run", str(inbox), "--date", "2025-02-13", "--state", str(state), "--format", "json"]
    first = runner.invoke(app, args)
    assert first.exit_code == 0
    again = runner.invoke(app, [*args, "--new"])
    assert again.exit_code == 5 and "nothing new since the last briefing" in again.stderr
    assert "(11 entries already seen)" in again.stderr  # nothing new arrived
    shutil.copy(CORPUS / "002_9e1897877990e860.txt", inbox)  # a new article arrives
    new = runner.invoke(app, [*args, "--new"])
    assert new.exit_code == 0, new.stderr
    b = json.loads(new.stdout)
    assert {s["document"] for s in b["sources"].values()} == {"002_9e1897877990e860"}
    assert b["window"].startswith("new entries of 2025-02-13"), b["window"]  # not "all entries"
    db = sqlite3.connect(state / "briefing.sqlite3")
    assert db.execute("SELECT COUNT(*) FROM briefings").fetchone()[0] == 2
    assert db.execute("SELECT COUNT(*) FROM documents").fetchone()[0] == 2
    assert runner.invoke(app, [*args, "--new", "--no-state"]).exit_code == 2


def test_new_without_a_date_is_titled_by_what_it_briefs(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(CORPUS / "001_e4295a515bf2662b.txt", inbox)
    args = ["run", str(inbox), "--state", str(tmp_path / "state"), "--format", "json"]
    assert json.loads(runner.invoke(app, args).stdout)["window"] == "all entries"
    shutil.copy(CORPUS / "002_9e1897877990e860.txt", inbox)
    new = runner.invoke(app, [*args, "--new"])
    assert new.exit_code == 0, new.stderr
    assert json.loads(new.stdout)["window"] == "entries new since the last briefing"


def test_produce_reads_the_configured_sources_and_marks_continuations(tmp_path: Path) -> None:
    settings = load_settings(state_dir=tmp_path / "state", topic="Ukraine talks")
    settings = settings.model_copy(update={"sources": [str(CORPUS)]})
    store = Store(tmp_path / "state")
    from datetime import date

    day12 = runs.produce(runs.request(settings, day=date(2025, 2, 12)), store).briefing
    made = runs.produce(runs.request(settings, day=date(2025, 2, 13)), store)
    bid, day13 = made.state_id, made.briefing
    assert day12.topic == day13.topic == "Ukraine talks"
    assert any(s.continues == "2025-02-12" for s in day13.sections)
    assert all(s.continues is None for s in day12.sections)
    assert store.edition(day13.topic_key, "2025-02-13") == (bid, day13)


def test_delivery_claims_sent_busy_stale_and_forced(tmp_path: Path) -> None:
    """A claim is exclusive while its owner runs and is young; a claim of another host older
    than CLAIM_STALE_AFTER is taken over; a sent copy stays sent unless forced."""
    store = Store(tmp_path / "state")
    first = store.claim(1, "t", "2025-02-13", "Ann@Readers.example")
    assert first.state == "claimed"
    assert store.claim(1, "t", "2025-02-13", "ann@readers.example").state == "busy"
    store.db.execute("UPDATE deliveries SET owner = 'elsewhere:1'")
    assert store.claim(1, "t", "2025-02-13", "ann@readers.example").state == "busy"
    store.db.execute("UPDATE deliveries SET at = '2020-01-01T00:00:00.000Z'")
    taken = store.claim(1, "t", "2025-02-13", "ann@readers.example")
    assert taken.state == "claimed" and taken.row != first.row
    assert taken.row is not None
    store.finish_delivery(taken.row, "sent", "<m@x>")
    assert store.claim(1, "t", "2025-02-13", "ann@readers.example").state == "sent"
    assert store.claim(1, "t", "2025-02-13", "ann@readers.example", force=True).state == "claimed"
    errors = [d["error"] for d in store.deliveries("t", "2025-02-13")]
    assert "taken over" in (errors[0] or "") and errors[1] == "superseded by a resend (--force)"


def test_migrations_register_themselves_in_order_and_each_runs_once(tmp_path: Path) -> None:
    from briefing.state.migrations import MIGRATIONS, migration

    names = [m.__name__ for m in MIGRATIONS]
    assert names == sorted(names) and [n[:5] for n in names] == ["m001_", "m002_", "m003_", "m004_", "m005_"]

    def m009_skips_ahead(db: sqlite3.Connection) -> None: ...

    with pytest.raises(ValueError, match="out of order: the next is m006_"):
        migration(m009_skips_ahead)
    assert [m.__name__ for m in MIGRATIONS] == names  # a refused migration is not registered
    Store(tmp_path).close()
    db = sqlite3.connect(tmp_path / "briefing.sqlite3")
    assert [r[0] for r in db.execute("SELECT name FROM migrations ORDER BY rowid")] == names
