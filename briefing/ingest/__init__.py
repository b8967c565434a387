"""Ingest (I/O): inputs (paths, folders, URLs, feeds) -> parsed documents with their entries,
and what was skipped. `files.py` walks folders and reads files, `web.py` fetches (within its
deadline, `net.py`), `decode.py` and `parse.py` turn bytes into documents, `clean.py` strips
boilerplate, and `liveblog.py` splits a document into its entries."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from ..contract import Skipped
from ..errors import InputError
from ..models import Loaded
from ..parallel import fork_map
from .clean import Rules, load_rules
from .files import OPML_SUFFIXES, read_file, read_opml, walk
from .liveblog import entries_of
from .parse import feeds_from_opml, looks_like_opml
from .teasers import teaser_line
from .web import FetchOptions, PageScope, cut_in_scope

__all__ = [
    "OPML_SUFFIXES",
    "FetchOptions",
    "IngestResult",
    "Loaded",
    "PageScope",
    "Rules",
    "expand",
    "feeds_from_opml",
    "ingest",
    "load_rules",
    "looks_like_opml",
    "read_opml",
]
log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestResult:
    loaded: list[Loaded] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))


def expand(inputs: Sequence[str], skipped: list[Skipped]) -> list[str]:
    """Folders -> their files; missing paths are recorded as skipped."""
    out: list[str] = []
    for item in inputs:
        if _is_url(item):
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            found = [str(f) for f in walk(p, skipped)]
            if not found:
                why = "folder holds no .txt, .md, .html, .json or feed files"
                skipped.append(Skipped(input=item, reason=why))
            out.extend(found)
        elif p.exists():
            out.append(item)
        else:
            skipped.append(Skipped(input=item, reason="no such file or folder"))
    return out


class _Ids:
    """Unique document ids: the first `x` keeps its name, later ones become x-2, x-3, ...
    Each name remembers its next number, so 100,000 feed items with one title cost 100,000
    steps, not five billion."""

    def __init__(self) -> None:
        self.used: set[str] = set()
        self.next: dict[str, int] = {}

    def claim(self, base: str) -> str:
        doc_id, n = base, self.next.get(base, 2)
        while doc_id in self.used:
            doc_id, n = f"{base}-{n}", n + 1
        self.next[base] = n
        self.used.add(doc_id)
        return doc_id


PARALLEL_MIN_FILES = 64  # below this, starting worker processes costs more than it saves


def _read_file(path: str, rules: Rules, tz: ZoneInfo) -> list[Loaded]:
    """Read one file and make its documents' entries."""
    loaded = read_file(Path(path), Path(path).stem, rules, tz)
    for item in loaded:
        item.entries = entries_of(item, tz)
    return loaded


def _read_and_split(path: str, rules: Rules, tz: ZoneInfo) -> list[Loaded] | tuple[str, str]:
    """In a worker process: `_read_file`, with its error as a value: (source, reason), since
    an InputError does not survive pickling (its two arguments are not its `args`)."""
    try:
        return _read_file(path, rules, tz)
    except InputError as exc:
        return exc.source, exc.reason


def _parallel_reads(
    targets: list[str], rules: Rules, tz: ZoneInfo
) -> dict[str, list[Loaded] | tuple[str, str]]:
    files = [t for t in targets if not _is_url(t)]
    if len(files) < PARALLEL_MIN_FILES:
        return {}  # read one by one in `ingest`, as they come
    read = partial(_read_and_split, rules=rules, tz=tz)
    got = fork_map(read, files, PARALLEL_MIN_FILES, step=4, meanwhile=_warm_up)
    return dict(zip(files, got, strict=True))


def _warm_up() -> None:
    """While the workers read: load what the later stages will need (scikit-learn's TF-IDF,
    about a second, and the tokenizer), instead of waiting for it afterwards."""
    import sklearn.feature_extraction.text  # noqa: F401

    from ..tokens import counter

    counter()


