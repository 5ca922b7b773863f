"""The import rules of DESIGN.md section 3, checked on every module's real imports (AST)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STDLIB = set(sys.stdlib_module_names)

FORBIDDEN = {
    "domain": {"PySide6", "sqlalchemy", "alembic", "serial", "escpos", "reportlab", "psycopg",
               "app", "ui", "devices", "migrations"},
    "app": {"PySide6", "ui"},
    "devices": {"PySide6", "sqlalchemy", "alembic", "psycopg", "app", "ui", "migrations"},
}  # fmt: skip


def imported_roots(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    roots: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and getattr(node.func, "attr", "") == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            roots.add(str(node.args[0].value).split(".")[0])
    return roots


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_layer_imports_only_what_it_may(layer: str) -> None:
    bad = []
    for path in sorted((ROOT / layer).rglob("*.py")):
        for name in imported_roots(path) & FORBIDDEN[layer]:
            bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []


def test_domain_is_standard_library_only() -> None:
    bad = []
    for path in sorted((ROOT / "domain").rglob("*.py")):
        for name in imported_roots(path) - STDLIB - {"domain", "__future__"}:
            bad.append(f"{path.relative_to(ROOT)} imports {name}")
    assert bad == []


def test_only_ui_imports_qt() -> None:
    offenders = [
        str(path.relative_to(ROOT))
        for top in ("app", "domain", "devices", "migrations")
        for path in (ROOT / top).rglob("*.py")
        if any(
            root.startswith("PySide") or root.startswith("shiboken")
            for root in imported_roots(path)
        )
    ]
    assert offenders == []


def test_the_checker_itself_sees_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "x.py"
    sample.write_text("from PySide6.QtCore import QObject\nimport sqlalchemy.orm\n")
    assert {"PySide6", "sqlalchemy"} <= imported_roots(sample)
