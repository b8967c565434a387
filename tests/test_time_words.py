"""Relative time words are written as the day they meant, in the reader's zone, or the sentence
is not used (issue 23, item 3): a test per kind, the checker's side, and the sample days."""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from briefing.check import Clock, check_briefing, resolve, validate, write_days
from briefing.contract import Bullet, Section

from .conftest import brief
from .fakes import FakeSummariser, draft

LONDON = ZoneInfo("Europe/London")
THU = datetime(2025, 2, 13, 8, 45, tzinfo=LONDON)  # an entry of Thursday 13 February, 08:45
READ_FRIDAY = Clock(THU, LONDON, date(2025, 2, 14))  # read the next morning
SAMPLES = Path(__file__).parent.parent / "sample_outputs"


@pytest.mark.parametrize(("sentence", "written"), [
    ("Trump spoke with Putin yesterday about the war.",
     "Trump spoke with Putin on Wednesday 12 February about the war."),
    ("Yesterday afternoon the ministers met in Brussels.",
     "on the afternoon of Wednesday 12 February the ministers met in Brussels."),
    ("Healey spoke in Brussels today about the talks.",
     "Healey spoke in Brussels on Thursday 13 February about the talks."),
    ("Earlier today the minister ruled out talks without Kyiv.",
     "on Thursday 13 February the minister ruled out talks without Kyiv."),
    ("The talks were held in Brussels this morning.",
     "The talks were held in Brussels on the morning of Thursday 13 February."),
    ("Zelensky spoke to Trump last night about the call.",
     "Zelensky spoke to Trump on the night of Wednesday 12 February about the call."),
    ("The leaders will speak again tonight in Munich.",
     "The leaders will speak again on the evening of Thursday 13 February in Munich."),
    ("The ministers meet again tomorrow in Munich.",
     "The ministers meet again on Friday 14 February in Munich."),
    ("Officials said on Tuesday that the port was hit.",
     "Officials said on Tuesday 11 February that the port was hit."),
    ("The leaders will meet on Saturday in Munich.",
     "The leaders will meet on Saturday 15 February in Munich."),
    ("He spoke last Thursday to the press in Kyiv.",
     "He spoke on Thursday 6 February to the press in Kyiv."),
    ("Russia launched 140 drones at Ukraine overnight, the air force said.",
     "Russia launched 140 drones at Ukraine overnight into Thursday 13 February, the air force said."),
    ("The summit on Monday, 17 February, was called off.",
     "The summit on Monday, 17 February, was called off."),  # already a date
])  # fmt: skip
def test_each_kind_is_written_as_a_day(sentence: str, written: str) -> None:
    got = resolve(sentence, READ_FRIDAY)
    assert got is not None and got[0].lower() == written[0].lower() and got[1:] == written[1:]


@pytest.mark.parametrize("sentence", [
    'He said: "We spoke yesterday and agreed."',  # a quote is never rewritten
    "Wednesday's call was the first since 2022.",  # a possessive has no place for a date
])  # fmt: skip
def test_what_cannot_be_written_plainly_is_not_used(sentence: str) -> None:
    assert resolve(sentence, READ_FRIDAY) is None


def test_an_overnight_attack_is_left_as_written_and_a_written_day_is_never_rewritten() -> None:
    # "overnight" naming the kind of attack has no place for a date ("an overnight into
    # Thursday 13 February drone attack" was written before)
    kind = "Kyiv asked for air defence on Tuesday after an overnight drone attack on the city."
    assert resolve(kind, READ_FRIDAY) == (
        "Kyiv asked for air defence on Tuesday 11 February after an overnight drone attack on "
        "the city.")  # fmt: skip
    for sentence in ("Russia launched 140 drones overnight, the air force said.",
                     "The talks resumed yesterday and again today.", kind):  # fmt: skip
        once = resolve(sentence, READ_FRIDAY)
        assert once is not None and resolve(once, READ_FRIDAY) == once  # idempotent


def test_an_undated_entry_and_an_evening_overnight_are_not_used() -> None:
    assert resolve("Trump spoke yesterday.", Clock(None, LONDON, date(2025, 2, 14))) is None
    evening = Clock(datetime(2025, 2, 13, 21, 0, tzinfo=LONDON), LONDON, date(2025, 2, 14))
    assert resolve("Drones hit Odesa overnight.", evening) is None


def test_the_day_is_the_entrys_in_the_readers_zone() -> None:
    late = datetime(2025, 2, 13, 23, 30, tzinfo=ZoneInfo("UTC"))  # 14 Feb 00:30 in Kyiv
    kyiv = Clock(late, ZoneInfo("Europe/Kyiv"), date(2025, 2, 14))
    assert resolve("Trump spoke yesterday.", kyiv) == "Trump spoke on Thursday 13 February."
    other_year = Clock(datetime(2024, 12, 31, 9, 0, tzinfo=LONDON), LONDON, date(2025, 1, 1))
    assert resolve("He spoke yesterday.", other_year) == "He spoke on Monday 30 December 2024."


