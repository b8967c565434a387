"""Who else reports it: for each bullet, the publishers whose entries of its story support it,
and where entries of the story disagree with it (issue 27). Pure.

A bullet is supported by an entry when the checker would pass it citing that entry alone
(`check.check_bullet`: the words check, evidence by `check.align`, the meaning checks), so a
better aligner or stricter meaning check applies here as soon as the checker has it. Each
publisher counts once. Copies of one report count as one report: the members of one
deduplicated item (near-identical text under different publishers, exact copies listed as
"also in"), and entries that credit the same news agency (a byline "Reuters", a dateline
"(Reuters) -").

Disagreement is told only where it is clear, precision first:
- numbers: an entry of another publisher whose sentence says everything the bullet says around
  a number (the same counted noun right after it, the same words on both sides of it) but with
  another number ("The Guardian: 140 drones; BBC News: 120 drones");
- denial: an entry of another publisher that the checker finds saying the bullet's words with
  the opposite polarity, and nothing else wrong.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass

from ..check import STOPWORDS, BulletCheck, Index, align, check_bullet, tokenize
from ..contract import Bullet, Claim, Corroboration, Disagreement, Section, Source
from ..models import Item, Story
from .agency import agency
from .related import related

MAX_ENTRIES = 400  # entries of a story a bullet is compared with (the cited ones always)
MIN_SUPPORT = 0.75  # share of its content words another entry must hold: above the checker's
# 0.6, since here no summariser chose that entry for the bullet (precision first)
MIN_WORDS = 3  # content words a bullet needs for another publisher to be said to support it
PREFILTER = 0.5  # share of a bullet's content stems an entry must hold to be checked at all
HEAD_REACH = 3  # tokens after a number in which its counted noun is found
CONTEXT_REACH = 4  # tokens either side of a number whose words must be in the other sentence
AROUND = 8  # ... within this many tokens of the other number
MIN_CONTEXT = 2  # words around a number that must match: "140 drones" alone says too little

_TIME_NOUNS = frozenset(
    """am pm gmt bst utc cet january february march april may june july august september
    october november december jan feb mar apr jun jul aug sep sept oct nov dec monday tuesday
    wednesday thursday friday saturday sunday""".split()
)


class EntryTexts:
    """Entries' texts (by id), split once: the checker's `Index`, and each entry's stems."""

    def __init__(self, texts: Mapping[str, str]) -> None:
        self.texts = texts
        self.index = Index(texts)
        self._stems: dict[str, frozenset[str]] = {}

    def stems(self, entry: str) -> frozenset[str]:
        got = self._stems.get(entry)
        if got is None:
            got = frozenset().union(*(s.stems for s in self.index.sentences(entry)))
            self._stems[entry] = got
        return got

    def holds(self, want: set[str], entry: str, share: float = PREFILTER) -> bool:
        """Whether the entry has `share` of the wanted stems: worth the checker's time."""
        return bool(want) and len(want & self.stems(entry)) >= share * len(want)

    def support(self, text: str, entry: str) -> BulletCheck | None:
        """The checker's result when the entry alone supports `text`; None when it does not.
        A question asserts nothing: evidence that asks ("will Putin cope?") supports nothing."""
        res = check_bullet(text, [entry], self.texts, MIN_SUPPORT, index=self.index)
        if not res.ok or not res.evidence:
            return None
        if any(_asks(e.text) for e in res.evidence):
            return None
        return res

    def supports(self, text: str, entry: str) -> bool:
        return self.support(text, entry) is not None


