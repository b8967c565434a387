"""The quality gate: a fixed slice of held-out live blogs (never tuned on); scores may only go
up, and stay above the lead baseline of the same run by the issue-23 ratios."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from briefing.cli import app
from briefing.ops import evaluate, gate, load_split, updated_minimums
from briefing.summarise import ExtractiveSummariser

DATA = Path(__file__).parent / "eval_data"
# the first 12 (by id) of the held-out half of liveblogs-dev (tests/data/blind/liveblogs_dev_split.json)
HELDOUT = Path(__file__).parent / "eval_heldout"
BASELINE = Path(__file__).parent / "eval_baseline.json"
SPLIT = Path(__file__).parent / "data" / "blind" / "liveblogs_dev_split.json"


def test_the_gate_slice_is_held_out() -> None:
    heldout = set(json.loads(SPLIT.read_text())["heldout"])
    blogs = {p.stem for p in (HELDOUT / "blogs").glob("*.json")}
    assert len(blogs) == 12 and blogs <= heldout
    assert blogs == set(json.loads((HELDOUT / "references.json").read_text()))


def test_quality_gate_on_the_held_out_slice() -> None:
    report = evaluate(HELDOUT, ExtractiveSummariser())
    mean = report.mean()
    assert mean["blogs"] == 12 and mean["failed"] == 0
    minimums = json.loads(BASELINE.read_text())
    assert gate(mean, minimums) == [], "quality fell below tests/eval_baseline.json"
    assert mean["briefing.rouge2"] >= 1.5 * mean["lead.rouge2"]
    assert mean["briefing.rouge1"] >= 1.25 * mean["lead.rouge1"]
    assert mean["briefing.rouge2"] > mean["random.rouge2"]
    assert mean["citation_validity"] == 1.0 and mean["grounding"] == 1.0


def test_a_split_selects_its_blogs(tmp_path: Path) -> None:
    ids = sorted(p.stem for p in (HELDOUT / "blogs").glob("*.json"))[:2]
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"heldout": ids, "tune": ["nope"]}))
    assert load_split(f"{split}:heldout") == ids
    assert evaluate(HELDOUT, ExtractiveSummariser(), ids=ids).mean()["blogs"] == 2
    runner = CliRunner()
    r = runner.invoke(app, ["eval", str(HELDOUT), "--split", f"{split}:heldout"])
    assert r.exit_code == 0 and "on 2 blogs" in r.stdout
    r = runner.invoke(app, ["eval", str(HELDOUT), "--split", f"{split}:tune"])
    assert r.exit_code == 2 and "not in the dataset" in r.stderr
    r = runner.invoke(app, ["eval", str(HELDOUT), "--split", f"{split}:other"])
    assert r.exit_code == 2 and "no part 'other'" in r.stderr


def test_update_raises_minimums_but_refuses_to_lower(tmp_path: Path) -> None:
    mean = {"briefing.rouge1": 0.2, "briefing.rouge2": 0.05, "citation_validity": 1.0}
    assert list(updated_minimums(mean, {"briefing.rouge1": 0.1}))[:1] == [
        ("briefing.rouge1", 0.1, 0.2)
    ]
    assert ("briefing.rouge2", 0.06, 0.05) not in list(
        updated_minimums(mean, {"briefing.rouge2": 0.06})
    )
    assert ("briefing.rouge2", 0.06, 0.05) in list(
        updated_minimums(mean, {"briefing.rouge2": 0.06}, allow_lower=True)
    )

    data = tmp_path / "data"
    (data / "blogs").mkdir(parents=True)
    first = sorted((DATA / "blogs").glob("*.json"))[0]
    shutil.copy(first, data / "blogs")
    refs = json.loads((DATA / "references.json").read_text())
    (data / "references.json").write_text(json.dumps({first.stem: refs[first.stem]}))
    high = tmp_path / "baseline.json"
    high.write_text(json.dumps({"briefing.rouge1": 0.99}))
    runner = CliRunner()
    r = runner.invoke(app, ["eval", str(data), "--baseline", str(high)])
    assert r.exit_code == 1 and "quality gate failed" in r.stderr
    r = runner.invoke(app, ["eval", str(data), "--baseline", str(high), "--update"])
    assert r.exit_code == 1 and "refusing to lower" in r.stderr
    assert json.loads(high.read_text()) == {"briefing.rouge1": 0.99}
    r = runner.invoke(
        app,
        [
            "eval",
            str(data),
            "--baseline",
            str(high),
            "--update",
            "--allow-lower",
            "--json",
            str(tmp_path / "r.json"),
        ],
    )
    assert r.exit_code == 0 and json.loads(high.read_text())["briefing.rouge1"] < 0.99
    report = json.loads((tmp_path / "r.json").read_text())
    assert set(report["blogs"][0]["rouge"]) == {"briefing", "lead", "random"}
    missing, wrong = tmp_path / "nope.json", tmp_path / "wrong.json"
    r = runner.invoke(app, ["eval", str(data), "--baseline", str(missing)])
    assert r.exit_code == 2 and f"--baseline {missing}: no such file" in r.stderr
    wrong.write_text(json.dumps({"rouge2": 0.01}))  # not a score's name: an error, not a 0
    r = runner.invoke(app, ["eval", str(data), "--baseline", str(wrong)])
    assert r.exit_code == 2 and "not scores: rouge2" in r.stderr and "briefing.rouge2" in r.stderr
    wrong.write_text('{"briefing.rouge2": NaN}')  # NaN passes every comparison: an error
    r = runner.invoke(app, ["eval", str(data), "--baseline", str(wrong)])
    assert r.exit_code == 2 and "finite numbers" in r.stderr
    r = runner.invoke(app, ["eval", str(data), "--baseline", str(missing), "--update"])
    assert r.exit_code == 0 and "briefing.rouge2" in json.loads(missing.read_text())
