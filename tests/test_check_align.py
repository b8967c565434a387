"""Alignment by dictionary forms (`check/lemmas.py`, `lexicon.root`) and conflicts raised only
on aligned words: irregular forms meet, a negation counts only on the word it is said of, and a
capitalised ordinary word opening a sentence is not a name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from briefing.check import check_bullet, proper_nouns, root
from briefing.check.lemmas import known, lemma

ROOT = Path(__file__).resolve().parent.parent


def verdict(claim: str, source: str) -> str:
    return check_bullet(claim, ["e"], {"e": source}).verdict


def test_irregular_forms_share_a_root() -> None:
    assert root("shot") == root("shooting") == root("shoots") == root("shoot")
    assert root("won") == root("wins") and root("fled") == root("flees")
    assert root("struck") == root("strikes") and lemma("went") == "go"
    assert root("found") != root("find")  # a verb in its own right keeps its own root
    assert root("talks") == root("talked")  # regular forms as before (the stem)


def test_the_dictionary_knows_ordinary_words_not_names() -> None:
    assert known("roughly") and known("officials") and known("shot")
    assert not known("putin") and not known("zelensky") and not known("kyiv")


def test_a_sentence_opener_is_a_name_only_when_it_is_no_ordinary_word() -> None:
    text = "Roughly 20 people were hurt. Twelve were taken to hospital. Putin said so."
    assert proper_nouns(text, openers=False) == ["Putin"]
    assert "Roughly" in proper_nouns(text)  # the default, for the pipeline's features
    assert proper_nouns("Fox said it. He told Fox News.", openers=False) == ["Fox", "Fox", "News"]


def test_an_opener_absent_from_the_source_is_no_missing_name() -> None:
    src = "About 12 people were hurt in the blast, police said."
    assert verdict("Roughly a dozen people were hurt in the blast, police said.", src) != (
        "contradicted")
    assert verdict("Twelve people were hurt in the blast, police said.", src) == "supported"
    assert verdict("Macron said 12 people were hurt in the blast.", src) == "contradicted"


def test_an_irregular_verb_aligns_with_its_negation() -> None:
    src = "Police said the suspect shot two officers on Monday."
    assert verdict("Police said the suspect did not shoot two officers on Monday.", src) == (
        "contradicted")
    assert verdict("Police said the suspect shot two officers on Monday.", src) == "supported"


def test_a_negation_said_of_something_else_is_no_conflict() -> None:
    src = ("I didn't see the doctor's letter, but the trust helped my mother to a dignified "
           "death, which I think is a basic human right.")
    claim = "She said the trust helped her mother to a dignified death, which she sees as a right."
    assert verdict(claim, src) != "contradicted"
    src = "Since then, the US has paused military aid and intelligence sharing with Ukraine."
    claim = "Since then, the US has not paused military aid and intelligence sharing with Ukraine."
    assert verdict(claim, src) == "contradicted"


def test_not_until_is_no_negation() -> None:
    src = "Gallagher didn't send her documents to the UK authorities until April 2016."
    assert verdict("Gallagher sent her documents to the UK authorities in April 2016.", src) != (
        "contradicted")


def test_the_vendored_word_forms_are_current() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "lemmas.py"), "--check"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_a_country_is_found_by_its_peoples_name() -> None:
    assert verdict("Norwegian officials met in Oslo.", "Officials from Norway met in Oslo.") == (
        "supported")
    assert verdict("The Dutch government fell on Friday.",
                   "The government of the Netherlands fell on Friday.") != "contradicted"
    assert verdict("Greek unemployment is at 23%.", "Unemployment in Greece is at 23%.") != (
        "contradicted")


def test_two_countries_are_never_spelling_variants() -> None:
    assert verdict("The Austrian government fell.", "The Australian government fell.") == (
        "contradicted")


def test_the_vendored_places_are_current() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "places.py"), "--check"],
                          capture_output=True, text=True, timeout=120)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
