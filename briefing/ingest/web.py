"""(I/O) The only network code: fetch URLs and feeds the user pointed at.

httpx with a whole-fetch deadline that a slow server cannot stretch (`net.py`), a
redirect limit, a streamed size cap, and an address policy: what the user typed may be local;
links found in feeds and redirects to other hosts may reach public addresses only.
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo

from .. import __version__
from ..errors import InputError
from ..models import Document, Loaded, Window
from ..text import slug
from .clean import Rules
from .feeds import documents_from_feed, looks_like_feed
from .parse import (
    DOC_ID_CHARS,
    decode,
    document_from_html,
    documents_from_json,
    feeds_from_opml,
    looks_like_opml,
)
from .teasers import teaser_line

if TYPE_CHECKING:
    import httpx

    from ..config import Settings

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class FetchOptions:
    timeout: float = 15.0  # seconds for a whole fetch: connect, redirects and body
    max_bytes: int = 10 * 1024 * 1024
    max_redirects: int = 5
    follow_feed_links: bool = True  # fetch an item's page when the feed carries only a teaser
    teaser_chars: int = 400  # a feed item shorter than this, or cut, is a teaser
    max_feed_links: int = 50  # item pages fetched per feed, at most (in the window, on the topic)
    concurrency: int = 8  # a feed's item pages fetched at once
    allow_private: bool = False  # links found in feeds may reach private addresses
    list_depth: int = 1  # a list (OPML) inside a list the user gave is not followed
    list_max_feeds: int = 200  # feeds all lists of a run add, at most

    @classmethod
    def from_settings(cls, s: Settings) -> FetchOptions:
        """What the fetcher needs of the settings: its deadline, concurrency, address policy."""
        return cls(timeout=s.fetch_timeout, concurrency=s.fetch_concurrency,
                   allow_private=s.allow_private_addresses, list_depth=s.list_depth,
                   list_max_feeds=s.list_max_feeds, follow_feed_links=s.fetch_pages)  # fmt: skip


class Fetcher:
    """Two httpx clients: `typed` for the URLs the user gave (they may be on this machine or
    the local network), `found` for links found in feeds and redirects to other hosts, which
    may reach only public addresses (checked after DNS resolution, on the address used).
    Separate pools, so a connection opened for one is never reused for the other."""

    def __init__(self, opts: FetchOptions) -> None:
        self.opts = opts
        self.typed = self._client(allow_private=True)
        self.found = self.typed if opts.allow_private else self._client(allow_private=False)

    def _client(self, allow_private: bool) -> httpx.Client:
        import httpcore
        import httpx  # here, not at module level: a run of files never loads it (~0.3 s)

        from ..net import transport

        return httpx.Client(
            transport=transport(httpx, httpcore, allow_private),
            timeout=httpx.Timeout(self.opts.timeout, connect=min(self.opts.timeout, 10.0)),
            follow_redirects=False,  # followed by `fetch`, each hop judged on its own
            headers={"User-Agent": f"briefing/{__version__} (+news digest)"},
        )

    def close(self) -> None:
        self.typed.close()
        if self.found is not self.typed:
            self.found.close()


def client(opts: FetchOptions) -> Fetcher:
    return Fetcher(opts)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def fetch(http: Fetcher, url: str, opts: FetchOptions, *, typed: bool = True,
          run_ends: float | None = None) -> tuple[bytes, str, str]:  # fmt: skip
    """GET url -> (body, content type, final url), within `opts.timeout` seconds in all.

    `typed`: the user gave this URL, so it may be local; a redirect to another host, and
    every link found in a feed (`typed=False`), may reach public addresses only. Streams,
    and stops at the size cap."""
    import httpx

    from ..net import request_deadline
    from ..net import run_ends as current_run_ends

    run_ends = run_ends if run_ends is not None else current_run_ends()
    if run_ends is not None and time.monotonic() >= run_ends:
        raise InputError(url, "not fetched: the run's time limit (run_deadline) was reached")
    start = _origin(url)
    current = url
    try:
        with request_deadline(opts.timeout, run_ends):
            for _hop in range(opts.max_redirects + 1):
                trusted = typed and _origin(current) == start
                session = http.typed if trusted else http.found
                with session.stream("GET", current) as resp:
                    if resp.is_redirect and "location" in resp.headers:
                        nxt = urljoin(current, resp.headers["location"])
                        if urlsplit(nxt).scheme not in ("http", "https"):
                            raise InputError(url, f"redirected to a non-web URL: {nxt[:80]}")
                        current = nxt
                        continue
                    return _body(resp, url, opts)
    except httpx.TimeoutException as exc:
        raise InputError(url, f"timed out: no whole answer within {opts.timeout:g} s") from exc
    except httpx.HTTPError as exc:
        raise InputError(url, f"fetch failed: {exc}") from exc
    raise InputError(url, f"too many redirects (more than {opts.max_redirects})")


def _body(resp: httpx.Response, url: str, opts: FetchOptions) -> tuple[bytes, str, str]:
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


def read_url(
    http: Fetcher, url: str, rules: Rules, tz: ZoneInfo, opts: FetchOptions, *,
    typed: bool = True, scope: PageScope | None = None,
) -> list[Loaded] | list[str]:
    """A page or a feed -> its documents; an OPML list -> the URLs of its feeds.
    `typed=False`: the URL was found in a list, so it may reach public addresses only.
    `scope`: which of a feed's items' pages are fetched."""
    data, ctype, final = fetch(http, url, opts, typed=typed)
    ctype = ctype.lower()
    if looks_like_opml(data, ctype):
        return feeds_from_opml(data, url)
    doc_id = slug(final.split("://", 1)[-1], DOC_ID_CHARS)
    if "xml" in ctype or "rss" in ctype or "atom" in ctype or looks_like_feed(data):
        loaded = documents_from_feed(data, source=url, rules=rules, tz=tz, base_url=final)
        return _expand_teasers(http, loaded, rules, tz, opts, scope or PageScope(), url)
    if "json" in ctype:
        return documents_from_json(decode(data, url), stem=doc_id, source=url, rules=rules, tz=tz)
    return [
        document_from_html(
            decode(data, url), doc_id=doc_id, source=url, rules=rules, tz=tz, url=final
        )
    ]


@dataclass(frozen=True, slots=True)
class PageScope:
    """Which feed items' pages are worth a fetch: those dated inside the run's window (an
    undated one too: its page may date it) and on its topic (`on_topic`, the topic's include
    terms, on the item's headline and teaser). Others keep their feed text; they are counted."""

    window: Window | None = None
    on_topic: Callable[[str], bool] | None = None

    def skip(self, doc: Document) -> str | None:
        """Why this item's page is not fetched, or None when it is worth fetching."""
        if (self.window is not None and doc.published is not None
                and not self.window.covers(doc.published, doc.date_only)):  # fmt: skip
            return "outside the window"
        if self.on_topic is not None and not self.on_topic(f"{doc.title or ''}\n{doc.text}"):
            return "not on the topic"
        return None


def cut_in_scope(loaded: list[Loaded], scope: PageScope) -> int:
    """How many of these items are cut teasers that the run may brief (in scope)."""
    return sum(x.document.teaser and scope.skip(x.document) is None for x in loaded)


def _expand_teasers(
    http: Fetcher, loaded: list[Loaded], rules: Rules, tz: ZoneInfo, opts: FetchOptions,
    scope: PageScope, source: str,
) -> list[Loaded]:
    """Replace teaser-only feed items (short, or cut: `teasers.is_cut`) by their full page,
    keeping the feed's date and title; only items in `scope` (in the window, on the topic).
    The pages are fetched at once (at most `opts.concurrency`), each within the fetch
    deadline, so fifty teasers take about as long as one; they may reach public addresses
    only (`Fetcher`). One line for the feed says what could not be read and what was not
    fetched, with counts: a warning when some pages could not be read or teasers were kept."""
    from concurrent.futures import ThreadPoolExecutor

    from ..net import run_ends

    ends = run_ends()
    skipped: Counter[str] = Counter()
    wanted: list[int] = []
    for n, item in enumerate(loaded):
        doc = item.document
        if not (opts.follow_feed_links and doc.url
                and (doc.teaser or len(doc.text) < opts.teaser_chars)):  # fmt: skip
            continue
        why = scope.skip(doc)
        if why is None and len(wanted) >= opts.max_feed_links:
            why = f"over the {opts.max_feed_links} a feed"
        if why is None:
            wanted.append(n)
        else:
            skipped[why] += 1

    def page(n: int) -> Loaded | InputError:
        doc = loaded[n].document
        assert doc.url is not None
        try:
            data, _, final = fetch(http, doc.url, opts, typed=False, run_ends=ends)
            return document_from_html(decode(data, doc.url), doc_id=doc.id, source=doc.url,
                                      rules=rules, tz=tz, url=final)  # fmt: skip
        except InputError as exc:
            return exc

    pages: dict[int, Loaded | InputError] = {}
    if wanted:
        with ThreadPoolExecutor(max_workers=max(1, min(opts.concurrency, len(wanted)))) as pool:
            pages = dict(zip(wanted, pool.map(page, wanted), strict=True))
    out = []
    failed: Counter[str] = Counter()
    for n, item in enumerate(loaded):
        got = pages.get(n)
        if got is None:
            out.append(item)
            continue
        doc = item.document
        if isinstance(got, InputError):
            failed[got.reason] += 1
            out.append(item)  # its feed text stays: a teaser when cut
            continue
        full = got.document
        keep_feed_date = doc.published is not None
        merged = replace(
            full,
            title=doc.title or full.title,
            published=doc.published if keep_feed_date else full.published,
            date_only=doc.date_only if keep_feed_date else full.date_only,
            publisher=doc.publisher or full.publisher,
            sections=doc.sections or full.sections,  # the feed's categories
        )
        out.append(Loaded(merged, problems=item.problems))
    cut = cut_in_scope(out, scope)
    line = teaser_line(source, cut, failed, sorted(skipped.items()))
    if failed or cut:
        log.warning("%s", line)
    elif line:
        log.info("%s", line)
    return out
