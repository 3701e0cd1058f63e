"""The calendar modules import one way and nothing above core (issue: no cycles inside an app)."""

from __future__ import annotations

import ast
from pathlib import Path

import govapp.core

CORE = Path(govapp.core.__file__).parent
CALENDAR_MODULES = ("calendar", "calendar_data", "calendar_import", "statutory_holidays", "clocks")


def _imports(module: str) -> set[str]:
    """Every govapp module ``core/<module>.py`` imports, at the top or inside a function."""
    tree = ast.parse((CORE / f"{module}.py").read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            name = node.module if node.level == 0 else f"govapp.core.{node.module}"
            found.add(name)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("govapp.")}


def test_calendar_modules_form_no_import_cycle() -> None:
    graph = {
        m: {i.removeprefix("govapp.core.") for i in _imports(m)} & set(CALENDAR_MODULES)
        for m in CALENDAR_MODULES
    }

    def reaches(start: str, target: str, seen: frozenset[str] = frozenset()) -> bool:
        return any(n == target or (n not in seen and reaches(n, target, seen | {n})) for n in graph[start])

    cycles = [module for module in CALENDAR_MODULES if reaches(module, module)]
    assert cycles == []


def test_calendar_modules_import_no_other_govapp_app() -> None:
    for module in CALENDAR_MODULES:
        outside = {name for name in _imports(module) if not name.startswith("govapp.core")}
        assert outside == set(), module
