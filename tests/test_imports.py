"""The package's imports: no cycle among vinocr's own modules, nothing of the UI or the benchmarks
imported by vinocr, and every module importable alone in a fresh interpreter (an import that only
works after another module was loaded first fails there)."""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "vinocr"
OUTSIDE = {"streamlit", "ui", "pages", "bench", "app", "tests"}  # never imported by vinocr


def _module_name(path: Path) -> str:
    """vinocr/field/grid.py -> vinocr.field.grid; vinocr/field/__init__.py -> vinocr.field."""
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported(path: Path) -> set[str]:
    """Every module a file imports (at module level or inside a function), absolute names; a name
    imported from a package counts as its submodule when there is one."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES)
    return found


def _graph() -> dict[str, set[str]]:
    """vinocr's own modules -> the vinocr modules each imports (packages' __init__ included)."""
    return {
        name: {m for m in _imported(path) if m in MODULES and m != name} for name, path in MODULES.items()
    }


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    groups: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return groups


def test_the_graph_holds_every_module_and_its_known_edges() -> None:
    """The graph is read from the sources: a cycle test over an empty graph would pass."""
    graph = _graph()
    assert len(graph) >= 40
    assert {"vinocr.field.grid", "vinocr.field.result"} <= graph["vinocr.field.pipeline"]
    assert "vinocr.field.pipeline" in graph["vinocr.vin.reader"]


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_in_vinocr() -> None:
    """No two modules of vinocr import each other, directly or round a loop, counting imports
    inside functions too (a cycle there still ties two modules into one)."""
    assert _cycles(_graph()) == []


def test_vinocr_imports_nothing_of_the_ui_or_the_benchmarks() -> None:
    """vinocr is the library: Streamlit, the pages, the UI helpers and the benchmarks use it,
    never the other way round."""
    wrong = {
        name: sorted(m for m in _imported(path) if m.split(".")[0] in OUTSIDE)
        for name, path in MODULES.items()
    }
    assert {name: found for name, found in wrong.items() if found} == {}


def _import_alone(module: str) -> tuple[str, int, str]:
    """(module, exit status, last lines of stderr) of importing it in a fresh interpreter."""
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    return module, done.returncode, "\n".join(done.stderr.strip().splitlines()[-3:])


def test_every_module_imports_alone_in_a_fresh_interpreter() -> None:
    """Each module of vinocr imported first thing in its own interpreter. The entry points
    (`__main__`) are left out: importing them runs the program."""
    modules = [name for name in MODULES if not name.endswith("__main__")]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(_import_alone, modules))
    failed = {module: err for module, status, err in results if status != 0}
    assert failed == {}
    assert len(results) == len(modules) >= 40