@pytest.mark.parametrize(("sentence", "reader", "kept"), [
    ("The war Russia started three years ago this month goes on.", date(2025, 2, 28), True),
    ("The war Russia started three years ago this month goes on.", date(2025, 3, 1), False),
    ("The invasion began three years ago.", date(2025, 12, 31), True),
    ("The invasion began three years ago.", date(2026, 1, 1), False),
    ("Talks this week are the first since 2022.", date(2025, 2, 16), True),
    ("Talks this week are the first since 2022.", date(2025, 2, 17), False),
    ("Aid fell last month to its lowest since 2022.", date(2025, 2, 14), True),
])  # fmt: skip
def test_a_period_is_kept_only_while_it_is_true_for_the_reader(sentence: str, reader: date,
                                                               kept: bool) -> None:  # fmt: skip
    got = resolve(sentence, Clock(THU, LONDON, reader))
    assert (got == sentence) if kept else got is None


def test_the_checker_accepts_the_day_and_refuses_a_wrong_one() -> None:
    src = {"e1": "Trump spoke with Putin yesterday about ending the war in Ukraine."}
    clocks = {"e1": READ_FRIDAY}
    right = Bullet(text="Trump spoke with Putin on Wednesday 12 February about ending the war "
                        "in Ukraine.", citations=["e1"])  # fmt: skip
    wrong = Bullet(text="Trump spoke with Putin on Tuesday 11 February about ending the war "
                        "in Ukraine.", citations=["e1"])  # fmt: skip
    got = validate([right, wrong], [], src, clocks=clocks)
    assert [b.text for b in got.summary] == [right.text]
    assert [d.text for d in got.dropped] == [wrong.text]
    assert validate([right], [Section(title="t", bullets=[right])], src).summary == []


DAY_WORDS = re.compile(r"\b(?:yesterday|today|tonight|tomorrow|last night|this (?:morning|afternoon"
                       r"|evening)|(?:mon|tues|wednes|thurs|fri|satur|sun)day(?!,? \d))\b",
                       re.IGNORECASE)  # fmt: skip
OVERNIGHT = re.compile(r"\bovernight\b(?! into \w+day \d)", re.IGNORECASE)


def test_no_relative_time_word_is_left_in_a_sample_day() -> None:
    for day in ("2025-02-12", "2025-02-13"):
        b = brief(day)
        bullets = [x.text for x in b.all_bullets()]
        titles = [*(s.title for s in b.sections), *(m.title for m in b.also_reported)]
        assert not [t for t in bullets if DAY_WORDS.search(t) or OVERNIGHT.search(t)]
        assert not [t for t in titles if DAY_WORDS.search(t)]  # "in overnight attack": a headline's
        assert all(r.ok for _, r in check_briefing(b))  # `briefing check` agrees
        body = (SAMPLES / day / "briefing.md").read_text().split("## Sources")[0]
        assert not DAY_WORDS.search(body), day


def test_a_models_time_words_are_written_as_days_or_kept_and_marked() -> None:
    src = {"e1": "Trump spoke with Putin yesterday about ending the war in Ukraine.",
           "e2": 'Healey said: "We spoke yesterday and agreed."',
           "e3": "Trump spoke with Putin yesterday about ending the war in Ukraine."}  # fmt: skip
    clocks = {"e1": READ_FRIDAY, "e2": READ_FRIDAY, "e3": Clock(None, LONDON, date(2025, 2, 14))}
    model = Bullet(text="Trump and Putin spoke yesterday about ending the war in Ukraine.",
                   citations=["e1"])  # fmt: skip
    quoted = Bullet(text='Healey said: "We spoke yesterday and agreed."', citations=["e2"])
    undated = model.model_copy(update={"citations": ["e3"]})
    plain = Bullet(text="Trump and Putin spoke about ending the war in Ukraine.", citations=["e1"])
    summary, sections, dropped = write_days(
        [model, quoted], [Section(title="t", bullets=[undated]), Section(title="u", bullets=[plain])],
        src, clocks)  # fmt: skip
    assert [b.text for b in summary[:1]] == [
        "Trump and Putin spoke on Wednesday 12 February about ending the war in Ukraine."]
    assert [b.text for b in summary[1:]] == [quoted.text]  # kept as written, and says so
    assert [b.text for s in sections for b in s.bullets] == [undated.text, plain.text]
    assert [b.verdict for b in (summary[1], sections[0].bullets[0])] == ["unconfirmed"] * 2
    assert all("could not be written as the reader's day" in (b.reason or "")
               for b in (summary[1], sections[0].bullets[0]))  # fmt: skip
    assert sections[1].bullets == [plain] and not dropped
    wrong = Bullet(text="Trump spoke with Putin tomorrow about ending the war in Ukraine.",
                   citations=["e1"])  # fmt: skip
    summary, _, dropped = write_days([wrong], [], src, clocks)
    assert not summary and [d.text for d in dropped] == [wrong.text]
    assert "is not what its entries say" in dropped[0].reason


def test_a_models_yesterday_reaches_the_reader_as_the_day_and_passes_briefing_check() -> None:
    def answer(req):  # type: ignore[no-untyped-def]
        eid = next(m.id for s in req.stories for it in s.items for m in it.members
                   if "phone call yesterday" in m.text)  # fmt: skip
        return draft({"Call": [("The US and Russian presidents discussed the matter on an "
                                "hour-and-a-half phone call yesterday.", [eid])]})  # fmt: skip

    b = brief("2025-02-13", FakeSummariser().enqueue(answer))
    (line,) = b.all_bullets()
    assert line.text == ("The US and Russian presidents discussed the matter on an "
                         "hour-and-a-half phone call on Wednesday 12 February.")  # fmt: skip
    assert line.verdict == "supported" and all(r.ok for _, r in check_briefing(b))
