"""``import followon`` and the light commands load no sampler or plotting library (issue 15).

A behaviour test, not a timing test: each command runs in a new process, which then reports
which of PyMC, PyTensor, JAX, numpyro, ArviZ and matplotlib it had imported.
"""

from __future__ import annotations

import ast
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

import followon

ROOT = Path(__file__).resolve().parents[1]
HEAVY = {
    "pymc",
    "pytensor",
    "jax",
    "jaxlib",
    "numpyro",
    "arviz",
    "arviz_base",
    "arviz_stats",
    "arviz_plots",
    "matplotlib",
}
REPORT = (
    f"import sys; print(sorted({{m.split('.')[0] for m in sys.modules}} & set({sorted(HEAVY)!r})))"
)
SCENARIO = ROOT / "scenarios" / "plenum-2025-06.yaml"


def _heavy_after(code: str) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", f"{code}\n{REPORT}"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    loaded: list[str] = ast.literal_eval(proc.stdout.strip().splitlines()[-1])
    return loaded


@pytest.mark.parametrize(
    "code",
    [
        "import followon",
        "from followon.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit as e:\n"
        "    assert e.code == 0",
        f"from followon.cli import main\nassert main(['scenario', 'validate', {str(SCENARIO)!r}]) == 0",
        "from followon.cli import main\nassert main(['data', 'summary']) == 0",
    ],
    ids=["import", "version", "scenario-validate", "data-summary"],
)
def test_light_commands_load_no_sampler_or_plotting_library(code: str) -> None:
    assert _heavy_after(code) == []


def test_a_figure_loads_matplotlib() -> None:
    """The check above can fail: asking for a plotting name does load matplotlib."""
    assert _heavy_after("import followon\nfollowon.plot_forecast") == ["matplotlib"]


def _type_checking_names() -> dict[str, list[str]]:
    tree = ast.parse((ROOT / "src" / "followon" / "__init__.py").read_text(encoding="utf-8"))
    block = next(
        n for n in tree.body if isinstance(n, ast.If) and ast.unparse(n.test) == "TYPE_CHECKING"
    )
    return {
        str(n.module): [a.name for a in n.names]
        for n in block.body
        if isinstance(n, ast.ImportFrom) and n.module != "followon"
    }


def test_lazy_names_match_the_type_checking_imports() -> None:
    lazy = {module: list(names) for module, names in followon._LAZY.items()}
    assert lazy == _type_checking_names()


def test_every_public_name_is_the_object_its_module_gives() -> None:
    for module, names in followon._LAZY.items():
        for name in names:
            assert getattr(followon, name) is getattr(importlib.import_module(module), name)
    assert set(followon.__all__) <= set(dir(followon))
    assert followon.forecasting is importlib.import_module("followon.forecasting")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="module 'followon' has no attribute 'nope'"):
        followon.nope  # type: ignore[attr-defined]  # noqa: B018
