"""The layout's rules that no linter checks for us.

ruff's PLC2701 (import-private-name, in pyproject) flags a `_name` imported from another top-level
package only: inside `app/` (or `indicators/`, `tests/`) every module counts as the same package.
This test closes that gap: no module imports another module's private name.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = ("app", "geodata", "indicators", "scripts", "tests")


def private_imports() -> list[str]:
    """Every `from <first-party module> import _name` in the code (gettext's `_` is no private name)."""
    found = []
    for package in FIRST_PARTY:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.ImportFrom) or node.level or not node.module:
                    continue
                if node.module.split(".")[0] not in FIRST_PARTY:
                    continue  # third-party privates are PLC2701's business (it sees them)
                for alias in node.names:
                    name = alias.name
                    if name.startswith("_") and name != "_" and not name.startswith("__"):
                        rel = path.relative_to(ROOT)
                        found.append(f"{rel}:{node.lineno} {node.module}.{name}")
    return found


def test_no_module_imports_another_modules_private_name():
    assert private_imports() == [], "make the name public where it is shared, or move it"


def test_the_check_sees_a_private_import(tmp_path, monkeypatch):
    # The check itself can fail: a private import planted in a scanned folder is found.
    monkeypatch.setattr("tests.test_layout.ROOT", tmp_path)
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "x.py").write_text("from app.web.cache import _hidden\n")
    assert private_imports() == ["app/x.py:1 app.web.cache._hidden"]
