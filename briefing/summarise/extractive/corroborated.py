"""Selection uses corroboration (issue 27): in a story that several publishers report, a
sentence that other publishers' reports also support weighs more than one that only its own
publisher has, all else equal. The support is the checker's, through
`pipeline.reports_supporting`: the same test that names a bullet's corroborating publishers.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ...models import Story
from ...pipeline import EntryTexts, reports_supporting
from .candidates import Candidate, reading

PER_REPORT = 0.5  # weight added per other report that supports a sentence (chosen, not tuned)
MAX_REPORTS = 2  # ... counting at most this many


def weigh(cands: Sequence[Candidate], stories: Sequence[Story],
          publishers: Mapping[str, str]) -> None:  # fmt: skip
    """Raise the weight of each candidate of a multi-publisher story by the other reports that
    support it. Without `publishers` (a summariser called outside the pipeline) nothing changes."""
    if not publishers:
        return
    for si, story in enumerate(stories):
        if len({publishers.get(d, d) for it in story.items for d in it.documents}) < 2:
            continue
        read = [ii for ii, _item, _paragraphs in reading(story)]  # what the summariser read
        texts = EntryTexts({story.items[i].canonical.id: story.items[i].canonical.text
                            for i in read})  # fmt: skip
        for c in cands:
            if c.story == si:
                n = reports_supporting(c.text, story, c.items, publishers, texts, among=read,
                                       limit=MAX_REPORTS)  # fmt: skip
                c.weight *= 1 + PER_REPORT * n
