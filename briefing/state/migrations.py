"""Append-only migrations of the state database: a migration, once released, never changes;
a new one is appended. Each registers itself with `@migration`, in the order of its number
(m001, m002, ...), and runs once, in one transaction, recorded by its name in `migrations`."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Callable

from ..config import topic_id

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []  # in the order they run


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next migration: its name is `mNNN_what` with NNN the next number."""
    want = f"m{len(MIGRATIONS) + 1:03d}_"
    if not re.fullmatch(rf"{want}\w+", fn.__name__):
        raise ValueError(f"migration {fn.__name__} is out of order: the next is {want}...")
    MIGRATIONS.append(fn)
    return fn



@migration
def m001_llm_cache(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE llm_cache (
            key TEXT PRIMARY KEY,
            model TEXT NOT NULL,
            prompt_sha TEXT NOT NULL,
            response TEXT NOT NULL,
            usage TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        )"""
    )


def _script(db: sqlite3.Connection, sql: str) -> None:
    """Run statements one by one (executescript would commit our migration transaction)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


@migration
def m002_history(db: sqlite3.Connection) -> None:
    _script(
        db,
        """
        CREATE TABLE documents (
            source TEXT PRIMARY KEY,
            doc_id TEXT NOT NULL,
            title TEXT,
            first_seen TEXT NOT NULL
        );
        CREATE TABLE entries (
            id TEXT PRIMARY KEY,
            document TEXT NOT NULL,
            published TEXT,
            first_seen TEXT NOT NULL
        );
        CREATE TABLE briefings (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            topic TEXT NOT NULL,
            topic_slug TEXT NOT NULL,
            date TEXT,
            window TEXT NOT NULL,
            generated_at TEXT NOT NULL,
            backend TEXT NOT NULL,
            model TEXT,
            prompts TEXT NOT NULL,
            json TEXT NOT NULL,
            created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE INDEX briefings_topic_date ON briefings (topic_slug, date);
        CREATE TABLE deliveries (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            briefing_id INTEGER NOT NULL REFERENCES briefings (id),
            topic_slug TEXT NOT NULL,
            date TEXT NOT NULL,
            recipient TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('sent', 'failed')),
            message_id TEXT,
            error TEXT,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        CREATE UNIQUE INDEX deliveries_once ON deliveries (topic_slug, date, recipient)
            WHERE status = 'sent';
        CREATE TABLE runs (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            outcome TEXT,
            message TEXT
        );
        """,
    )


@migration
def m003_topic_ids_and_editions(db: sqlite3.Connection) -> None:
    """Topics are known by a stable id (titles in non-Latin scripts all slugged alike), and a
    topic's edition of a day is told apart from ad-hoc runs. Earlier dated briefings were what
    the archive showed: they become editions."""
    _script(
        db,
        """
        ALTER TABLE briefings ADD COLUMN topic_id TEXT;
        ALTER TABLE briefings ADD COLUMN edition INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE deliveries ADD COLUMN topic_id TEXT;
        """,
    )
    titles = db.execute("SELECT DISTINCT topic FROM briefings").fetchall()
    db.executemany(
        "UPDATE briefings SET topic_id = ? WHERE topic = ?", [(topic_id(t), t) for (t,) in titles]
    )
    _script(
        db,
        """
        UPDATE briefings SET edition = 1 WHERE date IS NOT NULL;
        UPDATE deliveries SET topic_id = (SELECT b.topic_id FROM briefings b
            WHERE b.id = deliveries.briefing_id);
        UPDATE deliveries SET topic_id = topic_slug WHERE topic_id IS NULL;
        CREATE INDEX briefings_topic_id_date ON briefings (topic_id, date, edition);
        CREATE UNIQUE INDEX deliveries_once_per_topic ON deliveries (topic_id, date, recipient)
            WHERE status = 'sent';
        """,
    )


@migration
def m004_delivery_claims(db: sqlite3.Connection) -> None:
    """Exactly once across processes: a delivery is claimed ('pending', with its owner) before
    the SMTP transaction, under a unique key that a claim and a sent copy share. The status
    CHECK cannot be altered in place, so the table is rebuilt with its rows."""
    _script(
        db,
        """
        CREATE TABLE deliveries_v4 (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            briefing_id INTEGER NOT NULL,
            topic_slug TEXT NOT NULL,
            topic_id TEXT,
            date TEXT NOT NULL,
            recipient TEXT NOT NULL,
            status TEXT NOT NULL CHECK (status IN ('pending', 'sent', 'failed')),
            owner TEXT,
            message_id TEXT,
            error TEXT,
            at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
        );
        INSERT INTO deliveries_v4 (id, briefing_id, topic_slug, topic_id, date, recipient,
            status, message_id, error, at)
            SELECT id, briefing_id, topic_slug, topic_id, date, recipient, status, message_id,
                error, at FROM deliveries;
        DROP TABLE deliveries;
        ALTER TABLE deliveries_v4 RENAME TO deliveries;
        CREATE UNIQUE INDEX deliveries_claimed_once ON deliveries (topic_id, date, recipient)
            WHERE status IN ('pending', 'sent');
        """,
    )


@migration
def m005_edition_revisions(db: sqlite3.Connection) -> None:
    """A delivered edition is never replaced: every edition of a slot (topic, date) is a
    revision with its own id and number, numbered here in the order they were made; each
    edition's window is stored beside it (it is in the JSON too), and a delivery is found by
    the edition it sent."""
    _script(
        db,
        """
        ALTER TABLE briefings ADD COLUMN revision INTEGER;
        ALTER TABLE briefings ADD COLUMN window_start TEXT;
        ALTER TABLE briefings ADD COLUMN window_end TEXT;
        UPDATE briefings SET revision = (SELECT COUNT(*) FROM briefings o WHERE o.edition = 1
            AND o.topic_id = briefings.topic_id AND o.date = briefings.date
            AND o.id <= briefings.id) WHERE edition = 1 AND date IS NOT NULL;
        CREATE UNIQUE INDEX briefings_slot_revision ON briefings (topic_id, date, revision)
            WHERE edition = 1;
        CREATE INDEX deliveries_briefing ON deliveries (briefing_id, status);
        """,
    )
    rows = db.execute("SELECT id, json FROM briefings WHERE edition = 1").fetchall()
    for bid, text in rows:
        try:
            raw = json.loads(text)
        except ValueError:
            continue  # a damaged briefing stays as it is; loading it reports it
        if isinstance(raw, dict):
            start, end = raw.get("window_start"), raw.get("window_end")
            db.execute("UPDATE briefings SET window_start = ?, window_end = ? WHERE id = ?",
                       (start if isinstance(start, str) else None,
                        end if isinstance(end, str) else None, bid))  # fmt: skip
