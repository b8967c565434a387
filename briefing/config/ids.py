"""Topic ids: the stable key of a topic in archive paths and state. Pure string functions;
a leaf module (settings, topics, the JSON contract and migrations all use it)."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from ..text import slug

ID_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,59}$")


def _latin(title: str) -> bool:
    """True when every letter of the title is a Latin letter (accents allowed)."""
    return all("LATIN" in unicodedata.name(c, "") for c in title if c.isalpha())


def topic_id(title: str, taken: frozenset[str] = frozenset()) -> str:
    """A stable id for a topic known only by its title: its slug, transliterated, plus a short
    hash of the title when the title is not in Latin script or the slug is taken."""
    from anyascii import anyascii

    base = slug(anyascii(title), limit=48, fallback="topic")
    if _latin(title) and base not in taken:
        return base
    return f"{base}-{hashlib.sha256(title.strip().casefold().encode()).hexdigest()[:6]}"


def validate_key(key: str) -> str:
    if not ID_PATTERN.match(key):
        raise ValueError(
            f"topic key {key!r} must be lowercase ASCII letters, digits and dashes "
            "(it is the topic's stable id in paths and state)"
        )
    return key
