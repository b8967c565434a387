"""Who holds a delivery: the claim `Store.claim` returns, and how a stale one is told apart.

A claim records its owner as `host:pid`. It is stale, and taken over, when that process no
longer runs on this host, or (for another host, where that cannot be seen) when it is older
than CLAIM_STALE_AFTER."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from typing import Literal

CLAIM_STALE_AFTER = 15 * 60  # seconds


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of claiming a delivery: `claimed` (send it, then `finish_delivery(row)`),
    `sent` (a copy was accepted before) or `busy` (another live process is sending it)."""

    state: Literal["claimed", "sent", "busy"]
    row: int | None = None
    owner: str | None = None


def owner_id() -> str:
    """Who holds a claim: host and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def owner_alive(owner: str | None) -> bool:
    """True unless the owner is a process of this host that no longer runs."""
    host, _, pid = (owner or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine: only the age of the claim can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, but not ours to signal
        return True
    return True
