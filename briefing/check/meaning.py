"""Meaning checks between a bullet and its evidence sentences: offline, deterministic, rules.

A bullet can keep its source's words and still change what it says. Each check compares one
aspect of the bullet with the sentences `evidence.align` found for it, and each failure is a
reason in words:

- polarity: a word under a negation (not, no, never, without; denied, rejected, refused, ruled
  out…) on one side only, counting double negations;
- numbers: each number with the words it counts ("shot down 85"), compared as a pair;
- roles: a name with its preposition ("to Ukraine", "by Qatar") in the bullet and the source;
- attribution: who said it (the speaker of a quote or of reported speech);
- time and place: days, months, "yesterday"…, and places after in/at/near;
- modality: hedged (may, could, likely, reportedly…) on one side only;
- predicates: verbs the evidence lacks, and antonyms of the source's ("rejected" for
  "agreed").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import pairwise

from rapidfuzz import fuzz, process

from .conflicts import Reason, anchored, governed, swapped
from .counts import numbers, spans
from .evidence import Sentence, Tok
from .lemmas import other_places, places
from .lexicon import (
    HEDGES,
    LEXICAL_NEG,
    NEG_VERBS,
    PREPOSITIONS,
    ROLE_CLASS,
    SPEECH,
    TIME_WORDS,
    TITLES,
    aliases,
    antonyms_in,
    group_stems,
    in_groups,
    is_predicate,
)
from .marks import Side, doers, hedge_at, name_like, negation_at, roles, speakers
from .thresholds import MIN_EVIDENCE_SUPPORT, NAME_SIMILARITY
from .words import support


def _compared(side: Side) -> dict[str, list[int]]:
    """stem -> token indices of the words whose polarity and hedging are compared: content
    words that are not names, not the object of a preposition ("in Ukraine"), and not
    negations or hedges themselves."""
    out: dict[str, list[int]] = {}
    for i, t in enumerate(side.toks):
        if (t.kind == "w" and t.content and not t.cap and t.word not in NEG_VERBS
                and t.word not in HEDGES and t.word not in LEXICAL_NEG
                and not negation_at(side.toks, i)[0]
                and not _after_preposition(side, i)):  # fmt: skip
            out.setdefault(t.stem, []).append(i)
    return out


def _after_preposition(side: Side, i: int) -> bool:
    j = i - 1
    while j >= 0 and side.toks[j].word in ("the", "a", "an", "its", "his", "her", "their"):
        j -= 1
    return j >= 0 and side.toks[j].word in PREPOSITIONS


def polarity(b: Side, e: Side) -> list[Reason]:
    eb, ee = _compared(b), _compared(e)
    found = []
    for k, bi in eb.items():
        ei = ee.get(k)
        if not ei or {b.parity(i) for i in bi} & {e.parity(i) for i in ei}:
            continue
        aligned = (any(governed(b, x) for x in bi if b.parity(x)) or any(
            governed(e, x) for x in ei if e.parity(x))) and any(  # the word its negation governs
            anchored(b, x, e, y) for x in bi for y in ei)  # said of the same thing
        i, j = bi[0], ei[0]
        word = b.toks[i].word
        if b.parity(i):
            text = f"'{word}' is negated in the bullet ('{_around(b, i)}') but not in the source"
            text += f" ('{_around(e, j)}')" if e.depth[j] < 2 else (
                f": the source affirms it by a double negation ('{_around(e, j)}')")
        else:
            text = f"'{word}' is negated in the source ('{_around(e, j)}') but not in the bullet"
            if b.depth[i] >= 2:
                text += f", which affirms it by a double negation ('{_around(b, i)}')"
        found.append((not aligned, -len(word), text))
    return [Reason("polarity", text, not u) for u, _, text in sorted(found)[:2]]


def _around(side: Side, j: int) -> str:
    """The words from the earliest negation that covers token j to token j."""
    lo = j
    for k in range(j - 1, max(-1, j - 16), -1):
        if side.toks[k].kind == "p" and side.toks[k].word != ",":
            break
        if negation_at(side.toks, k)[0]:
            lo = k
    if lo == j and side.depth[j]:  # a passive negating verb after its subject
        for k in range(j + 1, min(len(side.toks), j + 10)):
            if negation_at(side.toks, k)[0]:
                return side.phrase(j, negation_at(side.toks, k)[1])
    if lo == j:
        lo = max(0, j - 3)
        while lo < j and side.toks[lo].kind == "p":
            lo += 1
    return side.phrase(lo, j) if j - lo < 10 else f"{side.phrase(lo, lo)} … {side.phrase(j - 4, j)}"


def role_check(b: Side, e: Side) -> list[Reason]:
    """A name's role in the bullet must be one of its roles in the source. In lowercased text
    (no names to see) only a clash with an agent ("by") or a source ("from") counts."""
    rb, re_ = roles(b), roles(e)
    out = []
    for k, mine in rb.items():
        theirs = re_.get(k)
        explicit = {r for r in mine if r}
        if not theirs or not explicit or None in theirs or explicit & theirs:
            continue
        if not b.cased and not (explicit | theirs) & {"agent", "source"}:
            continue  # lowercased text: "other" words may be verbs ("to work")
        word = next(t.word for t in b.toks if t.stem == k)
        out.append(Reason("role", f"'{_shown(word, b.cased)}' is {_role_words(b, k)} in the "
                                  f"bullet but {_role_words(e, k)} in the source"))  # fmt: skip
    return out


def actors(b: Side, sentences: Sequence[Side]) -> list[Reason]:
    """The doer the bullet names for a verb must be the one its evidence names for that verb
    ("US rules out talks" for "UK rules out talks"): flagged only when the evidence has a
    named subject for the same verb, and neither it nor an alias of it is the bullet's."""
    if not (b.cased and sentences and all(s.cased for s in sentences)):
        return []
    e = Side.join(sentences)
    theirs = doers(e)
    out = []
    for verb, mine in doers(b).items():
        other = theirs.get(verb)
        if not mine or not other or mine & other or aliases(mine) & aliases(other):
            continue
        out.append(Reason("role", f"the bullet has {_written(b, mine)} do it; the source has "
                                  f"{_written(e, other)}", not mine & e.stems()))  # fmt: skip
    return out


