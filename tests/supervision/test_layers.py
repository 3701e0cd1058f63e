"""Supervision's place in the layers: its modules import one another without cycles, and it imports
nothing from the contexts above it (complaints, the public pages, the API, the home page and demo)."""

from __future__ import annotations

import ast
from pathlib import Path

import govapp.supervision

ROOT = Path(govapp.supervision.__file__).parent
PACKAGE = "govapp.supervision"
# Contexts that build on supervision; home.py keeps its complaints queue until it moves to its own app.
ABOVE = ("govapp.complaints", "govapp.public", "govapp.api", "govapp.core.views_home", "govapp.core.demo",
         "govapp.core.context_processors")  # fmt: skip
ALLOWED_ABOVE = {("govapp.supervision.home", "govapp.complaints")}


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join((PACKAGE, *parts))


def imports_of(source: str, *, package: str) -> set[str]:
    """Every module a source imports, at module level or inside a function, relative imports resolved
    against ``package`` (the package the source's module is in)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def cycles_in(edges: dict[str, set[str]]) -> list[list[str]]:
    """The import cycles of a module graph, each as the path that closes it."""
    cycles: list[list[str]] = []
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for target in sorted(edges.get(node, ())):
            if state.get(target) == 1:
                cycles.append([*path[path.index(target) :], target])
            elif target not in state:
                visit(target, [*path, target])
        state[node] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    return cycles


def _sources() -> dict[str, set[str]]:
    """Each supervision module and what it imports."""
    result = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        result[name] = imports_of(path.read_text(encoding="utf-8"), package=package)
    return result


def test_supervision_imports_nothing_from_the_layers_above() -> None:
    offending = sorted(
        (name, imported)
        for name, imported_modules in _sources().items()
        for imported in imported_modules
        for above in ABOVE
        if (imported == above or imported.startswith(above + ".")) and (name, above) not in ALLOWED_ABOVE
    )
    assert offending == []


def test_supervision_modules_import_one_another_without_cycles() -> None:
    sources = _sources()
    # Importing a module imports its packages first; an edge back to an enclosing package is not a cycle.
    edges = {
        name: {m for m in imported if m in sources and m != name and not name.startswith(m + ".")}
        for name, imported in sources.items()
    }
    assert cycles_in(edges) == []


def test_the_checks_see_function_level_relative_imports_and_their_cycles() -> None:
    # The spot-check and self-inspection services used to import each other this way.
    source = "from .scope import population\n\ndef rule() -> None:\n    from ..app_signals import f\n"
    found = imports_of(source, package="govapp.supervision.campaigns")
    assert {"govapp.supervision.campaigns.scope", "govapp.supervision.app_signals"} <= found
    assert cycles_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == [["a", "b", "c", "a"]]
    assert cycles_in({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_enforcement_and_legacy_build_on_no_other_supervision_context() -> None:
    # Campaigns issue rectification orders, so they build on enforcement; nothing builds on campaigns.
    forbidden = {"enforcement": ("campaigns", "legacy"), "legacy": ("campaigns", "enforcement")}
    offending = sorted(
        (name, imported)
        for name, imported_modules in _sources().items()
        for context, others in forbidden.items()
        if name.startswith(f"{PACKAGE}.{context}.") or name == f"{PACKAGE}.{context}"
        for imported in imported_modules
        for other in others
        if imported == f"{PACKAGE}.{other}" or imported.startswith(f"{PACKAGE}.{other}.")
    )
    assert offending == []
