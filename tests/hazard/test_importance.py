"""Importance-corrected Laplace path (PSIS): closed forms, k̂, the NUTS fallback, errors."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import special, stats

import followon as fo
import followon.hazard.piecewise as piecewise
from followon.hazard.glm import poisson_mode
from followon.hazard.importance import (
    MIN_PROPOSALS,
    laplace_importance,
    pareto_smooth,
    systematic_resample,
)
from tests.hazard.conftest import simulate_events

OUT = fo.Outcome("l", "missile_launch")


def _table(events: pd.DataFrame, as_of: str, covariates: list[Any]) -> fo.ExposureTable:
    return fo.build_exposure(
        events,
        OUT,
        start="2000-01-01",
        as_of=as_of,
        observed_until="2030-01-01",
        covariates=covariates,
    )


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return simulate_events(
        2500,
        0.02,
        trigger_every=150,
        window=30,
        hr_window=3.0,
        excitation_decay=10.0,
        hr_excitation=1.5,
        seed=11,
    )


def test_no_covariates_matches_the_gamma_posterior_where_plain_laplace_leans(
    events: pd.DataFrame,
) -> None:
    table = _table(events, "2000-12-01", [])
    fit = fo.PiecewiseHazard(sampler="laplace-is").fit(table, draws=5000, chains=4, random_seed=1)
    assert fit.method_ == "laplace-is" and fit.importance_ is not None
    p = fit.prior_
    alpha = p["baseline_shape"] + float(table.data["events"].sum())
    rate = p["baseline_rate_param"] + float(table.data["exposure"].sum())
    eta = np.log(fit.posterior_draws("baseline_rate"))
    # E[log λ0] = ψ(α) − log(rate), Var = ψ'(α); Monte Carlo error from the weights' ESS
    mean, sd = special.digamma(alpha) - np.log(rate), np.sqrt(special.polygamma(1, alpha))
    se = sd / np.sqrt(fit.importance_["ess"])
    assert abs(eta.mean() - mean) < 4 * se
    probs = [0.05, 0.5, 0.95]
    exact_q = np.log(stats.gamma.ppf(probs, alpha, scale=1 / rate))
    np.testing.assert_allclose(np.quantile(eta, probs), exact_q, atol=4 * 1.7 * se)
    # the plain Laplace path is off by about 1/(2α) on log λ0: far outside that error
    plain = fo.PiecewiseHazard(sampler="laplace").fit(table, draws=5000, chains=4, random_seed=1)
    assert np.log(plain.posterior_draws("baseline_rate")).mean() - mean > 10 * se


def _grid_posterior(
    X: np.ndarray, y: np.ndarray, e: np.ndarray, a: float, b: float, sd: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The (log λ0, β) posterior of one 0/1 indicator on a fine grid: quadrature reference."""
    g0 = np.linspace(-7.0, -1.0, 1201)
    g1 = np.linspace(-4.0, 4.0, 1601)
    eta0, beta = np.meshgrid(g0, g1, indexing="ij")
    logp = a * eta0 - b * np.exp(eta0) - 0.5 * (beta / sd) ** 2
    for xi, yi, ei in zip(X[:, 0], y, e, strict=True):
        lin = eta0 + xi * beta
        logp += yi * lin - ei * np.exp(lin)
    w = np.exp(logp - logp.max())
    return g0, g1, w / w.sum()


def _grid_quantile(grid: np.ndarray, weights: np.ndarray, q: float) -> float:
    return float(np.interp(q, np.cumsum(weights), grid))


def test_disjoint_indicator_matches_quadrature_of_the_glm_posterior(
    events: pd.DataFrame,
) -> None:
    # the "exact" sampler gives each cell its own Gamma prior; the GLM's Normal prior on β has
    # no conjugate form, so the reference here is quadrature on a 1201 × 1601 grid
    table = _table(events, "2001-12-01", [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))])
    fit = fo.PiecewiseHazard(sampler="laplace-is").fit(table, draws=4000, chains=2, random_seed=2)
    assert fit.method_ == "laplace-is"
    c = table.collapsed()
    X = c[table.covariate_names].to_numpy(float)
    p = fit.prior_
    g0, g1, w = _grid_posterior(
        X,
        c["events"].to_numpy(float),
        c["exposure"].to_numpy(float),
        p["baseline_shape"],
        p["baseline_rate_param"],
        float(p["beta_sd"][0]),
    )
    ess = fit.importance_["ess"]
    draws = {
        "eta0": (np.log(fit.posterior_draws("baseline_rate")), g0, w.sum(axis=1)),
        "beta": (fit.posterior_draws("beta")[:, 0], g1, w.sum(axis=0)),
    }
    for name, (values, grid, marginal) in draws.items():
        mean = float(grid @ marginal)
        sd = float(np.sqrt(((grid - mean) ** 2) @ marginal))
        se = sd / np.sqrt(ess)
        assert abs(values.mean() - mean) < 4 * se, name
        for q in (0.05, 0.5, 0.95):
            assert abs(np.quantile(values, q) - _grid_quantile(grid, marginal, q)) < 7 * se, (
                name,
                q,
            )


