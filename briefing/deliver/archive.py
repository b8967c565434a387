"""(I/O) The static HTML archive of every stored briefing.

Layout (all links relative, so it works from file:// and from any web server):
    index.html                                  newest first, grouped by month
    YYYY/MM/DD/<topic-slug>/index.html          one page per briefing (stable permalink)
    feed.xml                                    Atom
    search.html, search.js, search-index.js     static search (no server)

A build writes a complete new tree next to the output and then swaps a symlink, so readers
and an interrupted build never see a half-written site. Pages whose bytes did not change are
hard-linked from the previous build (incremental); a rebuild with nothing new changes nothing.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from ..contract import Briefing
from ..errors import DeliveryError
from ..render import package_dir, render_template, view
from ..store import Store, slugify

SITE_TITLE = "Briefing archive"
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")


@dataclass(slots=True)
class BuildReport:
    path: Path
    pages: int
    written: int
    reused: int
    changed: bool


def permalink(b: Briefing) -> str:
    """YYYY/MM/DD/<topic-slug>/index.html: only digits, slashes and a slug, never '..'."""
    m = _DATE.match(b.date or "")
    if not m:
        raise DeliveryError(f"briefing of {b.topic!r} has no valid date ({b.date!r})")
    return f"{m[1]}/{m[2]}/{m[3]}/{slugify(b.topic)}/index.html"


def _feed(briefings: list[Briefing], links: dict[int, str], base_url: str | None) -> bytes:
    from feedgen.feed import FeedGenerator

    fg = FeedGenerator()
    fg.id(base_url or "urn:briefing:archive")
    fg.title(SITE_TITLE)
    fg.link(href=(base_url or "") + "index.html", rel="alternate")
    fg.language("en")
    updated = max((b.generated_at for b in briefings), default="1970-01-01T00:00:00+00:00")
    fg.updated(datetime.fromisoformat(updated))
    for i, b in reversed(list(enumerate(briefings))):
        e = fg.add_entry()
        e.id(f"urn:briefing:{slugify(b.topic)}:{b.date}")
        e.title(view(b).title)
        e.link(href=(base_url or "") + links[i])
        e.updated(datetime.fromisoformat(b.generated_at))
        e.summary(" ".join(x.text for x in b.summary) or "(no summary)")
    return bytes(fg.atom_str(pretty=True))


def _search_index(briefings: list[Briefing], links: dict[int, str]) -> bytes:
    docs = [{"url": links[i], "title": view(b).title,
             "text": " ".join(x.text for x in b.all_bullets())}
            for i, b in enumerate(briefings)]  # fmt: skip
    data = json.dumps(docs, ensure_ascii=True).replace("</", "<\\/")
    return f"window.BRIEFING_INDEX = {data};\n".encode()


def render_site(briefings: list[Briefing], template_dir: str | None = None,
                base_url: str | None = None) -> dict[str, bytes]:  # fmt: skip
    """Every file of the site: {relative path: bytes}. Pure."""
    files: dict[str, bytes] = {}
    links = {i: permalink(b) for i, b in enumerate(briefings)}
    by_topic: dict[str, dict[str, str]] = {}
    for i, b in enumerate(briefings):
        by_topic.setdefault(slugify(b.topic), {})[b.date or ""] = links[i]
    months: list[tuple[str, list[dict[str, object]]]] = []
    for i, b in enumerate(briefings):
        path = links[i]
        v = view(b)
        root = "../" * path.count("/")
        files[path] = render_template("archive/briefing.html.j2", template_dir, v=v, root=root,
                                      links=by_topic[slugify(b.topic)]).encode()  # fmt: skip
        label = datetime.fromisoformat(b.date or "1970-01-01").strftime("%B %Y")
        if not months or months[-1][0] != label:
            months.append((label, []))
        months[-1][1].append({"url": path, "topic": b.topic, "date_label": v.date_label,
                              "summary": [x.text for x in b.summary], "stories": len(b.sections),
                              "backend": b.summariser.backend})  # fmt: skip
    files["index.html"] = render_template("archive/index.html.j2", template_dir, months=months,
                                          title=SITE_TITLE).encode()  # fmt: skip
    files["search.html"] = render_template(
        "archive/search.html.j2", template_dir, title=SITE_TITLE
    ).encode()
    files["search.js"] = (package_dir("templates") / "archive" / "search.js").read_bytes()
    files["search-index.js"] = _search_index(briefings, links)
    files["feed.xml"] = _feed(briefings, links, base_url)
    return files


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build(store: Store, out: Path, template_dir: str | None = None,
          base_url: str | None = None) -> BuildReport:  # fmt: skip
    """Build the archive of every stored briefing into `out` (a symlink to the live build)."""
    briefings = [b for _, b in store.briefings()]
    files = render_site(briefings, template_dir, base_url)
    manifest = {path: _digest(data) for path, data in sorted(files.items())}
    out = out.absolute()
    builds = out.parent / f".{out.name}.builds"
    current = out.resolve() if out.is_symlink() else None
    old_manifest: dict[str, str] = {}
    if current is not None and (current / "manifest.json").is_file():
        old_manifest = json.loads((current / "manifest.json").read_text())
    if current is not None and old_manifest == manifest:
        return BuildReport(out, len(briefings), 0, len(files), changed=False)
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
        link = out.parent / f".{out.name}.swap"
        link.unlink(missing_ok=True)
        link.symlink_to(stage.relative_to(out.parent), target_is_directory=True)
        os.replace(link, out)  # atomic: the old site until here, the new one after
    except OSError as exc:
        shutil.rmtree(stage, ignore_errors=True)
        raise DeliveryError(f"cannot build the archive in {out}: {exc.strerror or exc}") from exc
    _prune(builds, keep={stage.name, *([current.name] if current else [])})
    return BuildReport(out, len(briefings), written, reused, changed=True)


def _prune(builds: Path, keep: set[str]) -> None:
    """Remove old builds (and any left half-written by an interrupted build)."""
    olds = sorted((p for p in builds.iterdir() if p.name not in keep), key=lambda p: p.name)
    for p in olds:
        shutil.rmtree(p, ignore_errors=True)


def serve(path: Path, port: int) -> None:  # pragma: no cover - interactive
    import functools
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(path.resolve()))
    with ThreadingHTTPServer(("127.0.0.1", port), handler) as httpd:
        print(f"serving {path} on http://127.0.0.1:{port}/ (Ctrl-C stops)", flush=True)
        httpd.serve_forever()
