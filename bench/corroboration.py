"""Corroboration on the two real multi-publisher events (tests/eval_data/multi-publisher: the
Guardian and the BBC live-blogging the Eurovision final 2015 and A-level results day 2017).

    .venv/bin/python -m bench.corroboration table   # the briefings' bullets and who supports them
    .venv/bin/python -m bench.corroboration write   # bench/data/corroboration_to_label.json
    .venv/bin/python -m bench.corroboration score   # precision on bench/data/corroboration_labels.json

`table` briefs each event as `briefing run DIR --llm extractive` does (and with 30 sections,
for more bullets), and prints every bullet with the publishers that support it, the share a
second publisher supports, and every disagreement with both citations.

`write` makes the blind sample: every sentence the extractive summariser could use becomes a
bullet; each is paired with the other publisher's entries of its story. All the pairs we say
are supported, and as many we say are not (of those whose entries share at least half the
bullet's words: hard cases), with the other publisher's four entries nearest in words (ours
among them), shuffled. Where no entry of the story is near, the four nearest of the whole event
are shown (corroboration does not look there: our answer is no). The file holds no answer;
ours are in corroboration_answers.json, which the labeller must not see. `score` compares
them with the labels (`{"labels": {pair id: true|false}}`).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from briefing import app, pipeline
from briefing.check import tokenize
from briefing.config import Settings
from briefing.contract import Briefing, Bullet, Section
from briefing.ingest import ingest, load_rules
from briefing.models import Window
from briefing.pipeline import Draft, EntryTexts
from briefing.summarise import ExtractiveSummariser
from briefing.summarise.extractive.candidates import candidates

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "eval_data" / "multi-publisher"
DATA = Path(__file__).resolve().parent / "data"
TO_LABEL = DATA / "corroboration_to_label.json"
LABELS = DATA / "corroboration_labels.json"
ANSWERS = DATA / "corroboration_answers.json"  # ours, kept apart: not for the labeller
SHOWN = 4  # entries of the other publisher shown with a bullet
SEED = 27
OUTSIDE = 0.75  # share of a bullet's words an entry outside its story must hold to be shown
PAIRS = 48  # at least: every pair we say is supported, and hard cases we say are not
LONDON = ZoneInfo("Europe/London")


def events() -> list[Path]:
    return sorted(p for p in EVENTS.iterdir() if p.is_dir())


def briefing_of(event: Path, max_sections: int | None = None) -> Briefing:
    """The event briefed as `briefing run EVENT --llm extractive` does."""
    s = Settings(llm="extractive", **({"max_sections": max_sections} if max_sections else {}))
    req = app.request(s, [str(event)], topic=event.name)
    return app.produce(req, None, summariser=ExtractiveSummariser()).briefing


def pool(event: Path) -> tuple[Briefing, dict[str, str]]:
    """Every sentence the extractive summariser could use, as a checked bullet with its
    corroboration: the whole event, every story; and the story of each entry."""
    got = ingest([str(event)], rules=load_rules(), tz=LONDON)
    read = pipeline.Read(got.loaded, got.skipped)
    prep = pipeline.prepare(read, Window(LONDON), datetime.now(UTC))
    cands = candidates(prep.stories)
    sections = [Section(title=s.title, story_id=s.id,
                        bullets=[Bullet(text=c.text, citations=c.citations)
                                 for c in cands if c.story == si])
                for si, s in enumerate(prep.stories)]  # fmt: skip
    draft = Draft([], [s for s in sections if s.bullets], "extractive")
    b = pipeline.assemble(prep, draft, topic=event.name, window=Window(LONDON),
                          generated_at=datetime.now(UTC))  # fmt: skip
    return b, {e: s.id for s in prep.stories for it in s.items for e in it.entry_ids}


def _publisher(b: Briefing, entry: str) -> str:
    s = b.sources[entry]
    return s.publisher or s.document


def table(out=sys.stdout) -> None:  # type: ignore[no-untyped-def]
    for sections in (None, 30):
        for event in events():
            b = briefing_of(event, sections)
            bullets = b.all_bullets()
            second = [x for x in bullets if len({c.publisher for c in x.corroboration}) > 1]
            label = "default settings" if sections is None else f"max_sections = {sections}"
            print(f"\n### {event.name} ({label}): {len(second)} of {len(bullets)} bullets "
                  f"supported by a second publisher\n", file=out)  # fmt: skip
            if sections is None:
                print("| bullet | cited | supported by |\n| --- | --- | --- |", file=out)
                for x in bullets:
                    cited = ", ".join(dict.fromkeys(_publisher(b, c) for c in x.citations))
                    by = ", ".join(c.publisher for c in x.corroboration)
                    text = x.text.replace("|", "\\|")
                    print(f"| {text} | {cited} | {by}{' (single source)' if x.single_source else ''} |",
                          file=out)  # fmt: skip
            else:
                for x in second:
                    others = [c for c in x.corroboration if c.publisher not in
                              {_publisher(b, e) for e in x.citations}]  # fmt: skip
                    for c in others:
                        print(f"- {x.text}\n  - {c.publisher}: “{c.evidence}”", file=out)
            for x in bullets:
                for d in x.disagreements:
                    sides = "; ".join(f"{s.publisher} [{s.entry}]: “{s.evidence}”" for s in d.sides)
                    print(f"- disagreement ({d.kind}) on “{x.text}”: {d.text} — {sides}", file=out)


def pairs() -> tuple[list[dict[str, object]], dict[str, bool]]:
    rng = random.Random(SEED)
    yes: list[dict[str, object]] = []
    no: list[dict[str, object]] = []
    for event in events():
        b, story_of = pool(event)
        publishers = sorted({_publisher(b, e) for e in b.sources})
        texts = EntryTexts({k: v.text for k, v in b.sources.items()})
        seen: set[str] = set()
        for section in b.sections:
            story = [e for e in b.sources if story_of.get(e) == section.story_id]
            for x in section.bullets:
                key = " ".join(x.text.lower().split())
                if key in seen or len(x.text.split()) < 5:
                    continue
                seen.add(key)
                mine = {_publisher(b, e) for e in x.citations}
                want = {t.stem for t in tokenize(x.text) if t.content}
                for other in publishers:
                    if other in mine:
                        continue
                    # the other publisher's entries of the story; when none is near in words,
                    # of the whole event (which corroboration does not look at: our answer no)
                    theirs = [e for e in story if _publisher(b, e) == other]
                    near = sorted(theirs, key=lambda e: -len(want & texts.stems(e)))
                    if not near or not texts.holds(want, near[0]):
                        every = [e for e in b.sources if _publisher(b, e) == other]
                        near = sorted(every, key=lambda e: -len(want & texts.stems(e)))
                        if not near or not texts.holds(want, near[0], OUTSIDE):
                            continue
                    claimed = next((c.entry for c in x.corroboration if c.publisher == other),
                                   None)  # fmt: skip
                    shown = near[:SHOWN]
                    if claimed and claimed not in shown:
                        shown = [claimed, *shown[: SHOWN - 1]]
                    rng.shuffle(shown)
                    pair = {"event": event.name, "bullet": x.text, "publisher": other,
                            "entries": [{"id": e, "text": b.sources[e].text} for e in shown]}
                    (yes if claimed else no).append(pair)
    rng.shuffle(no)
    out = yes + no[: max(len(yes), PAIRS - len(yes))]
    rng.shuffle(out)
    for i, p in enumerate(out, 1):
        p["id"] = f"c{i:03d}"
    return out, {str(p["id"]): any(p is y for y in yes) for p in out}


def ours(pair: dict[str, object]) -> bool:
    """Does any of the shown entries support the bullet, by the test corroboration uses (which
    also needs the entry in the bullet's story: that is in the answers file)?"""
    entries = pair["entries"]
    assert isinstance(entries, list)
    texts = EntryTexts({e["id"]: e["text"] for e in entries})
    return any(texts.supports(str(pair["bullet"]), e["id"]) for e in entries)


def write() -> None:
    got, answers = pairs()
    DATA.mkdir(exist_ok=True)
    ANSWERS.write_text(json.dumps({"supported": answers}, indent=1) + "\n", encoding="utf-8")
    TO_LABEL.write_text(json.dumps({
        "task": ("For each pair: does at least one of the entries of `publisher` report what "
                 "`bullet` says (the same fact, not only the same topic; numbers, names and "
                 "who did what must agree)? Answer true or false per pair id, in "
                 'corroboration_labels.json as {"labels": {"c001": true, ...}}.'),
        "source": "tests/eval_data/multi-publisher (Guardian and BBC live blogs, lowercased)",
        "pairs": got,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
    print(f"{len(got)} pairs -> {TO_LABEL.relative_to(ROOT)} (we say {sum(answers.values())} "
          f"are supported; our answers in {ANSWERS.name})")


def score() -> int:
    if not LABELS.exists():
        print(f"no labels yet: {LABELS.relative_to(ROOT)} (label {TO_LABEL.name} blind)")
        return 1
    labels = json.loads(LABELS.read_text(encoding="utf-8"))["labels"]
    answers = json.loads(ANSWERS.read_text(encoding="utf-8"))["supported"]
    got = json.loads(TO_LABEL.read_text(encoding="utf-8"))["pairs"]
    tp = fp = fn = tn = 0
    changed = 0
    for p in got:
        if p["id"] not in labels:
            continue
        mine, truth = bool(answers[p["id"]]), bool(labels[p["id"]])
        changed += mine and not ours(p)  # the checker has changed since the file was written
        tp += mine and truth
        fp += mine and not truth
        fn += truth and not mine
        tn += not mine and not truth
    n = tp + fp + fn + tn
    print(f"{n} labelled pairs: we say supported {tp + fp}, of which {tp} right: precision "
          f"{tp / max(1, tp + fp):.1%}; recall {tp / max(1, tp + fn):.1%} ({tp + fn} supported "
          f"by the labels); {tn} agreed unsupported")
    if changed:
        print(f"{changed} of our 'supported' answers would now be 'not supported' (checker changed)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("table", "write", "score"))
    args = ap.parse_args(argv)
    if args.what == "table":
        table()
    elif args.what == "write":
        write()
    else:
        return score()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
