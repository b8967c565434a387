"""(I/O) `briefing doctor`: is everything a run needs in place? Each check is a line: what was
looked at, what was found, and for a failure the fix. Network checks have a 3 s limit."""

from __future__ import annotations

import contextlib
import os
import shutil
import smtplib
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..config import Settings, config_file, toml_line, user_config_file

LIMIT = 3.0  # seconds for each network check


@dataclass(frozen=True, slots=True)
class Finding:
    ok: bool
    what: str
    found: str
    fix: str = ""


def _size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) if folder.is_dir() else 0


def origins(settings: Settings, flags: dict[str, Any]) -> dict[str, str]:
    """Where each setting that is not a default came from: flag, environment or file."""
    import tomllib

    file_keys: set[str] = set()
    path = settings._file
    if path is not None:
        with contextlib.suppress(OSError, ValueError):  # it loaded once; a race is not ours
            file_keys = set(tomllib.loads(path.read_text(encoding="utf-8")))
    out = {}
    for name in Settings.model_fields:
        if flags.get(name) is not None:
            out[name] = "flag"
        elif env := Settings.env_var(name):
            out[name] = f"environment ({env})"
        elif name in file_keys and path is not None:
            line = toml_line(path, (name,))
            out[name] = f"file ({path}{f' line {line}' if line else ''})"
    return out


def check_files(settings: Settings, explicit: Path | None) -> Iterator[Finding]:
    used = config_file(explicit)
    user = user_config_file()
    yield Finding(True, "settings file", str(used) if used else
                  f"none (looked for ./briefing.toml and {user})")  # fmt: skip
    state = settings.state_path()
    if state.exists() and not os.access(state, os.W_OK):
        yield Finding(False, "state folder", f"{state} is not writable",
                      "make it writable, or set state_dir / --state to another folder")  # fmt: skip
    else:
        mb = _size(state) / 1e6
        yield Finding(True, "state folder", f"{state} ({mb:.1f} MB)" if state.exists()
                      else f"{state} (not created yet)")  # fmt: skip


def check_paths(settings: Settings) -> Iterator[Finding]:
    """Every file or folder a setting names exists (a run would stop on it)."""
    from ..config import missing_paths
    from ..errors import BriefingError
    from ..summarise import load

    for key, path in missing_paths(settings):
        fix = "fix the path (relative to the settings file) or remove the setting"
        yield Finding(False, key, f"{settings.origin(key)}: {path}: not found", fix)
    for tid, cfg in settings.topics.items():
        if cfg.boilerplate is not None and not cfg.boilerplate.is_file():
            yield Finding(False, f"topic {tid}", f"boilerplate {cfg.boilerplate}: not found",
                          "fix the path (relative to the settings file)")  # fmt: skip
    for name, version in settings.prompt_versions.items():
        try:
            load(name, version)
        except BriefingError as exc:
            fix = "use a version that `briefing prompts list` shows"
            yield Finding(False, "prompt_versions", str(exc), fix)


def check_llm(settings: Settings, offline: bool = False) -> Iterator[Finding]:
    from ..errors import ConfigError

    try:
        configured = settings.llm_configured
    except ConfigError as exc:  # an api_key_file that cannot be read
        yield Finding(False, "LLM", str(exc), "fix api_key_file (relative to the settings file)")
        return
    if settings.llm == "openai" and not configured:
        yield Finding(False, "LLM", f"llm = openai ({settings.origin('llm')}) but no API key "
                      "or server is set", "set base_url, or an API key (OPENAI_API_KEY, "
                      "BRIEFING_API_KEY or api_key_file), or llm = \"extractive\"")  # fmt: skip
        return
    if settings.llm == "extractive" or not configured:
        yield Finding(True, "LLM", "not used: the offline extractive summariser writes briefings")
        return
    if offline:
        yield Finding(True, "LLM", f"{settings.base_url or 'OpenAI'}: not checked (--offline)")
        return
    import httpx

    base = (settings.base_url or "https://api.openai.com/v1").rstrip("/")
    headers = {"Authorization": f"Bearer {settings.secret_key() or 'none'}"}
    try:
        r = httpx.get(f"{base}/models", headers=headers, timeout=LIMIT)
    except httpx.HTTPError as exc:
        fix = "start the server, or fix base_url (e.g. http://127.0.0.1:11434/v1)"
        yield Finding(False, "LLM", f"{base} unreachable ({type(exc).__name__})", fix)
        return
    if r.status_code in (404, 501) and not base.endswith("/v1"):
        yield Finding(False, "LLM", f"{base}/models answered {r.status_code}",
                      f"base_url probably lacks /v1: try {base}/v1")  # fmt: skip
    elif r.status_code in (401, 403):
        yield Finding(False, "LLM", f"{base} refused the API key ({r.status_code})",
                      "set OPENAI_API_KEY / BRIEFING_API_KEY or api_key_file")  # fmt: skip
    elif r.status_code >= 400:
        yield Finding(False, "LLM", f"{base}/models answered {r.status_code}", "check the server")
    else:
        ids = [m.get("id") for m in r.json().get("data", [])] if "json" in r.headers.get(
            "content-type", "") else []  # fmt: skip
        has = not ids or settings.model in ids
        yield Finding(has, "LLM", f"{base} reachable; model {settings.model}"
                      + ("" if has else f" not served (has {', '.join(map(str, ids[:5]))})"),
                      "" if has else "set `model` to one the server serves")  # fmt: skip


