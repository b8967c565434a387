"""Corroboration and disagreement (issue 27): a small corpus with known agreements, a number
disagreement, a denial and two copies of one Reuters report (tests/fixtures/corroboration),
and the Guardian and the BBC on the same real event (tests/eval_data/multi-publisher)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefing.contract import Briefing, Bullet, Source
from briefing.pipeline import SummaryRequest
from briefing.pipeline.corroborate import agency

from .conftest import FIXTURES, brief
from .fakes import FakeSummariser, draft

CORPUS = FIXTURES / "corroboration"
REAL = Path(__file__).parent / "eval_data" / "multi-publisher"

STRIKE = "The strike hit a power station in the Darnytskyi district, cutting electricity to thousands of homes."
DRONES = "Russia launched 140 drones at Kyiv overnight, Ukraine's air force said on Tuesday."
ENVOYS = "The Kremlin confirmed that Russian and American envoys will meet in Riyadh on Thursday."
ZELENSKYY = "Volodymyr Zelenskyy called for more air defence systems from Ukraine's allies."
GRAIN = ("Ukraine's navy said 12 grain ships left the port of Odesa on Tuesday despite the "
         "overnight strikes.")
WIRE = ("Ukrainian President Volodymyr Zelenskiy asked allies on Tuesday for more air defence "
        "systems after an overnight drone attack on Kyiv knocked out a power station.")


def _entry(req: SummaryRequest, publisher: str, starts: str) -> str:
    for story in req.stories:
        for item in story.items:
            for e in item.members:
                if starts in e.body and publisher in e.document:
                    return e.id
    raise AssertionError(f"no entry of {publisher} with {starts!r}")


def _run(bullets: list[tuple[str, str]], inputs: list[str] | None = None) -> Briefing:
    """A briefing of the corpus whose bullets are `bullets`: (text, document of its citation)."""

    def answer(req: SummaryRequest):  # type: ignore[no-untyped-def]
        cited = [(text, [_entry(req, doc, text.split(" … ")[0][:40])]) for text, doc in bullets]
        return draft({"Kyiv": cited})

    return brief(None, FakeSummariser().enqueue(answer), inputs=inputs or [str(CORPUS)],
                 topic="Kyiv", max_sections=10)  # fmt: skip


def _bullet(b: Briefing, starts: str) -> Bullet:
    return next(x for x in b.all_bullets() if x.text.startswith(starts))


@pytest.fixture(scope="module")
def corpus() -> Briefing:
    return _run([(STRIKE, "guardian"), (DRONES, "guardian"), (ENVOYS, "guardian"),
                 (ZELENSKYY, "guardian"), (WIRE, "wire"), (GRAIN, "telegraph")])  # fmt: skip


def test_every_publisher_that_reports_a_fact_is_named_once(corpus: Briefing) -> None:
    x = _bullet(corpus, STRIKE[:30])
    pubs = [c.publisher for c in x.corroboration]
    assert pubs[0] == "The Guardian" and len(pubs) == len(set(pubs))
    assert set(pubs) == {"The Guardian", "BBC News", "Sky News", "The Independent"}
    bbc = next(c for c in x.corroboration if c.publisher == "BBC News")
    assert "Darnytskyi" in bbc.evidence and corpus.sources[bbc.entry].publisher == "BBC News"
    assert not x.single_source and not x.disagreements


def test_copies_of_one_wire_report_count_once_and_say_so(corpus: Briefing) -> None:
    x = _bullet(corpus, STRIKE[:30])
    wire = [c for c in x.corroboration if c.agency == "Reuters"]
    assert {c.publisher for c in wire} == {"Sky News", "The Independent"}
    assert sum(c.same_report_as is None for c in wire) == 1  # one report, carried twice
    w = _bullet(corpus, WIRE[:30])
    assert {c.publisher for c in w.corroboration} == {"Sky News", "The Independent"}
    assert w.single_source  # two publishers, one Reuters report; the story has four publishers


def test_a_different_number_for_the_same_counted_thing_is_a_disagreement(corpus: Briefing) -> None:
    x = _bullet(corpus, DRONES[:30])
    assert [c.publisher for c in x.corroboration] == ["The Guardian"]  # 120 is not 140
    (d,) = x.disagreements
    assert d.kind == "number" and d.text == "The Guardian: 140 drones; BBC News: 120 drones"
    mine, theirs = d.sides
    assert x.citations == [mine.entry] and corpus.sources[theirs.entry].publisher == "BBC News"
    assert "120 drones" in theirs.evidence and "140 drones" in mine.evidence


def test_a_denial_by_another_publisher_is_shown(corpus: Briefing) -> None:
    x = _bullet(corpus, ENVOYS[:30])
    (d,) = x.disagreements
    assert d.kind == "denial" and d.text.startswith("BBC News says otherwise")
    assert "has not confirmed" in d.sides[1].evidence
    assert [c.publisher for c in x.corroboration] == ["The Guardian"]


def test_a_near_copy_that_denies_is_a_denial_not_a_copy(corpus: Briefing) -> None:
    # dedupe merges the Telegraph's report with the Times's "denied that 12 grain ships left":
    # corroboration checks each text on its own
    x = _bullet(corpus, GRAIN[:30])
    assert [c.publisher for c in x.corroboration] == ["The Telegraph"]
    (d,) = x.disagreements
    assert d.kind == "denial" and d.sides[1].publisher == "The Times"
    assert "denied" in d.sides[1].evidence and x.single_source


def test_a_single_source_claim_of_a_multi_publisher_story_is_marked(corpus: Briefing) -> None:
    x = _bullet(corpus, ZELENSKYY[:30])
    assert [c.publisher for c in x.corroboration] == ["The Guardian"]
    assert x.single_source and not x.disagreements


def test_the_corroboration_survives_the_json_contract(corpus: Briefing) -> None:
    again = Briefing.model_validate_json(corpus.model_dump_json())
    assert again == corpus
    assert again.all_bullets()[0].corroboration


def test_agencies_are_read_from_bylines_and_datelines() -> None:
    def src(text: str, author: str | None = None) -> Source:
        return Source(document="d", title=None, author=author, published=None, url=None,
                      anchor="d", excerpt="", text=text)  # fmt: skip

    assert agency(src("x", "Reuters")) == "Reuters"
    assert agency(src("x", "Staff and agencies; Associated Press")) == "AP"
    assert agency(src("LONDON (PA) - The minister said")) == "PA"
    assert agency(src("KYIV (Reuters) – Ukraine said")) == "Reuters"
    assert agency(src("Apple and papaya growers", "Pat Apland")) is None
    assert agency(src("He said AP exams were hard (ap) today")) is None


@pytest.mark.skipif(not REAL.is_dir(), reason="multi-publisher eval data absent")
def test_the_bbc_corroborates_a_guardian_line_on_the_real_eurovision_blogs() -> None:
    line = "germany : ann sophie , black smoke ."
    b = _run([(line, "018d48")], inputs=[str(REAL / "eurovision-2015")])
    x = _bullet(b, "germany")
    assert [c.publisher for c in x.corroboration] == ["The Guardian", "BBC News"]
    bbc = x.corroboration[1]
    assert "ann sophie" in bbc.evidence and "black smoke" in b.sources[bbc.entry].text


def test_every_output_shows_who_reports_it_and_where_sources_differ(corpus: Briefing) -> None:
    from briefing.deliver.email import render_email
    from briefing.render import render, render_template, view

    md = render(corpus, "md")
    html = render(corpus, "html")
    text, mail = render_email(corpus)
    archive = render_template("archive/briefing.html.j2", v=view(corpus), root="", links={})
    v = view(corpus)
    numbers = {s.id: s.number for s in v.sources}
    drones = next(x for x in corpus.all_bullets() if x.text.startswith(DRONES[:30]))
    g, bbc = (numbers[c.entry] for c in drones.disagreements[0].sides)  # both sides are cited
    assert f"The Guardian: 140 drones [[{g}]]" in md and f"BBC News: 120 drones [[{bbc}]]" in md
    assert f"The Guardian: 140 drones [{g}]; BBC News: 120 drones [{bbc}]" in text
    wire = re.compile(r"Reported by The Guardian, BBC News, (Sky News|The Independent) and "
                      r"(Sky News|The Independent) \(one Reuters report\)")
    for out in (md, html, text, mail, archive):
        assert "Sources differ" in out and "BBC News says otherwise" in out
        assert wire.search(out.replace("\\", "")), out
        assert "Single source: The Guardian" in out and "only one of this story" in out
    for out in (html, mail, archive):
        assert f'href="#src-{drones.disagreements[0].sides[1].entry}"' in out


def test_a_briefing_of_one_publisher_does_not_say_single_source_on_every_line() -> None:
    from briefing.render import render

    b = brief("2025-02-13")  # the sample corpus: The Independent only
    assert all(x.corroboration for x in b.all_bullets())
    assert not any(x.single_source for x in b.all_bullets())
    assert "Single source" not in render(b, "md") and "Reported by" not in render(b, "html")


def test_selection_weighs_a_fact_other_publishers_report_above_a_single_source_one() -> None:
    from datetime import UTC, datetime

    from briefing import pipeline
    from briefing.ingest import ingest, load_rules
    from briefing.models import Window
    from briefing.summarise.extractive.candidates import candidates
    from briefing.summarise.extractive.corroborated import PER_REPORT, weigh

    from .conftest import LONDON

    got = ingest([str(CORPUS)], rules=load_rules(), tz=LONDON)
    read = pipeline.Read(got.loaded, got.skipped)
    prep = pipeline.prepare(read, Window(LONDON), datetime.now(UTC))
    publishers = {d.id: d.publisher or d.id for d in read.documents}
    before = {c.text: c.weight for c in candidates(prep.stories)}
    after_cands = candidates(prep.stories)
    weigh(after_cands, prep.stories, publishers)
    after = {c.text: c.weight for c in after_cands}
    # the strike: the BBC and one Reuters report (two publishers, one report) besides the Guardian
    assert after[STRIKE] == pytest.approx(before[STRIKE] * (1 + 2 * PER_REPORT))
    assert after[ZELENSKYY] == before[ZELENSKYY]  # the Guardian's alone
    assert after[DRONES] == before[DRONES]  # the BBC says 120, not 140
    weigh(after_cands, prep.stories, {})  # no publishers known: nothing changes
    assert {c.text: c.weight for c in after_cands} == after


def test_a_question_corroborates_nothing() -> None:
    from briefing.pipeline import EntryTexts

    texts = EntryTexts({"q": "Will Russia launch 140 drones at Kyiv tonight?",
                        "a": "Russia will launch 140 drones at Kyiv tonight, officials said."})
    bullet = "Russia will launch 140 drones at Kyiv tonight."
    assert texts.supports(bullet, "a") and not texts.supports(bullet, "q")


def test_the_blind_sample_holds_no_answer_and_enough_pairs() -> None:
    import json

    root = Path(__file__).resolve().parent.parent / "bench" / "data"
    sample = json.loads((root / "corroboration_to_label.json").read_text(encoding="utf-8"))
    answers = json.loads((root / "corroboration_answers.json").read_text(encoding="utf-8"))
    pairs = sample["pairs"]
    assert len(pairs) >= 40 and {p["id"] for p in pairs} == set(answers["supported"])
    for p in pairs:
        assert set(p) == {"id", "event", "bullet", "publisher", "entries"}
        assert all(set(e) == {"id", "text"} for e in p["entries"]) and 1 <= len(p["entries"]) <= 4
    assert 0 < sum(answers["supported"].values()) < len(pairs)  # both kinds, not told which


def test_publisher_names_and_quoted_text_are_escaped_in_every_output(corpus: Briefing) -> None:
    from briefing.render import render

    evil = "<b>Evil</b> *News*"
    sources = {k: v.model_copy(update={"publisher": evil}) if v.publisher == "BBC News" else v
               for k, v in corpus.sources.items()}  # fmt: skip
    b = corpus.model_copy(update={"sections": [s.model_copy(update={"bullets": [
        x.model_copy(update={"disagreements": [d.model_copy(update={"sides": [
            c.model_copy(update={"publisher": evil}) if c.publisher == "BBC News" else c
            for c in d.sides]}) for d in x.disagreements]}) for x in s.bullets]})
        for s in corpus.sections], "sources": sources})  # fmt: skip
    html, md = render(b, "html"), render(b, "md")
    assert "<b>Evil</b>" not in html and "&lt;b&gt;Evil&lt;/b&gt;" in html
    assert "<b>Evil</b>" not in md and "\\*News\\*" in md
