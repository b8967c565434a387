"""What the model must answer: each prompt's output as a pydantic model, the strict JSON schema
sent with the call (citations and story ids are enums of what the model was given), and the
parse that turns an answer into its model or says why the answer cannot be used."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

_FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


class Unusable(Exception):
    """The model's answer could not be used."""


class BulletOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    text: str
    citations: list[str]


class StoryBullets(BaseModel):
    model_config = ConfigDict(extra="ignore")
    bullets: list[BulletOut]


class SectionOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    story_id: str
    title: str


class BriefingPlan(BaseModel):
    model_config = ConfigDict(extra="ignore")
    summary: list[BulletOut]
    sections: list[SectionOut]


class StoryOut(BaseModel):
    model_config = ConfigDict(extra="ignore")
    story_id: str
    title: str = ""
    bullets: list[BulletOut]


class StoryBatch(BaseModel):
    model_config = ConfigDict(extra="ignore")
    stories: list[StoryOut]
    summary: list[BulletOut] = []


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


def parse(content: str, schema_name: str) -> BaseModel:
    """The answer as its schema's model (a fenced answer is tolerated), or Unusable."""
    text = content.strip()
    if text.startswith("```"):
        text = _FENCE.sub("", text)
    try:
        return SCHEMAS[schema_name].model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise Unusable(f"not valid JSON of the required shape ({where}: {first['msg']})") from None
