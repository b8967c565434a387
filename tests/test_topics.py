"""Topics: configured once (sources, relevance, schedule, readers), briefed, archived and mailed
apart, over real feeds and an OPML list from a local HTTP server and a real SMTP server."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app
from briefing.config import topic_id
from briefing.state import Store

from .servers.smtp import SmtpServer
from .servers.web import Route, WebServer

runner = CliRunner()
DAY = "2025-02-13"
FILLER = (
    " Officials who briefed reporters on condition of anonymity said the talks would continue"
    " through the week, with delegations meeting again on Friday to review a draft text."
)  # keeps each item over the teaser length, so no item page is fetched


def item(title: str, body: str, hour: int, link: str) -> str:
    return (
        f"<item><title>{title}</title><link>{link}</link>"
        f"<pubDate>Thu, 13 Feb 2025 {hour:02d}:00:00 GMT</pubDate>"
        f"<description><![CDATA[<p>{body}{FILLER}{FILLER}</p>]]></description></item>"
    )


def rss(title: str, items: list[str]) -> bytes:
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{title}</title>'
        f"<link>https://x.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


UKRAINE = [
    ("Zelensky rejects deal made without Kyiv",
     "Volodymyr Zelensky said Ukraine would not accept any agreement negotiated without Kyiv."),
    ("Kyiv hit by drones overnight",
     "Ukrainian air defences shot down most of the drones launched at Kyiv during the night."),
    ("Ukraine's Eurovision entry chosen",
     "Ukraine picked its Eurovision song in a televised final that drew a record audience."),
]  # fmt: skip
WEATHER = [("Storm Eowyn brings gales to Scotland",
            "Gales of up to 90mph battered the west coast of Scotland as the storm passed.")]  # fmt: skip
GAZA = [
    ("Ceasefire talks in Cairo resume",
     "Negotiators from Egypt and Qatar met Hamas officials in Cairo to discuss the Gaza truce."),
    ("Aid lorries cross into Gaza",
     "More than 600 aid lorries crossed into Gaza on Thursday, the United Nations said."),
]  # fmt: skip


@pytest.fixture()
def web() -> Iterator[WebServer]:
    with WebServer() as server:
        b = server.base

        def feed(name: str, rows: list[tuple[str, str]], first_hour: int) -> bytes:
            return rss(name, [item(t, x, first_hour + i, f"{b}/{name.lower()}/{i}")
                              for i, (t, x) in enumerate(rows)])  # fmt: skip

        server.routes["/world.rss"] = Route(body=feed("World Wire", UKRAINE + WEATHER, 8),
                                            content_type="application/rss+xml")  # fmt: skip
        server.routes["/gaza.rss"] = Route(body=feed("Gaza Desk", GAZA, 9),
                                           content_type="application/rss+xml")  # fmt: skip
        server.routes["/feeds.opml"] = Route(body=(
            '<?xml version="1.0"?><opml version="2.0"><head><title>mine</title></head><body>'
            f'<outline text="World" type="rss" xmlUrl="{b}/world.rss"/>'
            f'<outline text="Gone" type="rss" xmlUrl="{b}/gone.rss"/>'
            "</body></opml>").encode(), content_type="text/x-opml")  # fmt: skip
        yield server


def settings_file(tmp_path: Path, web: WebServer, extra: str = "") -> Path:
    f = tmp_path / "briefing.toml"
    f.write_text(f"""
