"""Citation checks: every bullet cites real entries, and what it says is in them. Pure.

The one place a bullet is judged (`validate` for a run, `screen`/`check_title` for the LLM
summariser, `check_briefing` for `briefing check` and eval). A bullet passes when
1. it has at least one citation and every cited id is one that was given (is in `sources`);
2. the *words* check: every number in it appears in the cited text ("5 per cent" = "5%",
   "eight" = "8", "1,200" = "1200"), every proper noun too (spelling variants through a fuzzy
   match), and enough of its content words (`words.py`);
3. it has *evidence*: sentences of the cited entries that support it (`evidence.align`);
4. the *meaning* check: those sentences say what it says (`meaning.compare`: negation,
   numbers with what they count, roles, speaker, time, place, hedges, predicates);
5. neither it nor its evidence is instruction-like text (`instructions.py`), which is flagged.
`BulletCheck.verified_by` says which checks it passed; a verifier model's verdicts are judged
in `verdicts.py`.

Its verdict: `supported` when every check passes; `contradicted` when a finding is a conflict
(`conflicts.py`: aligned and opposed; a number or name the cited text gives in no form; nothing
cited bears on it; no valid citation; instruction-like text); otherwise `unconfirmed`: nothing
conflicts, but the support cannot be shown. Only `contradicted` fails a bullet.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..contract import Briefing, Bullet, Dropped, Evidence, Flagged, Section
from . import meaning
from .evidence import Index, Sentence, align, tokenize
from .instructions import REASON_PREFIX as INSTRUCTION_REASON
from .instructions import found_in, instruction_like
from .instructions import reason as instruction_reason
from .thresholds import MAX_BULLET_WORDS, MAX_TITLE_CHARS, MIN_SUPPORT, TITLE_SUPPORT
from .when import WRITTEN, Clock, has_relative, resolve, resolve_text, source_span
from .words import words_check

Verdict = Literal["supported", "unconfirmed", "contradicted"]


@dataclass(frozen=True, slots=True)
class BulletCheck:
    text: str
    citations: tuple[str, ...]
    ok: bool  # every check passed: `supported`
    support: float
    reasons: tuple[str, ...] = field(default=())
    evidence: tuple[Evidence, ...] = field(default=())
    verified_by: tuple[str, ...] = field(default=())  # the checks it passed: words, meaning
    instruction: bool = False  # the bullet or its evidence addresses a model: flag it
    verdict: Verdict = "contradicted"
    reason: str | None = None  # the verdict's reason in words: the first conflict, or finding

    @property
    def failed(self) -> bool:
        """Contradicted: the only verdict that fails a bullet offline."""
        return self.verdict == "contradicted"

    def bullet(self) -> Bullet:
        return Bullet(text=self.text, citations=list(self.citations),
                      evidence=list(self.evidence), verified_by=list(self.verified_by),
                      verdict=self.verdict, reason=self.reason)  # fmt: skip


def _evidence(
    text: str, cited: tuple[str, ...], index: Index
) -> tuple[list[Sentence], list[meaning.Reason]]:
    """The meaning check: the sentences that support the bullet, and what they contradict."""
    candidates = [s for c in cited for s in index.sentences(c)]
    found = align(tokenize(text), candidates, text)
    if not found:
        return [], [meaning.Reason("evidence", "no sentence of the cited entries supports it",
                                   True)]
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
        bad = reasons or ["no valid citations"]
        return BulletCheck(text, cited, False, 0.0, tuple(bad), reason=bad[0])
    phrase = instruction_like(text)
    if phrase:
        said = instruction_reason(phrase)
        return BulletCheck(text, cited, False, 0.0, (said,), instruction=True, reason=said)
    score, word_reasons = words_check(text, known, sources, min_support)
    found_reasons = [meaning.Reason("citations", r, True) for r in reasons]
    found_reasons += [meaning.Reason("words", r, c) for r, c in word_reasons]
    verified = [] if found_reasons else ["words"]
    found: list[Sentence] = []
    if meaning_checks:
        found, meaning_reasons = _evidence(text, known, index or Index(sources))
        for s in found:
            if phrase := instruction_like(s.text):
                said = instruction_reason(phrase) + " in its source"
                return BulletCheck(text, cited, False, round(score, 3), (said,), _records(found),
                                   instruction=True, reason=said)  # fmt: skip
        if word_reasons:  # the words check has said it of the whole cited text already
            meaning_reasons = [r for r in meaning_reasons if r.kind not in _SAID_BY_WORDS]
        found_reasons += meaning_reasons
        if not meaning_reasons and not word_reasons:
            verified.append("meaning")
    conflicts = [r.text for r in found_reasons if r.conflict]
    verdict: Verdict = "contradicted" if conflicts else (
        "unconfirmed" if found_reasons else "supported")  # fmt: skip
    why = next(iter(conflicts or [r.text for r in found_reasons]), None)
    return BulletCheck(text, cited, not found_reasons, round(score, 3),
                       tuple(r.text for r in found_reasons), _records(found), tuple(verified),
                       verdict=verdict, reason=why)  # fmt: skip


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
    """A summariser's bullets -> (those that pass, up to `limit`, with their evidence and
    verdict, `supported` or `unconfirmed`; the rest with the reason: contradicted, or over a
    limit). Whitespace is folded; empty bullets are ignored. Instruction-like text
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
        if res.failed:  # contradicted: re-asked, then dropped; unconfirmed is kept, marked
            bad.append((b, _why(res)))
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
    *,
    clocks: Mapping[str, Clock] | None = None,
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
            if not res.ok and not res.instruction and clocks:
                res = dated(b, sources, clocks) or res
            reason = _why(res) if res.failed else "; ".join(res.reasons)
            if not res.failed:
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


