"""Shared by the robustness tests: a real SMTP server on 127.0.0.1 in the environment, and the
deliveries a state holds."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from ..servers.smtp import SmtpServer


@pytest.fixture()
def smtp(monkeypatch: pytest.MonkeyPatch) -> Iterator[SmtpServer]:
    """aiosmtpd on 127.0.0.1, its address in the BRIEFING_SMTP_* settings."""
    with SmtpServer() as server:
        for k, v in server.env.items():
            monkeypatch.setenv(k, v)
        yield server


def delivery_rows(state: Path) -> list[tuple[str, str, str | None]]:
    """(recipient, status, error) of every delivery of the state, in order."""
    db = sqlite3.connect(state / "briefing.sqlite3")
    try:
        return db.execute("SELECT recipient, status, error FROM deliveries ORDER BY id").fetchall()
    finally:
        db.close()
