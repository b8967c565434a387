"""The topic filter on the blind relevance set (tests/data/blind/relevance_*.json): 100 short
reports for the "Ukraine talks" topic, written by a helper who saw only the topic and a list of
kinds (on the topic; off it with passing mentions in sport, culture, business, other conflicts;
off it with none of the topic's words), labelled again by a second helper who saw only the
reports; kept where both agree, split by report into tune and held-out halves, frozen in
SHA256SUMS. Report held-out figures only.

Two filters in the same run: the include/exclude terms alone (what the topic filter was
before issue 23), and the topic filter as a run applies it (`Relevance.judge`: where the
terms occur, how often, and the entry's other words against the clearly on-topic entries of
the set, which is judged as one run's window). `--exclude-sections` adds that setting (the
reports' feed categories and URLs).

    .venv/bin/python -m bench.blind_relevance [--set heldout|tune] [--exclude-sections sport,...]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from datetime import datetime

from bench.blind_claims import HERE, frozen
from briefing.models import Entry, Paragraph
from briefing.pipeline import Relevance

# the bundled topic's terms (examples/briefing.toml)
INCLUDE = ["ukrain", "kyiv", "zelensk", "putin", "kremlin", "russia", "peace talks", "ceasefire"]
EXCLUDE = ["eurovision"]


def entry(r: dict[str, str]) -> Entry:
    paras = tuple(Paragraph(p.strip()) for p in r["body"].split("\n") if p.strip())
    return Entry(id=r["id"], document=r["id"], kind="article", headline=r["headline"],
                 paragraphs=paras, author=None, published=datetime.fromisoformat(r["published"]),
                 date_only=False, position=0, url=r.get("url"))  # fmt: skip


def report(reports: list[dict[str, str]], on_topic: list[bool]) -> None:
    got: Counter[tuple[str, str, bool]] = Counter()
    for r, on in zip(reports, on_topic, strict=True):
        got[(r["label"], r["kind"], on)] += 1
    tp = sum(v for (lab, _k, on), v in got.items() if on and lab == "on_topic")
    fp = sum(v for (lab, _k, on), v in got.items() if on and lab == "off_topic")
    fn = sum(v for (lab, _k, on), v in got.items() if not on and lab == "on_topic")
    for kind in sorted({k for _l, k, _o in got}):
        kept = sum(v for (_l, k, on), v in got.items() if k == kind and on)
        total = sum(v for (_l, k, _o), v in got.items() if k == kind)
        print(f"  {kind:16} briefed {kept:3}/{total:3}")
    print(f"  precision {tp / max(1, tp + fp):.3f}  recall {tp / max(1, tp + fn):.3f}  "
          f"(on-topic briefed {tp}, off-topic briefed {fp}, on-topic missed {fn})")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", choices=("heldout", "tune"), default="heldout")
    ap.add_argument("--exclude-sections", default="", help="comma-separated sections")
    args = ap.parse_args(argv)
    name = f"relevance_{args.set}.json"
    if not frozen(name):
        print(f"{name} differs from its SHA256SUMS line: the frozen set was changed")
        return 1
    reports = json.loads((HERE / name).read_text("utf-8"))
    sections = [x.strip() for x in args.exclude_sections.split(",") if x.strip()]
    rel = Relevance(INCLUDE, EXCLUDE, sections)
    entries = [entry(r) for r in reports]
    category = {r["id"]: [r["category"]] if r.get("category") else [] for r in reports}
    terms_only = [rel.matches(e) for e in entries]
    judged = rel.judge(entries, sections=lambda e: category[e.id])
    print(f"{name}: {len(reports)} reports")
    for title, on_topic in (("include/exclude terms alone", terms_only),
                            ("the topic filter (Relevance.judge)", [j is None for j in judged])):
        print(f"{title}:")
        report(reports, on_topic)
    why = Counter(j for j in judged if j is not None)
    print("off the topic by reason:", ", ".join(f"{k} {v}" for k, v in sorted(why.items())))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
