"""`briefing run`: inputs -> a cited briefing in Markdown, HTML and/or JSON."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .main import app, handled, log, say
from .options import Arg, Opt

if TYPE_CHECKING:
    from ..app import Produced, RunRequest
    from ..contract import Briefing
    from ..state import Store



@app.command()
def run(
    inputs: Annotated[list[str] | None, Arg("INPUTS")] = None,
    sample: Annotated[bool, Opt("--sample", help="Brief the bundled sample corpus (Ukraine talks).")] = False,
    day: Annotated[str | None, Opt("--date", help="Brief entries of this day (YYYY-MM-DD, in --tz).")] = None,
    since: Annotated[str | None, Opt("--since", help="Entries of the last 90m/24h/2d/1w (to the end of --date, else now).")] = None,
    tz: Annotated[str | None, Opt("--tz", help="Time zone for --date and bylines (default Europe/London).")] = None,
    assume_date: Annotated[str | None, Opt("--assume-date", help="Date (YYYY-MM-DD) for undated documents.")] = None,
    topic: Annotated[str | None, Opt("--topic", help="A configured topic (key or title), or the title of a new one.")] = None,
    save: Annotated[bool, Opt("--save", help="Store this run as the topic's edition of the day (ad-hoc runs are not).")] = False,
    fmt: Annotated[str | None, Opt("--format", "-f", help="md, html, json or all (default: md to stdout; all with --out).")] = None,
    out: Annotated[Path | None, Opt("--out", "-o", help="Write briefing.<format> files into this folder.")] = None,
    boilerplate: Annotated[Path | None, Opt("--boilerplate", help="Extra boilerplate rules (TOML).")] = None,
    templates: Annotated[Path | None, Opt("--templates", help="Templates overriding the packaged ones.")] = None,
    llm: Annotated[str | None, Opt("--llm", help="auto (the LLM when configured), openai or extractive.")] = None,
    model: Annotated[str | None, Opt("--model", help="LLM model name.")] = None,
    base_url: Annotated[str | None, Opt("--base-url", help="OpenAI-compatible server, e.g. http://127.0.0.1:11434/v1.")] = None,
    concurrency: Annotated[int | None, Opt("--concurrency", help="Story calls in flight at once.")] = None,
    timeout: Annotated[float | None, Opt("--timeout", help="Seconds per LLM request.")] = None,
    max_retries: Annotated[int | None, Opt("--max-retries", help="SDK retries per LLM request.")] = None,
    prompt_version: Annotated[list[str] | None, Opt("--prompt-version", help="NAME@VERSION of a prompt (repeatable).")] = None,
    state: Annotated[Path | None, Opt("--state", help="State folder (LLM cache); default: user data dir.")] = None,
    no_cache: Annotated[bool, Opt("--no-cache", help="Neither read nor write the LLM cache.")] = False,
    config: Annotated[Path | None, Opt("--config", help="Settings file (default ./briefing.toml).")] = None,
    new: Annotated[bool, Opt("--new", help="Only entries first seen since this topic's last briefing.")] = False,
    no_state: Annotated[bool, Opt("--no-state", help="Do not record this run in the state database.")] = False,
) -> None:
    """Brief a topic, or files, folders and URLs.

    The briefing is written as Markdown, HTML or JSON. INPUTS (files, folders, page and feed
    URLs, OPML lists) override the topic's sources. Exit codes: 0 written; 3 written, but some inputs
    were skipped; 4 written, but the extractive summariser stood in for the LLM; 5 nothing
    to brief; 1 error; 2 usage error."""
    with handled():
        from .. import app as runs
        from ..config import load_settings
        from ..errors import EXIT_DEGRADED, EXIT_PARTIAL, UsageError
        from ..render import FORMATS
        from ..summarise import parse_selector
        from .options import parse_day, parse_since

        fmt = fmt or ("all" if out else "md")
        formats = list(FORMATS) if fmt == "all" else [fmt]
        if any(f not in FORMATS for f in formats):
            raise UsageError(f"--format {fmt!r}: use md, html, json or all")
        if len(formats) > 1 and out is None:
            raise UsageError("--format all needs --out DIR")
        versions: dict[str, int] = {}
        for sel in prompt_version or []:
            name, ver = parse_selector(sel)
            if ver is None:
                raise UsageError(f"--prompt-version {sel!r}: use NAME@VERSION")
            versions[name] = ver
        if new and no_state:
            raise UsageError("--new needs the state database (drop --no-state)")
        assumed = parse_day(assume_date, "--assume-date")
        if isinstance(assumed, str):
            raise UsageError(f"--assume-date {assume_date}: use YYYY-MM-DD")
        settings = load_settings(
            config, llm=llm, model=model, base_url=base_url, concurrency=concurrency,
            timeout=timeout, max_retries=max_retries, state_dir=state, tz=tz,
            prompt_versions=versions or None, boilerplate=boilerplate, templates=templates,
            assume_date=assumed, cache=False if no_cache else None,
        )  # fmt: skip
        if save and no_state:
            raise UsageError("--save needs the state database (drop --no-state)")
        req = runs.request(settings, inputs or [], sample=sample, day=parse_day(day, "--date"),
                           since=parse_since(since) if since else None, topic=topic,
                           only_new=new, save=save, due="now")  # fmt: skip
        from ..state import StateError, Store

        store, state_error = None, None
        if not no_state:
            try:
                store = Store(settings.state_path())
            except StateError as exc:  # the briefing is still made and written; then the error
                if new:
                    raise
                state_error = exc
        try:
            briefing = _produce_with_progress(req, store).briefing
            _write(briefing, formats, out, settings.templates)
            if store is not None:  # only after the outputs: a broken state never loses them
                try:
                    store.save_briefing(briefing, edition=req.edition)
                except StateError as exc:
                    state_error = exc
        finally:
            if store is not None:
                store.close()
        if state_error is not None:
            where = f"written to {out}" if out else "written"
            raise StateError(f"the briefing was {where} but not stored: {state_error}")
        if briefing.summariser.degraded:
            raise typer.Exit(EXIT_DEGRADED)
        if briefing.has_errors:
            raise typer.Exit(EXIT_PARTIAL)


def _write(briefing: Briefing, formats: list[str], out: Path | None, templates: Path | None) -> None:
    """The outputs, and the notes about the run on stderr."""
    from ..pipeline import UNDATED
    from ..render import plural, render, write_outputs

    for s in briefing.skipped:
        if s.kind == "error":
            log.warning("skipped %s: %s", s.input, s.reason)
    undated = sum(s.reason == UNDATED for s in briefing.skipped)
    if undated:
        log.warning(f"{plural(undated, 'undated document')} left out of the dated "
            "window; pass --assume-date YYYY-MM-DD to include them")  # fmt: skip
    if briefing.summariser.notice:
        log.warning("notice: %s", briefing.summariser.notice)
    tdir = str(templates) if templates else None
    if out is None:
        sys.stdout.write(render(briefing, formats[0], tdir))
    else:
        for path in write_outputs(briefing, formats, out, tdir):
            say(str(path))


def _produce_with_progress(req: RunRequest, store: Store | None) -> Produced:
    from ..app import produce
    from .progress import terminal_progress

    with terminal_progress() as progress:
        return produce(req, store, progress=progress, save=False)
