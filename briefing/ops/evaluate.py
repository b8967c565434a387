"""Quality measurement: brief real live blogs and compare with the journalists' key points.

A dataset folder holds `blogs/<id>.json` (our JSON live-blog input format) and
`references.json` ({id: {"summary": [sentences]}}). For each blog: the whole blog is the
window; the briefing's bullets are scored with ROUGE-1/2/L F1 (rouge-score, Porter stemming)
against the reference, beside two baselines computed in the same run on the same blog:
lead-k (first sentence of each of the first k entries) and random-k (k sentences drawn with a
seed per blog), where k is the number of reference points. Citation validity and grounding
use the same checker as `briefing check`.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Collection, Iterator
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from .. import app
from ..check import check_briefing
from ..config import Settings
from ..contract import Briefing
from ..errors import UsageError
from ..pipeline import Summariser
from ..tokens import sentences

ROUGE = ("rouge1", "rouge2", "rougeL")
SYSTEMS = ("briefing", "lead", "random")


@dataclass(slots=True)
class BlogScore:
    id: str
    title: str
    rouge: dict[str, dict[str, float]]  # system -> metric -> F1
    bullets: int
    words_per_bullet: float
    compression: float  # words in bullets / words in the blog
    citation_validity: float  # share of bullets with >= 1 citation, all resolving
    grounding: float  # share of bullets that pass the checker
    seconds: float
    error: str | None = None


@dataclass(slots=True)
class Report:
    blogs: list[BlogScore] = field(default_factory=list)

    def mean(self) -> dict[str, float]:
        ok = [b for b in self.blogs if b.error is None]
        if not ok:
            return {}
        out: dict[str, float] = {}
        for system in SYSTEMS:
            for m in ROUGE:
                out[f"{system}.{m}"] = sum(b.rouge[system][m] for b in ok) / len(ok)
        for key in ("bullets", "words_per_bullet", "compression", "citation_validity",
                    "grounding", "seconds"):  # fmt: skip
            out[key] = sum(float(getattr(b, key)) for b in ok) / len(ok)
        out["blogs"] = len(ok)
        out["failed"] = len(self.blogs) - len(ok)
        return {k: round(v, 4) for k, v in out.items()}

    def to_json(self) -> str:
        return json.dumps({"mean": self.mean(), "blogs": [asdict(b) for b in self.blogs]}, indent=2)


def load_dataset(folder: Path, ids: Collection[str] | None = None,
                 ) -> tuple[list[Path], dict[str, list[str]]]:  # fmt: skip
    """The blogs of a dataset that have a reference (with `ids`: only those blogs)."""
    refs_path, blogs = folder / "references.json", folder / "blogs"
    if not refs_path.is_file() or not blogs.is_dir():
        raise UsageError(f"{folder}: expected blogs/ and references.json (see docs/quality.md)")
    refs = {k: list(v["summary"]) for k, v in json.loads(refs_path.read_text()).items()}
    paths = sorted(p for p in blogs.glob("*.json") if p.stem in refs)
    if ids is not None:
        if missing := sorted(set(ids) - {p.stem for p in paths}):
            raise UsageError(f"{folder}: {len(missing)} blog(s) of the split are not in the "
                             f"dataset (first: {missing[0]})")  # fmt: skip
        paths = [p for p in paths if p.stem in ids]
    if not paths:
        raise UsageError(f"{folder}: no blog has a reference summary")
    return paths, refs


def load_split(spec: str) -> list[str]:
    """`FILE:PART`: the blog ids of one part of a split file ({"tune": [...], "heldout":
    [...]}, like tests/data/blind/liveblogs_dev_split.json); `FILE` alone: a JSON list."""
    path, _, part = spec.rpartition(":") if ":" in spec else (spec, "", "")
    try:
        got = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"--split {spec}: cannot read {path} ({exc})") from None
    if part:
        if not isinstance(got, dict) or part not in got:
            parts = ", ".join(sorted(got)) if isinstance(got, dict) else "none"
            raise UsageError(f"--split {spec}: no part {part!r} (parts: {parts})")
        got = got[part]
    if not isinstance(got, list) or not got or not all(isinstance(x, str) for x in got):
        raise UsageError(f"--split {spec}: not a non-empty list of blog ids")
    return got


def _scorer() -> Any:
    try:
        from rouge_score import rouge_scorer
    except ImportError:
        raise UsageError("briefing eval needs ROUGE: pip install 'briefing[eval]'") from None

    return rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)


def rouge(scorer: Any, candidate: list[str], reference: list[str]) -> dict[str, float]:
    s = scorer.score("\n".join(reference), "\n".join(candidate))
    return {"rouge1": s["rouge1"].fmeasure, "rouge2": s["rouge2"].fmeasure,
            "rougeL": s["rougeLsum"].fmeasure}  # fmt: skip


def baselines(entry_texts: list[str], k: int, seed: str) -> tuple[list[str], list[str]]:
    firsts = [s[0] for t in entry_texts if (s := sentences(t.split("\n")[0] if t else ""))]
    lead = firsts[:k]
    every = [s for t in entry_texts for para in t.split("\n") for s in sentences(para)]
    rng = random.Random(seed)
    rand = rng.sample(every, min(k, len(every)))
    return lead, rand


def _ended(path: Path, tz: ZoneInfo) -> datetime | None:
    """The time of a blog's newest entry (times without an offset are in `tz`)."""
    try:
        raw = json.loads(path.read_text())
        times = [datetime.fromisoformat(str(e["published"])) for e in raw.get("entries", [])
                 if isinstance(e, dict) and e.get("published")]  # fmt: skip
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None
    aware = [t if t.tzinfo else t.replace(tzinfo=tz) for t in times]
    return max(aware, default=None)


