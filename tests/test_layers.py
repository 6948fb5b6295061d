"""The package's layers run one way and no module reaches into another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "followon"
LAYER = {
    "errors": 0,
    "_io": 0,
    "_display": 0,
    "_version": 0,
    "_lazy": 0,
    "_memory": 0,
    "events": 1,
    "exposure": 2,
    "hazard": 3,
    "forecasting": 4,
    "evaluation": 4,
    "scenarios": 5,
    "record": 7,
    "plotting": 6,
    "reports": 7,
    "cli": 8,
    "__main__": 9,  # python -m followon: the command line
    "__init__": 9,
}
"""events → exposure → hazard → forecasting/evaluation → scenarios → plotting → reports → cli."""


def _imports() -> list[tuple[Path, int, str, list[str]]]:
    out = []
    for path in sorted(SRC.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("followon"):
                out.append((path, node.lineno, str(node.module), [a.name for a in node.names]))
    return out


def _layer(path: Path) -> str:
    return path.relative_to(SRC).with_suffix("").parts[0]


def test_every_package_has_a_layer() -> None:
    assert {_layer(p) for p in SRC.rglob("*.py")} <= set(LAYER)


def test_no_import_points_up() -> None:
    upward = [
        f"{path.relative_to(SRC)}:{line} imports {module}"
        for path, line, module, _ in _imports()
        if LAYER[(module.split(".") + ["__init__"])[1]] > LAYER[_layer(path)]
    ]
    assert upward == []


def test_no_module_imports_another_modules_private_names() -> None:
    private = [
        f"{path.relative_to(SRC)}:{line} imports {module}.{name}"
        for path, line, module, names in _imports()
        for name in names
        if name.startswith("_") and not name.startswith("__") and path.name != "__init__.py"
    ]
    assert private == []


def test_no_source_file_over_800_lines() -> None:
    long = {
        str(p.relative_to(SRC)): n
        for p in SRC.rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > 800
    }
    assert long == {}