def reports_supporting(
    text: str, story: Story, own: Collection[int], publishers: Mapping[str, str],
    texts: EntryTexts, among: Collection[int] | None = None, limit: int | None = None,
) -> int:
    """How many reports of a story by other publishers support `text`, a sentence of its items
    `own` (indices into `story.items`): items of the publishers of `own` do not count, nor a
    second item of one publisher, nor a copy of an agency report already counted. `texts`
    holds the story's entries (by id); `among`: the items to look in (default:
    the first MAX_ENTRIES); `limit`: stop counting there (the caller weighs no more). For the
    summarisers' selection: cheap stems first, then the checker, as for corroboration."""
    def pubs(i: int) -> set[str]:
        return {publishers.get(m.document, m.document) for m in story.items[i].members}

    mine = set().union(*(pubs(i) for i in own)) if own else set()
    want = {t.stem for t in tokenize(text) if t.content}
    if not _checkable(text, want):
        return 0
    counted: set[str] = set()
    reports: set[str] = set()
    for i in sorted(among) if among is not None else range(min(MAX_ENTRIES, len(story.items))):
        item = story.items[i]
        theirs = pubs(i)
        if i in own or theirs & mine or theirs <= counted:
            continue
        entry = item.canonical.id
        if texts.holds(want, entry) and texts.supports(text, entry):
            credit = agency(item.canonical)
            key = f"agency:{credit}" if credit else f"item:{entry}"
            if key not in reports:
                reports.add(key)
                counted |= theirs
                if limit is not None and len(reports) >= limit:
                    break
    return len(reports)


@dataclass(frozen=True, slots=True)
class _Report:
    """One text of a story with who carries it: an entry, and the publishers of its exact
    copies (the same text in other documents)."""

    entry: str  # the entry the bullet is checked against
    key: str  # the report it is: an agency credit, else its item
    publishers: tuple[tuple[str, str], ...]  # (publisher, entry id), the entry's own first
    agency: str | None


def publisher(source: Source) -> str:
    return source.publisher or source.document


def _reports(items: Iterable[Item], sources: Mapping[str, Source]) -> list[_Report]:
    """Each text of items (a story's): an item's near copies are checked on their own text (a
    near copy may differ in what matters: "denied that 12 ships left"), and count as the
    item's report when they support a bullet."""
    out = []
    for item in items:
        key = f"item:{item.canonical.id}"
        texts: dict[str, dict[str, str]] = {}  # text -> {publisher: entry}
        first: dict[str, str] = {}  # text -> the entry checked
        for m in item.entry_ids:
            if m not in sources:
                continue
            t = sources[m].text
            carried = texts.setdefault(t, {})
            first.setdefault(t, m)
            carried.setdefault(publisher(sources[m]), m)
            for o in sources[m].also_in:
                carried.setdefault(o.publisher or o.document, m)
        for t, carried in texts.items():
            credit = agency(sources[first[t]])
            out.append(_Report(first[t], f"agency:{credit}" if credit else key,
                               tuple(carried.items()), credit))  # fmt: skip
    return out


