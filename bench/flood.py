"""Floods of near-identical feed items (issue 26): one RSS file of N items that differ only by
numbers and times ("Shelling reported in sector 1234 at 10:15; 37 people..."), ~480 bytes
each (40,000 items: 18 MB, under the 20 MB input limit), all dated on one day, plus one ordinary report beside them. Run through the real CLI
like the whole runs (`bench/wholerun.py`: fresh process, summed PSS of the process tree every
0.2 s), against `--startup-base`'s code in the same run when given.

    python bench/run.py --only flood [--flood-sizes 5000,40000]
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from bench.common import DATA, ROOT, record, table

TEMPLATE = ("Shelling was reported in sector {a} of the Zaporizhzhia front at {t}, regional "
            "officials said, with {b} buildings damaged and {c} people moved to shelters. "
            "Emergency crews were working at {d} sites and power was cut to {e} homes, the "
            "regional administration said in its update number {f}.")  # fmt: skip
OTHER = ("Ukraine and the EU agree on grain corridor",
         "Ukraine and the European Union agreed on Friday to extend the grain corridor through "
         "the Black Sea ports for another year, officials in Kyiv and Brussels said.")


def flood_feed(n: int, out: Path, seed: int = 7) -> Path:
    path = out / f"flood-{n}.xml"
    if path.exists():
        return path
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    start = datetime(2025, 2, 14, 6, tzinfo=UTC)
    items = []
    for i in range(n):
        when = start + timedelta(seconds=i * 50_000 // n)
        nums = {k: rng.randint(2, 9_999) for k in "abcdefg"}
        text = TEMPLATE.format(t=when.strftime("%H:%M"), **nums)
        title = f"Update {i + 1}: shelling in sector {nums['a']}"
        items.append(f"<item><title>{title}</title><link>https://ex.org/u/{i}</link>"
                     f"<pubDate>{format_datetime(when)}</pubDate>"
                     f"<description>{text}</description></item>")  # fmt: skip
    when = format_datetime(start + timedelta(hours=3))
    items.append(f"<item><title>{OTHER[0]}</title><link>https://ex.org/grain</link>"
                 f"<pubDate>{when}</pubDate><description>{OTHER[1]}</description></item>")  # fmt: skip
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                    "<title>Front updates</title><link>https://example.org/</link>"
                    + "\n".join(items) + "</channel></rss>\n", "utf-8")  # fmt: skip
    return path


def bench_flood(args: Any) -> dict[str, Any]:
    from bench.wholerun import run_cli, worktree

    sizes = [int(s) for s in args.flood_sizes.split(",")]
    codes = {"this": ROOT}
    if args.startup_base and args.startup_base != "none" and args.flood_base:
        codes[f"base {args.startup_base}"] = worktree(args.startup_base)
    rows, out = [], {}
    for n in sizes:
        feed = flood_feed(n, DATA / "flood")
        for key, code in codes.items():
            r = run_cli(code, [str(feed.resolve()), "--date", "2025-02-14"], args.limit_s,
                        int(args.mem_cap_gb * 2**30))  # fmt: skip
            out[f"{n} {key}"] = r
            rows.append([f"{n:,}", key, f"{feed.stat().st_size / 2**20:.1f}",
                         f"{r['wall']:.1f}", f"{r['peak_pss'] / 2**20:,.0f}",
                         r.get("stopped") or r["exit"], r.get("items", "-"),
                         r.get("stories", "-"), r.get("sections", "-"),
                         " ".join(f"{k} {v:.1f}" for k, v in r["stages"].items())])  # fmt: skip
    import os

    load = os.getloadavg()[0]
    table(f"floods of near-identical feed items (load average {load:.1f})",
          ["items", "code", "MB", "wall s", "peak PSS MB", "exit", "items after dedupe",
           "stories", "sections", "stages s"], rows)  # fmt: skip
    record("flood", {"runs": out, "load": load})
    return out
