"""(I/O) The verifier: a second model (or the same one) asked whether each bullet is supported by
the entries it cites, many bullets per call (`prompts/verify`), with the sentence that supports
it quoted word for word. Optional: on when `verify_model` is set.

- The LLM summariser asks it (`vet`) about each answer's bullets that passed the offline checks.
  A bullet it finds unsupported is a failure like any other: re-asked once with the verifier's
  reason (per-story calls), or dropped with it (packed calls, whose failures are never re-asked;
  a story left empty is asked for alone; the plan step).
- `finish` asks about the bullets not judged yet (the extractive summariser's, a fallback
  story's) and applies every verdict to the checked briefing through `check.verdicts`:
  "model:<name>" in `verified_by` when a quote was found in the cited text.

A "supported" verdict whose quote is not in the cited text does not count (a lying verifier
cannot vouch); an "unsupported" verdict on a bullet that is its source's own sentence (an
extractive bullet) is recorded in the notice, not acted on: the source says exactly that, so the
verdict measures the verifier. A verifier that is down, too slow or answers garbage leaves the
bullets to the offline checks, and the briefing's notice says so (no exit code 4: the briefing
is as checked as one without a verifier).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ...check import Index, Verdict, align, claim_key, outcome, tokenize, unsupported, verdicts
from ...contract import Briefing, Bullet
from ...errors import ConfigError, LLMError
from ...state import Store
from ...tokens import count
from ..prompts import load
from .ask import ask_checked, describe, messages, sanitise
from .client import Client, Ledger
from .schemas import MAX_CLAIMS, VERDICT_TOKENS, BulletOut, Unusable, Verdicts, parse
from .schemas import verdicts_schema as schema_for
from .settings import LLMSettings

if TYPE_CHECKING:
    from ...config import Settings

log = logging.getLogger(__name__)

# verify v1: an entry's <<<E3>>> line; a claim's <<<CLAIM C2 cites E3 E4>>> line; the rest of
# the prompt (system and closing lines)
ENTRY_COST, CLAIM_COST, PROMPT_COST = 6, 14, 400
CHARS_PER_TOKEN = 3  # for cutting an entry too long for a call (English runs about 4)


@dataclass(frozen=True, slots=True)
class Claim:
    text: str
    citations: tuple[str, ...]


def settings_of(settings: Settings) -> LLMSettings | None:
    """The verifier's settings, or None when `verify_model` is unset. It uses its own server
    (`verify_base_url`) with its own key, else the summariser's server and key."""
    from dataclasses import replace

    if not settings.verify_model:
        return None
    own = settings.verify_base_url is not None and settings.verify_base_url != settings.base_url
    key: str | None = None
    if not own:
        key = settings.secret_key()
    elif settings.verify_api_key is not None:
        key = settings.verify_api_key.get_secret_value()
    elif settings.verify_api_key_file is not None:
        try:
            key = settings.verify_api_key_file.read_text().strip() or None
        except OSError as exc:
            raise ConfigError(f"cannot read verify_api_key_file: {exc.strerror}") from None
    server = settings.verify_base_url or settings.base_url
    if not server and not key:
        raise ConfigError("verify_model needs a server (verify_base_url or base_url) or an "
                          "API key (OPENAI_API_KEY, BRIEFING_API_KEY or api_key_file)")  # fmt: skip
    return replace(LLMSettings.from_settings(settings), model=settings.verify_model,
                   base_url=server, api_key=key)  # fmt: skip


