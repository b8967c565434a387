"""Exact copies of one report in two feeds (issue 21, item 5): the merged copy keeps the
first report's headline and source, and its `duplicates` record names two different entries,
the copy under its own id, listed in `sources` (never cited), so every citation still resolves
to the first report's entry."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from briefing import app
from briefing.config import Settings

TEXT = ("Engineers reopened the Severn bridge on Tuesday evening after a six hour closure caused"
        " by a lorry fire, and said the steel deck had not been damaged by the heat.")


def _feed(path: Path, title: str, when: str, guid: str) -> str:
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>'
        f"{path.stem}</title><item><title>{title}</title><guid>{guid}</guid>"
        f"<pubDate>{when}</pubDate><description>{TEXT}</description></item></channel></rss>",
        encoding="utf-8",
    )
    return str(path)


def test_an_exact_copy_keeps_the_first_reports_headline_and_its_own_entry(
    tmp_path: Path, state_dir: Path
) -> None:
    # the later copy is read first: the first report wins by its time, not by input order
    later = _feed(tmp_path / "aggregator.rss", "Bridge open again", "Tue, 10 Mar 2026 21:30:00 +0000",
                  "agg-1")  # fmt: skip
    first = _feed(tmp_path / "wire.rss", "Severn bridge reopens after lorry fire",
                  "Tue, 10 Mar 2026 19:05:00 +0000", "wire-1")  # fmt: skip
    settings = Settings(state_dir=state_dir, llm="extractive", tz="Europe/London")
    req = app.request(settings, [later, first], day=date(2026, 3, 10))
    b = app.produce(req, None).briefing
    (dup,) = b.duplicates
    assert dup.kind == "exact" and dup.entry != dup.kept
    kept, copy = b.sources[dup.kept], b.sources[dup.entry]
    assert kept.title == "Severn bridge reopens after lorry fire" and kept.publisher == "wire"
    assert copy.title == "Bridge open again" and copy.publisher == "aggregator"
    assert copy.duplicate_of == dup.kept and kept.duplicate_of is None
    assert [o.document for o in kept.also_in] == [copy.document]
    cited = {c for x in b.all_bullets() for c in x.citations}
    assert cited and dup.kept in cited and dup.entry not in cited and cited <= set(b.sources)
