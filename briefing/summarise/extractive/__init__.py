"""The offline default summariser: cited, extractive, deterministic, no network.

For each story it reads its most central items (`candidates.py`), keeps the sentences that
stand alone (`pipeline/tidy.py`: quotes whole, no ungrammatical or cut sentences, live-blog
time made plain), and picks the ones that cover the story's concepts best with no two saying
the same thing (`coverage.py`). The "In brief" lines are the first pick (the key fact) of
each leading story; each section leads with that line (the one line In brief and a section
may share), or with its own best pick, and then gets the story's budget of further bullets in
time order (one more than `max_bullets` for a report that lists its key points). Each bullet
cites every source of
the item it came from (all copies of a deduplicated entry), plus any other item that carries
the same sentence.
"""

from __future__ import annotations

from ...contract import Bullet, Section
from ...pipeline import Draft, SummaryRequest, Usage
from ...tokens import count
from .candidates import STORY_CHARS, candidates, tokens_read
from .corroborated import weigh
from .coverage import REDUNDANT, Selector, budget

POINTS = 3  # list points in a story that earn its section one bullet more than max_bullets

__all__ = ["REDUNDANT", "STORY_CHARS", "ExtractiveSummariser"]


class ExtractiveSummariser:
    name = "extractive"

    def execute(self, request: SummaryRequest) -> Draft:
        stories = request.stories[: request.max_sections]
        cands = candidates(stories, request.tz, request.reader)
        source_tokens = tokens_read(stories)
        if not cands:
            return Draft([], [], self.name, usage=Usage(tokens_in=source_tokens))
        weigh(cands, stories, request.publishers)  # what several publishers report ranks higher
        select = Selector(cands)
        by_story: dict[int, list[int]] = {}
        for i, c in enumerate(cands):
            by_story.setdefault(c.story, []).append(i)

        def bullet(i: int) -> Bullet:
            return Bullet(text=cands[i].text, citations=list(cands[i].citations))

        # In brief: the best line (the key fact) of each of the leading stories, one each.
        summary: list[Bullet] = []
        key: dict[int, int] = {}
        for si in range(min(request.summary_lines, len(stories))):
            for i in select.pick(by_story.get(si, []), 1):
                key[si] = i
                summary.append(bullet(i))

        sections: list[Section] = []
        for si, story in enumerate(stories):
            pool = by_story.get(si, [])
            # a report that lists its own key points ("In five points: …") may give one more
            points = sorted((i for i in pool if cands[i].point), key=lambda i: cands[i].order)
            if len(points) >= POINTS:  # its own key points, in the order the report gives them
                picked = select.take(points, request.max_bullets + 1)
            else:
                picked = select.pick(pool, budget(story, request.max_bullets, len(pool)))
            # the section leads with its news: the In-brief line's fact (the one line the two
            # may share), else its best line; the rest follow in the order they happened
            lead = [key[si]] if si in key else picked[:1]
            rest = sorted((i for i in picked if i not in lead),
                          key=lambda i: (cands[i].when is None, cands[i].when or 0, cands[i].order))
            if lead:
                sections.append(Section(title=story.title, story_id=story.id,
                                        bullets=[bullet(i) for i in [*lead, *rest]]))  # fmt: skip
        out_tokens = sum(count(b.text) for b in summary) + sum(
            count(b.text) for s in sections for b in s.bullets
        )
        return Draft(summary, sections, self.name,
                     usage=Usage(tokens_in=source_tokens, tokens_out=out_tokens))  # fmt: skip
