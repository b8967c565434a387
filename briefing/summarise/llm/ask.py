"""Ask, check, re-ask; and the one place an LLM failure becomes a reason.

Every answer is untrusted: it must parse into its schema, and `evaluate` (which checks bullets
through `briefing.check`) says what failed; a failing answer is re-asked once with the reasons,
then what still fails is dropped and reported. Entry text is data: `sanitise` defuses anything
in it that looks like our delimiters.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from ...contract import Dropped
from ...errors import LLMError
from ..prompts import Prompt
from .client import Client
from .schemas import DROPPED_CHARS, BulletOut, Unusable, clip

log = logging.getLogger(__name__)
T = TypeVar("T")
Messages = list[dict[str, str]]
Evaluate = Callable[[str], tuple[T, list[str], list[Dropped]]]
_DELIM = re.compile(r"[<\uff1c\ufe64]{3}|[>\uff1e\ufe65]{3}")  # also full-width look-alikes


@dataclass(frozen=True, slots=True)
class Failed:
    """An LLM step that failed, and why (for notices and fallbacks)."""

    reason: str


def attempt(step: Callable[[], T]) -> T | Failed:
    """Run one LLM step. A transport or server error (the SDK's, after its retries), a server
    that takes no JSON output, or an unusable answer becomes a `Failed` reason; anything else
    is a bug and propagates."""
    from openai import OpenAIError

    try:
        return step()
    except (OpenAIError, LLMError, Unusable) as exc:
        log.info("LLM step failed: %s: %s", type(exc).__name__, exc)  # class names: -v only
        return Failed(describe(exc))


def describe(exc: BaseException) -> str:
    """The reason an LLM step failed, in words a reader of the notice understands (no
    exception class names; those are logged with -v)."""
    from openai import APIConnectionError, APIStatusError, APITimeoutError, RateLimitError

    if isinstance(exc, APITimeoutError):
        return "the server did not answer in time"
    from .client import BadBody

    if isinstance(exc.__cause__, BadBody):  # if an SDK wraps it
        return str(exc.__cause__)
    if isinstance(exc, APIConnectionError):
        return "the server could not be reached"
    if isinstance(exc, RateLimitError):
        return "the server kept refusing for too many requests (HTTP 429)"
    if isinstance(exc, APIStatusError):
        return f"the server answered HTTP {exc.status_code}"
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return text or "the server's answer could not be used"


def sanitise(text: str) -> str:
    """Entry text is data: it may not contain anything that looks like our delimiters."""
    return _DELIM.sub("‹‹", text)


def messages(prompt: Prompt, **variables: Any) -> Messages:
    system, user = prompt.render(**variables)
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def ask_checked(
    client: Client,
    prompt: Prompt,
    asked: Messages,
    schema: dict[str, Any],
    cache_input: Any,
    evaluate: Evaluate[T],
    max_tokens: int = 2000,
) -> tuple[T, list[Dropped]]:
    """Ask; if `evaluate` finds problems, re-ask once with them explained.

    `evaluate(content)` returns (value, problems for the model, bullets to drop) or raises
    Unusable. What still fails after the re-ask is dropped; if the re-ask itself fails, the
    first answer's good part stands; if there is none, the failure is the caller's.
    """
    content, complete = client.ask(prompt, asked, schema, cache_input, max_tokens)
    first: tuple[T, list[str], list[Dropped]] | None = None
    try:
        if not complete:
            raise Unusable("the answer was cut off (finish_reason=length)")
        first = evaluate(content)
        if not first[1]:
            return first[0], first[2]
        feedback = (
            "Some of your answer failed the source check:\n"
            + "\n".join(f"- {p}" for p in first[1])
            + "\nReturn the full JSON again with every bullet corrected so that each fact, "
            "name and number is stated in the entries it cites, or removed."
        )
    except Unusable as exc:
        feedback = f"Your answer was unusable: {exc}. Return only the JSON described."
    again = [
        *asked,
        {"role": "assistant", "content": content[:8000]},
        {"role": "user", "content": feedback},
    ]

    def reask() -> tuple[T, list[str], list[Dropped]]:
        again_key = [cache_input, content, feedback]
        content2, complete2 = client.ask(prompt, again, schema, again_key, max_tokens)
        if not complete2:
            raise Unusable("the answer was cut off again (finish_reason=length)")
        return evaluate(content2)

    if first is None:
        value, _problems, dropped = reask()
    else:
        second = attempt(reask)
        value, _problems, dropped = first if isinstance(second, Failed) else second
    for d in dropped:
        d.reason = f"failed after re-ask: {d.reason}"
    return value, dropped


def problems(bad: Sequence[tuple[BulletOut, str]]) -> list[str]:
    """Failed bullets, told back to the model."""
    return [f'"{b.text}" (citations {", ".join(b.citations) or "none"}): {why}' for b, why in bad]


def dropped(
    bad: Sequence[tuple[BulletOut, str]], real: dict[str, str] | None = None
) -> list[Dropped]:
    """Failed bullets, reported; `real` maps a packed call's aliases back to entry ids."""
    real = real or {}
    return [
        Dropped(text=clip(b.text, DROPPED_CHARS), citations=[real.get(c, c) for c in b.citations],
                reason=clip(why, DROPPED_CHARS))
        for b, why in bad
    ]  # fmt: skip