class Verifier:
    """Asks the verify prompt; remembers every verdict by the bullet's text. `sdk` replaces the
    `openai` client (tests inject one)."""

    def __init__(
        self, settings: LLMSettings, store: Store | None = None, sdk: Any = None,
        version: int | None = None,
    ) -> None:  # fmt: skip
        self.model = settings.model
        self.client = Client(settings, store, sdk)
        self.prompt = load("verify", version or settings.prompt_versions.get("verify"))
        self.said: dict[str, Verdict] = {}
        self.asked: dict[str, set[str]] = {}  # a claim's text -> the entry texts it was judged on
        self.lock = threading.Lock()
        self.down: str | None = None  # why no more calls are made (server, deadline, budget)
        self.garbage: str | None = None  # why an answer could not be used (after its re-ask)

    @classmethod
    def of(cls, settings: Settings, store: Store | None) -> Verifier:
        llm = settings_of(settings)
        if llm is None:
            raise ConfigError("no verify_model is set")
        return cls(llm, store)

    def share_budget(self, ledger: Ledger) -> None:
        """This verifier and a summariser (its `ledger`) spend the run's token budget together."""
        self.client.ledger.peers.append(ledger)
        ledger.peers.append(self.client.ledger)

    def judge(self, claims: Sequence[Claim], texts: Mapping[str, str]) -> dict[str, Verdict]:
        """Verdicts by `claim_key` for the claims (citing ids of `texts`); a claim judged
        before is not asked again; one the verifier could not judge has none."""
        todo: dict[str, Claim] = {}
        with self.lock:
            for c in claims:
                k = claim_key(c.text)
                cited = tuple(x for x in dict.fromkeys(c.citations) if x in texts)
                known = k in self.said and {texts[c] for c in cited} <= self.asked.get(k, set())
                if k and cited and not known and k not in todo:  # new text, or new citations
                    todo[k] = Claim(k, cited)
        batches = self._batches(list(todo.values()), texts)
        if batches:  # the first alone: a verifier that is down costs one call, not one a batch
            self._ask(batches[0], texts)
        workers = min(len(batches) - 1, self.client.settings.concurrency)
        if workers > 0:
            with ThreadPoolExecutor(max_workers=workers) as pool:
                list(pool.map(lambda b: self._ask(b, texts), batches[1:]))
        with self.lock:
            return {k: self.said[k] for c in claims if (k := claim_key(c.text)) in self.said}

    def _room(self, claim: Claim) -> int:
        """Tokens one of the claim's entries may take in a call."""
        budget = self.client.settings.max_input_tokens - PROMPT_COST - count(claim.text)
        return max(200, budget // len(claim.citations) - ENTRY_COST)

    def _pieces(self, claim: Claim, texts: Mapping[str, str]) -> list[tuple[str, str]]:
        """(entry id, text to send) for each entry the claim cites: whole, or around what
        supports the claim when the entry is too long for a call."""
        room = self._room(claim)
        return [(c, excerpt(texts[c], claim.text, room)) for c in claim.citations]

    def _batches(self, claims: list[Claim], texts: Mapping[str, str]) -> list[list[Claim]]:
        """Claims in calls of at most MAX_CLAIMS that keep to `max_input_tokens`, an entry
        cited by several claims of a call sent once."""
        budget = self.client.settings.max_input_tokens - PROMPT_COST
        out: list[list[Claim]] = []
        seen: set[tuple[str, str]] = set()
        used = 0
        for c in claims:
            pieces = self._pieces(c, texts)
            new = [p[1] for p in pieces if p not in seen]
            cost = count(c.text) + CLAIM_COST + sum(count(t) + ENTRY_COST for t in new)
            if not out or len(out[-1]) >= MAX_CLAIMS or used + cost > budget:
                out.append([])
                seen, used = set(), 0
                cost = count(c.text) + CLAIM_COST + sum(count(t) + ENTRY_COST for _, t in pieces)
            out[-1].append(c)
            seen |= set(pieces)
            used += cost
        return out

    def _ask(self, batch: list[Claim], texts: Mapping[str, str]) -> None:
        """One call: verdicts for a batch of claims, remembered. A failure is remembered too."""
        if self.down is not None:
            return
        alias: dict[tuple[str, str], str] = {}
        entries, claims, by_id = [], [], {}
        for n, c in enumerate(batch, 1):
            cites = []
            for piece in self._pieces(c, texts):
                if piece not in alias:
                    alias[piece] = f"E{len(alias) + 1}"
                    entries.append({"id": alias[piece], "text": sanitise(piece[1])})
                cites.append(alias[piece])
            by_id[f"C{n}"] = c
            claims.append({"id": f"C{n}", "text": sanitise(c.text), "citations": cites})
        asked = messages(self.prompt, entries=entries, claims=claims)

        def evaluate(content: str) -> tuple[Verdicts, list[str], list[Any]]:
            got = parse(content, "Verdicts")
            assert isinstance(got, Verdicts)
            if not any(v.claim in by_id for v in got.verdicts):
                raise Unusable("no verdict on any of the claims")
            return got, [], []

        try:
            got, _ = ask_checked(self.client, self.prompt, asked, schema_for(list(by_id)),
                                 {"verify": [m["content"] for m in asked]}, evaluate,
                                 64 + len(batch) * VERDICT_TOKENS)  # fmt: skip
        except Unusable as exc:
            log.warning("the verifier's answer could not be used: %s", exc)
            self.garbage = describe(exc)
            return
        except Exception as exc:
            from openai import OpenAIError

            if not isinstance(exc, OpenAIError | LLMError):
                raise
            log.warning("the verifier (%s) failed: %s; the offline checks stand", self.model,
                        describe(exc))  # fmt: skip
            self.down = describe(exc)
            return
        with self.lock:
            for v in got.verdicts:
                claim = by_id.get(v.claim)
                if claim is not None:
                    self.asked[claim.text] = {texts[c] for c in claim.citations}  # latest
                    self.said[claim.text] = (Verdict(v.verdict == "supported", v.quote,
                                                             v.reason))  # fmt: skip

    def finish(self, b: Briefing) -> Briefing:
        """The checked briefing with every verdict applied (asking about the bullets not judged
        yet), the verifier's calls and tokens in its figures, and a notice when it could not
        judge every bullet, when its quote was not in the text, or when it found a source's own
        sentence unsupported."""
        texts = {k: v.text for k, v in b.sources.items()}
        claims = []
        for x in b.all_bullets():  # a merged item's copies are the same text: send one
            cites = [c for c in x.citations if c in texts and b.sources[c].duplicate_of not in
                     x.citations]  # fmt: skip
            claims.append(Claim(x.text, tuple(cites)))
        self.judge(claims, texts)
        with self.lock:
            said = dict(self.said)
        b, tally = verdicts(b, said, self.model)
        notice = self.notice(tally, len(claims))
        if notice:
            log.warning("%s", notice)
        info = b.summariser
        mine = self.client.ledger
        prompts = list(info.prompts)
        if mine.prompts and all(p.name != "verify" for p in prompts):
            prompts += list(mine.prompts.values())
        old = info.notice.rstrip(". ") + "." if info.notice else None
        u, st = mine.usage, b.stats
        stats = st.model_copy(update={
            "tokens_in": st.tokens_in + u.tokens_in, "tokens_out": st.tokens_out + u.tokens_out,
            "tokens_in_estimate": st.tokens_in_estimate + mine.tokens_estimate,
            "llm_calls": st.llm_calls + u.calls, "cache_hits": st.cache_hits + u.cache_hits,
        })  # fmt: skip
        info = info.model_copy(update={
            "prompts": prompts, "prompt": info.prompt or (prompts[0] if prompts else None),
            "notice": " ".join(x for x in (old, notice) if x) or None,
        })  # fmt: skip
        return b.model_copy(update={"summariser": info, "stats": stats})

    def notice(self, tally: Mapping[str, list[str]], total: int) -> str | None:
        """What the reader should know about the verifier's pass, in words; None if nothing."""
        parts = []
        if unjudged := len(tally.get("unjudged", [])):
            why = self.down or self.garbage
            if why and unjudged == total:
                parts.append(f"could not be used ({why}); every bullet was checked offline only")
            else:
                parts.append(
                    f"gave no verdict on {unjudged} of {total} bullets"
                    + (f" ({why})" if why else "")
                    + "; they were checked offline only"
                )
        if n := len(tally.get("unvouched", [])):
            parts.append(f"its quotes for {n} bullets are not in their sources, so those "
                         "verdicts do not count")  # fmt: skip
        if n := len(tally.get("contested", [])):
            parts.append(f"it found {n} bullets unsupported that are their sources' own "
                         "sentences; they are kept")  # fmt: skip
        if not parts:
            return None
        return f"Verifier {self.model}: " + "; ".join(parts) + "."


def excerpt(text: str, claim: str, room: int) -> str:
    """`text` when it fits `room` tokens, else the part of it around the sentences that best
    support the claim (the quote is still checked against the whole text)."""
    if count(text) <= room:
        return text
    index = Index({"": text})
    found = align(tokenize(claim), index.sentences("")) or index.sentences("")[:1]
    start, end = (min(s.start for s in found), max(s.end for s in found)) if found else (0, 0)
    most = room * CHARS_PER_TOKEN
    spare = max(0, most - (end - start)) // 2
    return text[max(0, start - spare) : max(0, start - spare) + most]


def vet(
    verifier: Verifier | None, good: list[Bullet], texts: Mapping[str, str]
) -> tuple[list[Bullet], list[tuple[BulletOut, str]]]:
    """A summariser's checked bullets -> (those the verifier does not reject, the rejected with
    its reason), for the summariser's re-ask or drop."""
    if verifier is None or not good:
        return good, []
    said = verifier.judge([Claim(b.text, tuple(b.citations)) for b in good], texts)
    index = Index(texts)
    keep: list[Bullet] = []
    bad: list[tuple[BulletOut, str]] = []
    for b in good:
        v = said.get(claim_key(b.text))
        if v is not None and outcome(b.text, b.citations, v, index) == "rejected":
            why = unsupported(verifier.model, sanitise(v.reason))  # told to the model
            bad.append((BulletOut(text=b.text, citations=b.citations), why))
        else:
            keep.append(b)
    return keep, bad
