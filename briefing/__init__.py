"""briefing: cited daily briefings from overlapping news articles and live blogs."""

from __future__ import annotations

__version__ = "0.1.0"
