"""Feed teasers: a feed item's own text that was cut short. Pure.

A feed often carries only the start of a report: it ends in an ellipsis ("…", "...", "[…]"),
in a link to the rest ("Read more", "Continue reading", "Full story »"), or it simply stops
mid-sentence well short of a normal entry. WordPress adds "The post X appeared first on Y."
after either. Such a text is the item's headline and excerpt, never news text: it is kept
when the item's page cannot be read, but a bullet never quotes it (`liveblog.teaser_entry`).
A short item whose text ends as sentences end is whole, and stays usable.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

SHORT_CHARS = 400  # a feed text this short that stops mid-sentence was cut
TAIL_CHARS = 2_000  # only the end of a text is looked at

_SPACE = re.compile(r"\s+")
# "The post <title> appeared first on <site>." (WordPress, Yoast): a footer, not the text
_POSTED = re.compile(r"\bthe post\b", re.I)
_FIRST_ON = "appeared first on"
_ENDS = ".!?…\"”’)]"
# a link to the rest of the report, as the last words of the text, where a sentence starts
_START = r"(?:^|(?<=[.!?…\"”’)\]|»›–—-]))\s*[(\[]?\s*"
_READ_MORE = re.compile(
    _START + r"(?:(?:read|see|view)\s+(?:the\s+)?(?:more|full|whole|rest|entire|original)\b"
    r"[^:!?]{0,120}"
    r"|(?:continue|keep)\s+reading\b.{0,160}"
    r"|(?:full|whole)\s+(?:story|article|report|post)\b.{0,40}"
    r"|(?:click|tap)\s+here\b.{0,80}"
    r"|more\s*(?:[»›→>]+|\.\.\.|…)[\s\])]*)$",
    re.I,
)
_ELLIPSIS = re.compile(r"(?:…|\.\s?\.\s?\.|&hellip;?)[\s\])»›→>]*$")
_BRACKETED = re.compile(r"\s*[\[(]\s*(?:…|\.\.\.|&hellip;?)\s*[\])]\s*$")
# how a whole sentence ends: . ! ? maybe then closing quotes and brackets, or a closing quote
_WHOLE = re.compile(r"""[.!?]["'”’»)\]]*$|["'”’»]$""")
# an HTML fragment whose last element is a link: "… <a href=…>Read the rest</a></p>"
_LINK_LAST = re.compile(
    r"""<a\b[^>]{0,500}?\bhref\s*=\s*["']?(?P<href>[^"'\s>]{1,2000})[^>]{0,500}>"""
    r"""(?P<text>(?:(?!</a>)[\s\S]){0,300})</a>[\s»›→>|.…]*(?:</\w+>\s*)*$""",
    re.I,
)
_TAG = re.compile(r"<[^>]*>")


def _tail(text: str) -> str:
    return _SPACE.sub(" ", text[-TAIL_CHARS:]).strip()


def _unposted(text: str) -> str:
    """The text without a WordPress footer at its end: its last "appeared first on" (at most
    120 characters from the end) and the "The post" before it (at most 310 before). Found
    with `rfind`: linear, whatever the text."""
    at = text.lower().rfind(_FIRST_ON)
    if at < 0 or len(text) - at - len(_FIRST_ON) > 120:
        return text
    posts = [m.start() for m in _POSTED.finditer(text, max(0, at - 310), at)]
    if not posts:
        return text
    starts = [n for n in posts if not text[:n].rstrip() or text[:n].rstrip()[-1] in _ENDS]
    return text[: (starts or posts[-1:])[0]].rstrip()  # where a sentence starts, else the last


def trim(text: str) -> str:
    """The text without its footer and its read-more link, and with one "…" where it was cut:
    what is shown as the excerpt of a cut teaser. Only its end is looked at."""
    head, body = text[:-TAIL_CHARS], text[-TAIL_CHARS:].rstrip()
    body = _unposted(body)
    body = _READ_MORE.sub("", body).rstrip()
    body = _BRACKETED.sub("", body).rstrip()
    body = _ELLIPSIS.sub("", body).rstrip(" ,;–—-")
    body = (head + body).rstrip()
    return body if not body or _WHOLE.search(body) else body + "…"


def _same_page(href: str, link: str) -> bool:
    from urllib.parse import urljoin, urlsplit

    a, b = urlsplit(urljoin(link, href.replace("&amp;", "&"))), urlsplit(link)
    return (a.netloc.lower(), a.path.rstrip("/"), a.query) == (b.netloc.lower(),
                                                              b.path.rstrip("/"), b.query)


def is_cut(text: str, html: str = "", link: str | None = None) -> bool:
    """Whether a feed item's text (and the HTML fragment it came from, whose item page is
    `link`) was cut short: it ends in an ellipsis or a link to the rest (by its words, or a
    link to the item's own page, in any language), or it is short and stops mid-sentence."""
    tail = _unposted(_tail(text))
    if not tail:
        return False
    m = _LINK_LAST.search(html[-TAIL_CHARS:]) if link and html else None
    if m and link and _same_page(m["href"], link) and len(_TAG.sub(" ", m["text"]).split()) <= 8:
        return True  # the text ends in a link to the item's page: to the rest of it
    if _READ_MORE.search(tail) or _ELLIPSIS.search(tail) or _BRACKETED.search(tail):
        return True
    return len(_SPACE.sub(" ", text).strip()) < SHORT_CHARS and not _WHOLE.search(tail)


def reasons(counts: Counter[str], most: int = 3) -> str:
    """"2 × HTTP 404 Not Found, 1 × timed out": the commonest reasons, each with its count."""
    top = counts.most_common(most)
    more = sum(counts.values()) - sum(n for _, n in top)
    return ", ".join(f"{n} × {why}" for why, n in top) + (f", {more} other" if more else "")


def teaser_line(
    source: str, cut: int, failed: Counter[str], skipped: Iterable[tuple[str, int]]
) -> str:
    """One line for a feed: its pages that could not be read, its cut teasers, what was not
    fetched (and why). Empty when there is nothing to say."""
    parts = []
    if failed:
        n = sum(failed.values())
        parts.append(f"{n} item page{'s' if n != 1 else ''} could not be read ({reasons(failed)})")
    if cut:
        parts.append(f"{cut} cut teaser{'s' if cut != 1 else ''} kept as headline and excerpt "
                     "only (full text not available)")  # fmt: skip
    said = [f"{n} {why}" for why, n in skipped if n]
    if said:
        parts.append("pages not fetched: " + ", ".join(said))
    return f"feed {source}: " + "; ".join(parts) if parts else ""
