"""`briefing check BRIEFING.json`: audit any briefing's bullets against its own sources."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .main import app, err, handled
from .options import Arg

if TYPE_CHECKING:
    from ..check import BulletCheck
    from ..contract import Briefing

EVIDENCE_CHARS = 240  # an evidence sentence longer than this is cut on a word, with "…"
BRIEFING_KEYS = ("topic", "summary", "sections", "sources")
VERDICTS = ("supported", "unconfirmed", "contradicted")
MARKS = {"supported": "✓", "unconfirmed": "?", "contradicted": "✗"}


@app.command()
def check(
    path: Annotated[Path, Arg("BRIEFING.json")],
    as_json: Annotated[bool, typer.Option("--json", help="Print per-bullet results as JSON.")] = False,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 1 on unconfirmed bullets too, not only on contradicted ones.")] = False,
) -> None:
    """Audit a briefing's citations against its sources.

    Every bullet must cite entries whose sentences say what it says: the words (numbers,
    names, content words) and the meaning (negation, numbers with what they count, who did
    what to whom, who said it, time and place, certainty). BRIEFING.json is any briefing in
    our JSON shape. Prints every bullet with its verdict: supported (✓), unconfirmed (?:
    nothing conflicts, but the support is not shown word for word) or contradicted (✗), the
    last two with their reasons and the closest evidence. Exits 1 when any bullet is
    contradicted; with --strict, also when any is unconfirmed."""
    with handled():
        from ..check import check_briefing

        b = _load(path)
        checks = check_briefing(b)
        tally = {v: sum(r.verdict == v for _, r in checks) for v in VERDICTS}
        score = sum(r.support for _, r in checks) / len(checks) if checks else 0.0
        if as_json:
            report = {"bullets": len(checks), "passed": tally["supported"],
                      "failed": tally["contradicted"], **tally, "support": round(score, 3),
                      "flagged": [f.model_dump() for f in b.flagged],
                      "results": [_row(where, r) for where, r in checks]}  # fmt: skip
            print(json.dumps(report, indent=2, ensure_ascii=False))
        else:
            _print(b, checks)
            print(f"{tally['supported']}/{len(checks)} bullets supported, "
                  f"{tally['unconfirmed']} unconfirmed, {tally['contradicted']} contradicted; "
                  f"support score {score:.2f}")  # fmt: skip
        bad = tally["contradicted"] + (tally["unconfirmed"] if strict else 0)
        if bad:
            what = "contradicted or unconfirmed" if strict else "contradicted"
            err(f"briefing: {bad} bullet(s) {what}")
            raise typer.Exit(1)


def _load(path: Path) -> Briefing:
    from pydantic import ValidationError

    from ..contract import Briefing
    from ..errors import BriefingError

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise BriefingError(f"cannot read {path}: {exc.strerror or exc}") from None
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BriefingError(f"{path} is not a briefing: it is not JSON") from None
    if not isinstance(data, dict) or not all(k in data for k in BRIEFING_KEYS):
        raise BriefingError(f"{path} is not a briefing: a briefing JSON has "
                            f"{', '.join(BRIEFING_KEYS)}")  # fmt: skip
    try:
        return Briefing.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BriefingError(f"{path} is not a valid briefing: {first['msg']} at "
                            f"{'.'.join(map(str, first['loc']))}") from None  # fmt: skip


def _row(where: str, r: BulletCheck) -> dict[str, Any]:
    return {"section": where, "text": r.text, "citations": list(r.citations), "ok": r.ok,
            "verdict": r.verdict, "reason": r.reason, "support": r.support, "verified_by": list(r.verified_by), "reasons": list(r.reasons),
            "evidence": [e.model_dump() for e in r.evidence]}  # fmt: skip


def _print(b: Briefing, checks: list[tuple[str, BulletCheck]]) -> None:
    width = min(100, shutil.get_terminal_size((100, 24)).columns)
    print(f"{b.topic} — {b.date or b.window}")
    section = None
    for where, r in checks:
        if where != section:
            section = where
            print(f"\n{where}")
        mark = MARKS[r.verdict]
        print(textwrap.fill(r.text, width, initial_indent=f"  {mark} ", subsequent_indent="    "))
        if r.ok:
            continue
        print(f"      {r.verdict}")
        for reason in r.reasons:
            print(textwrap.fill(reason, width, initial_indent="      why: ",
                                subsequent_indent="           "))  # fmt: skip
        for e in r.evidence:
            print(textwrap.fill(f"“{_cut(e.text)}”", width, initial_indent=f"      {e.entry}: ",
                                subsequent_indent="        "))  # fmt: skip
        if not r.evidence and r.citations:
            print("      evidence: none found in " + ", ".join(r.citations))
    for f in b.flagged:
        print(textwrap.fill(f"flagged ({f.entry}): {_cut(f.text)}", width))
    print()


def _cut(text: str, limit: int = EVIDENCE_CHARS) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rsplit(" ", 1)[0] + "…"
