"""The codebase's shape: imports run one way, modules stay small, the core imports no extra.

Imports are read from the source (every ``import`` statement, inside
functions too), so a cycle hidden in a function body is found as well as
one at the top of a module. Imports under ``if TYPE_CHECKING:`` only name
types for the type checker and never run, so they are not edges.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"
PACKAGE = SRC / "facetcare"
MAX_LINES = 400


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The facetcare module ``name`` names, or None outside facetcare."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    typing_only = {id(inner) for node in ast.walk(tree)
                   if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING")
                   for statement in node.body for inner in ast.walk(statement)}
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # `from pkg import sub` imports the submodule; `from mod import name` the module.
            targets = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base
                       for alias in node.names]
        else:
            continue
        for target in targets:
            resolved = _resolve(target)
            if resolved is not None and resolved != module:
                found.add(resolved)
    return found


GRAPH = {module: _imports(module, path) for module, path in MODULES.items()}


def _cycle() -> list[str] | None:
    """One import cycle as a list of modules, or None."""
    done: set[str] = set()
    for root in GRAPH:
        stack: list[tuple[str, list[str]]] = [(root, [root])]
        while stack:
            node, trail = stack.pop()
            for nxt in GRAPH[node]:
                if nxt == root:
                    return [*trail, root]
                if nxt not in trail and nxt not in done:
                    stack.append((nxt, [*trail, nxt]))
        done.add(root)
    return None


def test_the_import_reader_sees_imports_inside_functions() -> None:
    # The CLI entry point imports its commands inside a function.
    assert "facetcare._cli" in GRAPH["facetcare.cli"]
    assert "facetcare.scheduling" in GRAPH["facetcare.pathway"]


def test_no_import_cycle_in_src() -> None:
    assert _cycle() is None, " → ".join(_cycle() or [])


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_module_is_small(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines (more than {MAX_LINES}: two ideas?)"


def test_the_core_needs_only_its_three_dependencies() -> None:
    """`import facetcare` with every optional dependency made unimportable."""
    blocked = ["click", "rich", "matplotlib", "hypothesis", "sqlalchemy", "psycopg",
               "fhir", "pydantic", "dask", "numpy"]
    code = (
        "import sys\n"
        f"for name in {blocked!r}:\n"
        "    sys.modules[name] = None\n"
        "import facetcare, facetcare.events, facetcare.timing, facetcare.scheduling\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in\n"
        f"      {blocked!r} and sys.modules[m] is not None))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_importing_facetcare_leaves_the_host_logging_alone() -> None:
    code = (
        "import logging\n"
        "before = logging.getLogger('transitions').level\n"
        "import facetcare\n"
        "print(before, logging.getLogger('transitions').level)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    before, after = done.stdout.split()
    assert before == after
