"""One compiled sampler per model structure (issue 15): refits set new data and priors into it.

Default tier: the numpyro sampler's construction (PyMC → JAX translation and the jitted NUTS
kernel) is counted and its ``run`` replaced by a recorder of the data it was given, so no MCMC
runs. The real sampler is compared with a fresh one in tests/hazard/test_piecewise_mcmc.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.evaluation.bayes_factors import prior_sensitivity
from followon.hazard import _sampling
from followon.hazard._sampling import PAD_LOG_EXPOSURE, padded_rows

OUT = fo.Outcome("l", "missile_launch")
pytestmark = pytest.mark.filterwarnings("ignore::followon.errors.ConvergenceWarning")  # fake draws
COVS = [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30)), fo.Excitation(7.0)]


@pytest.fixture
def runners(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Count JaxRunner constructions; each run records its data and returns prior-like draws."""
    monkeypatch.setattr(_sampling, "GLM_MODELS", type(_sampling.GLM_MODELS)())
    runs: list[dict[str, Any]] = []
    built: list[Any] = []
    real_init = _sampling.JaxRunner.__init__

    def init(self: Any, model: Any, **kwargs: Any) -> None:
        built.append(model)
        real_init(self, model, **kwargs)

    def run(self: Any, *, random_seed: Any, progressbar: bool, var_names: Any) -> Any:
        data = {d.name: np.asarray(d.get_value()) for d in self.data_vars}
        runs.append({"data": data, "runner": self, "built": len(built)})
        chains, draws = self.mcmc.num_chains, self.mcmc.num_samples
        rng = np.random.default_rng(random_seed)
        k = len(data.get("beta_mean", []))
        post = {
            "baseline_rate": rng.gamma(100.0, 0.02 / 100.0, size=(chains, draws)),
            "beta": rng.normal(0.0, 0.1, size=(chains, draws, k)),
        }
        return {n: post[n] for n in var_names}, {"diverging": np.zeros((chains, draws), bool)}

    monkeypatch.setattr(_sampling.JaxRunner, "__init__", init)
    monkeypatch.setattr(_sampling.JaxRunner, "run", run)
    yield runs


def _table(events: pd.DataFrame, as_of: str) -> fo.ExposureTable:
    return fo.build_exposure(
        events, OUT, start="2000-01-01", as_of=as_of, covariates=COVS, observed_until="2030-01-01"
    )


def test_padded_rows() -> None:
    assert [padded_rows(n) for n in (1, 8, 9, 100, 4096, 4097, 4200, 4920)] == [
        8,
        8,
        16,
        112,
        4096,
        5120,
        5120,
        5120,
    ]


def test_refits_and_prior_refits_reuse_one_compiled_sampler(
    simulated: pd.DataFrame, runners: list[dict[str, Any]]
) -> None:
    kwargs = {"draws": 50, "tune": 50, "chains": 2, "progressbar": False}
    early, late = _table(simulated, "2010-06-01"), _table(simulated, "2010-12-01")
    n_early, n_late = len(early.collapsed()), len(late.collapsed())
    assert n_early != n_late and padded_rows(n_early) == padded_rows(n_late)
    model = fo.PiecewiseHazard(sampler="numpyro").fit(early, random_seed=1, **kwargs)
    model.fit(late, random_seed=2, **kwargs)
    other = fo.PiecewiseHazard(sampler="numpyro", beta_sd=3.0).fit(late, random_seed=3, **kwargs)
    prior_sensitivity(
        model, draws=50, tune=50, chains=2
    )  # two refits with wider and narrower β priors
    assert len(runners) == 5
    assert [r["built"] for r in runners] == [1] * 5  # one translation and one jitted kernel
    assert len({id(r["runner"]) for r in runners}) == 1
    # each run saw its own table and priors, padded with rows that add nothing
    first, second, third = (r["data"] for r in runners[:3])
    collapsed = late.collapsed()
    np.testing.assert_array_equal(second["y"][:n_late], collapsed["events"].to_numpy(float))
    np.testing.assert_array_equal(second["y"][n_late:], 0.0)
    np.testing.assert_array_equal(second["log_exposure"][n_late:], PAD_LOG_EXPOSURE)
    np.testing.assert_array_equal(second["X"][n_late:], 0.0)
    np.testing.assert_allclose(
        second["X"][:n_late], collapsed[late.covariate_names].to_numpy(float)
    )
    assert len(first["y"]) == len(second["y"]) == padded_rows(n_late)
    assert float(first["y"].sum()) == early.data["events"].sum()
    np.testing.assert_array_equal(second["beta_sd"], model.beta_sd)
    np.testing.assert_array_equal(third["beta_sd"], 3.0)
    scales = sorted(float(r["data"]["beta_sd"][0]) for r in runners[3:])
    assert scales == [model.beta_sd * 0.5, model.beta_sd * 2.0]
    assert other.idata_["posterior"]["beta"].shape[-1] == 2


def test_another_covariate_list_gets_its_own_sampler(
    simulated: pd.DataFrame, runners: list[dict[str, Any]]
) -> None:
    kwargs = {"draws": 50, "tune": 50, "chains": 2, "progressbar": False}
    fo.PiecewiseHazard(sampler="numpyro").fit(_table(simulated, "2010-12-01"), **kwargs)
    one = fo.build_exposure(
        simulated, OUT, start="2000-01-01", as_of="2010-12-01", covariates=[fo.Excitation(7.0)]
    )
    fo.PiecewiseHazard(sampler="numpyro").fit(one, **kwargs)
    assert [r["built"] for r in runners] == [1, 2]
    assert set(_sampling.GLM_MODELS) == {tuple(COVS_NAMES) for COVS_NAMES in _names(simulated)}


def _names(events: pd.DataFrame) -> list[list[str]]:
    return [
        _table(events, "2010-12-01").covariate_names,
        ["excitation[7d]"],
    ]


def test_released_samplers_are_built_again_and_give_the_same_fit(
    simulated: pd.DataFrame, runners: list[dict[str, Any]]
) -> None:
    kwargs = {"draws": 50, "tune": 50, "chains": 2, "progressbar": False}
    table = _table(simulated, "2010-12-01")
    model = fo.PiecewiseHazard(sampler="numpyro").fit(table, random_seed=4, **kwargs)
    beta = np.asarray(model.idata_["posterior"]["beta"])
    _sampling.release_compiled_samplers([model])
    assert len(_sampling.GLM_MODELS) == 0
    np.testing.assert_array_equal(model.idata_["posterior"]["beta"], beta)  # results stay
    model.fit(table, random_seed=4, **kwargs)
    assert [r["built"] for r in runners] == [1, 2]  # translated and jitted again
    np.testing.assert_array_equal(model.idata_["posterior"]["beta"], beta)
    assert set(_sampling.GLM_MODELS) == {tuple(table.covariate_names)}
