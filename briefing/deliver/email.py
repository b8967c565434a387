"""(I/O) The email digest: one multipart/alternative message per recipient, sent over SMTP.

Each (topic, date, recipient) is sent at most once: the state database is checked before
sending and written only after the server accepted the message; `force` resends. Temporary
failures (4xx, disconnects, timeouts) are retried with backoff; a refused recipient (5xx) is
recorded as failed and does not stop the others.
"""

from __future__ import annotations

import logging
import re
import smtplib
import socket
import ssl
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import TYPE_CHECKING, Literal

import jinja2

from ..config import SmtpConfig
from ..contract import Briefing
from ..errors import DeliveryError, UsageError
from ..render import environment, view

if TYPE_CHECKING:
    from ..store import Store

log = logging.getLogger(__name__)

GMAIL_CLIP_BYTES = 102 * 1024
MAX_HTML_BYTES = 100 * 1024  # a margin under Gmail's clipping point
_ADDRESS = re.compile(
    r"^[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)


def check_address(addr: str) -> str:
    """A single, plain address; anything with CR/LF or not an address is refused."""
    return mailbox(addr).addr_spec


def mailbox(addr: str) -> Address:
    """`ana@example.org` or `Ben Smith <ben@example.org>` -> an Address that keeps the name."""
    if any(c in addr for c in "\r\n\x00"):
        raise UsageError(f"email address {addr!r} contains a line break")
    name, email = parseaddr(addr)
    if not email or not _ADDRESS.match(email):
        raise UsageError(f"{addr!r} is not a valid email address")
    return Address(display_name=name, addr_spec=email)


def check_header(value: str, what: str) -> str:
    if any(c in value for c in "\r\n\x00"):
        raise UsageError(f"{what} contains a line break: {value!r}")
    return value


def subject_for(b: Briefing) -> str:
    return check_header(f"{b.topic} — {view(b).date_label}", "subject")


def render_email(b: Briefing, template_dir: str | None = None) -> tuple[str, str]:
    """(plain text, HTML with CSS inlined). The HTML is shrunk until it fits under Gmail's
    clipping size: first the source excerpts go, then whole sections from the end."""
    import css_inline

    env = environment(template_dir)
    text = env.get_template("email.txt.j2").render(v=view(b))
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
    sections = list(b.sections)
    compact = False
    while True:
        trimmed = b.model_copy(update={"sections": sections})
        try:
            html = env.get_template("email.html.j2").render(
                v=view(trimmed), compact=compact, omitted=len(b.sections) - len(sections)
            )
        except jinja2.TemplateError as exc:
            raise DeliveryError(f"email template: {exc}") from exc
        html = inliner.inline(html)
        if len(html.encode()) <= MAX_HTML_BYTES:
            return text, html
        if not compact:
            compact = True
        elif len(sections) > 1:
            sections = sections[:-1]
        else:
            return text, html  # one section that alone is too big: send it anyway, clipped


def build_message(
    b: Briefing, cfg: SmtpConfig, recipient: str, template_dir: str | None = None
) -> EmailMessage:
    text, html = render_email(b, template_dir)
    sender = mailbox(cfg.sender).addr_spec
    msg = EmailMessage()
    msg["Subject"] = subject_for(b)
    msg["From"] = mailbox(cfg.sender)
    msg["To"] = mailbox(recipient)
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(idstring="briefing", domain=sender.split("@", 1)[1])
    if cfg.list_unsubscribe:
        link = check_header(cfg.list_unsubscribe, "List-Unsubscribe")
        msg["List-Unsubscribe"] = link if link.startswith("<") else f"<{link}>"
        if link.lstrip("<").startswith("http"):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


@dataclass(slots=True)
class Outcome:
    recipient: str
    status: Literal["sent", "failed", "already sent", "dry run"]
    message_id: str | None = None
    error: str | None = None
    attempts: int = 0


def _connect(cfg: SmtpConfig) -> smtplib.SMTP:
    if cfg.security == "ssl":
        server: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                                context=ssl.create_default_context())  # fmt: skip
    else:
        server = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
        if cfg.security == "starttls":
            server.starttls(context=ssl.create_default_context())
    if cfg.user:
        server.login(cfg.user, cfg.password or "")
    return server


def _temporary(exc: BaseException) -> bool:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 400 <= exc.smtp_code < 500
    return isinstance(
        exc, (smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError, OSError, socket.timeout)
    )


def _describe(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(
            f"{r}: {c} {m.decode(errors='replace')}" for r, (c, m) in exc.recipients.items()
        )
    if isinstance(exc, smtplib.SMTPResponseException):
        msg = (
            exc.smtp_error.decode(errors="replace")
            if isinstance(exc.smtp_error, bytes)
            else exc.smtp_error
        )
        return f"{exc.smtp_code} {msg}"
    return f"{type(exc).__name__}: {exc}"


def send_one(msg: EmailMessage, cfg: SmtpConfig) -> tuple[str | None, int]:
    """Send with retries; returns (error or None, attempts)."""
    delay = cfg.backoff
    error = None
    for attempt in range(1, cfg.retries + 1):
        try:
            with _connect(cfg) as server:
                server.send_message(msg)
            return None, attempt
        except (smtplib.SMTPException, OSError) as exc:
            error = _describe(exc)
            if isinstance(exc, smtplib.SMTPAuthenticationError):
                raise DeliveryError(f"SMTP login refused for {cfg.user}: {exc.smtp_code}") from None
            if not _temporary(exc) or attempt == cfg.retries:
                return error, attempt
            log.warning("send to %s failed (%s); retrying in %.0f s", msg["To"], error, delay)
            time.sleep(delay)
            delay *= 2
    return error, cfg.retries


def send_briefing(
    b: Briefing,
    briefing_id: int,
    recipients: Sequence[str],
    cfg: SmtpConfig,
    store: Store,
    *,
    force: bool = False,
    dry_run: bool = False,
    template_dir: str | None = None,
) -> list[Outcome]:
    """Send the briefing to each recipient at most once (per topic and date)."""
    if not b.date:
        raise UsageError("only a briefing of one date (--date) can be emailed")
    if not recipients:
        raise UsageError("no recipients: pass --to or set BRIEFING_MAIL_TO")
    boxes: dict[str, str] = {}  # address -> as written (with its display name), first wins
    for r in recipients:
        boxes.setdefault(check_address(r).lower(), r)
    check_address(cfg.sender)
    outcomes = []
    for rcpt, written in boxes.items():
        if not force and store.was_sent(b.topic_key, b.date, rcpt):
            outcomes.append(Outcome(rcpt, "already sent"))
            continue
        msg = build_message(b, cfg, written, template_dir)
        if dry_run:
            outcomes.append(Outcome(rcpt, "dry run", msg["Message-ID"]))
            continue
        error, attempts = send_one(msg, cfg)
        status: Literal["sent", "failed"] = "failed" if error else "sent"
        store.record_delivery(briefing_id, b.topic_key, b.date, rcpt, status, msg["Message-ID"],
                              error)  # fmt: skip
        outcomes.append(Outcome(rcpt, status, msg["Message-ID"], error, attempts))
    return outcomes
