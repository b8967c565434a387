from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import load_settings
from briefing.errors import ConfigError, RenderError
from briefing.summarise import available, load, parse_selector
from briefing.summarise.prompts import parse_prompt

GOOD = """+++
name = "demo"
version = 2
description = "d"
schema = "StoryBullets"
temperature = 0.3
+++
### system
Hello {{ topic }}.
### user
{% for e in entries %}{{ e.id }}{% endfor %}
"""


def write(root: Path, text: str, name: str = "demo", version: int = 2) -> Path:
    (root / name).mkdir(parents=True, exist_ok=True)
    p = root / name / f"v{version}.md"
    p.write_text(text)
    return p


def test_packaged_prompts_load_and_declare_their_variables() -> None:
    assert available() == {
        "briefing": [1, 2],
        "story_batch": [1, 2],
        "story_bullets": [1, 2],
        "story_merge": [1],
        "verify": [1],
    }
    assert load("story_batch").variables() == {"topic", "summary_lines", "stories"}
    p = load("story_bullets")
    assert p.meta.schema_name == "StoryBullets" and len(p.sha256) == 64
    assert p.variables() == {"topic", "nonce", "max_bullets", "story_title", "entries"}
    assert load("briefing").variables() == {"topic", "nonce", "stories"}
    assert load("verify").variables() == {"entries", "claims"}


def test_strict_front_matter_and_layout(tmp_path: Path) -> None:
    p = parse_prompt(write(tmp_path, GOOD))
    assert (p.meta.version, p.meta.temperature) == (2, 0.3)
    with pytest.raises(ConfigError, match="invalid front matter"):
        parse_prompt(
            write(tmp_path, GOOD.replace("temperature = 0.3", 'temperature = 0.3\ncolour = "red"'))
        )
    with pytest.raises(ConfigError, match="must match"):
        parse_prompt(write(tmp_path, GOOD, version=3))
    with pytest.raises(ConfigError, match="### system"):
        parse_prompt(write(tmp_path, GOOD.replace("### user", "### usr")))
    with pytest.raises(ConfigError, match="template"):
        parse_prompt(write(tmp_path, GOOD.replace("{% endfor %}", "")))


def test_missing_variables_are_errors(tmp_path: Path) -> None:
    p = parse_prompt(write(tmp_path, GOOD))
    with pytest.raises(RenderError, match="missing variables entries"):
        p.render(topic="x")
    system, user = p.render(topic="x", entries=[{"id": "e1"}])
    assert (system, user) == ("Hello x.", "e1")


def test_sandbox_blocks_escapes(tmp_path: Path) -> None:
    evil = GOOD.replace("Hello {{ topic }}.", "{{ topic.__class__.__mro__[1].__subclasses__() }}")
    p = parse_prompt(write(tmp_path, evil))
    with pytest.raises(RenderError):
        p.render(topic="x", entries=[])


def test_selectors_and_versions() -> None:
    assert parse_selector("story_bullets@v1") == ("story_bullets", 1)
    assert parse_selector("briefing") == ("briefing", None)
    with pytest.raises(ConfigError):
        parse_selector("briefing@latest")
    with pytest.raises(ConfigError, match="no version 7"):
        load("briefing", 7)
    with pytest.raises(ConfigError, match="no prompt named"):
        load("nope")


def test_prompts_cli() -> None:
    r = CliRunner().invoke(app, ["prompts", "list"])
    assert r.exit_code == 0 and "story_bullets@1" in r.stdout
    r = CliRunner().invoke(app, ["prompts", "show", "briefing@1"])
    assert r.exit_code == 0 and "sha256=" in r.stdout and "### system" in r.stdout
    assert CliRunner().invoke(app, ["prompts", "show", "nope"]).exit_code == 2


def test_settings_layers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for k in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "BRIEFING_MODEL", "BRIEFING_CONFIG"):
        monkeypatch.delenv(k, raising=False)
    monkeypatch.chdir(tmp_path)
    cfg = tmp_path / "briefing.toml"
    cfg.write_text('model = "from-toml"\nconcurrency = 2\n[prompt_versions]\nbriefing = 1\n')
    s = load_settings()
    assert (s.model, s.concurrency, s.prompt_versions) == ("from-toml", 2, {"briefing": 1})
    assert not s.llm_configured
    monkeypatch.setenv("BRIEFING_MODEL", "from-env")
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/v1")
    s = load_settings()
    assert s.model == "from-env" and s.base_url == "http://127.0.0.1:1/v1" and s.llm_configured
    assert load_settings(model="from-flag").model == "from-flag"
    cfg.write_text('modle = "typo"\n')
    with pytest.raises(ConfigError, match="modle"):
        load_settings()
    cfg.write_text("concurrency = 0\n")
    with pytest.raises(ConfigError, match="concurrency"):
        load_settings()


def test_api_key_file_and_secret_never_in_repr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    key = tmp_path / "key"
    key.write_text("sk-secret\n")
    s = load_settings(api_key_file=key)
    assert s.secret_key() == "sk-secret" and s.llm_configured
    monkeypatch.setenv("OPENAI_API_KEY", "sk-env")
    s = load_settings()
    assert s.secret_key() == "sk-env" and "sk-env" not in repr(s)