def _written(side: Side, stems: set[str]) -> str:  # as written: "UK", not "Uk"
    got = [side.texts[i][t.start : t.end] for i, t in enumerate(side.toks) if t.cap
           and t.stem in stems]  # fmt: skip
    return " and ".join(dict.fromkeys(got))


def _role_words(side: Side, k: str) -> str:
    seen = []
    for i, t in enumerate(side.toks):
        if t.stem != k:
            continue
        j = i - 1
        while j > 0 and (side.toks[j].word in ("the", "a", "an") or side.toks[j].cap):
            j -= 1
        if j >= 0 and side.toks[j].word in ROLE_CLASS:
            seen.append(f"'{side.phrase(j, i)}'")
        else:
            seen.append(f"'{side.phrase(i, min(i + 2, len(side.toks) - 1))}'")
    return " and ".join(dict.fromkeys(seen))


def attribution(b: Side, sentences: Sequence[Side], context: Side) -> list[Reason]:
    """The speaker of each clause of the bullet must speak in the evidence sentence that
    clause matches best (or, when that sentence has "he said" or no named speaker, be named
    in the evidence or just around it)."""
    if not (b.cased and sentences and all(s.cased for s in sentences)):
        return []
    out = []
    for clause in _clauses(b):
        mine, _ = speakers(clause)
        if not mine:
            continue
        words = clause.stems() - mine
        best = max(sentences, key=lambda s: len(words & s.stems()))
        theirs, anonymous = speakers(best)
        if mine & theirs:
            continue
        named = {t.stem for s in [*sentences, context] for t in s.toks if t.cap}
        if (not theirs or anonymous) and mine & named:
            continue
        who = _names(clause, mine)
        if theirs:
            swapped = not mine & named  # the bullet's speaker is named nowhere near
            out.append(Reason("attribution", f"the bullet has {who} say it; the source has "
                                             f"{_names(best, theirs)}", swapped))  # fmt: skip
        else:
            out.append(Reason("attribution", f"the source does not have {who} say it"))
    return out