tz = "Europe/London"
llm = "extractive"
[topics.ukraine]
title = "Україна"
sources = ["{web.url('/feeds.opml')}"]
include = ["ukrain", "kyiv", "zelensk", "peace talks"]
exclude = ["eurovision"]
mail_to = ["Ana Kovalenko <ana@readers.example>"]
at = "07:00"
[topics.gaza]
title = "Газа"
sources = ["{web.url('/gaza.rss')}"]
at = "08:30"
tz = "Asia/Jerusalem"
mail_to = ["ben@readers.example"]
{extra}""")
    return f


def cli(cfg: Path, state: Path, *args: str):  # type: ignore[no-untyped-def]
    return runner.invoke(app, [*args, "--config", str(cfg), "--state", str(state)])


def run_json(cfg: Path, state: Path, *args: str) -> dict:  # type: ignore[type-arg]
    r = cli(cfg, state, "run", "--date", DAY, "--format", "json", *args)
    assert r.exit_code in (0, 3), r.stderr
    return json.loads(r.stdout)


def cited_titles(b: dict) -> set[str]:  # type: ignore[type-arg]
    return {b["sources"][c]["title"] for x in [*b["summary"], *(y for s in b["sections"]
            for y in s["bullets"])] for c in x["citations"]}  # fmt: skip


def test_each_topic_briefs_only_its_own_entries(tmp_path: Path, web: WebServer) -> None:
    cfg, state = settings_file(tmp_path, web), tmp_path / "state"
    ukraine = run_json(cfg, state, "--topic", "ukraine")
    gaza = run_json(cfg, state, "--topic", "Газа")  # by title
    assert ukraine["topic"] == "Україна" and ukraine["topic_id"] == "ukraine"
    assert gaza["topic"] == "Газа" and gaza["topic_id"] == "gaza"
    u_titles = {s["title"] for s in ukraine["sources"].values()}
    assert u_titles == {t for t, _ in UKRAINE[:2]}  # Eurovision excluded, weather not included
    assert ukraine["stats"]["off_topic"] == 2 and ukraine["stats"]["entries_in_window"] == 2
    assert {s["title"] for s in gaza["sources"].values()} == {t for t, _ in GAZA}
    assert cited_titles(ukraine) <= u_titles and "Storm Eowyn brings gales to Scotland" not in str(ukraine)
    assert {s["publisher"] for s in ukraine["sources"].values()} == {"World Wire"}
    assert {s["publisher"] for s in gaza["sources"].values()} == {"Gaza Desk"}
    # the OPML list's dead feed is skipped with its reason; the rest was briefed
    assert any("gone.rss" in s["input"] and "404" in s["reason"] for s in ukraine["skipped"])
    assert gaza["tz"] == "Asia/Jerusalem"
    assert any(s["published"].endswith("+02:00") for s in gaza["sources"].values())


def test_non_latin_titles_stay_apart_in_archive_and_delivery(
    tmp_path: Path, web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg, state = settings_file(tmp_path, web), tmp_path / "state"
    assert cli(cfg, state, "run", "--topic", "ukraine", "--date", DAY).exit_code in (0, 3)
    assert cli(cfg, state, "run", "--topic", "gaza", "--date", DAY).exit_code in (0, 3)
    site = tmp_path / "site"
    assert cli(cfg, state, "archive", "build", "--out", str(site)).exit_code == 0
    uk = (site / "2025/02/13/ukraine/index.html").read_text()
    gz = (site / "2025/02/13/gaza/index.html").read_text()
    assert "Zelensky rejects deal" in uk and "Zelensky" not in gz and "Aid lorries" in gz
    for key in ("ukraine", "gaza"):
        assert (site / f"topics/{key}/index.html").is_file()
        assert f"urn:briefing:{key}:{DAY}" in (site / f"topics/{key}/feed.xml").read_text()
    index = (site / "index.html").read_text()
    assert "Україна" in index and "Газа" in index
    with SmtpServer() as smtp:
        for k, v in smtp.env.items():
            monkeypatch.setenv(k, v)
        r = cli(cfg, state, "send", "--topic", "Газа", "--date", DAY)
        assert r.exit_code == 0, r.stderr
        assert [m["To"] for m in smtp.handler.messages] == ["ben@readers.example"]
        assert smtp.handler.messages[0]["Subject"].startswith("Газа")
        r = cli(cfg, state, "send", "--topic", "ukraine", "--date", DAY)
        assert r.exit_code == 0, r.stderr
        to = smtp.handler.messages[1]["To"]
        assert to == "Ana Kovalenko <ana@readers.example>"  # the display name is kept
        assert "Zelensky" in smtp.handler.messages[1].get_body(("plain",)).get_content()
        # each topic's day went to its own readers once; a second send sends nothing
        assert cli(cfg, state, "send", "--topic", "gaza", "--date", DAY).exit_code == 0
        assert len(smtp.handler.messages) == 2
    # ad-hoc topics known only by a non-Latin title get distinct ids too
    assert topic_id("Україна") != topic_id("Газа")
    assert topic_id("Україна").startswith("ukraina-") and topic_id("Газа").startswith("gaza-")
    assert topic_id("gaza", frozenset({"gaza"})) != "gaza"  # a slug that is taken gets a hash


def test_an_adhoc_run_does_not_replace_the_edition(tmp_path: Path, web: WebServer) -> None:
    cfg, state = settings_file(tmp_path, web), tmp_path / "state"
    edition = run_json(cfg, state, "--topic", "ukraine")
    short = run_json(cfg, state, "--topic", "ukraine", "--since", "15h")  # 09:00 to midnight
    assert len(short["sources"]) == 1 and len(edition["sources"]) == 2
    db = sqlite3.connect(state / "briefing.sqlite3")
    rows = db.execute("SELECT topic_id, edition FROM briefings ORDER BY id").fetchall()
    assert rows == [("ukraine", 1), ("ukraine", 0)]
    r = cli(cfg, state, "history", "--topic", "ukraine")
    assert r.exit_code == 0 and "edition" in r.stdout and "ad hoc" in r.stdout
    site = tmp_path / "site"
    assert cli(cfg, state, "archive", "build", "--out", str(site)).exit_code == 0
    page = (site / "2025/02/13/ukraine/index.html").read_text()
    assert edition["sections"][0]["title"] in page
    # --save makes an ad-hoc run the edition; `history rm` takes it out again
    run_json(cfg, state, "--topic", "ukraine", "--since", "15h", "--save")
    last = db.execute("SELECT id FROM briefings ORDER BY id DESC").fetchone()[0]
    assert cli(cfg, state, "history", "rm", str(last)).exit_code == 0
    assert cli(cfg, state, "history", "rm", str(last)).exit_code == 2


def test_send_after_run_with_one_topic_needs_no_topic(
    tmp_path: Path, web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = tmp_path / "one.toml"
    one.write_text(f"""llm = "extractive"
