"""Stored briefings: a topic's editions by slot (topic, date) and their revisions.

Every edition of a slot is a revision (1, 2, ...) with its own id; none is ever overwritten.
The revision *in force* (what the archive shows on the slot's page, what the next edition
starts after, what `history` calls the `edition`) is the first one a reader was sent (or is
being sent), else the latest: before any delivery a new run replaces the edition, after one
it only adds a later revision, kept, archived beside it and mailed only to readers who have
not had the slot (or with `--force`)."""

from __future__ import annotations

import json
import logging
import sqlite3
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..contract import Briefing

log = logging.getLogger(__name__)

# a stored edition `b` has been sent (or is being sent) to a reader
_GOT = ("EXISTS (SELECT 1 FROM deliveries d WHERE d.briefing_id = b.id"
        " AND d.status IN ('pending', 'sent'))")  # fmt: skip
# the order of a slot's revisions, the one in force first
_FORCE_ORDER = f"{_GOT} DESC, CASE WHEN {_GOT} THEN b.id ELSE -b.id END"
# the id of the revision in force of every slot
IN_FORCE = (
    "SELECT id FROM (SELECT b.id, ROW_NUMBER() OVER (PARTITION BY b.topic_id, b.date"
    f" ORDER BY {_FORCE_ORDER}) AS n FROM briefings b WHERE b.edition = 1"
    " AND b.date IS NOT NULL) WHERE n = 1"
)


