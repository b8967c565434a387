"""(I/O) The static HTML archive of every stored briefing.

Layout (all links relative, so it works from file:// and from any web server):
    index.html                                  every topic's editions, newest first, by month
    YYYY/MM/DD/<topic-id>/index.html            one page per edition (stable permalink): the
                                                revision its readers were sent
    YYYY/MM/DD/<topic-id>/rN/index.html         a later revision of that edition, linked from it
    topics/<topic-id>/index.html, feed.xml      one topic's editions, and its Atom feed
    feed.xml                                    Atom, every topic
    search.html, pagefind/                      full-text search (Pagefind), when served

A build writes a complete new tree next to the output and then swaps a symlink, so readers
and an interrupted build never see a half-written site. Pages whose bytes did not change are
hard-linked from the previous build (incremental); a rebuild with nothing new changes nothing.
Builds of one site take turns (a lock file beside it), and a clean-up never removes the build
the site points at, so two builds started together both leave a complete site.
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from ..contract import Briefing
from ..errors import DeliveryError, RenderError
from ..render import render_template, view
from ..state import Store

log = logging.getLogger(__name__)
SITE_TITLE = "Briefing archive"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(slots=True)
class BuildReport:
    path: Path
    pages: int
    written: int
    reused: int
    changed: bool
    failed: list[str] = field(default_factory=list)  # pages left out, with the reason


def permalink(b: Briefing) -> str:
    """YYYY/MM/DD/<topic-slug>/index.html: only digits, slashes and a slug, never '..'."""
    m = _DATE.match(b.date or "")
    if not m:
        raise DeliveryError(f"briefing of {b.topic!r} has no valid date ({b.date!r})")
    return f"{m[1]}/{m[2]}/{m[3]}/{b.topic_key}/index.html"


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    """Text XML can hold: a briefing stored before controls were scrubbed must not stop the
    feed (lxml refuses them)."""
    return _NOT_XML.sub("", text)


def _feed(briefings: list[Briefing], links: dict[int, str], base_url: str | None,
          title: str = SITE_TITLE, home: str = "index.html",
          key: str = "archive") -> bytes:  # fmt: skip
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(base_url + home if base_url else f"urn:briefing:{key}")
    fg.title(_xml(title))
    fg.link(href=(base_url or "") + home, rel="alternate")
    fg.language("en")
    updated = max((b.generated_at for b in briefings), default="1970-01-01T00:00:00+00:00")
    fg.updated(datetime.fromisoformat(updated))
    for i, b in reversed(list(enumerate(briefings))):
        e = fg.add_entry()
        e.id(f"urn:briefing:{b.topic_key}:{b.date}")
        e.title(_xml(view(b).title))
        e.link(href=(base_url or "") + links[i])
        e.updated(datetime.fromisoformat(b.generated_at))
        e.summary(_xml(" ".join(x.text for x in b.summary)) or "(no summary)")
    return bytes(fg.atom_str(pretty=True))


def index_search(site: Path) -> int | None:
    """Pagefind's full-text index of the built pages, written to `site/pagefind/` with its
    search UI; the number of pages indexed, or None when Pagefind is not installed."""
    import asyncio

    try:
        from pagefind.index import IndexConfig, PagefindIndex
        from pagefind.service import get_executable
    except ImportError:
        return None
    if get_executable() is None:
        return None

    async def run() -> int:
        out = str((site / "pagefind").absolute())  # written when the context closes
        config = IndexConfig(keep_index_url=True, force_language="en", output_path=out)
        async with PagefindIndex(config=config) as index:
            found = await index.add_directory(str(site.absolute()))
        return int(found.get("page_count", 0))

    try:
        return asyncio.run(run())
    except Exception as exc:  # the service is a subprocess; any failure means "no search"
        raise DeliveryError(f"search index: {exc}") from exc


def _month_groups(
    items: list[tuple[str, Briefing]], root: str
) -> list[tuple[str, list[dict[str, object]]]]:
    months: list[tuple[str, list[dict[str, object]]]] = []
    for path, b in items:
        label = datetime.fromisoformat(b.date or "1970-01-01").strftime("%B %Y")
        if not months or months[-1][0] != label:
            months.append((label, []))
        months[-1][1].append({"url": root + path, "topic": b.topic,
                              "date_label": view(b).date_label,
                              "summary": [x.text for x in b.summary], "stories": len(b.sections),
                              "backend": b.summariser.backend})  # fmt: skip
    return months


def revision_link(b: Briefing, revision: int) -> str:
    """YYYY/MM/DD/<topic-slug>/rN/index.html: a later revision, beside its slot's page."""
    return permalink(b).removesuffix("index.html") + f"r{revision:d}/index.html"


