"""Posterior mode and Laplace path: closed forms, maximum likelihood, recovery, NUTS agreement."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.hazard.glm import laplace_draws, poisson_mode
from tests.hazard.conftest import simulate_events

OUT = fo.Outcome("l", "missile_launch")


def test_mode_without_covariates_is_the_gamma_posterior_on_the_log_scale() -> None:
    # λ0 | y ~ Gamma(a + Y, b + E): on η = log λ0 the density is ∝ exp((a+Y)η − (b+E)e^η),
    # whose mode is e^η = (a + Y)/(b + E) with curvature a + Y.
    y, e = np.array([3.0, 0.0, 5.0]), np.array([100.0, 50.0, 250.0])
    a, b = 2.0, 40.0
    mode = poisson_mode(np.zeros((3, 0)), y, e, a=a, b=b, mu=np.zeros(0), sd=np.ones(0))
    assert mode.baseline_rate == pytest.approx((a + 8) / (b + 400), rel=1e-9)
    assert mode.neg_hessian[0, 0] == pytest.approx(a + 8, rel=1e-9)


def test_flat_prior_mode_is_the_maximum_likelihood_cell_rates() -> None:
    # disjoint indicators: the MLE of each cell's rate is events / exposure
    X = np.array([[0, 0], [1, 0], [0, 1]], dtype=float)
    y, e = np.array([10.0, 6.0, 2.0]), np.array([1000.0, 200.0, 400.0])
    mode = poisson_mode(X, y, e, a=0.0, b=0.0, mu=np.zeros(2), sd=np.full(2, 1e6))
    assert mode.baseline_rate == pytest.approx(0.01, rel=1e-6)
    np.testing.assert_allclose(np.exp(mode.beta), [0.03 / 0.01, 0.005 / 0.01], rtol=1e-6)


def test_ridge_keeps_a_cell_without_events_finite_and_tiny() -> None:
    X = np.array([[0.0], [1.0]])
    mode = poisson_mode(
        X, np.array([20.0, 0.0]), np.array([1000.0, 300.0]), a=0, b=0, mu=np.zeros(1), sd=[10.0]
    )
    assert np.isfinite(mode.beta[0]) and np.exp(mode.beta[0]) < 1e-2


def test_no_events_with_a_flat_baseline_prior_is_refused() -> None:
    with pytest.raises(fo.ModelError, match="no events and a flat prior on the baseline rate"):
        poisson_mode(np.zeros((1, 0)), [0.0], [10.0], a=0, b=0, mu=np.zeros(0), sd=np.ones(0))


def test_laplace_draws_have_the_inverse_hessian_covariance() -> None:
    X = np.array([[0.0], [1.0]])
    mode = poisson_mode(
        X, np.array([40.0, 30.0]), np.array([2000.0, 500.0]), a=2, b=100, mu=[0.0], sd=[1.0]
    )
    lam0, beta = laplace_draws(mode, 40_000, np.random.default_rng(0))
    cov = np.cov(np.column_stack([np.log(lam0), beta[:, 0]]).T)
    np.testing.assert_allclose(cov, np.linalg.inv(mode.neg_hessian), rtol=0.05)


def test_laplace_path_matches_the_conjugate_posterior(simulated: pd.DataFrame) -> None:
    table = fo.build_exposure(
        simulated,
        OUT,
        start="2000-01-01",
        as_of="2010-12-01",
        observed_until="2030-01-01",
        covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))],
    )
    exact = fo.PiecewiseHazard(sampler="exact").fit(table, random_seed=1)
    lap = fo.PiecewiseHazard(sampler="laplace").fit(table, random_seed=1)
    assert lap.method_ == "laplace" and lap.diagnostics_.empty
    s_exact, s_lap = exact.summary(), lap.summary()
    # exact gives each cell its own Gamma rate, the Laplace path a Normal(0, 1) log-HR prior:
    # close but not identical priors, so compare at the precision the data allow
    np.testing.assert_allclose(s_lap["median"], s_exact["median"], rtol=0.15)
    f_exact = exact.forecast("2010-11-30", [30, 90], trigger={"type": "plenary_meeting"})
    f_lap = lap.forecast("2010-11-30", [30, 90], trigger={"type": "plenary_meeting"})
    np.testing.assert_allclose(f_lap["p_mean"], f_exact["p_mean"], atol=0.03)


def test_laplace_recovers_window_and_excitation_effects() -> None:
    beta_window, beta_excite = np.log(3.0), 0.8
    events = simulate_events(
        9000,
        0.01,
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
    model = fo.PiecewiseHazard(sampler="laplace").fit(table, random_seed=3)
    s = model.summary(ci_prob=0.95)
    for name, truth in (
        ("plenary_meeting[0-30]", beta_window),
        ("excitation[10d]", beta_excite),
    ):
        assert s.loc[name, "low"] < np.exp(truth) < s.loc[name, "high"], name
    assert s.loc["baseline_rate", "low"] < 0.01 < s.loc["baseline_rate", "high"]


@pytest.mark.slow
def test_laplace_agrees_with_nuts_on_the_real_record() -> None:
    events = fo.load_events()
    table = fo.build_exposure(
        events,
        fo.Outcome("any", "missile_launch"),
        start="2012-01-01",
        as_of="2024-07-02",
        covariates=[
            fo.TriggerWindows("summit", cut_days=(0, 7, 30), during=True),
            fo.Excitation(14),
        ],
    )
    nuts = fo.PiecewiseHazard().fit(table, draws=1000, tune=1000, chains=2, random_seed=5)
    lap = fo.PiecewiseHazard(sampler="laplace").fit(table, draws=1000, chains=2, random_seed=5)
    s_nuts, s_lap = nuts.summary(), lap.summary()
    # medians within a tenth of the posterior's 90% width
    width = s_nuts["high"] - s_nuts["low"]
    assert ((s_lap["median"] - s_nuts["median"]).abs() < 0.1 * width).all(), (s_lap, s_nuts)
    f_n = nuts.forecast("2024-07-01", [30, 60, 90])
    f_l = lap.forecast("2024-07-01", [30, 60, 90])
    # measured (CI, 2026-11-23): Laplace 0.639 / 0.830 / 0.916 vs NUTS 0.617 / 0.818 / 0.910 —
    # the Gaussian approximation runs about 2 points high at 30 days (SBC sees the same lean)
    np.testing.assert_allclose(f_l["p_mean"], f_n["p_mean"], atol=0.035)
