"""What a delivery did, in one line for the log and the terminal: how many readers were sent
the edition, how many were skipped (and why), how many failed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from .email import Outcome

_SKIPPED = {"already sent": "already sent", "in progress": "being sent by another process"}


def tally(outcomes: Sequence[Outcome]) -> str:
    """"sent to 2, 1 skipped (already sent), 0 failed": every outcome counted once; a dry
    run says so and sends nothing."""
    n: Counter[str] = Counter(o.status for o in outcomes)
    dry = n["dry run"]
    parts = [f"dry run: {dry} would be sent" if dry else f"sent to {n['sent']}"]
    parts += [f"{n[k]} skipped ({why})" for k, why in _SKIPPED.items() if n[k]]
    if not any(n[k] for k in _SKIPPED):
        parts.append("0 skipped")
    parts.append(f"{n['failed']} failed")
    return ", ".join(parts)