def _revision_pages(
    revisions: Sequence[tuple[int, int, Briefing]], by_topic: dict[str, dict[str, str]]
) -> tuple[list[tuple[str, Briefing, dict[str, object]]], dict[str, list[dict[str, str]]]]:
    """The pages of later revisions (each with what its slot's readers got), and the links a
    slot's page shows to them ({slot page: [{label, url}]})."""
    pages: list[tuple[str, Briefing, dict[str, object]]] = []
    later: dict[str, list[dict[str, str]]] = {}
    for n, got, b in revisions:
        slot = by_topic.get(b.topic_key, {}).get(b.date or "")
        if slot is None:
            continue  # its slot's page is not in the site (left out above)
        path = revision_link(b, n)
        later.setdefault(slot, []).append({"label": f"revision {n}", "url": f"r{n}/index.html",
                                           "window": b.window})  # fmt: skip
        pages.append((path, b, {"revision": n, "got": got, "slot": "../index.html"}))
    return pages, later


def render_site(briefings: list[Briefing], template_dir: str | None = None,
                base_url: str | None = None,
                revisions: Sequence[tuple[int, int, Briefing]] = ()
                ) -> tuple[dict[str, bytes], list[str]]:  # fmt: skip
    """Every file of the site ({relative path: bytes}), and the pages that could not be made
    (one bad briefing is reported and left out; it never stops the rest). `revisions` are
    editions made after their slot's readers had one ((revision, the one readers got,
    briefing)): each gets its own page beside the slot's, which links it. Pure."""
    files: dict[str, bytes] = {}
    failed: list[str] = []
    pages: list[tuple[str, Briefing]] = []
    by_topic: dict[str, dict[str, str]] = {}
    for b in briefings:
        try:
            path = permalink(b)
        except DeliveryError as exc:
            failed.append(str(exc))
            continue
        by_topic.setdefault(b.topic_key, {})[b.date or ""] = path
        pages.append((path, b))
    extra, later = _revision_pages(revisions, by_topic)
    good: list[tuple[str, Briefing]] = []
    every = [(p, b, {"later": later.get(p, [])}) for p, b in pages] + extra
    for path, b, about in every:
        root = "../" * path.count("/")
        try:
            page = render_template("archive/briefing.html.j2", template_dir, v=view(b),
                                   root=root, links=by_topic[b.topic_key], **about)  # fmt: skip
            files[path] = page.encode()
        except (RenderError, ValueError, UnicodeError) as exc:
            failed.append(f"{b.topic_key} {b.date}: {exc}")
            continue
        if "revision" not in about:
            good.append((path, b))
    topics = {b.topic_key: b.topic for _, b in reversed(good)}  # the latest title of each
    nav = [
        {"id": k, "title": t, "url": f"topics/{k}/index.html"} for k, t in sorted(topics.items())
    ]
    files["index.html"] = render_template("archive/index.html.j2", template_dir, title=SITE_TITLE,
                                          months=_month_groups(good, ""), root="", topics=nav,
                                          feed="feed.xml").encode()  # fmt: skip
    links = {i: path for i, (path, _) in enumerate(good)}
    files["feed.xml"] = _feed([b for _, b in good], links, base_url)
    for key, title in topics.items():
        mine = [(path, b) for path, b in good if b.topic_key == key]
        files[f"topics/{key}/index.html"] = render_template(
            "archive/index.html.j2", template_dir, title=title,
            months=_month_groups(mine, "../../"),
            root="../../", topics=nav, feed="feed.xml",
        ).encode()  # fmt: skip
        files[f"topics/{key}/feed.xml"] = _feed(
            [b for _, b in mine], {i: p for i, (p, _) in enumerate(mine)}, base_url, title,
            f"topics/{key}/index.html", f"topic:{key}",
        )  # fmt: skip
    files["search.html"] = render_template(
        "archive/search.html.j2", template_dir, title=SITE_TITLE
    ).encode()
    return files, failed


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(store: Store, out: Path, template_dir: str | None = None,
          base_url: str | None = None) -> BuildReport:  # fmt: skip
    """Build the archive of every stored briefing into `out` (a symlink to the live build).
    One build at a time per site: a second waits for the first, then builds on its result."""
    import fcntl

    out = out.absolute()
    lock_path = out.parent / f".{out.name}.lock"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        handle = lock_path.open("a")
    except OSError as exc:
        raise DeliveryError(f"cannot build the archive in {out}: {exc.strerror or exc}") from exc
    with handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # released when the file closes
        return _build(store, out, template_dir, base_url)


