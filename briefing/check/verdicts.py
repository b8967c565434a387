"""A verifier model's verdicts, judged: `summarise/llm/verify.py` asks the model whether each
bullet is supported by the entries it cites, and this decides what its answers count for. Its
"supported" counts only with a quote found word for word in the cited text, and adds
"model:<name>" to the bullet's `verified_by` (and makes an `unconfirmed` bullet `supported`,
its quote the reason); its "unsupported" drops the bullet, unless the bullet is its source's
own sentence. Pure."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from ..contract import Briefing, Bullet, Dropped
from .evidence import Index, Sentence, tokenize, verbatim
from .thresholds import MIN_QUOTE_WORDS, QUOTE_SHARED

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
            if got == "confirmed" and v and x.verdict == "unconfirmed":  # the model shows it
                x = x.model_copy(update={"verdict": "supported", "reason": (
                    f"confirmed by the verifier ({model}), quoting “{' '.join(v.quote.split())}”")})
            kept.append(x)
        return kept

    summary = judge(b.summary)
    sections = [s.model_copy(update={"bullets": kept}) for s in b.sections
                if (kept := judge(s.bullets))]  # fmt: skip
    return b.model_copy(update={"summary": summary, "sections": sections, "dropped": lost}), tally
