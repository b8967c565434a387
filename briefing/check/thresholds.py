"""The checker's thresholds, in one place: frozen after tuning on the labelled claims in
`tests/data/claims.json` (and the held-out set never tuned on). Pure data."""

from __future__ import annotations

# the words check (`words.py`)
MIN_SUPPORT = 0.6  # share of a bullet's content words found in its cited text
UNRELATED_SUPPORT = 0.4  # below this share, nothing in the cited text bears on the bullet
NAME_SIMILARITY = 85  # rapidfuzz ratio for a name to match a spelling variant ("Szlapka")
# titles and summarisers' bullets (`bullets.py`)
TITLE_SUPPORT = 0.67  # a section title must be mostly words of its own bullets' sources
MAX_TITLE_CHARS = 120
MAX_BULLET_WORDS = 45  # a summariser's bullet longer than this is not a bullet
# evidence (`evidence.align`)
MAX_EVIDENCE = 3  # sentences per bullet
MIN_FIRST_SHARE = 0.34  # the best sentence must hold this share of the bullet's weighted words
MIN_FIRST_WORDS = 2  # ... and at least this many of its distinct words
MIN_GAIN = 2.0  # a further sentence must add this much weight the others lack ...
MIN_SHARED = 3  # ... and share this many distinct words with the bullet
# meaning (`meaning.py`, `marks.py`)
MIN_EVIDENCE_SUPPORT = 0.6  # share of the bullet's weighted words in its evidence + context
NUMBER_REACH = 4  # tokens either side of a number that say what it counts
HEDGE_REACH = 3  # tokens after a hedge word in which it finds the word it qualifies
# a verifier model's quotes (`verdicts.py`)
MIN_QUOTE_WORDS = 3  # a shorter quote is found almost anywhere
QUOTE_SHARED = 2  # content words a quote shares with its bullet (all, if the bullet has fewer)
