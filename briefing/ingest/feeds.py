"""Feeds (RSS, Atom) into documents: one per item, with its date, link, author and categories.

A feed of FAST_FEED_BYTES or more is read by the streaming reader in `feedxml.py` when it can
(well-formed RSS 2.0 or Atom, no DTD); every other feed, and any the streaming reader declines,
by feedparser, leniently. Both give items in feedparser's shape, read by the one loop below.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import InputError
from ..models import Loaded
from ..text import slug
from .clean import Rules
from .dates import in_range
from .feedxml import FAST_FEED_BYTES, read_feed
from .parse import DOC_ID_CHARS, document_from_text, html_fragment_to_text
from .sections import feed_categories
from .teasers import is_cut


def feed_items(
    data: bytes, source: str, base_url: str | None = None, fast_from: int = FAST_FEED_BYTES
) -> tuple[str | None, list[dict[str, Any]], list[str]]:
    """(the feed's title, its items, problems): by the streaming reader for a big feed, by
    feedparser otherwise or when the streaming reader does not take the feed."""
    if len(data) >= fast_from and (got := read_feed(data)) is not None and got[1]:
        title, items = got
        return title, items, []
    import feedparser

    headers = {"content-location": base_url or "", "content-type": "application/xml"}
    parsed = feedparser.parse(data, response_headers=headers)
    if parsed.bozo and not parsed.entries:
        raise InputError(source, f"not a valid RSS/Atom feed: {parsed.get('bozo_exception')}")
    if not parsed.entries:
        raise InputError(source, "feed has no items")
    problems = []
    if parsed.bozo:
        problems.append(f"{source}: not a valid RSS/Atom feed ({parsed.get('bozo_exception')}); "
                        "read leniently")  # fmt: skip
    return parsed.feed.get("title"), parsed.entries, problems


def documents_from_feed(
    data: bytes,
    *,
    source: str,
    rules: Rules,
    tz: ZoneInfo,
    base_url: str | None = None,
    fast_from: int = FAST_FEED_BYTES,
) -> list[Loaded]:
    from urllib.parse import urljoin

    feed_title, items, problems = feed_items(data, source, base_url, fast_from)
    out: list[Loaded] = []
    for i, item in enumerate(items):
        link = item.get("link")
        if link and base_url:
            link = urljoin(base_url, link)
        when = None
        for key in ("published_parsed", "updated_parsed"):
            if item.get(key):
                y, mo, d, h, mi, sec = item[key][:6]
                when = datetime(y, mo, d, h, mi, sec, tzinfo=UTC)
                if not in_range(when):
                    problems.append(f"{link or source}: date {when:%Y-%m-%d} is out of range; "
                                    "read as undated")  # fmt: skip
                    when = None
                break
        body = ""
        if item.get("content"):
            body = max((c.get("value", "") for c in item["content"]), key=len)
        body = body or item.get("summary", "")
        text = html_fragment_to_text(body)
        stem = slug(item.get("title") or link or f"item-{i + 1}", DOC_ID_CHARS)
        try:
            loaded = document_from_text(
                text, doc_id=stem, source=link or f"{source}#{i + 1}", rules=rules, tz=tz,
                title=item.get("title"), publisher=feed_title, published=when, url=link,
                author=item.get("author"),
            )  # fmt: skip
        except InputError as exc:
            headline = _headline_only(item.get("title"), link, stem, rules, tz, feed_title, when)
            if headline is None:
                problems.append(str(exc))
                continue
            loaded = headline
        if is_cut(text, body, link):  # its page may replace it (`web.py`); if not, a teaser
            loaded.document = replace(loaded.document, teaser=True)
        if cats := feed_categories(item.get("tags")):  # RSS <category>, Atom <category term label>
            loaded.document = replace(loaded.document, sections=cats)
        out.append(loaded)
    if not out:
        raise InputError(source, "; ".join(problems) or "no usable feed items")
    out[0].problems.extend(problems)
    return out


def _headline_only(
    title: str | None,
    link: str | None,
    stem: str,
    rules: Rules,
    tz: ZoneInfo,
    publisher: str | None,
    when: datetime | None,
) -> Loaded | None:
    """A feed item with a headline and a link but no text of its own: a teaser of nothing
    but its headline, whose page is its text if it can be read. None without either."""
    if not (link and title and title.strip()):
        return None
    try:
        loaded = document_from_text(
            title,
            doc_id=stem,
            source=link,
            rules=rules,
            tz=tz,
            title=title,
            publisher=publisher,
            published=when,
            url=link,
        )
    except InputError:  # a headline that is all boilerplate
        return None
    loaded.document = replace(loaded.document, text="", teaser=True, raw_text=f"{title}\n{link}")
    return loaded


def looks_like_feed(data: bytes) -> bool:
    head = data[:2048].lstrip().lower()
    return (
        head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head or b"<rdf" in head)
    ) or head.startswith((b"<rss", b"<feed"))