class Corroborator:
    """Corroboration and disagreement for the bullets of one briefing, over its stories."""

    def __init__(self, stories: Sequence[Story], sources: Mapping[str, Source],
                 near: Mapping[str, Sequence[Item]] | None = None) -> None:  # fmt: skip
        self.sources = sources
        self.texts = {k: v.text for k, v in sources.items()}
        self.entries = EntryTexts(self.texts)
        self.index = self.entries.index
        self.stories = {s.id: s for s in stories}
        self.story_of: dict[str, str] = {}
        for s in stories:
            for it in s.items:
                for e in it.entry_ids:
                    self.story_of.setdefault(e, s.id)
        self._reports: dict[str, list[_Report]] = {}
        # other publishers' items of other stories that may report the same event
        self.related = near if near is not None else related(
            stories, {s.document: publisher(s) for s in sources.values()})  # fmt: skip
        self._outside: dict[str, list[_Report]] = {}

    def reports(self, story_id: str) -> list[_Report]:
        got = self._reports.get(story_id)
        if got is None:
            got = self._reports[story_id] = _reports(self.stories[story_id].items, self.sources)
        return got

    def outside(self, story_id: str) -> list[_Report]:
        """The reports of the story's related items (`related.py`)."""
        got = self._outside.get(story_id)
        if got is None:
            got = self._outside[story_id] = _reports(self.related.get(story_id, ()),
                                                     self.sources)  # fmt: skip
        return got

    def stories_of(self, bullet: Bullet, story_id: str | None) -> list[str]:
        if story_id is not None and story_id in self.stories:
            return [story_id]
        found = (self.story_of.get(c) for c in bullet.citations)
        return list(dict.fromkeys(s for s in found if s))

    def bullet(self, b: Bullet, story_id: str | None = None) -> Bullet:
        """The bullet with its corroboration, disagreements and single-source mark."""
        stories = self.stories_of(b, story_id)
        reports = [r for s in stories for r in self.reports(s)]
        if not reports:
            return b
        cited = set(b.citations)
        own = [r for r in reports if cited & {e for _, e in r.publishers}]
        others = [r for r in reports if r not in own][:MAX_ENTRIES]
        others += [r for s in stories for r in self.outside(s)]
        want = {t.stem for t in tokenize(b.text) if t.content}
        supported = self._own(b, own)
        disagreements: list[Disagreement] = []
        mine = {p for r, _ in supported for p, _ in r.publishers}
        for r in others if _checkable(b.text, want) else ():
            if {p for p, _ in r.publishers} <= mine or not self.entries.holds(want, r.entry):
                continue  # the bullet's own publisher counts once, by the entry it cites
            res = self.entries.support(b.text, r.entry)
            if res is not None:
                supported.append((r, " … ".join(e.text for e in res.evidence)))
        backing = {p for r, _ in supported for p, _ in r.publishers}
        for r in [*own, *others]:
            if r.publishers[0][0] in backing or any(r is s for s, _ in supported):
                continue
            if not self.entries.holds(want, r.entry):
                continue
            d = self._disagreement(b, r)
            if d and all(d.text != x.text for x in disagreements):
                disagreements.append(d)
        corroboration = _records(supported)
        publishers = {p for r in reports for p, _ in r.publishers}
        independent = {_key(c, supported) for c in corroboration}
        return b.model_copy(update={
            "corroboration": corroboration,
            "disagreements": disagreements,
            "single_source": len(publishers) > 1 and len(independent) <= 1,
        })  # fmt: skip

    def _own(self, b: Bullet, own: Sequence[_Report]) -> list[tuple[_Report, str]]:
        """The bullet's cited texts that support it: all, when it cites one text or none
        supports it alone (a bullet merging two entries); else those that do on their own."""
        def said(r: _Report) -> str:
            got = [e.text for e in b.evidence if e.entry in {x for _, x in r.publishers}]
            return " … ".join(got) if got else self._said(b.text, r.entry)

        if len(own) <= 1:
            return [(r, said(r)) for r in own]
        alone = [r for r in own
                 if check_bullet(b.text, [r.entry], self.texts, index=self.index).ok]  # fmt: skip
        return [(r, said(r)) for r in (alone or own)]

    def _said(self, text: str, entry: str) -> str:
        found = align(tokenize(text), self.index.sentences(entry))
        return found[0].text if found else ""

    def _disagreement(self, b: Bullet, r: _Report) -> Disagreement | None:
        mine = _counts(b.text)
        theirs_pub, theirs_entry = r.publishers[0]
        if mine:
            for sent in self.index.sentences(r.entry):
                counts = _counts(sent.text, wide=True)
                for (n, head, ctx) in mine:
                    if len(ctx) < MIN_CONTEXT or (n, head) in {(m, h) for m, h, _ in counts}:
                        continue
                    for (m, head2, ctx2) in counts:
                        if head2 == head and m != n and ctx <= ctx2:
                            return self._number(b, head, n, sent.text, theirs_pub,
                                                theirs_entry, m)  # fmt: skip
        res = check_bullet(b.text, [r.entry], self.texts, index=self.index)
        if res.ok or not res.reasons or not res.evidence:
            return None
        if not all(" is negated in " in x for x in res.reasons) or _asks(res.evidence[0].text):
            return None
        mine_pub, mine_entry = self._cited_side(b)
        said = res.evidence[0].text
        return Disagreement(kind="denial", text=f"{theirs_pub} says otherwise: “{said}”",
                            sides=[Claim(publisher=mine_pub, entry=mine_entry, value=b.text,
                                         evidence=self._evidence_of(b, mine_entry)),
                                   Claim(publisher=theirs_pub, entry=theirs_entry, value=said,
                                         evidence=said)])  # fmt: skip

    def _number(self, b: Bullet, head: str, n: str, said: str, pub: str, entry: str,
                m: str) -> Disagreement:  # fmt: skip
        mine_pub, mine_entry = self._cited_side(b)
        noun = _noun(b.text, n, head)
        mine, theirs = f"{_shown(n)} {noun}", f"{_shown(m)} {_noun(said, m, head) or noun}"
        return Disagreement(kind="number", text=f"{mine_pub}: {mine}; {pub}: {theirs}",
                            sides=[Claim(publisher=mine_pub, entry=mine_entry, value=mine,
                                         evidence=self._evidence_of(b, mine_entry)),
                                   Claim(publisher=pub, entry=entry, value=theirs,
                                         evidence=said)])  # fmt: skip

    def _cited_side(self, b: Bullet) -> tuple[str, str]:
        entry = b.evidence[0].entry if b.evidence else b.citations[0]
        return publisher(self.sources[entry]), entry

    def _evidence_of(self, b: Bullet, entry: str) -> str:
        said = [e.text for e in b.evidence if e.entry == entry]
        return said[0] if said else self._said(b.text, entry)