def _build(store: Store, out: Path, template_dir: str | None,
           base_url: str | None) -> BuildReport:  # fmt: skip
    briefings = [b for _, b in store.briefings()]
    revisions = store.later_revisions()
    files, failed = render_site(briefings, template_dir, base_url, revisions)
    for why in failed:
        log.warning("archive: a page was left out: %s", why)
    manifest = {path: _digest(data) for path, data in sorted(files.items())}
    builds = out.parent / f".{out.name}.builds"
    current = out.resolve() if out.is_symlink() else None
    old_manifest: dict[str, str] = {}
    if current is not None and (current / "manifest.json").is_file():
        old_manifest = json.loads((current / "manifest.json").read_text())
    if current is not None and old_manifest == manifest:
        return BuildReport(out, len(briefings) + len(revisions) - len(failed), 0, len(files),
                           False, failed)  # fmt: skip
    if out.exists() and not out.is_symlink():
        if not out.is_dir() or any(out.iterdir()):
            raise DeliveryError(f"{out} exists and is not an archive built by briefing; "
                                "choose another --out or remove it")  # fmt: skip
        out.rmdir()
    stage = builds / f"{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6}"
    written = reused = 0
    try:
        for rel, data in files.items():
            target = (stage / rel).resolve()
            if not target.is_relative_to(stage.resolve()):  # belt and braces: slugs can't do this
                raise DeliveryError(f"refusing to write outside the archive: {rel}")
            target.parent.mkdir(parents=True, exist_ok=True)
            if current is not None and old_manifest.get(rel) == manifest[rel]:
                try:
                    os.link(current / rel, target)
                    reused += 1
                    continue
                except OSError:
                    pass  # another file system, or the old file is gone: write it
            target.write_bytes(data)
            written += 1
        (stage / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        try:
            if index_search(stage) is None:
                log.warning("archive: Pagefind is not installed, so the archive has no search")
        except DeliveryError as exc:
            log.warning("archive: no search this time: %s", exc)
        link = out.parent / f".{out.name}.swap"
        link.unlink(missing_ok=True)
        link.symlink_to(stage.relative_to(out.parent), target_is_directory=True)
        os.replace(link, out)  # atomic: the old site until here, the new one after
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise DeliveryError(f"cannot build the archive in {out}: {exc.strerror or exc}") from exc
    _prune(builds, keep={stage.name, *([current.name] if current else [])}, live=out)
    return BuildReport(out, len(briefings) + len(revisions) - len(failed), written, reused, True,
                       failed)  # fmt: skip


def _prune(builds: Path, keep: set[str], live: Path) -> None:
    """Remove old builds (and any left half-written by an interrupted build); never the one
    the site points at now."""
    if live.is_symlink():
        keep = {*keep, live.resolve().name}
    olds = sorted((p for p in builds.iterdir() if p.name not in keep), key=lambda p: p.name)
    for p in olds:
        shutil.rmtree(p, ignore_errors=True)


def serve(path: Path, port: int) -> None:  # pragma: no cover - interactive
    """Serve the site on 127.0.0.1. Every request goes through the site's symlink, so a
    rebuild while it serves is picked up (and an old build's removal never breaks it)."""
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(path.absolute()))
    try:
        httpd = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be opened ({exc.strerror})"
        raise DeliveryError(f"port {port} {why}: pass --port with another number") from None
    with httpd:
        print(f"serving {path} on http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
        httpd.serve_forever()
