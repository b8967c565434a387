"""Corroboration on the two real multi-publisher events (tests/eval_data/multi-publisher: the
Guardian and the BBC live-blogging the Eurovision final 2015 and A-level results day 2017).

    .venv/bin/python -m bench.corroboration table   # the briefings' bullets and who supports them
    .venv/bin/python -m bench.corroboration write --dir /work/blind/corr2   # the blind sample
    .venv/bin/python -m bench.corroboration score --dir /work/blind/corr2   # precision on labels.json

`table` briefs each event as `briefing run DIR --llm extractive` does (and with 30 sections,
for more bullets), and prints every distinct bullet with the publishers that support it, the share a
second publisher supports, and every disagreement with both citations.

`write` makes the blind sample in DIR: every sentence the extractive summariser could use, and
every sentence of an entry, becomes a bullet with its corroboration; each (bullet, other
publisher) pair we call supported is written, and PAIRS_NO we call not supported: first those
the same test over the publisher's whole event calls supported (a search corroboration does
not make), then hard cases (an entry holds HARD of the bullet's words). Each pair shows the
publisher's SHOWN entries of the whole event nearest in words (the one we or the wide test
found among them), shuffled. to_label.json holds no answer; ours are in answers.json, which
the labeller must not see. `score` compares them with labels.json (`{"labels": {pair id:
true|false}}`): precision with its 95 % Wilson lower bound, and recall. `--pairs`,
`--answers`, `--labels` name the files one by one (the first sample:
bench/data/corroboration_{to_label,answers,labels}.json).
"""

from __future__ import annotations

import argparse
import json
import math
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
from briefing.tokens import sentences

ROOT = Path(__file__).resolve().parent.parent
EVENTS = ROOT / "tests" / "eval_data" / "multi-publisher"
DATA = Path(__file__).resolve().parent / "data"
SHOWN = 4  # entries of the other publisher shown with a bullet
SEED = 27
HARD = 0.6  # a pair we say is not supported is shown when an entry holds this share of words
SEARCHED = 40  # the other publisher's entries nearest in words tried by the whole-event test
PAIRS_NO = 50  # pairs we say are not supported, besides every one we say is
MIN_TOKENS = 5  # a sentence shorter than this is no bullet in the every-sentence pool
MIN_WORDS = 3  # as corroboration: fewer content words, no publisher is said to support it
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
            # each distinct line once (a section's lead may repeat its In-brief line)
            bullets = list({" ".join(x.text.split()): x for x in b.all_bullets()}.values())
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


def every_sentence(event: Path) -> tuple[Briefing, dict[str, str]]:
    """As `pool`, but every sentence of at least MIN_TOKENS tokens of every entry is a bullet
    citing its entry (what a summariser could say, before the extractive one's choices)."""
    got = ingest([str(event)], rules=load_rules(), tz=LONDON)
    read = pipeline.Read(got.loaded, got.skipped)
    prep = pipeline.prepare(read, Window(LONDON), datetime.now(UTC))
    sections = []
    for s in prep.stories:
        said = {(t, it.canonical.id) for it in s.items for p in it.canonical.paragraphs
                for t in sentences(p.text) if len(t.split()) >= MIN_TOKENS}  # fmt: skip
        bullets = [Bullet(text=t, citations=[e]) for t, e in sorted(said)]
        if bullets:
            sections.append(Section(title=s.title, story_id=s.id, bullets=bullets))
    b = pipeline.assemble(prep, Draft([], sections, "extractive"), topic=event.name,
                          window=Window(LONDON), generated_at=datetime.now(UTC))  # fmt: skip
    return b, {e: s.id for s in prep.stories for it in s.items for e in it.entry_ids}


def pairs(wanted_no: int = PAIRS_NO) -> tuple[list[dict[str, object]], dict[str, dict[str, object]]]:
    """Every (bullet, other publisher) pair we call supported, from both pools; and
    `wanted_no` we call not supported: first those the same test over the publisher's whole
    event would call supported (the search corroboration does not make), then hard cases
    (an entry of the publisher holds at least HARD of the bullet's content words)."""
    rng = random.Random(SEED)
    yes: list[dict[str, object]] = []
    wide: list[dict[str, object]] = []
    hard: list[dict[str, object]] = []
    for event in events():
        seen: set[frozenset[str]] = set()
        for b, story_of in (pool(event), every_sentence(event)):
            publishers = sorted({_publisher(b, e) for e in b.sources})
            texts = EntryTexts({k: v.text for k, v in b.sources.items()})
            for section in b.sections:
                for x in section.bullets:
                    want = frozenset(t.stem for t in tokenize(x.text) if t.content)
                    if want in seen or len(want) < MIN_WORDS or x.text.rstrip().endswith("?"):
                        continue
                    seen.add(want)
                    mine = {_publisher(b, e) for e in x.citations}
                    for other in publishers:
                        if other in mine:
                            continue
                        every = [e for e in b.sources if _publisher(b, e) == other]
                        near = sorted(every, key=lambda e: (-len(want & texts.stems(e)), e))
                        claimed = next((c.entry for c in x.corroboration
                                        if c.publisher == other), None)  # fmt: skip
                        backs = None if claimed else next(
                            (e for e in near[:SEARCHED] if texts.holds(set(want), e)
                             and texts.supports(x.text, e)), None)  # fmt: skip
                        if not (claimed or backs or texts.holds(set(want), near[0], HARD)):
                            continue
                        shown = near[:SHOWN]
                        for must in (claimed, backs):
                            if must and must not in shown:
                                shown = [must, *shown[: SHOWN - 1]]
                        rng.shuffle(shown)
                        pair = {"event": event.name, "bullet": x.text, "publisher": other,
                                "entries": [{"id": e, "text": b.sources[e].text} for e in shown],
                                "_ours": bool(claimed), "_entry": claimed or backs,
                                "_in_story": bool(claimed) and story_of.get(claimed or "")
                                == section.story_id,
                                "_wide": bool(claimed or backs)}  # fmt: skip
                        (yes if claimed else wide if backs else hard).append(pair)
    rng.shuffle(hard)
    no = (wide + hard)[: max(wanted_no, 0)]
    out = yes + no
    rng.shuffle(out)
    answers: dict[str, dict[str, object]] = {}
    for i, p in enumerate(out, 1):
        p["id"] = f"c{i:03d}"
        answers[p["id"]] = {"supported": p.pop("_ours"), "entry": p.pop("_entry"),
                            "in_story": p.pop("_in_story"), "whole_event": p.pop("_wide")}
    return out, answers


