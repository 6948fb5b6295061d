"""Real sampling (slow tier): MCMC against the exact posterior, and parameter recovery."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import followon as fo
from tests.hazard.conftest import simulate_events

pytestmark = pytest.mark.slow

OUT = fo.Outcome("l", "missile_launch")


def test_mcmc_matches_the_conjugate_posterior(simulated: pd.DataFrame) -> None:
    table = fo.build_exposure(
        simulated, OUT, start="2000-01-01", as_of="2010-12-01", observed_until="2030-01-01"
    )
    exact = fo.PiecewiseHazard().fit(table, random_seed=1)
    a, b = exact.posterior_gamma_["shape"][0], exact.posterior_gamma_["rate"][0]
    mcmc = fo.PiecewiseHazard(sampler=fo.hazard.piecewise.DEFAULT_MCMC_SAMPLER).fit(
        table, draws=1000, tune=1000, chains=4, random_seed=2, progressbar=False
    )
    assert mcmc.method_ != "exact"
    draws = mcmc.idata_["posterior"]["baseline_rate"].values
    ess = float(mcmc.diagnostics_.loc["baseline_rate", "ess_bulk"])
    mcse_mean = draws.std() / np.sqrt(ess)
    assert abs(draws.mean() - a / b) < 2 * mcse_mean
    assert draws.std() == pytest.approx(np.sqrt(a) / b, rel=0.1)
    f_exact = exact.forecast(horizons_days=[30, 90])
    f_mcmc = mcmc.forecast(horizons_days=[30, 90])
    np.testing.assert_allclose(f_mcmc["p_mean"], f_exact["p_mean"], atol=0.01)


def test_parameter_recovery_with_trigger_window_and_self_excitation() -> None:
    beta_window, beta_excite, lam0 = np.log(3.0), 0.8, 0.01
    events = simulate_events(
        9000,
        lam0,
        trigger_every=150,
        window=30,
        hr_window=np.exp(beta_window),
        excitation_decay=10.0,
        hr_excitation=np.exp(beta_excite),
        seed=21,
    )
    table = fo.build_exposure(
        events,
        OUT,
        start="2000-01-01",
        as_of="2024-09-01",
        observed_until="2030-01-01",
        covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30)), fo.Excitation(10.0)],
    )
    assert table.data["events"].sum() > 150
    model = fo.PiecewiseHazard(sampler=fo.hazard.piecewise.DEFAULT_MCMC_SAMPLER).fit(
        table, draws=1000, tune=1000, chains=4, random_seed=3, progressbar=False
    )
    s = model.summary(ci_prob=0.9)
    truth = {
        "baseline_rate": lam0,
        "plenary_meeting[0-30]": np.exp(beta_window),
        "excitation[10d]": np.exp(beta_excite),
    }
    for name, value in truth.items():
        assert s.loc[name, "low"] < value < s.loc[name, "high"], (
            name,
            value,
            s.loc[name].to_dict(),
        )
    assert (model.diagnostics_["r_hat"] < 1.01).all()
    assert model.diagnostics_.attrs["divergences"] == 0


def test_refit_reuses_the_compiled_model_and_equals_a_fresh_fit(
    simulated: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import jax

    from followon.hazard import _sampling

    covs = [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))]

    def table(as_of: str) -> fo.ExposureTable:
        return fo.build_exposure(
            simulated,
            OUT,
            start="2000-01-01",
            as_of=as_of,
            covariates=covs,
            observed_until="2030-01-01",
        )

    def compiled(fit: Any) -> set[str]:
        """Names of the functions JAX compiled during ``fit()``."""
        caplog.clear()
        jax.config.update("jax_log_compiles", True)
        try:
            with caplog.at_level(logging.WARNING, logger="jax._src.interpreters.pxla"):
                fit()
        finally:
            jax.config.update("jax_log_compiles", False)
        return set(re.findall(r"Compiling jit\((\w+)\)", caplog.text))

    monkeypatch.setattr(_sampling, "GLM_MODELS", type(_sampling.GLM_MODELS)())
    kwargs = {"draws": 1000, "tune": 1000, "chains": 2, "progressbar": False}
    model = fo.PiecewiseHazard(sampler="numpyro")
    first = compiled(lambda: model.fit(table("2010-06-01"), random_seed=5, **kwargs))
    (built,) = _sampling.GLM_MODELS.values()
    # same padded size, new data: only numpyro's per-run collection loop is compiled again
    again = compiled(lambda: model.fit(table("2010-12-01"), random_seed=6, **kwargs))
    assert again <= {"_fori_collect_loop"} and first - again, (first, again)
    assert list(_sampling.GLM_MODELS.values()) == [built]
    monkeypatch.setattr(_sampling, "GLM_MODELS", type(_sampling.GLM_MODELS)())
    fresh = fo.PiecewiseHazard(sampler="numpyro").fit(table("2010-12-01"), random_seed=6, **kwargs)
    assert _sampling.GLM_MODELS[tuple(model.table_.covariate_names)] is not built
    for name in ("baseline_rate", "beta"):
        np.testing.assert_array_equal(
            model.idata_["posterior"][name].values, fresh.idata_["posterior"][name].values
        )


def _mappings() -> int:
    with open("/proc/self/maps") as maps:
        return sum(1 for _ in maps)


@pytest.mark.skipif(not Path("/proc/self/maps").exists(), reason="Linux /proc needed")
@pytest.mark.filterwarnings("ignore::followon.errors.ConvergenceWarning")  # 100 draws, 1 chain
def test_refits_do_not_accumulate_memory_mappings(simulated: pd.DataFrame) -> None:
    """numpyro compiles its sampling loop anew on every run; the old executables are released.

    Before: each refit kept ≈ 150–460 mappings, and a long test session reached Linux's 65 530
    limit and segfaulted in the XLA compiler.
    """
    table = fo.build_exposure(
        simulated,
        OUT,
        start="2000-01-01",
        as_of="2010-12-01",
        observed_until="2030-01-01",
        covariates=[fo.Excitation(10.0)],
    )
    model = fo.PiecewiseHazard(sampler="numpyro")
    counts = []
    for seed in range(4):
        model.fit(table, draws=100, tune=100, chains=1, random_seed=seed, progressbar=False)
        counts.append(_mappings())
    assert counts[-1] - counts[1] < 60, counts
