"""Start-up budget: `briefing --help` must not load the heavy libraries (scikit-learn,
SciPy, datasketch, numpy, openai, trafilatura); they are imported by the stage that needs
them. Checked with `python -X importtime`, in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("sklearn", "scipy", "datasketch", "numpy", "openai", "trafilatura")


def _imported(args: list[str]) -> set[str]:
    proc = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True, text=True, timeout=60, check=True,
    )  # fmt: skip
    names: set[str] = set()
    for line in proc.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_help_loads_no_heavy_library() -> None:
    run_help = "import sys; from briefing.cli import main; sys.argv = ['briefing', '--help']; main()"
    names = _imported(["-c", run_help])
    assert "briefing" in names
    assert not names & set(HEAVY), sorted(names & set(HEAVY))


def test_a_small_run_loads_neither_scikit_learn_nor_scipy(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A whole sample briefing (ingest, dedupe, story grouping, extractive summary, the check,
    Markdown written) imports neither: story vectors are built by `pipeline/sparse.py`; nor
    the HTTP client, the LLM SDK or the HTML extractor, since it reads local text files."""
    out = tmp_path / "out"
    run = (
        "import sys; from briefing.cli import main; sys.argv = ['briefing', 'run', '--sample', "
        f"'--date', '2025-02-13', '--llm', 'extractive', '--no-state', '--out', {str(out)!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert exc.code in (0, None), exc.code"
    )
    names = _imported(["-c", run])
    assert "briefing" in names and "numpy" in names  # the run did run its stages
    assert (out / "briefing.md").is_file()
    unused = {"sklearn", "scipy", "datasketch", "httpx", "openai", "trafilatura"}  # no URL, no LLM
    assert not names & unused, sorted(names & unused)
