"""`briefing prompts list|show`: the versioned prompt files."""

from __future__ import annotations

from typing import Annotated

import typer

from .main import app, handled
from .options import Arg

prompts_app = typer.Typer(help="List and show the versioned prompts under prompts/.", no_args_is_help=True)
app.add_typer(prompts_app, name="prompts")


@prompts_app.command("list")
def list_prompts() -> None:
    """Every prompt, its versions, and the newest version's sha256."""
    with handled():
        from ..summarise import available, load

        for name, versions in available().items():
            for v in versions:
                p = load(name, v)
                print(f"{name}@{v}\t{p.sha256[:16]}\t{p.meta.description}")


@prompts_app.command("show")
def show(selector: Annotated[str, Arg("NAME[@VERSION]")]) -> None:
    """Print a prompt file (NAME, or NAME@VERSION) with its metadata and hash."""
    with handled():
        from ..summarise import load, parse_selector

        name, version = parse_selector(selector)
        p = load(name, version)
        print(f"# {p.meta.name} v{p.meta.version} sha256={p.sha256}\n# {p.path}")
        print(p.path.read_text("utf-8"), end="")
