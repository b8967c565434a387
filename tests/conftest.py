from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing.pipeline import RunOptions, Window, prepare, sample_corpus

LONDON = ZoneInfo("Europe/London")
CORPUS = sample_corpus()
FIXTURES = Path(__file__).parent / "fixtures"
FILES = {p.name[:3]: p for p in sorted(CORPUS.iterdir())}


def sample_opts(day: str | None = None, **kw: object) -> RunOptions:
    window = Window(LONDON, date.fromisoformat(day) if day else None)
    return RunOptions(inputs=[str(CORPUS)], topic="Ukraine talks", window=window, **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def prepared_all():  # type: ignore[no-untyped-def]
    return prepare(sample_opts())


@pytest.fixture(autouse=True)
def state_dir(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own state folder; nothing is written to the user's data dir."""
    path = tmp_path_factory.mktemp("state")
    monkeypatch.setenv("BRIEFING_STATE_DIR", str(path))
    for var in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_CONFIG"):
        monkeypatch.delenv(var, raising=False)
    return path


@pytest.fixture(autouse=True)
def no_internet(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests may talk to 127.0.0.1 only: any other connection fails loudly."""
    real = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> object:
        host = address[0] if isinstance(address, tuple) else str(address)
        if (
            isinstance(host, str)
            and not (host.startswith("127.") or host in ("::1", "localhost"))
            and self.family != socket.AF_UNIX
        ):
            raise OSError(f"test tried to reach the network: {address}")
        return real(self, address)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield
