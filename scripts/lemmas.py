"""Builds briefing/check/data/lemmas.txt.gz, the checker's word forms, from LemmInflect's
dictionary (MIT licence; its data is derived from the NIH SPECIALIST Lexicon, free to use):

    .venv/bin/python scripts/lemmas.py          # rewrite the file
    .venv/bin/python scripts/lemmas.py --check  # exit 1 if the file is not what it would write

LemmInflect is a test dependency, not a run-time one: loading its tables takes ~0.16 s, over
the start-up budget of a one-file run, so the two things the checker needs are vendored:
Three parts, a blank line between them:
- `form lemma`: every inflected form whose crude stem (`lexicon.stem`) misses its lemma's
  ("shot" -> "shoot", "won" -> "win", "fled" -> "flee", "children" -> "child"), a verb's
  lemma preferred; a form that is itself a verb keeps its own ("found", "saw", "wound");
- words that are never nouns: adjectives and adverbs of the dictionary, scikit-learn's English
  stop words and the prepositions below ("roughly", "several", "despite"): no name where one
  opens a sentence ("Trump" may be one);
- every other lowercase word the dictionary knows (nouns and verbs; it has no names): with
  the words above, the ordinary words, so that an opener such as "Officials" that the source
  does not have is not taken for a missing name.
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "briefing" / "check" / "data" / "lemmas.txt.gz"


# English prepositions and conjunctions in neither list (a closed class)
PREPOSITIONS = set("""aboard along alongside amid amidst among amongst anti around astride atop
    barring beneath beside besides beyond concerning considering despite excluding following
    inside minus notwithstanding onto opposite outside past pending plus regarding round save
    since than throughout till toward towards underneath unlike unless until versus via
    whereas whether within without""".split())


def build() -> bytes:
    from lemminflect.core.Lemmatizer import Lemmatizer

    sys.path.insert(0, str(OUT.parents[3]))
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from briefing.check.lexicon import stem

    table = Lemmatizer()._getLemmaDict()
    irregular: dict[str, str] = {}
    known: set[str] = set()
    plain = {w for w in ENGLISH_STOP_WORDS if w.isalpha()} | PREPOSITIONS  # never names
    for form, by_pos in table.items():
        if not form.isalpha() or not form.islower():
            continue
        known.add(form)
        if "NOUN" not in by_pos and "PROPN" not in by_pos and (
                {"ADJ", "ADV"} & by_pos.keys()):  # fmt: skip
            plain.add(form)
        verbs = by_pos.get("VERB", ())
        if form in verbs:
            continue  # a verb in its own right: "found", "saw", "wound"
        lemmas = [x for x in verbs if x.isalpha()] or [
            x for p in ("NOUN", "ADJ", "AUX") for x in by_pos.get(p, ()) if x.isalpha()]
        lemmas = [x for x in lemmas if x != form]
        if lemmas and all(stem(x) != stem(form) for x in lemmas):
            irregular[form] = sorted(lemmas)[0]
    parts = ["\n".join(f"{f} {irregular[f]}" for f in sorted(irregular)),
             "\n".join(sorted(plain)), "\n".join(sorted(known - plain))]  # fmt: skip
    return gzip.compress(("\n\n".join(parts) + "\n").encode(), mtime=0)


def main() -> int:
    data = build()
    if "--check" in sys.argv[1:]:
        same = OUT.is_file() and gzip.decompress(OUT.read_bytes()) == gzip.decompress(data)
        print(f"{OUT}: {'up to date' if same else 'differs'}")
        return 0 if same else 1
    OUT.write_bytes(data)
    print(f"{OUT}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
