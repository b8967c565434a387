"""(I/O) The SQLite state: one file under the state folder, WAL, append-only migrations.

m001: the LLM call cache. Later migrations add tables; a migration once released never changes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .clean import slug
from .errors import DeliveryError

if TYPE_CHECKING:
    from .contract import Briefing

DB_NAME = "briefing.sqlite3"


def slugify(text: str) -> str:
    """A topic's slug in the state database and the archive."""
    return slug(text, fallback="briefing")


def utc_stamp(dt: datetime) -> str:
    """The state database's timestamp format (sortable as text)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


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


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_llm_cache, m002_history]


class Store:
    """A thread-safe handle on the state database (one connection, serialised by a lock)."""

    def __init__(self, folder: Path) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.path = folder / DB_NAME
            self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                      isolation_level=None)  # fmt: skip
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=30000")
        except (OSError, sqlite3.Error) as exc:
            raise DeliveryError(f"cannot open the state database in {folder}: {exc}") from exc
        self.lock = threading.Lock()
        self.migrate()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: taken at once, so writers queue), under the
        thread lock; rolled back on any error."""
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")

    def migrate(self) -> None:
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT"
                " NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
            )
            done = {r[0] for r in db.execute("SELECT name FROM migrations")}
            for m in MIGRATIONS:
                if m.__name__ not in done:
                    m(db)
                    db.execute("INSERT INTO migrations (name) VALUES (?)", (m.__name__,))

    # ------------------------------------------------------------ LLM cache

    def cache_get(self, key: str) -> tuple[str, dict[str, Any]] | None:
        with self.lock:
            row = self.db.execute(
                "SELECT response, usage FROM llm_cache WHERE key = ?", (key,)
            ).fetchone()
        return (row[0], json.loads(row[1])) if row else None

    def cache_put(
        self, key: str, model: str, prompt_sha: str, response: str, usage: dict[str, Any]
    ) -> None:
        with self.lock:
            self.db.execute(
                "INSERT OR REPLACE INTO llm_cache (key, model, prompt_sha, response, usage)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, model, prompt_sha, response, json.dumps(usage)),
            )

    # ------------------------------------------------------------ history

    def record_seen(
        self,
        documents: list[tuple[str, str, str | None]],
        entries: list[tuple[str, str, str | None]],
        now: str,
    ) -> dict[str, str]:
        """Remember documents (source, id, title) and entries (id, document, published);
        returns every given entry's first-seen time."""
        with self.transaction() as db:
            db.executemany(
                "INSERT OR IGNORE INTO documents (source, doc_id, title, first_seen)"
                " VALUES (?, ?, ?, ?)",
                [(*d, now) for d in documents],
            )
            db.executemany(
                "INSERT OR IGNORE INTO entries (id, document, published, first_seen)"
                " VALUES (?, ?, ?, ?)",
                [(*e, now) for e in entries],
            )
        with self.lock:
            seen: dict[str, str] = {}
            ids = [e[0] for e in entries]
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                marks = ",".join("?" * len(chunk))
                seen.update(self.db.execute(
                    f"SELECT id, first_seen FROM entries WHERE id IN ({marks})", chunk
                ).fetchall())  # fmt: skip
        return seen

    def save_briefing(self, b: Briefing) -> int:
        prompts = json.dumps([p.model_dump() for p in b.summariser.prompts])
        with self.lock:
            cur = self.db.execute(
                "INSERT INTO briefings (topic, topic_slug, date, window, generated_at, backend,"
                " model, prompts, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (b.topic, slugify(b.topic), b.date, b.window, b.generated_at,
                 b.summariser.backend, b.summariser.model, prompts, b.model_dump_json()),
            )  # fmt: skip
            return int(cur.lastrowid or 0)

    def latest_briefing(self, topic: str, date: str | None) -> tuple[int, Briefing] | None:
        from .contract import Briefing

        with self.lock:
            row = self.db.execute(
                "SELECT id, json FROM briefings WHERE topic_slug = ? AND date IS ? "
                "ORDER BY id DESC LIMIT 1",
                (slugify(topic), date),
            ).fetchone()
        return (row[0], Briefing.model_validate_json(row[1])) if row else None

    def previous_briefing_time(self, topic: str) -> str | None:
        with self.lock:
            row = self.db.execute(
                "SELECT created_at FROM briefings WHERE topic_slug = ? ORDER BY id DESC LIMIT 1",
                (slugify(topic),),
            ).fetchone()
        return row[0] if row else None

    def briefings(self) -> list[tuple[int, Briefing]]:
        """The latest briefing of every (topic, date), newest date first."""
        from .contract import Briefing

        with self.lock:
            rows = self.db.execute(
                "SELECT b.id, b.json FROM briefings b JOIN (SELECT topic_slug, date, MAX(id) AS id"
                " FROM briefings WHERE date IS NOT NULL GROUP BY topic_slug, date) l ON b.id = l.id"
                " ORDER BY b.date DESC, b.topic_slug"
            ).fetchall()
        return [(r[0], Briefing.model_validate_json(r[1])) for r in rows]

    def earlier_briefings(self, topic: str, before: str, limit: int = 7) -> list[Briefing]:
        from .contract import Briefing

        with self.lock:
            rows = self.db.execute(
                "SELECT json FROM briefings WHERE topic_slug = ? AND date < ? AND id IN (SELECT"
                " MAX(id) FROM briefings GROUP BY topic_slug, date) ORDER BY date DESC LIMIT ?",
                (slugify(topic), before, limit),
            ).fetchall()
        return [Briefing.model_validate_json(r[0]) for r in rows]

    # ------------------------------------------------------------ deliveries

    def was_sent(self, topic: str, date: str, recipient: str) -> bool:
        with self.lock:
            row = self.db.execute(
                "SELECT 1 FROM deliveries WHERE topic_slug = ? AND date = ? AND recipient = ?"
                " AND status = 'sent'",
                (slugify(topic), date, recipient.lower()),
            ).fetchone()
        return row is not None

    def record_delivery(
        self,
        briefing_id: int,
        topic: str,
        date: str,
        recipient: str,
        status: str,
        message_id: str | None,
        error: str | None = None,
    ) -> None:
        with self.lock:
            if status == "sent":  # a resend (--force) replaces the earlier record
                self.db.execute(
                    "UPDATE deliveries SET status = 'failed', error = 'superseded by a resend'"
                    " WHERE topic_slug = ? AND date = ? AND recipient = ? AND status = 'sent'",
                    (slugify(topic), date, recipient.lower()),
                )
            self.db.execute(
                "INSERT INTO deliveries (briefing_id, topic_slug, date, recipient, status,"
                " message_id, error) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (briefing_id, slugify(topic), date, recipient.lower(), status, message_id, error),
            )

    def deliveries(self, topic: str, date: str) -> list[dict[str, Any]]:
        with self.lock:
            cur = self.db.execute(
                "SELECT recipient, status, message_id, error, at FROM deliveries"
                " WHERE topic_slug = ? AND date = ? ORDER BY id",
                (slugify(topic), date),
            )
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    # ------------------------------------------------------------ scheduler runs

    def run_started(self, kind: str, at: str) -> int:
        with self.lock:
            cur = self.db.execute("INSERT INTO runs (kind, started_at) VALUES (?, ?)", (kind, at))
            return int(cur.lastrowid or 0)

    def run_finished(self, run_id: int, at: str, outcome: str, message: str) -> None:
        with self.lock:
            self.db.execute(
                "UPDATE runs SET finished_at = ?, outcome = ?, message = ? WHERE id = ?",
                (at, outcome, message, run_id),
            )

    def last_run(self, kind: str) -> dict[str, Any] | None:
        with self.lock:
            cur = self.db.execute(
                "SELECT started_at, finished_at, outcome, message FROM runs WHERE kind = ?"
                " ORDER BY id DESC LIMIT 1",
                (kind,),
            )
            row = cur.fetchone()
            return dict(zip([c[0] for c in cur.description], row, strict=True)) if row else None

    def last_successful_run(self, kind: str) -> str | None:
        with self.lock:
            row = self.db.execute(
                "SELECT started_at FROM runs WHERE kind = ? AND outcome IN ('ok', 'partial')"
                " ORDER BY id DESC LIMIT 1",
                (kind,),
            ).fetchone()
        return row[0] if row else None

    def close(self) -> None:
        with self.lock:
            self.db.close()
