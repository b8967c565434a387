"""The Briefing JSON contract: what users and other tools read, and what `briefing check`,
delivery and the archive load back and validate. Strict: unknown keys are errors."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Evidence(_Strict):
    """A sentence of a cited entry that supports a bullet: `start`/`end` are character offsets
    into that entry's text (`sources[entry].text`)."""

    entry: str
    start: int
    end: int
    text: str


class Corroboration(_Strict):
    """A publisher whose entry of the bullet's story supports it (one per publisher):
    `evidence` is that entry's supporting sentence. `same_report_as` names the publisher
    whose report this one copies (near-identical text, or the same credited news agency),
    which makes the two one report; `agency` is the agency an entry credits ("Reuters")."""

    publisher: str
    entry: str
    evidence: str
    same_report_as: str | None = None
    agency: str | None = None


class Claim(_Strict):
    """One side of a disagreement: what a publisher's entry says (`value`: "140 drones", or
    the denying sentence) and the sentence that says it."""

    publisher: str
    entry: str
    value: str
    evidence: str


class Disagreement(_Strict):
    """Entries of the bullet's story that disagree: different numbers for the same counted
    thing ("number"), or one denies what another reports ("denial"); `text` says so
    ("The Guardian: 140 drones; BBC News: 120 drones")."""

    kind: Literal["number", "denial"]
    text: str
    sides: list[Claim]


class Bullet(_Strict):
    text: str
    citations: list[str]
    evidence: list[Evidence] = Field(default_factory=list)
    # how the bullet was checked: "words" (ids, numbers, names, words), "meaning" (the
    # evidence sentences say the same: polarity, numbers, roles, speaker, time, place,
    # modality, predicates); a verifier model adds "model:<name>"
    verified_by: list[str] = Field(default_factory=list)
    # the checker's verdict: "supported" (the evidence says it), "unconfirmed" (nothing
    # conflicts, but the support cannot be shown word for word: shown to the reader as such),
    # "contradicted" (never kept in a briefing); `reason` says why in words
    verdict: Literal["supported", "unconfirmed", "contradicted"] = "supported"
    reason: str | None = None
    # who else reports it: the publishers whose entries of its story support it (issue 27)
    corroboration: list[Corroboration] = Field(default_factory=list)
    disagreements: list[Disagreement] = Field(default_factory=list)
    # its story has several publishers, but only one report supports this bullet
    single_source: bool = False


class Section(_Strict):
    title: str
    story_id: str | None = None
    bullets: list[Bullet]
    continues: str | None = None  # date of an earlier briefing this story continues


class Mention(_Strict):
    """A story beyond the sections summarised in full, listed by its title (the headline of
    the report it cites) and the number of documents that report it; never summarised."""

    title: str
    story_id: str
    sources: int
    citations: list[str]


class PromptRef(_Strict):
    name: str
    version: int
    sha256: str


class SummariserInfo(_Strict):
    backend: str
    model: str | None = None
    prompt: PromptRef | None = None
    prompts: list[PromptRef] = Field(default_factory=list)
    notice: str | None = None
    degraded: bool = False


class Occurrence(_Strict):
    document: str
    publisher: str | None = None
    url: str | None = None
    published: str | None = None


class Source(_Strict):
    document: str
    publisher: str | None = None  # who published it: named by the input, else the URL's host
    title: str | None
    author: str | None
    published: str | None
    url: str | None
    anchor: str
    excerpt: str
    text: str
    also_in: list[Occurrence] = Field(default_factory=list)
    duplicate_of: str | None = None  # canonical entry id when this entry was merged
    # only a cut feed teaser was read (its page was not): `excerpt` is the teaser, `text` the
    # headline alone, so no bullet can rest on it; the source line says so
    teaser: bool = False


class Dropped(_Strict):
    text: str
    citations: list[str]
    reason: str


class Flagged(_Strict):
    """Text that addresses a model or the reader with commands ("ignore all previous
    instructions"): never a bullet; listed with the entry it came from."""

    text: str
    entry: str | None
    reason: str


class Skipped(_Strict):
    """An input (or part of one) that was not briefed, and why: an error, or left out."""

    input: str
    reason: str
    kind: Literal["error", "excluded"] = "error"


class Stats(_Strict):
    documents: int = 0
    entries: int = 0
    entries_in_window: int = 0
    links: int = 0
    off_topic: int = 0  # entries in the window that are not on the topic
    # ... by reason: excluded_section, excluded_term, no_terms, passing_mention (README)
    off_topic_by_reason: dict[str, int] = Field(default_factory=dict)
    duplicates_removed: int = 0
    items: int = 0
    stories: int = 0
    tokens_raw: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    tokens_in_estimate: int = 0
    llm_calls: int = 0
    cache_hits: int = 0
    token_count_method: str = "tiktoken"


class Duplicate(_Strict):
    entry: str
    kept: str
    kind: str


class Briefing(_Strict):
    topic: str
    topic_id: str | None = Field(
        default=None, pattern=r"^[a-z0-9][a-z0-9-]{0,79}$"
    )  # its stable id
    tz: str | None = None  # the zone its times are shown in
    date: str | None
    window: str
    window_start: str | None = None  # an edition's window (UTC, ISO 8601); None for other runs
    window_end: str | None = None
    generated_at: str
    summariser: SummariserInfo
    summary: list[Bullet]
    sections: list[Section]
    also_reported: list[Mention] = Field(default_factory=list)
    sources: dict[str, Source]
    duplicates: list[Duplicate] = Field(default_factory=list)
    dropped: list[Dropped] = Field(default_factory=list)
    flagged: list[Flagged] = Field(default_factory=list)
    stats: Stats
    skipped: list[Skipped] = Field(default_factory=list)

    @property
    def has_errors(self) -> bool:
        return any(s.kind == "error" for s in self.skipped)

    @property
    def topic_key(self) -> str:
        """The topic's id; a briefing stored before topics had ids gets one from its title."""
        from .config import topic_id

        return self.topic_id or topic_id(self.topic)

    def all_bullets(self) -> list[Bullet]:
        return [*self.summary, *(b for s in self.sections for b in s.bullets)]
