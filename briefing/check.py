"""Citation checks: every bullet cites real entries, and what it says is in them. Pure.

The one place a bullet is judged (`validate` for a run, `screen`/`check_title` for the LLM
summariser, `check_briefing` for `briefing check` and eval). A bullet passes when
1. it has at least one citation and every cited id is one that was given (is in `sources`);
2. the *words* check: every number in it appears in the cited text ("5 per cent" = "5%",
   "eight" = "8", "1,200" = "1200"), every proper noun too (spelling variants through a fuzzy
   match), and enough of its content words (`support`);
3. it has *evidence*: sentences of the cited entries that support it (`evidence.align`);
4. the *meaning* check: those sentences say what it says (`meaning.compare`: negation,
   numbers with what they count, roles, speaker, time, place, hedges, predicates);
5. neither it nor its evidence is instruction-like text (`instructions.py`), which is flagged.
`BulletCheck.verified_by` says which checks it passed. A verifier model (optional:
`summarise/llm/verify.py` asks it) judges the answers through `outcome` and `verdicts`: its
"supported" counts only with a quote found in the cited text, and adds "model:<name>".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, Protocol, TypeVar

from rapidfuzz import fuzz, process

from . import meaning
from .clean import fingerprint_text
from .contract import Briefing, Bullet, Dropped, Evidence, Flagged, Section
from .evidence import NUMBER_WORDS, STOPWORDS, Index, Sentence, align, tokenize, verbatim
from .instructions import REASON_PREFIX as INSTRUCTION_REASON
from .instructions import found_in, instruction_like
from .instructions import reason as instruction_reason

MIN_SUPPORT = 0.6  # share of a bullet's content words found in its cited text
NAME_SIMILARITY = 85  # rapidfuzz ratio for a proper noun to match a spelling variant
TITLE_SUPPORT = 0.67  # a section title must be mostly words of its own bullets' sources
MAX_TITLE_CHARS = 120
MAX_BULLET_WORDS = 45  # a summariser's bullet longer than this is not a bullet

_NUM = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w])")
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*(?:per ?cent|percent|%)", re.I)
_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’\-])*")  # letters of any script: 'Szłapka', 'Łukasz'
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
    evidence: tuple[Evidence, ...] = field(default=())
    verified_by: tuple[str, ...] = field(default=())  # the checks it passed: words, meaning
    instruction: bool = False  # the bullet or its evidence addresses a model: flag it

    def bullet(self) -> Bullet:
        return Bullet(text=self.text, citations=list(self.citations),
                      evidence=list(self.evidence), verified_by=list(self.verified_by))  # fmt: skip


def numbers(text: str) -> set[str]:
    text = text.replace("\u2009", " ")
    out = {m.group(1) for m in _PERCENT.finditer(text)}
    out |= {m.group(1).replace(",", "") for m in _NUM.finditer(text)}
    for w in _WORD.findall(text.lower()):
        if w in NUMBER_WORDS:
            out.add(NUMBER_WORDS[w])
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


def _words(text: str, cited: tuple[str, ...], sources: Mapping[str, str],
           min_support: float) -> tuple[float, list[str]]:  # fmt: skip
    """The words check: numbers, names and enough content words in the cited text."""
    reasons: list[str] = []
    source_text = "\n".join(sources[c] for c in cited)
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
    return score, reasons


def _evidence(
    text: str, cited: tuple[str, ...], index: Index
) -> tuple[list[Sentence], list[meaning.Reason]]:
    """The meaning check: the sentences that support the bullet, and what they contradict."""
    candidates = [s for c in cited for s in index.sentences(c)]
    found = align(tokenize(text), candidates)
    if not found:
        return [], [meaning.Reason("evidence", "no sentence of the cited entries supports it")]
    taken = {(s.entry, s.index) for s in found}
    context = [c for s in found for c in index.context(s) if (c.entry, c.index) not in taken]
    return found, meaning.compare(text, found, context)


def check_bullet(
    text: str,
    citations: Sequence[str],
    sources: Mapping[str, str],
    min_support: float = MIN_SUPPORT,
    *,
    index: Index | None = None,
    meaning_checks: bool = True,
) -> BulletCheck:
    """Every check of one bullet. `index`: sentences already split for these sources (pass
    one when checking many bullets); `meaning_checks=False`: the words check only (titles)."""
    cited = tuple(dict.fromkeys(citations))
    known = tuple(c for c in cited if c in sources)
    unknown = [c for c in cited if c not in sources]
    reasons = ["no citations"] if not cited else []
    if unknown:
        reasons.append("cites unknown entries: " + ", ".join(unknown))
    if not known:
        return BulletCheck(text, cited, False, 0.0, tuple(reasons or ["no valid citations"]))
    phrase = instruction_like(text)
    if phrase:
        return BulletCheck(text, cited, False, 0.0, (instruction_reason(phrase),),
                           instruction=True)  # fmt: skip
    score, word_reasons = _words(text, known, sources, min_support)
    reasons += word_reasons
    verified = [] if reasons else ["words"]
    found: list[Sentence] = []
    if meaning_checks:
        found, meaning_reasons = _evidence(text, known, index or Index(sources))
        for s in found:
            if phrase := instruction_like(s.text):
                return BulletCheck(text, cited, False, round(score, 3),
                                   (instruction_reason(phrase) + " in its source",),
                                   _records(found), instruction=True)  # fmt: skip
        if word_reasons:  # the words check has said it of the whole cited text already
            meaning_reasons = [r for r in meaning_reasons if r.kind not in _SAID_BY_WORDS]
        reasons += [r.text for r in meaning_reasons]
        if not meaning_reasons and not word_reasons:
            verified.append("meaning")
    return BulletCheck(text, cited, not reasons, round(score, 3), tuple(reasons),
                       _records(found), tuple(verified))  # fmt: skip


_SAID_BY_WORDS = ("number", "place", "evidence")


def _records(found: Sequence[Sentence]) -> tuple[Evidence, ...]:
    return tuple(Evidence(entry=s.entry, start=s.start, end=s.end, text=s.text) for s in found)


class Cited(Protocol):
    text: str
    citations: list[str]


C = TypeVar("C", bound=Cited)


def screen(
    bullets: Iterable[C], sources: Mapping[str, str], limit: int, max_words: int = MAX_BULLET_WORDS
) -> tuple[list[Bullet], list[tuple[C, str]]]:
    """A summariser's bullets -> (those that pass, up to `limit`, with their evidence; the rest
    with the reason). Whitespace is folded; empty bullets are ignored. Instruction-like text
    fails with a reason starting "instruction-like text", which `validate` lists as flagged."""
    good: list[Bullet] = []
    bad: list[tuple[C, str]] = []
    index = Index(sources)
    for b in bullets:
        text = " ".join(b.text.split())
        if not text:
            continue
        if len(text.split()) > max_words and not instruction_like(text):
            bad.append((b, f"longer than {max_words} words"))
            continue
        res = check_bullet(text, b.citations, sources, index=index)
        if not res.ok:
            bad.append((b, "; ".join(res.reasons)))
        elif len(good) >= limit:
            bad.append((b, f"over the limit of {limit} bullets"))
        else:
            good.append(res.bullet())
    return good, bad


def check_title(title: str, citations: Sequence[str], sources: Mapping[str, str]) -> bool:
    """A section title must be short and mostly in the words of the entries it heads."""
    return (
        0 < len(title) <= MAX_TITLE_CHARS
        and not instruction_like(title)
        and check_bullet(title, citations, sources, TITLE_SUPPORT, meaning_checks=False).ok
    )


@dataclass(slots=True)
class Checked:
    """`validate`'s answer: the bullets that passed (with evidence), what was dropped, and
    the instruction-like text that was flagged."""

    summary: list[Bullet]
    sections: list[Section]
    dropped: list[Dropped]
    flagged: list[Flagged]


def validate(
    summary: Sequence[Bullet],
    sections: Sequence[Section],
    sources: Mapping[str, str],
    dropped: Sequence[Dropped] = (),
) -> Checked:
    """Check every bullet against its cited sources and attach its evidence; failures are
    dropped and reported, and a section left without bullets goes. Instruction-like text (in
    a bullet, in its evidence, dropped earlier by `screen`, or anywhere in the sources) is
    listed as flagged, once, with its entry."""
    out = Checked([], [], [], [])
    index = Index(sources)
    for d in dropped:
        if d.reason.startswith(INSTRUCTION_REASON):
            out.flagged.append(Flagged(text=d.text, entry=_first(d.citations), reason=d.reason))
        else:
            out.dropped.append(d)

    def keep(bullets: Sequence[Bullet]) -> list[Bullet]:
        kept = []
        for b in bullets:
            res = check_bullet(b.text, b.citations, sources, index=index)
            reason = "; ".join(res.reasons)
            if res.ok:
                kept.append(res.bullet())
            elif res.instruction:
                entry = res.evidence[0].entry if res.evidence else _first(b.citations)
                out.flagged.append(Flagged(text=b.text, entry=entry, reason=reason))
            else:
                out.dropped.append(Dropped(text=b.text, citations=b.citations, reason=reason))
        return kept

    out.summary = keep(summary)
    for s in sections:
        bullets = keep(s.bullets)
        if bullets:
            out.sections.append(s.model_copy(update={"bullets": bullets}))
    for entry, text in sources.items():  # what no summariser picked is listed too
        for sentence, phrase in found_in(text):
            why = instruction_reason(phrase)
            out.flagged.append(Flagged(text=sentence, entry=entry, reason=why))
    first: dict[str, Flagged] = {}
    for f in out.flagged:
        first.setdefault(f.text, f)
    out.flagged = list(first.values())
    return out


def _first(citations: Sequence[str]) -> str | None:
    return citations[0] if citations else None


def check_briefing(b: Briefing) -> list[tuple[str, BulletCheck]]:
    """Every bullet of a stored briefing against its own sources: (section title, result);
    the summary's bullets come first under "summary"."""
    texts = {k: v.text for k, v in b.sources.items()}
    index = Index(texts)
    where = [("summary", b.summary), *((s.title, s.bullets) for s in b.sections)]
    return [(title, check_bullet(x.text, x.citations, texts, index=index))
            for title, xs in where for x in xs]  # fmt: skip


