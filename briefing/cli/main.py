"""The `briefing` command's Typer app and what every command shares: logging set-up, `say`
and `err`, and `handled` (the error family to exit codes). Each command module registers its
commands on `app` (`cli/__init__.py` imports them all)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import typer

from ..errors import EXIT_INTERRUPTED, EXIT_TERMINATED, BriefingError

app = typer.Typer(
    name="briefing",
    help="Cited daily briefings from overlapping news articles and live blogs.\n\n"
    "Every bullet cites the entries it came from, and is checked against them. "
    "`briefing COMMAND -h` for a command's options; exit codes are in the README.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
log = logging.getLogger("briefing")
QUIET: list[bool] = [False]  # -q: no informational lines on stdout either (cron mails stdout)
VERBOSITY = ("-v", "-vv", "-vvv", "--verbose", "-q", "--quiet")


def _version(value: bool) -> None:
    if value:
        from .. import __version__

        print(f"briefing {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    verbose: int = typer.Option(0, "--verbose", "-v", count=True, show_default=False,
                                help="Log to stderr: -v one line per stage, -vv debug."),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="Errors only on stderr."),
    version: bool = typer.Option(False, "--version", "-V", callback=_version, is_eager=True,
                                 help="Show the version and exit."),
) -> None:  # fmt: skip
    """Set up logging: warnings by default, more with -v, errors only with -q."""
    level = logging.ERROR if quiet else logging.WARNING - 10 * min(verbose, 2)
    QUIET[0] = quiet
    handler: logging.Handler
    if sys.stderr.isatty():
        from rich.console import Console
        from rich.logging import RichHandler

        handler = RichHandler(console=Console(stderr=True), show_path=False, show_time=False)
        fmt = "%(message)s"
    else:  # a log file or a pipe: one unwrapped line per record
        handler = logging.StreamHandler(sys.stderr)
        fmt = "briefing: %(levelname)s: %(message)s"
    logging.basicConfig(level=level, handlers=[handler], format=fmt, force=True)
    logging.getLogger("briefing").setLevel(level)
    for noisy in ("httpx", "httpcore", "trafilatura", "openai", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def say(message: str) -> None:
    """An informational line on stdout (what was written, what was sent); none with -q."""
    if not QUIET[0]:
        print(message)


def err(message: str) -> None:
    """A message for the user on stderr (data goes to stdout)."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


@contextmanager
def handled() -> Iterator[None]:
    """Map the error family to exit codes with one clear line on stderr."""
    HANDLING.append(True)
    try:
        yield
    except BriefingError as exc:
        err(f"briefing: error: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except Terminated:
        err(STOPPED)
        raise typer.Exit(EXIT_TERMINATED) from None
    except KeyboardInterrupt:
        err("briefing: interrupted")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    finally:
        HANDLING.pop()


class Terminated(KeyboardInterrupt):
    """SIGTERM, raised in the main thread like Ctrl-C, so every `finally` and rollback runs
    (temporary files removed, a delivery's claim given back, the SQLite transaction undone)."""


HANDLING: list[bool] = []  # inside `handled()`: SIGTERM unwinds the command
STOPPED = "briefing: stopped by SIGTERM; what was finished is kept, nothing is half-written"


def _terminate(signum: int, _frame: object) -> None:
    if HANDLING:
        raise Terminated
    err(STOPPED)  # before or after a command's work (parsing flags, importing): nothing begun
    raise SystemExit(EXIT_TERMINATED)


def hoist_verbosity(args: Sequence[str]) -> list[str]:
    """`-v`/`-q` given after the command (`briefing run … -v`) count as if given before it."""
    args = list(args)
    end = args.index("--") if "--" in args else len(args)
    moved = [a for a in args[:end] if a in VERBOSITY]
    return moved + [a for i, a in enumerate(args) if not (i < end and a in VERBOSITY)]


def main() -> None:
    """The `briefing` entry point (its commands are registered by `briefing.cli`)."""
    import signal

    signal.signal(signal.SIGTERM, _terminate)  # `schedule` installs its own
    app(args=hoist_verbosity(sys.argv[1:]), prog_name="briefing")