class Editions:
    """The stored briefings' queries, mixed into `Store` (which provides the connection)."""

    if TYPE_CHECKING:

        def _read(self, sql: str, params: Any = ()) -> list[Any]: ...

        def transaction(self) -> AbstractContextManager[sqlite3.Connection]: ...

    def save_briefing(self, b: Briefing, *, edition: bool = False) -> int:
        """Store a briefing; returns its id. An edition is the next revision of its slot
        (topic, date): see the module's docstring for the one in force."""
        prompts = json.dumps([p.model_dump() for p in b.summariser.prompts])
        tid = b.topic_key
        with self.transaction() as db:
            revision = None
            if edition and b.date:
                row = db.execute(
                    "SELECT COALESCE(MAX(revision), 0) + 1 FROM briefings WHERE topic_id = ?"
                    " AND date = ? AND edition = 1", (tid, b.date),
                ).fetchone()  # fmt: skip
                revision = int(row[0])
            cur = db.execute(
                "INSERT INTO briefings (topic, topic_slug, topic_id, edition, revision, date,"
                " window, window_start, window_end, generated_at, backend, model, prompts,"
                " json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (b.topic, tid, tid, int(edition), revision, b.date, b.window, b.window_start,
                 b.window_end, b.generated_at, b.summariser.backend, b.summariser.model,
                 prompts, b.model_dump_json()),
            )  # fmt: skip
            return int(cur.lastrowid or 0)

    def _load(self, rows: list[tuple[Any, ...]]) -> list[tuple[int, Briefing]]:
        """Stored briefings (rows ending in id, json) that still validate; a broken one is
        logged and left out."""
        return [(int(r[-2]), b) for r, b in self._load_rows(rows)]

    def _load_rows(self, rows: list[tuple[Any, ...]]) -> list[tuple[tuple[Any, ...], Briefing]]:
        from pydantic import ValidationError

        from ..contract import Briefing

        out = []
        for row in rows:
            try:
                out.append((row, Briefing.model_validate_json(row[-1])))
            except ValidationError as exc:
                log.warning("stored briefing %d is unreadable (%s); left out", row[-2],
                            exc.errors()[0]["msg"])  # fmt: skip
        return out

    def edition(self, topic: str, date: str, before: bool = False) -> tuple[int, Briefing] | None:
        """The topic's (id) edition in force of the day (`before`: of the latest day before
        it): the revision its readers got, else the latest."""
        rows = self._read(
            f"SELECT b.id, b.json FROM briefings b WHERE b.topic_id = ? AND b.date"
            f" {'<' if before else '='} ? AND b.edition = 1"
            f" ORDER BY b.date DESC, {_FORCE_ORDER} LIMIT 1",
            (topic, date),
        )
        found = self._load(rows)
        return found[0] if found else None

    def latest_revision(self, topic: str, date: str) -> tuple[int, Briefing] | None:
        """The topic's (id) newest revision of the day: what `send` mails readers who have
        not had the day yet (and everyone with --force)."""
        rows = self._read(
            "SELECT id, json FROM briefings WHERE topic_id = ? AND date = ? AND edition = 1"
            " ORDER BY id DESC LIMIT 1",
            (topic, date),
        )
        found = self._load(rows)
        return found[0] if found else None

    def later_revisions(self) -> list[tuple[int, int, Briefing]]:
        """Every revision made after the one in force of its slot (which readers were sent):
        (its revision, the one in force's revision, the briefing), by topic, date and id."""
        rows = self._read(
            "SELECT b.revision, f.revision, b.id, b.json FROM briefings b JOIN briefings f"
            f" ON f.id IN ({IN_FORCE}) AND f.topic_id = b.topic_id AND f.date = b.date"
            " WHERE b.edition = 1 AND b.id > f.id ORDER BY b.topic_id, b.date, b.id"
        )
        return [(int(r[0] or 0), int(r[1] or 0), b) for r, b in self._load_rows(rows)]

    def revision_of(self, briefing_id: int) -> int | None:
        """A stored edition's revision number (None: ad hoc, or no such briefing)."""
        rows = self._read("SELECT revision FROM briefings WHERE id = ?", (briefing_id,))
        return int(rows[0][0]) if rows and rows[0][0] is not None else None

    def previous_briefing_time(self, topic: str) -> str | None:
        """When the topic (id) was last briefed, edition or not."""
        rows = self._read(
            "SELECT created_at FROM briefings WHERE topic_id = ? ORDER BY id DESC LIMIT 1",
            (topic,),
        )
        return rows[0][0] if rows else None

    def briefings(self, topic: str | None = None) -> list[tuple[int, Briefing]]:
        """The edition in force of every (topic, date), newest date first; of one topic (id)."""
        rows = self._read(
            f"SELECT id, json FROM briefings WHERE id IN ({IN_FORCE})"
            " AND (? IS NULL OR topic_id = ?) ORDER BY date DESC, topic_id",
            (topic, topic),
        )
        return self._load(rows)

    def earlier_briefings(self, topic: str, before: str, limit: int = 7) -> list[Briefing]:
        """The topic's (id) editions in force before a date, newest first."""
        rows = self._read(
            f"SELECT id, json FROM briefings WHERE topic_id = ? AND date < ? AND id IN"
            f" ({IN_FORCE}) ORDER BY date DESC LIMIT ?",
            (topic, before, limit),
        )
        return [b for _, b in self._load(rows)]

    def history(self, topic: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
        """Stored briefings, newest first: id, topic, topic_id, date, window, when, revision,
        readers (how many were sent it), and kind: `edition` (the revision in force: what the
        archive shows), `revision` (a later one, made after readers had the edition),
        `replaced` (an earlier one no reader was sent) or `ad hoc`."""
        cols = ("id", "topic", "topic_id", "date", "window", "backend", "created_at",
                "revision", "readers", "kind")  # fmt: skip
        readers = ("(SELECT COUNT(DISTINCT d.recipient) FROM deliveries d WHERE"
                   " d.briefing_id = b.id AND d.status = 'sent')")  # fmt: skip
        kind = (f"CASE WHEN b.id IN ({IN_FORCE}) THEN 'edition' WHEN b.edition = 0 THEN 'ad hoc'"
                " WHEN b.id > (SELECT f.id FROM briefings f WHERE f.topic_id = b.topic_id AND"
                f" f.date = b.date AND f.id IN ({IN_FORCE})) THEN 'revision' ELSE 'replaced'"
                " END")  # fmt: skip
        rows = self._read(
            f"SELECT {', '.join('b.' + c for c in cols[:-2])}, {readers}, {kind} FROM"
            " briefings b WHERE ? IS NULL OR b.topic_id = ? ORDER BY b.id DESC LIMIT ?",
            (topic, topic, limit),
        )
        return [dict(zip(cols, r, strict=True)) for r in rows]

    def remove_briefing(self, briefing_id: int) -> bool:
        """Delete one stored briefing (its delivery records stay: a day mailed stays mailed)."""
        with self.transaction() as db:
            return db.execute("DELETE FROM briefings WHERE id = ?", (briefing_id,)).rowcount > 0
