"""Ingest: inputs (paths, folders, URLs, feeds) -> parsed documents, and what was skipped."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

from ..clean import Rules
from ..errors import InputError
from ..models import Skip
from ..parallel import fork_map
from .files import read_file, walk
from .parse import Loaded
from .web import FetchOptions

__all__ = ["FetchOptions", "IngestResult", "Loaded", "ingest"]


@dataclass(slots=True)
class IngestResult:
    loaded: list[Loaded] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def _is_url(s: str) -> bool:
    return s.startswith(("http://", "https://"))


def expand(inputs: Sequence[str], skipped: list[Skip]) -> list[str]:
    """Folders -> their files; missing paths are recorded as skipped."""
    out: list[str] = []
    for item in inputs:
        if _is_url(item):
            out.append(item)
            continue
        p = Path(item)
        if p.is_dir():
            found = [str(f) for f in walk(p)]
            if not found:
                skipped.append(Skip(item, "folder holds no .txt, .md, .html, .json or feed files"))
            out.extend(found)
        elif p.exists():
            out.append(item)
        else:
            skipped.append(Skip(item, "no such file or folder"))
    return out


PARALLEL_MIN_FILES = 64  # below this, starting worker processes costs more than it saves


def _read_and_split(path: str, rules: Rules, tz: ZoneInfo) -> list[Loaded] | InputError:
    """In a worker process: read one file and split its documents into entries."""
    from ..liveblog import split_entries

    try:
        loaded = read_file(Path(path), Path(path).stem, rules, tz)
    except InputError as exc:
        return exc
    for item in loaded:
        if item.entries is None:
            item.entries, problems = split_entries(item.document, tz)
            item.problems.extend(problems)
    return loaded


def _parallel_reads(
    targets: list[str], rules: Rules, tz: ZoneInfo
) -> dict[str, list[Loaded] | InputError]:
    files = [t for t in targets if not _is_url(t)]
    if len(files) < PARALLEL_MIN_FILES:
        return {}  # read one by one in `ingest`, as they come
    read = partial(_read_and_split, rules=rules, tz=tz)
    return dict(zip(files, fork_map(read, files, PARALLEL_MIN_FILES, step=4), strict=True))


def ingest(
    inputs: Sequence[str],
    *,
    rules: Rules,
    tz: ZoneInfo,
    fetch: FetchOptions | None = None,
    on_progress: Callable[[str], None] | None = None,
) -> IngestResult:
    """Read every input; one bad input is recorded in `skipped` and never stops the rest."""
    result = IngestResult()
    targets = expand(inputs, result.skipped)
    http = None
    used_ids: set[str] = set()
    seen_content: dict[int, str] = {}
    done = _parallel_reads(targets, rules, tz)
    try:
        for target in targets:
            try:
                if target in done:
                    got = done[target]
                    if isinstance(got, InputError):
                        raise got
                    loaded = got
                elif _is_url(target):
                    from .web import client, read_url

                    opts = fetch or FetchOptions()
                    http = http or client(opts)
                    loaded = read_url(http, target, rules, tz, opts)
                else:
                    loaded = read_file(Path(target), Path(target).stem, rules, tz)
            except InputError as exc:
                result.skipped.append(Skip(exc.source, exc.reason))
                loaded = []
            for item in loaded:
                doc = item.document
                key = hash((doc.raw_text, doc.text))
                if key in seen_content:  # the same file under another name: read once
                    result.skipped.append(
                        Skip(doc.source, f"identical to {seen_content[key]}", "excluded")
                    )
                    continue
                seen_content[key] = doc.source
                doc_id, n = doc.id, 2
                while doc_id in used_ids:
                    doc_id, n = f"{doc.id}-{n}", n + 1
                used_ids.add(doc_id)
                if doc_id != doc.id:
                    item.document = replace(doc, id=doc_id)
                    if item.entries:
                        item.entries = [replace(e, document=doc_id) for e in item.entries]
                result.skipped.extend(Skip(doc.source, p, "error") for p in item.problems)
                result.loaded.append(item)
            if on_progress:
                on_progress(target)
    finally:
        if http is not None:
            http.close()
    return result
