"""Citation checks: every bullet cites real entries, and what it says is in them. Pure.

A bullet passes when
1. it has at least one citation and every cited id is one that was given (is in `sources`);
2. every number in it appears in the cited text ("5 per cent" = "5%", "eight" = "8",
   "1,200" = "1200");
3. every proper noun in it appears in the cited text, allowing spelling variants
   ("Zelensky" ~ "Zelenskyy") through a fuzzy match;
4. enough of its content words are found in the cited text (`support`, tuned on the sample).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from rapidfuzz import fuzz, process

from .clean import fingerprint_text
from .contract import Briefing, Bullet, Dropped, Section

MIN_SUPPORT = 0.6  # share of a bullet's content words found in its cited text
NAME_SIMILARITY = 85  # rapidfuzz ratio for a proper noun to match a spelling variant
TITLE_SUPPORT = 0.67  # a section title must be mostly words of its own bullets' sources
MAX_TITLE_CHARS = 120
MAX_BULLET_WORDS = 45  # a summariser's bullet longer than this is not a bullet

_NUMBER_WORDS = {
    "one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
    "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "thirteen": "13",
    "fourteen": "14", "fifteen": "15", "sixteen": "16", "seventeen": "17", "eighteen": "18",
    "nineteen": "19", "twenty": "20", "thirty": "30", "forty": "40", "fifty": "50",
    "hundred": "100", "dozen": "12",
}  # fmt: skip
_NUM = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:per ?cent|percent|%)", re.I)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*")
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my no nor not now of off on once only or other our ours out
    over own same she should so some such than that the their theirs them then there these they
    this those through to too under until up very was we were what when where which while who
    whom why will with would you your said says say told tells according also would could mr mrs
    ms sir dr new after amid over week day today yesterday tomorrow""".split()
)
_NOT_NAMES = frozenset(
    """January February March April May June July August September October November December
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday The A An In On At For But And Mr
    Mrs Ms Sir Dr He She They It This That These Those His Her Their Its We I Our As If When
    While After Before Meanwhile However Yesterday Today Tomorrow Earlier Later Breaking""".split()
)


@dataclass(frozen=True, slots=True)
class BulletCheck:
    text: str
    citations: tuple[str, ...]
    ok: bool
    support: float
    reasons: tuple[str, ...] = field(default=())


def numbers(text: str) -> set[str]:
    text = text.replace("\u2009", " ")
    out = {m.group(1) for m in _PERCENT.finditer(text)}
    out |= {m.group(1).replace(",", "") for m in _NUM.finditer(text)}
    for w in _WORD.findall(text.lower()):
        if w in _NUMBER_WORDS:
            out.add(_NUMBER_WORDS[w])
    return {n.rstrip("0").rstrip(".") if "." in n else n for n in out}


def proper_nouns(text: str) -> list[str]:
    """Capitalised words that are not the first word of a sentence, nor common words."""
    names = []
    for sent in re.split(r"(?<=[.!?])\s+", text):
        words = _WORD.findall(sent)
        for i, w in enumerate(words):
            w = re.sub(r"['’]s$", "", w)
            if not w[:1].isupper() or w in _NOT_NAMES or len(w) < 2:
                continue
            if i == 0 and w.lower() in STOPWORDS:
                continue
            names.append(w)
    return names


def content_words(text: str) -> list[str]:
    return [w for w in fingerprint_text(text).split() if w not in STOPWORDS and len(w) > 2]


def _stem(w: str) -> str:
    return w[:5] if len(w) > 5 else w


def support(bullet: str, source_text: str) -> float:
    """Share of the bullet's content words (stemmed to 5 letters) present in the source."""
    words = content_words(bullet)
    if not words:
        return 1.0
    have = {_stem(w) for w in content_words(source_text)}
    return sum(_stem(w) in have for w in words) / len(words)


