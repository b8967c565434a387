"""The checker on the blind claim set (tests/data/blind/): claims written by helpers who saw only
the entries and a list of kinds, labelled again by a second reader who saw only the entries and
the claims; kept where the two agree, split by entry group into tune and held-out halves, the
held-out half frozen (SHA256SUMS) before any tuning. Report held-out figures only.

    .venv/bin/python -m bench.blind_claims [--set heldout|tune] [--eval-dir ../shared/eval]

The live-blog entries are not copied into the repository (their text belongs to the Guardian and
the BBC): each is found again in ../shared/eval by its file, time, title and text hash.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from briefing.check import check_bullet

HERE = Path(__file__).resolve().parent.parent / "tests" / "data" / "blind"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_texts(eval_dir: Path) -> dict[str, str]:
    """Entry id -> text, the live-blog ones read from `eval_dir` and checked by hash."""
    texts: dict[str, str] = {}
    for e in json.loads((HERE / "entries.json").read_text("utf-8")):
        if "text" in e:
            texts[e["entry"]] = e["text"]
            continue
        split, name = e["source"].split("/", 1)
        blog = json.loads((eval_dir / split / "blogs" / name).read_text("utf-8"))
        found = [x["text"] for x in blog["entries"] if _sha(x["text"]) == e["sha256"]]
        if not found:
            raise SystemExit(f"{e['entry']}: not found in {eval_dir / split / 'blogs' / name}")
        texts[e["entry"]] = found[0]
    return texts


def frozen(name: str) -> bool:
    sums = dict(reversed(line.split()) for line in (HERE / "SHA256SUMS").read_text().splitlines())
    return sums.get(name) == hashlib.sha256((HERE / name).read_bytes()).hexdigest()


def table(claims: list[dict], texts: dict[str, str]) -> dict[tuple[str, str], Counter[str]]:
    rows: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for c in claims:
        r = check_bullet(c["claim"], [c["entry"]], {c["entry"]: texts[c["entry"]]})
        for kind in (c["kind"], "ALL"):
            rows[(c["label"], kind)]["n"] += 1
            rows[(c["label"], kind)]["flagged"] += not r.ok
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=("heldout", "tune"), default="heldout")
    ap.add_argument("--eval-dir", type=Path, default=HERE.parents[2].parent / "shared" / "eval")
    args = ap.parse_args(argv)
    name = f"claims_{args.set}.json"
    if not frozen(name):
        print(f"{name} differs from its SHA256SUMS line: the frozen set was changed", file=sys.stderr)
        return 1
    if not args.eval_dir.is_dir():
        print(f"{args.eval_dir}: no such folder (give --eval-dir)", file=sys.stderr)
        return 2
    claims = json.loads((HERE / name).read_text("utf-8"))
    rows = table(claims, entry_texts(args.eval_dir))
    print(f"{name}: {len(claims)} claims over {len({c['entry'] for c in claims})} entries")
    print("label     kind              flagged by the checker")
    for (label, kind), v in sorted(rows.items()):
        print(f"{label:9} {kind:17} {v['flagged']:3}/{v['n']:3} = {v['flagged'] / v['n']:.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
