"""Quantities: the numbers a text states, with their scale and unit, so that one amount
written two ways is one amount ("an hour and a half" = "90 minutes", "1.5m" = "1,500,000",
"twenty-five" = "25", "a dozen" = "12", "three-quarters" = "0.75" or "75" per cent). Pure.

`mentions(text)` finds each amount with its character span and the forms it may be matched
by (`alts`): the plain number as written, the number times its scale word (thousand,
million, bn…), and for a duration its length in minutes ("dur:90"). Two mentions state the
same amount when their forms meet.
"""

from __future__ import annotations

import re
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import lru_cache

from .lexicon import NUMBER_WORDS

_ONES = {w: int(v) for w, v in NUMBER_WORDS.items() if int(v) < 20 and w != "dozen"}
_TENS = {w: int(v) for w, v in NUMBER_WORDS.items() if 20 <= int(v) < 100}
_TENS |= {"sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90}
_ORDINALS = {"third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
             "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13,
             "fourteenth": 14, "fifteenth": 15, "sixteenth": 16, "seventeenth": 17,
             "eighteenth": 18, "nineteenth": 19, "twentieth": 20, "thirtieth": 30}  # fmt: skip
_FIRST = {"first": 1, "second": 2, **_ORDINALS}  # after "twenty-": "twenty-first"
_PARTS = {"half": 2, "halves": 2, "third": 3, "quarter": 4, "fifth": 5, "tenth": 10}
_SCALES = {"hundred": 100, "thousand": 10**3, "million": 10**6, "m": 10**6,
           "billion": 10**9, "bn": 10**9, "trillion": 10**12, "tn": 10**12, "k": 10**3}  # fmt: skip
_MINUTES = {"second": 1 / 60, "minute": 1, "min": 1, "hour": 60, "hr": 60, "day": 1440,
            "week": 10080, "fortnight": 20160, "month": 43200, "year": 525600,
            "decade": 5256000, "century": 52560000}  # fmt: skip

_WORD_NUM = "|".join(sorted([*_ONES, *_TENS, "dozen"], key=len, reverse=True))
_WORD_NUM = rf"(?:{_WORD_NUM})(?![a-z])"
_PART = r"(?:half|halves|thirds?|quarters?|fifths?|tenths?)"
_TEN = "|".join(w for w in _TENS if w != "twenty")
_TEEN = "|".join(w for w, v in _ONES.items() if v >= 10)
_UNIT_WORD = "|".join(w for w, v in _ONES.items() if v < 10)
# a year said in words: "nineteen ninety-nine", "twenty twenty-four", "twenty ten"
_YEAR = (rf"(?P<century>{_TEEN}|twenty)\s+(?P<year>(?:{_TEN}|twenty)(?:-(?:{_UNIT_WORD}))?|{_TEEN})"
         r"\b(?!\s+(?:hundred|thousand|million|billion))")
_ORDINAL = (rf"(?P<ord_tens>(?:{_TEN}|twenty)-)?(?P<ord>"
            + "|".join(sorted(_FIRST, key=len, reverse=True)) + r")\b")
_SCALE = "|".join(sorted(_SCALES, key=len, reverse=True))
_UNIT = r"(?:second|minute|min|hour|hr|day|week|fortnight|month|year|decade|centur(?:y|ies))s?"
_AN_UNIT = r"(?:second|minute|hour|day|week|fortnight|month|year|decade|century)"
# a number: digits ("1,200", "3.5") or words ("twenty-five", "a dozen", "two hundred")
_NUMBER = (
    rf"(?P<digits>\d+(?:,\d{{3}})+(?!\d)|\d+(?:\.\d+)?)"
    rf"|(?P<words>(?:(?:{_WORD_NUM})(?:[-\s](?:{_WORD_NUM}))?|an?(?=\s+(?:{_SCALE}|dozen|{_UNIT}\s+and\s+a\s+half)\b))"
    rf"(?:\s+(?:hundred|thousand)|(?:(?<=hundred)|(?<=thousand))\s+and\s+(?:{_WORD_NUM})(?:-(?:{_WORD_NUM}))?"
    rf"|\s+(?:{_WORD_NUM}))*)"
)
_MENTION = re.compile(
    rf"(?<![\w.])(?:(?P<clock>half|quarter)\s+(?P<clock_dir>past|to)\s+(?P<hour>\d{{1,2}}|{_WORD_NUM})"
    rf"|(?P<ap_h>\d{{1,2}}|{_WORD_NUM})(?:[:.](?P<ap_m>\d{{2}}))?\s*(?P<ap>[ap]\.?m\b\.?)"  # "7pm"
    rf"|(?P<oc_h>\d{{1,2}}|{_WORD_NUM})\s+o['’]clock\b"
    rf"|(?P<hh>\d{{1,2}}):(?P<mm>\d{{2}})(?!\d)"  # a clock time: "7:30" = "7.30"
    rf"|{_YEAR}|{_ORDINAL}"
    rf"|(?P<pt_a>{_WORD_NUM}|zero)\s+point\s+(?P<pt_b>(?:{_UNIT_WORD}|zero)(?:\s+(?:{_UNIT_WORD}|zero))*)\b"
    rf"|half\s+an?\s+(?P<half_scale>{_SCALE})\b"
    rf"|half\s+an?\s+(?P<half_unit>hour|minute|day|week|month|year|decade|century)\b"
    rf"|(?P<part_of>{_WORD_NUM}|an?)[-\s](?P<part>{_PART})\b"
    # "half a million", "a quarter of an hour"
    rf"(?:\s+(?:of\s+)?an?\s+(?:(?P<part_scale>{_SCALE})|(?P<part_unit>{_AN_UNIT}))\b)?"
    rf"|(?P<ratio_a>{_WORD_NUM}|\d+)\s+(?:in|out\s+of)\s+(?:every\s+)?(?P<ratio_b>{_WORD_NUM}|\d+)\b"
    # "a week", "an hour and a quarter"
    rf"|an?\s+(?P<an_unit>{_AN_UNIT})\b(?P<an_frac>\s+and\s+an?\s+(?:half|quarter))?"
    rf"|(?:{_NUMBER})(?P<half_pre>[-\s]and[-\s]a[-\s]half)?\s*(?P<scale>(?:{_SCALE})\b)?"
    rf"(?:\s*(?:%|per\s*cent\b|percent\b))?"  # "3.5%" = "three and a half per cent"
    rf"(?:[-\s]*(?P<unit>{_UNIT})\b(?P<and_half>\s+and\s+an?\s+(?:half|quarter)\b)?)?)",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Mention:
    start: int
    end: int
    alts: frozenset[str]  # the forms it matches by: "90", "1500000", "dur:90"
    soft: bool = False  # "a week", "an hour": found by its forms, never missing itself


def _words_value(text: str) -> float | None:
    """ "twenty-five" -> 25, "two hundred" -> 200, "a dozen" -> 12, "a" -> 1."""
    total, current = 0, 0
    for w in re.split(r"[-\s]+", text.lower()):
        if w in ("a", "an"):
            current = current or 1
        elif w == "and":
            continue
        elif w == "dozen":
            current = (current or 1) * 12
        elif w in _ONES:
            current += _ONES[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = (current or 1) * 100
        elif w == "thousand":
            total, current = total + (current or 1) * 1000, 0
        else:
            return None
    return float(total + current)


def _special(m: re.Match[str]) -> set[str] | None:
    """The forms of a year, an ordinal, "one point five" or "half a million"; None for other
    mentions. "first" and "second" alone are no amounts to find (an empty set)."""
    if m.group("century"):
        tail = m.group("year").lower()
        year = _words_value(m.group("century")) or 0.0
        return {fmt(year * 100 + (_words_value(tail) or 0.0))}
    if m.group("ord"):
        tens = m.group("ord_tens")
        if not tens and m.group("ord").lower() in ("first", "second"):
            return set()
        n = _FIRST[m.group("ord").lower()] + (_words_value(tens[:-1]) or 0.0 if tens else 0.0)
        return {fmt(n)}
    if m.group("pt_a"):
        digits = "".join(str(int(_words_value(w) or 0)) for w in m.group("pt_b").split())
        return {fmt(float(f"{int(_value(m.group('pt_a')))}.{digits}"))}
    if m.group("half_scale"):
        return {fmt(0.5 * _SCALES[m.group("half_scale").lower()])}
    return None


def _value(text: str) -> float:
    return float(text) if text.isdigit() else (_words_value(text) or 0.0)


def fmt(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.6g}"


def mentions(text: str) -> list[Mention]:
    """Each amount of `text`, in order (read once per text: the checker meets the same
    sentences again and again; long texts are not kept)."""
    return list(_mentions(text) if len(text) <= 2_000 else _read_mentions(text))


@lru_cache(maxsize=4096)
def _mentions(text: str) -> tuple[Mention, ...]:
    return _read_mentions(text)


def _read_mentions(text: str) -> tuple[Mention, ...]:
    out: list[Mention] = []
    for m in _MENTION.finditer(text):
        if m.group("clock"):  # "half past seven": 7.30; "quarter to eight": 7.45
            h = m.group("hour")
            hour = float(h) if h.isdigit() else (_words_value(h) or 0.0)
            past = m.group("clock_dir").lower() == "past"
            minutes = 30 if m.group("clock").lower() == "half" else 15
            at = hour + minutes / 100 if past else hour - 1 + (60 - minutes) / 100
            out.append(Mention(m.start(), m.end(), frozenset({fmt(round(at, 2))})))
            continue
        if (special := _special(m)) is not None:
            if special:
                out.append(Mention(m.start(), m.end(), frozenset(special)))
            continue
        if m.group("ratio_a"):  # "four in ten": 40 (per cent)
            a, b = (_value(m.group(g)) for g in ("ratio_a", "ratio_b"))
            pct = a / b * 100 if b else 0.0
            alts = {fmt(round(pct, 4)), fmt(int(pct)), fmt(round(pct)), f"{fmt(a)}/{fmt(b)}"}
            out.append(Mention(m.start(), m.end(), frozenset(alts)))
            continue
        if m.group("hh"):  # "19:30" is also "7.30" (pm)
            h24 = int(m.group("hh"))
            times = {fmt(round(h + int(m.group("mm")) / 100, 2)) for h in {h24, h24 % 12 or 12}}
            out.append(Mention(m.start(), m.end(), frozenset(times)))
            continue
        if m.group("ap"):  # "7pm" is "7" and "19:00"; "12am" is "0:00"
            h12 = int(_value(m.group("ap_h"))) % 12
            mins = int(m.group("ap_m") or 0) / 100
            hours = {h12 or 12, h12 + (12 if m.group("ap").lower().startswith("p") else 0)}
            times = {fmt(round(h + mins, 2)) for h in hours}
            out.append(Mention(m.start(), m.end(), frozenset(times)))
            continue
        if m.group("oc_h"):  # "ten o'clock": 10, or 22:00
            h12 = int(_value(m.group("oc_h")))
            times = {fmt(h12), fmt(h12 % 12 + 12)}
            out.append(Mention(m.start(), m.end(), frozenset(times)))
            continue
        if m.group("part"):  # "three-quarters": 0.75, or 75 (per cent)
            top = _words_value(m.group("part_of")) or 1.0
            share = top / _PARTS[m.group("part").lower().rstrip("s").replace("halve", "half")]
            pct = share * 100  # "two-thirds": 66.7, said as 66 or 67 per cent
            alts = {fmt(share), fmt(round(pct, 4)), fmt(int(pct)), fmt(round(pct))}
            if m.group("part_scale"):
                alts = {fmt(share * _SCALES[m.group("part_scale").lower()])}
            if m.group("part_unit"):  # "a quarter of an hour": 15 minutes
                alts.add("dur:" + fmt(round(share * _MINUTES[m.group("part_unit").lower()], 4)))
            out.append(Mention(m.start(), m.end(), frozenset(alts)))
            continue
        if m.group("an_unit"):  # "an hour" = 60 minutes, "a fortnight" = 2 weeks
            frac = m.group("an_frac") or ""
            value = 1 + (0.5 if "half" in frac else 0.25 if frac else 0)
            dur = "dur:" + fmt(round(value * _MINUTES[m.group("an_unit").lower()], 4))
            alts = {fmt(value), dur} if frac else {dur}  # "a year" is no "1" to find
            out.append(Mention(m.start(), m.end(), frozenset(alts), soft=not frac))
            continue
        if m.group("half_unit"):
            unit, value, scale = m.group("half_unit").lower(), 0.5, None
        else:
            if m.group("digits"):
                value = float(m.group("digits").replace(",", ""))
            else:
                got = _words_value(m.group("words"))
                if got is None:
                    continue
                value = got
            scale, unit = m.group("scale"), m.group("unit")
            if m.group("words") and m.group("words").lower() in ("a", "an") and not (scale or unit):
                continue  # "a" alone is no number
            if m.group("half_pre"):
                value += 0.5
            if m.group("and_half"):  # "two hours and a half", "an hour and a quarter"
                value += 0.25 if "quarter" in m.group("and_half").lower() else 0.5
        if text[m.start() : m.end()].strip().lower() == "one":
            continue  # "one of them", "no one": not an amount to find
        alts = {fmt(value)}
        if scale:
            alts.add(fmt(value * _SCALES[scale.lower()]))
        if unit:
            base = unit.lower().rstrip("s").replace("centurie", "century")
            alts.add("dur:" + fmt(round(value * _MINUTES[base], 4)))
            if base == "month":  # also a twelfth of a year: "six months" = "half a year"
                alts.add("dur:" + fmt(round(value * _MINUTES["year"] / 12, 4)))
        out.append(Mention(m.start(), m.end(), frozenset(alts)))
    return tuple(out)


def forms(text: str) -> set[str]:
    """Every form of every amount the text states."""
    return {a for m in mentions(text) for a in m.alts}


def missing(text: str, source: str, source_forms: AbstractSet[str] | None = None) -> list[str]:
    """The amounts of `text` (as plain numbers) that `source` states in no form
    (`source_forms`: those forms, when the caller has them)."""
    have = forms(source) if source_forms is None else source_forms
    return [plain(m) for m in mentions(text) if not m.alts & have and not m.soft]


def found(text: str, source_forms: AbstractSet[str]) -> list[tuple[int, int]]:
    """The spans of `text`'s amounts that `source_forms` holds in some form."""
    return [(m.start, m.end) for m in mentions(text) if m.alts & source_forms]


def plain(m: Mention) -> str:
    """A mention's amount as a plain number ("4,000": 4000, "sixty minutes": 60)."""
    return min((a for a in m.alts if not a.startswith("dur:")), key=lambda a: (len(a), a))

