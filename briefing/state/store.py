"""(I/O) The SQLite state: one file under the state folder, WAL, append-only migrations
(`migrations.py`): the LLM call cache, documents and entries seen, every briefing (a topic's
edition of a day and its revisions, `editions.py`, or an ad-hoc run), every delivery (of one
stored edition, by its id), and the scheduler's runs."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from ..errors import DeliveryError
from .claims import CLAIM_STALE_AFTER, Claim, owner_alive, owner_id
from .editions import Editions
from .migrations import MIGRATIONS

DB_NAME = "briefing.sqlite3"
log = logging.getLogger(__name__)


def utc_stamp(dt: datetime) -> str:
    """The state database's timestamp format (sortable as text)."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


class StateError(DeliveryError):
    """The state database cannot be read or written: one line naming the file and the fix."""


def _advice(exc: BaseException) -> str:
    text = str(exc).lower()
    if "full" in text or getattr(exc, "errno", None) == 28:
        return "free space on its disk, then run the command again"
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return ("the file is damaged: move it aside (it holds the history and the LLM cache; "
                "a new one is made) or restore a backup")  # fmt: skip
    if "readonly" in text or "read-only" in text or "permission" in text:
        return "make it (and its folder) writable, or choose another --state"
    if "locked" in text or "busy" in text:
        return "another briefing process holds it; try again when it has finished"
    return "check the file and its disk"


def state_error(path: Path, exc: BaseException) -> StateError:
    """A sqlite3 or OS error on the state file, as the one line a user reads."""
    reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    if "i/o error" in reason.lower() and _disk_full(path):  # SQLite's word for a full journal
        reason, exc = f"{reason}: its disk is full", OSError(28, "full")
    return StateError(f"state file {path}: {reason}; {_advice(exc)}")


def _disk_full(path: Path) -> bool:
    with suppress(OSError):
        return shutil.disk_usage(path.parent).free < 64 * 1024
    return False


