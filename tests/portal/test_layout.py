"""The layout of DESIGN.md, held by tests: no import circle among the project's modules
(imports inside functions count: grimp reads them all), each app below the ones that use
it, and no app grown past 30 % of the application code."""

from pathlib import Path

import grimp
import pytest

ROOT = Path(__file__).resolve().parents[2]
# Bottom to top: each may import those before it, never those after.
LAYERS = ["core", "units", "signing", "circulars", "registers", "acknowledgements", "chasing", "dashboard", "portal"]


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*LAYERS)


def strongly_connected(graph) -> list[set[str]]:
    """Tarjan's algorithm over the module import graph: the groups of modules that import
    each other, directly or round a circle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in graph.find_modules_directly_imported_by(module):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == module:
                    break
            groups.append(group)

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_no_import_circle_among_the_modules(graph):
    circles = [group for group in strongly_connected(graph) if len(group) > 1]
    assert circles == []


def test_the_circle_finder_finds_a_circle():
    class Circle:
        modules = {"a", "b", "c"}

        @staticmethod
        def find_modules_directly_imported_by(module):
            return {"a": {"b"}, "b": {"a"}, "c": set()}[module]

    assert {"a", "b"} in strongly_connected(Circle())


@pytest.mark.parametrize("lower", LAYERS[:-1])
def test_an_app_imports_no_app_above_it(graph, lower):
    above = LAYERS[LAYERS.index(lower) + 1 :]
    offending = [
        (importer, imported)
        for importer in graph.find_children(lower) | graph.find_descendants(lower)
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported.split(".")[0] in above
    ]
    assert offending == []


def application_lines(app: str) -> int:
    return sum(
        len(path.read_text().splitlines()) for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts
    )


def test_no_app_holds_more_than_30_percent_of_the_code():
    lines = {app: application_lines(app) for app in LAYERS}
    total = sum(lines.values())
    assert {app: round(n / total, 3) for app, n in lines.items() if n / total > 0.30} == {}