def check_bullet(
    text: str,
    citations: Sequence[str],
    sources: Mapping[str, str],
    min_support: float = MIN_SUPPORT,
) -> BulletCheck:
    reasons: list[str] = []
    cited = tuple(dict.fromkeys(citations))
    unknown = [c for c in cited if c not in sources]
    known = [c for c in cited if c in sources]
    if not cited:
        reasons.append("no citations")
    if unknown:
        reasons.append("cites unknown entries: " + ", ".join(unknown))
    source_text = "\n".join(sources[c] for c in known)
    if not known:
        return BulletCheck(text, cited, False, 0.0, tuple(reasons or ["no valid citations"]))
    missing_nums = sorted(numbers(text) - numbers(source_text))
    if missing_nums:
        reasons.append("numbers not in the cited text: " + ", ".join(missing_nums))
    source_words = {re.sub(r"['’]s$", "", w) for w in _WORD.findall(source_text)}
    source_lower = {w.lower() for w in source_words}
    missing_names = []
    for name in dict.fromkeys(proper_nouns(text)):
        if name.lower() in source_lower:
            continue
        match = process.extractOne(name, source_words, scorer=fuzz.ratio)
        if match is None or match[1] < NAME_SIMILARITY:
            missing_names.append(name)
    if missing_names:
        reasons.append("names not in the cited text: " + ", ".join(missing_names))
    score = support(text, source_text)
    if score < min_support:
        reasons.append(f"weak support: {score:.2f} of its words are in the cited text")
    return BulletCheck(text, cited, not reasons, round(score, 3), tuple(reasons))


class Cited(Protocol):
    text: str
    citations: list[str]


C = TypeVar("C", bound=Cited)


def screen(
    bullets: Iterable[C], sources: Mapping[str, str], limit: int, max_words: int = MAX_BULLET_WORDS
) -> tuple[list[Bullet], list[tuple[C, str]]]:
    """A summariser's bullets -> (those that pass, up to `limit`; the rest with the reason).
    Whitespace is folded; empty bullets are ignored."""
    good: list[Bullet] = []
    bad: list[tuple[C, str]] = []
    for b in bullets:
        text = " ".join(b.text.split())
        if not text:
            continue
        if len(text.split()) > max_words:
            bad.append((b, f"longer than {max_words} words"))
            continue
        res = check_bullet(text, b.citations, sources)
        if not res.ok:
            bad.append((b, "; ".join(res.reasons)))
        elif len(good) >= limit:
            bad.append((b, f"over the limit of {limit} bullets"))
        else:
            good.append(Bullet(text=text, citations=list(res.citations)))
    return good, bad


def check_title(title: str, citations: Sequence[str], sources: Mapping[str, str]) -> bool:
    """A section title must be short and mostly in the words of the entries it heads."""
    return (
        0 < len(title) <= MAX_TITLE_CHARS
        and check_bullet(title, citations, sources, min_support=TITLE_SUPPORT).ok
    )


def validate(
    summary: Sequence[Bullet], sections: Sequence[Section], sources: Mapping[str, str]
) -> tuple[list[Bullet], list[Section], list[Dropped]]:
    """Check every bullet against its cited sources; failures are dropped and reported, and a
    section left without bullets goes."""
    dropped: list[Dropped] = []

    def keep(bullets: Sequence[Bullet]) -> list[Bullet]:
        out = []
        for b in bullets:
            res = check_bullet(b.text, b.citations, sources)
            if res.ok:
                out.append(Bullet(text=b.text, citations=list(res.citations)))
            else:
                dropped.append(
                    Dropped(text=b.text, citations=b.citations, reason="; ".join(res.reasons))
                )
        return out

    kept_summary = keep(summary)
    kept_sections = []
    for s in sections:
        bullets = keep(s.bullets)
        if bullets:
            kept_sections.append(s.model_copy(update={"bullets": bullets}))
    return kept_summary, kept_sections, dropped


def check_briefing(b: Briefing) -> list[tuple[str, BulletCheck]]:
    """Every bullet of a stored briefing against its own sources: (section title, result);
    the summary's bullets come first under "summary"."""
    texts = {k: v.text for k, v in b.sources.items()}
    where = [("summary", b.summary), *((s.title, s.bullets) for s in b.sections)]
    return [(title, check_bullet(x.text, x.citations, texts)) for title, xs in where for x in xs]