[topics.world]
title = "World"
sources = ["{web.url('/world.rss')}"]
include = ["ukrain"]
mail_to = ["ana@readers.example"]
""")
    state = tmp_path / "state"
    assert cli(one, state, "run", "--date", DAY).exit_code in (0, 3)
    with SmtpServer() as smtp:
        for k, v in smtp.env.items():
            monkeypatch.setenv(k, v)
        r = cli(one, state, "send", "--date", DAY)
        assert r.exit_code == 0, r.stderr
        assert len(smtp.handler.messages) == 1 and "World" in smtp.handler.messages[0]["Subject"]


def test_topic_errors_are_clear(tmp_path: Path, web: WebServer) -> None:
    cfg, state = settings_file(tmp_path, web, '[topics.empty]\ntitle = "Nothing yet"\n'), tmp_path / "s"
    r = cli(cfg, state, "run", "--topic", "nope", "--date", DAY)
    assert r.exit_code == 2 and "unknown topic 'nope'" in r.stderr
    assert "ukraine (Україна)" in r.stderr and "gaza (Газа)" in r.stderr
    r = cli(cfg, state, "run", "--date", DAY)
    assert r.exit_code == 2 and "several topics" in r.stderr
    r = cli(cfg, state, "run", "--topic", "empty", "--date", DAY)
    assert r.exit_code == 2 and "topic 'empty' has no sources" in r.stderr
    bad = tmp_path / "bad.toml"
    bad.write_text('[topics."Not An Id"]\ntitle = "x"\n')
    r = cli(bad, state, "topics")
    assert r.exit_code == 2 and "lowercase ASCII" in r.stderr
    # an include term that matches nothing today is a warning, not an error
    r = cli(cfg, state, "run", "--topic", "ukraine", "--date", DAY)
    assert r.exit_code in (0, 3) and "'peace talks'" in r.stderr and "match no entry" in r.stderr


def test_topics_list_and_show(tmp_path: Path, web: WebServer) -> None:
    cfg, state = settings_file(tmp_path, web), tmp_path / "state"
    run_json(cfg, state, "--topic", "gaza")
    r = cli(cfg, state, "topics")
    assert r.exit_code == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in r.stdout.splitlines()[1:]}
    assert rows["ukraine"][1:3] == ["Україна", "1"] and rows["ukraine"][4] == "none"
    assert rows["gaza"][4] == DAY and rows["gaza"][3].endswith("08:30 IST")
    r = runner.invoke(app, ["topics", "show", "gaza", "--config", str(cfg)])
    shown = json.loads(r.stdout)
    assert shown["tz"] == "Asia/Jerusalem" and shown["mail_to"] == ["ben@readers.example"]
    assert shown["llm"] == "extractive"  # inherited from the top level


def test_topics_counts_the_feeds_of_a_local_opml_list(tmp_path: Path, web: WebServer) -> None:
    opml = tmp_path / "lists.opml"
    opml.write_text('<?xml version="1.0"?><opml version="2.0"><body>'
                    f'<outline type="rss" xmlUrl="{web.url("/gaza.rss")}"/>'
                    '<outline type="rss" xmlUrl="https://news.example/a.rss"/>'
                    '<outline type="rss" xmlUrl="https://news.example/b.rss"/></body></opml>')  # fmt: skip
    broken = tmp_path / "broken.opml"
    broken.write_bytes(b"<opml><body><outline")
    extra = f'[topics.lists]\nsources = ["{opml}", "{web.url("/gaza.rss")}"]\n'
    extra += f'[topics.broken]\nsources = ["{broken}"]\n'
    cfg, state = settings_file(tmp_path, web, extra), tmp_path / "state"
    r = cli(cfg, state, "topics")
    assert r.exit_code == 0, r.stderr
    rows = {line.split("\t")[0]: line.split("\t") for line in r.stdout.splitlines()[1:]}
    assert rows["lists"][2] == "2 (+3 feeds in 1 OPML list)"
    assert rows["broken"][2] == "1"  # a list that cannot be read is left to `run` to report
    assert rows["ukraine"][2] == "1"  # a list at a URL is not fetched for a listing


def test_one_scheduler_runs_each_topic_at_its_time_and_one_failing_never_stops_another(
    tmp_path: Path, web: WebServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import time_machine

    from briefing.cli.schedule import daily_job
    from briefing.config import load_settings
    from briefing.deliver import schedule as sch

    cfg = settings_file(tmp_path, web, f'[topics.broken]\nsources = ["{tmp_path / "gone"}"]\n')
    state = tmp_path / "state"
    settings = load_settings(cfg, state_dir=state)
    jobs = {j.topic: j for j in sch.plan(settings, cfg)}
    assert (jobs["ukraine"].at, jobs["ukraine"].tz) == ("07:00", "Europe/London")
    assert (jobs["gaza"].at, jobs["gaza"].tz) == ("08:30", "Asia/Jerusalem")
    sched = sch.make_scheduler(list(jobs.values()), daily_job, blocking=False)
    assert sorted(j.id for j in sched.get_jobs()) == ["daily:broken", "daily:gaza", "daily:ukraine"]
    with SmtpServer() as smtp:
        for k, v in smtp.env.items():
            monkeypatch.setenv(k, v)
        with time_machine.travel(datetime(2025, 2, 14, 7, 0, tzinfo=ZoneInfo("UTC")), tick=False):
            outcomes = {t: daily_job(j.state, j.config, t, j.tz) for t, j in jobs.items()}
    assert outcomes["broken"] == "error"
    assert outcomes["ukraine"] in ("ok", "partial") and outcomes["gaza"] in ("ok", "partial")
    assert sorted(m["To"] for m in smtp.handler.messages) == [
        "Ana Kovalenko <ana@readers.example>", "ben@readers.example"]
    with Store(state) as store:
        assert "no input could be read" in store.last_run("daily:broken")["message"]


def test_flags_win_over_the_topic_table_and_doctor_checks_each_feed_of_an_opml_list(
    tmp_path: Path, web: WebServer
) -> None:
    cfg, state = settings_file(tmp_path, web), tmp_path / "state"
    b = run_json(cfg, state, "--topic", "gaza", "--tz", "America/New_York")  # its table: Jerusalem
    assert b["tz"] == "America/New_York" and b["window"] == f"{DAY} (America/New_York)"
    r = cli(cfg, state, "run", "--topic", "gaza", "--date", DAY, "--tz", "Mars/Base")
    assert r.exit_code == 2 and "'Mars/Base' is not a known time zone" in r.stderr
    r = runner.invoke(app, ["doctor", "--config", str(cfg), "--state", str(state)])
    assert f"ok    topic ukraine: {web.url('/world.rss')} (in {web.url('/feeds.opml')}): HTTP 200" in r.stdout
    assert f"FAIL  topic ukraine: {web.url('/gone.rss')} (in {web.url('/feeds.opml')}): HTTP 404" in r.stdout
    assert r.exit_code == 1


def test_history_tells_the_edition_in_force_from_the_ones_it_replaced(tmp_path: Path, web: WebServer) -> None:
    cfg, state = settings_file(tmp_path, web), tmp_path / "state"
    run_json(cfg, state, "--topic", "gaza")
    run_json(cfg, state, "--topic", "gaza")
    r = cli(cfg, state, "history", "--topic", "gaza")
    kinds = [line.split("\t")[3] for line in r.stdout.splitlines()[1:]]
    assert kinds == ["edition", "replaced"]
    r = cli(cfg, state, "history", "--topic", "nope")
    assert r.exit_code == 2 and "no stored briefing of topic 'nope'" in r.stderr
    # an ad hoc topic (not in the settings) is found by its id or by the title it ran with
    r = cli(cfg, state, "run", "--sample", "--date", "2025-02-13", "--topic", "Газа мир",
            "--save", "-f", "json")  # fmt: skip
    assert r.exit_code == 0, r.stderr
    tid = json.loads(r.stdout)["topic_id"]
    assert tid not in ("gaza", "ukraine")
    for name in (tid, "Газа мир"):
        r = cli(cfg, state, "history", "--topic", name)
        rows = [line.split("\t") for line in r.stdout.splitlines()[1:]]
        assert r.exit_code == 0 and [x[1] for x in rows] == [tid], (name, r.stdout, r.stderr)
