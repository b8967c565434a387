"""The offline default summariser: cited, extractive, deterministic, no network.

For each story it reads its most central items (`candidates.py`), keeps the sentences that
stand alone (`pipeline/tidy.py`: quotes whole, no ungrammatical or cut sentences, live-blog
time made plain), and picks the ones that cover the story's concepts best with no two saying
the same thing (`coverage.py`). The "In brief" lines are the first pick of each leading story;
each section then gets the story's budget of further bullets. Each bullet cites every source of
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

__all__ = ["REDUNDANT", "STORY_CHARS", "ExtractiveSummariser"]


class ExtractiveSummariser:
    name = "extractive"

    def execute(self, request: SummaryRequest) -> Draft:
        stories = request.stories[: request.max_sections]
        cands = candidates(stories)
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

        # In brief: the best line of each of the leading stories, one story each.
        summary: list[Bullet] = []
        for si in range(min(request.summary_lines, len(stories))):
            summary.extend(bullet(i) for i in select.pick(by_story.get(si, []), 1))

        sections: list[Section] = []
        for si, story in enumerate(stories):
            picked = select.pick(by_story.get(si, []), budget(story, request.max_bullets,
                                                               len(by_story.get(si, []))))
            picked.sort(key=lambda i: (cands[i].when is None, cands[i].when or 0, cands[i].order))
            if picked:
                sections.append(Section(title=story.title, story_id=story.id,
                                        bullets=[bullet(i) for i in picked]))  # fmt: skip
        out_tokens = sum(count(b.text) for b in summary) + sum(
            count(b.text) for s in sections for b in s.bullets
        )
        return Draft(summary, sections, self.name,
                     usage=Usage(tokens_in=source_tokens, tokens_out=out_tokens))  # fmt: skip