def _checkable(text: str, want: Collection[str]) -> bool:
    """Whether another report can be said to support `text`: it states something (not a
    question) with at least MIN_WORDS content words ("you should all vote for it" is found in
    any post that says "vote")."""
    return len(want) >= MIN_WORDS and not _asks(text)


def _asks(sentence: str) -> bool:
    return sentence.rstrip(" \"'”’)").endswith("?")


def _key(c: Corroboration, supported: Sequence[tuple[_Report, str]]) -> str:
    for r, _ in supported:
        if any(p == c.publisher and e == c.entry for p, e in r.publishers):
            return r.key
    return c.entry


def _records(supported: Iterable[tuple[_Report, str]]) -> list[Corroboration]:
    """One record per publisher, the bullet's own first; a copy names whose report it is."""
    out: dict[str, Corroboration] = {}
    first_of: dict[str, str] = {}  # report key -> the first publisher that carried it
    for r, said in supported:
        for pub, entry in r.publishers:
            if pub in out:
                continue
            first = first_of.setdefault(r.key, pub)
            out[pub] = Corroboration(publisher=pub, entry=entry, evidence=said,
                                     same_report_as=None if first == pub else first,
                                     agency=r.agency)  # fmt: skip
    return list(out.values())


def _counts(text: str, wide: bool = False) -> list[tuple[str, str, frozenset[str]]]:
    """Each number of a text with the noun it counts (the first content word after it, a unit
    such as "points" included; never a time or month) and the content words around it."""
    toks = tokenize(text)
    out = []
    for i, t in enumerate(toks):
        if t.kind != "n":
            continue
        head = None
        for j in range(i + 1, min(len(toks), i + 1 + HEAD_REACH)):
            u = toks[j]
            if u.kind != "w":
                break
            if u.word in _TIME_NOUNS:
                break
            if u.word not in STOPWORDS and len(u.word) > 1:
                head = u.stem
                break
        if head is None:
            continue
        reach = AROUND if wide else CONTEXT_REACH
        ctx = {
            u.stem
            for u in toks[max(0, i - reach) : i + reach + 1]
            if u.kind == "w" and u.content and u.stem != head
        }
        out.append((t.word, head, frozenset(ctx)))
    return out


def _noun(text: str, n: str, head: str) -> str:
    """The counted words as written after number n ("drones", "more drones")."""
    toks = tokenize(text)
    for i, t in enumerate(toks):
        if t.kind == "n" and t.word == n:
            for j in range(i + 1, min(len(toks), i + 1 + HEAD_REACH)):
                if toks[j].stem == head:
                    return text[toks[i + 1].start : toks[j].end]
    return head


def _shown(n: str) -> str:
    return f"{int(n):,}" if n.isdigit() else n


def corroborate(
    summary: Sequence[Bullet],
    sections: Sequence[Section],
    stories: Sequence[Story],
    sources: Mapping[str, Source],
    near: Mapping[str, Sequence[Item]] | None = None,
) -> tuple[list[Bullet], list[Section]]:
    """Every bullet of a briefing with who else reports it, and who says otherwise. `near`:
    each story's related items (`related.grouped`), else found again from the stories."""
    c = Corroborator(stories, sources, near)
    out_summary = [c.bullet(b) for b in summary]
    out_sections = [
        s.model_copy(update={"bullets": [c.bullet(b, s.story_id) for b in s.bullets]})
        for s in sections
    ]
    return out_summary, out_sections


