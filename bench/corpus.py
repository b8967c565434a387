"""A synthetic live-blog corpus with a known duplicate structure, built from the sample
corpus's real sentences. Seeded and deterministic.

    python bench/corpus.py N OUT_DIR [--seed 7]

writes OUT_DIR/blog_XXXX.txt (100 entries each, in the Independent's live-blog text form:
headline, body, "AuthorDD Month YYYY HH:MM" byline) and OUT_DIR.truth.json beside it:
{"entries": [{"file", "index", "group", "kind"}]} where entries of one group are copies of
each other, and kind says how a copy was made: "original", "exact" (republished as is),
"near" (typo fixes, a changed word, reordered sentences, a new headline), "contained" (the
entry inside a longer article) or "distinct" (another entry on the same story, sharing a
sentence with it: not a duplicate).
"""

from __future__ import annotations

import argparse
import json
import random
import re
from dataclasses import dataclass
from pathlib import Path

from briefing.app import sample_corpus
from briefing.ingest import load_rules
from briefing.ingest.clean import clean
from briefing.tokens import sentences

PER_FILE = 100
AUTHORS = ["Tom Watling", "Arpan Rai", "Alex Ross", "Athena Stavrou", "Alexander Butler"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December"]  # fmt: skip
# Share of generated entries of each kind (the rest are originals).
MIX = {"exact": 0.10, "near": 0.12, "contained": 0.06, "distinct": 0.10}


def source_sentences() -> list[str]:
    rules = load_rules()
    out = []
    for f in sorted(sample_corpus().iterdir()):
        text = clean(f.read_text("utf-8"), rules, "The Independent")
        for line in text.split("\n"):
            if len(line.split()) >= 8 and not re.search(r"\d{4} \d{2}:\d{2}$", line):
                out.extend(
                    s
                    for s in sentences(line)
                    if 8 <= len(s.split()) <= 45 and s[-1] in ".!?\"'" and s[0].isalnum()
                )
    return sorted(set(out))


@dataclass
class Entry:
    headline: str
    body: list[str]
    group: int
    kind: str


class Generator:
    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.sents = source_sentences()
        self.vocab = sorted(
            {w for s in self.sents for w in s.split() if w.isalpha() and len(w) > 3}
        )
        self.groups = 0

    def _vary(self, s: str, k: int = 3) -> str:
        """A new sentence from a real one: k words swapped for corpus words, numbers changed."""
        words = s.split()
        for _ in range(k):
            i = self.rng.randrange(len(words) - 1)  # the last word keeps the full stop
            words[i] = self.rng.choice(self.vocab)
        text = " ".join(words)
        return re.sub(r"\d+", lambda m: str(self.rng.randint(2, 999)), text)

    def original(self) -> Entry:
        n = self.rng.randint(3, 7)
        body = [self._vary(self.rng.choice(self.sents)) for _ in range(n)]
        headline = " ".join(self._vary(self.rng.choice(self.sents)).rstrip(".").split()[:10])
        self.groups += 1
        return Entry(headline.rstrip(".,:;!\"'"), body, self.groups, "original")

    def near(self, e: Entry) -> Entry:
        body = list(e.body)
        edit = self.rng.choice(["typo", "word", "reorder", "headline"])
        if edit == "reorder" and len(body) > 2:
            i = self.rng.randrange(len(body) - 1)
            body[i], body[i + 1] = body[i + 1], body[i]
        elif edit in ("typo", "word"):
            i = self.rng.randrange(len(body))
            words = body[i].split()
            j = self.rng.randrange(len(words))
            w = words[j]
            words[j] = (
                (w[1] + w[0] + w[2:])
                if edit == "typo" and len(w) > 3
                else self.rng.choice(self.vocab)
            )
            body[i] = " ".join(words)
        headline = e.headline if edit != "headline" else "Updated: " + e.headline
        return Entry(headline, body, e.group, "near")

    def contained(self, e: Entry) -> Entry:
        before = [self._vary(self.rng.choice(self.sents)) for _ in range(self.rng.randint(2, 4))]
        after = [self._vary(self.rng.choice(self.sents)) for _ in range(self.rng.randint(2, 4))]
        return Entry("Analysis: " + e.headline, before + e.body + after, e.group, "contained")

    def distinct(self, e: Entry) -> Entry:
        fresh = self.original()
        fresh.body[self.rng.randrange(len(fresh.body))] = self.rng.choice(e.body)
        fresh.kind = "distinct"
        return fresh

    def generate(self, n: int) -> list[Entry]:
        out: list[Entry] = []
        originals: list[Entry] = []
        kinds = list(MIX)
        weights = [MIX[k] for k in kinds]
        rest = 1 - sum(weights)
        while len(out) < n:
            kind = self.rng.choices([*kinds, "original"], [*weights, rest])[0]
            if kind == "original" or not originals:
                e = self.original()
                originals.append(e)
            else:
                base = self.rng.choice(originals[-2000:])  # copies follow their story closely
                e = (
                    getattr(self, kind)(base)
                    if kind != "exact"
                    else Entry(base.headline, list(base.body), base.group, "exact")
                )
            out.append(e)
        return out


def truth_path(out: Path) -> Path:
    """Beside the corpus folder, so ingesting the folder does not read it."""
    return out.with_name(out.name + ".truth.json")


def write(entries: list[Entry], out: Path, seed: int) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    truth = []
    for f in range(0, len(entries), PER_FILE):
        name = f"blog_{f // PER_FILE:05d}.txt"
        lines = [f"date 2025-02-{1 + (f // PER_FILE) % 28:02d}"]
        chunk = entries[f : f + PER_FILE]
        for i, e in enumerate(chunk):
            day = 1 + (f // PER_FILE) % 28
            hh, mm = 23 - (i * 10 // 60) % 24, 59 - (i * 10) % 60
            lines += [e.headline, *e.body,
                      f"{rng.choice(AUTHORS)}{day} {MONTHS[1]} 2025 {hh:02d}:{mm:02d}"]  # fmt: skip
            truth.append({"file": name, "index": i, "group": e.group, "kind": e.kind})
        (out / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
    data = {"entries": truth, "n": len(entries), "seed": seed}
    truth_path(out).write_text(json.dumps(data))
    return data


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    data = write(Generator(args.seed).generate(args.n), args.out, args.seed)
    print(f"{data['n']} entries in {args.out}")


if __name__ == "__main__":
    main()
