"""A delivered edition is immutable (issue 21, item 2): once a reader was sent a slot's
edition, a later run of that slot makes a new revision with its own id, archived beside the
first (…/r2/), mailed only to readers who had not had the slot (or with --force); the slot's
page and the next edition's window stay those of the revision its readers got. A fixed clock
(time-machine), the real CLI, a real SMTP server on 127.0.0.1, a real SQLite state."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest
import time_machine
from typer.testing import CliRunner

from briefing.cli import app
from briefing.state import Store

from .servers.smtp import SmtpServer
from .test_editions_window import ITEMS, _at, _feed

runner = CliRunner()
READERS = ("ana@readers.example", "ben@readers.example")
ARCHIVE = "https://news.example/briefings/"


def _config(tmp_path: Path) -> Path:
    feed = _feed(tmp_path / "desk.rss")
    cfg = tmp_path / "briefing.toml"
    cfg.write_text(f'tz = "Europe/London"\nllm = "extractive"\narchive_url = "{ARCHIVE}"\n[topics.desk]\ntitle = "Desk"\n'
                   f'sources = ["{feed}"]\nat = "07:00"\n'
                   f"mail_to = {json.dumps(list(READERS))}\n", encoding="utf-8")  # fmt: skip
    return cfg


def _cli(cfg: Path, state: Path, when: str, *args: str) -> tuple[str, str]:
    with time_machine.travel(_at(when), tick=False):
        r = runner.invoke(app, [*args, "--config", str(cfg), "--state", str(state)])
    assert r.exit_code == 0, (args, r.stdout, r.stderr)
    return r.stdout, r.stderr


def _titles(*picks: int) -> set[str]:
    return {ITEMS[i][1] for i in picks}


def _held(text: str) -> set[str]:
    """The items' headlines a page or message names."""
    return {title for _, title, _ in ITEMS if title in text}


def _message_to(smtp: SmtpServer, rcpt: str) -> str:
    (msg,) = [m for m in smtp.handler.messages if m["To"] == rcpt]
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def _without_revision_note(page: str) -> str:
    return re.sub(r'\n?<p class="meta revision"[^\n]*?</p>', "", page)


