"""Whole-run corpora from real journalists' text, with a known duplicate structure. Seeded.

    python bench/realtext.py DATASET N OUT_DIR [--seed 7]

DATASET is a folder of live blogs in our JSON input format (`DATASET/blogs/*.json`, e.g. the
eval set of docs/quality.md); nothing here knows where it lives. The blogs' text is lowercased
and tokenised ("we 've", "`` … ''"); it is detokenised and sentence-cased first, so the
sentence splitter and the checker see prose.

Entries are built from the blogs' real entries: an original takes a real entry's headline and
as many sentences as it had (2–8): its own sentences first, then those of the entries next to it
in the same blog (a live blog's neighbours are mostly on the same event). A sentence is used
verbatim the first time and with two words swapped for words of the same blog after that, and
no two originals share more than one underlying sentence, so originals are not copies of each
other by construction. At 1k entries most originals are real entries as written; at 100k most
are mixtures of neighbouring entries. Each
day of 28 (February 2025) has a few live blogs per source (about 40 entries each) and one file of
articles. Known copies are injected:

- exact: the entry republished as is in another live blog (same day, or the next);
- near: republished with one or two realistic edits: a typo fixed or made, a word changed, a
  sentence added at the end ("update"), the last sentence dropped, two sentences swapped, a
  new headline, paragraphs re-broken;
- contained: the entry inside a longer article (2–4 other sentences before and after);
- distinct: a new original that quotes one sentence of another entry verbatim (not a copy).

Writes OUT_DIR/*.json and OUT_DIR.truth.json beside the folder: {"entries": [{"doc",
"index", "group", "kind"}]}, where doc and index are the document id and the position of the
entry as the briefing tool reads them.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

DAYS = 28
MONTH = "2025-02"
PER_BLOG_DAY = 40  # entries of one live blog on one day
MIX = {"exact": 0.10, "near": 0.12, "contained": 0.06, "distinct": 0.05}
MIN_COPY_WORDS = 25  # shorter entries are not copied with edits (too short to call a copy)

_SPLIT = re.compile(r"(?<=\s[.!?])\s+(?!'')|(?<=\s[.!?]\s'')\s+")
_CLITIC = re.compile(r" (n't|'s|'re|'ve|'ll|'d|'m)\b")
_BEFORE = re.compile(r" ([.,;:?!%)\]])")
_AFTER = re.compile(r"([(\[$£]) ")
_I = re.compile(r"\bi\b(?=[ ',.])")


def detok(text: str) -> str:
    """PTB-style tokens -> prose: quotes, clitics and punctuation re-attached, sentence case."""
    s = " " + text.strip() + " "
    s = s.replace("`` ", '"').replace(" ''", '"').replace("` ", "'")
    s = _CLITIC.sub(r"\1", s)
    s = _BEFORE.sub(r"\1", s)
    s = _AFTER.sub(r"\1", s)
    s = _I.sub("I", " ".join(s.split()))
    first = next((i for i, ch in enumerate(s) if ch.isalnum()), 0)
    return s[:first] + s[first : first + 1].upper() + s[first + 1 :]


def fix_mojibake(s: str) -> str:
    if "Ã" in s or "â€" in s:
        try:
            return s.encode("latin-1").decode("utf-8")
        except UnicodeError:
            return s
    return s


@dataclass
class Blog:
    name: str
    publisher: str
    entries: list[tuple[str, list[int]]] = field(default_factory=list)  # headline, sentence ids
    sentences: list[int] = field(default_factory=list)  # ids into the global pool
    vocab: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)


def load(dataset: Path) -> tuple[list[Blog], list[str]]:
    """The blogs and the global pool of distinct sentences."""
    pool: list[str] = []
    seen: set[str] = set()
    blogs = []
    for path in sorted((dataset / "blogs").glob("*.json")):
        data = json.loads(path.read_text("utf-8"))
        blog = Blog(path.stem[:8], data.get("publisher") or "News")
        words: set[str] = set()
        for e in data.get("entries", []):
            sents = [detok(x) for x in _SPLIT.split(e.get("text") or "") if x.strip()]
            sents = [x for x in sents if 4 <= len(x.split()) <= 60]
            title = detok(fix_mojibake(e.get("title") or "")).rstrip(" .:")
            ids = []
            author = e.get("author")
            author = author[0] if isinstance(author, list) and author else author
            if isinstance(author, str) and author.strip():
                blog.authors.append(author.strip())
            for x in sents:
                if x.lower() not in seen:
                    seen.add(x.lower())
                    ids.append(len(pool))
                    pool.append(x)
                    words.update(w for w in x.split() if w.isalpha() and len(w) > 3)
            if title and ids:
                blog.entries.append((title, ids))
                blog.sentences += ids
        blog.vocab = sorted(words)
        if len(blog.sentences) >= 20 and len(blog.entries) >= 5:
            blogs.append(blog)
    return blogs, pool


@dataclass
class Gen:
    blog: int
    title: str
    sentences: list[str]
    group: int
    kind: str
    day: int
    minute: int
    author: str | None = None


class Builder:
    def __init__(self, blogs: list[Blog], pool: list[str], seed: int) -> None:
        self.rng = random.Random(seed)
        self.blogs, self.pool = blogs, pool
        self.used: defaultdict[int, int] = defaultdict(int)
        self.pairs: set[tuple[int, int]] = set()
        self.groups = 0

    def vary(self, s: str, blog: Blog, k: int = 2) -> str:
        words = s.split()
        slots = [i for i, w in enumerate(words) if i and w.isalpha() and len(w) > 3]
        for i in self.rng.sample(slots, min(k, len(slots))):
            words[i] = self.rng.choice(blog.vocab)
        return " ".join(words)

    def sentence(self, sid: int, blog: Blog) -> str:
        self.used[sid] += 1
        return self.pool[sid] if self.used[sid] == 1 else self.vary(self.pool[sid], blog)

    def _pick(self, order: list[int], k: int) -> list[int]:
        """The first k sentences of `order` that share no pair with an earlier original."""
        chosen: list[int] = []
        for sid in order:
            if len(chosen) == k:
                break
            if sid not in chosen and all((min(sid, c), max(sid, c)) not in self.pairs
                                         for c in chosen):  # fmt: skip
                chosen.append(sid)
        return chosen

    def original(self, b: int, day: int) -> Gen:
        blog = self.blogs[b]
        t = self.rng.randrange(len(blog.entries))
        title, own = blog.entries[t]
        order = list(own)
        for d in range(1, len(blog.entries)):  # then the neighbours, nearest first
            for j in (t - d, t + d):
                if 0 <= j < len(blog.entries):
                    order += blog.entries[j][1]
            if len(order) > 200:
                break
        chosen = self._pick(order, max(2, min(8, len(own))))
        if len(chosen) < 2:  # this blog's pairs are used up: any blog's sentences
            chosen = self._pick(self.rng.sample(range(len(self.pool)), 50), 2)
        self.pairs.update((min(a, c), max(a, c)) for a in chosen for c in chosen if a < c)
        self.groups += 1
        author = self.rng.choice(blog.authors) if blog.authors else None
        return Gen(b, title, [self.sentence(s, blog) for s in chosen], self.groups, "original",
                   day, self.rng.randrange(6 * 60, 23 * 60), author)  # fmt: skip

    def _later(self, e: Gen) -> tuple[int, int]:
        day = e.day if self.rng.random() < 0.8 or e.day == DAYS - 1 else e.day + 1
        minute = min(e.minute + self.rng.randrange(5, 240), 24 * 60 - 1) if day == e.day else (
            self.rng.randrange(6 * 60, 12 * 60))  # fmt: skip
        return day, minute

    def copy(self, e: Gen, kind: str) -> Gen:
        day, minute = self._later(e)
        sents = list(e.sentences)
        title = e.title
        blog = self.blogs[e.blog]
        if kind == "near":
            edits = self.rng.sample(["typo", "word", "add", "drop", "swap", "headline"],
                                    self.rng.choice([1, 1, 2]))  # fmt: skip
            for edit in edits:
                i = self.rng.randrange(len(sents))
                words = sents[i].split()
                j = self.rng.randrange(len(words))
                if edit == "typo" and len(words[j]) > 4:
                    w = words[j]
                    words[j] = w[:2] + w[3] + w[2] + w[4:]
                    sents[i] = " ".join(words)
                elif edit == "word" and j:
                    words[j] = self.rng.choice(blog.vocab)
                    sents[i] = " ".join(words)
                elif edit == "add":
                    sents.append(self.sentence(self.rng.choice(blog.sentences), blog))
                elif edit == "drop" and len(sents) >= 4:
                    sents.pop()
                elif edit == "swap" and len(sents) >= 3:
                    sents[i - 1], sents[i] = sents[i], sents[i - 1]
                elif edit == "headline":
                    title = self.rng.choice(blog.entries)[0]
        elif kind == "contained":
            def extra() -> list[str]:
                return [self.sentence(self.rng.choice(blog.sentences), blog)
                        for _ in range(self.rng.randint(2, 4))]  # fmt: skip

            sents = extra() + sents + extra()
            title = self.rng.choice(blog.entries)[0]
        return Gen(e.blog, title, sents, e.group, kind, day, minute, e.author)

    def distinct(self, base: Gen, day: int) -> Gen:
        fresh = self.original(base.blog, day)
        fresh.sentences[self.rng.randrange(len(fresh.sentences))] = self.rng.choice(base.sentences)
        fresh.kind = "distinct"
        return fresh

    def generate(self, n: int) -> list[Gen]:
        out: list[Gen] = []
        originals: list[Gen] = []
        kinds = [*MIX, "original"]
        weights = [*MIX.values(), 1 - sum(MIX.values())]
        active = max(3, min(len(self.blogs), round(n / DAYS / PER_BLOG_DAY)))
        by_day = [self.rng.sample(range(len(self.blogs)), active) for _ in range(DAYS)]
        while len(out) < n:
            day = len(out) * DAYS // n
            kind = self.rng.choices(kinds, weights)[0]
            recent = [o for o in originals[-300:] if o.day >= day - 1]
            copyable = [o for o in recent if sum(len(s.split()) for s in o.sentences) >= MIN_COPY_WORDS]
            if kind == "original" or not copyable:
                e = self.original(self.rng.choice(by_day[day]), day)
                originals.append(e)
            elif kind == "distinct":
                e = self.distinct(self.rng.choice(recent), day)
                originals.append(e)
            else:
                e = self.copy(self.rng.choice(copyable if kind != "exact" else recent), kind)
            out.append(e)
        return out


def paragraphs(sents: list[str], rng: random.Random) -> str:
    out, i = [], 0
    while i < len(sents):
        k = rng.randint(1, 3)
        out.append(" ".join(sents[i : i + k]))
        i += k
    return "\n\n".join(out)


def truth_path(out: Path) -> Path:
    return out.with_name(out.name + ".truth.json")


def write(entries: list[Gen], blogs: list[Blog], out: Path, seed: int) -> dict[str, object]:
    """Live blogs as one JSON file per (blog, day); articles (contained copies) as one JSON
    list per day. Exact and near copies go to another blog of the day when there is one."""
    rng = random.Random(seed + 1)
    out.mkdir(parents=True, exist_ok=True)
    day_blogs: dict[int, set[int]] = defaultdict(set)
    for e in entries:
        if e.kind in ("original", "distinct"):
            day_blogs[e.day].add(e.blog)
    files: dict[str, list[tuple[Gen, int]]] = defaultdict(list)
    for i, e in enumerate(entries):
        if e.kind == "contained":
            files[f"{e.day + 1:02d}-articles"].append((e, i))
            continue
        b = e.blog
        if e.kind in ("exact", "near"):
            others = sorted(day_blogs[e.day] - {e.blog})
            b = rng.choice(others) if others else (e.blog + 1) % len(blogs)
        files[f"{e.day + 1:02d}-{b:02d}-{blogs[b].name}"].append((e, i))
    truth = []
    for stem, members in sorted(files.items()):
        members.sort(key=lambda x: (-x[0].minute, x[1]))  # newest first, as live blogs are
        day = int(stem[:2])

        def when(e: Gen, day: int = day) -> str:
            return f"{MONTH}-{day:02d}T{e.minute // 60:02d}:{e.minute % 60:02d}:00"

        if stem.endswith("-articles"):
            arts = [{"title": e.title, "url": f"https://example.org/{stem}/{k}", "publisher":
                     blogs[e.blog].publisher, "published": when(e), "author": e.author,
                     "text": paragraphs(e.sentences, rng)} for k, (e, _i) in enumerate(members)]  # fmt: skip
            (out / f"{stem}.json").write_text(json.dumps({"articles": arts}), "utf-8")
            many = len(arts) > 1
            truth += [{"doc": f"{stem}-{k + 1}" if many else stem, "index": 0, "group": e.group,
                       "kind": e.kind} for k, (e, _i) in enumerate(members)]  # fmt: skip
            continue
        blog = blogs[int(stem.split("-")[1])]
        data = {"title": f"{blog.publisher} live, {MONTH}-{day:02d}", "url": f"https://example.org/{stem}",
                "publisher": blog.publisher,
                "entries": [{"title": e.title, "published": when(e), "author": e.author,
                             "text": paragraphs(e.sentences, rng)} for e, _i in members]}  # fmt: skip
        (out / f"{stem}.json").write_text(json.dumps(data), "utf-8")
        truth += [{"doc": stem, "index": k, "group": e.group, "kind": e.kind}
                  for k, (e, _i) in enumerate(members)]  # fmt: skip
    data_out = {"entries": truth, "n": len(entries), "seed": seed}
    truth_path(out).write_text(json.dumps(data_out))
    return data_out


def build(dataset: Path, n: int, out: Path, seed: int = 7) -> Path:
    """The corpus of n entries in `out` (kept when it is already there)."""
    if not truth_path(out).exists():
        blogs, pool = load(dataset)
        write(Builder(blogs, pool, seed).generate(n), blogs, out, seed)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("dataset", type=Path)
    ap.add_argument("n", type=int)
    ap.add_argument("out", type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    build(args.dataset, args.n, args.out, args.seed)
    print(f"{args.n} entries in {args.out}")


if __name__ == "__main__":
    main()
