"""(I/O) The LLM summariser: OpenAI, or any OpenAI-compatible server through `base_url`.

Map: stories are packed into as few calls as the token budget allows (`story_batch`), each
entry under a short per-call alias (E1, E2, …) that is mapped back to its real id; when the
whole day fits in one call, that call also orders the stories and writes the top summary, and
nothing else is sent. A story too long for one call goes alone (`story_bullets`, with per-run
random delimiters), split into parts whose bullets a `story_merge` call combines. With more
than one call, a reduce call (`briefing`) orders the stories, titles the sections and writes
the top summary. `batch_stories = false` sends one call per story, as before.

Every answer is untrusted: it must parse into the schema, and every bullet must pass the
citation checker; failures are re-asked once with the reasons, then dropped and reported. A
story whose calls fail falls back to the extractive summariser, and the briefing says so.

Transport retries, timeouts and Retry-After are the SDK's (`max_retries`, `timeout`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

from .. import check as checker
from ..config import Settings
from ..contract import Bullet, Dropped, PromptRef, Section
from ..errors import LLMError
from ..models import Entry, Item, Story
from ..store import Store
from ..tokens import chunk_entry, count, pack
from .base import Draft, SummaryRequest, Usage
from .extractive import ExtractiveSummariser
from .prompts import Prompt, load

log = logging.getLogger(__name__)

Mode = Literal["json_schema", "json_object_schema", "json_object"]
MODES: tuple[Mode, ...] = ("json_schema", "json_object_schema", "json_object")
_FORMAT_HINTS = ("response_format", "json_schema", "json_object", "schema")
_DELIM = re.compile(r"[<\uff1c\ufe64]{3}|[>\uff1e\ufe65]{3}")  # also full-width look-alikes
T = TypeVar("T")


# ---------------------------------------------------------------- output schemas


class _BulletOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    citations: list[str]


class StoryBullets(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bullets: list[_BulletOut]


class _SectionOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    story_id: str
    title: str


class BriefingPlan(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: list[_BulletOut]
    sections: list[_SectionOut]


class _StoryOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    story_id: str
    title: str = ""
    bullets: list[_BulletOut]


class StoryBatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    stories: list[_StoryOut]
    summary: list[_BulletOut] = []


SCHEMAS: dict[str, type[BaseModel]] = {
    "StoryBullets": StoryBullets,
    "BriefingPlan": BriefingPlan,
    "StoryBatch": StoryBatch,
}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def json_schema(
    name: str, ids: Sequence[str], story_ids: Sequence[str] = (), summary: bool = True
) -> dict[str, Any]:
    """A strict JSON schema; citations (and story ids) are enums of what the model was given."""
    bullet = _obj(
        {
            "text": {"type": "string"},
            "citations": {
                "type": "array",
                "items": {"type": "string", "enum": list(ids)},
                "minItems": 1,
            },
        }
    )
    story_id = {"type": "string", "enum": list(story_ids)}
    bullets = {"type": "array", "items": bullet}
    if name == "StoryBullets":
        return _obj({"bullets": bullets})
    if name == "StoryBatch":
        story = _obj({"story_id": story_id, "title": {"type": "string"}, "bullets": bullets})
        props: dict[str, Any] = {"stories": {"type": "array", "items": story}}
        if summary:
            props["summary"] = bullets
        return _obj(props)
    section = _obj({"story_id": story_id, "title": {"type": "string"}})
    return _obj({"summary": bullets, "sections": {"type": "array", "items": section}})


# ---------------------------------------------------------------- call bookkeeping


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


@dataclass(slots=True)
class StoryResult:
    story: Story
    bullets: list[Bullet]
    dropped: list[Dropped]
    fallback: str | None = None  # why the extractive summariser wrote this story
    title: str | None = None  # the model's section title, checked against the story's sources


Plan = tuple[list[Bullet], list[Section], list[Dropped], str | None]
_ENTRY_COST = 12  # tokens of an entry's marker line in the packed prompt
_STORY_COST = 8  # and of a story's


@dataclass(slots=True)
class _Unit:
    """One block of a packed call: a story, or a part of one too long for a call."""

    story: Story
    entries: list[tuple[Entry, str]]  # entry, and the text sent (the whole, or a chunk)
    tokens: int


@dataclass(slots=True)
class _UnitResult:
    bullets: list[Bullet]  # citations are canonical entry ids
    title: str | None
    failed: str | None = None  # why the call failed


@dataclass(slots=True)
class _BatchAnswer:
    stories: dict[str, tuple[list[Bullet], str]]  # story alias -> (checked bullets, title)
    summary: list[Bullet]
    order: list[str]  # story aliases, most important first


@dataclass(slots=True)
class _BatchPlan:
    summary: list[Bullet]  # citations are canonical entry ids
    order: list[int]  # unit indexes, most important first


class Unusable(Exception):
    """The model's answer could not be used (after the one re-ask)."""


