"""`briefing doctor`: the settings in effect, the state folder, and whether the LLM, SMTP,
tools and each topic's sources are reachable."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .main import app, handled
from .options import Opt


@app.command()
def doctor(
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file (default ./briefing.toml).")] = None,
    offline: Annotated[bool, Opt("--offline", help="Skip the network checks (LLM, SMTP, URLs); files and settings are still checked.")] = False,
) -> None:
    """Check the setup: settings, state, LLM, SMTP, tools and sources.

    Shows which settings file is in effect and where each setting came from (file,
    environment or flag), then one line per check. Network checks give up after 3 s.
    Exits 1 when something is broken, naming the fix."""
    with handled():
        from ..config import load_settings
        from ..ops import origins, run_checks

        flags = {"state_dir": state}
        settings = load_settings(config, **flags)
        print("settings not at their defaults:")
        for key, where in sorted(origins(settings, flags).items()):
            value = getattr(settings, key)
            shown = "(secret)" if "password" in key or "key" in key.split("_") else value
            if key == "topics":
                shown = ", ".join(value)
            print(f"  {key} = {shown}\t<- {where}")
        found = run_checks(settings, config, offline=offline)
        print()
        for f in found:
            print(f"{'ok  ' if f.ok else 'FAIL'}  {f.what}: {f.found}" + (f"\n      fix: {f.fix}" if f.fix else ""))
        broken = [f for f in found if not f.ok]
        print(f"\n{len(found) - len(broken)} ok, {len(broken)} broken")
        if broken:
            raise typer.Exit(1)
