"""No import cycle inside kneeload (issue 19 item 7).

The graph has an edge for every ``import`` of a kneeload module, at module level and inside
functions alike (a deferred import that dodges a cycle is still a cycle); a package's
``__init__`` counts as the package; imports under ``if TYPE_CHECKING:`` count too (a cycle
for the type checker is still a knot). It must be a DAG.
"""

from __future__ import annotations

import ast
from pathlib import Path

import kneeload

ROOT = Path(kneeload.__file__).parent


def _module_name(path: Path) -> str:
    parts = ["kneeload", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _targets(node: ast.AST, name: str, is_pkg: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        base = name if is_pkg else name.rsplit(".", 1)[0]
        if node.level:
            for _ in range(node.level - 1):
                base = base.rsplit(".", 1)[0]
            mod = f"{base}.{node.module}" if node.module else base
        else:
            mod = node.module or ""
        return [mod] + [f"{mod}.{a.name}" for a in node.names]
    return []


def import_graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {m: set() for m in files}
    for name, path in files.items():
        is_pkg = path.name == "__init__.py"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for target in _targets(node, name, is_pkg):
                if target in files and target != name and not name.startswith(target + "."):
                    graph[name].add(target)
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(n: str) -> list[str] | None:
        state[n] = 1
        stack.append(n)
        for m in sorted(graph[n]):
            if state.get(m) == 1:
                return stack[stack.index(m):] + [m]
            if m not in state and (found := visit(m)):
                return found
        stack.pop()
        state[n] = 2
        return None

    for n in sorted(graph):
        if n not in state and (found := visit(n)):
            return found
    return None


def test_the_cycle_finder_finds_one():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_kneeload_has_no_import_cycle():
    graph = import_graph()
    assert "kneeload.rules" in graph
    assert "kneeload.loadcalc" in graph["kneeload.rules.session_spike"]
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_the_registry_is_a_leaf():
    # the registry imports only the errors and flags-table modules (and what they import)
    graph = import_graph()
    assert graph["kneeload.rules"] <= {"kneeload.errors", "kneeload.flagrows"}
    assert not any(m.startswith("kneeload.rules") for m in graph["kneeload.loadcalc"])
