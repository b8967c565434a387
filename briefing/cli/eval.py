"""`briefing eval`: score a summariser on live blogs with journalists' summaries."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Annotated

import typer

from .main import app, err, handled
from .options import Arg, Opt


@app.command("eval")
def eval_(
    dataset: Annotated[Path, Arg("DATASET")],
    llm: Annotated[str | None, Opt("--llm", help="auto, openai or extractive (default: extractive).")] = "extractive",
    limit: Annotated[int | None, Opt("--limit", help="Only the first N blogs.")] = None,
    split: Annotated[str | None, Opt("--split", help="Only the blogs of one part of a split: FILE:PART (e.g. tests/data/blind/liveblogs_dev_split.json:heldout).")] = None,
    as_json: Annotated[Path | None, Opt("--json", help="Write the full report as JSON to this file ('-' for stdout).")] = None,
    baseline: Annotated[Path | None, Opt("--baseline", help="Minimum scores (JSON); exit 1 if any score falls below.")] = None,
    update: Annotated[bool, Opt("--update", help="Raise the --baseline minimums to these scores.")] = False,
    allow_lower: Annotated[bool, Opt("--allow-lower", help="With --update: also lower minimums.")] = False,
    per_blog: Annotated[bool, Opt("--per-blog", help="Print a row per blog.")] = False,
    state: Annotated[Path | None, Opt("--state", help="State folder (LLM cache).")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file.")] = None,
) -> None:
    """Score the summariser against journalists' summaries.

    DATASET (real live blogs with the journalists' key points) is a folder with blogs/*.json and references.json. Reports ROUGE-1/2/L beside
    lead-k and random-k baselines from the same run, citation validity, grounding, length
    and time."""
    with handled():
        from rich.console import Console
        from rich.progress import Progress
        from rich.table import Table

        from ..app import open_store
        from ..config import load_settings
        from ..errors import UsageError
        from ..ops import ROUGE, SYSTEMS, evaluate, gate, load_dataset, load_split, updated_minimums
        from ..summarise import make_summariser

        settings = load_settings(config, llm=llm, state_dir=state)
        # a bad baseline is an error before the run, not after it
        minimums = _minimums(baseline, update) if baseline is not None else {}
        ids = load_split(split) if split is not None else None
        paths = load_dataset(dataset, ids)[0]
        total = len(paths[:limit] if limit else paths)
        console = Console(stderr=True)
        uses_cache = settings.llm != "extractive" and settings.cache
        with open_store(settings, enabled=uses_cache) as store, \
                Progress(console=console, transient=True, disable=not sys.stderr.isatty()) as progress:  # fmt: skip
            summariser = make_summariser(settings, store)
            task = progress.add_task("briefing blogs", total=total)
            report = evaluate(dataset, summariser, limit, on_blog=lambda _s: progress.advance(task),
                              settings=settings, ids=ids)  # fmt: skip
        mean = report.mean()
        if not mean:
            raise UsageError("no blog could be briefed")
        out = Console()
        if per_blog:
            t = Table(title="per blog (ROUGE-2 F1)")
            for col in ("blog", "briefing", "lead", "random", "bullets", "grounding"):
                t.add_column(col)
            for b in report.blogs:
                if b.error:
                    t.add_row(b.id[:12], "error", b.error[:40], "", "", "")
                else:
                    t.add_row(b.id[:12], *(f"{b.rouge[s]['rouge2']:.3f}" for s in SYSTEMS), str(b.bullets), f"{b.grounding:.2f}")
            out.print(t)
        t = Table(title=f"{summariser.name} on {int(mean['blogs'])} blogs ({int(mean['failed'])} failed)")
        t.add_column("system")
        for m in ROUGE:
            t.add_column(m.upper().replace("ROUGE", "ROUGE-"))
        for s in SYSTEMS:
            t.add_row(s if s != "briefing" else f"briefing ({summariser.name})", *(f"{mean[f'{s}.{m}']:.4f}" for m in ROUGE))
        out.print(t)
        print(f"citation validity {mean['citation_validity']:.3f} · grounding {mean['grounding']:.3f} · "
              f"{mean['bullets']:.1f} bullets of {mean['words_per_bullet']:.1f} words · "
              f"compression {mean['compression']:.3f} · {mean['seconds']:.2f} s per blog")
        if as_json is not None:
            if str(as_json) == "-":
                print(report.to_json())
            else:
                as_json.write_text(report.to_json())
        if baseline is not None:
            if unknown := sorted(set(minimums) - set(mean)):  # would silently count as 0
                raise UsageError(f"--baseline {baseline}: not scores: {', '.join(unknown)} "
                                 f"(scores are {', '.join(sorted(mean))})")  # fmt: skip
            if update:
                changes = list(updated_minimums(mean, minimums, allow_lower))
                for k, old, new in changes:
                    minimums[k] = new
                    print(f"minimum {k}: {old:.3f} -> {new:.3f}")
                refused = [f"{k} {mean.get(k, 0):.4f} < {v:.3f}" for k, v in minimums.items()
                           if mean.get(k, 0) < v and not allow_lower]
                if refused:
                    err("briefing: refusing to lower minimums without --allow-lower: " + "; ".join(refused))
                    raise typer.Exit(1)
                baseline.write_text(json.dumps(minimums, indent=2, sort_keys=True) + "\n")
            elif failures := gate(mean, minimums):
                err("briefing: quality gate failed: " + "; ".join(failures))
                raise typer.Exit(1)


def _minimums(path: Path, update: bool) -> dict[str, float]:
    """The gate's minimums: finite numbers by score name; a missing file is an error unless
    --update is to create it."""
    from ..errors import UsageError

    if not path.exists():
        if update:
            return {}
        raise UsageError(f"--baseline {path}: no such file (use --update to create it)")
    try:
        got = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--baseline {path}: not a JSON object of minimums ({exc})") from None
    if not isinstance(got, dict) or not all(
        isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)
        for v in got.values()
    ):
        raise UsageError(f"--baseline {path}: not a JSON object of minimums (finite numbers)")
    return {k: float(v) for k, v in got.items()}
