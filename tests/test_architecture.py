"""The import rule of ARCHITECTURE.md, read from the source with `ast` (nothing is imported):

    rnnlab -> api -> cli -> compare -> train, diagnostics, generate, export -> data, bench -> decode -> models -> files

1. a module never imports from a layer above its own;
2. a `rnnlab` subcommand module (cli/*.py with `register`) never imports another one;
3. no import cycle among rnnlab's modules.

Every import counts: at the top, inside functions, and under `if TYPE_CHECKING:`. compare/ is being split into
sub-packages; they all sit on its layer by their top-level package, so the split needs no change here.
"""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "src"
LAYERS = {
    "api": 8,
    "cli": 7,
    "compare": 6,
    "train": 5,
    "diagnostics": 5,
    "generate": 5,
    "export": 5,
    "data": 4,
    "bench": 4,
    "decode": 3,
    "models": 2,
}
BOTTOM = 1  # single-file modules such as rnnlab/files.py and rnnlab/_version.py: anyone may import them
TOP = 9  # rnnlab/__init__.py, the front door: `rnnlab.train(...)` and friends reach rnnlab.api


def module_files() -> dict[str, Path]:
    """Dotted module name -> file, for every module under src/rnnlab (a package by its __init__.py)."""
    modules = {}
    for path in sorted((SOURCE / "rnnlab").rglob("*.py")):
        parts = list(path.relative_to(SOURCE).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        modules[".".join(parts)] = path
    return modules


MODULES = module_files()
TREES = {name: ast.parse(path.read_text(encoding="utf-8"), str(path)) for name, path in MODULES.items()}


def package_of(module: str) -> str | None:
    """X for a module of package rnnlab.X; None for rnnlab itself and its single-file modules (rnnlab.files)."""
    parts = module.split(".")
    in_package = len(parts) > 2 or (len(parts) == 2 and MODULES[module].name == "__init__.py")
    return parts[1] if in_package else None


def layer(module: str) -> int:
    if module == "rnnlab":
        return TOP
    if module == "rnnlab.__main__":  # `python -m rnnlab`: the command itself, on the cli layer
        return LAYERS["cli"]
    package = package_of(module)
    return BOTTOM if package is None else LAYERS[package]


def imported(tree: ast.Module, module: str, package: str) -> dict[str, int]:
    """The rnnlab modules imported anywhere in `tree` (module `module` of package `package`) -> the line of the
    first such import. `from rnnlab.x import y` names module rnnlab.x.y when there is one, else rnnlab.x."""
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: from . import x, from ..y import z
                anchor = package.split(".")[: package.count(".") + 2 - node.level]
                base = ".".join(anchor + ([base] if base else []))
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
        else:
            continue
        for name in names:
            while name and name not in MODULES:  # a name inside a module, or not rnnlab at all
                name = name.rpartition(".")[0]
            if name and name != module:
                found.setdefault(name, node.lineno)
    return found


def package_name(module: str) -> str:
    """The package a module's relative imports start from: itself for an __init__.py, else its parent."""
    return module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]


EDGES = {module: imported(TREES[module], module, package_name(module)) for module in MODULES}


def is_command(module: str) -> bool:
    """A subcommand module: cli/NAME.py defining `register(subparsers)` (see cli/main.py)."""
    return module.startswith("rnnlab.cli.") and any(
        isinstance(node, ast.FunctionDef) and node.name == "register" for node in TREES[module].body)


def where(module: str, line: int) -> str:
    return f"{MODULES[module].relative_to(SOURCE.parent)}:{line}"


def test_every_package_has_a_layer():
    """Reference: LAYERS above and the table in ARCHITECTURE.md; a new package must be placed in both."""
    unplaced = sorted({package for module in MODULES if (package := package_of(module)) not in (None, *LAYERS)})
    assert not unplaced, f"packages without a layer: {unplaced}; add them to LAYERS and ARCHITECTURE.md"


def test_no_module_imports_from_a_layer_above():
    upward = [f"{where(source, line)}: {source} (layer {layer(source)}) imports {target} (layer {layer(target)})"
              for source, targets in EDGES.items() for target, line in targets.items()
              if layer(target) > layer(source)]
    assert not upward, "imports against the layers:\n" + "\n".join(upward)


def test_no_subcommand_imports_another():
    """Reference: cli/main.py, the one module that knows every subcommand; shared CLI code lives in modules
    without `register` (console.py, threads.py, ...) or below cli."""
    commands = {module for module in MODULES if is_command(module)}
    assert {"rnnlab.cli.train", "rnnlab.cli.chat", "rnnlab.cli.translate"} <= commands
    crossing = [f"{where(source, line)}: {source} imports the subcommand {target}"
                for source in sorted(commands) for target, line in EDGES[source].items() if target in commands]
    assert not crossing, "subcommands importing subcommands:\n" + "\n".join(crossing)


def test_no_import_cycles():
    """Reference: a depth-first search over the import edges; a back edge closes a cycle."""
    cycles = find_cycles(EDGES)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(cycle) for cycle in cycles)


def find_cycles(edges: dict[str, dict[str, int]]) -> list[list[str]]:
    """One cycle per back edge of a depth-first search, as the path around it (first module repeated)."""
    done: set[str] = set()
    path: list[str] = []
    on_path: set[str] = set()
    cycles: list[list[str]] = []

    def visit(module: str) -> None:
        path.append(module)
        on_path.add(module)
        for target in sorted(edges.get(module, {})):
            if target in on_path:
                cycles.append([*path[path.index(target):], target])
            elif target not in done:
                visit(target)
        on_path.discard(path.pop())
        done.add(module)

    for module in sorted(edges):
        if module not in done:
            visit(module)
    return cycles


def test_the_checks_catch_what_they_should():
    """Reference: hand-made graphs and imports, written out below."""
    assert find_cycles({"a": {"b": 1}, "b": {"c": 1}, "c": {"a": 1}}) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b": 1}, "b": {}, "c": {"b": 1}}) == []
    source = """
import torch
from typing import TYPE_CHECKING
from rnnlab.files import write_atomic
from . import base
from ..vocab import Vocabulary
if TYPE_CHECKING:
    from rnnlab.train.loop import TrainConfig
def later():
    import rnnlab.models.seq2seq
"""
    found = imported(ast.parse(source), "rnnlab.data.tasks.example", "rnnlab.data.tasks")
    assert found == {"rnnlab.files": 4, "rnnlab.data.tasks.base": 5, "rnnlab.data.vocab": 6,
                     "rnnlab.train.loop": 8, "rnnlab.models.seq2seq": 10}
    assert (layer("rnnlab"), layer("rnnlab.files"), layer("rnnlab.cli.main"), layer("rnnlab.models")) == (9, 1, 7, 2)
