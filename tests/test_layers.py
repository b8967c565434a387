"""The import rule of docs/architecture.md, enforced on the source (Python's `ast`, nothing
imported): every import counts, at module level, inside a function or under TYPE_CHECKING.

1. Each top-level unit of the package (a subpackage or a top-level module) sits in one layer
   of `LAYERS`; it may import units of lower layers only (not its own layer's siblings).
2. Another unit's package is imported by its public names: `from ..check import validate`,
   a name in `check/__init__.py`'s `__all__`; never `..check.meaning` (an internal).
3. No import cycles between modules, lazy or not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator, Sequence
from functools import cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "briefing"

# Top to bottom. `__init__` is the root package (its `__version__`), `__main__` runs the CLI.
LAYERS: list[set[str]] = [
    {"__main__"},  # `python -m briefing`
    {"cli"},  # the commands: parse flags, print, map errors to exit codes
    {"ops"},  # operator tools over whole runs: doctor, eval, samples
    {"app"},  # the one place a run is assembled
    {"deliver", "summarise", "ingest"},  # I/O stages: mail and archive, LLM, reading inputs
    {"pipeline"},  # pure stages: window, dedupe, stories, titles; the summariser interface
    {"check"},  # the citation checker
    {"state", "render", "net", "tokens"},  # SQLite state, outputs, fetch deadlines, tokens
    {"contract", "models"},  # the records: the JSON contract, the stages' dataclasses
    {"config"},  # settings, topics, ids
    {"errors", "text", "parallel", "__init__"},  # leaves: error family, text forms, fork_map
]


def _modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the package at `root`."""
    out = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = path
    return out


def _is_package(name: str, files: dict[str, Path]) -> bool:
    return name in files and files[name].name == "__init__.py"


def _imports(name: str, path: Path, files: dict[str, Path]) -> Iterator[tuple[str, list[str]]]:
    """(module imported, names taken from it) for every import of the package's own modules."""
    top = next(iter(files)).split(".")[0]
    here = name if _is_package(name, files) else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.name == top or a.name.startswith(top + "."):
                    yield a.name, []
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = here.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            if target != top and not target.startswith(top + "."):
                continue
            names = [a.name for a in node.names]
            # a submodule, unless the package exports a name of that name (`from .ops import
            # evaluate`, the function of ops/evaluate.py, which the package's __init__ binds)
            exported = (_public(target, files) or set()) if _is_package(target, files) else set()
            subs = [n for n in names if f"{target}.{n}" in files and n not in exported]
            for n in subs:  # `from . import archive`: the submodule itself
                yield f"{target}.{n}", []
            rest = [n for n in names if n not in subs]
            if rest or not subs:
                yield target, rest


def _unit(name: str) -> str:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _public(name: str, files: dict[str, Path]) -> set[str] | None:
    """The names in a package's `__all__`, or None when it has none."""
    return _all_of(files[name])


@cache
def _all_of(path: Path) -> set[str] | None:
    for node in ast.parse(path.read_text("utf-8")).body:
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                assert node.value is not None
                return set(ast.literal_eval(node.value))
    return None


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module, or a module importing
    itself (Tarjan's algorithm, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on.add(start)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                elif w in on:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                part = []
                while True:
                    w = stack.pop()
                    on.discard(w)
                    part.append(w)
                    if w == v:
                        break
                if len(part) > 1 or v in graph.get(v, ()):
                    out.append(sorted(part))
    return out


def problems(root: Path, layers: Sequence[set[str]]) -> list[str]:
    """Every breach of the three rules in the package at `root`, one line each."""
    files = _modules(root)
    level = {u: i for i, units in enumerate(layers) for u in units}
    graph: dict[str, set[str]] = {m: set() for m in files}
    out = []
    for name, path in files.items():
        mine = _unit(name)
        if mine not in level:
            out.append(f"{name}: its unit {mine!r} is in no layer")
            continue
        for target, names in _imports(name, path, files):
            if target in files:
                graph[name].add(target)
            theirs = _unit(target)
            if theirs == mine or theirs not in level:
                continue
            if level[theirs] <= level[mine]:
                out.append(f"{name} imports {target}: {theirs!r} is not below {mine!r}")
            package = f"{root.name}.{theirs}"
            if _is_package(package, files):
                public = _public(package, files)
                if target != package:
                    out.append(f"{name} imports {target}, an internal of {package}")
                elif public is None:
                    out.append(f"{package} has no __all__")
                elif hidden := [n for n in names if n not in public]:
                    out.append(f"{name} imports {', '.join(hidden)} from {package}: not in its "
                               "__all__")  # fmt: skip
            elif any(n.startswith("_") and not n.startswith("__") for n in names):
                out.append(f"{name} imports private names from {target}")
    out += ["import cycle: " + " -> ".join(c) for c in _cycles(graph)]
    return out


def test_the_package_keeps_its_layers_and_has_no_import_cycles() -> None:
    assert problems(PACKAGE, LAYERS) == []


def test_every_package_lists_its_public_names() -> None:
    files = _modules(PACKAGE)
    for name in files:
        if _is_package(name, files) and name != PACKAGE.name:
            public = _public(name, files)
            assert public, f"{name}/__init__.py has no __all__"


def _write(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / "pkg" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root / "pkg"


FAKE_LAYERS = [{"top"}, {"low"}, {"__init__"}]
CLEAN = {
    "__init__.py": "",
    "top.py": "from .low import thing\n",
    "low/__init__.py": "from .inner import thing\n__all__ = ['thing']\n",
    "low/inner.py": "thing = 1\n",
}


def test_a_clean_fake_package_has_no_problems(tmp_path: Path) -> None:
    assert problems(_write(tmp_path, CLEAN), FAKE_LAYERS) == []


def test_a_lazy_cycle_is_found(tmp_path: Path) -> None:
    root = _write(tmp_path, {**CLEAN, "low/other.py": "def f():\n    from .inner import thing\n",
                             "low/inner.py": "from typing import TYPE_CHECKING\nthing = 1\n"
                             "if TYPE_CHECKING:\n    from . import other\n"})  # fmt: skip
    assert problems(root, FAKE_LAYERS) == ["import cycle: pkg.low.inner -> pkg.low.other"]


def test_a_layer_breach_an_internal_and_a_hidden_name_are_found(tmp_path: Path) -> None:
    root = _write(tmp_path, {**CLEAN, "low/inner.py": "thing = 1\ndef f():\n    from .. import top\n",
                             "top.py": "from .low.inner import thing\nfrom .low import f\n"})  # fmt: skip
    assert problems(root, FAKE_LAYERS) == [
        "pkg.low.inner imports pkg.top: 'top' is not below 'low'",
        "pkg.top imports pkg.low.inner, an internal of pkg.low",
        "pkg.top imports f from pkg.low: not in its __all__",
        "import cycle: pkg.low -> pkg.low.inner -> pkg.top",
    ]


def test_a_unit_in_no_layer_is_found(tmp_path: Path) -> None:
    root = _write(tmp_path, {**CLEAN, "extra.py": ""})
    assert problems(root, FAKE_LAYERS) == ["pkg.extra: its unit 'extra' is in no layer"]