def _clauses(side: Side) -> list[Side]:
    """The bullet cut at ";" and at ", and" / ", but" / ", while": one speaker each."""
    cuts = [0]
    for i, t in enumerate(side.toks):
        nxt = side.toks[i + 1].word if i + 1 < len(side.toks) else ""
        if t.word == ";" or (t.word == "," and nxt in ("and", "but", "while")):
            cuts.append(i + 1)
    cuts.append(len(side.toks))
    return [Side(side.toks[a:z], side.depth[a:z], side.hedged[a:z], side.texts[a:z], side.cased)
            for a, z in pairwise(cuts) if z > a]


def _names(side: Side, stems: Iterable[str]) -> str:
    want = set(stems)
    words = [t.word.capitalize() for t in side.toks if t.cap and t.stem in want]
    return " ".join(dict.fromkeys(words))


def time_and_place(b: Side, e: Side, context: Side) -> list[Reason]:
    """Days, months and "yesterday"… of the bullet must be in its evidence; so must a place
    after in/at/near; other names may also be in the sentences just around it."""
    have = e.stems()
    near = have | context.stems()
    out = []
    times_e = [t.word for t in e.toks if t.word in TIME_WORDS]
    for i, t in enumerate(b.toks):
        if t.word not in TIME_WORDS or t.stem in have or (t.word == "may" and not t.cap):
            pass
        elif other := [w for w in times_e if TIME_WORDS[w] == TIME_WORDS[t.word]]:
            said = ", ".join(dict.fromkeys(other))
            named = [w for w in other if w not in RELATIVE]  # "yesterday" may be Wednesday
            clash = t.stem not in near and t.word not in RELATIVE and bool(named)
            out.append(Reason("time", f"time '{t.word}' is not in the supporting sentences, "
                                      f"which say '{said}'", clash))  # fmt: skip
        elif t.stem not in near:
            out.append(Reason("time", f"time '{t.word}' is not in the supporting sentences"))
        if _place(b, i) and t.stem not in have and not _similar(t, e):
            out.append(Reason("place", f"place '{_shown(t.word, b.cased)}' is not in the "
                                       "supporting sentences"))  # fmt: skip
    if b.cased and e.cased:
        missing = [t.word.capitalize() for t in b.toks if t.cap and t.stem not in near
                   and t.word not in TITLES and t.word not in TIME_WORDS
                   and not _similar(t, e, context)]  # fmt: skip
        if missing:
            out.append(Reason("place", "names not in the supporting sentences: "
                                       + ", ".join(dict.fromkeys(missing))))  # fmt: skip
    return out


RELATIVE = frozenset("yesterday today tonight tomorrow".split())  # days named by the date


def _place(side: Side, i: int) -> bool:
    """A name after in/at/near; in lowercased text, a word there that ends its phrase."""
    toks = side.toks
    if not (i and toks[i - 1].word in ("in", "at", "near") and name_like(toks[i], side.cased)):
        return False
    return side.cased or i + 1 == len(toks) or toks[i + 1].kind == "p" or (
        toks[i + 1].word in PREPOSITIONS)


def _shown(word: str, cased: bool) -> str:
    return word.capitalize() if cased else word


def _similar(t: Tok, *sides: Side) -> bool:
    """A spelling variant of a name ("Szlapka" for "Szłapka")."""
    words = {u.word for s in sides for u in s.toks if u.kind == "w"}
    if places(t.word) & words or places(t.word.removesuffix("s")) & words:
        return True  # a country by another of its names: "Norwegian" for "Norway"
    match = process.extractOne(t.word, words, scorer=fuzz.ratio)
    return match is not None and match[1] >= NAME_SIMILARITY and not other_places(t.word,
                                                                                  match[0])


def modality(b: Side, e: Side) -> list[Reason]:
    """The source hedges a word the bullet states as fact, or the bullet hedges where the
    source hedges nothing."""
    eb, ee = _compared(b), _compared(e)
    source_hedges = any(e.hedged)
    for k, bi in eb.items():
        ei = ee.get(k)
        if not ei:
            continue
        hb, he = {b.hedged[i] for i in bi}, {e.hedged[i] for i in ei}
        word = b.toks[bi[0]].word
        if he == {True} and hb == {False}:
            return [Reason("modality", f"the source hedges '{word}' ('{_hedged(e, ei[0])}') but "
                                       "the bullet states it as fact")]  # fmt: skip
        if hb == {True} and not source_hedges:
            return [Reason("modality", f"the bullet hedges '{word}' ('{_hedged(b, bi[0])}') but "
                                       "the source states it as fact")]  # fmt: skip
    return []


