"""The numbers check: each number of a bullet with the words it counts ("shot down 85"),
compared with its evidence as a pair; an amount written another way ("three thousand" for
"3,000") is the same amount (`quantities.py`). Pure."""

from __future__ import annotations

from .conflicts import Reason, other_count
from .lexicon import UNITS
from .marks import Side
from .quantities import forms, mentions
from .thresholds import NUMBER_REACH


def _counted(side: Side, i: int) -> tuple[set[str], int, int]:
    """The content words next to number i (same clause, no other number between; units are
    skipped), and the span they cover."""
    stems: set[str] = set()
    lo = hi = i
    for step in (-1, 1):
        j = i + step
        while 0 <= j < len(side.toks) and abs(j - i) <= NUMBER_REACH:
            t = side.toks[j]
            if t.kind in ("p", "n") or t.word in ("and", "or", "but", "while", "of"):
                break
            if t.content and t.word not in UNITS:
                stems.add(t.stem)
                lo, hi = min(lo, j), max(hi, j)
            j += step
    return stems, lo, hi


def spans(b: Side, e: Side, compound: bool = False) -> set[int]:
    """The bullet's tokens inside an amount its evidence gives in some form ("one hundred and
    nine": 109); with `compound`, only amounts of more than one token."""
    have = forms(" ".join(dict.fromkeys(x for x in e.texts if x)))
    got = set()
    for m in mentions(b.texts[0]) if b.texts else []:
        inside = [i for i, t in enumerate(b.toks) if m.start <= t.start < m.end]
        several = sum(b.toks[i].kind == "n" for i in inside) > 1  # "one hundred and nine"
        if m.alts & have and (several or not compound):
            got.update(inside)
    return got


def numbers(b: Side, e: Side) -> list[Reason]:
    out = []
    amounts = mentions(b.texts[0]) if b.texts else []
    have = forms(" ".join(dict.fromkeys(x for x in e.texts if x)))
    compound = spans(b, e, compound=True)
    for i, t in enumerate(b.toks):
        if t.kind != "n" or i in compound:
            continue
        where = [j for j, u in enumerate(e.toks) if u.kind == "n" and u.word == t.word]
        if not where and any(m.start <= t.start < m.end and m.alts & have for m in amounts):
            continue  # the same amount written another way ("three thousand": 3,000)
        if not where:
            other = other_count(b, i, e)
            said = f", which give {other} for '{b.phrase(i, min(i + 1, len(b.toks) - 1))}'"
            out.append(Reason("number", f"number {t.word} is not in the supporting sentences"
                              + (said if other else ""), other is not None))
            continue
        mine, lo, hi = _counted(b, i)
        theirs = [_counted(e, j) for j in where]
        if not mine or any(not s or s & mine for s, _, _ in theirs):
            continue
        _, elo, ehi = theirs[0]
        swap = next((u.word for j, u in enumerate(e.toks) if u.kind == "n" and u.word != t.word
                     and _counted(e, j)[0] & mine), None)  # the source's number for it
        said = f", which has {swap} for it" if swap else ""
        out.append(Reason("number", f"number {t.word} counts '{b.phrase(lo, hi)}' in the bullet "
                                    f"but '{e.phrase(elo, ehi)}' in the source{said}",
                          swap is not None))  # fmt: skip
    return out