# --- a verifier model's verdicts: `summarise/llm/verify.py` asks, this judges the answers ---

MIN_QUOTE_WORDS = 3  # a shorter quote is found almost anywhere
QUOTE_SHARED = 2  # content words a quote shares with its bullet (all, if the bullet has fewer)
Outcome = Literal["confirmed", "unvouched", "rejected", "contested"]


@dataclass(frozen=True, slots=True)
class Verdict:
    """A verifier model on a bullet: supported or not, the sentence it quotes, and why."""

    supported: bool
    quote: str
    reason: str


def claim_key(text: str) -> str:  # verdicts are found by the bullet's text
    return " ".join(text.split())


def _cited(citations: Iterable[str], index: Index) -> list[Sentence]:
    return [s for c in dict.fromkeys(citations) if c in index.sources for s in index.sentences(c)]


def quoted(quote: str, bullet: str, citations: Sequence[str], index: Index) -> bool:
    """The quote runs word for word through a cited entry (case, spacing, quote marks and
    punctuation aside), is more than a fragment, and shares the bullet's words."""
    words = [t for t in tokenize(quote) if t.kind != "p"]
    if len(words) < MIN_QUOTE_WORDS or not verbatim(words, _cited(citations, index)):
        return False
    want = {t.stem for t in tokenize(bullet) if t.content}
    return len(want & {t.stem for t in words if t.content}) >= min(QUOTE_SHARED, len(want))


