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
    return _printed_last(f"{code}\n{REPORT}")


def _printed_last(code: str) -> list[str]:
    """Run ``code`` in a new process; the list literal it printed last."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-c", code],
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


def test_a_fit_without_nuts_imports_no_jax_or_pymc() -> None:
    """``laplace-is`` (what ``auto`` means with covariates) and the end-of-run release import
    neither JAX nor PyMC. ArviZ puts a lazy placeholder for ``jax`` in ``sys.modules``;
    touching it, as the release, SciPy and matplotlib once did, imports JAX (≈ 1–2 s,
    ≈ 120 MB)."""
    code = (
        "import sys\n"
        "import followon as fo\n"
        "from followon.hazard._sampling import release_compiled_samplers\n"
        "t = fo.build_exposure(fo.load_events(), fo.Outcome('m', 'missile_launch'),\n"
        "    start='2017-01-01', as_of='2020-01-01', covariates=[fo.Excitation(14.0)])\n"
        "m = fo.PiecewiseHazard().fit(t, draws=500, chains=2, random_seed=1)\n"
        "assert m.method_ == 'laplace-is', m.method_\n"
        "assert 'jax' in sys.modules  # ArviZ's placeholder: what the release must not touch\n"
        "release_compiled_samplers([m])\n"
        "import matplotlib\n"
        "matplotlib.use('Agg')\n"
        "import matplotlib.pyplot as plt\n"
        "from followon._lazy import lazy_placeholders_hidden\n"
        "with lazy_placeholders_hidden():  # how write_results draws its figures\n"
        "    plt.subplots()[1].plot([1, 2])\n"
        "assert type(sys.modules['jax']).__name__ == '_LazyModule'  # put back, untouched\n"
        "print([n for n in ('jax._src.api', 'numpyro.infer', 'pymc.model') if n in sys.modules])"
    )
    assert _printed_last(code) == []


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


def test_python_dash_m_followon_is_the_command_line() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    proc = subprocess.run(
        [sys.executable, "-m", "followon", "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"followon {followon.__version__}"
