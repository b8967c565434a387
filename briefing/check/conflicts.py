"""Which of the meaning checks' findings are conflicts (a bullet `contradicted`) and which only
leave its support unshown (`unconfirmed`). Pure.

Precision first: a finding is a conflict only where the two things compared are aligned —
the same predicate, the same counted noun, the same role:
- a negation on one side only, of the word it governs there (the first content word in its
  scope: "did not rule out *talks*", "*talks* were ruled out"), not of words further on;
- a different number for the same counted noun ("14 *drones*" where the source has "12 drones");
- a named doer or speaker swapped for another, who is not named in the evidence at all;
- two names on either side of the same word, the other way round in the source (`swapped`);
- a day or month where the source has another one of the same class, and the bullet's is named
  nowhere near its evidence.
Every other finding (a preposition that differs, a verb the evidence lacks, a hedge on one side,
a number counting different words) is unaligned: it makes a bullet `unconfirmed` at most.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .lexicon import CLAUSE_CONJ, PASSIVE_AUX, TITLES, UNITS
from .marks import Side, negation_at


@dataclass(frozen=True, slots=True)
class Reason:
    kind: str  # evidence, polarity, number, role, attribution, time, place, modality, predicate
    text: str
    conflict: bool = False  # aligned and opposed: the bullet is contradicted (conflicts.py)


SCOPE_REACH = 16  # tokens back from a word in which the negation that covers it starts


def governed(side: Side, i: int) -> bool:
    """Whether token i is the word its negation governs: no other content word (names and
    numbers aside) between the negation and it; for a negating verb after its subject
    ("talks were ruled out"), the subject's last content word before it."""
    toks = side.toks
    for k in range(i - 1, max(-1, i - SCOPE_REACH), -1):
        t = toks[k]
        if t.kind == "p" and t.word != ",":
            break
        if negation_at(toks, k)[0]:
            return True
        if t.kind == "w" and t.content and not t.cap:
            break
    for k in range(i + 1, min(len(toks), i + 4)):  # "the talks were ruled out"
        if toks[k].kind == "p":
            return False
        if negation_at(toks, k)[0] and toks[k].word not in ("not", "no", "never"):
            return True
        if toks[k].content and toks[k].word not in ("been", "being"):
            return False
    return False


ANCHOR_REACH = 4  # content words either side of a word that say what it is said of


def neighbours(side: Side, i: int, reach: int = ANCHOR_REACH) -> set[str]:
    """The roots of the content words around token i in its clause (up to `reach` on each
    side, not counting negations; a clause ends at punctuation or "but", "while"…): what the
    word is said of."""
    out: set[str] = set()
    toks = side.toks
    for step in (-1, 1):
        j, seen = i + step, 0
        while (0 <= j < len(toks) and seen < reach and toks[j].kind != "p"
               and toks[j].word not in CLAUSE_CONJ):  # fmt: skip
            t = toks[j]
            if t.content and not negation_at(toks, j)[0]:
                out.add(t.stem)
                seen += 1
            j += step
    out.discard(toks[i].stem)
    return out


def anchored(b: Side, i: int, e: Side, j: int) -> bool:
    """Whether bullet token i and evidence token j (one word, by its root) say the same thing:
    some content word around one is around the other too ("has not *paused* military aid"
    and "has *paused* military aid"; not "sees it as a right" and "didn't see the letter")."""
    return bool(neighbours(b, i) & neighbours(e, j))


def counted(side: Side, i: int) -> set[str]:
    """The nouns number i counts: the content words just after it (a unit counting too),
    up to the next boundary, other number or preposition."""
    out: set[str] = set()
    toks = side.toks
    for j in range(i + 1, min(len(toks), i + 4)):
        t = toks[j]
        if t.kind in ("p", "n") or t.word in ("of", "in", "on", "at", "to", "by", "for"):
            break
        if t.content and not t.cap:
            out.add(t.stem)
            if t.word not in UNITS:
                break
    return out


def other_count(b: Side, i: int, e: Side) -> str | None:
    """A different number the evidence gives for what bullet number i counts, if any."""
    mine = counted(b, i)
    if not mine:
        return None
    for j, u in enumerate(e.toks):
        if u.kind == "n" and u.word != b.toks[i].word and counted(e, j) & mine:
            return u.word
    return None


def _sides_of(side: Side, k: int, names: set[str]) -> tuple[set[str], set[str]]:
    """The names (of `names`) before and after token k in its clause."""
    toks = side.toks
    before: set[str] = set()
    after: set[str] = set()
    for step, into in ((-1, before), (1, after)):
        j = k + step
        while 0 <= j < len(toks) and toks[j].kind != "p" and toks[j].word not in CLAUSE_CONJ:
            if toks[j].stem in names:
                into.add(toks[j].stem)
            j += step
    return before, after


def _passive(side: Side, k: int) -> bool:
    toks = side.toks
    near = [t.word for t in toks[max(0, k - 3) : k + 4]]
    return "by" in near or any(w in PASSIVE_AUX for w in near[:3])


def swapped(b: Side, e: Side) -> list[Reason]:
    """Two names on either side of the same word ("Greece rejected a request from Germany"
    where the source has "Germany rejected a request from Greece"), in active clauses on both
    sides: the doer and the receiver swapped."""
    names = {t.stem for t in b.toks if t.cap and t.word not in TITLES}  # found in any case
    if len(names) < 2:
        return []
    once_b = Counter(t.stem for t in b.toks if t.kind == "w")
    once_e = Counter(t.stem for t in e.toks if t.kind == "w")
    for k, t in enumerate(b.toks):
        if (t.kind != "w" or not t.content or t.stem in names or once_b[t.stem] != 1
                or once_e[t.stem] != 1):  # fmt: skip
            continue
        j = next(i for i, u in enumerate(e.toks) if u.stem == t.stem)
        if _passive(b, k) or _passive(e, j):
            continue
        (bb, ba), (eb, ea) = _sides_of(b, k, names), _sides_of(e, j, names)
        x, y = bb & ea - eb, ba & eb - ea
        if x and y:
            return [Reason("role", f"the bullet has '{'/'.join(sorted(x))}' before '{t.word}' and "
                                   f"'{'/'.join(sorted(y))}' after it; the source has them the "
                                   "other way round", True)]  # fmt: skip
    return []
