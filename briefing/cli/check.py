"""`briefing check BRIEFING.json`: audit any briefing's citations against its own sources."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from . import app, err, handled
from .options import Arg


@app.command()
def check(
    path: Annotated[Path, Arg("BRIEFING.json")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Audit a briefing's citations against its sources.

    Every bullet must cite entries that say what it says. BRIEFING.json is any briefing in
    our JSON shape. Prints a support score; exits 1 when any
    bullet fails."""
    with handled():
        from pydantic import ValidationError

        from ..check import check_briefing
        from ..contract import Briefing
        from ..errors import BriefingError

        try:
            b = Briefing.model_validate_json(path.read_bytes())
        except OSError as exc:
            raise BriefingError(f"cannot read {path}: {exc.strerror or exc}") from None
        except ValidationError as exc:
            raise BriefingError(f"{path} is not a briefing JSON: {exc.errors()[0]['msg']} at "
                                f"{'.'.join(map(str, exc.errors()[0]['loc']))}") from None  # fmt: skip
        checks = check_briefing(b)
        passed = sum(r.ok for _, r in checks)
        score = sum(r.support for _, r in checks) / len(checks) if checks else 0.0
        rows = [{"section": where, "text": r.text, "citations": list(r.citations), "ok": r.ok,
                 "support": r.support, "reasons": list(r.reasons)} for where, r in checks]
        report = {"bullets": len(rows), "passed": passed, "failed": len(rows) - passed,
                  "support": round(score, 3), "results": rows}
        if as_json:
            print(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            from rich.console import Console
            from rich.table import Table

            table = Table(title=f"{b.topic} — {b.date or b.window}", show_lines=False)
            for col in ("", "support", "bullet", "problem"):
                table.add_column(col)
            for _, r in checks:
                table.add_row("✓" if r.ok else "✗", f"{r.support:.2f}", r.text[:90], "; ".join(r.reasons))
            Console().print(table)
            print(f"{passed}/{len(checks)} bullets pass; support score {score:.2f}")
        if passed != len(checks):
            err(f"briefing: {len(checks) - passed} bullet(s) failed the check")
            raise typer.Exit(1)
