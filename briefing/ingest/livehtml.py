"""An HTML live-blog page -> its timestamped posts, each with its own headline, byline and time.

Three common markups, tried in order:
- schema.org `LiveBlogPosting` in a JSON-LD script, with its `liveBlogUpdate` posts;
- Guardian-style blocks: an element whose id starts with `block-`, holding a `<time datetime>`;
- BBC-style `lx-stream-post` `<article>`s (and plain `<article>`s) with a `<time datetime>`.
A page with fewer than two such posts is not split (it is read as an article). Pure: text in,
posts out; `document_from_live_html` cleans them into a document (as `parse.py` does).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from ..models import Loaded
    from .clean import Rules

MIN_POSTS = 2
MAX_POSTS = 2000  # a page claiming more is junk or hostile; the rest are dropped
MAX_JSONLD_CHARS = 2_000_000
MAX_BYLINE_CHARS = 120


@dataclass(frozen=True, slots=True)
class Post:
    headline: str | None
    text: str
    author: str | None
    when: str | None  # ISO 8601 as the page states it; parsed by the caller


@dataclass(frozen=True, slots=True)
class LivePage:
    title: str | None
    publisher: str | None
    posts: tuple[Post, ...]


def live_page(html: str) -> LivePage | None:
    """The page's posts if it is a live blog in a markup known here, else None."""
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except Exception:  # lxml raises several types on junk; then it is no live blog
        return None
    title = _meta(root, "og:title") or _first_text(root, "//title")
    publisher = _meta(root, "og:site_name")
    for finder in (_from_jsonld, _from_blocks, _from_articles):
        found = finder(root)
        if found is not None and len(found[1]) >= MIN_POSTS:
            return LivePage(found[0] or title, publisher, tuple(found[1][:MAX_POSTS]))
    return None


def document_from_live_html(
    html: str, *, doc_id: str, source: str, rules: Rules, tz: ZoneInfo, url: str | None
) -> Loaded | None:
    """An HTML live-blog page -> a document with its posts pre-split (as a JSON live blog has
    them), or None when the page is not a live blog in a markup known here."""
    from ..errors import InputError
    from ..models import Document, Loaded, RawEntry
    from ..text import scrub_line
    from .clean import clean, detect_publisher, safe_url
    from .dates import parse_when

    page = live_page(html)
    if page is None:
        return None
    pub = detect_publisher(html[:20000], rules, page.publisher)
    parts: list[RawEntry] = []
    problems: list[str] = []
    for j, post in enumerate(page.posts):
        try:
            when, _ = parse_when(post.when, tz, f"{source}: post {j + 1}")
        except InputError as exc:
            problems.append(str(exc))
            continue
        head = clean(post.headline, rules, pub) if post.headline else None
        text = clean(post.text, rules, pub)
        if head or text:
            parts.append((head, text, scrub_line(post.author), when))
    if not parts:
        return None
    doc = Document(
        id=doc_id, source=source, title=scrub_line(page.title), publisher=scrub_line(pub),
        published=max((p[3] for p in parts if p[3]), default=None), date_only=False, text="",
        raw_chars=len(html), raw_text="\n\n".join(p[1] for p in parts), url=safe_url(url),
        author=None,
    )  # fmt: skip
    return Loaded(doc, parts, problems)


# ---------------------------------------------------------------- JSON-LD


def _from_jsonld(root: Any) -> tuple[str | None, list[Post]] | None:
    for script in root.xpath("//script[@type='application/ld+json']"):
        raw = script.text_content() or ""
        if "liveblogposting" not in raw.lower() or len(raw) > MAX_JSONLD_CHARS:
            continue
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, RecursionError):
            continue
        for obj in _objects(data):
            if _has_type(obj, "LiveBlogPosting"):
                updates = obj.get("liveBlogUpdate")
                updates = updates if isinstance(updates, list) else [updates]
                posts = [p for u in updates if isinstance(u, dict) and (p := _ld_post(u))]
                return _str(obj.get("headline")), posts
    return None


def _objects(data: Any) -> list[dict[str, Any]]:
    """Top-level JSON-LD objects: one, a list, or an `@graph`."""
    items = data if isinstance(data, list) else [data]
    out: list[dict[str, Any]] = []
    for item in items:
        if isinstance(item, dict):
            out.append(item)
            graph = item.get("@graph")
            if isinstance(graph, list):
                out.extend(g for g in graph if isinstance(g, dict))
    return out


def _has_type(obj: dict[str, Any], name: str) -> bool:
    t = obj.get("@type")
    return name in (t if isinstance(t, list) else [t])


