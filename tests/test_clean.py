from __future__ import annotations

import pytest

from briefing.errors import ConfigError
from briefing.ingest import load_rules
from briefing.ingest.clean import clean, detect_publisher, parse_rules
from briefing.text import fingerprint_text

from .conftest import FILES

BOILERPLATE = [
    "Your support helps us to tell the story",
    "Your donation allows us",
    "Your support makes all the difference",
    "Sign up to our free breaking news emails",
    "breaking news alerts",
    "Read more",
    "Support Now",
    "More to follow",
    "![",
    "static.independent.co.uk",
]


@pytest.mark.parametrize("key", sorted(FILES))
def test_boilerplate_is_gone_from_every_seed_file(key: str) -> None:
    raw = FILES[key].read_text("utf-8")
    rules = load_rules()
    text = clean(raw, rules, detect_publisher(raw, rules))
    for phrase in BOILERPLATE:
        assert phrase not in text, f"{phrase!r} left in {FILES[key].name}"
    assert len(text) > 1000  # the news itself stays


def test_one_line_donation_plea_with_date_header_is_removed() -> None:
    raw = FILES["002"].read_text("utf-8")
    rules = load_rules()
    text = clean(raw, rules, detect_publisher(raw, rules))
    assert text.startswith("date 2025-02-13\n\nBritish officials are said to be furious")


def test_quotes_and_whitespace_are_normalised_and_cleaning_is_idempotent() -> None:
    raw = "  \u201cHello,\u201d  she said\u00a0\u2018twice\u2019.\r\n\r\n\r\n\r\nNext\tline  "
    once = clean(raw)
    assert once == "\"Hello,\" she said 'twice'.\n\nNext line"
    assert clean(once) == once


def test_publisher_detection_and_rules_are_data(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raw = FILES["000"].read_text("utf-8")
    assert detect_publisher(raw, load_rules()) == "The Independent"
    extra = tmp_path / "rules.toml"
    extra.write_text('[[generic]]\nname = "x"\npattern = "Donald Trump"\n')
    assert "Donald Trump" not in clean(raw, load_rules(extra))
    extra.write_text('[[generic]]\nname = "bad"\npattern = "(unclosed"\n')
    with pytest.raises(ConfigError, match="invalid"):
        load_rules(extra)
    with pytest.raises(ConfigError):
        parse_rules("not = [toml")


def test_fingerprint_folds_case_quotes_and_dashes() -> None:
    a = "Zelensky\u2019s head \u2013 the bastards"
    b = "zelensky's head - the BASTARDS"
    assert fingerprint_text(a) == fingerprint_text(b)
