"""(I/O) The SQLite state: one file under the state folder, WAL, append-only migrations
(`migrations.py`): the LLM call cache, documents and entries seen, every briefing (a topic's
edition of a day, or an ad-hoc run), every delivery, and the scheduler's runs."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .errors import DeliveryError
from .migrations import MIGRATIONS

if TYPE_CHECKING:
    from .contract import Briefing

DB_NAME = "briefing.sqlite3"
log = logging.getLogger(__name__)


def utc_stamp(dt: datetime) -> str:
    """The state database's timestamp format (sortable as text)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


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

    def save_briefing(self, b: Briefing, *, edition: bool = False) -> int:
        """Store a briefing; returns its id. An edition is what the archive shows and `send`
        mails for its topic and day (the latest edition wins)."""
        prompts = json.dumps([p.model_dump() for p in b.summariser.prompts])
        tid = b.topic_key
        with self.lock:
            cur = self.db.execute(
                "INSERT INTO briefings (topic, topic_slug, topic_id, edition, date, window,"
                " generated_at, backend, model, prompts, json)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (b.topic, tid, tid, int(edition), b.date, b.window, b.generated_at,
                 b.summariser.backend, b.summariser.model, prompts, b.model_dump_json()),
            )  # fmt: skip
            return int(cur.lastrowid or 0)

    def _load(self, rows: list[tuple[int, str]]) -> list[tuple[int, Briefing]]:
        """Stored briefings that still validate; a broken one is logged and left out."""
        from pydantic import ValidationError

        from .contract import Briefing

        out = []
        for bid, text in rows:
            try:
                out.append((bid, Briefing.model_validate_json(text)))
            except ValidationError as exc:
                log.warning(
                    "stored briefing %d is unreadable (%s); left out", bid, exc.errors()[0]["msg"]
                )
        return out

    def edition(self, topic: str, date: str) -> tuple[int, Briefing] | None:
        """The topic's (id) latest edition of the day."""
        with self.lock:
            rows = self.db.execute(
                "SELECT id, json FROM briefings WHERE topic_id = ? AND date = ? AND edition = 1"
                " ORDER BY id DESC LIMIT 1",
                (topic, date),
            ).fetchall()
        found = self._load(rows)
        return found[0] if found else None

    def previous_briefing_time(self, topic: str) -> str | None:
        """When the topic (id) was last briefed, edition or not."""
        with self.lock:
            row = self.db.execute(
                "SELECT created_at FROM briefings WHERE topic_id = ? ORDER BY id DESC LIMIT 1",
                (topic,),
            ).fetchone()
        return row[0] if row else None

    _LATEST = ("SELECT MAX(id) FROM briefings WHERE edition = 1 AND date IS NOT NULL"
               " GROUP BY topic_id, date")  # fmt: skip

    def briefings(self, topic: str | None = None) -> list[tuple[int, Briefing]]:
        """The latest edition of every (topic, date), newest date first; of one topic (id)."""
        with self.lock:
            rows = self.db.execute(
                f"SELECT id, json FROM briefings WHERE id IN ({self._LATEST})"
                " AND (? IS NULL OR topic_id = ?) ORDER BY date DESC, topic_id",
                (topic, topic),
            ).fetchall()
        return self._load(rows)

    def earlier_briefings(self, topic: str, before: str, limit: int = 7) -> list[Briefing]:
        """The topic's (id) editions before a date, newest first."""
        with self.lock:
            rows = self.db.execute(
                f"SELECT id, json FROM briefings WHERE topic_id = ? AND date < ? AND id IN"
                f" ({self._LATEST}) ORDER BY date DESC LIMIT ?",
                (topic, before, limit),
            ).fetchall()
        return [b for _, b in self._load(rows)]

    def history(self, topic: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Stored briefings, newest first: id, topic, topic_id, date, window, edition, when."""
        with self.lock:
            cur = self.db.execute(
                "SELECT id, topic, topic_id, date, window, edition, backend, created_at"
                " FROM briefings WHERE ? IS NULL OR topic_id = ? ORDER BY id DESC LIMIT ?",
                (topic, topic, limit),
            )
            cols = [c[0] for c in cur.description]
            return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]

    def remove_briefing(self, briefing_id: int) -> bool:
        """Delete one stored briefing (its delivery records stay: a day mailed stays mailed)."""
        with self.transaction() as db:
            return db.execute("DELETE FROM briefings WHERE id = ?", (briefing_id,)).rowcount > 0

    # ------------------------------------------------------------ deliveries

    def was_sent(self, topic: str, date: str, recipient: str) -> bool:
        with self.lock:
            row = self.db.execute(
                "SELECT 1 FROM deliveries WHERE topic_id = ? AND date = ? AND recipient = ?"
                " AND status = 'sent'",
                (topic, date, recipient.lower()),
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
        """Record a delivery of the topic's (id) day to a recipient."""
        with self.lock:
            if status == "sent":  # a resend (--force) replaces the earlier record
                self.db.execute(
                    "UPDATE deliveries SET status = 'failed', error = 'superseded by a resend'"
                    " WHERE topic_id = ? AND date = ? AND recipient = ? AND status = 'sent'",
                    (topic, date, recipient.lower()),
                )
            self.db.execute(
                "INSERT INTO deliveries (briefing_id, topic_slug, topic_id, date, recipient,"
                " status, message_id, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (briefing_id, topic, topic, date, recipient.lower(), status, message_id, error),
            )

    def deliveries(self, topic: str, date: str) -> list[dict[str, Any]]:
        with self.lock:
            cur = self.db.execute(
                "SELECT recipient, status, message_id, error, at FROM deliveries"
                " WHERE topic_id = ? AND date = ? ORDER BY id",
                (topic, date),
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
