"""Simulation-based calibration: uniformity tests, correct models pass, broken models fail."""

from __future__ import annotations

import dataclasses
import warnings
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import followon as fo
from followon.evaluation import SBCResult, sbc_uniformity, simulation_based_calibration
from followon.plotting import plot_sbc_ecdf
from tests.hazard.conftest import simulate_events

OUT = fo.Outcome("l", "missile_launch")
PROB = 0.99
"""Band level per quantity: five quantities at 0.99 keep a correct model's family-wise false
alarm near 5%; the broken models below leave the band by far."""


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


def _table(events: pd.DataFrame, covariates: list[Any]) -> fo.ExposureTable:
    return fo.build_exposure(
        events,
        OUT,
        start="2000-01-01",
        as_of="2006-11-01",
        observed_until="2030-01-01",
        covariates=covariates,
    )


@pytest.fixture(scope="module")
def plain(events: pd.DataFrame) -> fo.ExposureTable:
    return _table(events, [])


@pytest.fixture(scope="module")
def windows(events: pd.DataFrame) -> fo.ExposureTable:
    return _table(events, [fo.TriggerWindows("plenary_meeting", cut_days=(0, 7, 30))])


@pytest.fixture(scope="module")
def excitation(events: pd.DataFrame) -> fo.ExposureTable:
    return _table(
        events, [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30)), fo.Excitation(10.0)]
    )


# ---------------------------------------------------------------------- broken models
class DoubledExposure(fo.PiecewiseHazard):
    """A broken likelihood: fits as if every day were two days at risk."""

    def fit(self, table: fo.ExposureTable, **kwargs: Any) -> fo.PiecewiseHazard:
        data = table.data.assign(exposure=2.0 * table.data["exposure"])
        return super().fit(dataclasses.replace(table, data=data), **kwargs)


class HalvedBetaSd(fo.PiecewiseHazard):
    """Fits with half the prior sd of each log hazard ratio that SBC simulates from."""

    def fit(self, table: fo.ExposureTable, **kwargs: Any) -> fo.PiecewiseHazard:
        sd, self.beta_sd = self.beta_sd, self.beta_sd / 2
        try:
            return super().fit(table, **kwargs)
        finally:
            self.beta_sd = sd


class FlippedSign(fo.PiecewiseHazard):
    """A sign error: fits exp(−x β), so the data were simulated with −β."""

    def fit(self, table: fo.ExposureTable, **kwargs: Any) -> fo.PiecewiseHazard:
        flipped = {n: -table.data[n] for n in table.covariate_names}
        return super().fit(dataclasses.replace(table, data=table.data.assign(**flipped)), **kwargs)


# ---------------------------------------------------------------------- uniformity tests
def test_uniform_ranks_pass_and_piled_up_ranks_fail() -> None:
    rng = np.random.default_rng(0)
    L = 99
    ranks = pd.DataFrame(
        {
            "uniform": rng.integers(0, L + 1, 200),
            # posteriors too narrow: the truth often falls in a tail, ranks pile up at both ends
            "narrow": (stats.norm.cdf(rng.normal(0, 2, 200)) * (L + 1)).astype(int).clip(0, L),
            "shifted": np.minimum(rng.integers(0, L + 1, 200) + 25, L),
        }
    )
    out = sbc_uniformity(ranks, L)
    assert list(out.columns) == [
        "chi2",
        "chi2_df",
        "chi2_p",
        "ecdf_p",
        "max_abs_diff",
        "inside_band",
    ]
    assert out.loc["uniform", "inside_band"] and out.loc["uniform", "ecdf_p"] > 0.1
    assert out.loc["uniform", "chi2_p"] > 0.05
    for bad in ("narrow", "shifted"):
        assert not out.loc[bad, "inside_band"] and out.loc[bad, "ecdf_p"] < 0.001, bad
        assert out.loc[bad, "chi2_p"] < 0.001, bad
    assert out.attrs == {"n_sims": 200, "L": 99, "bins": 20, "prob": 0.95}