def test_well_identified_glm_has_small_khat_and_records_its_path(events: pd.DataFrame) -> None:
    table = _table(
        events,
        "2006-11-01",
        [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30)), fo.Excitation(10.0)],
    )
    assert fo.PiecewiseHazard().resolve_sampler(table) == "laplace-is"  # what auto means
    fit = fo.PiecewiseHazard().fit(table, draws=1000, chains=4, random_seed=3)
    record = fit.importance_
    assert fit.method_ == "laplace-is" and record["path"] == "laplace-is"
    assert record["pareto_k"] < 0.3
    assert record["proposals"] == 4000 and record["draws"] == 4000
    assert 0.4 * 4000 < record["ess"] <= 4000 and record["distinct"] > 0.4 * 4000
    assert fit.diagnostics_.empty
    assert fit.diagnostics_.attrs["fit_path"] == (
        f"laplace-is (k̂ = {record['pareto_k']:.2f} ≤ 0.7; weights' ESS "
        f"{record['ess']:.0f} of 4000 proposals)"
    )
    assert fit.idata_["posterior"]["baseline_rate"].shape == (4, 1000)


def test_khat_above_0_7_falls_back_to_nuts(
    events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two trigger windows with no events and a Normal(0, 1000) prior on their log hazard
    # ratios: the posterior is flat far to the left, nothing like the Gaussian at the mode
    quiet = simulate_events(1500, 0.03, trigger_every=200, window=30, hr_window=1e-9, seed=5)
    table = _table(quiet, "2003-12-01", [fo.TriggerWindows("plenary_meeting", cut_days=(0, 7, 30))])
    names = table.covariate_names
    assert all(table.data.loc[table.data[n] > 0, "events"].sum() == 0 for n in names)
    calls: list[dict[str, Any]] = []

    def fake_nuts(*args: Any, **kwargs: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        calls.append(kwargs)
        rng = np.random.default_rng(0)
        shape = (kwargs["chains"], kwargs["draws"])
        posterior = {
            "baseline_rate": rng.gamma(50.0, 1 / 1500.0, size=shape),
            "beta": rng.normal(-5.0, 2.0, size=(*shape, len(names))),
        }
        return posterior, {"diverging": np.zeros(shape, dtype=bool)}

    monkeypatch.setattr(piecewise, "sample_glm", fake_nuts)
    model = fo.PiecewiseHazard(sampler="laplace-is", beta_priors={n: (0.0, 1000.0) for n in names})
    fit = model.fit(table, draws=500, tune=300, chains=2, random_seed=0, progressbar=False)
    assert len(calls) == 1 and calls[0]["method"] == "numpyro" and calls[0]["tune"] == 300
    record = fit.importance_
    assert record["pareto_k"] > 0.7 and record["path"] == "numpyro"
    assert fit.method_ == "numpyro"
    reason = (
        f"laplace-is fell back to NUTS: k̂ = {record['pareto_k']:.2f} > 0.7, the Laplace "
        "proposal is too far from the posterior"
    )
    assert record["reason"] == reason
    assert fit.diagnostics_.attrs["fit_path"] == f"numpyro ({reason})"
    # the draws went through the MCMC convergence gate
    assert list(fit.diagnostics_.index) == ["baseline_rate", *(f"beta[{n}]" for n in names)]


def test_fit_path_survives_save_and_load(events: pd.DataFrame, tmp_path: Any) -> None:
    table = _table(events, "2001-12-01", [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))])
    fit = fo.PiecewiseHazard(sampler="laplace-is").fit(table, draws=200, chains=2, random_seed=4)
    loaded = fo.PiecewiseHazard.load(fit.save(tmp_path / "fit.nc"), table)
    assert loaded.method_ == "laplace-is" and loaded.importance_ == fit.importance_
    assert loaded.diagnostics_.attrs["fit_path"] == fit.diagnostics_.attrs["fit_path"]
    plain = fo.PiecewiseHazard(sampler="laplace").fit(table, draws=200, random_seed=4)
    assert plain.importance_ is None and plain.diagnostics_.attrs["fit_path"] == "laplace"


