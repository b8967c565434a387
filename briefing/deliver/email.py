"""(I/O) The email digest: one multipart/alternative message per recipient, sent over SMTP.

Each (topic, date, recipient) is sent at most once, even by two processes at once: it is
claimed in the state database before the SMTP transaction (`Store.claim`), and the claim
becomes 'sent' only after the server accepted the message; `force` resends. Temporary
failures (4xx, disconnects mid-transaction) are retried with backoff; a refused recipient
(5xx) is recorded as failed and does not stop the others. A setup error that will not change
by retrying (nothing listening, no STARTTLS, TLS on a plain port, a refused login) stops the
run at once with one line that names the likely fix. Each message has a whole-message deadline
and the send a whole-run one (`smtp.py`): a recipient cut off by either is recorded as failed,
which frees it for a later send; recipients not reached before the run's deadline are not
claimed at all.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import TYPE_CHECKING, Literal

import jinja2

from ..config import SmtpConfig, addresses, check_address, mailbox
from ..contract import Briefing
from ..errors import DeliveryError, UsageError
from ..render import environment, view
from ..state import StateError
from .smtp import Deadline, SetupError, send_one

if TYPE_CHECKING:
    from ..state import Store

log = logging.getLogger(__name__)

GMAIL_CLIP_BYTES = 102 * 1024
MAX_HTML_BYTES = 100 * 1024  # a margin under Gmail's clipping point
def check_header(value: str, what: str) -> str:
    """A header value on one line: no line break of any kind (CR, LF, NEL, U+2028, U+2029,
    vertical tab, form feed…) and no control character."""
    import unicodedata

    if len(value.splitlines()) > 1 or any(
        unicodedata.category(c) in ("Cc", "Zl", "Zp") for c in value
    ):
        raise UsageError(f"{what} contains a line break or a control character: {value!r}")
    return value


def check_unsubscribe(value: str) -> str:
    """One `mailto:` or `https:` URL (optionally in <>), for the List-Unsubscribe header."""
    from urllib.parse import urlsplit

    link = check_header(value.strip(), "list_unsubscribe")
    if link.startswith("<") and link.endswith(">"):
        link = link[1:-1]
    bad = not link or any(c in link for c in "<>, \t\"'")
    parts = urlsplit(link) if not bad else None
    if parts is None or not (
        (parts.scheme == "https" and parts.hostname)
        or (parts.scheme == "mailto" and "@" in parts.path)
    ):
        raise UsageError(
            f"list_unsubscribe {value!r}: give one mailto: or https: URL, "
            "e.g. mailto:unsubscribe@example.org or https://example.org/unsubscribe"
        )
    return link


def subject_for(b: Briefing) -> str:
    return check_header(f"{b.topic} — {view(b).date_label}", "subject")


def render_email(
    b: Briefing,
    template_dir: str | None = None,
    archive_url: str | None = None,
    unsubscribe: str | None = None,
    revision: int | None = None,
) -> tuple[str, str]:
    """(plain text, HTML with CSS inlined). The HTML is shrunk until it fits under Gmail's
    clipping size: first the source excerpts go, then whole sections from the end. With
    `archive_url`, both parts link to the edition's page (with `revision`, a later revision of
    its slot: that revision's own page, …/rN/); with `unsubscribe`, they say how to stop the
    emails."""
    import css_inline

    from .archive import permalink, revision_link

    env = environment(template_dir)
    page = None
    if archive_url and b.date:  # a briefing of no date has no archive page
        page = archive_url + (revision_link(b, revision) if revision else permalink(b))
    links = {"archive_link": page,
             "unsubscribe": unsubscribe}  # fmt: skip
    text = env.get_template("email.txt.j2").render(v=view(b), **links)
    inliner = css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False)
    sections = list(b.sections)
    compact = False
    while True:
        trimmed = b.model_copy(update={"sections": sections})
        try:
            html = env.get_template("email.html.j2").render(
                v=view(trimmed), compact=compact, omitted=len(b.sections) - len(sections), **links
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
    b: Briefing, cfg: SmtpConfig, recipient: str, template_dir: str | None = None,
    revision: int | None = None,
) -> EmailMessage:
    """`revision`: a later revision of its slot (its archive page is …/rN/)."""
    unsubscribe = check_unsubscribe(cfg.list_unsubscribe) if cfg.list_unsubscribe else None
    text, html = render_email(b, template_dir, cfg.archive_url, unsubscribe, revision)
    sender = mailbox(cfg.sender).addr_spec
    msg = EmailMessage()
    msg["Subject"] = subject_for(b)
    msg["From"] = mailbox(cfg.sender)
    msg["To"] = mailbox(recipient)
    msg["Date"] = format_datetime(datetime.now().astimezone())
    msg["Message-ID"] = make_msgid(idstring="briefing", domain=sender.split("@", 1)[1])
    if cfg.list_unsubscribe:
        link = check_unsubscribe(cfg.list_unsubscribe)
        msg["List-Unsubscribe"] = f"<{link}>"
        if link.startswith("https:"):
            msg["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    msg.set_content(text)
    msg.add_alternative(html, subtype="html")
    return msg


@dataclass(slots=True)
class Outcome:
    recipient: str
    status: Literal["sent", "failed", "already sent", "in progress", "dry run"]
    message_id: str | None = None
    error: str | None = None
    attempts: int = 0


class Stopped(DeliveryError):
    """Sending stopped part way (the state or the settings failed); `outcomes` says what was
    done before."""

    def __init__(self, message: str, outcomes: list[Outcome]) -> None:
        super().__init__(message)
        self.outcomes = outcomes


def recipients_of(
    recipients: Sequence[str], cfg: SmtpConfig, what: str = "mail_to"
) -> dict[str, str]:
    """Every address checked before anything is built or sent (errors name `what`, the
    setting, exit 2): address -> as written (with its display name), the first of repeats."""
    if not recipients:
        raise UsageError("no recipients: pass --to or set BRIEFING_MAIL_TO")
    boxes: dict[str, str] = {}
    for r in addresses(recipients, what):
        boxes.setdefault(check_address(r, what).lower(), r)
    check_address(cfg.sender, "mail_from")
    if cfg.list_unsubscribe:
        check_unsubscribe(cfg.list_unsubscribe)
    return boxes


def _later_revision(store: Store, b: Briefing, briefing_id: int) -> int | None:
    """The briefing's revision when it is a later revision of its slot (its readers so far
    got another one): the archive keeps it on its own page, which its email links to."""
    in_force = store.edition(b.topic_key, b.date) if b.date else None
    if in_force is None or in_force[0] == briefing_id:
        return None
    return store.revision_of(briefing_id)


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
    """Send the briefing to each recipient at most once (per topic and date): each is claimed
    before its SMTP transaction, so a second process skips it. A state that cannot be written
    or a setup error stops the run (`Stopped`, with what was done); nothing the server
    accepted is sent again."""
    if not b.date:
        raise UsageError("only a briefing of one date (--date) can be emailed")
    boxes = recipients_of(recipients, cfg)
    outcomes: list[Outcome] = []
    later = _later_revision(store, b, briefing_id)
    whole = Deadline(cfg.run_deadline, "smtp_run_deadline")
    for rcpt, written in boxes.items():
        if not dry_run and whole.passed():
            outcomes.append(Outcome(rcpt, "failed", error=f"not tried: the send took longer "
                                    f"than {whole}; a later send will mail it"))  # fmt: skip
            continue
        if dry_run:
            if not force and store.was_sent(b.topic_key, b.date, rcpt):
                outcomes.append(Outcome(rcpt, "already sent"))
                continue
            msg = build_message(b, cfg, written, template_dir, later)
            outcomes.append(Outcome(rcpt, "dry run", msg["Message-ID"]))
            continue
        msg = build_message(b, cfg, written, template_dir, later)
        try:
            claim = store.claim(briefing_id, b.topic_key, b.date, rcpt, force=force)
        except StateError as exc:
            raise Stopped(f"nothing more was sent: {exc}", outcomes) from None
        if claim.state == "sent":
            outcomes.append(Outcome(rcpt, "already sent"))
            continue
        if claim.state == "busy":
            outcomes.append(Outcome(rcpt, "in progress", error=f"being sent by {claim.owner}"))
            continue
        assert claim.row is not None
        try:
            deadline = Deadline(cfg.message_deadline, "smtp_message_deadline").sooner(whole)
            error, attempts = send_one(msg, cfg, deadline)
        except BaseException as exc:  # a setup error, Ctrl-C: the claim is given back
            with contextlib.suppress(StateError):
                store.finish_delivery(claim.row, "failed", msg["Message-ID"], str(exc), tries=1)
            if isinstance(exc, SetupError):
                raise Stopped(str(exc), outcomes) from None
            raise
        status: Literal["sent", "failed"] = "failed" if error else "sent"
        try:
            store.finish_delivery(claim.row, status, msg["Message-ID"], error)
        except StateError as exc:
            outcomes.append(Outcome(rcpt, status, msg["Message-ID"], error, attempts))
            raise Stopped(
                f"{rcpt} was {status} but that could not be recorded, so nothing more was "
                f"sent: {exc}", outcomes,
            ) from None  # fmt: skip
        outcomes.append(Outcome(rcpt, status, msg["Message-ID"], error, attempts))
    return outcomes
