"""The code's shape: no import cycle among the project's modules, no module too long to read."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from conftest import PROJECT

PACKAGES = ("indexer", "webui")
MAX_LINES = 450


def modules() -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its own name), subpackages too."""
    found = {}
    for package in PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):
            parts = list(path.relative_to(PROJECT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def imported(name: str, path: Path, known: set[str]) -> set[str]:
    """The project modules a module imports, at its top or inside functions alike.

    Imports under ``if TYPE_CHECKING:`` are left out: they never run.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found: set[str] = set()

    def target(module: str) -> None:
        # the module itself, else the deepest enclosing package of the project
        while module and module not in known:
            module = module.rpartition(".")[0]
        if module and module != name:
            found.add(module)

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                target(alias.name)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # "from . import store" imports the module store
                if f"{module}.{alias.name}" in known:
                    target(f"{module}.{alias.name}")
                else:
                    target(module)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text("utf-8"), str(path)))
    return found


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                connect(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return found


def import_graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imported(name, path, set(found)) for name, path in found.items()}


def test_the_graph_sees_relative_absolute_and_late_imports():
    graph = import_graph()
    assert {"indexer.article", "indexer.feeds", "indexer.record"} <= graph["indexer.sources"]
    assert "indexer.store" in graph["webui"]  # "from indexer import store" in a package
    assert "indexer.write" in graph["indexer.cli"]  # imported inside main()
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", ["indexer", "webui"])
def test_no_import_cycle(package):
    found = [c for c in cycles(import_graph()) if any(m.split(".")[0] == package for m in c)]
    assert found == []


@pytest.mark.parametrize("module", [str(path.relative_to(PROJECT))
                                    for path in modules().values()])
def test_no_module_over_450_lines(module):
    lines = len((PROJECT / module).read_text("utf-8").splitlines())
    assert lines <= MAX_LINES, f"{module} has {lines} lines"