def sanitise(text: str) -> str:
    """Entry text is data: it may not contain anything that looks like our delimiters."""
    return _DELIM.sub("‹‹", text)


class OpenAISummariser:
    name = "openai"

    def __init__(self, settings: Settings, store: Store | None = None, client: Any = None) -> None:
        self.settings = settings
        self.store = store
        self.model = settings.model
        self.client = client or self._client()
        self.mode: Mode | None = None
        self.mode_confirmed = False  # a request in this mode has succeeded
        self.mode_lock = threading.Lock()
        self.nonce = secrets.token_hex(6)  # per run: article authors cannot guess it
        versions = settings.prompt_versions
        self.p_batch = load("story_batch", versions.get("story_batch"))
        self.p_story = load("story_bullets", versions.get("story_bullets"))
        self.p_merge = load("story_merge", versions.get("story_merge"))
        self.p_brief = load("briefing", versions.get("briefing"))
        self.ledger = Ledger()

    def _client(self) -> Any:
        from openai import OpenAI

        return OpenAI(
            api_key=self.settings.secret_key() or "not-needed",
            base_url=self.settings.base_url,
            timeout=self.settings.timeout,
            max_retries=self.settings.max_retries,
        )

    # ------------------------------------------------------------ transport

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
        client = self.client if retries is None else self.client.with_options(max_retries=retries)
        return client.chat.completions.create(
            model=self.model, messages=messages, temperature=temperature, response_format=fmt
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

    def _ask(
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
        key = hashlib.sha256(
            json.dumps(
                {
                    "prompt": prompt.sha256,
                    "model": self.model,
                    "temperature": temperature,
                    "input": cache_input,
                },
                sort_keys=True,
                ensure_ascii=False,
            ).encode()
        ).hexdigest()
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
            self.store.cache_put(key, self.model, prompt.sha256, content, {"in": tin, "out": tout})
        return content, complete

    # ------------------------------------------------------------ validation

    @staticmethod
    def _parse(content: str, schema_name: str) -> BaseModel:
        text = content.strip()
        if text.startswith("```"):  # tolerate a fenced answer
            text = re.sub(r"^```(?:json)?\s*|\s*```$", "", text)
        try:
            return SCHEMAS[schema_name].model_validate_json(text)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(x) for x in first["loc"])
            raise Unusable(
                f"not valid JSON of the required shape ({where}: {first['msg']})"
            ) from None

    def _ask_checked(
        self,
        prompt: Prompt,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        cache_input: Any,
        evaluate: Callable[[str], tuple[T, list[str], list[Dropped]]],
    ) -> tuple[T, list[Dropped]]:
        """Ask; if `evaluate` finds problems, re-ask once with them explained.

        `evaluate(content)` returns (value, problems for the model, bullets to drop) or raises
        Unusable. What still fails after the re-ask is dropped; if the re-ask itself is
        unusable, the first answer's good part stands.
        """
        from openai import OpenAIError

        content, complete = self._ask(prompt, messages, schema, cache_input)
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
        messages = [
            *messages,
            {"role": "assistant", "content": content[:8000]},
            {"role": "user", "content": feedback},
        ]
        try:
            content2, complete2 = self._ask(
                prompt, messages, schema, [cache_input, content, feedback]
            )
            if not complete2:
                raise Unusable("the answer was cut off again (finish_reason=length)")
            value, _problems, dropped = evaluate(content2)
        except (Unusable, OpenAIError, LLMError):
            if first is None:
                raise
            value, _problems, dropped = first
        for d in dropped:
            d.reason = f"failed after re-ask: {d.reason}"
        return value, dropped

    def _bullets_call(
        self,
        prompt: Prompt,
        variables: dict[str, Any],
        texts: dict[str, str],
        limit: int,
        cache_input: Any,
    ) -> tuple[list[Bullet], list[Dropped]]:
        """One story's (or part's, or merge's) bullets, checked against `texts`."""
        system, user = prompt.render(**variables)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        schema = json_schema(prompt.meta.schema_name, sorted(texts))

        def evaluate(content: str) -> tuple[list[Bullet], list[str], list[Dropped]]:
            parsed = self._parse(content, prompt.meta.schema_name)
            good, bad = checker.screen(parsed.bullets, texts, limit)  # type: ignore[attr-defined]
            return good, _problems(bad), _dropped(bad)

        return self._ask_checked(prompt, messages, schema, cache_input, evaluate)

    # ------------------------------------------------------------ map

    def _entry_payload(self, entry: Entry, text: str | None = None) -> dict[str, Any]:
        return {
            "id": entry.id,
            "headline": sanitise(entry.headline) if entry.headline else None,
            "author": entry.author,
            "published": entry.published.strftime("%d %b %Y %H:%M") if entry.published else None,
            "text": sanitise(text if text is not None else entry.body),
        }

    def _parts(self, story: Story) -> list[list[dict[str, Any]]]:
        """The story's entries as prompt payloads, split into parts that fit the token budget."""
        budget = self.settings.max_input_tokens
        payloads: list[tuple[dict[str, Any], int]] = []
        for item in story.items:
            e = item.canonical
            if count(e.text) <= budget:
                p = self._entry_payload(e)
                payloads.append((p, count(p["text"]) + 30))
            else:  # one entry longer than a whole call: its chunks, each under its own id
                for ch in chunk_entry(e, budget):
                    p = self._entry_payload(e, ch.text)
                    payloads.append((p, ch.tokens + 30))
        groups = pack([(json.dumps(p), t) for p, t in payloads], budget)
        return [[payloads[i][0] for i in g] for g in groups]

    def _story(self, story: Story, request: SummaryRequest) -> StoryResult:
        limit = _limit(story, request)
        texts = {it.canonical.id: it.canonical.text for it in story.items}
        parts = self._parts(story)
        bullets: list[Bullet] = []
        dropped: list[Dropped] = []
        for part in parts:
            variables = {
                "topic": request.topic,
                "nonce": self.nonce,
                "max_bullets": limit,
                "story_title": sanitise(story.title),
                "entries": part,
            }
            given = {p["id"]: texts[p["id"]] for p in part}
            cache_input = {
                "story": story.title,
                "limit": limit,
                "entries": [(p["id"], p["text"]) for p in part],
            }
            good, bad = self._bullets_call(self.p_story, variables, given, limit, cache_input)
            bullets += good
            dropped += bad
        if len(parts) > 1 and len(bullets) > limit:
            bullets, bad = self._merge(story, bullets, limit)
            dropped += bad
        return StoryResult(story, _name_copies(bullets, story.items), dropped)

    def _merge(
        self, story: Story, bullets: list[Bullet], limit: int
    ) -> tuple[list[Bullet], list[Dropped]]:
        """A long story's part bullets (citing canonical ids) -> the best `limit` of them."""
        texts = {it.canonical.id: it.canonical.text for it in story.items}
        cands = [{"text": sanitise(b.text), "citations": b.citations} for b in bullets]
        variables = {
            "nonce": self.nonce,
            "max_bullets": limit,
            "story_title": sanitise(story.title),
            "candidates": cands,
        }
        key = {"merge": story.title, "candidates": cands}
        return self._bullets_call(self.p_merge, variables, texts, limit, key)

    def _story_safe(self, story: Story, request: SummaryRequest) -> StoryResult:
        from openai import OpenAIError

        try:
            result = self._story(story, request)
            if result.bullets:
                return result
            reason = "the model returned no bullet that passed the check"
            dropped = result.dropped
        except (OpenAIError, LLMError, Unusable) as exc:
            reason = _describe(exc)
            dropped = []
            log.warning(
                "story %r: LLM failed (%s); using the extractive summariser", story.title, reason
            )
        return _extractive(story, request, reason, dropped)

    # ------------------------------------------------------------ map, packed

    def _units(self, story: Story) -> list[_Unit]:
        """A story as one block of a packed call, or, if longer than a call, as several parts;
        an entry longer than a call goes in chunks, each under its own alias."""
        budget = self.settings.max_input_tokens
        pieces: list[tuple[Entry, str, int]] = []
        for item in story.items:
            e = item.canonical
            n = count(e.text)
            if n + _ENTRY_COST <= budget:
                pieces.append((e, e.text, n + _ENTRY_COST))
            else:
                pieces += [(e, c.text, c.tokens + _ENTRY_COST) for c in chunk_entry(e, budget - 50)]
        total = _STORY_COST + sum(t for _, _, t in pieces)
        if total <= budget:
            return [_Unit(story, [(e, text) for e, text, _ in pieces], total)]
        groups = pack([(text, t) for _, text, t in pieces], budget - _STORY_COST)
        return [
            _Unit(
                story,
                [pieces[i][:2] for i in g],
                _STORY_COST + sum(pieces[i][2] for i in g),
            )
            for g in groups
        ]

    def _batch(
        self, units: list[_Unit], request: SummaryRequest, final: bool
    ) -> tuple[list[_UnitResult], _BatchPlan | None, list[Dropped]]:
        """One call for several stories (or parts); with `final`, it also plans the briefing."""
        real: dict[str, str] = {}  # alias -> canonical entry id
        given: dict[str, dict[str, str]] = {}  # story alias -> {entry alias: text sent}
        limits: dict[str, int] = {}
        payload = []
        dates = {e.published.date() for u in units for e, _ in u.entries if e.published}
        when_format = "%H:%M" if len(dates) <= 1 else "%d %b %H:%M"  # the day is implied
        for k, unit in enumerate(units, 1):
            sid = f"S{k}"
            limits[sid] = _limit(unit.story, request)
            given[sid] = {}
            entries = []
            for e, text in unit.entries:
                alias = f"E{len(real) + 1}"
                real[alias] = e.id
                given[sid][alias] = text
                when = e.published.strftime(when_format) if e.published else None
                entries.append({"id": alias, "published": when, "text": sanitise(text)})
            payload.append({"id": sid, "max_bullets": limits[sid], "entries": entries})
        lines = request.summary_lines if final else 0
        prompt = self.p_batch
        system, user = prompt.render(topic=request.topic, summary_lines=lines, stories=payload)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        schema = json_schema("StoryBatch", list(real), list(given), summary=bool(lines))
        every = {a: t for texts in given.values() for a, t in texts.items()}
        owner = {a: sid for sid, texts in given.items() for a in texts}

        def evaluate(content: str) -> tuple[_BatchAnswer, list[str], list[Dropped]]:
            parsed = self._parse(content, "StoryBatch")
            assert isinstance(parsed, StoryBatch)
            answers: dict[str, _StoryOut] = {}
            for story_out in parsed.stories:
                answers.setdefault(story_out.story_id, story_out)
            dropped: list[Dropped] = []
            # a bullet belongs with the entries it cites, whatever story it was filed under
            placed: dict[str, list[_BulletOut]] = {sid: [] for sid in given}
            for sid, out in answers.items():
                for b in out.bullets:
                    homes = [owner[c] for c in b.citations if c in owner]
                    home = homes[0] if homes else sid
                    if home not in placed:
                        dropped += _dropped([(b, f"filed under unknown story {sid}")], real)
                        continue
                    cites = [c for c in b.citations if owner.get(c, home) == home]
                    placed[home].append(b.model_copy(update={"citations": cites}))
            done: dict[str, tuple[list[Bullet], str]] = {}
            for sid, texts in given.items():
                good, bad = checker.screen(placed[sid], texts, limits[sid])
                dropped += _dropped(bad, real)
                title = answers[sid].title if sid in answers else ""
                done[sid] = (good, " ".join(title.split()))
            summary, bad = checker.screen(parsed.summary, every, lines)
            dropped += _dropped(bad, real)
            order = [sid for sid in answers if sid in given]
            return _BatchAnswer(done, summary, order), [], dropped

        # no re-ask for failed bullets: re-sending the whole pack costs more than asking for
        # a story left without bullets alone (`_finish`); only an unusable answer is re-asked
        answer, dropped = self._ask_checked(
            prompt, messages, schema, {"messages": [system, user]}, evaluate
        )
        out: list[_UnitResult] = []
        for sid, texts in given.items():
            good, title = answer.stories.get(sid, ([], ""))
            _unalias(good, real)
            ok = checker.check_title(title, list(texts), texts)
            out.append(_UnitResult(good, title if ok else None))
        if not final:
            return out, None, dropped
        _unalias(answer.summary, real)
        order = [int(sid[1:]) - 1 for sid in answer.order]
        order += [i for i in range(len(units)) if i not in order]
        return out, _BatchPlan(answer.summary, order), dropped

    def _batch_safe(
        self, units: list[_Unit], request: SummaryRequest, final: bool
    ) -> tuple[list[_UnitResult], _BatchPlan | None, list[Dropped]]:
        from openai import OpenAIError

        try:
            return self._batch(units, request, final)
        except (OpenAIError, LLMError, Unusable) as exc:
            reason = _describe(exc)
            log.warning("a packed call failed (%s); its stories are written extractively", reason)
            return [_UnitResult([], None, failed=reason) for _ in units], None, []

    def _finish(
        self, story: Story, parts: list[_UnitResult], request: SummaryRequest
    ) -> StoryResult:
        """A story's bullets from its parts: merged if too many, citations naming every copy."""
        from openai import OpenAIError

        failed = next((p.failed for p in parts if p.failed), None)
        if failed:
            return _extractive(story, request, failed, [])
        bullets = [b for p in parts for b in p.bullets]
        if not bullets:  # the packed answer left it out: ask for this story alone
            log.info("story %r: nothing usable in the packed answer; asking alone", story.title)
            return self._story_safe(story, request)
        limit = _limit(story, request)
        dropped: list[Dropped] = []
        if len(bullets) > limit:
            try:
                bullets, dropped = self._merge(story, bullets, limit)
            except (OpenAIError, LLMError, Unusable) as exc:
                return _extractive(story, request, _describe(exc), [])
            if not bullets:
                reason = "the model returned no bullet that passed the check"
                return _extractive(story, request, reason, dropped)
        title = next((p.title for p in parts if p.title), None)
        return StoryResult(story, _name_copies(bullets, story.items), dropped, title=title)

    def _packed(
        self, stories: list[Story], request: SummaryRequest
    ) -> tuple[list[StoryResult], Plan | None]:
        """Every story through as few packed calls as the budget allows."""
        if not stories:
            return [], None
        units = [u for s in stories for u in self._units(s)]
        groups = pack([("", u.tokens) for u in units], self.settings.max_input_tokens)
        final = len(groups) == 1 and len(units) == len(stories)  # the whole day in one call
        with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
            calls = list(
                pool.map(lambda g: self._batch_safe([units[i] for i in g], request, final), groups)
            )
            by_unit = [r for rs, _, _ in calls for r in rs]  # pack keeps the order
            parts: dict[str, list[_UnitResult]] = {s.id: [] for s in stories}
            for unit, r in zip(units, by_unit, strict=True):
                parts[unit.story.id].append(r)
            results = list(pool.map(lambda s: self._finish(s, parts[s.id], request), stories))
        dropped = [d for _, _, ds in calls for d in ds]
        results[0].dropped[:0] = dropped  # the briefing lists drops flat, not per story
        bp = calls[0][1] if final else None
        if bp is None:
            return results, None
        summary = _name_copies(bp.summary, [it for s in stories for it in s.items])
        sections = [
            Section(
                title=results[i].title or results[i].story.title,
                story_id=results[i].story.id,
                bullets=results[i].bullets,
            )
            for i in bp.order
        ]
        return results, (summary or _lead_bullets(sections, request), sections, [], None)

    # ------------------------------------------------------------ reduce

    def _plan(
        self, results: list[StoryResult], request: SummaryRequest, texts: dict[str, str]
    ) -> Plan:
        from openai import OpenAIError

        usable = [r for r in results if r.bullets]
        default_sections = [
            Section(title=r.title or r.story.title, story_id=r.story.id, bullets=r.bullets)
            for r in usable
        ]
        stories: list[dict[str, Any]] = [
            {
                "id": r.story.id,
                "title": sanitise(r.title or r.story.title),
                "bullets": [
                    {"text": sanitise(b.text), "citations": b.citations} for b in r.bullets
                ],
            }
            for r in usable
        ]
        cited = {c for r in usable for b in r.bullets for c in b.citations}
        given = {c: texts[c] for c in cited if c in texts}
        prompt = self.p_brief
        system, user = prompt.render(topic=request.topic, nonce=self.nonce, stories=stories)
        messages = [{"role": "system", "content": system}, {"role": "user", "content": user}]
        schema = json_schema("BriefingPlan", sorted(given), [s["id"] for s in stories])
        try:
            content, complete = self._ask(prompt, messages, schema, {"plan": stories})
            if not complete:
                raise Unusable("the answer was cut off (finish_reason=length)")
            plan = self._parse(content, "BriefingPlan")
        except (OpenAIError, LLMError, Unusable) as exc:
            reason = _describe(exc)
            return (
                _lead_bullets(default_sections, request),
                default_sections,
                [],
                f"the briefing prompt failed ({reason}); "
                "sections are in story order and the summary is each top story's first bullet",
            )
        assert isinstance(plan, BriefingPlan)
        summary, bad = checker.screen(plan.summary, given, request.summary_lines)
        dropped = [Dropped(text=b.text, citations=b.citations, reason=why) for b, why in bad]
        by_id = {s.story_id: s for s in default_sections}
        sections: list[Section] = []
        for sec in plan.sections:
            base = by_id.pop(sec.story_id, None)
            if base is None:
                continue
            title = " ".join(sec.title.split())
            ok = checker.check_title(title, [c for b in base.bullets for c in b.citations], texts)
            sections.append(base.model_copy(update={"title": title if ok else base.title}))
        sections += list(by_id.values())  # stories the plan forgot keep their place at the end
        return summary or _lead_bullets(sections, request), sections, dropped, None

    # ------------------------------------------------------------ the interface

    def execute(self, request: SummaryRequest) -> Draft:
        limit = request.max_sections + request.also_reported
        stories = list(request.stories[:limit])
        texts = {m.id: m.text for s in stories for it in s.items for m in it.members}
        plan: Plan | None = None
        if self.settings.batch_stories:
            results, plan = self._packed(stories, request)
        else:
            with ThreadPoolExecutor(max_workers=self.settings.concurrency) as pool:
                results = list(pool.map(lambda s: self._story_safe(s, request), stories))
        failed = [r for r in results if r.fallback]
        if failed and len(failed) == len(results):
            raise LLMError(failed[0].fallback or "every call failed")
        if plan is None:
            plan = self._plan(results, request, texts)
        summary, sections, dropped, plan_notice = plan
        notices = []
        if failed:
            notices.append(
                f"{len(failed)} of {len(results)} stories were summarised by the "
                f"extractive summariser because the LLM failed ({failed[0].fallback})"
            )
        if plan_notice:
            notices.append(plan_notice)
        if len(request.stories) > limit:
            notices.append(f"{len(request.stories) - limit} smaller stories were left out")
        draft = Draft(
            summary=summary,
            sections=sections,
            backend=self.name,
            model=self.model,
            prompts=list(self.ledger.prompts.values()),
            usage=self.ledger.usage,
            dropped=[d for r in results for d in r.dropped] + dropped,
            notice="; ".join(notices) or None,
        )
        draft.degraded = bool(failed or plan_notice)
        draft.tokens_estimate = self.ledger.tokens_estimate
        return draft


def _unalias(bullets: Sequence[Bullet], real: dict[str, str]) -> None:
    """A packed call's aliases (E1, E2, …) -> the canonical entry ids they stand for."""
    for b in bullets:
        b.citations = list(dict.fromkeys(real[a] for a in b.citations))


def _name_copies(bullets: list[Bullet], items: Sequence[Item]) -> list[Bullet]:
    """A citation of a merged item names every copy of it, canonical first."""
    copies = {it.canonical.id: it.entry_ids for it in items}
    for b in bullets:
        b.citations = list(dict.fromkeys(x for c in b.citations for x in copies.get(c, (c,))))
    return bullets


def _lead_bullets(sections: list[Section], request: SummaryRequest) -> list[Bullet]:
    """When no summary line passed the check: the top sections' first (checked) bullets."""
    return [s.bullets[0] for s in sections[: request.summary_lines] if s.bullets]


def _limit(story: Story, request: SummaryRequest) -> int:
    return min(request.max_bullets, 1 + len(story.items) // 2)


def _extractive(
    story: Story, request: SummaryRequest, reason: str, dropped: list[Dropped]
) -> StoryResult:
    one = ExtractiveSummariser().execute(
        SummaryRequest(
            request.topic,
            (story,),
            max_sections=1,
            max_bullets=request.max_bullets,
            summary_lines=0,
        )
    )
    bullets = [b for s in one.sections for b in s.bullets]
    return StoryResult(story, bullets, dropped, fallback=reason)


def _problems(bad: Sequence[tuple[_BulletOut, str]]) -> list[str]:
    return [f'"{b.text}" (citations {", ".join(b.citations) or "none"}): {why}' for b, why in bad]


def _dropped(
    bad: Sequence[tuple[_BulletOut, str]], real: dict[str, str] | None = None
) -> list[Dropped]:
    real = real or {}
    return [
        Dropped(text=b.text, citations=[real.get(c, c) for c in b.citations], reason=why)
        for b, why in bad
    ]


def _describe(exc: BaseException) -> str:
    name = type(exc).__name__
    text = str(exc).splitlines()[0][:200] if str(exc) else ""
    return f"{name}: {text}" if text else name
