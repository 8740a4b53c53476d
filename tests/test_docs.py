"""Docs as code (Datasette's test_docs pattern): every setting and every command is documented.

A setting is an environment variable the code reads (os.environ in Python, `${X:-default}` in the
shell scripts); it must appear in backticks in README.md's configuration table. A command is any
`sozmon` CLI command (groups included); it must appear as `sozmon NAME` in README.md or docs/.
"""

from __future__ import annotations

import re

import click
import pytest

from tests.conftest import ROOT

PY_DIRS = ("app", "geodata", "indicators", "scripts")
SHELL = ("serve", "setup", "test", "localdb", "replica", "bench")
PY_ENV = re.compile(
    r"""os\.(?:environ\.get|getenv)\(\s*["']([A-Z][A-Z0-9_]+)["']|os\.environ\[["']([A-Z][A-Z0-9_]+)["']\]"""
)
SH_ENV = re.compile(r"\$\{([A-Z][A-Z0-9_]+):[-=]")
# The system's own variables, passed on rather than settings of this project.
NOT_SETTINGS = {"PYTHONPATH", "PATH", "HOME", "LANG", "TZ"}


def _settings() -> set[str]:
    names: set[str] = set()
    for d in PY_DIRS:
        for path in (ROOT / d).rglob("*.py"):
            for m in PY_ENV.finditer(path.read_text(encoding="utf-8")):
                names.add(m.group(1) or m.group(2))
    for s in SHELL:
        names |= set(SH_ENV.findall((ROOT / "scripts" / s).read_text(encoding="utf-8")))
    return names - NOT_SETTINGS


def _docs() -> str:
    parts = [(ROOT / "README.md").read_text(encoding="utf-8")]
    parts += [p.read_text(encoding="utf-8") for p in sorted((ROOT / "docs").rglob("*.md"))]
    return "\n".join(parts)


def _commands(group: click.Group, ctx: click.Context, prefix: str = "") -> list[str]:
    out = []
    for name in group.list_commands(ctx):
        cmd = group.get_command(ctx, name)
        if cmd is None or cmd.hidden:
            continue
        out.append(prefix + name)
        if isinstance(cmd, click.Group):
            out += _commands(cmd, ctx, prefix + name + " ")
    return out


def test_the_settings_are_found():
    # The scan itself must see the settings it is meant to check (else the test cannot fail).
    assert {"DATABASE_URL", "SOZMON_DEMO", "PORT", "SOZMON_PG_PORT"} <= _settings()


def test_every_setting_is_in_the_readme_configuration_table():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Configuration\n", 1)[1].split("\n## ", 1)[0]
    missing = sorted(n for n in _settings() if f"`{n}`" not in table)
    assert not missing, f"settings missing from README's configuration table: {missing}"


def test_every_command_is_documented(app):
    from flask.cli import ScriptInfo

    ctx = click.Context(app.cli, obj=ScriptInfo(create_app=lambda: app))
    names = _commands(app.cli, ctx)
    assert "load-all" in names and "db upgrade" in names
    docs = _docs()
    builtin = {"run", "shell", "routes"}  # Flask's own
    missing = [n for n in names if n not in builtin and f"sozmon {n}" not in docs]
    assert not missing, f"commands not documented as `sozmon NAME` in README or docs/: {missing}"


@pytest.mark.parametrize("doc", sorted(p.name for p in (ROOT / "docs").glob("*.md")))
def test_every_doc_is_linked_from_the_readme(doc):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"docs/{doc}" in readme, f"docs/{doc} is not linked from README.md"


def test_the_readme_is_short():
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 250