def test_systematic_resampling_gives_each_proposal_floor_or_ceil_copies() -> None:
    rng = np.random.default_rng(5)
    w = rng.dirichlet(np.ones(50))
    index = systematic_resample(w, 1000, rng)
    counts = np.bincount(index, minlength=50)
    assert counts.sum() == 1000
    assert (counts >= np.floor(1000 * w)).all() and (counts <= np.ceil(1000 * w)).all()


def test_pareto_smoothing_flags_heavy_tails_and_bad_ratios() -> None:
    rng = np.random.default_rng(6)
    light, k_light = pareto_smooth(rng.normal(size=4000))
    assert k_light < 0.3 and np.exp(light).sum() == pytest.approx(1.0)
    # log ratios exponential with rate 1/2: weights Pareto with k = 2 in the tail
    assert pareto_smooth(rng.exponential(2.0, size=4000))[1] > 1.0
    assert pareto_smooth(np.array([0.0, np.nan, 1.0] * 100))[1] == np.inf


def test_bad_settings_are_refused_with_one_clear_message(events: pd.DataFrame) -> None:
    with pytest.raises(
        fo.ModelError,
        match=r"^sampler 'laplace_is' \(did you mean 'laplace-is'\?\) is not one of auto, exact, "
        r"laplace, laplace-is, pymc, nutpie, numpyro \(the piecewise model\)\.$",
    ):
        fo.PiecewiseHazard(sampler="laplace_is").fit(_table(events, "2000-12-01", []))
    X, y, e = np.zeros((1, 0)), np.array([10.0]), np.array([500.0])
    mode = poisson_mode(X, y, e, a=2.0, b=100.0, mu=np.zeros(0), sd=np.ones(0))
    kwargs = {"a": 2.0, "b": 100.0, "mu": np.zeros(0), "sd": np.ones(0), "n": 10}
    rng = np.random.default_rng(0)
    with pytest.raises(fo.ModelError, match=r"^the Student-t proposal needs df > 0, not 0\.0\.$"):
        laplace_importance(mode, X, y, e, rng=rng, df=0.0, **kwargs)
    with pytest.raises(
        fo.ModelError,
        match=r"^PSIS needs at least 100 proposals to fit the Pareto tail, not 50\.$",
    ):
        laplace_importance(mode, X, y, e, rng=rng, proposals=50, **kwargs)
    assert laplace_importance(mode, X, y, e, rng=rng, **kwargs).proposals == MIN_PROPOSALS


@pytest.mark.slow
def test_laplace_is_agrees_with_nuts_on_the_real_record() -> None:
    # the design of test_glm's Laplace-vs-NUTS check, where plain Laplace runs ~2 points high
    table = fo.build_exposure(
        fo.load_events(),
        fo.Outcome("any", "missile_launch"),
        start="2012-01-01",
        as_of="2024-07-02",
        covariates=[
            fo.TriggerWindows("summit", cut_days=(0, 7, 30), during=True),
            fo.Excitation(14),
        ],
    )
    nuts = fo.PiecewiseHazard().fit(table, draws=1000, tune=1000, chains=2, random_seed=5)
    fit = fo.PiecewiseHazard(sampler="laplace-is").fit(table, draws=1000, chains=2, random_seed=5)
    assert fit.method_ == "laplace-is" and fit.importance_["pareto_k"] < 0.5
    s_nuts, s_is = nuts.summary(), fit.summary()
    width = s_nuts["high"] - s_nuts["low"]
    for col in ("median", "low", "high"):
        assert ((s_is[col] - s_nuts[col]).abs() < 0.1 * width).all(), (col, s_is, s_nuts)
    f_n = nuts.forecast("2024-07-01", [30, 60, 90])
    f_is = fit.forecast("2024-07-01", [30, 60, 90])
    # measured (2026-12-01): laplace-is 0.596 / 0.804 / 0.901, NUTS 0.594 / 0.803 / 0.901,
    # plain Laplace 0.614 / 0.814 / 0.906 (k̂ = −0.18, weights' ESS 1648 of 2200 proposals)
    np.testing.assert_allclose(f_is["p_mean"], f_n["p_mean"], atol=0.015)
