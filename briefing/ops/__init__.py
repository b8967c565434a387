"""Operator tools over whole runs: `briefing doctor` (`doctor.py`: the settings in effect and
whether everything they name can be reached), `briefing eval` (`evaluate.py`: quality against
journalists' summaries) and `make samples` (`samples.py`: the golden outputs; run as
`python -m briefing.ops.samples`, so this package does not import it)."""

from __future__ import annotations

from .doctor import origins, run_checks
from .evaluate import ROUGE, SYSTEMS, evaluate, gate, load_dataset, load_split, updated_minimums

__all__ = [
    "ROUGE",
    "SYSTEMS",
    "evaluate",
    "gate",
    "load_dataset",
    "load_split",
    "origins",
    "run_checks",
    "updated_minimums",
]
