"""The `briefing` command. One module per command; heavy imports happen inside commands so
`briefing --help` stays fast."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

import typer

from ..errors import BriefingError

app = typer.Typer(
    name="briefing",
    help="Cited daily briefings from overlapping news articles and live blogs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
log = logging.getLogger("briefing")


@app.callback()
def _main(
    verbose: int = typer.Option(
        0, "--verbose", "-v", count=True, help="Log to stderr (-vv: debug)."
    ),
) -> None:
    level = logging.WARNING - 10 * min(verbose, 2)
    import sys

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
    for noisy in ("httpx", "httpcore", "trafilatura", "openai"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def err(message: str) -> None:
    """A message for the user on stderr (data goes to stdout)."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(message, markup=False)


@contextmanager
def handled() -> Iterator[None]:
    """Map the error family to exit codes with one clear line on stderr."""
    try:
        yield
    except BriefingError as exc:
        err(f"briefing: error: {exc}")
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        err("briefing: interrupted")
        raise typer.Exit(130) from None


from . import archive as _archive  # noqa: E402,F401  (each module registers its commands)
from . import check as _check  # noqa: E402,F401
from . import eval as _eval  # noqa: E402,F401
from . import prompts as _prompts  # noqa: E402,F401
from . import run as _run  # noqa: E402,F401
from . import schedule as _schedule  # noqa: E402,F401
from . import send as _send  # noqa: E402,F401
from . import topics as _topics  # noqa: E402,F401


def main() -> None:
    app(prog_name="briefing")


if __name__ == "__main__":
    main()
