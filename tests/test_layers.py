"""The import structure of ``harness/`` and ``metrics/``: no cycles, no import that runs up the layers, and a
thin ``cli.py``.

The graph is built from the source with :mod:`ast` (nothing is imported): an edge A -> B for every
``import``/``from ... import`` of a project module in A, at the top level or inside a function, class or
``if TYPE_CHECKING:`` block alike. A function-level import of a project module is still a dependency; hiding
one in a function only moves the cycle from import time to call time. Imports of third-party packages (torch,
transformers, ray) are not edges: those are deliberately lazy, to keep ``harness --help`` instant.

Not an edge: the implicit import of a package's ``__init__`` that every ``import pkg.sub`` performs. Counting it
would make any package whose ``__init__`` imports one of its children a cycle, which Python resolves without
trouble; the explicit imports are what a reader follows.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

PACKAGES = ("harness", "metrics")

# The layers, bottom (0) to top. A module may import modules of its own layer or lower ones, never higher;
# within a layer the acyclicity check keeps the order. A prefix names a module and everything below it; the
# longest prefix that matches wins. Every module must match one, so a new module is placed deliberately.
LAYERS: dict[str, int] = {
    # 0. Utilities that know nothing of tasks, metrics or runs.
    "harness.errors": 0,
    "harness.read.textio": 0,
    "harness.read.yamlio": 0,
    "harness.scoring.sentences": 0,
    "harness.scoring.stemming": 0,
    "harness.scoring.sizes": 0,
    "harness.rank.stats": 0,
    "harness.read.cleaning": 0,
    "harness.store.provenance": 0,
    # 1. The contracts metrics are written against and the plain types later stages share: the metric registry
    #    (and its evaluate wrapper), an example, the generating backends. Metrics import these, so they are
    #    below the metrics (metrics/judge asks its judge through harness.generate).
    "harness.scoring.registry": 1,
    "harness.scoring.hf_evaluate": 1,
    "harness.read": 1,
    "harness.generate": 1,
    # 2. The metrics: one self-registering subpackage each (see ROOTS for the package itself).
    "metrics": 2,
    # 3. Scoring and storing: the public score() API, named findings, run directories, the scoring pool,
    #    systems (candidates), the gate's thresholds, and the probes' edits (which use metrics/entities).
    "harness.scoring.api": 3,
    "harness.rank.findings": 3,
    "harness.store.store": 3,
    "harness.parallel": 3,
    "harness.generate.systems": 3,
    "harness.gate": 3,
    "harness.probe": 3,
    # 4. Tasks: a task file names metrics, systems, a prompt and a gate, and is checked against all of them.
    "harness.read.tasks": 4,
    # 5. What is done with tasks and runs: run an evaluation or a probe, rank runs, compare two runs,
    #    check metric options against a task.
    "harness.scoring.runner": 5,
    "harness.probe.runner": 5,
    "harness.rank.leaderboard": 5,
    "harness.rank.novelty": 5,
    "harness.gate.compare": 5,
    "harness.scoring.metric_options": 5,
    # 6. Views of results: tables, plots, the HTML reports, JUnit for CI, and meta-evaluation (which runs the
    #    metrics over human-judged data through the runner, then renders its own page and tables).
    "harness.rank.formats": 6,
    "harness.report.plots": 6,
    "harness.report.highlight": 6,
    "harness.gate.junit": 6,
    "harness.probe.render": 6,
    "harness.metaeval": 6,
    "harness.report.report": 6,
    # 7. One module per CLI command that needs more than parsing: the work behind it, no typer.
    "harness.commands": 7,
    # 8. The command line: parse, delegate, print.
    "harness.cli": 8,
    "harness.__main__": 8,
}
# Package ``__init__`` modules matched only exactly (as a prefix they would place every module below them).
# ``harness`` re-exports score() (layer 3) and holds __version__; ``metrics`` is only a docstring, which the
# registry imports to discover the metric subpackages by name (plugin discovery, so it sits with the registry).
ROOTS: dict[str, int] = {
    "harness": 3,
    "metrics": 1,
    # The stage packages' __init__s are docstrings only; each of their modules is placed by name above.
    "harness.scoring": 0,
    "harness.store": 0,
    "harness.rank": 0,
    "harness.report": 0,
}


def module_name(path: Path, root: Path) -> str:
    """``harness/generate/prompts.py`` -> ``harness.generate.prompts``; a package is its ``__init__``."""
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def project_modules(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, Path]:
    """Every module of the given packages under ``root``, by dotted name."""
    return {module_name(path, root): path for package in packages for path in sorted((root / package).rglob("*.py"))}


def _imported(node: ast.Import | ast.ImportFrom, module: str, is_package: bool, known: Mapping[str, Path]) -> set[str]:
    """The project modules one import statement names. ``from pkg import name`` is an edge to ``pkg.name`` when
    that is a module, else to ``pkg`` (a function or constant of it)."""
    if isinstance(node, ast.Import):
        targets = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: resolved against the importing module's package
            package = module.split(".") if is_package else module.split(".")[:-1]
            anchor = ".".join(package[: len(package) - (node.level - 1)])
            base = f"{anchor}.{base}" if base else anchor
        targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
    found = set()
    for target in targets:
        while target and target not in known:  # ``import harness.x.y`` when only harness.x is a module
            target = target.rpartition(".")[0]
        if target and target != module:
            found.add(target)
    return found


def import_graph(root: Path, packages: Iterable[str] = PACKAGES) -> dict[str, dict[str, int]]:
    """Module -> {imported project module: line of the first such import}."""
    known = project_modules(root, packages)
    graph: dict[str, dict[str, int]] = {}
    for module, path in known.items():
        edges: dict[str, int] = {}
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                for target in _imported(node, module, path.name == "__init__.py", known):
                    edges[target] = min(edges.get(target, node.lineno), node.lineno)
        graph[module] = edges
    return graph


def find_cycles(graph: Mapping[str, Mapping[str, int]]) -> list[list[str]]:
    """Every strongly connected component of more than one module (Tarjan), each sorted; [] when acyclic."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, {}):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(components)