@dataclass(slots=True)
class _Lists:
    """The feeds that lists (OPML) add to the inputs, each once, within the settings' bounds:
    a list is expanded only `list_depth` deep and all lists add at most `list_max_feeds`.
    URLs that a list fetched from the network names on another host (scheme, host, port)
    are *found*, not typed: they may reach public addresses only, like a redirect to another
    host. Each cut is one line in `skipped`."""

    targets: list[str]
    depth_limit: int
    cap: int
    queued: set[str] = field(default_factory=set)
    depth: dict[str, int] = field(default_factory=dict)  # listed URL -> depth (typed: 0)
    found: set[str] = field(default_factory=set)  # listed in a list read from the network
    room: int = field(default=0, init=False)  # feeds the lists may still add

    def __post_init__(self) -> None:
        self.room = self.cap

    def subscribe(self, lst: str, feeds: list[str], skipped: list[Skipped], *, found: bool) -> None:
        depth = self.depth.get(lst, 0)
        if depth >= self.depth_limit:
            why = (f"a list inside a list: its {len(feeds):,} feeds not read "
                   f"(list_depth={self.depth_limit})")  # fmt: skip
            skipped.append(Skipped(input=lst, reason=why))
            return
        new = [u for u in feeds if u not in self.queued]
        if len(new) > self.room:
            why = (f"{len(new) - self.room:,} of its {len(new):,} feeds not read: all lists "
                   f"add at most {self.cap:,} feeds to a run (list_max_feeds)")  # fmt: skip
            skipped.append(Skipped(input=lst, reason=why))
            new = new[: self.room]
        self.room -= len(new)
        for url in new:
            self.queued.add(url)
            self.depth[url] = depth + 1
            if lst in self.found or (found and _origin(url) != _origin(lst)):
                self.found.add(url)  # the typed list's own host is as typed (as a redirect)
            self.targets.append(url)


def ingest(
    inputs: Sequence[str],
    *,
    rules: Rules,
    tz: ZoneInfo,
    fetch: FetchOptions | None = None,
    on_progress: Callable[[str], None] | None = None,
    scope: PageScope | None = None,
) -> IngestResult:
    """Read every input; one bad input is recorded in `skipped` and never stops the rest.
    `scope`: which feed items' pages are fetched (in the run's window, on its topic); a
    feed's cut teasers are one warning line for the feed."""
    result = IngestResult()
    targets = expand(inputs, result.skipped)
    http = None
    ids = _Ids()
    seen_content: dict[int, str] = {}
    done = _parallel_reads(targets, rules, tz)
    opts = fetch or FetchOptions()
    scope = scope or PageScope()
    lists = _Lists(targets, opts.list_depth, opts.list_max_feeds, queued=set(targets))
    try:
        for target in targets:  # an OPML list appends its feeds to `targets`
            try:
                if target.lower().endswith(tuple(OPML_SUFFIXES)) and not _is_url(target):
                    lists.subscribe(target, read_opml(Path(target)), result.skipped, found=False)
                    loaded = []
                elif target in done:
                    got = done[target]
                    if isinstance(got, tuple):
                        raise InputError(*got)
                    loaded = got
                elif _is_url(target):
                    from .web import client, read_url

                    http = http or client(opts)
                    typed = target not in lists.found
                    got_url = read_url(http, target, rules, tz, opts, typed=typed, scope=scope)
                    if got_url and isinstance(got_url[0], str):
                        feeds = [u for u in got_url if isinstance(u, str)]
                        lists.subscribe(target, feeds, result.skipped, found=True)
                        loaded = []
                    else:
                        loaded = [x for x in got_url if not isinstance(x, str)]
                    for item in loaded:
                        item.entries = entries_of(item, tz)
                else:
                    loaded = _read_file(target, rules, tz)
                if not _is_url(target) and (cut := cut_in_scope(loaded, scope)):
                    log.warning("%s", teaser_line(target, cut, Counter(), ()))  # a feed file
            except InputError as exc:
                result.skipped.append(Skipped(input=exc.source, reason=exc.reason))
                loaded = []
            for item in loaded:
                doc = item.document
                # the same file under another name is read once; a copy under another
                # headline or time is another report (dedupe merges it, keeping the first)
                key = hash((doc.raw_text, doc.text, doc.title, doc.published))
                if key in seen_content:
                    why = "identical to another input"
                    log.info("%s is identical to %s: read once", doc.source, seen_content[key])
                    result.skipped.append(Skipped(input=doc.source, reason=why, kind="excluded"))
                    continue
                seen_content[key] = doc.source
                doc_id = ids.claim(doc.id)
                if doc_id != doc.id:
                    item.document = replace(doc, id=doc_id)
                    item.entries = [replace(e, document=doc_id) for e in item.entries]
                result.skipped.extend(Skipped(input=doc.source, reason=p) for p in item.problems)
                result.loaded.append(item)
            if on_progress:
                on_progress(target)
    finally:
        if http is not None:
            http.close()
    return result
