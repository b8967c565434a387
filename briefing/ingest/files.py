"""(I/O) Files and folders -> parsed documents."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

from ..clean import Rules
from ..errors import InputError
from ..models import Loaded
from .parse import (
    decode,
    document_from_html,
    document_from_text,
    documents_from_feed,
    documents_from_json,
    feeds_from_opml,
    looks_like_feed,
)

TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
FEED_SUFFIXES = {".xml", ".rss", ".atom"}
OPML_SUFFIXES = {".opml"}
SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | FEED_SUFFIXES | OPML_SUFFIXES | {".json"}
MAX_FILE_BYTES = 20 * 1024 * 1024


def walk(path: Path) -> Iterator[Path]:
    """Files under a folder, sorted, hidden ones skipped; symlinked folders are not followed."""
    for root, dirs, files in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            p = Path(root, name)
            if not name.startswith(".") and p.suffix.lower() in SUFFIXES:
                yield p


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
