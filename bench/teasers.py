"""The teaser signal (`ingest/teasers.is_cut`) on text it was not written against: the 100
blind relevance reports (tests/data/blind/relevance_*.json, both halves: the signal was not
tuned on either) and every entry of the sample corpus.

Whole texts, as a feed would carry them, must stay usable: the first paragraph, and the
first whole sentences up to 400 characters. Cut texts are made from the same reports the
ways feeds cut them (synthetic, so their recall is an upper bound on real feeds): at a word
boundary with "…", "[…]" or nothing (mid-sentence), after whole sentences with "Read more"
or "Continue reading →", and WordPress's "[…]" + "The post … appeared first on …".

    .venv/bin/python -m bench.teasers
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterator
from pathlib import Path

from briefing.ingest.teasers import is_cut
from briefing.tokens import sentences

HERE = Path(__file__).resolve().parent.parent
SEED = 21


def reports() -> Iterator[tuple[str, str]]:
    """(headline, body) of each blind relevance report and each sample-corpus entry."""
    for half in ("tune", "heldout"):
        for r in json.loads((HERE / f"tests/data/blind/relevance_{half}.json").read_text("utf-8")):
            yield r["headline"], r["body"]
    from briefing.app import sample_corpus
    from briefing.config import zone
    from briefing.ingest import ingest, load_rules

    got = ingest([str(sample_corpus())], rules=load_rules(None), tz=zone("Europe/London"))
    for x in got.loaded:
        for e in x.entries:
            if e.body and e.kind != "link":
                yield e.headline or "", e.body


def _first_para(body: str) -> str:
    return next(p.strip() for p in body.split("\n") if p.strip())


def _whole_sentences(body: str, most: int = 400) -> str:
    out = ""
    for s in sentences(_first_para(body)):
        if out and len(out) + len(s) + 1 > most:
            break
        out = f"{out} {s}".strip()
    return out


def _cut_at_word(text: str, rng: random.Random) -> str:
    words = text[:300].split()
    n = rng.randint(max(3, len(words) // 3), max(4, len(words) - 2))
    return " ".join(words[:n]).rstrip(",.;:!?")


def main() -> int:
    rng = random.Random(SEED)
    whole: dict[str, Callable[[str], str]] = {
        "first paragraph": _first_para,
        "whole sentences <= 400 chars": _whole_sentences,
    }
    cut: dict[str, Callable[[str], str]] = {
        "word cut + …": lambda b: _cut_at_word(_first_para(b), rng) + "…",
        "word cut + [...]": lambda b: _cut_at_word(_first_para(b), rng) + " [...]",
        "word cut, nothing after": lambda b: _cut_at_word(_first_para(b), rng),
        "sentences + Read more": lambda b: _whole_sentences(b, 250) + " Read more",
        "sentences + Continue reading →": lambda b: _whole_sentences(b, 250) + " Continue reading →",
        "WordPress […] + footer": lambda b: (_cut_at_word(_first_para(b), rng)
                                             + " […] The post Talks appeared first on Wire."),
    }  # fmt: skip
    texts = [b for _h, b in reports()]
    print(f"{len(texts)} reports (100 blind relevance reports + sample-corpus entries)")
    print("whole texts flagged as cut (false positives; lower is better):")
    for name, make in whole.items():
        flagged = [t for t in map(make, texts) if is_cut(t)]
        print(f"  {name:34} {len(flagged):3}/{len(texts)}")
        for t in flagged[:3]:
            print(f"      e.g. …{t[-70:]!r}")
    print("cut texts found (synthetic cuts; higher is better):")
    for name, make in cut.items():
        found = sum(is_cut(make(t)) for t in texts)
        print(f"  {name:34} {found:3}/{len(texts)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
