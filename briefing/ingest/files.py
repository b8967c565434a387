"""(I/O) Files and folders -> parsed documents."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from ..contract import Skipped
from ..errors import InputError
from ..models import Loaded
from .clean import Rules
from .feeds import documents_from_feed, looks_like_feed
from .parse import (
    decode,
    document_from_html,
    document_from_text,
    documents_from_json,
    feeds_from_opml,
)

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
OPML_SUFFIXES = {".opml"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | OPML_SUFFIXES | {".json"}
MAX_FILE_BYTES = 20 * 1024 * 1024


MAX_DEPTH = 64  # folders below an input folder; deeper ones are reported, not read


def walk(path: Path, skipped: list[Skipped] | None = None) -> Iterator[Path]:
    """Files under a folder, sorted, hidden ones skipped. Symlinked folders are not followed;
    a symlinked file is read only when it points inside the folder (pass a file itself to
    read it wherever it points). Folders deeper than MAX_DEPTH, and symlinks that lead out,
    are added to `skipped` with the reason. Iterative: any depth, no recursion."""
    root = path.resolve()
    stack: list[tuple[Path, int]] = [(path, 0)]
    while stack:
        folder, depth = stack.pop()
        try:
            names = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            _skip(skipped, folder, f"cannot read the folder: {exc.strerror or exc}")
            continue
        subfolders = []
        for e in names:
            if e.name.startswith("."):
                continue
            p = Path(e.path)
            if e.is_dir(follow_symlinks=False):
                if depth + 1 > MAX_DEPTH:
                    _skip(skipped, p, f"folder nested more than {MAX_DEPTH} levels deep: not read")
                else:
                    subfolders.append((p, depth + 1))
            elif p.suffix.lower() in SUFFIXES:
                if e.is_symlink() and not _inside(p, root):
                    _skip(skipped, p, "a symbolic link to a file outside the folder: not "
                                      "read (give the file itself to read it)")  # fmt: skip
                    continue
                yield p
        stack.extend(reversed(subfolders))  # depth first, in name order


def _inside(link: Path, root: Path) -> bool:
    try:
        return link.resolve().is_relative_to(root)
    except (OSError, RuntimeError):  # a loop
        return False


def _skip(skipped: list[Skipped] | None, path: Path, reason: str) -> None:
    if skipped is not None:
        skipped.append(Skipped(input=str(path), reason=reason))


def read_bytes(path: Path, max_bytes: int = MAX_FILE_BYTES) -> bytes:
    """A regular file's bytes, within the size limit, or an InputError saying why not."""
    source = str(path)
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):  # a FIFO or device would block or never end
            raise InputError(source, "not a regular file")
        if st.st_size > max_bytes:
            raise InputError(
                source, f"file is {st.st_size:,} bytes, over the {max_bytes:,}-byte limit"
            )
        return path.read_bytes()
    except PermissionError as exc:
        raise InputError(source, "permission denied") from exc
    except IsADirectoryError as exc:
        raise InputError(source, "is a directory") from exc
    except OSError as exc:
        raise InputError(source, f"cannot read: {exc.strerror or exc}") from exc


def read_opml(path: Path) -> list[str]:
    """The feed URLs an OPML file lists."""
    return feeds_from_opml(read_bytes(path), str(path))


def read_file(
    path: Path, doc_id: str, rules: Rules, tz: ZoneInfo, max_bytes: int = MAX_FILE_BYTES
) -> list[Loaded]:
    source = str(path)
    data = read_bytes(path, max_bytes)
    suffix = path.suffix.lower()
    if suffix in FEED_SUFFIXES or (suffix not in SUFFIXES and looks_like_feed(data)):
        return documents_from_feed(data, source=source, rules=rules, tz=tz)
    text = decode(data, source)
    if suffix == ".json":
        return documents_from_json(text, stem=doc_id, source=source, rules=rules, tz=tz)
    if suffix in HTML_SUFFIXES:
        return [document_from_html(text, doc_id=doc_id, source=source, rules=rules, tz=tz)]
    return [
        document_from_text(
            text, doc_id=doc_id, source=source, rules=rules, tz=tz,
            markdown=suffix in {".md", ".markdown"},
        )
    ]  # fmt: skip
