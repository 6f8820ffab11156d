"""The rooms of the package and which way imports run (../shared/DESIGN.md), checked from the
imports alone: cli -> jobs -> (ops, formats) -> core; jobs run on engine; bytes move through
engine/storage.py; nothing imports cli or the package top."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "labeltools"

#: For each room, the rooms (or single modules) its modules may import.
ALLOWED = {
    "core": {"core"},
    "ops": {"core", "ops"},
    "formats": {"core", "formats", "engine.storage"},
    "engine": {"core", "engine"},
    "jobs": {"core", "formats", "ops", "engine", "jobs"},
    "cli": {"cli", "core", "formats", "ops", "engine", "jobs"},
}


def imports(path: Path) -> list[tuple[int, str]]:
    """``(line, module)`` of every labeltools import in a file, those only for type checkers
    (under ``if TYPE_CHECKING:``) left out."""
    tree = ast.parse(path.read_text())
    typing_only = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            typing_only.update(id(inner) for inner in ast.walk(node))
    found = []
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "labeltools":
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names if alias.name.split(".")[0] == "labeltools"]
    return found


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_run_one_way(path: Path) -> None:
    rel = path.relative_to(PACKAGE)
    room = rel.parts[0] if len(rel.parts) > 1 else rel.stem
    wrong = []
    for line, module in imports(path):
        parts = module.split(".")[1:]
        if not parts:
            wrong.append(f"line {line}: imports the package top")
        elif parts[0] not in ALLOWED[room] and ".".join(parts[:2]) not in ALLOWED[room]:
            wrong.append(f"line {line}: {room} imports {module}")
    assert not wrong, wrong


def test_every_module_sits_in_a_room() -> None:
    flat = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert flat == ["__init__.py", "__main__.py"]
    rooms = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert rooms == ["cli", "core", "engine", "formats", "jobs", "ops"]


CLI_MODULES = sorted((PACKAGE / "cli").glob("*.py"))


@pytest.mark.parametrize("path", CLI_MODULES, ids=lambda p: p.name)
def test_the_command_line_imports_its_jobs_inside_the_commands(path: Path) -> None:
    """At module level the command line imports only ``cli`` and ``core``: each command imports
    its library job when it runs, so that ``labeltools --help`` loads none of them."""
    tree = ast.parse(path.read_text())
    top = []
    for node in tree.body:
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("labeltools."):
            top.append(node.module.split(".")[1])
    assert set(top) <= {"cli", "core"}, top
