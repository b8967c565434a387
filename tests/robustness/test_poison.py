"""One bad briefing must not stop the others (issue 14, classes 3 and 4): control, bidi and
zero-width characters from a model, a feed or a file never reach the state; a poisoned
briefing stored by an older version neither stops the archive nor the next day's email;
two archive builds at once leave a complete site."""

from __future__ import annotations

import contextlib
import json
import threading
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from briefing import app
from briefing.cli.schedule import daily_job
from briefing.config import load_settings
from briefing.contract import Briefing
from briefing.deliver.archive import build
from briefing.state import Store
from briefing.summarise import LLMSettings, OpenAISummariser

from ..conftest import brief
from ..servers.openai_server import FakeOpenAI, Reply, completion, honest_answer
from ..servers.smtp import SmtpServer

POISON = "\x1b[31m\x07\u202e\u200b\x85"  # ESC, BEL, RIGHT-TO-LEFT OVERRIDE, ZWSP, NEL


def bad_chars(text: str) -> set[str]:
    """Control (C0, C1), bidi-override and zero-width characters."""
    return {c for c in text if c in "\u202e\u200b" or (unicodedata.category(c) == "Cc" and c not in "\n\t")}


def poisoned(req: dict[str, Any], _n: int) -> Reply:
    """The honest answer, with every bullet and title wrapped in control characters."""
    answer = json.loads(honest_answer(req))
    for story in answer.get("stories", []):
        story["title"] = POISON + story.get("title", "") + POISON
        for b in story["bullets"]:
            b["text"] = b["text"].replace(" ", " " + POISON, 2) + POISON
    for b in answer.get("summary", []):
        b["text"] = POISON + b["text"]
    return Reply(body=completion(json.dumps(answer)))


def test_control_characters_from_the_model_never_reach_the_briefing(tmp_path: Path) -> None:
    """Every bullet and title of a model answer carries ESC, BEL, an RLO and a ZWSP: the
    briefing has 0 such characters, and its archive builds."""
    with FakeOpenAI(script=poisoned) as server:
        settings = load_settings(base_url=server.base_url, api_key="k", max_retries=0)
        store = Store(tmp_path / "state")
        b = brief("2025-02-13", OpenAISummariser(LLMSettings.from_settings(settings), store), store=store)
    assert b.summariser.backend == "openai" and b.sections
    texts = [b.topic, *(s.title for s in b.sections), *(x.text for x in b.all_bullets())]
    assert not set().union(*(bad_chars(t) for t in texts)), texts
    assert build(store, tmp_path / "site").pages == 1


def test_control_characters_in_titles_authors_and_urls_of_inputs_are_removed(
    tmp_path: Path,
) -> None:
    """A JSON article whose title, author, publisher and text carry controls, and whose url
    carries a line break (a Markdown autolink breakout): scrubbed, and the url dropped."""
    bad = "\x1b\x07\u202e\u200b\x85"
    doc = {"title": f"Talks {bad}resume", "author": f"Ann{bad} Lee", "publisher": f"News{bad}", "published": "2025-02-13T09:00:00",
           "url": "https://news.example/a\n![x](https://tracker.example/p.png)",
           "text": f"Peace talks resumed in Riyadh on Tuesday {POISON}with both delegations."}  # fmt: skip
    path = tmp_path / "a.json"
    path.write_text(json.dumps(doc))
    b = brief("2025-02-13", inputs=[str(path)])
    src = next(iter(b.sources.values()))
    assert (src.title, src.author, src.publisher) == ("Talks resume", "Ann Lee", "News")
    assert not bad_chars(src.text) and src.url is None


def store_poisoned_edition(store: Store, day: str) -> None:
    """A briefing with ESC and BEL in a bullet and its title, stored as an older version did."""
    b = brief(day)
    raw = json.loads(b.model_dump_json())
    raw["topic_id"] = "news-briefing"
    raw["topic"] = "News briefing"
    raw["sections"][0]["title"] += " \x1b[31mRED\x07"
    raw["sections"][0]["bullets"][0]["text"] += " \x1b[31m\x07"
    raw["summary"][0]["text"] += "\x1b"
    store.save_briefing(Briefing.model_validate(raw), edition=True)


def test_archive_builds_around_a_poisoned_stored_briefing(tmp_path: Path) -> None:
    store = Store(tmp_path / "state")
    store_poisoned_edition(store, "2025-02-12")
    brief("2025-02-13", store=store)  # a clean edition of another topic
    report = build(store, tmp_path / "site")
    assert report.pages == 2 and not report.failed
    feed = (tmp_path / "site" / "feed.xml").read_text()
    assert feed.count("<entry>") == 2 and "\x1b" not in feed


@pytest.fixture()
def mailed_job(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A daily job of the topic `news-briefing` over the sample, mailing one reader."""
    with SmtpServer() as smtp:
        for k, v in smtp.env.items():
            monkeypatch.setenv(k, v)
        monkeypatch.setenv("BRIEFING_MAIL_TO", "ann@readers.example")
        monkeypatch.setenv("BRIEFING_SOURCES", str(app.sample_corpus()))
        state = tmp_path / "state"
        monkeypatch.setenv("BRIEFING_STATE_DIR", str(state))
        yield smtp, state


def test_the_daily_job_mails_on_the_day_after_a_poisoned_briefing(mailed_job) -> None:  # type: ignore[no-untyped-def]
    """A poisoned edition of 12 February is stored; the job of 13 February still mails its
    edition (1 message) and builds the archive (2 pages)."""
    smtp, state = mailed_job
    with Store(state) as store:
        store_poisoned_edition(store, "2025-02-12")
    london = ZoneInfo("Europe/London")
    with time_machine.travel(datetime(2025, 2, 13, 7, 0, 5, tzinfo=london), tick=False):
        outcome = daily_job(str(state), None, "news-briefing", "Europe/London")
    assert [m["To"] for m in smtp.handler.messages] == ["ann@readers.example"]
    assert outcome == "ok", Store(state).last_run("daily:news-briefing")
    site = state / "site"
    assert (site / "2025/02/12/news-briefing/index.html").is_file()
    assert (site / "2025/02/13/news-briefing/index.html").is_file()
    assert date(2025, 2, 13).isoformat() in (site / "feed.xml").read_text()


def test_two_archive_builds_at_once_leave_a_complete_site(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two builds of one site at once, their symlink swaps held until both arrive (or 1 s):
    3 rounds, each with a new edition; after every round index.html and every page of the
    site's manifest exist."""
    import os as real_os

    from briefing.deliver import archive

    store = Store(tmp_path / "state")
    site = tmp_path / "site"
    b = brief("2025-02-13")
    swap = real_os.replace
    broken = []
    for round_ in range(3):
        store.save_briefing(b.model_copy(update={"topic": f"Round {round_}", "topic_id": None}),
                            edition=True)  # fmt: skip
        meet = threading.Barrier(2)

        def held(src: Any, dst: Any, meet: threading.Barrier = meet) -> None:
            if Path(dst) == site:  # both builds swap the site together, if both can get here
                with contextlib.suppress(threading.BrokenBarrierError):
                    meet.wait(timeout=1)
            swap(src, dst)

        monkeypatch.setattr(archive.os, "replace", held)
        threads = [threading.Thread(target=build, args=(store, site)) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        live = site.resolve()
        manifest = live / "manifest.json"
        if not (site / "index.html").is_file() or not manifest.is_file() or any(not (live / r).is_file() for r in json.loads(manifest.read_text())):
            broken.append(round_)
    monkeypatch.undo()
    assert broken == [], f"rounds that left a broken site: {broken}"