def test_simultaneous_band_has_its_coverage_for_uniform_ranks() -> None:
    # the band is calibrated by simulation: fresh uniform samples leave it about 5% of the time
    rng = np.random.default_rng(1)
    L, n = 49, 80
    ranks = pd.DataFrame(rng.integers(0, L + 1, size=(n, 400)))
    inside = sbc_uniformity(ranks, L, random_seed=3)["inside_band"].mean()
    assert 0.92 < inside < 0.98


def test_bad_ranks_are_refused() -> None:
    with pytest.raises(fo.EvaluationError, match=r"ranks must lie in 0 … L = 9"):
        sbc_uniformity(pd.DataFrame({"q": [0, 10]}), 9)
    with pytest.raises(fo.EvaluationError, match="whole numbers"):
        sbc_uniformity(pd.DataFrame({"q": [0.5, 1]}), 9)
    with pytest.raises(fo.EvaluationError, match="bins must be between 2 and L"):
        sbc_uniformity(pd.DataFrame({"q": [0, 1]}), 9, bins=11)


def test_arguments_are_checked(plain: fo.ExposureTable) -> None:
    with pytest.raises(fo.EvaluationError, match="n_sims must be an integer ≥ 1"):
        simulation_based_calibration(plain, fo.PiecewiseHazard, n_sims=0)
    with pytest.raises(fo.EvaluationError, match="must return a HazardModel"):
        simulation_based_calibration(plain, lambda: "model", n_sims=1)  # type: ignore[arg-type,return-value]
    fitted = fo.PiecewiseHazard(sampler="exact").fit(plain, draws=10, random_seed=0)
    with pytest.raises(fo.EvaluationError, match="new, unfitted model"):
        simulation_based_calibration(plain, lambda: fitted, n_sims=1)


# ---------------------------------------------------------------------- fast tier
def test_exact_path_without_covariates_is_calibrated(plain: fo.ExposureTable) -> None:
    result = simulation_based_calibration(
        plain, lambda: fo.PiecewiseHazard(sampler="exact"), n_sims=100, draws=99, random_seed=1
    )
    assert isinstance(result, SBCResult) and result.method == "exact" and result.L == 99
    assert list(result.ranks.columns) == ["log_baseline_rate", "log_likelihood", "p_event_60d"]
    assert result.ranks.shape == result.truth.shape == (100, 3)
    assert result.ranks.to_numpy().min() >= 0 and result.ranks.to_numpy().max() <= 99
    # the same call gives the same ranks
    again = simulation_based_calibration(
        plain, lambda: fo.PiecewiseHazard(sampler="exact"), n_sims=5, draws=99, random_seed=1
    )
    pd.testing.assert_frame_equal(again.ranks, result.ranks.iloc[:5])
    assert result.test(prob=PROB)["inside_band"].all(), result.test(prob=PROB)


def test_exact_path_with_window_indicators_is_calibrated(windows: fo.ExposureTable) -> None:
    result = simulation_based_calibration(
        windows, lambda: fo.PiecewiseHazard(sampler="exact"), n_sims=120, draws=99, random_seed=2
    )
    assert result.method == "exact"
    assert list(result.ranks.columns) == [
        "log_baseline_rate",
        "plenary_meeting[0-7]",
        "plenary_meeting[8-30]",
        "log_likelihood",
        "p_event_60d",
    ]
    test = result.test(prob=PROB)
    assert test["inside_band"].all(), test