def _ld_post(u: dict[str, Any]) -> Post | None:
    text = _str(u.get("articleBody")) or _str(u.get("text"))
    headline = _str(u.get("headline"))
    if not text and not headline:
        return None
    return Post(headline, _fragment_text(text or ""), _ld_author(u.get("author")),
                _str(u.get("datePublished")) or _str(u.get("dateModified")))  # fmt: skip


def _ld_author(a: Any) -> str | None:
    if isinstance(a, list):
        names = [n for x in a if (n := _ld_author(x))]
        return ", ".join(names) or None
    if isinstance(a, dict):
        return _str(a.get("name"))
    return _str(a)


# ---------------------------------------------------------------- markup


def _from_blocks(root: Any) -> tuple[str | None, list[Post]] | None:
    """Guardian: `<article id="block-…">` / `<div id="block-…">` with a `<time datetime>`."""
    blocks = root.xpath("//*[starts-with(@id, 'block-')][.//time[@datetime]]")
    blocks = [b for b in blocks if not any(a in blocks for a in b.iterancestors())]
    return (None, [p for b in blocks if (p := _markup_post(b))]) if blocks else None


def _from_articles(root: Any) -> tuple[str | None, list[Post]] | None:
    """BBC: `<article class="lx-stream-post">`; also any `<article>` with a `<time datetime>`."""
    arts = root.xpath("//article[contains(@class, 'lx-stream-post')][.//time[@datetime]]")
    arts = arts or root.xpath("//article[.//time[@datetime]]")
    arts = [a for a in arts if not any(x in arts for x in a.iterancestors())]
    return (None, [p for a in arts if (p := _markup_post(a))]) if arts else None


_HEAD = ".//h1|.//h2|.//h3|.//h4|.//header//*[contains(@class, 'title')]"
_BYLINES = (  # most specific first: BBC's contributor box also holds a job title
    ".//*[@rel='author']", ".//*[contains(@class, 'contributor-name')]",
    ".//*[contains(@class, 'byline')]", ".//*[contains(@class, 'author')]",
    ".//*[contains(@class, 'contributor')]",
)  # fmt: skip


_BYLINE_BOX = ".//*[contains(@class, 'contributor') or contains(@class, 'byline')]"


def _markup_post(el: Any) -> Post | None:
    import copy

    el = copy.deepcopy(el)
    when = el.xpath(".//time[@datetime]/@datetime")
    heads = el.xpath(_HEAD)
    headline = _clean_line(heads[0].text_content()) if heads else None
    bylines: list[Any] = next((found for xp in _BYLINES if (found := el.xpath(xp))), [])
    author = _clean_line(bylines[0].text_content()) if bylines else None
    if author and len(author) > MAX_BYLINE_CHARS:
        author, bylines = None, []  # a whole paragraph, not a name: it stays text
    drops = el.xpath(".//time|.//script|.//style|.//noscript|.//iframe|.//button|.//footer")
    drops += heads[:1]
    if bylines:  # the whole byline box: it may also hold the writer's job title
        drops += bylines[:1] + el.xpath(_BYLINE_BOX)
    for drop in drops:
        if drop.getparent() is not None:
            drop.drop_tree()
    text = _element_text(el)
    if not text and not headline:
        return None
    return Post(headline, text, author, str(when[0]).strip() if when else None)


def _element_text(el: Any) -> str:
    for sub in el.iter("p", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "blockquote"):
        sub.tail = "\n" + (sub.tail or "")
    lines = (ln.strip() for ln in el.text_content().split("\n"))
    return "\n".join(ln for ln in lines if ln)


def _fragment_text(fragment: str) -> str:
    """JSON-LD articleBody may be plain text or HTML."""
    if "<" not in fragment:
        return fragment.strip()
    import lxml.html

    try:
        el = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # junk markup: keep it as text
        return fragment.strip()
    for bad in el.xpath(".//script|.//style|.//noscript|.//iframe"):
        bad.drop_tree()
    return _element_text(el)


# ---------------------------------------------------------------- small helpers


def _meta(root: Any, prop: str) -> str | None:
    found = root.xpath(f"//meta[@property='{prop}']/@content|//meta[@name='{prop}']/@content")
    return _clean_line(str(found[0])) if found else None


def _first_text(root: Any, xpath: str) -> str | None:
    found = root.xpath(xpath)
    return _clean_line(found[0].text_content()) if found else None


def _clean_line(s: str) -> str | None:
    s = " ".join(s.split())
    return s or None


def _str(v: Any) -> str | None:
    return v.strip() or None if isinstance(v, str) else None
