"""The number reader on real sentences: every sentence of the blind set's *tune* entries that
has a number (not a year) is checked as a bullet with its numbers spelled out in words
("109" -> "one hundred and nine"); each should be `supported`. Tune entries only: the
held-out half is never read for this.

    .venv/bin/python -m bench.spelled_numbers [--eval-dir ../shared/eval]
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from briefing.check import check_bullet
from briefing.check.evidence import sentence_spans

from .blind_claims import HERE, entry_texts

ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen").split()  # fmt: skip
TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
NUMBER = re.compile(r"(?<![\w.,:£$])(\d{1,3}(?:,\d{3})*|\d+)(?![\d.,:%]\d|\w)")


def words(n: int) -> str | None:
    if n < 20:
        return ONES[n]
    if n < 100:
        return TENS[n // 10] + ("-" + ONES[n % 10] if n % 10 else "")
    if n < 1000:
        return ONES[n // 100] + " hundred" + (" and " + str(words(n % 100)) if n % 100 else "")
    if n < 10**6:
        rest = n % 1000
        joint = " " if rest >= 100 else " and "
        return f"{words(n // 1000)} thousand" + (joint + str(words(rest)) if rest else "")
    return None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--eval-dir", type=Path, default=HERE.parents[2].parent / "shared" / "eval")
    args = ap.parse_args(argv)
    texts = entry_texts(args.eval_dir)
    tune = sorted({c["entry"] for c in json.loads((HERE / "claims_tune.json").read_text("utf-8"))})
    verdicts: Counter[str] = Counter()
    for e in tune:
        text = texts[e]
        for start, end in sentence_spans(text):
            sent = text[start:end]
            found = [m for m in NUMBER.finditer(sent)
                     if not 1900 <= int(m.group().replace(",", "")) <= 2100]  # fmt: skip
            if not found or len(sent.split()) < 6:
                continue
            bullet = sent
            for m in reversed(found):
                if said := words(int(m.group().replace(",", ""))):
                    bullet = bullet[: m.start()] + said + bullet[m.end() :]
            if bullet == sent:
                continue
            r = check_bullet(bullet, [e], {e: text})
            verdicts[r.verdict] += 1
            if r.verdict != "supported":
                print(f"{r.verdict}: {bullet[:120]} | {r.reason}")
    print(", ".join(f"{v} {verdicts[v]}" for v in ("supported", "unconfirmed", "contradicted")))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
