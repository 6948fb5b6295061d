"""PiecewiseHazard without MCMC: closed forms, the mocked-sampler pipeline, persistence, errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import followon as fo
from followon.errors import ConvergenceWarning, DifferentDataError, DifferentModelError, ModelError
from followon.hazard import piecewise

T = pd.Timestamp
OUT = fo.Outcome("l", "missile_launch")


def table_for(events: pd.DataFrame, covariates=(), as_of: str = "2010-12-01") -> fo.ExposureTable:
    return fo.build_exposure(
        events,
        OUT,
        start="2000-01-01",
        as_of=as_of,
        covariates=covariates,
        observed_until="2030-01-01",
    )


def test_exact_posterior_and_closed_form_probabilities(simulated: pd.DataFrame) -> None:
    table = table_for(simulated)
    model = fo.PiecewiseHazard().fit(table, draws=2000, chains=2, random_seed=1)
    assert model.method_ == "exact"
    d, e = table.data["events"].sum(), float(len(table.data))
    rate = d / e
    a, b = 2.0 + d, 2.0 / rate + e
    assert model.posterior_gamma_ == {"shape": [a], "rate": [b]}
    f = model.forecast(horizons_days=[1, 30, 90])
    closed = [1 - (b / (b + h)) ** a for h in (1, 30, 90)]
    np.testing.assert_allclose(f["p_mean"], closed, rtol=0, atol=1e-6)
    # intervals: p is monotone in λ, so its quantiles are Gamma quantiles (Monte Carlo error)
    lam_q = stats.gamma(a, scale=1 / b).ppf([0.05, 0.95])
    np.testing.assert_allclose(f["p_low"], 1 - np.exp(-np.array([1, 30, 90]) * lam_q[0]), rtol=0.02)
    np.testing.assert_allclose(
        f["p_high"], 1 - np.exp(-np.array([1, 30, 90]) * lam_q[1]), rtol=0.02
    )
    # live update: 20 quiet days, then P(event by day 60)
    live = model.forecast(horizons_days=[10, 60], elapsed_days=20)
    assert list(live["horizon_days"]) == [60]
    assert live["p_mean"].iloc[0] == pytest.approx(1 - ((b + 20) / (b + 60)) ** a, abs=1e-6)
    # the Monte Carlo version of the same update agrees
    mc = fo.forecasting.horizon_probabilities(
        np.cumsum(model.hazard(model.future_design(table.end, 60)), axis=1), [60], elapsed_days=20
    )
    assert mc["p_mean"].iloc[0] == pytest.approx(live["p_mean"].iloc[0], rel=0.01)
    delay = model.median_delay(max_days=365)
    assert delay["median_delay_days"] == pytest.approx(np.log(2) / (a / b), abs=2)


def test_exact_disjoint_windows(simulated: pd.DataFrame) -> None:
    windows = fo.TriggerWindows("plenary_meeting", cut_days=(0, 30, 90))
    table = table_for(simulated, [windows])
    model = fo.PiecewiseHazard(sampler="exact").fit(table, random_seed=2)
    cells = table.collapsed().set_index(table.covariate_names)
    shape, rate = model.posterior_gamma_["shape"], model.posterior_gamma_["rate"]
    assert shape[1] == 2.0 + cells.loc[(1.0, 0.0), "events"]
    assert rate[1] == pytest.approx(
        2.0 / (table.data["events"].sum() / len(table.data)) + cells.loc[(1.0, 0.0), "exposure"]
    )
    hr = model.summary(ci_prob=0.99).loc["plenary_meeting[0-30]"]
    assert hr["kind"] == "hazard_ratio" and hr["low"] < 3.0 < hr["high"]  # simulated HR = 3
    # a trigger on the forecast origin: the next 30 days are window days, then 60 in [31-90]
    origin = table.end
    f = model.forecast(origin, [30, 90], trigger={"type": "plenary_meeting"})
    design = model.future_design(origin, 90, trigger={"type": "plenary_meeting"})
    assert (
        design["plenary_meeting[0-30]"].sum() == 30 and design["plenary_meeting[31-90]"].sum() == 60
    )
    expected = 1 - (rate[1] / (rate[1] + 30)) ** shape[1]
    assert f["p_mean"].iloc[0] == pytest.approx(expected, abs=1e-6)
    expected90 = 1 - (rate[1] / (rate[1] + 30)) ** shape[1] * (rate[2] / (rate[2] + 60)) ** shape[2]
    assert f["p_mean"].iloc[1] == pytest.approx(expected90, abs=1e-6)
    # without a trigger at the origin the window probabilities differ
    assert model.forecast(origin, [30])["p_mean"].iloc[0] != pytest.approx(expected, abs=1e-3)


def test_exact_refuses_overlapping_covariates(simulated: pd.DataFrame) -> None:
    table = table_for(simulated, [fo.Season("quarter"), fo.Excitation(7.0)])
    with pytest.raises(
        ModelError, match="sampler='exact' needs no covariates or only disjoint 0/1"
    ):
        fo.PiecewiseHazard(sampler="exact").fit(table)


def fake_sampler(beta_means: dict[str, float], *, lam0: float = 0.02, spread: float = 0.0):
    def run(X, y, exposure, a, b, mu, sd, names, *, draws, chains, random_seed, **kwargs):
        rng = np.random.default_rng(random_seed)
        base = rng.gamma(400.0, lam0 / 400.0, size=(chains, draws))
        beta = np.stack(
            [
                rng.normal(beta_means[n], 0.1, size=(chains, draws))
                + spread * np.arange(chains)[:, None]
                for n in names
            ],
            axis=-1,
        )
        return {"baseline_rate": base, "beta": beta}, {"diverging": np.zeros((chains, draws), bool)}

    return run


def test_mcmc_pipeline_with_a_mocked_sampler(
    simulated: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    windows = fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))
    table = table_for(simulated, [windows, fo.Season("quarter")])
    names = table.covariate_names
    means = dict(zip(names, [1.0, 0.0, 0.2, -0.2], strict=True))
    monkeypatch.setattr(piecewise, "sample_glm", fake_sampler(means))
    model = fo.PiecewiseHazard(sampler="numpyro").fit(table, draws=500, chains=4, random_seed=3)
    assert model.method_ == piecewise.DEFAULT_MCMC_SAMPLER
    assert set(model.idata_.children) >= {
        "posterior",
        "prior",
        "log_likelihood",
        "observed_data",
        "sample_stats",
    }
    assert model.idata_["log_likelihood"]["events"].shape == (4, 500, len(table.data))
    s = model.summary(ci_prob=0.9)
    assert s.loc["plenary_meeting[0-30]", "median"] == pytest.approx(np.e, rel=0.05)
    assert s.loc["plenary_meeting[0-30]", "p_gt_1"] == 1.0
    assert s.loc["quarter[Q2]", "p_gt_1"] == pytest.approx(0.5, abs=0.05)
    assert (s["r_hat"].dropna() < 1.01).all()
    # the forecast is 1 − exp(−Σ hazard) averaged over draws, along the trigger's window
    f = model.forecast(table.end, [10, 40], trigger={"type": "plenary_meeting"})
    design = model.future_design(table.end, 40, trigger={"type": "plenary_meeting"})
    lam0 = model.idata_["posterior"]["baseline_rate"].values.reshape(-1)
    beta = model.idata_["posterior"]["beta"].values.reshape(-1, len(names))
    cum = np.cumsum(lam0[:, None] * np.exp(beta @ design.to_numpy().T), axis=1)
    np.testing.assert_allclose(f["p_mean"], (1 - np.exp(-cum[:, [9, 39]])).mean(axis=0))
    # an imposed covariate path changes it
    path = pd.DataFrame({"plenary_meeting[0-30]": [0.0] * 10}, index=range(1, 11))
    g = model.forecast(table.end, [10], trigger={"type": "plenary_meeting"}, covariate_path=path)
    assert g["p_mean"].iloc[0] < f["p_mean"].iloc[0]


def test_convergence_warning_names_parameters(
    simulated: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = table_for(simulated, [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))])
    monkeypatch.setattr(
        piecewise, "sample_glm", fake_sampler({"plenary_meeting[0-30]": 0.5}, spread=1.0)
    )
    with pytest.warns(
        ConvergenceWarning, match=r"R-hat > 1\.01 for beta\[plenary_meeting\[0-30\]\]"
    ):
        model = fo.PiecewiseHazard(sampler="numpyro").fit(table, draws=200, chains=4, random_seed=4)
    assert model.diagnostics_.loc["beta[plenary_meeting[0-30]]", "r_hat"] > 1.01


def test_save_and_load(simulated: pd.DataFrame, tmp_path: Path) -> None:
    windows = fo.TriggerWindows("plenary_meeting", cut_days=(0, 30, 90))
    table = table_for(simulated, [windows])
    model = fo.PiecewiseHazard(sampler="exact", beta_sd=0.5).fit(table, random_seed=5)
    path = model.save(tmp_path / "fit" / "model.nc")
    assert path.exists() and not list(path.parent.glob("*.tmp"))
    loaded = fo.PiecewiseHazard.load(path, table)
    pd.testing.assert_frame_equal(loaded.summary(), model.summary())
    pd.testing.assert_frame_equal(loaded.forecast(table.end, [30]), model.forecast(table.end, [30]))
    assert loaded.get_params() == model.get_params()
    other = table_for(simulated, [windows], as_of="2010-11-30")
    with pytest.raises(DifferentDataError, match="was fitted to exposure table"):
        fo.PiecewiseHazard.load(path, other)

    class OtherHazard(fo.PiecewiseHazard):
        pass

    with pytest.raises(DifferentModelError, match="holds a PiecewiseHazard fit, not a OtherHazard"):
        OtherHazard.load(path, table)


def test_simulated_paths_match_the_forecast(simulated: pd.DataFrame) -> None:
    table = table_for(simulated)
    model = fo.PiecewiseHazard().fit(table, random_seed=6)
    sims = model.simulate_paths(4000, 60, random_seed=7)
    first = sims.groupby("path")["day"].min()
    p_sim = (first <= 30).sum() / 4000
    p = model.forecast(horizons_days=[30])["p_mean"].iloc[0]
    assert p_sim == pytest.approx(p, abs=3 * np.sqrt(p * (1 - p) / 4000))
    assert sims.attrs["n_paths"] == 4000 and sims["day"].between(1, 60).all()


def test_simulation_feeds_back_self_excitation(
    simulated: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = table_for(simulated, [fo.Excitation(5.0)])
    monkeypatch.setattr(piecewise, "sample_glm", fake_sampler({"excitation[5d]": 1.5}, lam0=0.01))
    model = fo.PiecewiseHazard(sampler="numpyro").fit(table, draws=300, chains=2, random_seed=8)
    sims = model.simulate_paths(3000, 120, random_seed=9)
    grid = np.zeros((3000, 121), dtype=bool)
    grid[sims["path"], sims["day"]] = True
    base = grid[:, 1:].mean()
    after_event = grid[:, 2:][grid[:, 1:-1]].mean()  # P(event on day h+1 | event on day h)
    # hazard the day after an event: × exp(1.5 · e^{-1/5}) ≈ 3.4 if simulated events feed back
    assert after_event > 2.5 * base
    no_feedback = model.hazard(model.future_design(table.end, 120)).sum(axis=1).mean()
    assert grid.sum() / 3000 > no_feedback


def test_simulation_feeds_back_the_recent_rate(
    simulated: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a 1-day window: the hazard is λ0 · 2^β the day after an event, λ0 otherwise (closed form)
    table = table_for(simulated, [fo.RecentRate(window_days=1)])
    beta, lam0 = 2.0, 0.05
    monkeypatch.setattr(piecewise, "sample_glm", fake_sampler({"recent[1d]": beta}, lam0=lam0))
    model = fo.PiecewiseHazard(sampler="numpyro").fit(table, draws=300, chains=2, random_seed=8)
    n = 40_000
    sims = model.simulate_paths(n, 40, random_seed=9)
    grid = np.zeros((n, 41), dtype=bool)
    grid[sims["path"], sims["day"]] = True
    after = grid[:, 3:][grid[:, 2:-1]].mean()  # P(event on day h+1 | event on day h), h ≥ 2
    quiet = grid[:, 3:][~grid[:, 2:-1]].mean()
    p_after, p_quiet = -np.expm1(-lam0 * 2**beta), -np.expm1(-lam0)
    assert after == pytest.approx(p_after, abs=4 * np.sqrt(p_after / grid[:, 2:-1].sum()))
    assert quiet == pytest.approx(p_quiet, rel=0.05)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"horizons_days": [0, 30]}, "horizon 0 is not a whole number of days ≥ 1."),
        ({"horizons_days": [-5]}, "horizon -5 is not a whole number of days ≥ 1."),
        (
            {"horizons_days": []},
            "horizons_days is empty; give one or more whole numbers of days ≥ 1.",
        ),
        ({"ci_prob": 1.5}, "ci_prob must be between 0 and 1, not 1.5."),
        (
            {"covariate_path": pd.DataFrame({"plenum[0-30]": [1.0]}, index=[1])},
            "covariate_path: no covariate 'plenum[0-30]' (did you mean 'plenary_meeting[0-30]'?); "
            "the model has plenary_meeting[0-30].",
        ),
    ],
)
def test_forecast_errors(simulated: pd.DataFrame, kwargs: dict, message: str) -> None:
    table = table_for(simulated, [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))])
    model = fo.PiecewiseHazard(sampler="exact").fit(table, random_seed=1)
    with pytest.raises(ModelError) as info:
        model.forecast(table.end, **kwargs)
    assert str(info.value) == message


def test_model_errors(simulated: pd.DataFrame) -> None:
    table = table_for(simulated, [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))])
    with pytest.raises(ModelError, match="not fitted yet; call fit"):
        fo.PiecewiseHazard().summary()
    with pytest.raises(
        ModelError,
        match=r"sampler 'nuts' \(did you mean 'nutpie'\?\) is not one of auto, exact, laplace, laplace-is, pymc, nutpie, numpyro",
    ):
        fo.PiecewiseHazard(sampler="nuts").fit(table)
    with pytest.raises(ModelError, match=r"beta_priors: no covariate 'plenary\[0-30\]'"):
        fo.PiecewiseHazard(beta_priors={"plenary[0-30]": (0, 1)}).fit(table)
    with pytest.raises(ModelError, match="fit expects an ExposureTable"):
        fo.PiecewiseHazard().fit(table.data)  # type: ignore[arg-type]


def test_refit_equals_fresh_fit(simulated: pd.DataFrame) -> None:
    table = table_for(simulated)
    model = fo.PiecewiseHazard()
    first = model.fit(table, random_seed=3).summary()
    other = table_for(simulated, as_of="2005-01-01")
    model.fit(other, random_seed=4)
    again = model.fit(table, random_seed=3).summary()
    pd.testing.assert_frame_equal(first, again)
