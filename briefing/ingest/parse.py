"""Pure parsing of input bytes into documents (and, for JSON live blogs, their entries).

Nothing here touches the disk or the network: `files.py` and `web.py` read, this parses.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import datetime
from html import escape as html_escape
from typing import Any
from zoneinfo import ZoneInfo

from ..errors import InputError
from ..models import Document, Loaded, RawEntry
from ..text import scrub_line
from .clean import Rules, clean, detect_publisher, safe_url
from .dates import parse_when  # (moved to dates.py: livehtml needs them too)
from .decode import decode as decode  # re-exported: where bytes became text before
from .sections import json_sections

MAX_JSON_DEPTH = 20
DOC_ID_CHARS = 48  # a document id from a title or URL
MAX_LINE_CHARS = 200_000  # a paragraph longer than this is minified junk, not prose


_DATE_HEADER = re.compile(r"\A\s*date\s*[: ]\s*(\d{4}-\d{2}-\d{2})\b\s*", re.IGNORECASE)
_KEY_HEADER = re.compile(r"\A\s*(title|url|publisher|author)\s*:\s*([^\n]+)\n", re.IGNORECASE)


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Leading `date YYYY-MM-DD` and `key: value` lines (title, url, publisher, author)."""
    meta: dict[str, str] = {}
    while True:
        if m := _DATE_HEADER.match(text):
            meta["date"] = m.group(1)
        elif m := _KEY_HEADER.match(text):
            meta[m.group(1).lower()] = m.group(2).strip()
        else:
            return meta, text
        text = text[m.end() :]


# ---------------------------------------------------------------- text, markdown, html


def document_from_text(
    raw: str,
    *,
    doc_id: str,
    source: str,
    rules: Rules,
    tz: ZoneInfo,
    title: str | None = None,
    publisher: str | None = None,
    published: datetime | None = None,
    date_only: bool = False,
    url: str | None = None,
    author: str | None = None,
    markdown: bool = False,
) -> Loaded:
    meta, body = split_header(raw)
    if markdown:
        body, md_title = _strip_markdown(body)
        title = title or md_title
        more, body = split_header(body)  # a header may follow the Markdown title
        meta = {**more, **meta}
    if "date" in meta and published is None:
        published, date_only = parse_when(meta["date"], tz, source)
    pub = detect_publisher(raw, rules, publisher or meta.get("publisher"))
    longest = max((len(line) for line in body.split("\n")), default=0)
    if longest > MAX_LINE_CHARS:
        raise InputError(source, f"a single line of {longest:,} characters: not article text")
    text = clean(body, rules, pub)
    if not text:
        raise InputError(source, "no text left after removing boilerplate")
    doc = Document(
        id=doc_id, source=source, title=scrub_line(title or meta.get("title")),
        publisher=scrub_line(pub), published=published, date_only=date_only, text=text,
        raw_chars=len(raw), raw_text=raw, url=safe_url(url or meta.get("url")),
        author=scrub_line(author or meta.get("author")),
    )  # fmt: skip
    return Loaded(doc)


_MD_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*\s*$", re.M)
_MD_LINK = re.compile(r"(?<!!)\[([^\]]+)\]\([^)]*\)")
_MD_EMPH = re.compile(r"(\*\*|__|\*|_)(?=\S)(.+?)(?<=\S)\1")


def _strip_markdown(text: str) -> tuple[str, str | None]:
    m = _MD_HEADING.search(text)
    title = None
    if m and not text[: m.start()].strip():
        title = m.group(1)
        text = text[m.end() :]
    text = _MD_HEADING.sub(r"\1", text)
    text = _MD_LINK.sub(r"\1", text)
    return _MD_EMPH.sub(r"\2", text), title


