"""(I/O) The one place that talks to the server: the `openai` SDK client, the response format
the server accepts (found once per run), the call cache and the usage ledger.

Transport retries, timeouts and Retry-After are the SDK's (`max_retries`, `timeout`); but
each request ends within `timeout` seconds however slowly the server sends (`net.py`),
no call starts after the run's time limit or once the run's token budget is spent, and a
server that cannot be reached at all (connection refused, an unknown host, no /v1 path, a
refused key) fails every call at once, so the extractive summariser takes over within
seconds instead of after retries for every story.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from ...contract import PromptRef
from ...errors import LLMError
from ...net import run_ends
from ...pipeline import Usage
from ...state import Store
from ...tokens import count
from ..prompts import Prompt
from .schemas import MAX_ANSWER_CHARS, MAX_RESPONSE_BYTES, MAX_RESPONSE_DEPTH
from .settings import LLMSettings

log = logging.getLogger(__name__)

Mode = Literal["json_schema", "json_object_schema", "json_object"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object_schema", "json_object")
_FORMAT_HINTS = ("response_format", "json_schema", "json_object", "schema")


@dataclass(slots=True)
class Ledger:
    """Usage across threads."""

    usage: Usage = field(default_factory=Usage)
    tokens_estimate: int = 0
    prompts: dict[str, PromptRef] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    peers: list[Ledger] = field(default_factory=list)  # ledgers sharing this one's token budget
    on_change: Callable[[Usage], None] | None = None  # told after every call (progress)

    def spent(self) -> int:
        """Tokens in and out so far, this ledger's and its peers' (the run's budget)."""
        return sum(x.usage.tokens_in + x.usage.tokens_out for x in (self, *self.peers))

    def add(self, prompt: Prompt, tin: int, tout: int, estimate: int, cached: bool) -> None:
        with self.lock:
            self.prompts.setdefault(prompt.meta.name, prompt.ref)
            if cached:
                self.usage.cache_hits += 1
            else:
                self.usage.calls += 1
                self.usage.tokens_in += tin
                self.usage.tokens_out += tout
                self.tokens_estimate += estimate
            seen = replace(self.usage)
        if self.on_change is not None:
            self.on_change(seen)


class Unreachable(LLMError):
    """The server cannot be used at all; every later call fails at once with this."""


class BadBody(LLMError):
    """A response body over its byte cap, not UTF-8 or nesting too deep: unusable, whatever
    it says (not retried by the SDK: the same server would send the same)."""


def unusable_body(data: bytes) -> None:
    """Raise `BadBody` for a body that is not valid UTF-8 or whose JSON nests deeper than
    MAX_RESPONSE_DEPTH (counted without recursion); invalid JSON is left to the SDK."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadBody(f"the answer is not valid UTF-8 (byte 0x{data[exc.start]:02x} at "
                      f"offset {exc.start:,})") from None  # fmt: skip
    try:
        parsed = json.loads(text)
    except RecursionError:
        raise BadBody(f"the answer nests deeper than {MAX_RESPONSE_DEPTH} levels") from None
    except ValueError:
        return
    stack: list[tuple[Any, int]] = [(parsed, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > MAX_RESPONSE_DEPTH:
            raise BadBody(f"the answer nests deeper than {MAX_RESPONSE_DEPTH} levels")
        if isinstance(value, dict):
            stack.extend((v, depth + 1) for v in value.values())
        elif isinstance(value, list):
            stack.extend((v, depth + 1) for v in value)


def server_name(base_url: str | None) -> str:
    return (base_url or "https://api.openai.com/v1").rstrip("/")


class Client:
    """Asks the model one question at a time (from many threads); `sdk` may be injected."""

    def __init__(self, settings: LLMSettings, store: Store | None = None, sdk: Any = None) -> None:
        self.settings = settings
        self.store = store
        self.until = run_ends()  # the run's time limit (monotonic), read in the run's thread
        self.sdk = sdk or self._connect()
        self.mode: Mode | None = None
        self.mode_confirmed = False  # a request in this mode has succeeded
        self.mode_lock = threading.Lock()
        self.ledger = Ledger()
        self.down: Unreachable | None = None  # set once the server proved unusable

    def _connect(self) -> Any:
        import httpcore2
        import httpx2
        from openai import OpenAI

        from ...net import TooLarge, request_deadline, transport

        per_request, until = self.settings.timeout, self.until

        class Limited(httpx2.Client):
            """Each request (each SDK attempt) ends within `timeout` s, bytes trickling or
            not, and never after the run's time limit."""

            def send(self, request: Any, **kw: Any) -> Any:
                with request_deadline(per_request, until):
                    try:
                        resp = super().send(request, **kw)
                    except TooLarge as exc:
                        raise BadBody(str(exc)) from None
                if not kw.get("stream"):
                    unusable_body(resp.content)
                return resp

        return OpenAI(
            api_key=self.settings.api_key or "not-needed",
            base_url=self.settings.base_url,
            timeout=self.settings.timeout,
            max_retries=self.settings.max_retries,
            http_client=Limited(transport=transport(httpx2, httpcore2,
                                                    max_bytes=MAX_RESPONSE_BYTES),
                                timeout=self.settings.timeout),
        )

    def _unreachable(self, exc: Exception) -> Unreachable | None:
        """An error that retrying will not fix, as one reader-facing sentence; else None."""
        from openai import APIConnectionError, APIStatusError, APITimeoutError

        where = server_name(self.settings.base_url)
        if isinstance(exc, APIConnectionError) and not isinstance(exc, APITimeoutError):
            cause = exc.__cause__ or exc.__context__
            text = str(cause or exc).lower()
            if "refused" in text:
                why = "connection refused"
            elif "name or service" in text or "resolve" in text or "nodename" in text:
                why = "unknown host"
            else:
                return None
            return Unreachable(f"cannot reach the LLM server at {where} ({why})")
        if isinstance(exc, APIStatusError) and exc.status_code in (401, 403):
            return Unreachable(f"the LLM server at {where} refused the API key "
                               f"(HTTP {exc.status_code})")  # fmt: skip
        if isinstance(exc, APIStatusError) and exc.status_code in (404, 405, 501):
            hint = "" if where.endswith("/v1") else "; is /v1 missing from base_url?"
            return Unreachable(f"the LLM server at {where} has no chat completions endpoint "
                               f"(HTTP {exc.status_code}){hint}")  # fmt: skip
        return None

    def _gate(self, estimate: int, max_tokens: int) -> None:
        """Refuse a call once the server proved unusable, after the run's time limit, or when
        it could take the run past its token budget."""
        if self.down is not None:
            raise self.down
        if self.until is not None and time.monotonic() >= self.until:
            raise LLMError("the run's time limit (run_deadline) was reached")
        budget = self.settings.token_budget
        if budget is not None:
            used = self.ledger.spent()
            if used + estimate + max_tokens > budget:
                raise LLMError(f"the run's token budget ({budget:,} tokens) was spent")

    def _create(
        self,
        messages: list[dict[str, str]],
        mode: Mode,
        schema: dict[str, Any],
        temperature: float,
        retries: int | None,
        max_tokens: int,
    ) -> Any:
        if mode == "json_schema":
            fmt: dict[str, Any] = {
                "type": "json_schema",
                "json_schema": {"name": "output", "strict": True, "schema": schema},
            }
        elif mode == "json_object_schema":
            fmt = {"type": "json_object", "schema": schema}
        else:
            fmt = {"type": "json_object"}
        sdk = self.sdk if retries is None else self.sdk.with_options(max_retries=retries)
        return sdk.chat.completions.create(
            model=self.settings.model,
            messages=messages,
            temperature=temperature,
            response_format=fmt,
            max_tokens=max_tokens,
        )

    def _complete(
        self, messages: list[dict[str, str]], schema: dict[str, Any], temperature: float,
        max_tokens: int,
    ) -> Any:  # fmt: skip
        """One completion, finding once per run which response_format the server accepts."""
        from openai import APIConnectionError, APIStatusError

        with self.mode_lock:
            if self.down is not None:
                raise self.down
            if not self.mode_confirmed:
                start = MODES.index(self.mode) if self.mode else 0
                for mode in MODES[start:]:
                    self.mode = mode
                    try:
                        resp = self._create(messages, mode, schema, temperature, 0, max_tokens)
                    except APIStatusError as exc:
                        body = str(exc).lower()
                        if exc.status_code in (400, 422, 500) and any(
                            h in body for h in _FORMAT_HINTS
                        ):
                            log.info("server refused response_format %s: %s", mode, exc)
                            continue
                        self._fail_fast(exc)
                        break  # unrelated to the format: retried the SDK's way below
                    except APIConnectionError as exc:  # includes timeouts
                        self._fail_fast(exc)
                        break
                    self.mode_confirmed = True
                    return resp
                else:
                    raise LLMError("the server accepts none of json_schema or json_object output")
        assert self.mode is not None
        try:
            return self._create(messages, self.mode, schema, temperature, None, max_tokens)
        except (APIConnectionError, APIStatusError) as exc:
            self._fail_fast(exc)
            raise

    def _fail_fast(self, exc: Exception) -> None:
        """A server that cannot be used: remember it, and fail this and every later call."""
        down = self._unreachable(exc)
        if down is not None:
            log.info("LLM unusable: %s: %s", type(exc).__name__, exc)
            self.down = down
            raise down from None

    def cache_key(self, prompt: Prompt, temperature: float, cache_input: Any) -> str:
        """The same prompt file, model, server, temperature and input: the same answer. Two
        servers serving a model of the same name are not the same model."""
        base_url = (self.settings.base_url or "").rstrip("/") or None
        return hashlib.sha256(
            json.dumps(
                {
                    "prompt": prompt.sha256,
                    "model": self.settings.model,
                    "base_url": base_url,
                    "temperature": temperature,
                    "input": cache_input,
                },
                sort_keys=True,
                ensure_ascii=False,
            ).encode()
        ).hexdigest()

    def ask(
        self,
        prompt: Prompt,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        cache_input: Any,
        max_tokens: int = 2000,
    ) -> tuple[str, bool]:
        """(content, complete). `max_tokens`: the most the answer may take (from what its
        schema needs). An answer cut off by the token limit is not cached."""
        temperature = self.settings.temperature
        if temperature is None:
            temperature = prompt.meta.temperature
        key = self.cache_key(prompt, temperature, cache_input)
        if self.store is not None and (hit := self.store.cache_get(key)) is not None:
            self.ledger.add(prompt, 0, 0, 0, cached=True)
            return hit[0], True
        estimate = sum(count(m["content"]) + 4 for m in messages)
        self._gate(estimate, max_tokens)
        resp = self._complete(messages, schema, temperature, max_tokens)
        choice = resp.choices[0] if resp.choices else None
        content = (choice.message.content if choice else None) or ""
        usage = getattr(resp, "usage", None)
        tin = getattr(usage, "prompt_tokens", None) or estimate
        tout = getattr(usage, "completion_tokens", None) or count(content)
        self.ledger.add(prompt, tin, tout, estimate, cached=False)
        complete = choice is not None and choice.finish_reason != "length"
        if self.store is not None and content and complete and len(content) <= MAX_ANSWER_CHARS:
            self.store.cache_put(
                key, self.settings.model, prompt.sha256, content, {"in": tin, "out": tout}
            )
        return content, complete
