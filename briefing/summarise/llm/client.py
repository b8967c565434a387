"""(I/O) The one place that talks to the server: the `openai` SDK client, the response format
the server accepts (found once per run), the call cache and the usage ledger.

Transport retries, timeouts and Retry-After are the SDK's (`max_retries`, `timeout`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass, field
from typing import Any, Literal

from ...contract import PromptRef
from ...errors import LLMError
from ...store import Store
from ...tokens import count
from ..base import LLMSettings, Usage
from ..prompts import Prompt

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

    def add(self, prompt: Prompt, tin: int, tout: int, estimate: int, cached: bool) -> None:
        with self.lock:
            self.prompts.setdefault(prompt.meta.name, prompt.ref)
            if cached:
                self.usage.cache_hits += 1
                return
            self.usage.calls += 1
            self.usage.tokens_in += tin
            self.usage.tokens_out += tout
            self.tokens_estimate += estimate


class Client:
    """Asks the model one question at a time (from many threads); `sdk` may be injected."""

    def __init__(self, settings: LLMSettings, store: Store | None = None, sdk: Any = None) -> None:
        self.settings = settings
        self.store = store
        self.sdk = sdk or self._connect()
        self.mode: Mode | None = None
        self.mode_confirmed = False  # a request in this mode has succeeded
        self.mode_lock = threading.Lock()
        self.ledger = Ledger()

    def _connect(self) -> Any:
        from openai import OpenAI

        return OpenAI(
            api_key=self.settings.api_key or "not-needed",
            base_url=self.settings.base_url,
            timeout=self.settings.timeout,
            max_retries=self.settings.max_retries,
        )

    def _create(
        self,
        messages: list[dict[str, str]],
        mode: Mode,
        schema: dict[str, Any],
        temperature: float,
        retries: int | None,
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
        )

    def _complete(
        self, messages: list[dict[str, str]], schema: dict[str, Any], temperature: float
    ) -> Any:
        """One completion, finding once per run which response_format the server accepts."""
        from openai import APIConnectionError, APIStatusError

        with self.mode_lock:
            if not self.mode_confirmed:
                start = MODES.index(self.mode) if self.mode else 0
                for mode in MODES[start:]:
                    self.mode = mode
                    try:
                        resp = self._create(messages, mode, schema, temperature, retries=0)
                    except APIStatusError as exc:
                        body = str(exc).lower()
                        if exc.status_code in (400, 422, 500) and any(
                            h in body for h in _FORMAT_HINTS
                        ):
                            log.info("server refused response_format %s: %s", mode, exc)
                            continue
                        break  # unrelated to the format: retried the SDK's way below
                    except APIConnectionError:  # includes timeouts
                        break
                    self.mode_confirmed = True
                    return resp
                else:
                    raise LLMError("the server accepts none of json_schema or json_object output")
        assert self.mode is not None
        return self._create(messages, self.mode, schema, temperature, retries=None)

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
    ) -> tuple[str, bool]:
        """(content, complete). An answer cut off by the token limit is not cached."""
        temperature = self.settings.temperature
        if temperature is None:
            temperature = prompt.meta.temperature
        key = self.cache_key(prompt, temperature, cache_input)
        if self.store is not None and (hit := self.store.cache_get(key)) is not None:
            self.ledger.add(prompt, 0, 0, 0, cached=True)
            return hit[0], True
        estimate = sum(count(m["content"]) + 4 for m in messages)
        resp = self._complete(messages, schema, temperature)
        choice = resp.choices[0] if resp.choices else None
        content = (choice.message.content if choice else None) or ""
        usage = getattr(resp, "usage", None)
        tin = getattr(usage, "prompt_tokens", None) or estimate
        tout = getattr(usage, "completion_tokens", None) or count(content)
        self.ledger.add(prompt, tin, tout, estimate, cached=False)
        complete = choice is not None and choice.finish_reason != "length"
        if self.store is not None and content and complete:
            self.store.cache_put(
                key, self.settings.model, prompt.sha256, content, {"in": tin, "out": tout}
            )
        return content, complete