def _hedged(side: Side, j: int) -> str:
    lo = j
    while lo > max(0, j - 4) and not hedge_at(side.toks, lo):
        lo -= 1
    return side.phrase(lo, j)


def predicates(b: Side, e: Side, context: Side) -> list[Reason]:
    """A verb of the bullet the evidence lacks: an antonym of the source's ("rejected" for
    "agreed"), or a verb of the word lists (killed, arrested, agreed…) with no synonym there.
    Other words the evidence lacks count in `support`."""
    have = e.stems()
    near = have | context.stems()
    out = []
    for t in b.toks:
        if (t.kind != "w" or not t.content or t.cap or t.word in SPEECH or t.stem in have
                or not is_predicate(t.word)):  # fmt: skip
            continue
        opposite = antonyms_in(t.word, have)
        synonyms = group_stems(t.word)
        if opposite and not synonyms & have:
            out.append(Reason("predicate", f"the bullet says '{t.word}' where the source says "
                                           f"'{_first_with(e, opposite)}'", True))  # fmt: skip
        elif not synonyms & near and in_groups(t.word):
            out.append(Reason("predicate", f"'{t.word}' is not in the supporting sentences"))
    return out[:3]


def _first_with(side: Side, stems: set[str]) -> str:
    return next((t.word for t in side.toks if t.stem in stems), "?")


def _support(b: Side, e: Side, context: Side) -> float:
    """Share of the bullet's content words (names and numbers count double) found in its
    evidence and the sentences around it, a synonym counting; an amount the evidence gives in
    another form ("fifty-seven": 57) is found."""
    want: dict[str, float] = {}
    given = spans(b, e)
    for i, t in enumerate(b.toks):
        if t.content and i not in given:
            want[t.stem] = max(want.get(t.stem, 0.0), 2.0 if (t.kind == "n" or t.cap) else 1.0)
    return support(want.items(), e.stems() | context.stems(), synonyms=True)


def compare(bullet: str, evidence: Sequence[Sentence], context: Sequence[Sentence]) -> list[Reason]:
    """Every reason the bullet does not say what its evidence says; [] when it does."""
    cased = all(_cased(s.text) for s in evidence) if evidence else True
    b = Side.of(bullet, cased=cased and _cased(bullet))
    names = set() if cased or not _cased(bullet) else {
        t.stem for t in Side.of(bullet).toks if t.cap}  # lowercased sources: the bullet's names
    sentences = [_recased(Side.of(s.text, cased=cased), names) for s in evidence]
    e = Side.join(sentences)
    ctx = Side.join([_recased(Side.of(s.text, cased=cased), names) for s in context])
    if names:
        b = Side.of(bullet, cased=True)
    score = _support(b, e, ctx)
    reasons = [
        *polarity(b, e),
        *numbers(b, e),
        *role_check(b, e),
        *actors(b, sentences),
        *swapped(b, e),
        *attribution(b, sentences, ctx),
        *time_and_place(b, e, ctx),
        *modality(b, e),
        *predicates(b, e, ctx),
    ]
    if score < MIN_EVIDENCE_SUPPORT:
        reasons.append(Reason("evidence", f"only {score:.0%} of its words are in the supporting "
                                          "sentences"))  # fmt: skip
    return reasons


def _recased(side: Side, names: set[str]) -> Side:
    """A lowercased sentence with the bullet's names capitalised, so that the checks of who
    did or said what can read it as cased text; unchanged when there are no names."""
    if not names:
        return side
    toks = [replace(t, cap=True) if t.kind == "w" and t.stem in names else t for t in side.toks]
    return Side(toks, side.depth, side.hedged, side.texts, True)


def _cased(text: str) -> bool:
    return any(c.isupper() for c in text)
