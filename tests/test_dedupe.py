from __future__ import annotations

from briefing.models import Entry, Paragraph
from briefing.pipeline.dedupe import copy_id, dedupe, shingles


def _e(eid: str, doc: str, text: str, pos: int = 0) -> Entry:
    paras = tuple(Paragraph(p) for p in text.split("\n"))
    return Entry(eid, doc, "entry", None, paras, None, None, False, pos)


def test_britains_fury_entry_is_found_inside_the_article(prepared_all) -> None:  # type: ignore[no-untyped-def]
    d = prepared_all.deduped
    fury = next(e for e in prepared_all.entries if (e.headline or "").startswith("Britain's fury"))
    article = next(e for e in prepared_all.entries if e.document.startswith("002"))
    assert (fury.id, article.id, "contained") in d.relations
    item = next(i for i in d.items if fury.id in i.entry_ids)
    assert item.canonical.id == article.id
    assert set(item.documents) == {"001_e4295a515bf2662b", "002_9e1897877990e860"}


def test_every_cross_file_duplicate_in_the_sample_and_nothing_else(prepared_all) -> None:  # type: ignore[no-untyped-def]
    d = prepared_all.deduped
    cross = [i for i in d.items if len(set(i.documents)) > 1]
    assert len(cross) == 1
    assert d.duplicates_removed == 1
    assert len(d.items) == len(prepared_all.entries) - prepared_all.links - 1


BASE = (
    "Russian drone attacks damaged port infrastructure in southern Ukraine, officials said on "
    "Thursday, while neighbouring Moldova said two drones had blown up on its soil. Kyiv said "
    "Moscow attacked Ukraine with 140 drones overnight, injuring one person in the Izmail district "
    "of the Odesa region. The southern region is a central hub for Black Sea exports."
)


def test_exact_near_contained_and_distinct() -> None:
    exact = _e("same", "a", BASE)
    exact2 = _e("same", "b", BASE)
    near = _e(
        "near",
        "c",
        BASE.replace("officials said", "officials reported").replace("140", "140 Shahed"),
    )
    longer = _e(
        "long",
        "d",
        "An introduction paragraph about the war.\n"
        + BASE
        + "\nMore text follows here, about other things entirely and at length.",
    )
    distinct = _e(
        "other",
        "e",
        "Germany's Olaf Scholz said there must be no imposed peace in Ukraine and any solution must involve the US, in an interview on Thursday.",
    )
    res = dedupe([exact, exact2, near, longer, distinct])
    kinds = {(m, c, k) for m, c, k in res.relations}
    assert (copy_id(exact2), "same", "exact") in kinds  # the copy under its own id
    assert len(res.items) == 2
    big = next(i for i in res.items if len(i.members) > 1)
    assert big.canonical.id == "long"
    assert set(big.entry_ids) == {"long", "same", "near"}
    assert res.duplicates_removed == 3


def test_short_texts_are_not_called_contained() -> None:
    a = _e("a", "x", "Ukraine said on Thursday.")
    b = _e("b", "y", BASE + " Ukraine said on Thursday.")
    assert len(dedupe([a, b]).items) == 2


def test_shingles_ignore_case_quotes_and_dashes() -> None:
    assert (
        shingles("Zelensky\u2019s head \u2013 the end").tolist()
        == shingles("zelensky's head - THE END").tolist()
    )


def test_banding_finds_the_pairs_datasketch_finds() -> None:
    """Our numpy LSH banding against datasketch's MinHashLSH, on signatures with planted
    near-copies (and the band/row choice for a threshold against datasketch's)."""
    import numpy as np
    from datasketch import LeanMinHash, MinHashLSH

    from briefing.pipeline.dedupe import band_pairs, lsh_bands

    for threshold in (0.4, 0.3):
        ref = MinHashLSH(threshold=threshold, num_perm=64)
        assert lsh_bands(threshold, 64) == (ref.b, ref.r)
    rng = np.random.default_rng(2)
    sigs = rng.integers(0, 2**32, (400, 64), dtype=np.uint64).astype(np.uint32)
    for i in range(0, 400, 7):  # copies that agree on a random half of the values
        keep = rng.random(64) < 0.5
        sigs[i + 1 if i + 1 < 400 else 0, keep] = sigs[i, keep]
    use = np.ones(400, dtype=bool)
    use[13] = False
    bands, rows = lsh_bands(0.4, 64)
    left, right = band_pairs(sigs, use, bands, rows)
    ours = set(zip(left.tolist(), right.tolist(), strict=True))
    lsh = MinHashLSH(threshold=0.4, num_perm=64)
    for i in np.flatnonzero(use):
        lsh.insert(int(i), LeanMinHash(seed=1, hashvalues=sigs[i], scheme="affine32"), check_duplication=False)
    theirs = {(min(i, j), max(i, j)) for i in np.flatnonzero(use).tolist()
              for j in lsh.query(LeanMinHash(seed=1, hashvalues=sigs[i], scheme="affine32")) if j != i}  # fmt: skip
    assert ours == theirs and len(ours) > 20
