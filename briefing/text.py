"""Text forms every stage shares: untrusted text scrubbed, normalised (Unicode, quotes,
spaces), folded for comparison, and slugged. Pure: strings in, strings out."""

from __future__ import annotations

import re
import unicodedata

_QUOTE_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u00ab": '"', "\u00bb": '"',
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ",
    "\u200b": "", "\ufeff": "", "\u00ad": "",
}  # fmt: skip
# str.translate with deletions takes CPython's slow path (a dict lookup per character); a regex
# finds the rare characters to replace at C speed and leaves the rest alone.
_QUOTE_RE = re.compile("[" + re.escape("".join(_QUOTE_MAP)) + "]")


def _straighten(text: str) -> str:
    return _QUOTE_RE.sub(lambda m: _QUOTE_MAP[m.group()], text)


# Characters that never belong in text we store or show: C0 and C1 controls (not tab and line
# breaks), bidi embeddings, overrides and isolates (U+202A-E, U+2066-9: "Trojan Source"),
# invisible zero-width characters (ZWSP, word joiner, BOM, Mongolian vowel separator) and
# lone surrogates (they cannot be encoded). ZWJ/ZWNJ stay: Persian, Indic scripts and emoji
# need them.
_CONTROL = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\u202a-\u202e\u2066-\u2069"
    "\u200b\u2060\u180e\ufeff\ud800-\udfff]"
)
_LINE_BREAKS = re.compile("[\r\x85\u2028\u2029]")  # Unicode line breaks -> "\n"


def scrub(text: str) -> str:
    """Untrusted text made safe to store, render and put in XML: control, bidi-override and
    zero-width characters removed, Unicode line breaks made plain newlines. Idempotent."""
    text = _LINE_BREAKS.sub("\n", text.replace("\r\n", "\n"))
    return _CONTROL.sub("", text)


def scrub_line(text: str | None) -> str | None:
    """A one-line field (title, author, publisher, bullet): scrubbed, its whitespace
    (line breaks too) collapsed to single spaces; None when nothing is left."""
    if text is None:
        return None
    return " ".join(scrub(text).split()) or None


def _collapse(text: str, run: str, into: str) -> str:
    """Runs of `run` -> `into`; str.replace in a loop beats a regex here (a third of the
    time of reading a file went to whitespace regexes)."""
    while run in text:
        text = text.replace(run, into)
    return text


def normalise(text: str) -> str:
    """Unicode NFC, straight quotes, one space between words, at most one blank line."""
    if not text.isascii():
        text = _straighten(unicodedata.normalize("NFC", scrub(text)))
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = text.replace("\t", " ")  # \f and \v went with the control characters
    text = "\n".join(line.strip(" ") for line in _collapse(text, "  ", " ").split("\n"))
    return _collapse(text, "\n\n\n", "\n\n").strip()


_NONWORD = re.compile(r"[^\w%£$€]+")


def fingerprint_text(text: str) -> str:
    """Aggressive normal form for comparing content: case, quotes, dashes, punctuation folded
    (quotes and dashes are punctuation, so they fold to the same space)."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return _NONWORD.sub(" ", text.casefold()).strip()


def slug(text: str, limit: int = 60, fallback: str = "item") -> str:
    """A file-name-safe slug (lowercase ASCII letters, digits and dashes), transliterating
    accented Latin letters ("Zürich" -> "zurich"); `fallback` when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    s = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return s[:limit].rstrip("-") or fallback