def describe_cycle(component: list[str], graph: Mapping[str, Mapping[str, int]], paths: Mapping[str, Path]) -> str:
    """The edges inside one cycle, with file:line, so the message says where to cut."""
    inside = set(component)
    lines = [
        f"  {source} -> {target} ({paths[source]}:{line})"
        for source in component
        for target, line in sorted(graph[source].items())
        if target in inside
    ]
    return "import cycle among " + ", ".join(component) + ":\n" + "\n".join(lines)


def layer_of(module: str, layers: Mapping[str, int] = LAYERS, roots: Mapping[str, int] = ROOTS) -> int | None:
    """The layer of the longest prefix of ``module`` in ``layers`` (or its exact entry in ``roots``)."""
    if module in roots:
        return roots[module]
    matches = [prefix for prefix in layers if module == prefix or module.startswith(prefix + ".")]
    return layers[max(matches, key=len)] if matches else None


def upward_imports(
    graph: Mapping[str, Mapping[str, int]], layers: Mapping[str, int] = LAYERS, roots: Mapping[str, int] = ROOTS
) -> list[str]:
    """Every import of a module on a higher layer than the importer's, as ``A (layer a) -> B (layer b), line``."""
    found = []
    for source, edges in sorted(graph.items()):
        mine = layer_of(source, layers, roots)
        for target, line in sorted(edges.items()):
            theirs = layer_of(target, layers, roots)
            if mine is not None and theirs is not None and theirs > mine:
                found.append(f"{source} (layer {mine}) imports {target} (layer {theirs}) at line {line}")
    return found


