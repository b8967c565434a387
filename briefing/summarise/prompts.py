"""Versioned prompt files: `prompts/<name>/v<N>.md`, TOML front matter between `+++` lines,
then a `### system` and a `### user` section, both Jinja templates.

Loaded into a strict model (unknown front-matter keys are errors), rendered in a sandboxed
Jinja environment where every variable the template uses must be given. The file's SHA-256 is
recorded with every briefing that used it.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from jinja2 import meta
from jinja2.sandbox import ImmutableSandboxedEnvironment
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ..contract import PromptRef
from ..errors import ConfigError, RenderError
from ..render import package_dir

_FRONT = re.compile(r"\A\+\+\+\n(?P<front>.*?)\n\+\+\+\n(?P<body>.*)\Z", re.S)
_SECTION = re.compile(r"^### (system|user)[ \t]*\n", re.M)
_FILE = re.compile(r"^v(\d+)\.md$")


class FrontMatter(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    name: str
    version: int = Field(ge=1)
    description: str
    schema_name: str = Field(alias="schema")
    temperature: float = Field(default=0.2, ge=0, le=2)


@dataclass(frozen=True, slots=True)
class Prompt:
    meta: FrontMatter
    system: str
    user: str
    sha256: str
    path: Path

    @property
    def ref(self) -> PromptRef:
        return PromptRef(name=self.meta.name, version=self.meta.version, sha256=self.sha256)

    def variables(self) -> set[str]:
        env = _env()
        return meta.find_undeclared_variables(
            env.parse(self.system)
        ) | meta.find_undeclared_variables(env.parse(self.user))

    def render(self, **variables: Any) -> tuple[str, str]:
        """(system, user). A variable the template uses but was not given is an error."""
        missing = self.variables() - set(variables)
        if missing:
            raise RenderError(f"prompt {self.meta.name} v{self.meta.version}: missing variables "
                              + ", ".join(sorted(missing)))  # fmt: skip
        env = _env()
        try:
            return (env.from_string(self.system).render(**variables).strip(),
                    env.from_string(self.user).render(**variables).strip())  # fmt: skip
        except jinja2.TemplateError as exc:
            raise RenderError(f"prompt {self.meta.name} v{self.meta.version}: {exc}") from exc


@lru_cache(maxsize=1)
def _env() -> ImmutableSandboxedEnvironment:
    return ImmutableSandboxedEnvironment(
        undefined=jinja2.StrictUndefined, autoescape=False, trim_blocks=True, lstrip_blocks=True
    )


def parse_prompt(path: Path) -> Prompt:
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    m = _FRONT.match(text)
    if not m:
        raise ConfigError(f"{path}: a prompt starts with +++ TOML front matter +++")
    try:
        front = FrontMatter.model_validate(tomllib.loads(m["front"]))
    except (tomllib.TOMLDecodeError, ValidationError) as exc:
        raise ConfigError(f"{path}: invalid front matter: {exc}") from None
    fm = _FILE.match(path.name)
    if fm is None or int(fm.group(1)) != front.version or path.parent.name != front.name:
        raise ConfigError(f"{path}: name/version must match its folder and file (name/vN.md)")
    parts = _SECTION.split(m["body"])
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    if set(sections) != {"system", "user"}:
        raise ConfigError(f"{path}: needs exactly one '### system' and one '### user' section")
    for name, body in sections.items():
        try:
            _env().parse(body)
        except jinja2.TemplateSyntaxError as exc:
            raise ConfigError(f"{path}: {name} template: {exc}") from None
    return Prompt(
        front, sections["system"], sections["user"], hashlib.sha256(raw).hexdigest(), path
    )


def prompts_dir() -> Path:
    return package_dir("prompts")


def available(root: Path | None = None) -> dict[str, list[int]]:
    root = root or prompts_dir()
    out: dict[str, list[int]] = {}
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        versions = sorted(int(m.group(1)) for f in folder.iterdir() if (m := _FILE.match(f.name)))
        if versions:
            out[folder.name] = versions
    return out


def load(name: str, version: int | None = None, root: Path | None = None) -> Prompt:
    """A prompt by name; the newest version unless one is asked for."""
    root = root or prompts_dir()
    versions = available(root).get(name)
    if not versions:
        raise ConfigError(f"no prompt named {name!r} in {root}")
    v = version or versions[-1]
    if v not in versions:
        raise ConfigError(f"prompt {name} has no version {v} (has {', '.join(map(str, versions))})")
    return parse_prompt(root / name / f"v{v}.md")


def parse_selector(text: str) -> tuple[str, int | None]:
    """NAME or NAME@VERSION (VERSION may be written vN)."""
    name, _, ver = text.partition("@")
    if not ver:
        return name, None
    try:
        return name, int(ver.lstrip("v"))
    except ValueError:
        raise ConfigError(f"{text!r}: use NAME@VERSION, e.g. story_bullets@1") from None
