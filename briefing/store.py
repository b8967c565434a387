"""(I/O) The SQLite state: one file under the state folder, WAL, append-only migrations.

m001: the LLM call cache. Later migrations add tables; a migration once released never changes.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .errors import DeliveryError

DB_NAME = "briefing.sqlite3"


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


MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [m001_llm_cache]


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

    def migrate(self) -> None:
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute(
                    "CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, applied_at TEXT"
                    " NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')))"
                )
                done = {r[0] for r in self.db.execute("SELECT name FROM migrations")}
                for m in MIGRATIONS:
                    if m.__name__ not in done:
                        m(self.db)
                        self.db.execute("INSERT INTO migrations (name) VALUES (?)", (m.__name__,))
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

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

    def close(self) -> None:
        with self.lock:
            self.db.close()
