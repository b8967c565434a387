"""What each word of a sentence carries, for the meaning checks: whether a negation covers it
(and how many: two affirm), whether a hedge qualifies it, the role of a name, and who speaks.
Pure and rule-based (`lexicon.py` holds the word lists)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .evidence import Tok, tokenize
from .lexicon import (
    AUXILIARIES,
    CLAUSE_CONJ,
    CLAUSE_START,
    HEDGES,
    KNOWING,
    LEXICAL_NEG,
    NEG_PHRASES,
    NEG_VERBS,
    NEGATORS,
    PARENTHETICAL,
    PASSIVE_AUX,
    PRONOUNS,
    ROLE_CLASS,
    SPEAKER_NOUNS,
    SPEECH,
    TITLES,
    is_predicate,
)
from .thresholds import HEDGE_REACH


@dataclass(slots=True)
class Side:
    """One side of a comparison (a bullet, or its evidence sentences): tokens, and for each
    the number of negations that cover it and whether a hedge qualifies it."""

    toks: list[Tok]
    depth: list[int]
    hedged: list[bool]
    texts: list[str]  # the sentence each token is from (offsets are into it)
    cased: bool

    @classmethod
    def of(cls, text: str, cased: bool = True) -> Side:
        toks = tokenize(text)
        return cls(toks, depths(toks), hedges(toks), [text] * len(toks), cased)

    @classmethod
    def join(cls, parts: Sequence[Side]) -> Side:
        """Several sentences as one side, a full stop between them."""
        out = cls([], [], [], [], all(p.cased for p in parts))
        for p in parts:
            out.toks += [*p.toks, Tok(".", 0, 0, "p")]
            out.depth += [*p.depth, 0]
            out.hedged += [*p.hedged, False]
            out.texts += [*p.texts, ""]
        return out

    def parity(self, i: int) -> int:
        return self.depth[i] % 2

    def phrase(self, i: int, j: int) -> str:
        """The text from token i to token j (either order), as written."""
        a, b = sorted((i, j))
        if self.texts[a] is self.texts[b] and self.texts[a]:
            return " ".join(self.texts[a][self.toks[a].start : self.toks[b].end].split())
        return " ".join(t.word for t in self.toks[a : b + 1] if t.kind != "p")

    def stems(self) -> set[str]:
        return {t.stem for t in self.toks}


# ---------------------------------------------------------------- negation


def negation_at(toks: Sequence[Tok], i: int) -> tuple[bool, int]:
    """(whether a negation starts at token i, index of its last token)."""
    w = toks[i].word
    if w in NEGATORS:
        if w == "not" and i + 1 < len(toks) and toks[i + 1].word in ("only", "least"):
            return False, i
        return True, i
    if w in NEG_VERBS or (w in LEXICAL_NEG and not (i and toks[i - 1].word == "as")):
        return True, i
    if i + 1 < len(toks) and (w, toks[i + 1].word) in NEG_PHRASES:
        return True, i + 1
    return False, i


def _scope(toks: Sequence[Tok], start: int, wide: bool) -> list[int]:
    """Tokens a negation covers: the rest of its clause; for a negating verb (wide), skipping
    a ", which …," aside."""
    out: list[int] = []
    j, n, words, knowing = start, len(toks), 0, False
    without = start > 0 and toks[start - 1].word == "without"
    while j < n:
        t = toks[j]
        if t.kind == "p":
            if wide and t.word == "," and j + 1 < n and toks[j + 1].word in PARENTHETICAL:
                k = j + 1
                while k < n and toks[k].kind != "p":
                    k += 1
                if k < n and toks[k].word == ",":
                    j = k + 1
                    continue
            break
        if t.word in CLAUSE_CONJ or (without and words and t.word in AUXILIARIES):
            break  # "peace talks without Kyiv were ruled out": "without" ends at the verb
        if not wide and knowing and t.word in ("that", "whether", "if"):
            break  # "could not confirm the report that …": the report is unconfirmed, not false
        if t.word in ("and", "or") and j + 1 < n and toks[j + 1].word in CLAUSE_START:
            break
        if not wide and not words and negation_at(toks, j)[0] and toks[j].word not in NEGATORS:
            return [*out, j, *_scope(toks, negation_at(toks, j)[1] + 1, True)]  # "not rule out"
        out.append(j)
        words += t.content
        knowing = knowing or t.word in KNOWING
        j += 1
    return out


def _before(toks: Sequence[Tok], i: int) -> list[int]:
    """The words before a passive negating verb ("talks were ruled out"), to the clause start."""
    out = []
    j = i - 1
    while j >= 0 and toks[j].kind != "p" and toks[j].word not in CLAUSE_CONJ:
        out.append(j)
        j -= 1
    return out


def depths(toks: Sequence[Tok]) -> list[int]:
    """How many negations cover each token (2: a double negation, which affirms: "did not
    rule out talks" covers "talks" by "not" and by "rule out")."""
    depth = [0] * len(toks)
    for i in range(len(toks)):
        neg, last = negation_at(toks, i)
        if not neg:
            continue
        wide = toks[i].word not in NEGATORS
        if toks[i].word in LEXICAL_NEG:
            covered = _before(toks, i)
        elif wide and i > 0 and toks[i - 1].word in PASSIVE_AUX:
            covered = _before(toks, i - 1)
        else:
            covered = _scope(toks, last + 1, wide)
            if toks[i].word == "not" and any(toks[j].word in ("until", "till") for j in covered):
                continue  # "did not send it until April": sent, in April
        for j in covered:
            depth[j] += 1
    return depth


# ---------------------------------------------------------------- hedges


def hedge_at(toks: Sequence[Tok], i: int) -> bool:
    t = toks[i]
    if t.word == "said" and i + 1 < len(toks) and toks[i + 1].word == "to":  # "is said to be"
        return True
    return t.word in HEDGES and not (t.word == "may" and t.cap)


def hedges(toks: Sequence[Tok]) -> list[bool]:
    """True for the word a hedge qualifies: the first content word after it ("could be
    sidelined", "likely to call", "reportedly furious")."""
    out = [False] * len(toks)
    for i in range(len(toks)):
        if not hedge_at(toks, i):
            continue
        for j in range(i + 1, min(len(toks), i + 1 + HEDGE_REACH)):
            if toks[j].kind == "p":
                break
            if toks[j].content and toks[j].word not in ("said", "to"):
                out[j] = True
                break
    return out


# ---------------------------------------------------------------- roles and speakers


def name_like(t: Tok, cased: bool) -> bool:
    return t.kind == "w" and (t.cap if cased else t.content)


def verb_like(t: Tok) -> bool:
    return t.kind == "w" and not t.cap and t.word not in SPEECH and is_predicate(t.word)


def roles(side: Side) -> dict[str, set[str | None]]:
    """stem of each name (the last word of a multi-word name) -> its roles: the class of its
    preposition ("by Qatar": agent, "to Ukraine": other), or in cased text "agent" for the
    subject of an active verb and "other" for an object. None: no role (a wildcard)."""
    out: dict[str, set[str | None]] = {}
    at: dict[int, str | None] = {}  # token index -> role, for "between Russia and Ukraine"
    toks, cased = side.toks, side.cased
    for i, t in enumerate(toks):
        if not name_like(t, cased) or (cased and i + 1 < len(toks) and toks[i + 1].cap):
            continue
        j = i - 1
        while j >= 0 and (toks[j].word in ("the", "a", "an") or (cased and toks[j].cap)):
            j -= 1
        role = _subject_role(toks, i) if cased else None  # "to the US raising": US acts
        if role:
            pass
        elif j >= 0 and toks[j].word in ROLE_CLASS:
            role = ROLE_CLASS[toks[j].word]
        elif j >= 1 and toks[j].word in ("and", "or") and name_like(toks[j - 1], cased):
            role = at.get(j - 1)
        elif cased and j >= 0 and verb_like(toks[j]):
            role = "other"  # "Britain hits Russia"
        at[i] = role
        out.setdefault(t.stem, set()).add(None if t.poss else role)
    return out


def _subject_role(toks: Sequence[Tok], i: int) -> str | None:
    """"agent" for a name followed by its active verb ("Russia returned", "Russia is
    delivering"), "other" for a passive one ("Russia was attacked")."""
    verb = _verb_after(toks, i)
    return None if verb is None else verb[1]


def _verb_after(toks: Sequence[Tok], i: int) -> tuple[int, str] | None:
    """The verb that token i is the subject of, if one follows it: (its index, "agent" for an
    active verb or "other" for a passive one)."""
    k = i + 1
    aux = k < len(toks) and toks[k].word in AUXILIARIES
    if aux:
        k += 1
    progressive = aux and k < len(toks) and toks[k].word.endswith("ing")  # "is delivering"
    ruled = k + 1 < len(toks) and (toks[k].word, toks[k + 1].word) in NEG_PHRASES  # "rules out"
    if k >= len(toks) or not (verb_like(toks[k]) or progressive or ruled
                              or toks[k].word in NEG_VERBS):  # fmt: skip
        return None
    passive = aux and toks[k - 1].word in PASSIVE_AUX and toks[k].word.endswith("ed")
    return k, "other" if passive else "agent"


def speakers(side: Side) -> tuple[set[str], bool]:
    """(stems of the names that say something, whether a pronoun speaks)."""
    toks, names, anonymous = side.toks, set(), False
    for i, t in enumerate(toks):
        if t.word not in SPEECH:
            continue
        j = i - 1
        while j >= 0 and (toks[j].word in SPEAKER_NOUNS or toks[j].word in AUXILIARIES):
            j -= 1  # "Interfax news agency reported", "Healey has said"
        if j >= 0 and toks[j].word == ",":  # "Kurt Volker, former US envoy, said"
            k = j - 1
            while k >= 0 and toks[k].kind != "p":
                k -= 1
            j = k - 1 if k >= 0 and toks[k].word == "," else j
        before = _name_run(toks, j, -1)
        after = _name_run(toks, i + 1 + (t.word == "according"), 1)
        if before or after:
            names |= before or after
        elif j >= 0 and toks[j].word in PRONOUNS:
            anonymous = True
    return names, anonymous


def _name_run(toks: Sequence[Tok], j: int, step: int) -> set[str]:
    out = set()
    while 0 <= j < len(toks) and toks[j].cap:
        if toks[j].word not in TITLES:
            out.add(toks[j].stem)
        j += step
    return out


def doers(side: Side) -> dict[str, set[str]]:
    """In cased text, the stem of each active verb -> the stems of the names that are its
    subject ("UK rules out": rule -> {uk}); a verb whose subject is a pronoun or a title ("he
    ruled out", "the prime minister ruled out") maps to an empty set."""
    toks, out = side.toks, dict[str, set[str]]()
    for i, t in enumerate(toks):
        if not side.cased or t.kind != "w" or t.poss or (i + 1 < len(toks) and toks[i + 1].cap):
            continue  # "Putin's phone call": no subject
        if side.texts[i][max(0, t.start - 1) : t.start] == "-":  # "Putin-Trump phone call"
            continue
        verb = _verb_after(toks, i)
        if verb is None or verb[1] != "agent":
            continue
        names = out.setdefault(toks[verb[0]].stem, set())
        if t.cap:
            names.add(t.stem)
    return out
