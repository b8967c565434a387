"""`briefing topics` (list, show) and `briefing history` (list, rm)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .main import app, handled, say
from .options import Arg, Opt

if TYPE_CHECKING:
    from ..config import Settings
    from ..state import Store

topics_app = typer.Typer(help="List the topics of the settings file, or show one.", invoke_without_command=True)
app.add_typer(topics_app, name="topics")
history_app = typer.Typer(help="List or remove stored briefings.", invoke_without_command=True)
app.add_typer(history_app, name="history")


@topics_app.callback()
def topics_list(
    ctx: typer.Context,
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file (default ./briefing.toml).")] = None,
) -> None:
    """List the configured topics: id, title, sources, next run and last edition."""
    if ctx.invoked_subcommand is not None:
        return
    with handled():
        from ..config import config_file, configured, load_settings
        from ..deliver import plan
        from ..state import Store

        settings = load_settings(config, state_dir=state)
        found = configured(settings)
        if not found:
            print("no topics configured: add a [topics.<id>] table to briefing.toml "
                  "(see examples/briefing.toml)")  # fmt: skip
            return
        jobs = {j.topic: j for j in plan(settings, config_file(config), allow_dst_window=True)}
        print("id\ttitle\tsources\tnext run\tlast edition")
        with Store(settings.state_path()) as store:
            for t in found:
                last = store.briefings(t.id)
                nxt = jobs[t.id].next_fire().strftime("%Y-%m-%d %H:%M %Z")
                print(f"{t.id}\t{t.title}\t{_count_sources(t.sources)}\t{nxt}\t"
                      f"{last[0][1].date if last else 'none'}")


def _count_sources(sources: tuple[str, ...] | list[str]) -> str:
    """How many sources, and how many feeds the local OPML lists among them hold ("2 (+3 feeds
    in 1 OPML list)"). A list at a URL is not fetched for a listing."""
    from ..errors import BriefingError
    from ..ingest import OPML_SUFFIXES, read_opml

    lists = feeds = 0
    for src in sources:
        path = Path(src)
        if "://" in src or path.suffix.lower() not in OPML_SUFFIXES or not path.is_file():
            continue
        try:
            feeds += len(read_opml(path))
            lists += 1
        except (BriefingError, OSError, ValueError):
            continue  # a broken list is reported by `run`; the listing goes on
    if not lists:
        return str(len(sources))
    return f"{len(sources)} (+{feeds} feed{'s' if feeds != 1 else ''} in {lists} OPML list{'s' if lists != 1 else ''})"


@topics_app.command("show")
def topics_show(
    topic: Annotated[str, Arg("TOPIC")],
    config: Annotated[Path | None, Opt("--config", help="Settings file (default ./briefing.toml).")] = None,
) -> None:
    """Show a topic's whole resolved configuration (TOPIC: its id or title)."""
    with handled():
        from ..config import OVERRIDES, load_settings, resolve

        settings = load_settings(config)
        t = resolve(settings, topic)
        resolved = {
            "id": t.id, "title": t.title, "sources": list(t.sources), "include": list(t.include),
            "exclude": list(t.exclude), "exclude_sections": list(t.exclude_sections), "at": t.at,
            **{k: getattr(t.settings, k) for k in OVERRIDES},
            "state_dir": str(t.settings.state_path()),
        }  # fmt: skip
        print(json.dumps(resolved, indent=2, default=str, ensure_ascii=False))


@history_app.callback()
def history_list(
    ctx: typer.Context,
    topic: Annotated[str | None, Opt("--topic", help="Only this topic (id or title).")] = None,
    limit: Annotated[int, Opt("--limit", help="At most this many, newest first.")] = 50,
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file.")] = None,
) -> None:
    """List stored briefings, newest first: id, topic, day, kind, revision and readers sent it.

    Kinds: edition (of its day, what the archive shows: the revision its readers got),
    revision (made after readers had the edition; archived beside it), replaced (made before
    a later one, and never sent), ad hoc."""
    if ctx.invoked_subcommand is not None:
        return
    with handled():
        from ..config import load_settings
        from ..state import Store
        settings = load_settings(config, state_dir=state)
        with Store(settings.state_path()) as store:
            rows = _history(settings, store, topic, limit)
        print("id\ttopic\tdate\tkind\twindow\tcreated\trevision\tsent to")
        for r in rows:
            kind, rev = r["kind"], f"r{r['revision']}" if r["revision"] else "-"
            print(f"{r['id']}\t{r['topic_id']}\t{r['date'] or '-'}\t{kind}\t{r['window']}\t{r['created_at']}"
                  f"\t{rev}\t{r['readers']}")


@history_app.command("rm")
def history_rm(
    ids: Annotated[list[int], Arg("ID")],
    state: Annotated[Path | None, Opt("--state", help="State folder.")] = None,
    config: Annotated[Path | None, Opt("--config", help="Settings file.")] = None,
) -> None:
    """Remove stored briefings by their ids from `briefing history`.

    The archive drops them at its next build; delivery records stay (a day already mailed is
    not mailed again)."""
    with handled():
        from ..config import load_settings
        from ..errors import UsageError
        from ..state import Store

        settings = load_settings(config, state_dir=state)
        with Store(settings.state_path()) as store:
            missing = [i for i in ids if not store.remove_briefing(i)]
        for i in ids:
            if i not in missing:
                say(f"removed\t{i}")
        if missing:
            raise UsageError("no stored briefing with id " + ", ".join(map(str, missing)))


def _history(
    settings: Settings, store: Store, topic: str | None, limit: int
) -> list[dict[str, Any]]:
    """Stored briefings of a topic named by its key or title: a configured one, or one that
    is only in the state (an ad hoc topic's id, or the title it was run with)."""
    from ..config import find, legacy, names
    from ..errors import UsageError

    if topic is None:
        return store.history(None, limit)
    found = find(settings, topic)
    keys = [found.id] if found else list(dict.fromkeys([topic.strip(), legacy(settings, topic).id]))
    for key in keys:
        if rows := store.history(key, limit):
            return rows
    if found:
        return []
    raise UsageError(f"no stored briefing of topic {topic!r}; configured topics: "
                     f"{names(settings)}")  # fmt: skip
