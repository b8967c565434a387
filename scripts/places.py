"""Builds briefing/check/data/places.txt, each country's one-word names with its demonym, from
countryinfo's country table (MIT licence):

    .venv/bin/python scripts/places.py          # rewrite the file
    .venv/bin/python scripts/places.py --check  # exit 1 if the file is not what it would write

One line per country, lowercase: its name (when one word), its demonym (when one word) and
its one-word English alternative names and codes of three letters or more ("norway
norwegian nor", "netherlands dutch holland nld"), so that "Norwegian" in a bullet is found
where the source says "Norway". countryinfo is a test dependency; the checker reads the file.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "briefing" / "check" / "data" / "places.txt"
ONE_WORD = re.compile(r"[A-Za-z]+")


def build() -> str:
    from countryinfo import all_countries

    lines = set()
    for country in all_countries():
        try:
            words = [country.name(), country.demonym() or ""]
            words += [w for w in country.alt_spellings() if len(w) >= 3]
        except Exception:
            continue
        group = sorted({w.lower() for w in words if ONE_WORD.fullmatch(w)})
        if len(group) >= 2:
            lines.add(" ".join(group))
    return "".join(f"{line}\n" for line in sorted(lines))


def main() -> int:
    text = build()
    if "--check" in sys.argv[1:]:
        same = OUT.is_file() and OUT.read_text("utf-8") == text
        print(f"{OUT}: {'up to date' if same else 'differs'}")
        return 0 if same else 1
    OUT.write_text(text, "utf-8")
    print(f"{OUT}: {len(text.splitlines())} countries")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
