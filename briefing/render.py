"""Render a Briefing as Markdown, HTML or JSON with Jinja2 templates under `templates/`.

Templates get a documented context (`View`): numbered sources in order of first citation,
bullets with their citation numbers. HTML autoescapes everything; bullet text is treated as
Markdown, converted with `markdown` and sanitised with `nh3` to a few inline tags.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jinja2

from .contract import Briefing, Bullet, Source
from .errors import RenderError

FORMATS = ("md", "html", "json")
INLINE_TAGS = {"em", "strong", "code", "b", "i"}


def package_dir(name: str) -> Path:
    """`templates/` or `prompts/`: inside the installed package, or at the repo's top level."""
    here = Path(__file__).resolve().parent
    for candidate in (here / name, here.parent / name):
        if candidate.is_dir():
            return candidate
    raise RenderError(f"cannot find the {name}/ folder (looked in {here} and {here.parent})")


@dataclass(frozen=True, slots=True)
class CitedBullet:
    text: str
    refs: list[tuple[int, str]]  # (number, entry id)
    evidence: list[tuple[int, str, str]]  # (number, entry id, supporting sentence)
    said: dict[str, str]  # entry id -> its supporting sentences, for a citation's tooltip
    verdict: str = "supported"  # "unconfirmed": shown as not confirmed word for word
    reason: str | None = None
    # who else reports it ("Reported by BBC News, The Guardian"; "Single source: …"); "" when
    # the briefing has one publisher only, or the bullet no corroboration
    reported: str = ""
    single: bool = False  # a single-source claim of a story that several publishers report
    # where its story's entries disagree: (lead, [(what one side says, number, entry id)])
    differ: list[tuple[str, list[tuple[str, int, str]]]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class NumberedSource:
    number: int
    id: str
    source: Source
    when: str  # "13 Feb 2025 09:15 GMT", in the briefing's zone
    publisher: str  # who published it (never a local path)
    also_in: str  # the other publishers that carried it

    @property
    def label(self) -> str:
        """"The Independent · 13 Feb 2025 09:15 GMT": how a citation names its source."""
        return f"{self.publisher} · {self.when}"


@dataclass(frozen=True, slots=True)
class View:
    """What a template sees."""

    b: Briefing
    title: str
    date_label: str
    summary: list[CitedBullet]
    sections: list[tuple[str, list[CitedBullet], str | None]]  # title, bullets, continues
    sources: list[NumberedSource]
    skipped: list[tuple[str, str]]  # (URL, reason): inputs not included that a reader may see
    skipped_local: str  # the local inputs not included, only counted ("2 files: 1 undated, …")
    also: list[tuple[CitedBullet, int]] = field(default_factory=list)  # title, source count




def plural(n: int, word: str, words: str | None = None) -> str:
    """"1 story", "2 stories", "0 entries"."""
    if n == 1:
        return f"1 {word}"
    if words is None:
        consonant_y = word.endswith("y") and word[-2:-1] not in "aeiou"
        words = word[:-1] + "ies" if consonant_y else word + "s"
    return f"{n:,} {words}"


OFF_TOPIC_WHY = {
    "excluded_section": "in an excluded section",
    "excluded_term": "with an excluded term",
    "no_terms": "without its terms",
    "passing_mention": "only mentioning it in passing",
}


def off_topic_reasons(by_reason: dict[str, int]) -> str:
    """"3 without its terms, 2 only mentioning it in passing"."""
    return ", ".join(f"{k:,} {OFF_TOPIC_WHY.get(r, r.replace('_', ' '))}"
                     for r, k in by_reason.items() if k)  # fmt: skip


def off_topic(n: int, by_reason: dict[str, int]) -> str:
    """"5 more not on the topic: 3 without its terms, 2 only mentioning it in passing"."""
    why = off_topic_reasons(by_reason)
    return f"{n:,} more not on the topic" + (f": {why}" if why else "")


def _skipped(b: Briefing) -> tuple[list[tuple[str, str]], str]:
    """What outputs say of the inputs left out: URLs by name; local files never by their path
    (only counted by reason)."""
    public: list[tuple[str, str]] = []
    local: dict[str, int] = {}
    for s in b.skipped:
        if s.input.startswith(("http://", "https://")):
            public.append((s.input, s.reason))
        else:
            local[_why(s.input, s.reason)] = local.get(_why(s.input, s.reason), 0) + 1
    if not local:
        return public, ""
    total = sum(local.values())
    detail = "; ".join(f"{why} ({n:,})" for why, n in local.items())
    return public, f"{plural(total, 'local file')}: {detail}"


def _why(path: str, reason: str) -> str:
    """A left-out local file's reason without its path or name, entry numbers or details:
    "y1.json: date '0001-01-01' is out of range (years 1 to 9999)" -> "date '0001-01-01' is
    out of range"; "multi.json[1]: entry 2: …" -> "…". No path is ever shown."""
    base = re.sub(r"\[\d+\]$", "", path)
    names = [n for n in (base, PurePath(base).name) if n]
    path_like = r"(?<!\S)(?:[A-Za-z]:)?(?=[^\s:]*[A-Za-z])[^\s:]*[/\\][^\s:]*"
    reason = re.sub(path_like, "a file", reason)  # any path (a word with a slash and a letter)
    for name in names:  # the input itself, or one of its items ("multi.json[1]")
        reason = re.sub(re.escape(name) + r"(?:\[\d+\])?", "a file", reason)
    parts = [p for p in reason.split(": ") if p and not re.fullmatch(r"a file|entry \d+", p)]
    reason = re.sub(r"^\d[\d,]* ", "", (parts[0] if parts else "").split(" (")[0])
    return reason.strip() or "unreadable"


def _human_time(iso: str | None, tz: ZoneInfo | None = None, month: str = "%B") -> str:
    """A date ("13 February 2025") or a time with its zone ("13 Feb 2025 09:15 GMT")."""
    if not iso:
        return "undated"
    try:
        dt = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if len(iso) == 10:
        return dt.strftime(f"%-d {month} %Y")
    if tz is not None:
        dt = dt.astimezone(tz)
    zone = dt.tzname() or ""
    return dt.strftime(f"%-d {month} %Y %H:%M") + (f" {zone}" if zone else "")


def _zone(name: str | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _publisher(s: Source) -> str:
    return s.publisher or "unknown publisher"


def reported_by(bullet: Bullet) -> str:
    """Who reports a bullet, one report at a time: "Reported by BBC News, The Guardian";
    copies of one report together ("Sky News and The Independent (one Reuters report)");
    "Single source: The Guardian" when one report has it."""
    reports: dict[str, list[str]] = {}
    agency: dict[str, str | None] = {}
    for c in bullet.corroboration:
        first = c.same_report_as or c.publisher
        reports.setdefault(first, []).append(c.publisher)
        agency.setdefault(first, c.agency)
    if not reports:
        return ""

    def one(first: str, pubs: list[str]) -> str:
        if len(pubs) == 1:
            return pubs[0] + (f" ({agency[first]})" if agency[first] else "")
        names = ", ".join(pubs[:-1]) + " and " + pubs[-1]
        by = agency[first]
        return f"{names} (one {by + ' ' if by else ''}report)"

    told = [one(first, pubs) for first, pubs in reports.items()]
    if len(told) == 1:
        return f"Single source: {told[0]}"
    return "Reported by " + ", ".join(told)


def view(b: Briefing) -> View:
    numbers: dict[str, int] = {}
    several = len({_publisher(s) for s in b.sources.values()}) > 1

    def cite(bullet: Bullet) -> CitedBullet:
        refs = []
        for c in bullet.citations:
            if c in b.sources:
                n = numbers.setdefault(c, len(numbers) + 1)
                refs.append((n, c))
        number = {c: n for n, c in refs}
        evidence = [(number[e.entry], e.entry, e.text)
                    for e in bullet.evidence if e.entry in number]
        said = {c: " … ".join(t for _, e, t in evidence if e == c) for c in number}
        differ = []
        for d in bullet.disagreements:
            sides = [(f"{c.publisher}: {c.value}", numbers.setdefault(c.entry, len(numbers) + 1),
                      c.entry) for c in d.sides if c.entry in b.sources]  # fmt: skip
            if d.kind == "denial" and len(sides) == 2:
                told = d.sides[1].value
                told = told if len(told) <= 300 else told[:299].rsplit(" ", 1)[0] + "…"
                lead, sides = f"{d.sides[1].publisher} says otherwise", [
                    (f"“{told}”", sides[1][1], sides[1][2])]
            else:
                lead = "Sources differ"
            differ.append((lead, sides))
        return CitedBullet(bullet.text, refs, evidence, {c: t for c, t in said.items() if t},
                           bullet.verdict, bullet.reason, reported_by(bullet) if several else "",
                           several and bullet.single_source, differ)  # fmt: skip

    summary = [cite(x) for x in b.summary]
    sections = [(s.title, [cite(x) for x in s.bullets], s.continues) for s in b.sections]
    also = [(cite(Bullet(text=m.title, citations=m.citations)), m.sources) for m in b.also_reported]
    tz = _zone(b.tz)
    sources = []
    for eid, n in sorted(numbers.items(), key=lambda kv: kv[1]):
        s = b.sources[eid]
        others = dict.fromkeys(o.publisher or o.document for o in s.also_in)
        others.pop(_publisher(s), None)
        sources.append(NumberedSource(n, eid, s, _human_time(s.published, tz, "%b"),
                                      _publisher(s), ", ".join(others)))  # fmt: skip
    whole_day = b.date is not None and b.window.startswith(b.date)
    date_label = _human_time(b.date) if whole_day else b.window
    public, local = _skipped(b)
    return View(b, f"{b.topic} — {date_label}", date_label, summary, sections, sources, public,
                local, also)  # fmt: skip


def md_inline(text: str) -> str:
    """Markdown -> sanitised inline HTML: only emphasis and code survive; no links or markup."""
    import markdown
    import nh3

    html = markdown.markdown(text)
    clean = nh3.clean(html, tags=INLINE_TAGS, attributes={}, link_rel=None)
    return clean.strip()


def md_escape(text: str) -> str:
    """Neutralise Markdown and raw HTML in source text written into a .md file."""
    out = text.replace("\\", "\\\\")
    for ch in "`*_[]<>#|":
        out = out.replace(ch, "\\" + ch)
    return " ".join(out.split())


@lru_cache(maxsize=4)
def environment(user_dir: str | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if user_dir:
        loaders.append(jinja2.FileSystemLoader(user_dir))
    loaders.append(jinja2.FileSystemLoader(str(package_dir("templates"))))
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    # one policy for every template, the user's (`--templates`) and ours: sandboxed (no
    # attribute or call reaches Python internals, no mutation), the same autoescape as ever
    env = ImmutableSandboxedEnvironment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=jinja2.select_autoescape(["html", "html.j2", "xml", "xml.j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md_inline"] = lambda s: jinja2.utils.markupsafe.Markup(md_inline(s))
    env.filters["md_escape"] = md_escape
    env.filters["plural"] = plural
    env.filters["off_topic"] = lambda st: off_topic(st.off_topic, st.off_topic_by_reason)
    return env


def render(b: Briefing, fmt: str, template_dir: str | None = None) -> str:
    if fmt == "json":
        return b.model_dump_json(indent=2) + "\n"
    if fmt not in FORMATS:
        raise RenderError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    name = {"md": "briefing.md.j2", "html": "briefing.html.j2"}[fmt]
    return render_template(name, template_dir, v=view(b))


def render_template(name: str, template_dir: str | None = None, **context: Any) -> str:
    try:
        return environment(template_dir).get_template(name).render(**context)
    except jinja2.TemplateError as exc:
        raise RenderError(f"template {name}: {exc}") from exc


def write_outputs(
    b: Briefing, formats: list[str], out_dir: Path, template_dir: str | None = None
) -> list[Path]:
    """Write briefing.<fmt> files atomically (temp file + rename): a crash leaves the old ones."""
    from .errors import DeliveryError

    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DeliveryError(f"cannot create {out_dir}: {exc.strerror or exc}") from exc
    rendered = {fmt: render(b, fmt, template_dir) for fmt in formats}  # render all before writing
    paths = []
    for fmt, text in rendered.items():
        path = out_dir / f"briefing.{fmt}"
        tmp = path.with_name(f".{path.name}.tmp")
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise DeliveryError(f"cannot write {path}: {exc.strerror or exc}") from exc
        paths.append(path)
    return paths
