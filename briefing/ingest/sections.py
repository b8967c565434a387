"""A report's sections: its feed item's categories (RSS <category>, Atom term/label) or a JSON
article's category/section fields, one line each, bounded in number and length; what a topic's
`exclude_sections` is matched against (`pipeline/relevance.py`)."""

from __future__ import annotations

from typing import Any

from ..text import scrub_line

MAX_CATEGORIES, MAX_CATEGORY_CHARS = 20, 200  # a feed item's categories kept, and their length


def feed_categories(tags: Any) -> tuple[str, ...]:
    """A feed item's categories (feedparser's tags: term, and an Atom label), one line each."""
    out: dict[str, None] = {}
    for t in tags if isinstance(tags, list) else ():
        for key in ("term", "label"):
            raw = t.get(key) if isinstance(t, dict) else None
            v = scrub_line(raw) if isinstance(raw, str) else None
            if v and len(out) < MAX_CATEGORIES:
                out.setdefault(v[:MAX_CATEGORY_CHARS], None)
    return tuple(out)


def json_sections(item: dict[str, Any]) -> tuple[str, ...]:
    """An article's "category"/"section" (a string) or "categories" (a list of strings)."""
    many = item.get("categories")
    raw = [item.get("category"), item.get("section"), *(many if isinstance(many, list) else ())]
    return feed_categories([{"term": v} for v in raw if isinstance(v, str)])
