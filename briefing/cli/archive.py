"""`briefing archive build|serve`: the static HTML archive of every stored briefing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .main import app, handled, say
from .options import Opt

archive_app = typer.Typer(help="Build or preview the static archive of past briefings.", no_args_is_help=True)
app.add_typer(archive_app, name="archive")


@archive_app.command("build")
def build(
    out: Annotated[Path | None, Opt("--out", "-o", help="Site folder (default: archive_dir, else <state>/site).")] = None,
    base_url: Annotated[str | None, Opt("--base-url", help="Public URL of the site, for absolute feed links.")] = None,
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file.")] = None,
) -> None:
    """Build (or update) the archive: indexes, one page per edition, Atom feeds, search."""
    with handled():
        from ..app import archive_dir
        from ..config import load_settings
        from ..deliver import build_archive as build_site
        from ..state import Store

        settings = load_settings(config, state_dir=state)
        with Store(settings.state_path()) as store:
            report = build_site(store, archive_dir(settings, out), base_url=base_url or settings.archive_url)
        what = f"{report.written} written, {report.reused} unchanged" if report.changed else "nothing changed"
        from ..render import plural

        say(f"{report.path / 'index.html'}\t{plural(report.pages, 'briefing')}; {what}")


@archive_app.command("serve")
def serve(
    port: Annotated[int, Opt("--port", help="Port on 127.0.0.1.")] = 8000,
    out: Annotated[Path | None, Opt("--out", "-o", help="Site folder.")] = None,
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file.")] = None,
) -> None:
    """Serve the built archive on 127.0.0.1 for a preview."""
    with handled():
        from ..app import archive_dir
        from ..config import load_settings
        from ..deliver import serve_archive as serve_site
        from ..errors import UsageError

        path = archive_dir(load_settings(config, state_dir=state), out)
        if not (path / "index.html").is_file():
            raise UsageError(f"no archive at {path}: run `briefing archive build` first")
        serve_site(path, port)