def html_fragment_to_text(fragment: str) -> str:
    """A small HTML fragment (feed summary) -> text with paragraph breaks. No scripts kept."""
    import lxml.html  # trafilatura's own dependency

    if not fragment.strip():
        return ""
    if not any(c in fragment for c in "<&\r\x00"):
        return fragment  # no markup, no entity: lxml would give back the same text (and slower)
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except Exception:  # lxml raises several types on junk; the text is all we want
        return re.sub(r"<[^>]+>", " ", fragment)
    for bad in root.xpath("//script|//style|//noscript|//iframe"):
        bad.drop_tree()
    for el in root.iter("p", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "div", "tr"):
        el.tail = "\n" + (el.tail or "")
    return root.text_content()


def document_from_html(
    html: str, *, doc_id: str, source: str, rules: Rules, tz: ZoneInfo, url: str | None = None
) -> Loaded:
    import trafilatura

    from .livehtml import document_from_live_html

    live = document_from_live_html(html, doc_id=doc_id, source=source, rules=rules, tz=tz, url=url)
    if live is not None:
        return live
    try:
        extracted = trafilatura.extract(
            html, url=url, output_format="json", with_metadata=True, include_comments=False,
            include_images=False, include_tables=False, favor_recall=True,
        )  # fmt: skip
    except Exception as exc:  # trafilatura wraps lxml; anything it raises means "unparseable"
        raise InputError(source, f"HTML could not be parsed: {exc}") from exc
    if not extracted:
        raise InputError(source, "no article text found in the HTML page")
    meta = json.loads(extracted)
    published, date_only = parse_when(meta.get("date"), tz, source)
    return document_from_text(
        meta.get("text") or "", doc_id=doc_id, source=source, rules=rules, tz=tz,
        title=meta.get("title"), publisher=_site_name(meta, html), published=published,
        date_only=date_only, url=url or meta.get("source"), author=meta.get("author"),
    )  # fmt: skip


def _site_name(meta: dict[str, Any], html: str) -> str | None:
    """The page's site name as trafilatura read it (its JSON calls it "source-hostname"):
    kept when the page states it in a <meta> tag (og:site_name, application-name…) or it is
    a host name. trafilatura may also take a part of the <title> ("Live | Russia rejects U.S.
    peace plan"), which is not a publisher."""
    name = meta.get("sitename") or meta.get("source-hostname")
    if not isinstance(name, str) or not name.strip():
        return None
    name = name.strip()
    if re.fullmatch(r"[\w-]+(?:\.[\w-]+)+", name):
        return name
    stated = re.search(r"<meta\b[^>]*\bcontent\s*=\s*[\"']\s*" + re.escape(html_escape(name)),
                       html[:200_000], re.IGNORECASE)  # fmt: skip
    return name if stated else None


# ---------------------------------------------------------------- JSON


def _depth(obj: Any, limit: int) -> int:
    stack = [(obj, 1)]
    deepest = 0
    while stack:
        cur, d = stack.pop()
        deepest = max(deepest, d)
        if deepest > limit:
            return deepest
        if isinstance(cur, dict):
            stack.extend((v, d + 1) for v in cur.values())
        elif isinstance(cur, list):
            stack.extend((v, d + 1) for v in cur)
    return deepest


def documents_from_json(
    text: str, *, stem: str, source: str, rules: Rules, tz: ZoneInfo
) -> list[Loaded]:
    """One article/live blog object, a list of them, or {"articles": [...]}."""
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        raise InputError(source, f"invalid JSON: {exc}") from exc
    if _depth(data, MAX_JSON_DEPTH) > MAX_JSON_DEPTH:
        raise InputError(source, f"JSON nested deeper than {MAX_JSON_DEPTH} levels")
    if isinstance(data, dict) and isinstance(data.get("articles"), list):
        items = data["articles"]
    elif isinstance(data, list):
        items = data
    elif isinstance(data, dict):
        items = [data]
    else:
        raise InputError(source, 'JSON must be an object, a list or {"articles": [...]}')
    out: list[Loaded] = []
    problems: list[str] = []
    for i, item in enumerate(items):
        where = f"{source}[{i}]" if len(items) > 1 else source
        try:
            _no_surrogates(item, where)
            out.append(
                _json_article(item, f"{stem}-{i + 1}" if len(items) > 1 else stem, where, rules, tz)
            )
        except InputError as exc:
            problems.append(str(exc))
    if not out:
        raise InputError(source, "; ".join(problems) or "no articles in JSON")
    out[0].problems.extend(problems)
    return out


