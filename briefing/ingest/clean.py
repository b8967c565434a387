"""Boilerplate removal, then normalisation (`text.normalise`). Pure: strings in, strings out.

The rules are data (`data/boilerplate.toml`); this module only loads and applies them. The
packaged rules are Python regexes, each written to run in linear time (a test times them on
adversarial text). Rules a user adds (`--boilerplate`) are compiled with RE2, whose matching
is linear in the text whatever the pattern, so no rule file can make a run take minutes;
RE2 has no lookaround, backreferences or atomic groups, and such a rule is refused with the
reason.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from ..errors import ConfigError
from ..text import normalise

_FLAG_NAMES = {"IGNORECASE": re.I, "MULTILINE": re.M, "DOTALL": re.S, "VERBOSE": re.X}
_RE2_FLAGS = {"IGNORECASE": "i", "MULTILINE": "m", "DOTALL": "s"}  # RE2 has no VERBOSE


class Pattern(Protocol):
    """What a rule needs of a compiled pattern: Python's `re` and RE2 both have it."""

    def sub(self, repl: str, string: str) -> str: ...

    def search(self, string: str) -> Any: ...


@dataclass(frozen=True, slots=True)
class Rule:
    name: str
    pattern: Pattern
    needle: str | None = None  # lowercase text that must occur for the rule to be tried


@dataclass(frozen=True, slots=True)
class Publisher:
    name: str
    detect: tuple[Pattern, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True, slots=True)
class Rules:
    generic: tuple[Rule, ...]
    publishers: tuple[Publisher, ...]

    def merged(self, other: Rules) -> Rules:
        return Rules(self.generic + other.generic, self.publishers + other.publishers)


def _compile(pattern: str, flags: list[str], linear: bool) -> Pattern:
    """Python's `re`, or with `linear` RE2 (flags written inline, as RE2 takes them)."""
    if not linear:
        bits = 0
        for f in flags:
            bits |= _FLAG_NAMES[f]
        return re.compile(pattern, bits)
    import re2

    if "VERBOSE" in flags:
        raise ValueError("VERBOSE is not available for added rules; write the pattern plainly")
    inline = "".join(_RE2_FLAGS[f] for f in flags)
    options = re2.Options()
    options.log_errors = False
    try:
        compiled: Pattern = re2.compile(f"(?{inline}){pattern}" if inline else pattern, options)
        return compiled
    except re2.error as exc:
        why = exc.args[0] if exc.args else exc
        why = why.decode(errors="replace") if isinstance(why, bytes) else why
        raise ValueError(f"{why} (added rules run on RE2, in linear time: no lookaround, "
                         "backreferences or atomic groups)") from None  # fmt: skip


def _rule(raw: dict[str, object], where: str, linear: bool) -> Rule:
    try:
        name = str(raw["name"])
        flags = [str(f) for f in raw.get("flags", [])]  # type: ignore[attr-defined]
        needle = raw.get("needle")
        return Rule(name, _compile(str(raw["pattern"]), flags, linear),
                    str(needle).lower() if needle else None)  # fmt: skip
    except (KeyError, ValueError, re.error) as exc:
        raise ConfigError(f"boilerplate rule in {where} is invalid: {exc}") from exc


def parse_rules(text: str, where: str = "<rules>", *, linear: bool = True) -> Rules:
    """Rules from TOML. `linear` (the default, for rules a user gives): compiled with RE2."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: {exc}") from exc
    generic = tuple(_rule(r, where, linear) for r in data.get("generic", []))
    pubs = []
    for p in data.get("publisher", []):
        try:
            detect = tuple(_compile(d, ["IGNORECASE"], linear) for d in p.get("detect", []))
        except (ValueError, re.error) as exc:
            raise ConfigError(f"{where}: bad detect pattern: {exc}") from exc
        rules = tuple(_rule(r, where, linear) for r in p.get("rules", []))
        pubs.append(Publisher(str(p["name"]), detect, rules))
    return Rules(generic, tuple(pubs))


@lru_cache(maxsize=1)
def default_rules() -> Rules:
    """The packaged rules: Python regexes, each linear (tests/robustness/test_regex_cost.py)."""
    text = resources.files("briefing").joinpath("data/boilerplate.toml").read_text("utf-8")
    return parse_rules(text, "boilerplate.toml", linear=False)


def load_rules(extra: Path | None = None) -> Rules:
    rules = default_rules()
    if extra is not None:
        try:
            rules = rules.merged(parse_rules(extra.read_text("utf-8"), str(extra)))
        except OSError as exc:
            raise ConfigError(f"cannot read boilerplate rules {extra}: {exc}") from exc
    return rules


DETECT_CHARS = 20_000


def detect_publisher(raw: str, rules: Rules, hint: str | None = None) -> str | None:
    if hint:
        return hint
    # publishers announce themselves at the top or the bottom of a page
    sample = (
        raw if len(raw) <= DETECT_CHARS * 2 else raw[:DETECT_CHARS] + "\n" + raw[-DETECT_CHARS:]
    )
    for p in rules.publishers:
        if any(d.search(sample) for d in p.detect):
            return p.name
    return None


def safe_url(url: str | None) -> str | None:
    """An http(s) URL with a host and nothing that could break out of a link in any output
    (whitespace, controls, quotes, angle brackets); None otherwise."""
    from urllib.parse import urlsplit

    if not url:
        return None
    url = url.strip()
    if not url.isprintable() or any(c in url for c in ' <>"\'`'):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme in ("http", "https") and parts.hostname else None


def strip_boilerplate(text: str, rules: Rules, publisher: str | None) -> str:
    pub_rules: tuple[Rule, ...] = ()
    for p in rules.publishers:
        if p.name == publisher:
            pub_rules = p.rules
    lowered = text.lower()
    for rule in (*pub_rules, *rules.generic):
        if rule.needle is None or rule.needle in lowered:  # a cheap test before the regex
            text = rule.pattern.sub("", text)
    return text


def clean(text: str, rules: Rules | None = None, publisher: str | None = None) -> str:
    """Remove boilerplate, then normalise. Idempotent: clean(clean(x)) == clean(x)."""
    rules = rules or default_rules()
    text = normalise(text)
    # A rule may expose another (a sign-up line left alone on its paragraph): repeat until
    # nothing changes (at most three passes).
    for _ in range(3):
        stripped = strip_boilerplate(text, rules, publisher)
        if stripped == text:
            break
        text = normalise(stripped)
    return text