def test_laplace_path_with_windows_and_excitation_is_calibrated(
    excitation: fo.ExposureTable,
) -> None:
    # The Laplace path is an approximation: with ~40 events per replicate, 1000 replicates do
    # detect its small upward bias on the baseline rate (ecdf_p ≈ 0.003; the Gaussian at the
    # mode of log λ0 ignores the left skew of the log-Gamma posterior). 100 replicates check
    # that it is not grossly off, as the broken models below are.
    result = simulation_based_calibration(
        excitation,
        lambda: fo.PiecewiseHazard(sampler="laplace"),
        n_sims=100,
        draws=99,
        random_seed=3,
        horizon_days=30,
    )
    assert result.method == "laplace"
    assert "excitation[10d]" in result.ranks.columns and "p_event_30d" in result.ranks.columns
    test = result.test(prob=PROB)
    assert test["inside_band"].all(), test


def test_importance_corrected_laplace_path_is_calibrated(excitation: fo.ExposureTable) -> None:
    # the Laplace test above, on sampler="laplace-is" (PSIS from a Student-t at the mode)
    result = simulation_based_calibration(
        excitation,
        lambda: fo.PiecewiseHazard(sampler="laplace-is"),
        n_sims=100,
        draws=99,
        random_seed=3,
        horizon_days=30,
    )
    assert result.method == "laplace-is"
    test = result.test(prob=PROB)
    assert test["inside_band"].all(), test


def test_the_laplace_lean_does_not_come_back_with_importance_weights(
    events: pd.DataFrame,
) -> None:
    # The lean of the plain Laplace path on log λ0 (Gaussian at the mode, left-skewed
    # posterior) needs ~1000 replicates to show. A design without covariates (one collapsed
    # row, ≈ 18 events per replicate) makes them cheap: the same 1000 replicates fail the plain
    # path (measured ecdf_p 0.0014, mean rank 0.461) and pass the corrected one (0.34, 0.493).
    table = fo.build_exposure(
        events, OUT, start="2000-01-01", as_of="2001-07-01", observed_until="2030-01-01"
    )
    runs = {
        s: simulation_based_calibration(
            table, lambda s=s: fo.PiecewiseHazard(sampler=s), n_sims=1000, draws=99, random_seed=3
        )
        for s in ("laplace", "laplace-is")
    }
    lean = runs["laplace"].test(prob=PROB).loc["log_baseline_rate"]
    assert lean["ecdf_p"] < 0.01, lean
    fixed = runs["laplace-is"].test(prob=PROB)
    assert fixed["inside_band"].all() and (fixed["ecdf_p"] > 0.05).all(), fixed


def test_doubled_exposure_fails_on_the_exact_path(windows: fo.ExposureTable) -> None:
    result = simulation_based_calibration(
        windows, lambda: DoubledExposure(sampler="exact"), n_sims=30, draws=99, random_seed=4
    )
    test = result.test(prob=PROB)
    for q in ("log_baseline_rate", "log_likelihood", "p_event_60d"):
        assert not test.loc[q, "inside_band"] and test.loc[q, "ecdf_p"] < 1e-3, test


@pytest.mark.parametrize(
    ("broken", "failing"),
    [
        (DoubledExposure, ("log_baseline_rate", "log_likelihood")),
        (HalvedBetaSd, ("excitation[10d]",)),
        (FlippedSign, ("plenary_meeting[0-30]", "excitation[10d]", "log_likelihood")),
    ],
)
def test_broken_models_fail_on_the_laplace_path(
    excitation: fo.ExposureTable, broken: type[fo.PiecewiseHazard], failing: tuple[str, ...]
) -> None:
    result = simulation_based_calibration(
        excitation, lambda: broken(sampler="laplace"), n_sims=40, draws=99, random_seed=6
    )
    test = result.test(prob=PROB)
    for q in failing:
        assert not test.loc[q, "inside_band"] and test.loc[q, "ecdf_p"] < 1e-3, (q, test)


