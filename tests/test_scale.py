"""Scale, without timings: no stage of a run holds a dense n x n or n x vocabulary matrix, the
work of a briefing is bounded by its settings, and big inputs go through in linear steps.
(Speed is measured by `bench/run.py --only wholerun`, not here.)"""

from __future__ import annotations

import importlib
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import numpy as np
import pytest

from briefing import pipeline
from briefing.contract import Bullet, Section
from briefing.ingest import _Ids, ingest, load_rules
from briefing.models import Entry, Item, Paragraph, Story, Window
from briefing.pipeline import Draft, SummaryRequest, stories
from briefing.pipeline.dedupe import dedupe, signatures
from briefing.summarise import ExtractiveSummariser, extractive

from .conftest import LONDON, prepare_sample

reader = importlib.import_module("briefing.summarise.extractive.candidates")  # the module

T = TypeVar("T")
ENTRIES = 5_000


def _peak(fn: Callable[[], T]) -> tuple[T, int]:
    """fn's result and the most memory (bytes, numpy arrays included) it held at once."""
    tracemalloc.reset_peak()
    start = tracemalloc.get_traced_memory()[0]
    out = fn()
    return out, tracemalloc.get_traced_memory()[1] - start


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> pipeline.Read:
    """5,000 live-blog entries built from the sample's sentences, with known copies
    (bench/corpus.py, seeded)."""
    from bench.corpus import Generator, write

    folder = tmp_path_factory.mktemp("scale") / "corpus"
    write(Generator(7).generate(ENTRIES), folder, 7)
    got = ingest([str(folder)], rules=load_rules(), tz=LONDON)
    return pipeline.Read(got.loaded, got.skipped)


@pytest.mark.slow
def test_no_stage_holds_a_dense_square_matrix_on_5k_entries(corpus: pipeline.Read) -> None:
    """Each stage's peak memory stays under half of one dense float64 matrix of its inputs
    squared: the old story grouping (n x n cosines, then scipy's linkage) held ~300 MB here,
    and the old extractive vectors (candidates x vocabulary, densified) more."""
    warm = prepare_sample("2025-02-13")  # imports and first-use caches are not the stage's
    ExtractiveSummariser().execute(SummaryRequest("t", tuple(warm.stories)))
    window = Window(LONDON)
    entries = [e for e in corpus.entries(LONDON) if e.kind != "link"]
    assert len(entries) == ENTRIES
    tracemalloc.start()
    try:
        deduped, dedupe_peak = _peak(lambda: dedupe(entries))
        items = deduped.items
        grouped, stories_peak = _peak(lambda: stories.group(items))
        prep = pipeline.prepare(corpus, window, datetime.now(UTC))
        request = SummaryRequest("t", ())
        briefing, brief_peak = _peak(lambda: pipeline.brief(
            prep, request, ExtractiveSummariser(), ExtractiveSummariser(), window=window,
            generated_at=datetime.now(UTC)))  # fmt: skip
    finally:
        tracemalloc.stop()

    def half_square(n: int) -> int:
        return n * n * 8 // 2

    n = len(items)
    assert n > 3_000 and len(grouped) > 50 and briefing.sections
    assert dedupe_peak < half_square(len(entries)), dedupe_peak
    assert stories_peak < half_square(n), stories_peak
    assert brief_peak < half_square(n), brief_peak


def test_the_story_graph_keeps_a_bounded_number_of_edges() -> None:
    rng = np.random.default_rng(3)
    from scipy.sparse import random as sparse_random
    from sklearn.preprocessing import normalize

    from briefing.pipeline.sparse import Rows

    m = normalize(sparse_random(3_000, 400, density=0.05, format="csr", random_state=rng))
    k = stories.neighbours(3_000)
    rows = Rows(m.indptr.astype(np.int64), m.indices.astype(np.int64), m.data, m.shape[1])
    a, b, sim = stories.graph(rows, k)
    assert len(a) <= 3_000 * k and (a < b).all() and ((sim > 0) & (sim <= 1)).all()
    exact = np.asarray(m[a].multiply(m[b]).sum(axis=1)).ravel()
    assert np.allclose(sim, exact)


def _item(eid: str, doc: str, headline: str, body: list[str]) -> Item:
    e = Entry(eid, doc, "entry", headline, tuple(Paragraph(p) for p in body), None,
              datetime(2025, 2, 13, 9, tzinfo=UTC), False, 0)  # fmt: skip
    return Item(e, (e,))


class Recording:
    """A summariser that writes one bullet per story it is given, and remembers them."""

    name = "recording"

    def __init__(self) -> None:
        self.given: list[str] = []

    def execute(self, request: SummaryRequest) -> Draft:
        self.given = [s.id for s in request.stories]
        sections = [Section(title=s.title, story_id=s.id, bullets=[Bullet(
            text=s.items[0].canonical.body, citations=[s.items[0].id])]) for s in request.stories]  # fmt: skip
        return Draft([], sections, self.name)


