"""(I/O) The only network code: fetch URLs and feeds the user pointed at.

httpx with explicit timeouts, a redirect limit and a streamed size cap.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

import httpx

from .. import __version__
from ..clean import Rules, slug
from ..errors import InputError
from ..models import Loaded
from .parse import (
    DOC_ID_CHARS,
    decode,
    document_from_html,
    documents_from_feed,
    documents_from_json,
    feeds_from_opml,
    looks_like_feed,
    looks_like_opml,
)


@dataclass(frozen=True, slots=True)
class FetchOptions:
    timeout: float = 15.0
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    follow_feed_links: bool = True  # fetch an item's page when the feed carries only a teaser
    teaser_chars: int = 400
    max_feed_links: int = 50


def client(opts: FetchOptions) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(opts.timeout, connect=min(opts.timeout, 10.0)),
        follow_redirects=True,
        max_redirects=opts.max_redirects,
        headers={"User-Agent": f"briefing/{__version__} (+news digest)"},
    )


def fetch(http: httpx.Client, url: str, opts: FetchOptions) -> tuple[bytes, str, str]:
    """GET url -> (body, content type, final url). Streams, and stops at the size cap."""
    try:
        with http.stream("GET", url) as resp:
            if resp.status_code >= 400:
                raise InputError(url, f"HTTP {resp.status_code} {resp.reason_phrase}")
            declared = resp.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > opts.max_bytes:
                raise InputError(url, f"response is {int(declared):,} bytes, over the limit")
            chunks, size = [], 0
            for chunk in resp.iter_bytes():
                size += len(chunk)
                if size > opts.max_bytes:
                    raise InputError(url, f"response exceeds the {opts.max_bytes:,}-byte limit")
                chunks.append(chunk)
            return b"".join(chunks), resp.headers.get("content-type", ""), str(resp.url)
    except httpx.TooManyRedirects as exc:
        raise InputError(url, f"too many redirects (more than {opts.max_redirects})") from exc
    except httpx.TimeoutException as exc:
        raise InputError(url, f"timed out after {opts.timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise InputError(url, f"fetch failed: {exc}") from exc


def read_url(
    http: httpx.Client, url: str, rules: Rules, tz: ZoneInfo, opts: FetchOptions
) -> list[Loaded] | list[str]:
    """A page or a feed -> its documents; an OPML list -> the URLs of its feeds."""
    data, ctype, final = fetch(http, url, opts)
    ctype = ctype.lower()
    if looks_like_opml(data, ctype):
        return feeds_from_opml(data, url)
    doc_id = slug(final.split("://", 1)[-1], DOC_ID_CHARS)
    if "xml" in ctype or "rss" in ctype or "atom" in ctype or looks_like_feed(data):
        loaded = documents_from_feed(data, source=url, rules=rules, tz=tz, base_url=final)
        return _expand_teasers(http, loaded, rules, tz, opts) if opts.follow_feed_links else loaded
    if "json" in ctype:
        return documents_from_json(decode(data, url), stem=doc_id, source=url, rules=rules, tz=tz)
    return [
        document_from_html(
            decode(data, url), doc_id=doc_id, source=url, rules=rules, tz=tz, url=final
        )
    ]


def _expand_teasers(
    http: httpx.Client, loaded: list[Loaded], rules: Rules, tz: ZoneInfo, opts: FetchOptions
) -> list[Loaded]:
    """Replace teaser-only feed items by their full page, keeping the feed's date and title."""
    out = []
    for n, item in enumerate(loaded):
        doc = item.document
        if n >= opts.max_feed_links or not doc.url or len(doc.text) >= opts.teaser_chars:
            out.append(item)
            continue
        try:
            data, _, final = fetch(http, doc.url, opts)
            page = document_from_html(decode(data, doc.url), doc_id=doc.id, source=doc.url,
                                      rules=rules, tz=tz, url=final)  # fmt: skip
        except InputError as exc:
            item.problems.append(f"{exc} (kept the feed's teaser)")
            out.append(item)
            continue
        full = page.document
        keep_feed_date = doc.published is not None
        merged = replace(
            full,
            title=doc.title or full.title,
            published=doc.published if keep_feed_date else full.published,
            date_only=doc.date_only if keep_feed_date else full.date_only,
            publisher=doc.publisher or full.publisher,
        )
        out.append(Loaded(merged, problems=item.problems))
    return out