def score_blog(
    path: Path,
    reference: list[str],
    summariser: Summariser,
    scorer: Any,
    settings: Settings,
) -> BlogScore:
    started = time.perf_counter()
    try:
        req = app.request(settings, [str(path)], topic=path.stem)
        # read as on the day the blog ended, when its journalists wrote their key points: its
        # "this week" is true then, and "yesterday" is written as that day's day before
        ended = _ended(path, req.window.tz)
        if ended is not None:
            req = replace(req, window=replace(req.window, now=ended))
        b: Briefing = app.produce(req, None, summariser=summariser).briefing
    except Exception as exc:  # one bad blog is a row in the report, not the end of the run
        return BlogScore(
            path.stem,
            "",
            {},
            0,
            0,
            0,
            0,
            0,
            time.perf_counter() - started,
            error=f"{type(exc).__name__}: {exc}",
        )
    seconds = time.perf_counter() - started
    bullets = b.all_bullets()
    # each line once: a section's lead that repeats its In-brief line is one fact, read once
    texts = list(dict.fromkeys(x.text for x in bullets))
    raw = json.loads(path.read_text())
    entry_texts = [str(e.get("text") or "") for e in raw.get("entries", [])]
    lead, rand = baselines(entry_texts, len(reference), path.stem)
    valid = sum(bool(x.citations) and all(c in b.sources for c in x.citations) for x in bullets)
    grounded = sum(r.ok for _, r in check_briefing(b))
    blog_words = sum(len(t.split()) for t in entry_texts) or 1
    bullet_words = sum(len(t.split()) for t in texts)
    n = len(bullets) or 1
    distinct = len(texts) or 1
    return BlogScore(
        id=path.stem,
        title=str(raw.get("title") or "")[:80],
        rouge={
            "briefing": rouge(scorer, texts, reference),
            "lead": rouge(scorer, lead, reference),
            "random": rouge(scorer, rand, reference),
        },
        bullets=len(bullets),
        words_per_bullet=bullet_words / distinct,
        compression=bullet_words / blog_words,
        citation_validity=valid / n,
        grounding=grounded / n,
        seconds=seconds,
    )


def evaluate(folder: Path, summariser: Summariser, limit: int | None = None,
             on_blog: Callable[[BlogScore], None] | None = None,
             settings: Settings | None = None,
             ids: Collection[str] | None = None) -> Report:  # fmt: skip
    """Brief every blog of the dataset (with `ids`: those only; with `settings`, default: the
    defaults) and score it."""
    settings = settings or Settings()
    paths, refs = load_dataset(folder, ids)
    scorer = _scorer()
    report = Report()
    for path in paths[:limit] if limit else paths:
        score = score_blog(path, refs[path.stem], summariser, scorer, settings)
        report.blogs.append(score)
        if on_blog:
            on_blog(score)
    return report


# ---------------------------------------------------------------- the gate


GATED = ("briefing.rouge1", "briefing.rouge2", "briefing.rougeL", "citation_validity", "grounding")


def gate(mean: dict[str, float], minimums: dict[str, float]) -> list[str]:
    """Every metric that fell below its minimum, as a message."""
    return [f"{k}: {mean.get(k, 0.0):.4f} < minimum {v:.4f}" for k, v in minimums.items()
            if mean.get(k, 0.0) < v]  # fmt: skip


def updated_minimums(mean: dict[str, float], minimums: dict[str, float],
                     allow_lower: bool = False) -> Iterator[tuple[str, float, float]]:  # fmt: skip
    """(metric, old, new) for each minimum to change: raised to the new score (rounded down),
    lowered only with allow_lower."""
    for k in GATED:
        new = int(mean.get(k, 0.0) * 1000) / 1000
        old = minimums.get(k, 0.0)
        if new > old or (allow_lower and new < old):
            yield k, old, new
