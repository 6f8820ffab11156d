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
    "cli": {"core", "formats", "ops", "engine", "jobs"},
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


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p.parent != PACKAGE or p.stem == "cli")


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
    assert flat == ["__init__.py", "__main__.py", "cli.py"]
    rooms = sorted(p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists())
    assert rooms == ["core", "engine", "formats", "jobs", "ops"]