def test_only_the_top_stories_are_summarised_and_the_next_are_listed_by_title() -> None:
    prep = prepare_sample("2025-02-13")
    ranked = prep.stories
    assert len(ranked) >= 5  # seven events that day (tests/data/events.json)
    rec = Recording()
    request = SummaryRequest("t", (), max_sections=2, also_reported=2)
    b = pipeline.brief(prep, request, rec, rec, window=Window(LONDON), generated_at=datetime.now(UTC))
    assert rec.given == [s.id for s in ranked[:2]]  # the rest cost nothing to summarise
    assert [s.story_id for s in b.sections] == rec.given
    assert [m.story_id for m in b.also_reported] == [s.id for s in ranked[2:4]]
    for m, s in zip(b.also_reported, ranked[2:4], strict=True):
        assert m.title == s.title and m.sources == len({d for it in s.items for d in it.documents})
        assert m.citations and all(c in b.sources for c in m.citations)
        assert any(m.title in b.sources[c].text for c in m.citations)  # the title is its headline
    fifth = ranked[4].id
    assert fifth not in rec.given and fifth not in {m.story_id for m in b.also_reported}


def test_the_extractive_summariser_reads_a_bounded_share_of_a_huge_story(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def para(j: int) -> str:
        return " ".join(f"The minister said talks on clause {j * 12 + k} would resume in Geneva "
                        "next week after a pause." for k in range(12))  # fmt: skip

    huge = _item("e1", "d1", "Talks to resume", [para(j) for j in range(2_000)])  # ~2 MB
    others = [_item(f"e{i}", f"d{i}", f"Report {i}", [para(5_000 + i)]) for i in range(2, 400)]
    story = Story("s1", "Talks to resume", (huge, *others), 10.0)
    seen: list[int] = []
    real = reader.sentences

    def spy(text: str) -> list[str]:
        seen.append(len(text))
        return real(text)

    monkeypatch.setattr(reader, "sentences", spy)
    draft = ExtractiveSummariser().execute(SummaryRequest("t", (story,)))
    assert draft.summary and sum(seen) <= extractive.STORY_CHARS
    assert 0 < draft.usage.tokens_in < extractive.STORY_CHARS // 2  # tokens of the text read


def test_a_folder_with_one_bad_file_among_many_is_read_on_all_cores(tmp_path: Path) -> None:
    """Files are read by forked workers from 64 on; a worker's InputError used to break the
    pool (it did not survive pickling) and the run hung."""
    for i in range(70):
        (tmp_path / f"a{i:02d}.txt").write_text(f"title: Report {i}\n\nThe council met on day {i} "
                                                 "and agreed the new budget for the town.\n")  # fmt: skip
    (tmp_path / "a33.txt").write_bytes(b"\xff\xfe\x00\x00not text")
    got = ingest([str(tmp_path)], rules=load_rules(), tz=LONDON)
    assert len(got.loaded) == 69
    assert [s.input for s in got.skipped] == [str(tmp_path / "a33.txt")]


def test_document_ids_stay_unique_in_linear_steps() -> None:
    ids = _Ids()
    names = [ids.claim("update") for _ in range(100_000)]  # was 5e9 probes: this would hang
    assert len(set(names)) == 100_000 and names[:3] == ["update", "update-2", "update-3"]
    assert ids.claim("update-2") == "update-2-2"


def test_huge_texts_hash_in_blocks_with_the_same_signatures(monkeypatch: pytest.MonkeyPatch) -> None:
    import briefing.pipeline.dedupe as module

    rng = np.random.default_rng(5)
    sets = [np.unique(rng.integers(0, 2**32, n, dtype=np.uint64)).astype(np.uint32)
            for n in (3, 5_000, 0, 40, 12_000, 7)]  # fmt: skip
    whole = signatures(sets, 64)
    monkeypatch.setattr(module, "SIGNATURE_BLOCK", 1_000)
    assert (signatures(sets, 64) == whole).all()


def test_work_meanwhile_runs_once_after_the_workers_start() -> None:
    """fork_map's `meanwhile` (ingest loads scikit-learn there while the workers read)."""
    from briefing.parallel import fork_map

    calls: list[int] = []
    out = fork_map(abs, list(range(-50, 0)), min_items=10, step=7,
                   meanwhile=lambda: calls.append(1))  # fmt: skip
    assert out == list(range(50, 0, -1)) and calls == [1]
    assert fork_map(abs, [-1, -2], min_items=10, meanwhile=lambda: calls.append(2)) == [1, 2]
    assert calls == [1, 2]
