"""Input bytes -> text: BOM-marked UTF-8/16/32 or plain UTF-8; binaries and other encodings
are refused with the reason. Pure."""

from __future__ import annotations

import codecs

from ..errors import InputError

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)  # fmt: skip
_BINARY_MAGIC = {
    b"\x89PNG": "a PNG image", b"PK\x03\x04": "a ZIP archive", b"%PDF": "a PDF document",
    b"\xff\xd8\xff": "a JPEG image", b"GIF8": "a GIF image", b"\x1f\x8b": "a gzip archive",
}  # fmt: skip


def decode(data: bytes, source: str) -> str:
    """Bytes -> text: BOM-marked UTF-8/16/32 or plain UTF-8; anything else is refused."""
    if not data.strip():
        raise InputError(source, "empty file")
    for magic, what in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise InputError(source, f"binary file ({what}), not text")
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc)
            except UnicodeDecodeError as exc:
                raise InputError(source, f"invalid {enc} text: {exc.reason}") from exc
    if b"\x00" in data[:8192]:
        raise InputError(source, "binary file (contains NUL bytes), not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            source,
            f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "re-save the file as UTF-8",
        ) from exc
