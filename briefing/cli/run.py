"""`briefing run`: inputs -> a cited briefing in Markdown, HTML and/or JSON."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import typer

if TYPE_CHECKING:
    from ..models import Briefing
    from ..pipeline import RunOptions
    from ..summarise.base import Summariser

from . import app, err, handled

PROGRESS_THRESHOLD = 10  # inputs; below this a progress bar is noise


def _parse_day(value: str | None, flag: str) -> date | None:
    from ..errors import UsageError

    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"{flag} {value!r}: use YYYY-MM-DD") from None


def _zone(name: str) -> ZoneInfo:
    from ..errors import UsageError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise UsageError(f"--tz {name!r} is not a known time zone (e.g. Europe/London)") from None


@app.command()
def run(
    inputs: Annotated[
        list[str] | None,
        typer.Argument(help="Files, folders, URLs or feed URLs.", show_default=False),
    ] = None,
    sample: Annotated[
        bool, typer.Option("--sample", help="Brief the bundled sample corpus (Ukraine talks).")
    ] = False,
    day: Annotated[
        str | None, typer.Option("--date", help="Brief entries of this day (YYYY-MM-DD, in --tz).")
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(
            "--since",
            help="Brief entries of the last 90m / 24h / 2d (before the end of --date, else now).",
        ),
    ] = None,
    tz: Annotated[
        str, typer.Option("--tz", help="Time zone for --date and for bylines.")
    ] = "Europe/London",
    assume_date: Annotated[
        str | None, typer.Option("--assume-date", help="Date (YYYY-MM-DD) for undated documents.")
    ] = None,
    topic: Annotated[str | None, typer.Option("--topic", help="Briefing title.")] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format", "-f", help="md, html, json or all (default: md to stdout; all with --out)."
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write briefing.<format> files into this folder."),
    ] = None,
    boilerplate: Annotated[
        Path | None, typer.Option("--boilerplate", help="Extra boilerplate rules (TOML).")
    ] = None,
    templates: Annotated[
        Path | None,
        typer.Option("--templates", help="Folder of templates overriding the packaged ones."),
    ] = None,
) -> None:
    """Build a cited briefing. Exit 0: done; 3: done, but some inputs were skipped;
    5: nothing in the window; 1: error; 2: usage error."""
    with handled():
        from ..clean import load_rules
        from ..errors import EXIT_PARTIAL, UsageError
        from ..pipeline import (
            DEFAULT_TOPIC,
            SAMPLE_TOPIC,
            RunOptions,
            Window,
            parse_since,
            sample_corpus,
        )
        from ..render import FORMATS, render, write_outputs
        from ..summarise.extractive import ExtractiveSummariser

        sources = list(inputs or [])
        if sample:
            sources.append(str(sample_corpus()))
        if not sources:
            raise UsageError("give files, folders or URLs to brief, or --sample")
        fmt = fmt or ("all" if out else "md")
        formats = list(FORMATS) if fmt == "all" else [fmt]
        if any(f not in FORMATS for f in formats):
            raise UsageError(f"--format {fmt!r}: use md, html, json or all")
        if len(formats) > 1 and out is None:
            raise UsageError("--format all needs --out DIR")
        zone = _zone(tz)
        window = Window(zone, _parse_day(day, "--date"), parse_since(since) if since else None)
        opts = RunOptions(
            inputs=sources,
            topic=topic or (SAMPLE_TOPIC if sample and not inputs else DEFAULT_TOPIC),
            window=window,
            assume_date=_parse_day(assume_date, "--assume-date"),
            rules=load_rules(boilerplate),
        )
        briefing = _run_with_progress(opts, ExtractiveSummariser())
        for s in briefing.skipped:
            if s.kind == "error":
                err(f"briefing: skipped {s.input}: {s.reason}")
        tdir = str(templates) if templates else None
        if out is None:
            sys.stdout.write(render(briefing, formats[0], tdir))
        else:
            for path in write_outputs(briefing, formats, out, tdir):
                print(path)
        if briefing.has_errors:
            raise typer.Exit(EXIT_PARTIAL)


def _run_with_progress(opts: RunOptions, summariser: Summariser) -> Briefing:
    from rich.progress import Progress

    from ..ingest import expand
    from ..pipeline import run as run_pipeline

    total = len(expand(opts.inputs, []))
    if total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return run_pipeline(opts, summariser)
    with Progress(transient=True) as progress:
        task = progress.add_task("reading inputs", total=total)
        opts.on_progress = lambda _target: progress.advance(task)
        return run_pipeline(opts, summariser)
