"""The four abusive inputs of the whole-run benchmark, from real sentences (bench/realtext.py):
one JSON live blog of 200,000 entries, one RSS file of 100,000 items, one 19 MB prose file and
a folder of 50,000 small files. Each is written once under OUT and reused.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from bench.realtext import DAYS, MONTH, Builder, load, paragraphs


def _sentences(dataset: Path, n: int, seed: int, max_words: int = 60) -> list[str]:
    """n real sentences (varied after their first use), in blog order."""
    blogs, pool = load(dataset)
    b = Builder(blogs, pool, seed)
    order = [(blog, sid) for blog in blogs for sid in blog.sentences
             if len(pool[sid].split()) <= max_words]  # fmt: skip
    return [b.sentence(sid, blog) for blog, sid in (order[i % len(order)] for i in range(n))]


def huge_liveblog(dataset: Path, out: Path, n: int = 200_000, seed: int = 7) -> Path:
    """One JSON live blog of n short entries (a sentence's first seven words each, a time to
    the minute), one day: about 16 MB."""
    path = out / "huge-liveblog.json"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        sents = _sentences(dataset, n, seed)
        entries = [{"published": f"{MONTH}-14T{6 + i * 17 // n:02d}:{i * 60 * 17 // n % 60:02d}",
                    "text": " ".join(s.split()[:7]).rstrip(",;:") + "."}
                   for i, s in enumerate(sents)]  # fmt: skip
        blog = {"title": "A very long live blog", "publisher": "The Guardian", "entries": entries}
        path.write_text(json.dumps(blog, separators=(",", ":")), "utf-8")
    return path


def huge_feed(dataset: Path, out: Path, n: int = 100_000, seed: int = 7) -> Path:
    """One RSS file of n items: a headline, a link, a date and a one-sentence description
    (short ones, so the file stays under the 20 MB input limit)."""
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime
    from xml.sax.saxutils import escape

    path = out / "huge-feed.xml"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        sents = _sentences(dataset, 2 * n, seed, max_words=12)
        start = datetime(2025, 2, 14, tzinfo=UTC)
        items = []
        for i in range(n):
            when = format_datetime(start + timedelta(seconds=i * 86_000 // n))
            title = " ".join(sents[2 * i].split()[:5]).rstrip(".,;:")
            text = " ".join(sents[2 * i + 1].split()[:7]).rstrip(".,;:") + "."
            items.append(f"<item><title>{escape(title)}</title><link>https://ex.org/{i}</link>"
                         f"<pubDate>{when}</pubDate><description>{escape(text)}"
                         "</description></item>")  # fmt: skip
        path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
                        "<title>Busy feed</title><link>https://example.org/</link>"
                        + "\n".join(items) + "</channel></rss>\n", "utf-8")  # fmt: skip
    return path


def huge_prose(dataset: Path, out: Path, mb: float = 19.0, seed: int = 7) -> Path:
    """One plain-text article of `mb` megabytes: real sentences in paragraphs of 3–6."""
    path = out / "huge-prose.txt"
    if not path.exists():
        out.mkdir(parents=True, exist_ok=True)
        rng = random.Random(seed)
        sents = _sentences(dataset, int(mb * 2**20 / 110), seed)
        paras, i = [], 0
        while i < len(sents):
            k = rng.randint(3, 6)
            paras.append(" ".join(sents[i : i + k]))
            i += k
        text = "title: The longest article\ndate 2025-02-14\n\n" + "\n\n".join(paras) + "\n"
        path.write_text(text[: int(mb * 2**20)], "utf-8")
    return path


def many_files(dataset: Path, out: Path, n: int = 50_000, seed: int = 7) -> Path:
    """A folder of n small text articles (a real entry each: headline, date, paragraphs)."""
    folder = out / "many-files"
    if not (folder / f"{(n - 1) // 1000:02d}" / f"{n - 1:05d}.txt").exists():
        blogs, pool = load(dataset)
        b = Builder(blogs, pool, seed)
        rng = random.Random(seed)
        for i in range(n):
            sub = folder / f"{i // 1000:02d}"
            sub.mkdir(parents=True, exist_ok=True)
            e = b.original(rng.randrange(len(blogs)), i * DAYS // n)
            text = f"title: {e.title}\ndate {MONTH}-{e.day + 1:02d}\n\n{paragraphs(e.sentences, rng)}\n"
            (sub / f"{i:05d}.txt").write_text(text, "utf-8")
    return folder
