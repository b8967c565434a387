"""Template overrides run sandboxed (issue 24): `--templates` (and the `templates` setting)
are rendered in jinja2's immutable sandbox, so the known ways out of a template to `os`
fail with a clear error, nothing runs, and autoescape is what it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from briefing.cli import app

runner = CliRunner()

# the classic escapes, each trying to create MARK
ESCAPES = [
    "{{ cycler.__init__.__globals__.os.system('touch MARK') }}",
    "{{ lipsum.__globals__['os'].popen('touch MARK').read() }}",
    "{{ joiner.__init__.__globals__.os.system('touch MARK') }}",
    "{{ namespace.__init__.__globals__.os.system('touch MARK') }}",
    "{{ self._TemplateReference__context.cycler.__init__.__globals__.os.system('touch MARK') }}",
    "{% for c in ''.__class__.__mro__[1].__subclasses__() %}{% if c.__name__ == 'Popen' %}"
    "{{ c(['touch', 'MARK']) }}{% endif %}{% endfor %}",
    "{{ v.__class__.__init__.__globals__ }}",
    "{{ v.sections.append(1) }}",  # mutation of the data is refused too
]


def run(templates: Path, out: Path, fmt: str = "md") -> tuple[int, str]:
    r = runner.invoke(app, ["run", "--sample", "--no-state", "--format", fmt,
                            "--templates", str(templates), "--out", str(out)])  # fmt: skip
    assert r.exception is None or isinstance(r.exception, SystemExit), repr(r.exception)
    return r.exit_code, r.stderr


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_template_cannot_reach_python(tmp_path: Path, escape: str) -> None:
    mark = tmp_path / "MARK"
    tdir = tmp_path / "t"
    tdir.mkdir()
    (tdir / "briefing.md.j2").write_text(escape.replace("MARK", str(mark)))
    code, err = run(tdir, tmp_path / "out")
    assert not mark.exists(), "the template ran a command"
    assert code != 0 and "template briefing.md.j2" in err and "Traceback" not in err, err
    assert "unsafe" in err or "not safely callable" in err or "modify immutable" in err, err


def test_a_plain_override_still_renders_and_autoescapes(tmp_path: Path) -> None:
    tdir = tmp_path / "t"
    tdir.mkdir()
    (tdir / "briefing.html.j2").write_text(
        "<h1>{{ '<script>x</script>' }}</h1><h2>{{ v.sections | length }} sections</h2>"
    )
    code, err = run(tdir, tmp_path / "out", fmt="html")
    assert code in (0, 3), err
    html = next((tmp_path / "out").glob("*.html")).read_text()
    assert "&lt;script&gt;x&lt;/script&gt;" in html and "<script>" not in html
    assert "<h2>0 sections" not in html and " sections</h2>" in html
