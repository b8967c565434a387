"""The edition due now (issue 21, item 1): each edition's window runs from the end of the
topic's previous edition to its scheduled time, at most `window` (24h) back, so nothing is
briefed twice and nothing falls between two editions. A fixed clock (`now=`) drives it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing import app
from briefing.config import Settings
from briefing.contract import Briefing
from briefing.state import Store

LONDON = ZoneInfo("Europe/London")
# (local time in London, a headline and its report): one distinct story each
ITEMS = [
    ("2026-02-12 06:00", "Harbour crane collapses in Dover", "A crane collapsed at the Dover harbour"
     " on Thursday morning, blocking two ferry berths while engineers inspected the quay."),
    ("2026-02-12 12:00", "Orchestra cancels northern tour", "The national orchestra cancelled its"
     " northern tour after the violin section fell ill with influenza during rehearsals."),
    ("2026-02-12 18:00", "Glacier survey finds record melt", "Scientists surveying the Alpine"
     " glacier reported record melting of the ice sheet over the past summer season."),
    ("2026-02-12 23:00", "Chess champion retains title", "The chess champion retained the world"
     " title after a tense final game that lasted more than six hours in Madrid."),
    ("2026-02-13 05:00", "Bakery chain raises bread prices", "A national bakery chain raised the"
     " price of its loaves, blaming the cost of wheat flour and electricity for ovens."),
    ("2026-02-13 06:30", "Volcano eruption closes airport", "An eruption of the volcano spread ash"
     " over the island and closed its airport to flights for the rest of the week."),
    ("2026-02-13 08:00", "Museum returns stolen paintings", "The museum returned three stolen"
     " paintings to the family that owned them before the war, ending a long dispute."),
    ("2026-02-13 12:00", "Cyclists protest new motorway", "Hundreds of cyclists protested against"
     " the planned motorway through the valley, blocking the bridge into town at noon."),
]


def _feed(path: Path) -> Path:
    items = "".join(
        f"<item><title>{title}</title><guid isPermaLink=\"false\">item-{i}</guid>"
        f"<pubDate>{datetime.strptime(when, '%Y-%m-%d %H:%M').replace(tzinfo=LONDON):%a, %d %b %Y %H:%M:%S %z}</pubDate>"
        f"<description><![CDATA[<p>{text}</p>]]></description></item>"
        for i, (when, title, text) in enumerate(ITEMS)
    )
    path.write_text('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
                    f"<title>Local desk</title>{items}</channel></rss>", encoding="utf-8")
    return path


def _at(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=LONDON).astimezone(UTC)


def _held(b: Briefing) -> list[str]:
    return sorted(s.title or "" for s in b.sources.values())


def _titles(*picks: int) -> list[str]:
    return sorted(ITEMS[i][1] for i in picks)


@pytest.fixture
def settings(tmp_path: Path, state_dir: Path) -> Settings:
    feed = _feed(tmp_path / "desk.rss")
    return Settings(state_dir=state_dir, llm="extractive", tz="Europe/London", topics={
        "desk": {"title": "Desk", "sources": [str(feed)], "at": "07:00"},
    })  # fmt: skip


def _edition(settings: Settings, now: str, due: str = "slot") -> app.Produced:
    req = app.request(settings, topic="desk", due=due, now=_at(now))
    with Store(settings.state_path()) as store:
        return app.edition(store, req) if req.edition else app.produce(req, store, save=False)


def test_each_edition_starts_where_the_last_one_ended(settings: Settings) -> None:
    first = _edition(settings, "2026-02-13 07:00")
    assert _held(first.briefing) == _titles(1, 2, 3, 4, 5)  # 12 Feb 12:00 .. 13 Feb 06:30
    assert first.briefing.date == "2026-02-13"
    assert first.briefing.window_start == "2026-02-12T07:00:00+00:00"
    assert first.briefing.window_end == "2026-02-13T07:00:00+00:00"
    assert first.briefing.window == "News from Thu 12 Feb 07:00 to Fri 13 Feb 07:00 (Europe/London)"
    # a run at 12:30 the same day: the stored edition (what was mailed at 07:00) is unchanged
    again = _edition(settings, "2026-02-13 12:30")
    assert again.state_id == first.state_id
    assert _held(again.briefing) == _titles(1, 2, 3, 4, 5)
    # an ad hoc `run --topic desk` at 12:30 runs from the 07:00 edition to now, and is not stored
    adhoc = _edition(settings, "2026-02-13 12:30", due="now")
    assert _held(adhoc.briefing) == _titles(6, 7) and adhoc.state_id is None
    nxt = _edition(settings, "2026-02-14 07:00")
    assert _held(nxt.briefing) == _titles(6, 7)  # 13 Feb 08:00 and 12:00, nothing else
    assert nxt.briefing.window_start == first.briefing.window_end


def test_first_edition_after_a_long_gap_reaches_back_only_its_window(settings: Settings) -> None:
    capped = settings.model_copy(update={"window": "12h"})
    b = _edition(capped, "2026-02-13 07:00").briefing
    assert _held(b) == _titles(3, 4, 5)  # from 12 Feb 19:00 only
    assert b.window_start == "2026-02-12T19:00:00+00:00"


def test_a_calendar_day_stays_a_calendar_day(settings: Settings) -> None:
    req = app.request(settings, topic="desk", day=datetime(2026, 2, 12).date(), due="now")
    b = app.produce(req, None).briefing
    assert _held(b) == _titles(0, 1, 2, 3) and b.window_start is None


def test_scheduled_runs_and_the_catch_up_mail_each_window_once(
    tmp_path: Path, state_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scheduler's own job (a real SMTP server on 127.0.0.1): the 07:00 run of 13 Feb,
    a second call at 12:30 that changes nothing, and the catch-up at 09:30 on 14 Feb after
    its 07:00 run was missed."""
    import time_machine

    from briefing.cli.schedule import daily_job
    from briefing.deliver import schedule as sch

    from .servers.smtp import SmtpServer

    feed = _feed(tmp_path / "desk.rss")
    cfg = tmp_path / "briefing.toml"
    cfg.write_text(f'tz = "Europe/London"\nllm = "extractive"\n[topics.desk]\ntitle = "Desk"\n'
                   f'sources = ["{feed}"]\nat = "07:00"\n'
                   'mail_to = ["ana@readers.example", "ben@readers.example"]\n', encoding="utf-8")
    job = sch.JobArgs(str(state_dir), str(cfg), "desk", "07:00", "Europe/London")

    def edition(day: str) -> Briefing:
        with Store(state_dir) as store:
            found = store.edition("desk", day)
        assert found is not None
        return found[1]

    with SmtpServer() as smtp:
        for k, v in smtp.env.items():
            monkeypatch.setenv(k, v)
        with time_machine.travel(_at("2026-02-13 07:00"), tick=False):
            assert daily_job(job.state, job.config, job.topic, job.tz, job.at) == "ok"
        assert len(smtp.handler.messages) == 2
        assert _held(edition("2026-02-13")) == _titles(1, 2, 3, 4, 5)
        with time_machine.travel(_at("2026-02-13 12:30"), tick=False):
            assert daily_job(job.state, job.config, job.topic, job.tz, job.at) == "skipped"
        assert len(smtp.handler.messages) == 2 and _held(edition("2026-02-13")) == _titles(1, 2, 3, 4, 5)
        with time_machine.travel(_at("2026-02-14 09:30"), tick=False):  # 07:00 was missed
            assert sch.catch_up(job, daily_job) == "ok"
            assert sch.catch_up(job, daily_job) is None  # once
        assert len(smtp.handler.messages) == 4
        assert _held(edition("2026-02-14")) == _titles(6, 7)
        assert edition("2026-02-14").window_start == edition("2026-02-13").window_end
