from __future__ import annotations

from briefing.check import check_bullet, numbers, proper_nouns, root, support

SRC = {
    "e1": "Kyiv said Moscow attacked Ukraine with 140 drones overnight. Poland is spending more than 4 per cent of GDP.",
    "e2": "Volodymyr Zelenskyy said eight children were returned after mediation by Qatar.",
}


def test_numbers_are_normalised() -> None:
    assert numbers("5 per cent and 5% and 1,200 people, eight children, 3.30") == {
        "5",
        "1200",
        "8",
        "3.3",
    }


def test_proper_nouns_skip_sentence_starts_and_common_words() -> None:
    assert proper_nouns("The talks in Riyadh began. Marco Rubio spoke on Tuesday.") == [
        "Riyadh",
        "Marco",
        "Rubio",
    ]


def test_grounded_bullet_passes() -> None:
    r = check_bullet("Moscow attacked Ukraine with 140 drones overnight, Kyiv said.", ["e1"], SRC)
    assert r.ok and r.support == 1.0


def test_possessives_match_either_way() -> None:
    src = {
        "e1": "Spain's foreign minister spoke in Paris.",
        "e2": "The minister of Spain spoke in Paris.",
    }
    assert check_bullet("Spain's foreign minister spoke in Paris.", ["e1"], src).ok
    assert check_bullet("Spain's minister spoke in Paris.", ["e2"], src).ok
    assert check_bullet("The foreign minister of Spain spoke in Paris.", ["e1"], src).ok


def test_name_variant_and_spelled_number_pass() -> None:
    r = check_bullet("Zelensky said 8 children were returned after Qatar mediated.", ["e2"], SRC)
    assert r.ok, r.reasons


def test_missing_citations_unknown_ids_numbers_and_names_fail() -> None:
    assert check_bullet("Moscow attacked Ukraine.", [], SRC).reasons == ("no citations",)
    r = check_bullet("Moscow attacked Ukraine with drones.", ["e1", "e9"], SRC)
    assert not r.ok and "cites unknown entries: e9" in r.reasons
    r = check_bullet("Moscow attacked Ukraine with 150 drones overnight.", ["e1"], SRC)
    assert r.reasons == ("numbers not in the cited text: 150",)
    r = check_bullet("Moscow attacked Ukraine with 140 drones, Macron said.", ["e1"], SRC)
    assert r.reasons == ("names not in the cited text: Macron",
                         "the bullet has Macron say it; the source has Kyiv")


def test_unsupported_paraphrase_fails_on_support() -> None:
    r = check_bullet("Negotiators celebrated a breakthrough ceasefire agreement.", ["e1"], SRC)
    assert not r.ok and r.reasons[-1].startswith("weak support")
    assert check_bullet("drones attacked", ["e1"], SRC).support == 1.0


def test_support_is_the_weighted_share_of_the_stems_found() -> None:
    assert support([], set()) == 1.0
    assert support([("drone", 1.0), ("attac", 1.0)], {"drone"}) == 0.5
    assert support([("kyiv", 2.0), ("talk", 1.0)], {"kyiv"}) == 2 / 3
    struck, attacked = root("struck"), root("attacked")  # one synonym group (lexicon.GROUPS)
    assert support([(struck, 1.0)], {attacked}) == 0.0
    assert support([(struck, 1.0)], {attacked}, synonyms=True) == 1.0
