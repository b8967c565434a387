"""Regenerate `sample_outputs/` from the bundled sample corpus (`make samples`).

The same function backs the golden test, so a change in output is a visible diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .. import app
from ..config import Settings
from ..render import FORMATS, render
from ..summarise import ExtractiveSummariser

SAMPLE_DAYS = ("2025-02-12", "2025-02-13")


def generate() -> dict[str, str]:
    """{relative file name: content} for every sample output."""
    from datetime import date

    out: dict[str, str] = {}
    settings = Settings(tz="Europe/London")
    for day in SAMPLE_DAYS:
        req = app.request(settings, sample=True, day=date.fromisoformat(day))
        briefing = app.produce(req, None, summariser=ExtractiveSummariser()).briefing
        for fmt in FORMATS:
            out[f"{day}/briefing.{fmt}"] = render(briefing, fmt)
    return out


def main(argv: list[str]) -> int:
    target = Path(argv[0] if argv else "sample_outputs")
    for name, text in generate().items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