def long_functions(path: Path, limit: int) -> list[str]:
    """Functions (and methods) of a file longer than ``limit`` lines, decorators excluded, as ``name: N lines``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{node.name} (line {node.lineno}): {node.end_lineno - node.lineno + 1} lines"
        for node in ast.walk(tree)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > limit
    ]


# --- the checks on this repository -----------------------------------------------------------------------------


@pytest.fixture
def graph(repo: Path) -> dict[str, dict[str, int]]:
    return import_graph(repo)


def test_no_import_cycles(graph: dict[str, dict[str, int]], repo: Path) -> None:
    paths = {name: path.relative_to(repo) for name, path in project_modules(repo).items()}
    cycles = find_cycles(graph)
    assert not cycles, "\n".join(describe_cycle(c, graph, paths) for c in cycles)


def test_every_module_has_a_layer(graph: dict[str, dict[str, int]]) -> None:
    unplaced = sorted(module for module in graph if layer_of(module) is None)
    assert not unplaced, f"add these modules to LAYERS in tests/test_layers.py: {unplaced}"


def test_no_import_runs_up_the_layers(graph: dict[str, dict[str, int]]) -> None:
    upward = upward_imports(graph)
    assert not upward, "imports that run up the layers (LAYERS in tests/test_layers.py):\n" + "\n".join(upward)


def test_the_graph_sees_the_project(graph: dict[str, dict[str, int]]) -> None:
    """Guards the checks above against passing on an empty or misparsed graph: edges we know are there."""
    assert len(graph) > 100
    assert "harness.read.tasks" in graph["harness.scoring.runner"]
    assert "harness.scoring.registry" in graph["metrics.rouge"]
    assert "harness.gate.compare" in graph["harness.gate.junit"]


def test_cli_functions_are_short(repo: Path) -> None:
    """cli.py parses, delegates and prints; the work is in harness.commands and the layers below."""
    long = long_functions(repo / "harness" / "cli.py", 60)
    assert not long, "over 60 lines in harness/cli.py (move the work into harness.commands): " + "; ".join(long)


# --- the checks check: synthetic packages ----------------------------------------------------------------------


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def test_a_cycle_through_a_function_level_import_is_found(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import helper\n",
            "pkg/b.py": "def helper():\n    from pkg import c\n    return c\n",
            "pkg/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .a import helper\n",
            "pkg/d.py": "import pkg.a\nimport os\n",
        },
    )
    graph = import_graph(root, ["pkg"])
    assert graph["pkg.a"] == {"pkg.b": 1}
    assert graph["pkg.b"] == {"pkg.c": 2}
    assert graph["pkg.c"] == {"pkg.a": 3}  # relative, under TYPE_CHECKING
    assert find_cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]
    paths = project_modules(root, ["pkg"])
    assert "pkg.b -> pkg.c" in describe_cycle(["pkg.a", "pkg.b", "pkg.c"], graph, paths)


def test_an_acyclic_package_passes(tmp_path: Path) -> None:
    root = _package(tmp_path, {"pkg/__init__.py": "from pkg.a import x\n", "pkg/a.py": "x = 1\n", "pkg/b.py": ""})
    graph = import_graph(root, ["pkg"])
    assert graph["pkg"] == {"pkg.a": 1}  # the package's own import of its child; a.py's parent is no edge
    assert find_cycles(graph) == []


def test_an_upward_import_is_found(tmp_path: Path) -> None:
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/low.py": "def f():\n    from pkg.high import g\n",
            "pkg/high.py": "from pkg import low\n",
            "pkg/high_sub/__init__.py": "",
            "pkg/high_sub/deep.py": "from pkg.low import f\n",
        },
    )
    layers = {"pkg.low": 0, "pkg.high": 1, "pkg.high_sub": 1}
    graph = import_graph(root, ["pkg"])
    assert layer_of("pkg.high_sub.deep", layers, {}) == 1
    assert layer_of("pkg.elsewhere", layers, {}) is None
    assert upward_imports(graph, layers, {"pkg": 0}) == ["pkg.low (layer 0) imports pkg.high (layer 1) at line 2"]


def test_a_long_function_is_found(tmp_path: Path) -> None:
    body = "\n".join(f"    x{i} = {i}" for i in range(60))
    path = tmp_path / "m.py"
    path.write_text(f"def short():\n    return 1\n\n\ndef long():\n{body}\n    return x0\n", encoding="utf-8")
    assert long_functions(path, 60) == ["long (line 5): 62 lines"]
    assert long_functions(path, 62) == []
