from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing import app, pipeline
from briefing.config import Settings
from briefing.contract import Briefing
from briefing.ingest import ingest, load_rules
from briefing.models import Window
from briefing.pipeline import Summariser
from briefing.state import Store
from briefing.summarise import ExtractiveSummariser

# Many tests start the tool as a process. Under PYTHONDONTWRITEBYTECODE=1 (some CI images set
# it) each such process would compile every module from source again; let them keep bytecode.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)

LONDON = ZoneInfo("Europe/London")
CORPUS = app.sample_corpus()
FIXTURES = Path(__file__).parent / "fixtures"
FILES = {p.name[:3]: p for p in sorted(CORPUS.iterdir())}


def brief(
    day: str | None = None,
    summariser: Summariser | None = None,
    *,
    inputs: list[str] | None = None,
    store: Store | None = None,
    topic: str = "Ukraine talks",
    save: bool = False,
    **settings: object,
) -> Briefing:
    """A briefing through the app, as `briefing run` makes it: the sample (or `inputs`) of
    `day`, extractive unless a summariser is given, saved when a store is given (a sample run
    of a whole day is the sample topic's edition)."""
    s = Settings(**settings)  # type: ignore[arg-type]
    req = app.request(s, inputs or [], sample=inputs is None, topic=topic, save=save,
                      day=date.fromisoformat(day) if day else None)  # fmt: skip
    return app.produce(req, store, summariser=summariser or ExtractiveSummariser()).briefing


def prepare_sample(day: str | None = None, window: Window | None = None,
                   **kw: object) -> pipeline.Prepared:  # fmt: skip
    """The sample corpus up to its stories, for a day (or everything)."""
    window = window or Window(LONDON, date.fromisoformat(day) if day else None)
    got = ingest([str(CORPUS)], rules=load_rules(), tz=LONDON)
    read = pipeline.Read(got.loaded, got.skipped)
    return pipeline.prepare(read, window, datetime.now(UTC), **kw)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def prepared_all() -> pipeline.Prepared:
    return prepare_sample()


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