class Store(Editions):
    """A thread-safe handle on the state database (one connection, serialised by a lock);
    the stored briefings' queries are `Editions`'."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / DB_NAME
        self.lock = threading.Lock()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=30, check_same_thread=False,
                                      isolation_level=None)  # fmt: skip
        except (OSError, sqlite3.Error) as exc:
            raise state_error(self.path, exc) from None
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA busy_timeout=30000")
            self.migrate()
        except StateError:
            self.db.close()
            raise
        except (OSError, sqlite3.Error) as exc:
            self.db.close()
            raise state_error(self.path, exc) from None

    @contextmanager
    def _guard(self) -> Iterator[None]:
        """sqlite3 and OS errors become one StateError naming the file and the fix."""
        try:
            yield
        except (OSError, sqlite3.Error) as exc:
            raise state_error(self.path, exc) from None

    def _read(self, sql: str, params: Any = ()) -> list[Any]:
        with self.lock, self._guard():
            return self.db.execute(sql, params).fetchall()

    def _write(self, sql: str, params: Any = ()) -> sqlite3.Cursor:
        with self.lock, self._guard():
            return self.db.execute(sql, params)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (BEGIN IMMEDIATE: taken at once, so writers queue), under the
        thread lock; rolled back on any error."""
        with self.lock, self._guard():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
                self.db.execute("COMMIT")
            except BaseException:
                if self.db.in_transaction:
                    self.db.execute("ROLLBACK")
                raise

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
        rows = self._read("SELECT response, usage FROM llm_cache WHERE key = ?", (key,))
        return (rows[0][0], json.loads(rows[0][1])) if rows else None

    def cache_put(
        self, key: str, model: str, prompt_sha: str, response: str, usage: dict[str, Any]
    ) -> None:
        """Best effort: a cache that cannot be written (a full disk) is logged, never fatal."""
        try:
            self._write(
                "INSERT OR REPLACE INTO llm_cache (key, model, prompt_sha, response, usage)"
                " VALUES (?, ?, ?, ?, ?)",
                (key, model, prompt_sha, response, json.dumps(usage)),
            )
        except StateError as exc:
            log.warning("LLM answer not cached: %s", exc)

    # ------------------------------------------------------------ history

    def record_seen(
        self,
        documents: list[tuple[str, str, str | None]],
        entries: list[tuple[str, str, str | None]],
        now: str,
    ) -> dict[str, str]:
        """Remember documents (source, id, title) and entries (id, document, published);
        returns every given entry's first-seen time. When the state cannot be written (a full
        disk), the run goes on: entries not stored before count as first seen `now`, as they
        would have been, and the failure is logged (saving the briefing reports it)."""
        try:
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
        except StateError as exc:
            log.warning("entries seen not recorded: %s", exc)
        seen: dict[str, str] = {e[0]: now for e in entries}
        ids = [e[0] for e in entries]
        for i in range(0, len(ids), 500):
            chunk = ids[i : i + 500]
            marks = ",".join("?" * len(chunk))
            seen.update(self._read(f"SELECT id, first_seen FROM entries WHERE id IN ({marks})",
                                   chunk))  # fmt: skip
        return seen

    # ------------------------------------------------------------ deliveries
    #
    # Exactly once across processes: before the SMTP transaction a delivery is claimed, a
    # 'pending' row inserted under a unique key (topic, date, recipient) in a BEGIN IMMEDIATE
    # transaction, so two processes can never both hold it. The claim then becomes 'sent'
    # (the server accepted the message) or 'failed' (which frees the key). A claim whose owner
    # died (kill -9, a crash, a reboot: its pid no longer runs on this host), or older than
    # CLAIM_STALE_AFTER, is taken over: the message in flight when its owner died is sent
    # again, at most once per crash. `force` supersedes a sent copy and any claim.

    def was_sent(self, topic: str, date: str, recipient: str) -> bool:
        rows = self._read(
            "SELECT 1 FROM deliveries WHERE topic_id = ? AND date = ? AND recipient = ?"
            " AND status = 'sent'",
            (topic, date, recipient.lower()),
        )
        return bool(rows)

    def claim(
        self,
        briefing_id: int,
        topic: str,
        date: str,
        recipient: str,
        *,
        force: bool = False,
        stale_after: float = CLAIM_STALE_AFTER,
    ) -> Claim:
        """Claim the delivery of the topic's (id) day to a recipient (see above)."""
        rcpt = recipient.lower()
        key = (topic, date, rcpt)
        me = owner_id()
        with self.transaction() as db:
            row = db.execute(
                "SELECT id, status, owner, strftime('%s', 'now') - strftime('%s', at)"
                " FROM deliveries WHERE topic_id = ? AND date = ? AND recipient = ?"
                " AND status IN ('pending', 'sent') ORDER BY id DESC LIMIT 1",
                key,
            ).fetchone()
            if row is not None:
                rid, status, owner, age = row
                if status == "sent" and not force:
                    return Claim("sent", rid)
                if status == "pending" and not force and owner_alive(owner) and (
                    age is None or age < stale_after
                ):
                    return Claim("busy", rid, owner)
                why = "superseded by a resend (--force)" if force else (
                    f"claim of {owner} taken over (its process is gone or it is older than "
                    f"{stale_after:.0f} s)"
                )
                db.execute(
                    "UPDATE deliveries SET status = 'failed', error = ? WHERE id = ?", (why, rid)
                )
            cur = db.execute(
                "INSERT INTO deliveries (briefing_id, topic_slug, topic_id, date, recipient,"
                " status, owner) VALUES (?, ?, ?, ?, ?, 'pending', ?)",
                (briefing_id, topic, topic, date, rcpt, me),
            )
            return Claim("claimed", int(cur.lastrowid or 0), me)

    def finish_delivery(
        self, row: int, status: Literal["sent", "failed"], message_id: str | None,
        error: str | None = None, tries: int = 5,
    ) -> None:  # fmt: skip
        """A claim's outcome. Recording that the server accepted a message is retried for a
        moment (a disk that filled in between may have room again); see `claim`."""
        for attempt in range(tries):
            try:
                self._write(
                    "UPDATE deliveries SET status = ?, message_id = ?, error = ?,"
                    " at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
                    (status, message_id, error, row),
                )
                return
            except StateError:
                if attempt == tries - 1:
                    raise
                time.sleep(0.2 * (attempt + 1))

    def deliveries(self, topic: str, date: str) -> list[dict[str, Any]]:
        cols = ("recipient", "status", "message_id", "error", "at", "briefing_id")
        rows = self._read(
            f"SELECT {', '.join(cols)} FROM deliveries WHERE topic_id = ? AND date = ?"
            " ORDER BY id",
            (topic, date),
        )
        return [dict(zip(cols, r, strict=True)) for r in rows]

    # ------------------------------------------------------------ scheduler runs

    def run_started(self, kind: str, at: str) -> int:
        cur = self._write("INSERT INTO runs (kind, started_at) VALUES (?, ?)", (kind, at))
        return int(cur.lastrowid or 0)

    def run_finished(self, run_id: int, at: str, outcome: str, message: str) -> None:
        self._write(
            "UPDATE runs SET finished_at = ?, outcome = ?, message = ? WHERE id = ?",
            (at, outcome, message, run_id),
        )

    def last_run(self, kind: str) -> dict[str, Any] | None:
        cols = ("started_at", "finished_at", "outcome", "message")
        rows = self._read(
            f"SELECT {', '.join(cols)} FROM runs WHERE kind = ? ORDER BY id DESC LIMIT 1",
            (kind,),
        )
        return dict(zip(cols, rows[0], strict=True)) if rows else None

    def last_successful_run(self, kind: str) -> str | None:
        rows = self._read(
            "SELECT started_at FROM runs WHERE kind = ? AND outcome IN ('ok', 'partial')"
            " ORDER BY id DESC LIMIT 1",
            (kind,),
        )
        return rows[0][0] if rows else None

    def close(self) -> None:
        with self.lock:
            self.db.close()