def copied(bullet: str, citations: Sequence[str], index: Index) -> bool:
    """The bullet is whole sentences of a cited entry, word for word (an extractive bullet)."""
    words = [t for t in tokenize(bullet) if t.kind != "p"]
    found = verbatim(words, _cited(citations, index))
    return bool(found) and len(words) == sum(t.kind != "p" for s in found for t in s.toks)


def outcome(bullet: str, citations: Sequence[str], v: Verdict, index: Index) -> Outcome:
    """`confirmed`: supported, with a quote found in the cited text; `unvouched`: "supported"
    with a quote that is not there, which does not count; `rejected`: unsupported; `contested`:
    unsupported, but the bullet is its source's own sentence, so the verdict is recorded and
    not acted on."""
    if v.supported:
        return "confirmed" if quoted(v.quote, bullet, citations, index) else "unvouched"
    return "contested" if copied(bullet, citations, index) else "rejected"


def unsupported(model: str, reason: str) -> str:
    return f"the verifier ({model}) found it unsupported" + (f": {reason}" if reason else "")


def verdicts(
    b: Briefing, said: Mapping[str, Verdict], model: str
) -> tuple[Briefing, dict[str, list[str]]]:
    """A verifier's verdicts (by `claim_key`) applied to a checked briefing: a confirmed bullet
    gets "model:<model>" in `verified_by`; a rejected one is dropped with the verifier's reason
    (a section left without bullets goes); the rest stand on the offline checks. Also the
    bullets' texts by outcome ("unjudged": no verdict), for the briefing's notice."""
    index = Index({k: v.text for k, v in b.sources.items()})
    tally: dict[str, list[str]] = {}
    lost, tag = list(b.dropped), f"model:{model}"

    def judge(bullets: Sequence[Bullet]) -> list[Bullet]:
        kept = []
        for x in bullets:
            v = said.get(claim_key(x.text))
            got = outcome(x.text, x.citations, v, index) if v else "unjudged"
            tally.setdefault(got, []).append(x.text)
            if got == "rejected":
                lost.append(Dropped(text=x.text, citations=x.citations, reason=unsupported(
                    model, v.reason if v else "")))  # fmt: skip
                continue
            if got == "confirmed" and tag not in x.verified_by:
                x = x.model_copy(update={"verified_by": [*x.verified_by, tag]})
            kept.append(x)
        return kept

    summary = judge(b.summary)
    sections = [s.model_copy(update={"bullets": kept}) for s in b.sections
                if (kept := judge(s.bullets))]  # fmt: skip
    return b.model_copy(update={"summary": summary, "sections": sections, "dropped": lost}), tally
