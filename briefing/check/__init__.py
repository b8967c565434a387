"""The citation checker: every bullet cites real entries, and what it says is in them. Pure.

`bullets.py` judges a bullet (and a briefing) through the words check (`words.py`), its
evidence sentences (`evidence.py`) and the meaning checks (`meaning.py`, over what `marks.py`
reads of each word), and flags instruction-like text (`instructions.py`); `verdicts.py` judges
a verifier model's answers. Every word list is in `lexicon.py`, every threshold in
`thresholds.py`.
"""

from __future__ import annotations

from .bullets import (
    BulletCheck,
    Checked,
    check_briefing,
    check_bullet,
    check_title,
    screen,
    validate,
    write_days,
)
from .evidence import Index, align, numbers, tokenize
from .instructions import instruction_like
from .lexicon import GROUPS, NOT_NAMES, STOPWORDS, aliases, root, stem
from .verdicts import Verdict, claim_key, outcome, unsupported, verdicts
from .when import Clock, has_relative, resolve
from .words import WORD, proper_nouns, support

__all__ = [
    "GROUPS",
    "NOT_NAMES",
    "STOPWORDS",
    "WORD",
    "BulletCheck",
    "Checked",
    "Clock",
    "Index",
    "Verdict",
    "aliases",
    "align",
    "check_briefing",
    "check_bullet",
    "check_title",
    "claim_key",
    "has_relative",
    "instruction_like",
    "numbers",
    "outcome",
    "proper_nouns",
    "resolve",
    "root",
    "screen",
    "stem",
    "support",
    "tokenize",
    "unsupported",
    "validate",
    "verdicts",
    "write_days",
]
