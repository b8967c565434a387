"""What the benchmarks share: where data and results go, the machine and commit of a result,
tables, the synthetic corpus, and the memory of a process tree."""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / ".data"
RESULTS = HERE / "results" / "results.jsonl"


def machine() -> dict[str, Any]:
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                            cwd=ROOT).stdout.strip()  # fmt: skip
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "commit": commit, "at": datetime.now(UTC).isoformat(timespec="seconds")}  # fmt: skip


def record(name: str, figures: dict[str, Any]) -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with RESULTS.open("a") as f:
        f.write(json.dumps({"bench": name, **machine(), "figures": figures}) + "\n")


def table(title: str, header: list[str], rows: list[list[Any]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=False)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    for r in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(r, widths, strict=True)))


def corpus(n: int) -> Path:
    from bench.corpus import Generator, truth_path, write

    folder = DATA / f"corpus_{n}"
    if not truth_path(folder).exists():
        write(Generator(7).generate(n), folder, 7)
    return folder


def tree_pss(root: int) -> int:
    """Bytes of memory the process tree under `root` really holds: the sum of its processes'
    PSS (shared pages, like a forked worker's view of its parent, are split among sharers).
    Linux only; 0 elsewhere."""
    children: dict[int, list[int]] = defaultdict(list)
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            children[int(fields[1])].append(int(stat.parent.name))
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        todo += children.get(pid, [])
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            continue
    return total