def _no_surrogates(item: Any, source: str) -> None:
    """JSON may escape half a UTF-16 pair (\\ud800): not text; it cannot even be written."""
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        bad = exc.object[exc.start : exc.end].encode("unicode_escape").decode()
        why = f"a lone UTF-16 surrogate ({bad}) in a JSON string: not text"
        raise InputError(source, why) from None


def _str(obj: dict[str, Any], key: str) -> str | None:
    v = obj.get(key)
    return v.strip() or None if isinstance(v, str) else None


def _json_article(item: Any, doc_id: str, source: str, rules: Rules, tz: ZoneInfo) -> Loaded:
    if not isinstance(item, dict):
        raise InputError(source, "an article must be a JSON object")
    has_entries = isinstance(item.get("entries"), list)
    if not has_entries and not isinstance(item.get("text"), str):
        raise InputError(source, 'an article needs "text" (string) or "entries" (list)')
    published, date_only = parse_when(item.get("published"), tz, source)
    pub = _str(item, "publisher") or detect_publisher(json.dumps(item)[:20000], rules)
    if not has_entries:
        loaded = document_from_text(
            item["text"], doc_id=doc_id, source=source, rules=rules, tz=tz,
            title=_str(item, "title"), publisher=pub, published=published, date_only=date_only,
            url=_str(item, "url"), author=_str(item, "author"),
        )  # fmt: skip
        if cats := json_sections(item):
            loaded.document = replace(loaded.document, sections=cats)
        return loaded
    raw_entries: list[RawEntry] = []
    problems = []
    raw_chars = 0
    for j, e in enumerate(item["entries"]):
        if not isinstance(e, dict) or not isinstance(e.get("text", ""), str):
            problems.append(f"{source}: entry {j} is not an object with a text string")
            continue
        raw = e.get("text") or ""
        raw_chars += len(raw)
        try:
            when, _ = parse_when(e.get("published"), tz, f"{source}: entry {j}")
        except InputError as exc:
            problems.append(str(exc))
            continue
        title = _str(e, "title")
        head, text = clean(title, rules, pub) if title else None, clean(raw, rules, pub)
        if head or text:
            raw_entries.append((head, text, scrub_line(_str(e, "author")), when))
    raw_all = "\n\n".join(str(e.get("text", "")) for e in item["entries"] if isinstance(e, dict))
    doc = Document(
        id=doc_id, source=source, title=scrub_line(_str(item, "title")),
        publisher=scrub_line(pub), published=published, date_only=date_only, text="",
        raw_chars=raw_chars, raw_text=raw_all, url=safe_url(_str(item, "url")),
        author=scrub_line(_str(item, "author")), sections=json_sections(item),
    )  # fmt: skip
    if not raw_entries:
        raise InputError(
            source,
            "live blog has no entries with text"
            + (f" ({'; '.join(problems[:3])})" if problems else ""),
        )
    return Loaded(doc, raw_entries, problems)


# ---------------------------------------------------------------- OPML


def looks_like_opml(data: bytes, content_type: str = "") -> bool:
    head = data[:2048].lstrip().lower()
    return "opml" in content_type.lower() or b"<opml" in head


def feeds_from_opml(data: bytes, source: str) -> list[str]:
    """An OPML subscription list -> the http(s) URLs of its feeds, in order, once each."""
    import listparser

    if not data.strip():
        raise InputError(source, "empty file")
    parsed = listparser.parse(bytes(data))  # bytes: listparser never fetches anything
    urls = [f.url for f in parsed.feeds if str(f.url).startswith(("http://", "https://"))]
    if not urls:
        why = parsed.get("bozo_exception") if parsed.bozo else None
        raise InputError(source, f"no feeds in this OPML list{f' ({why})' if why else ''}")
    return list(dict.fromkeys(urls))