# ---------------------------------------------------------------------- plot
def test_plot_sbc_ecdf_draws_one_line_per_quantity_and_the_band(
    windows: fo.ExposureTable,
) -> None:
    result = simulation_based_calibration(
        windows, lambda: fo.PiecewiseHazard(sampler="exact"), n_sims=10, draws=49, random_seed=7
    )
    ax = plot_sbc_ecdf(result)
    try:
        assert ax.get_title() == ""
        steps = [line for line in ax.get_lines() if line.get_label() in result.ranks.columns]
        assert [line.get_label() for line in steps] == list(result.ranks.columns)
        assert len({line.get_color() for line in steps}) == len(steps)
        assert [line.get_linestyle() for line in steps[:4]] == ["-", "--", "-.", ":"]
        assert len(ax.collections) == 1  # the band
        band = ax.collections[0].get_paths()[0].vertices
        assert band[:, 1].min() < 0 < band[:, 1].max()
        assert ax.get_xlim() == (0.0, 1.0)
        assert ax.get_legend() is not None
    finally:
        plt.close(ax.figure)


def test_plot_sbc_ecdf_refuses_other_input() -> None:
    with pytest.raises(fo.EvaluationError, match="draws an SBCResult"):
        plot_sbc_ecdf(pd.DataFrame())  # type: ignore[arg-type]


# ---------------------------------------------------------------------- slow: NUTS
@pytest.mark.slow
def test_nuts_is_calibrated_on_a_small_design(events: pd.DataFrame) -> None:
    table = fo.build_exposure(
        events,
        OUT,
        start="2000-01-01",
        as_of="2003-01-01",
        observed_until="2030-01-01",
        covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30)), fo.Excitation(10.0)],
    )
    # ≈ 170 s on the 2-core CI machine under load (40 fits of 2 × (200 + 200) NUTS steps)
    with warnings.catch_warnings():
        # 2 × 200 draws cannot reach the ESS ≥ 400 gate; ranks use every 4th draw (L = 100)
        warnings.simplefilter("ignore", fo.ConvergenceWarning)
        result = simulation_based_calibration(
            table,
            lambda: fo.PiecewiseHazard(sampler="numpyro"),
            n_sims=40,
            draws=200,
            tune=200,
            chains=2,
            random_seed=8,
        )
    assert not result.diagnostics["warning"].str.contains("divergent").any()
    assert result.method == "numpyro" and result.L == 100
    test = result.test(prob=PROB)
    assert test["inside_band"].all(), test


# ---------------------------------------------------------------------- through the contract
class HawkesDoubledExposure(fo.HawkesHazard):
    """A broken self-exciting likelihood: every day counted as two days at risk."""

    def fit(self, table: fo.ExposureTable, **kwargs: Any) -> fo.HawkesHazard:
        data = table.data.assign(exposure=2.0 * table.data["exposure"])
        return super().fit(dataclasses.replace(table, data=data), **kwargs)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::followon.errors.ConvergenceWarning")
def test_hawkes_calibrates_through_the_contract_and_a_broken_one_fails() -> None:
    """SBC of the hawkes model by the generic path: its prior, its simulator (excitation fed
    back, history replaced), Metropolis refits; a doubled exposure is caught."""
    table = fo.build_exposure(
        fo.load_events(),
        fo.Outcome("any", "missile_launch"),
        start="2019-01-01",
        as_of="2023-01-01",
        covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))],
    )
    kwargs = {"draws": 200, "tune": 300, "chains": 2}
    good = simulation_based_calibration(
        table, lambda: fo.HawkesHazard(sampler="metropolis"), n_sims=40, random_seed=3, **kwargs
    )
    assert good.method == "metropolis"
    assert list(good.ranks.columns) == [
        "baseline_rate",
        "beta",
        "branching_ratio",
        "decay_days",
        "alpha",
        "log_likelihood",
        "p_event_60d",
    ]
    assert (good.test()["chi2_p"] > 0.001).all(), good.test()
    bad = simulation_based_calibration(
        table,
        lambda: HawkesDoubledExposure(sampler="metropolis"),
        n_sims=20,
        random_seed=4,
        **kwargs,
    )
    assert bad.test().loc["baseline_rate", "chi2_p"] < 0.001