def check_smtp(settings: Settings, offline: bool = False) -> Iterator[Finding]:
    if not settings.smtp_host:
        yield Finding(True, "SMTP", "not configured (set smtp_host to mail briefings)")
        return
    if offline:
        yield Finding(True, "SMTP", f"{settings.smtp_host}: not checked (--offline)")
        if not settings.mail_from:
            yield Finding(False, "SMTP sender", "mail_from is not set", "set mail_from")
        return
    port = settings.smtp_port or {"starttls": 587, "ssl": 465, "none": 25}[settings.smtp_security]
    where = f"{settings.smtp_host}:{port}"
    try:
        if settings.smtp_security == "ssl":
            with smtplib.SMTP_SSL(settings.smtp_host, port, timeout=LIMIT,
                                  context=ssl.create_default_context()) as s:  # fmt: skip
                s.ehlo()
            yield Finding(True, "SMTP", f"{where} reachable; speaks TLS from the start (ssl)")
            return
        with smtplib.SMTP(settings.smtp_host, port, timeout=LIMIT) as s:
            s.ehlo()
            starttls = s.has_extn("starttls")
    except (OSError, smtplib.SMTPException) as exc:
        why = "timed out" if isinstance(exc, socket.timeout) else str(exc) or type(exc).__name__
        fix = (
            "check smtp_host and smtp_port"
            if settings.smtp_security != "ssl"
            else 'port 465 speaks TLS from the start; for 587 use smtp_security = "starttls"'
        )
        yield Finding(False, "SMTP", f"{where}: {why}", fix)
        return
    if settings.smtp_security == "starttls" and not starttls:
        yield Finding(False, "SMTP", f"{where} reachable but offers no STARTTLS",
                      'set smtp_security = "none" (a local relay) or use its TLS port')  # fmt: skip
    else:
        speaks = "STARTTLS" if starttls else "plain SMTP, no STARTTLS"
        yield Finding(True, "SMTP", f"{where} reachable; speaks {speaks}")
    if not settings.mail_from:
        yield Finding(False, "SMTP sender", "mail_from is not set", "set mail_from")


def check_tools() -> Iterator[Finding]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    yield Finding(True, "Chromium", browser or "absent (only the archive's browser test uses it)")
    try:
        import pagefind  # noqa: F401

        yield Finding(True, "Pagefind", "installed: the archive has full-text search")
    except ImportError:
        yield Finding(False, "Pagefind", "not installed: the archive has no search",
                      "pip install 'pagefind[bin]'")  # fmt: skip


def check_sources(settings: Settings, offline: bool = False) -> Iterator[Finding]:
    from ..config import configured

    topics = configured(settings)
    if not topics:
        yield Finding(True, "topics", "none configured (see examples/briefing.toml)")
    for t in topics:
        if not t.sources:
            yield Finding(
                False, f"topic {t.id}", "has no sources", f"set sources in [topics.{t.id}]"
            )
        for src in t.sources:
            yield from _check_source(t.id, src, offline=offline)


def _check_source(
    topic: str, src: str, listed_in: str = "", offline: bool = False
) -> Iterator[Finding]:
    """One source: a URL answers, a path exists; an OPML list's feeds are each checked."""
    import httpx

    from ..errors import InputError
    from ..ingest import feeds_from_opml, looks_like_opml

    where = f" (in {listed_in})" if listed_in else ""
    data = b""
    if src.startswith(("http://", "https://")) and offline:
        yield Finding(True, f"topic {topic}", f"{src}{where}: not checked (--offline)")
    elif src.startswith(("http://", "https://")):
        try:
            r = httpx.get(src, timeout=LIMIT, follow_redirects=True)
            ok, found = r.status_code < 400, f"{src}{where}: HTTP {r.status_code}"
            data = r.content if ok and not listed_in else b""
        except httpx.HTTPError as exc:
            ok, found = False, f"{src}{where}: unreachable ({type(exc).__name__})"
        yield Finding(ok, f"topic {topic}", found, "" if ok else "check the URL")
    else:
        path = Path(src)
        ok = path.exists()
        fix = "" if ok else "fix the path (relative to the settings file)"
        yield Finding(ok, f"topic {topic}", f"{src}{'' if ok else ': not found'}", fix)
        if ok and path.suffix.lower() == ".opml":
            data = path.read_bytes()
    if data and looks_like_opml(data) and not listed_in:
        try:
            feeds = feeds_from_opml(data, src)
        except InputError as exc:
            yield Finding(False, f"topic {topic}", str(exc), "fix the OPML list")
            return
        for feed in feeds:
            yield from _check_source(topic, feed, listed_in=src, offline=offline)


def run_checks(settings: Settings, explicit: Path | None, offline: bool = False) -> list[Finding]:
    """Every check; `offline`: no network (LLM, SMTP and URLs are named, not contacted)."""
    return [
        *check_files(settings, explicit), *check_paths(settings), *check_llm(settings, offline),
        *check_smtp(settings, offline), *check_tools(), *check_sources(settings, offline),
    ]  # fmt: skip
