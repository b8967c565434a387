"""A story's entries cut into parts that each fit one call: the one packer both strategies use.

An entry goes whole if it fits a call with its marker line and its story's header, else in
chunks (`tokens.chunk_entry`) that leave room for the prompt's closing line too. A story goes
in one part if it fits, else its pieces are packed greedily, in order (`tokens.pack`). What a
marker line and a header cost depends on the prompt, so each strategy gives its `Costs`; the
rules are the same for both.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...models import Entry, Story
from ...tokens import chunk_entry, count, pack

SPARE = 30  # tokens a chunk of one long entry leaves free: the prompt's closing line


@dataclass(frozen=True, slots=True)
class Costs:
    """Tokens a prompt adds around the entry text it carries (measured on its template)."""

    entry: int  # an entry's marker line(s)
    story: int  # a story's header


@dataclass(frozen=True, slots=True)
class Piece:
    entry: Entry
    text: str  # what is sent: the entry's text, or one chunk of it
    tokens: int  # with its marker line
    whole: bool


@dataclass(frozen=True, slots=True)
class Part:
    """A story, or a part of one too long for a call."""

    story: Story
    pieces: tuple[Piece, ...]
    tokens: int  # with the story's header


def pieces(story: Story, budget: int, costs: Costs) -> list[Piece]:
    """The story's canonical entries, each whole or in chunks, within `budget` tokens each."""
    room = budget - costs.story - costs.entry
    out: list[Piece] = []
    for item in story.items:
        e = item.canonical
        n = count(e.text)
        if n <= room:
            out.append(Piece(e, e.text, n + costs.entry, True))
        else:  # one entry longer than a whole call: its chunks, each under its own id
            chunks = chunk_entry(e, room - SPARE)
            out += [Piece(e, c.text, c.tokens + costs.entry, False) for c in chunks]
    return out


def parts(story: Story, budget: int, costs: Costs) -> list[Part]:
    """The story in as few parts as `budget` tokens a call allow, entries in order."""
    got = pieces(story, budget, costs)
    total = costs.story + sum(p.tokens for p in got)
    if total <= budget:
        return [Part(story, tuple(got), total)]
    groups = pack([(p.text, p.tokens) for p in got], budget - costs.story)
    return [
        Part(story, tuple(got[i] for i in g), costs.story + sum(got[i].tokens for i in g))
        for g in groups
    ]
