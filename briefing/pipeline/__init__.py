"""The pure stages, on one page in `flow.py`: what was read + a window -> entries on the topic
-> deduplicated items (`dedupe.py`) -> stories (`stories.py`, with `features.py` for who a
report is about and `titles.py` for what happened) -> the summariser (the interface in
`summary.py`) -> a checked briefing. `tidy.py` makes sentences fit to stand alone (titles and
extractive bullets); `relevance.py` says which entries are on a topic."""

from __future__ import annotations

from .corroborate import EntryTexts, reports_supporting
from .flow import UNDATED, Prepared, Read, assemble, brief, prepare
from .relevance import Relevance
from .summary import Draft, ReportsUsage, Summariser, SummaryRequest, Usage
from .tidy import Points, deixis, flaws, needs_context, tidy

__all__ = [
    "UNDATED",
    "Draft",
    "EntryTexts",
    "Points",
    "Prepared",
    "Read",
    "Relevance",
    "ReportsUsage",
    "Summariser",
    "SummaryRequest",
    "Usage",
    "assemble",
    "brief",
    "deixis",
    "flaws",
    "needs_context",
    "prepare",
    "reports_supporting",
    "tidy",
]
