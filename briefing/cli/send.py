"""`briefing send`: email the briefing of a day to its recipients, each at most once."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .main import app, err, handled, say
from .options import Arg, Opt

if TYPE_CHECKING:
    from email.message import EmailMessage

    from ..deliver import Outcome


@app.command()
def send(
    inputs: Annotated[list[str] | None, Arg("INPUTS")] = None,
    sample: Annotated[bool, Opt("--sample", help="Use the bundled sample corpus as input.")] = False,
    day: Annotated[str | None, Opt("--date", help="Which day's briefing (default: today in --tz).")] = None,
    topic: Annotated[str | None, Opt("--topic", help="A configured topic, key or title (default: the only one).")] = None,
    to: Annotated[list[str] | None, Opt("--to", help="Recipient (repeatable; default: the topic's mail_to, else BRIEFING_MAIL_TO).")] = None,
    dry_run: Annotated[bool, Opt("--dry-run", help="Show the message (headers and text) instead of sending; with --out, write it as a .eml file.")] = False,
    out: Annotated[Path | None, Opt("--out", "-o", help="With --dry-run: write the message to this .eml file.")] = None,
    force: Annotated[bool, Opt("--force", help="Send again to recipients who already had it.")] = False,
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file (default ./briefing.toml).")] = None,
) -> None:
    """Email a topic's edition of a day to its readers, each once.

    One multipart (text + HTML) message per recipient; the edition is made first if there is
    none (or from INPUTS, when given). Readers who had the day (any revision of its edition)
    are skipped unless --force; the newest revision is what the others get. Exit codes: 0 every recipient has it; 3 some failed;
    1 all failed, or an error."""
    with handled():
        from .. import app as runs
        from ..config import load_settings
        from ..deliver import Stopped, build_message, recipients_of, send_briefing, tally
        from ..errors import EXIT_PARTIAL, BriefingError
        from .options import parse_day

        settings = load_settings(config, state_dir=state)
        req = runs.request(settings, inputs or [], sample=sample, topic=topic,
                           day=parse_day(day, "--date"), default_today=True, due="slot")  # fmt: skip
        recipients = list(to or req.topic.mail_to)
        cfg = settings.smtp(dry_run=dry_run)
        if recipients or not dry_run:  # every address checked before the edition is made
            recipients_of(recipients, cfg, "--to" if to else req.topic.settings.origin("mail_to"))
        with runs.open_store(settings) as store:
            assert store is not None
            made = runs.edition(store, req)
            b, briefing_id = made.briefing, made.state_id
            assert briefing_id is not None
            rev = store.revision_of(briefing_id)
            if dry_run:
                _show(build_message(b, cfg, recipients[0] if recipients else cfg.sender), out)
            try:
                outcomes = send_briefing(b, briefing_id, recipients, cfg, store, force=force, dry_run=dry_run)
            except Stopped as stop:
                _print(stop.outcomes)
                raise
        _print(outcomes)
        err(f"briefing {briefing_id} ({b.topic_key} {b.date}, revision {rev}): {tally(outcomes)}")
        failed = [o for o in outcomes if o.status == "failed"]
        if failed:
            err(f"briefing: {len(failed)} of {len(outcomes)} recipient(s) failed")
            if len(failed) == len(outcomes):
                raise BriefingError("no recipient could be sent the briefing")
            raise typer.Exit(EXIT_PARTIAL)


def _show(msg: EmailMessage, out: Path | None) -> None:
    """A dry run: the message's headers and plain-text body, or the whole message as .eml."""
    from ..errors import DeliveryError

    data = msg.as_bytes()
    if out is not None:
        try:
            out.write_bytes(data)
        except OSError as exc:
            raise DeliveryError(f"cannot write {out}: {exc.strerror or exc}") from None
        print(f"{out}\t{len(data):,} bytes; nothing sent")
        return
    for key in ("From", "To", "Subject", "Date", "Message-ID", "List-Unsubscribe"):
        if msg[key]:
            print(f"{key}: {msg[key]}")
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    print("\n" + (text.get_content() if text else "").rstrip() + "\n")
    html_size = len(html.get_content().encode()) if html else 0
    print(f"[{len(data):,} bytes; HTML part {html_size:,} bytes; nothing sent]")


def _print(outcomes: list[Outcome]) -> None:
    for o in outcomes:
        extra = f" ({o.message_id})" if o.status == "sent" else (f": {o.error}" if o.error else "")
        line = f"{o.status}\t{o.recipient}{extra}"
        if o.status == "failed":
            print(line)
        else:
            say(line)
