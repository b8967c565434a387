"""The state (I/O): one SQLite database in the state folder (`store.py`), changed only by
append-only migrations that register themselves in order (`migrations.py`); a delivery is
claimed by its owner before it is sent (`claims.py`)."""

from __future__ import annotations

from .store import DB_NAME, StateError, Store, utc_stamp

__all__ = ["DB_NAME", "StateError", "Store", "utc_stamp"]