def _read_as_days(text: str, citations: Sequence[str], sources: Mapping[str, str],
                  clocks: Mapping[str, Clock]) -> BulletCheck | None:  # fmt: skip
    """`text` checked against its cited entries with their relative time words read as days
    (`when.resolve`), its evidence quoted from the sources as they are; None when reading
    them so changes nothing."""
    spans = {c: resolve_text(sources[c], clocks[c]) for c in citations
             if c in sources and c in clocks}  # fmt: skip
    read = {c: spans[c][0] if c in spans else sources[c] for c in citations if c in sources}
    if read == {c: sources[c] for c in read}:
        return None
    res = check_bullet(text, citations, read)
    evidence = []  # quoted from the sources as they are, not as they were read
    for e in res.evidence:
        start, end = (source_span(spans[e.entry][1], e.start, e.end) if e.entry in spans
                      else (e.start, e.end))  # fmt: skip
        evidence.append(Evidence(entry=e.entry, start=start, end=end,
                                 text=sources[e.entry][start:end]))  # fmt: skip
    return replace(res, evidence=tuple(evidence))


def dated(b: Bullet, sources: Mapping[str, str],
          clocks: Mapping[str, Clock]) -> BulletCheck | None:  # fmt: skip
    """A bullet that writes a day where its sources say "yesterday", "on Wednesday"…: checked
    against its cited entries with their relative time words read as days (`when.resolve`);
    the result only when that passes."""
    if not WRITTEN.search(b.text):
        return None
    res = _read_as_days(b.text, b.citations, sources, clocks)
    return res if res is not None and res.ok else None


UNWRITTEN = ("its time words are as its source wrote them: they could not be written as the "
             "reader's day (quoted, or its entry has no time)")


def write_days(
    summary: Sequence[Bullet], sections: Sequence[Section], sources: Mapping[str, str],
    clocks: Mapping[str, Clock],
) -> tuple[list[Bullet], list[Section], list[Dropped]]:
    """Checked bullets with their relative time words ("yesterday", "on Wednesday") written as
    the day they meant, as the extractive summariser writes its sentences: a model's line is
    read from the time of its first cited entry that has one, and its written form is checked
    again against its entries read the same way (its verdict is that check's); a written form
    its entries contradict drops the line, with the reason. A line whose words cannot be
    written so (quoted, an entry with no time, a period no longer true) is kept as written and
    is at most unconfirmed, saying so; a section left empty goes."""
    dropped: list[Dropped] = []

    def written(b: Bullet) -> Bullet | None:
        if not has_relative(b.text):
            return b
        clock = next((clocks[c] for c in b.citations if c in clocks and clocks[c].published),
                     None)  # fmt: skip
        text = resolve(b.text, clock) if clock else None
        if text == b.text:
            return b
        if text is None:
            return b.model_copy(update={"verdict": "unconfirmed", "reason": UNWRITTEN}) if (
                b.verdict != "contradicted") else b  # fmt: skip
        res = (_read_as_days(text, b.citations, sources, clocks)
               or check_bullet(text, b.citations, sources))  # fmt: skip
        if res.failed:
            why = f"its time word written as a day ({text!r}) is not what its entries say"
            dropped.append(Dropped(text=b.text, citations=b.citations, reason=why))
            return None
        return b.model_copy(update={"text": text, "verdict": res.verdict, "reason": res.reason})

    out_summary = [x for b in summary if (x := written(b)) is not None]
    out_sections = []
    for s in sections:
        bullets = [x for b in s.bullets if (x := written(b)) is not None]
        if bullets:
            out_sections.append(s.model_copy(update={"bullets": bullets}))
    return out_summary, out_sections, dropped


def _why(res: BulletCheck) -> str:
    """A contradicted bullet's reasons, its conflict first (what a re-ask is told)."""
    rest = [r for r in res.reasons if r != res.reason]
    return "; ".join([res.reason, *rest] if res.reason else rest)


def _first(citations: Sequence[str]) -> str | None:
    return citations[0] if citations else None


def check_briefing(b: Briefing) -> list[tuple[str, BulletCheck]]:
    """Every bullet of a stored briefing against its own sources: (section title, result);
    the summary's bullets come first under "summary"."""
    texts = {k: v.text for k, v in b.sources.items()}
    index = Index(texts)
    clocks = briefing_clocks(b)
    where = [("summary", b.summary), *((s.title, s.bullets) for s in b.sections)]
    out = []
    for title, xs in where:
        for x in xs:
            res = check_bullet(x.text, x.citations, texts, index=index)
            if not res.ok and not res.instruction:
                res = dated(x, texts, clocks) or res
            out.append((title, res))
    return out


def briefing_clocks(b: Briefing) -> dict[str, Clock]:
    """How a stored briefing read its entries' relative time words: each source's time, in
    the briefing's zone, for the day it is of (or the day its window ends, or was made)."""
    tz = _zone(b.tz)
    try:
        reader = date.fromisoformat(b.date) if b.date else (
            datetime.fromisoformat(b.window_end or b.generated_at).astimezone(tz).date())
    except ValueError:
        return {}
    out: dict[str, Clock] = {}
    for k, s in b.sources.items():
        try:
            when = datetime.fromisoformat(s.published) if s.published else None
        except ValueError:
            continue
        date_only = s.published is not None and len(s.published) == 10
        if when is not None and when.tzinfo is None:
            when = when.replace(tzinfo=tz)
        out[k] = Clock(when, tz, reader, date_only)
    return out


def _zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name) if name else ZoneInfo("UTC")
    except (ValueError, ZoneInfoNotFoundError):
        return ZoneInfo("UTC")
