"""What the model must answer: each prompt's output as a pydantic model, the strict JSON schema
sent with the call (citations and story ids are enums of what the model was given), and the
parse that turns an answer into its model or says why the answer cannot be used."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from ...text import scrub_line

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")

# What an answer may hold, whatever the model sends (OWASP LLM10, unbounded consumption).
# Text beyond these is cut before any check runs; the checker then refuses what is too long.
MAX_BULLET_CHARS = 1000  # a bullet (the checker allows 45 words)
MAX_TITLE_CHARS = 240  # a title (the checker allows 120 characters)
MAX_LIST = 20  # bullets in any one list (max_bullets is at most 20); more are not read
MAX_CITATIONS = 20  # citations of one bullet
MAX_STORIES = 60  # stories in one packed answer
MAX_ANSWER_CHARS = 200_000  # a whole answer; a longer one is unusable
# a whole HTTP response body, cut off while reading, and how deep its JSON may nest (an
# answer is about 8 deep): over either, or not UTF-8, the answer is unusable (re-asked once)
MAX_RESPONSE_BYTES = 2 * 1024 * 1024
MAX_RESPONSE_DEPTH = 32
DROPPED_CHARS = 300  # the text of a dropped bullet, as reported
# tokens an answer may take: a bullet is at most MAX_BULLET_CHARS / 4 tokens of text and
# about 40 of JSON and citations; a title some 20
BULLET_TOKENS = 120
TITLE_TOKENS = 25
MAX_CLAIMS = 12  # bullets one verify call judges
QUOTE_CHARS = 1000  # a verifier's quote (one sentence)
REASON_CHARS = 300  # a verifier's reason
# tokens a verdict may take: a quoted sentence (up to ~80), a reason (~30) and the JSON
VERDICT_TOKENS = 160


def answer_tokens(bullets: int, titles: int = 0) -> int:
    """`max_tokens` for an answer of that many bullets and titles, with room to spare."""
    return 64 + bullets * BULLET_TOKENS + titles * TITLE_TOKENS


def clip(text: str, most: int) -> str:
    return text if len(text) <= most else text[: most - 1].rstrip() + "…"


class Unusable(Exception):
    """The model's answer could not be used."""


def _line(v: object, most: int) -> object:
    """Model text is untrusted: scrubbed of control, bidi-override and zero-width characters,
    on one line, cut to `most` characters."""
    return clip(scrub_line(v) or "", most) if isinstance(v, str) else v


def _first(v: object, most: int) -> object:
    return v[:most] if isinstance(v, list) else v


class BulletOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    citations: list[str]

    _text = field_validator("text", mode="before")(
        classmethod(lambda cls, v: _line(v, MAX_BULLET_CHARS))
    )
    _cites = field_validator("citations", mode="before")(
        classmethod(lambda cls, v: _first(v, MAX_CITATIONS))
    )


def _bullets(v: object) -> object:
    return _first(v, MAX_LIST)


class StoryBullets(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bullets: list[BulletOut]

    _cap = field_validator("bullets", mode="before")(classmethod(lambda cls, v: _bullets(v)))


class SectionOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    story_id: str
    title: str

    _title = field_validator("title", mode="before")(
        classmethod(lambda cls, v: _line(v, MAX_TITLE_CHARS))
    )


class BriefingPlan(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: list[BulletOut]
    sections: list[SectionOut]

    _cap = field_validator("summary", mode="before")(classmethod(lambda cls, v: _bullets(v)))
    _secs = field_validator("sections", mode="before")(
        classmethod(lambda cls, v: _first(v, MAX_STORIES))
    )


class StoryOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    story_id: str
    title: str = ""
    bullets: list[BulletOut]

    _title = field_validator("title", mode="before")(
        classmethod(lambda cls, v: _line(v, MAX_TITLE_CHARS))
    )
    _cap = field_validator("bullets", mode="before")(classmethod(lambda cls, v: _bullets(v)))


class StoryBatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    stories: list[StoryOut]
    summary: list[BulletOut] = []

    _stories = field_validator("stories", mode="before")(
        classmethod(lambda cls, v: _first(v, MAX_STORIES))
    )
    _cap = field_validator("summary", mode="before")(classmethod(lambda cls, v: _bullets(v)))


class VerdictOut(BaseModel):
    """The verifier on one claim: is it supported, by which sentence (quoted), and why."""

    model_config = ConfigDict(extra="ignore")
    claim: str
    quote: str = ""
    verdict: Literal["supported", "unsupported"]
    reason: str = ""

    _quote = field_validator("quote", mode="before")(
        classmethod(lambda cls, v: _line(v, QUOTE_CHARS))
    )
    _reason = field_validator("reason", mode="before")(
        classmethod(lambda cls, v: _line(v, REASON_CHARS))
    )
    _verdict = field_validator("verdict", mode="before")(
        classmethod(lambda cls, v: v.strip().lower() if isinstance(v, str) else v)
    )


class Verdicts(BaseModel):
    model_config = ConfigDict(extra="ignore")
    verdicts: list[VerdictOut]

    _cap = field_validator("verdicts", mode="before")(
        classmethod(lambda cls, v: _first(v, MAX_CLAIMS))
    )


SCHEMAS: dict[str, type[BaseModel]] = {
    "StoryBullets": StoryBullets,
    "BriefingPlan": BriefingPlan,
    "StoryBatch": StoryBatch,
    "Verdicts": Verdicts,
}


def _obj(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": props,
        "required": list(props),
        "additionalProperties": False,
    }


def json_schema(
    name: str, ids: Sequence[str], story_ids: Sequence[str] = (), summary: bool = True,
    max_bullets: int = MAX_LIST,
) -> dict[str, Any]:  # fmt: skip
    """A strict JSON schema; citations (and story ids) are enums of what the model was given;
    a list of bullets holds at most `max_bullets`."""
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
    bullets = {"type": "array", "items": bullet, "maxItems": min(max_bullets, MAX_LIST)}
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


def verdicts_schema(claims: Sequence[str]) -> dict[str, Any]:
    """A strict JSON schema for the verify prompt: one verdict per claim id it was given."""
    verdict = _obj({
        "claim": {"type": "string", "enum": list(claims)},
        "quote": {"type": "string"},
        "verdict": {"type": "string", "enum": ["supported", "unsupported"]},
        "reason": {"type": "string"},
    })  # fmt: skip
    return _obj({"verdicts": {"type": "array", "items": verdict, "maxItems": len(claims)}})


def parse(content: str, schema_name: str) -> BaseModel:
    """The answer as its schema's model (a fenced answer is tolerated), or Unusable."""
    text = content.strip()
    if len(text) > MAX_ANSWER_CHARS:
        raise Unusable(f"the answer is {len(text):,} characters long, far more than asked")
    if text.startswith("```"):
        text = _FENCE.sub("", text)
    try:
        return SCHEMAS[schema_name].model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise Unusable(f"not valid JSON of the required shape ({where}: {first['msg']})") from None
