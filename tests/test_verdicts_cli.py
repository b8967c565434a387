"""`briefing check` with three verdicts (issue 22): exit 1 on any contradicted bullet, with
--strict also on unconfirmed; --json gives each result's verdict and reason."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from briefing.cli import app

SAMPLE = Path(__file__).parent.parent / "sample_outputs" / "2025-02-13" / "briefing.json"
HEDGE_DROPPED = ("British officials are furious at Donald Trump's attempt to negotiate peace in "
                 "Ukraine with Vladimir Putin.")  # the source: "are said to be furious"
DENIED = ("Mr Trump denied that he had spoken with Vladimir Putin about a timeline to begin "
          "negotiations.")  # the source: "confirmed that he had spoken"


def _with(tmp_path: Path, text: str, citation: str) -> Path:
    data: dict[str, Any] = json.loads(SAMPLE.read_text("utf-8"))
    data["sections"][0]["bullets"][0].update(text=text, citations=[citation])
    out = tmp_path / "b.json"
    out.write_text(json.dumps(data), "utf-8")
    return out


def _row(report: dict[str, Any], text: str) -> dict[str, Any]:
    return next(x for x in report["results"] if x["text"] == text)


def _check(*args: str) -> Any:
    return CliRunner().invoke(app, ["check", *args])


def test_every_sample_bullet_is_supported() -> None:
    r = _check(str(SAMPLE), "--json")
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["bullets"] == report["supported"] > 0
    assert {x["verdict"] for x in report["results"]} == {"supported"}


def test_an_unconfirmed_bullet_passes_unless_strict(tmp_path: Path) -> None:
    path = _with(tmp_path, HEDGE_DROPPED, "ebb842f0caf58")
    r = _check(str(path), "--json")
    assert r.exit_code == 0, r.output
    row = _row(json.loads(r.stdout), HEDGE_DROPPED)
    assert row["verdict"] == "unconfirmed" and "hedges 'furious'" in row["reason"]
    assert row["evidence"] and "said to be furious" in row["evidence"][0]["text"]
    strict = _check(str(path), "--strict")
    assert strict.exit_code == 1 and "1 bullet(s) contradicted or unconfirmed" in strict.output
    assert "? British officials are furious" in strict.stdout


def test_a_contradicted_bullet_fails_with_its_reason(tmp_path: Path) -> None:
    path = _with(tmp_path, DENIED, "e3fe7dc181f1f")
    r = _check(str(path), "--json")
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    row = _row(report, DENIED)
    assert row["verdict"] == "contradicted" and "'spoken' is negated" in row["reason"]
    assert report["contradicted"] == report["failed"] == 1
    text = _check(str(path))
    assert "✗ Mr Trump denied" in text.stdout and "contradicted" in text.stdout


def test_an_unconfirmed_bullet_is_shown_as_such_with_its_evidence_everywhere() -> None:
    """Markdown, HTML, both parts of the email and the archive page mark an unconfirmed
    bullet "not confirmed word for word" and show the sentence it rests on; a supported one
    is not marked."""
    from briefing.check import check_briefing
    from briefing.contract import Briefing
    from briefing.deliver.archive import render_site
    from briefing.deliver.email import render_email
    from briefing.render import render

    data = json.loads(SAMPLE.read_text("utf-8"))
    data["sections"][0]["bullets"][0].update(text=HEDGE_DROPPED, citations=["ebb842f0caf58"])
    b = Briefing.model_validate(data)
    checked = {r.text: r for _, r in check_briefing(b)}[HEDGE_DROPPED]
    bullet = checked.bullet()
    assert bullet.verdict == "unconfirmed" and bullet.reason and bullet.evidence
    b.sections[0].bullets[0] = bullet
    md, html = render(b, "md"), render(b, "html")
    text, mail = render_email(b)
    page = next(v for k, v in render_site([b])[0].items() if k.endswith(".html")
                and b"furious at Donald" in v).decode()  # fmt: skip
    for out in (md, html, text, mail, page):
        assert out.count("not confirmed word for word") + out.count("Not confirmed word for "
                                                                    "word") == 1, out[:300]
        assert "said to be furious" in out
    assert "the source says: “British officials are said to be furious" in md
    assert '<details class="evidence" data-pagefind-ignore="all" open>' in html


def test_a_verifier_quote_found_in_the_source_makes_an_unconfirmed_bullet_supported() -> None:
    from briefing.check import Verdict, check_briefing, claim_key, verdicts
    from briefing.contract import Briefing

    data = json.loads(SAMPLE.read_text("utf-8"))
    data["sections"][0]["bullets"][0].update(text=HEDGE_DROPPED, citations=["ebb842f0caf58"])
    b = Briefing.model_validate(data)
    b.sections[0].bullets[0] = {r.text: r for _, r in check_briefing(b)}[HEDGE_DROPPED].bullet()
    quote = b.sections[0].bullets[0].evidence[0].text
    said = {claim_key(HEDGE_DROPPED): Verdict(True, quote, "")}
    after, _ = verdicts(b, said, "checker")
    x = after.sections[0].bullets[0]
    assert x.verdict == "supported" and "model:checker" in x.verified_by
    assert x.reason and "confirmed by the verifier (checker)" in x.reason
    lying, _ = verdicts(b, {claim_key(HEDGE_DROPPED): Verdict(True, "nobody wrote this", "")},
                        "checker")  # fmt: skip
    assert lying.sections[0].bullets[0].verdict == "unconfirmed"