def test_a_later_run_of_a_mailed_slot_is_a_revision_and_changes_nothing_mailed(
    tmp_path: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = _config(tmp_path)
    site = tmp_path / "site"
    slot_page = site / "2026" / "02" / "13" / "desk" / "index.html"
    with SmtpServer() as smtp:
        for k, v in smtp.env.items():
            monkeypatch.setenv(k, v)
        # 13 Feb 07:00: the edition is made and mailed to both readers
        _, err = _cli(cfg, state_dir, "2026-02-13 07:00", "send", "--topic", "desk")
        assert "sent to 2, 0 skipped, 0 failed" in err and "revision 1" in err
        for rcpt in READERS:
            assert _held(_message_to(smtp, rcpt)) == _titles(1, 2, 3, 4, 5)
        _cli(cfg, state_dir, "2026-02-13 07:05", "archive", "build", "--out", str(site))
        mailed_page = slot_page.read_text(encoding="utf-8")
        assert _held(mailed_page) == _titles(1, 2, 3, 4, 5)
        with Store(state_dir) as store:
            first = store.edition("desk", "2026-02-13")
            assert first is not None
            r1_id, r1 = first
            assert {d["briefing_id"] for d in store.deliveries("desk", "2026-02-13")} == {r1_id}

        # 12:30: a stored run of the same slot is its revision 2, from the slot's start to now
        out, _ = _cli(cfg, state_dir, "2026-02-13 12:30", "run", "--topic", "desk", "--save",
                      "-f", "json")  # fmt: skip
        r2 = json.loads(out)
        assert r2["date"] == "2026-02-13" and r2["window_start"] == r1.window_start
        assert r2["window_end"] == "2026-02-13T12:30:00+00:00"
        assert {s["title"] for s in r2["sources"].values()} == _titles(1, 2, 3, 4, 5, 6, 7)
        with Store(state_dir) as store:
            assert store.edition("desk", "2026-02-13") == (r1_id, r1)  # still in force
            latest = store.latest_revision("desk", "2026-02-13")
            assert latest is not None and latest[0] != r1_id
            r2_id = latest[0]
            assert store.revision_of(r1_id) == 1 and store.revision_of(r2_id) == 2

        # `send` again: the two who had the slot are skipped; a new reader gets revision 2
        _, err = _cli(cfg, state_dir, "2026-02-13 12:40", "send", "--topic", "desk",
                        "--to", READERS[0], "--to", READERS[1], "--to", "cai@readers.example")
        assert "sent to 1, 2 skipped (already sent), 0 failed" in err and "revision 2" in err
        assert len(smtp.handler.messages) == 3
        mailed = _message_to(smtp, "cai@readers.example")
        held = _held(mailed)  # 7 stories: the email has 6
        # each reader's archive link is the page of the revision they got
        assert f"{ARCHIVE}2026/02/13/desk/r2/index.html" in mailed
        first = _message_to(smtp, READERS[0])
        assert f"{ARCHIVE}2026/02/13/desk/index.html" in first and "/r2/" not in first
        assert held <= _titles(1, 2, 3, 4, 5, 6, 7) and _titles(6, 7) <= held
        with Store(state_dir) as store:
            got = {d["recipient"]: d["briefing_id"] for d in store.deliveries("desk", "2026-02-13")
                   if d["status"] == "sent"}  # fmt: skip
        assert got == {READERS[0]: r1_id, READERS[1]: r1_id, "cai@readers.example": r2_id}

        # the slot's page is still what its readers got, and links the later revision
        _cli(cfg, state_dir, "2026-02-13 12:45", "archive", "build", "--out", str(site))
        page = slot_page.read_text(encoding="utf-8")
        assert _without_revision_note(page) == mailed_page
        assert '<a href="r2/index.html">revision 2</a>' in page
        later = (slot_page.parent / "r2" / "index.html").read_text(encoding="utf-8")
        assert _titles(6, 7) <= _held(later) <= _titles(1, 2, 3, 4, 5, 6, 7)
        assert 'made after its readers were sent <a href="../index.html">revision 1</a>' in later
        index = (site / "index.html").read_text(encoding="utf-8")
        assert "2026/02/13/desk/index.html" in index and "/r2/" not in index  # one edition a day

        # history keeps both, tells them apart, and counts who had each
        out, _ = _cli(cfg, state_dir, "2026-02-13 12:50", "history", "--topic", "desk")
        rows = {int(r[0]): r for r in (line.split("\t") for line in out.splitlines()[1:])}
        assert rows[r1_id][3] == "edition" and rows[r1_id][6:] == ["r1", "2"]
        assert rows[r2_id][3] == "revision" and rows[r2_id][6:] == ["r2", "1"]

        # 14 Feb 07:00: the next edition starts where the one its readers got ended
        _, err = _cli(cfg, state_dir, "2026-02-14 07:00", "send", "--topic", "desk")
        assert "sent to 2, 0 skipped, 0 failed" in err
        assert _held(_message_to_last(smtp, READERS[0])) == _titles(6, 7)
        with Store(state_dir) as store:
            nxt = store.edition("desk", "2026-02-14")
        assert nxt is not None and nxt[1].window_start == r1.window_end

        # --force resends the newest revision to everyone named; the slot keeps its page
        _, err = _cli(cfg, state_dir, "2026-02-14 08:00", "send", "--topic", "desk", "--date",
                      "2026-02-13", "--force", "--to", READERS[0])  # fmt: skip
        assert "sent to 1, 0 skipped, 0 failed" in err
        held = _held(_message_to_last(smtp, READERS[0]))
        assert held <= _titles(1, 2, 3, 4, 5, 6, 7) and _titles(6, 7) <= held
        with Store(state_dir) as store:
            assert store.edition("desk", "2026-02-13") == (r1_id, r1)  # ben still has r1


def _message_to_last(smtp: SmtpServer, rcpt: str) -> str:
    msg = [m for m in smtp.handler.messages if m["To"] == rcpt][-1]
    body = msg.get_body(("plain",))
    assert body is not None
    return str(body.get_content())


def test_before_anyone_is_sent_it_a_new_run_replaces_the_edition(
    tmp_path: Path, state_dir: Path
) -> None:
    cfg = _config(tmp_path)
    _cli(cfg, state_dir, "2026-02-13 07:00", "run", "--topic", "desk", "--save", "-f", "json")
    _cli(cfg, state_dir, "2026-02-13 08:30", "run", "--topic", "desk", "--save", "-f", "json")
    with Store(state_dir) as store:
        kinds = [(r["kind"], r["revision"], r["readers"]) for r in store.history("desk")]
        assert kinds == [("edition", 2, 0), ("replaced", 1, 0)]
        assert store.later_revisions() == []
        found = store.edition("desk", "2026-02-13")
        assert found is not None and "Museum returns stolen paintings" in {
            s.title for s in found[1].sources.values()
        }


def test_m005_numbers_the_revisions_of_an_older_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state made before m005: two editions of one day (the first mailed), an ad hoc run.
    After the migration they are revisions 1 and 2, with their windows, and the mailed one is
    in force."""
    from briefing.contract import Briefing
    from briefing.state import migrations
    from briefing.state import store as store_module

    sample = Path(__file__).parent.parent / "sample_outputs" / "2025-02-13" / "briefing.json"
    b = Briefing.model_validate_json(sample.read_text(encoding="utf-8"))
    b = b.model_copy(update={"window_start": "2025-02-12T07:00:00+00:00",
                             "window_end": "2025-02-13T07:00:00+00:00"})  # fmt: skip
    state = tmp_path / "old"
    monkeypatch.setattr(store_module, "MIGRATIONS", migrations.MIGRATIONS[:4])
    with store_module.Store(state) as old:
        rows = []
        for edition in (1, 1, 0):
            cur = old.db.execute(
                "INSERT INTO briefings (topic, topic_slug, topic_id, edition, date, window,"
                " generated_at, backend, prompts, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, '[]', ?)",
                (b.topic, b.topic_key, b.topic_key, edition, b.date, b.window, b.generated_at,
                 "extractive", b.model_dump_json()),
            )  # fmt: skip
            rows.append(cur.lastrowid)
        old.db.execute("INSERT INTO deliveries (briefing_id, topic_slug, topic_id, date, recipient,"
                       " status) VALUES (?, ?, ?, ?, 'ana@readers.example', 'sent')",
                       (rows[0], b.topic_key, b.topic_key, b.date))  # fmt: skip
    monkeypatch.undo()
    with Store(state) as new:
        got = {r["id"]: (r["revision"], r["kind"]) for r in new.history()}
        assert got == {rows[0]: (1, "edition"), rows[1]: (2, "revision"), rows[2]: (None, "ad hoc")}
        assert [x[:2] for x in new.later_revisions()] == [(2, 1)]
    db = sqlite3.connect(state / "briefing.sqlite3")
    windows = db.execute("SELECT window_start, window_end FROM briefings WHERE id = ?",
                         (rows[0],)).fetchone()  # fmt: skip
    assert windows == ("2025-02-12T07:00:00+00:00", "2025-02-13T07:00:00+00:00")