def ours(pair: dict[str, object]) -> bool:
    """Does any of the shown entries support the bullet, by the test corroboration uses (which
    also needs the entry in the bullet's story or among its related items: that is in the
    answers file)?"""
    entries = pair["entries"]
    assert isinstance(entries, list)
    texts = EntryTexts({e["id"]: e["text"] for e in entries})
    return any(texts.supports(str(pair["bullet"]), e["id"]) for e in entries)


def write(out: Path) -> None:
    got, answers = pairs()
    out.mkdir(parents=True, exist_ok=True)
    (out / "answers.json").write_text(json.dumps({
        "note": "ours, not for the labeller: supported = what corroboration says; entry = the "
                "entry that supports it (or, when we say no, the one the same test over the "
                "publisher's whole event finds); in_story = found in the bullet's own story",
        "answers": answers}, indent=1) + "\n", encoding="utf-8")  # fmt: skip
    (out / "to_label.json").write_text(json.dumps({
        "task": ("For each pair: does at least one of the entries of `publisher` report what "
                 "`bullet` says (the same fact, not only the same topic; numbers, names and "
                 "who did what must agree)? Answer true or false per pair id, in "
                 'labels.json as {"labels": {"c001": true, ...}}.'),
        "source": "tests/eval_data/multi-publisher (Guardian and BBC live blogs, lowercased)",
        "pairs": got,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")  # fmt: skip
    yes = sum(bool(a["supported"]) for a in answers.values())
    print(f"{len(got)} pairs -> {out / 'to_label.json'} (we say {yes} are supported; our "
          f"answers in {out / 'answers.json'})")


def wilson_lower(k: int, n: int, z: float = 1.96) -> float:
    """The lower end of the 95 % Wilson score interval of k successes in n."""
    if n == 0:
        return 0.0
    p = k / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n)


def score(to_label: Path, answers_file: Path, labels_file: Path) -> int:
    if not labels_file.exists():
        print(f"no labels yet: {labels_file} (label {to_label.name} blind)")
        return 1
    labels = json.loads(labels_file.read_text(encoding="utf-8"))["labels"]
    raw = json.loads(answers_file.read_text(encoding="utf-8"))
    answers = raw.get("answers") or {k: {"supported": v} for k, v in raw["supported"].items()}
    got = json.loads(to_label.read_text(encoding="utf-8"))["pairs"]
    tp = fp = fn = tn = changed = 0
    wide_tp = wide_fp = 0
    for p in got:
        if p["id"] not in labels:
            continue
        a = answers[p["id"]]
        mine, truth = bool(a["supported"]), bool(labels[p["id"]])
        changed += mine and not ours(p)  # the checker has changed since the file was written
        tp += mine and truth
        fp += mine and not truth
        fn += truth and not mine
        tn += not mine and not truth
        if a.get("whole_event") and not mine:
            wide_tp += truth
            wide_fp += not truth
        if mine and not truth:
            print(f"  wrong 'supported' {p['id']}: {p['bullet'][:100]}")
    n = tp + fp + fn + tn
    print(f"{n} labelled pairs: we say supported {tp + fp}, of which {tp} right: precision "
          f"{tp / max(1, tp + fp):.1%} (95 % Wilson lower bound {wilson_lower(tp, tp + fp):.1%}); "
          f"recall {tp / max(1, tp + fn):.1%} ({tp + fn} supported by the labels); {tn} agreed "
          "unsupported")  # fmt: skip
    if wide_tp + wide_fp:
        print(f"searching the publisher's whole event would add {wide_tp + wide_fp} 'supported', "
              f"of which {wide_tp} right")
    if changed:
        print(f"{changed} of our 'supported' answers would now be 'not supported' (checker changed)")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("what", choices=("table", "write", "score"))
    ap.add_argument("--dir", type=Path, default=DATA, help="where to_label.json, answers.json "
                    "and labels.json are (default bench/data)")  # fmt: skip
    ap.add_argument("--pairs", type=Path, help="the pairs file (default DIR/to_label.json)")
    ap.add_argument("--answers", type=Path, help="our answers (default DIR/answers.json)")
    ap.add_argument("--labels", type=Path, help="the blind labels (default DIR/labels.json)")
    args = ap.parse_args(argv)
    if args.what == "table":
        table()
    elif args.what == "write":
        write(args.dir)
    else:
        return score(args.pairs or args.dir / "to_label.json",
                     args.answers or args.dir / "answers.json",
                     args.labels or args.dir / "labels.json")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
