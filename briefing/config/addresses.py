"""Email addresses in settings and flags (pure): the standard library's parser
(`email.utils.getaddresses`) splits an entry into one address each, `"Smith, Bob" <b@x.org>`
staying one. An international domain becomes its IDNA (xn--) form; a non-ASCII part before
the @ (it needs SMTPUTF8, which is not supported), a line break or a non-address is refused,
with an error naming the setting (`what`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from email.headerregistry import Address
from email.utils import getaddresses

from ..errors import ConfigError

_ADDRESS = re.compile(
    r"^[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


def split_addresses(entries: Sequence[str]) -> list[str]:
    """Entries -> one address each, as it will be written (`Name <a@x.org>`); ValueError
    with the reason for a part that is not one address. Empty items (`a@x.org, , b@y.org`,
    a trailing comma) are ignored; nothing else is dropped: the parser's silent skips (`bob@`,
    `x@y@z`, `a@x.org; b@y.org`) are errors."""
    out: list[str] = []
    for entry in entries:
        _no_breaks(entry)
        parts = [p for p in _items(entry) if p.strip()]
        if not parts:
            raise ValueError(f"{entry!r} is not a valid email address")
        for part in parts:
            found = getaddresses([part])
            if len(found) != 1 or found[0] == ("", ""):
                hint = " (separate addresses with commas)" if ";" in part else ""
                raise ValueError(f"{part.strip()!r} is not a valid email address{hint}")
            name, email = found[0]
            out.append(str(_box(name, email, part.strip())))
    return out


def _items(entry: str) -> list[str]:
    """An entry split at its commas outside quotes, <…> and (comments)."""
    items, start, depth, quoted, escaped = [], 0, 0, False, False
    for i, c in enumerate(entry):
        if escaped:
            escaped = False
        elif c == "\\":
            escaped = True
        elif c == '"':
            quoted = not quoted
        elif not quoted and c in "<(":
            depth += 1
        elif not quoted and c in ">)":
            depth = max(depth - 1, 0)
        elif c == "," and not quoted and depth == 0:
            items.append(entry[start:i])
            start = i + 1
    return [*items, entry[start:]]


def addresses(entries: Sequence[str], what: str = "mail_to") -> list[str]:
    """`split_addresses`, its errors naming the setting: `mail_to: 'x' is not …` (exit 2)."""
    try:
        return split_addresses(entries)
    except ValueError as exc:
        raise ConfigError(f"{what}: {exc}") from None


def mailbox(addr: str, what: str = "email address") -> Address:
    """`ana@example.org` or `Ben Smith <ben@example.org>` -> an Address that keeps the name.
    Exactly one address."""
    try:
        _no_breaks(addr)
        found = [pair for pair in getaddresses([addr]) if pair != ("", "")]
        if len(found) > 1:
            raise ValueError(f"{addr!r} holds {len(found)} addresses; give one per entry")
        name, email = found[0] if found else ("", "")
        return _box(name, email, addr)
    except ValueError as exc:
        raise ConfigError(f"{what}: {exc}") from None


def check_address(addr: str, what: str = "email address") -> str:
    """A single, plain address; anything with CR/LF or not an address is refused."""
    return mailbox(addr, what).addr_spec


def _no_breaks(entry: str) -> None:
    if any(c in entry for c in "\r\n\x00"):
        raise ValueError(f"email address {entry!r} contains a line break")


def _box(name: str, email: str, addr: str) -> Address:
    local, _, domain = email.rpartition("@")
    if not local.isascii():
        raise ValueError(f"{addr!r} has non-ASCII before the @, which needs SMTPUTF8 "
                         "(not supported): use an ASCII address")  # fmt: skip
    if not domain.isascii():
        try:
            domain = domain.encode("idna").decode("ascii")
        except UnicodeError:
            raise ValueError(f"{addr!r} has an invalid international domain") from None
        email = f"{local}@{domain}"
    if not email or not _ADDRESS.match(email):
        raise ValueError(f"{addr!r} is not a valid email address")
    return Address(display_name=name, addr_spec=email)
