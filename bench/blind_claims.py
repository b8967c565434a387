"""The checker on the blind claim set (tests/data/blind/): claims written by helpers who saw only
the entries and a list of kinds, labelled again by a second reader who saw only the entries and
the claims; kept where the two agree, split by entry group into tune and held-out halves, the
held-out half frozen (SHA256SUMS) before any tuning. Report held-out figures only.

    .venv/bin/python -m bench.blind_claims [--set heldout|tune] [--eval-dir ../shared/eval]

It prints, per label and kind, how many claims the checker calls `supported`, `unconfirmed`
and `contradicted`, and the issue's targets on the whole half (faithful contradicted <= 3 %,
faithful unconfirmed <= 20 %; edits not supported >= 90 %, edits contradicted >= 70 %).

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
from typing import Any

from briefing.check import check_bullet

HERE = Path(__file__).resolve().parent.parent / "tests" / "data" / "blind"


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def entry_texts(eval_dir: Path, titles: bool = True) -> dict[str, str]:
    """Entry id -> text, the live-blog ones read from `eval_dir` and checked by hash. With
    `titles`, an entry's title heads its text, as in a run (`Entry.text`: headline and body,
    what the checks compare against) and as the writers and labellers saw it."""
    texts: dict[str, str] = {}
    for e in json.loads((HERE / "entries.json").read_text("utf-8")):
        if "text" in e:
            texts[e["entry"]] = _titled(e["title"], e["text"], titles)
            continue
        split, name = e["source"].split("/", 1)
        blog = json.loads((eval_dir / split / "blogs" / name).read_text("utf-8"))
        found = [x["text"] for x in blog["entries"] if _sha(x["text"]) == e["sha256"]]
        if not found:
            raise SystemExit(f"{e['entry']}: not found in {eval_dir / split / 'blogs' / name}")
        texts[e["entry"]] = _titled(e["title"], found[0], titles)
    return texts


def _titled(title: str, text: str, titles: bool) -> str:
    return f"{title}\n{text}" if titles and title and not text.startswith(title) else text


def frozen(name: str) -> bool:
    sums = dict(reversed(line.split()) for line in (HERE / "SHA256SUMS").read_text().splitlines())
    return sums.get(name) == hashlib.sha256((HERE / name).read_bytes()).hexdigest()


VERDICTS = ("supported", "unconfirmed", "contradicted")
TARGETS = [  # (label, what is counted, at least or at most, share)
    ("faithful", ("contradicted",), "<=", 0.03),
    ("faithful", ("unconfirmed",), "<=", 0.20),
    ("wrong", ("unconfirmed", "contradicted"), ">=", 0.90),
    ("wrong", ("contradicted",), ">=", 0.70),
]


def verdict_of(r: Any) -> str:
    """The checker's verdict; a checker from before the three verdicts passes or fails."""
    got = getattr(r, "verdict", None)
    return str(got) if got else ("supported" if r.ok else "contradicted")


def table(claims: list[dict], texts: dict[str, str]) -> dict[tuple[str, str], Counter[str]]:
    rows: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for c in claims:
        r = check_bullet(c["claim"], [c["entry"]], {c["entry"]: texts[c["entry"]]})
        for kind in (c["kind"], "ALL"):
            rows[(c["label"], kind)]["n"] += 1
            rows[(c["label"], kind)][verdict_of(r)] += 1
    return rows


def report(rows: dict[tuple[str, str], Counter[str]]) -> list[str]:
    """The table per label and kind, then each target met or not."""
    out = [f"{'label':9} {'kind':17} {'n':>4} " + " ".join(f"{v:>14}" for v in VERDICTS)]
    for (label, kind), v in sorted(rows.items()):
        cells = " ".join(f"{v[x]:4} = {v[x] / v['n']:4.0%}    " for x in VERDICTS)
        out.append(f"{label:9} {kind:17} {v['n']:4} {cells}")
    for label, counted, how, share in TARGETS:
        v = rows[(label, "ALL")]
        got = sum(v[x] for x in counted) / v["n"] if v["n"] else 0.0
        ok = got <= share if how == "<=" else got >= share
        out.append(f"{label} {' or '.join(counted)}: {got:.1%} (target {how} {share:.0%}) "
                   + ("met" if ok else "NOT met"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=("heldout", "tune"), default="heldout")
    ap.add_argument("--eval-dir", type=Path, default=HERE.parents[2].parent / "shared" / "eval")
    ap.add_argument("--no-titles", action="store_true",
                    help="check against the entries' bodies only, without their titles")
    args = ap.parse_args(argv)
    name = f"claims_{args.set}.json"
    if not frozen(name):
        print(f"{name} differs from its SHA256SUMS line: the frozen set was changed", file=sys.stderr)
        return 1
    if not args.eval_dir.is_dir():
        print(f"{args.eval_dir}: no such folder (give --eval-dir)", file=sys.stderr)
        return 2
    claims = json.loads((HERE / name).read_text("utf-8"))
    rows = table(claims, entry_texts(args.eval_dir, titles=not args.no_titles))
    print(f"{name}: {len(claims)} claims over {len({c['entry'] for c in claims})} entries")
    print("\n".join(report(rows)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
