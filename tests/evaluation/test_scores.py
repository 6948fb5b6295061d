"""Scoring rules, PAV and CORP against closed forms and brute force; the backtest score table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.errors import EvaluationError, FollowonError
from followon.evaluation import (
    BACKTEST_COLUMNS,
    brier_score,
    brier_skill,
    calibrated_coverage,
    corp_decomposition,
    interval_coverage,
    log_score,
    log_skill,
    pav,
    reliability_curve,
    score_table,
)

SEED = 20240628


def brute_force_isotonic(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The min–max formula of isotonic regression, O(m³), ties pooled: an independent reference.

    fit(x_i) = min over k ≥ i of max over j ≤ i of mean(y over distinct values j … k).
    """
    values = np.unique(p)
    sums = np.array([y[p == v].sum() for v in values])
    counts = np.array([(p == v).sum() for v in values], dtype=float)
    m = len(values)
    fit = np.array(
        [
            min(
                max(sums[j : k + 1].sum() / counts[j : k + 1].sum() for j in range(i + 1))
                for k in range(i, m)
            )
            for i in range(m)
        ]
    )
    return fit[np.searchsorted(values, p)]


# --------------------------------------------------------------------------- closed forms


def test_brier_of_constant_forecasts() -> None:
    y = np.array([1, 0, 0, 1, 0, 0, 0, 0, 1, 0])  # ȳ = 0.3
    # BS(c) = (c − ȳ)² + ȳ(1 − ȳ)
    assert brier_score(np.full(10, 0.2), y) == pytest.approx(0.01 + 0.21, abs=1e-15)
    assert brier_score(np.full(10, 0.3), y) == pytest.approx(0.21, abs=1e-15)
    assert brier_score([1.0, 0.0], [1, 0]) == 0.0
    assert brier_score([0.0, 1.0], [1, 0]) == 1.0


def test_log_score_by_hand_and_clipping() -> None:
    assert log_score([0.8, 0.3], [1, 0]) == pytest.approx(-(math.log(0.8) + math.log(0.7)) / 2)
    assert log_score([0.5, 0.5, 0.5], [1, 0, 1]) == pytest.approx(math.log(2))
    # a sure forecast that fails costs −log(eps), not infinity
    assert log_score([0.0], [1]) == pytest.approx(-math.log(1e-6))
    assert log_score([1.0], [0], eps=1e-3) == pytest.approx(-math.log(1e-3), rel=1e-9)
    assert log_score([1.0, 0.0], [1, 0]) == pytest.approx(-math.log(1 - 1e-6))
    with pytest.raises(EvaluationError, match=r"^eps must be between 0 and 0.5, not 0.7\.$"):
        log_score([0.5], [1], eps=0.7)


def test_log_skill() -> None:
    y = [1, 0, 0, 1]
    p, ref = [0.8, 0.3, 0.1, 0.6], [0.5] * 4
    nats = -(np.log(0.8) + np.log(0.7) + np.log(0.9) + np.log(0.6)) / 4
    assert log_skill(p, y, ref) == pytest.approx(1 - nats / np.log(2))
    assert log_skill(ref, y, ref) == 0.0
    assert log_skill([0.1, 0.9, 0.9, 0.1], y, ref) < 0
    with pytest.raises(
        EvaluationError, match=r"^p_ref and y must have the same length, not 3 and 4\.$"
    ):
        log_skill(p, y, [0.5] * 3)


def test_brier_skill() -> None:
    y = [0, 1, 1, 0]
    p, ref = [0.1, 0.9, 0.7, 0.2], [0.5, 0.5, 0.5, 0.5]
    expected = 1 - ((0.01 + 0.01 + 0.09 + 0.04) / 4) / 0.25
    assert brier_skill(p, y, ref) == pytest.approx(expected)
    assert brier_skill(ref, y, ref) == 0.0
    assert brier_skill([0.9, 0.1, 0.1, 0.9], y, ref) < 0
    assert math.isnan(brier_skill(p, y, [0.0, 1.0, 1.0, 0.0]))  # a perfect reference: undefined


# --------------------------------------------------------------------------- PAV


def test_pav_hand_examples() -> None:
    np.testing.assert_allclose(pav([0.1, 0.2, 0.3, 0.4], [1, 0, 0, 1]), [1 / 3, 1 / 3, 1 / 3, 1])
    # already monotone: unchanged
    np.testing.assert_array_equal(pav([0.1, 0.5, 0.9], [0, 0, 1]), [0, 0, 1])
    # all decreasing: one pool
    np.testing.assert_allclose(pav([0.1, 0.5, 0.9], [1, 1, 0]), [2 / 3] * 3)
    # input order is kept
    np.testing.assert_allclose(pav([0.4, 0.1, 0.3, 0.2], [1, 1, 0, 0]), [1, 1 / 3, 1 / 3, 1 / 3])


def test_pav_pools_ties_first() -> None:
    # without pooling ties, the rows ordered (0, 1) would be monotone and fit as 0 and 1
    np.testing.assert_array_equal(pav([0.3, 0.3, 0.6], [0, 1, 1]), [0.5, 0.5, 1.0])
    np.testing.assert_array_equal(pav([0.3, 0.3, 0.6], [1, 0, 1]), [0.5, 0.5, 1.0])
    np.testing.assert_allclose(pav([0.2, 0.2, 0.5, 0.5], [1, 0, 0, 0]), [0.25] * 4)


@pytest.mark.parametrize("n", [1, 2, 7, 40])
def test_pav_matches_brute_force(n: int) -> None:
    rng = np.random.default_rng(SEED + n)
    for _ in range(20):
        p = rng.choice(np.linspace(0, 1, 11), size=n)  # coarse grid: many ties
        y = (rng.random(n) < p).astype(float)
        np.testing.assert_allclose(pav(p, y), brute_force_isotonic(p, y), rtol=0, atol=1e-12)


def test_pav_is_monotone_and_calibrated_in_sample() -> None:
    rng = np.random.default_rng(SEED)
    p = rng.beta(1, 4, size=500)
    y = (rng.random(500) < p**0.7).astype(float)
    fit = pav(p, y)
    order = np.argsort(p)
    assert np.all(np.diff(fit[order]) >= 0)
    assert fit.mean() == pytest.approx(y.mean(), abs=1e-12)


# --------------------------------------------------------------------------- CORP


def test_corp_perfectly_calibrated_and_sharp() -> None:
    y = np.array([1, 0, 0, 1, 0, 0, 0, 1])
    d = corp_decomposition(y.astype(float), y)
    assert d["brier"] == 0.0 and d["reliability"] == 0.0
    assert d["resolution"] == d["uncertainty"] == pytest.approx(3 / 8 * 5 / 8)


def test_corp_climatology_has_no_miscalibration_or_discrimination() -> None:
    y = np.array([1, 0, 0, 1, 0])
    d = corp_decomposition(np.full(5, 0.4), y)
    assert d["reliability"] == pytest.approx(0, abs=1e-15)
    assert d["resolution"] == pytest.approx(0, abs=1e-15)
    assert d["uncertainty"] == pytest.approx(0.24)


def test_corp_miscalibrated_case_with_known_pav_fit() -> None:
    # PAV fit [1/3, 1/3, 1/3, 1]; S(p) = 1.3/4, S(fit) = (4/9 + 1/9 + 1/9)/4 = 1/6, ȳ = 1/2
    d = corp_decomposition([0.1, 0.2, 0.3, 0.4], [1, 0, 0, 1])
    assert d["brier"] == pytest.approx(0.325)
    assert d["reliability"] == pytest.approx(0.325 - 1 / 6)
    assert d["resolution"] == pytest.approx(0.25 - 1 / 6)
    assert d["uncertainty"] == pytest.approx(0.25)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_corp_identity_on_random_data(seed: int) -> None:
    rng = np.random.default_rng(seed)
    p = rng.uniform(0, 1, size=300)
    y = (rng.random(300) < 0.3 + 0.4 * p).astype(float)  # miscalibrated on purpose
    d = corp_decomposition(p, y)
    assert d["brier"] == brier_score(p, y)
    assert d["reliability"] - d["resolution"] + d["uncertainty"] == pytest.approx(
        d["brier"], rel=0, abs=1e-14
    )
    assert d["reliability"] > 0.01 and d["resolution"] > 0
    assert d["uncertainty"] == pytest.approx(y.mean() * (1 - y.mean()), abs=1e-14)


# --------------------------------------------------------------------------- coverage and curve


def test_interval_coverage() -> None:
    y, pm = [1, 0, 0, 1], [0.1, 0.2, 0.3, 0.4]  # PAV fit [1/3, 1/3, 1/3, 1]
    assert interval_coverage([0.0] * 4, [0.5] * 4, y, p_mean=pm) == 0.75
    assert interval_coverage([0.0] * 4, [1.0] * 4, y, p_mean=pm) == 1.0
    assert interval_coverage([0.4, 0.0, 0.0, 0.9], [0.5, 0.3, 0.4, 1.0], y, p_mean=pm) == 0.5
    # a missing interval is left out of the share
    nan = float("nan")
    assert interval_coverage([nan, 0.0, 0.0, 0.9], [nan, 0.3, 0.4, 1.0], y, p_mean=pm) == (2 / 3)
    assert math.isnan(interval_coverage([nan] * 4, [nan] * 4, y, p_mean=pm))
    with pytest.raises(
        EvaluationError,
        match=r"^p_low must not exceed p_high; it does at position 1 \(0\.6 > 0\.5\)\.$",
    ):
        interval_coverage([0.0, 0.6, 0.0, 0.0], [0.5] * 4, y, p_mean=pm)


def test_calibrated_coverage_is_the_binomial_chance_of_the_interval() -> None:
    from scipy.stats import binom

    # n equal forecasts p pool into one PAV block, so the recalibrated frequency is K / n with
    # K ~ Binomial(n, p): the coverage of [a, b] is P(a ≤ K / n ≤ b), the same for every case
    n, p, a, b = 20, 0.9, 0.8, 0.999
    k = np.arange(n + 1)
    exact = float(binom.pmf(k[(k / n >= a) & (k / n <= b)], n, p).sum())
    got = calibrated_coverage([a] * n, [b] * n, [p] * n, n_boot=4000, random_seed=SEED)
    assert got["mean"] == pytest.approx(exact, abs=0.02)
    # each resample's coverage is 0 or 1 here, so the 90% range is [0, 1]
    assert (got["low"], got["high"]) == (0.0, 1.0)
    # an interval that stops short of 1 never covers an all-event block (K = n): however wide,
    # it loses P(K = n) = p^n of the time; one that reaches 1 does not
    low_only = calibrated_coverage([0.0] * n, [b] * n, [p] * n, n_boot=4000, random_seed=SEED)
    assert low_only["mean"] == pytest.approx(1 - p**n, abs=0.02)
    whole = calibrated_coverage([0.0] * n, [1.0] * n, [p] * n, n_boot=50, random_seed=SEED)
    assert whole == {"mean": 1.0, "low": 1.0, "high": 1.0}
    # missing intervals are left out; seeded
    nan = float("nan")
    assert math.isnan(calibrated_coverage([nan], [nan], [0.5])["mean"])
    again = calibrated_coverage([a] * n, [b] * n, [p] * n, n_boot=4000, random_seed=SEED)
    assert again == got


def _correct_bayes_coverage(n: int, sd: float, reps: int, rng: np.random.Generator) -> float:
    """Mean coverage90 of a forecaster whose posterior is exactly right, over ``reps`` records.

    Per case the posterior of the log cumulative hazard is N(m, sd²) and the truth is drawn from
    that very posterior, so E[y | forecast] = p_mean exactly and the 90% interval of P contains
    the true P 90% of the time.
    """
    from scipy.stats import norm

    nodes, weights = np.polynomial.hermite_e.hermegauss(40)
    weights = weights / weights.sum()
    z05, z95 = norm.ppf([0.05, 0.95])

    def prob(log_h: np.ndarray) -> np.ndarray:
        return -np.expm1(-np.exp(log_h))

    cover = []
    for _ in range(reps):
        m = rng.uniform(np.log(0.1), np.log(4.5), n)  # p_mean from about 0.1 to 0.98
        y = (rng.random(n) < prob(m + sd * rng.standard_normal(n))).astype(float)
        p_mean = prob(m[:, None] + sd * nodes[None, :]) @ weights
        cover.append(interval_coverage(prob(m + sd * z05), prob(m + sd * z95), y, p_mean=p_mean))
    return float(np.mean(cover))


def test_coverage90_of_a_correct_model_is_not_nominal() -> None:
    # coverage90 compares each 90% interval with a PAV estimate, not with the truth: for a
    # forecaster that is exactly right it is not 0.9 but depends on the number of forecasts and
    # the intervals' width, and tends to 1 as the record grows (PAV's frequency tends to
    # p_mean, which every interval contains). docs/backtest.md cites this.
    rng = np.random.default_rng(SEED)
    assert _correct_bayes_coverage(100, 0.25, 40, rng) < 0.7  # narrow intervals, short record
    assert _correct_bayes_coverage(5000, 0.5, 10, rng) > 0.97  # a long record
    assert 0.85 < _correct_bayes_coverage(287, 0.6, 40, rng) < 0.97  # the DPRK backtest's size


def test_calibrated_coverage_bad_input() -> None:
    with pytest.raises(EvaluationError, match=r"^n_boot must be a whole number ≥ 1, not 0\.$"):
        calibrated_coverage([0.1], [0.9], [0.5], n_boot=0)
    with pytest.raises(EvaluationError, match=r"^ci_prob must be between 0 and 1, not 1\.0\.$"):
        calibrated_coverage([0.1], [0.9], [0.5], ci_prob=1.0)
    with pytest.raises(
        EvaluationError,
        match=r"^p_low, p_high and p_mean must have the same length, not 1, 1 and 2\.$",
    ):
        calibrated_coverage([0.1], [0.9], [0.5, 0.5])
    with pytest.raises(
        EvaluationError,
        match=r"^p_low must not exceed p_high; it does at position 0 \(0\.9 > 0\.1\)\.$",
    ):
        calibrated_coverage([0.9], [0.1], [0.5])


def test_reliability_curve() -> None:
    rng = np.random.default_rng(SEED)
    p = np.round(rng.uniform(0.05, 0.6, size=400), 2)
    y = (rng.random(400) < p).astype(float)  # calibrated
    curve = reliability_curve(p, y, n_boot=300, random_seed=SEED)
    assert list(curve.columns) == ["p", "p_recal", "low", "high", "n"]
    np.testing.assert_array_equal(curve["p"], np.unique(p))
    assert curve["n"].sum() == 400
    fit = pav(p, y)
    np.testing.assert_array_equal(curve["p_recal"], [fit[p == v][0] for v in curve["p"]])
    assert (curve["low"] <= curve["high"]).all()
    # the bands are drawn under calibration, so they hold the diagonal nearly everywhere
    inside = (curve["low"] <= curve["p"]) & (curve["p"] <= curve["high"])
    assert inside.mean() > 0.9
    # ... and are narrower in the middle than at the ends, where PAV pools few forecasts
    width = curve["high"] - curve["low"]
    assert width.iloc[len(width) // 2] < width.iloc[-1]
    # reproducible with the seed; another seed gives another band
    again = reliability_curve(p, y, n_boot=300, random_seed=SEED)
    pd.testing.assert_frame_equal(curve, again)
    other = reliability_curve(p, y, n_boot=300, random_seed=SEED + 1)
    assert not np.array_equal(curve["low"], other["low"])
    # wider bands for a larger ci_prob
    wide = reliability_curve(p, y, n_boot=300, ci_prob=0.99, random_seed=SEED)
    assert (wide["high"] - wide["low"]).sum() > width.sum()


def test_reliability_curve_bands_flag_miscalibration() -> None:
    rng = np.random.default_rng(SEED)
    p = rng.uniform(0, 1, size=600)
    y = (rng.random(600) < p**3).astype(float)  # over-forecasting
    curve = reliability_curve(p, y, random_seed=SEED)
    outside = (curve["p_recal"] < curve["low"]) | (curve["p_recal"] > curve["high"])
    assert outside.mean() > 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_boot": 0}, r"^n_boot must be a whole number ≥ 1, not 0\.$"),
        ({"n_boot": 2.5}, r"^n_boot must be a whole number ≥ 1, not 2\.5\.$"),
        ({"ci_prob": 1.0}, r"^ci_prob must be between 0 and 1, not 1\.0\.$"),
    ],
)
def test_reliability_curve_bad_arguments(kwargs: dict[str, float], message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        reliability_curve([0.2, 0.4], [0, 1], **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("p", "y", "message"),
    [
        (
            [0.2, 1.2, -0.1],
            [0, 1, 0],
            r"^p must be probabilities in \[0, 1\]; 2 value\(s\) are not, the first 1\.2 at position 1\.$",
        ),
        (
            [0.2, float("nan")],
            [0, 1],
            r"^p must be probabilities in \[0, 1\]; 1 value\(s\) are not, the first nan at position 1\.$",
        ),
        (
            [0.2, 0.3],
            [0, 0.5],
            r"^y must be 0 or 1 \(drop censored forecasts\); 1 value\(s\) are not, the first 0\.5 at position 1\.$",
        ),
        (
            [0.2, 0.3],
            [0, float("nan")],
            r"^y must be 0 or 1 \(drop censored forecasts\); 1 value\(s\) are not, the first nan at position 1\.$",
        ),
        ([0.2, 0.3], [0], r"^p and y must have the same length, not 2 and 1\.$"),
        ([], [], r"^p and y are empty; a score needs at least one forecast\.$"),
        ([[0.2]], [1], r"^p must be one-dimensional, not of shape \(1, 1\)\.$"),
        (["high"], [1], r"^p must be numeric\.$"),
    ],
)
def test_bad_input_messages(p: list[float], y: list[float], message: str) -> None:
    for score in (brier_score, log_score, pav, corp_decomposition):
        with pytest.raises(EvaluationError, match=message):
            score(p, y)


def test_evaluation_error_is_a_followon_value_error() -> None:
    assert issubclass(EvaluationError, FollowonError) and issubclass(EvaluationError, ValueError)
    assert fo.EvaluationError is EvaluationError


# --------------------------------------------------------------------------- score_table


def backtest_frame() -> pd.DataFrame:
    """Three hypotheses × 6 origins × one outcome × horizons 30 and 60; two censored origins."""
    origins = pd.date_range("2020-01-01", periods=6, freq="90D")
    observed = {30: [1, 0, 0, 1, 0, np.nan], 60: [1, 0, 1, 1, np.nan, np.nan]}
    p = {
        "politburo": {30: [0.6, 0.2, 0.1, 0.5, 0.3, 0.4], 60: [0.7, 0.3, 0.5, 0.8, 0.5, 0.6]},
        "steady": {30: [0.3, 0.3, 0.3, 0.3, 0.3, 0.3], 60: [0.5, 0.5, 0.5, 0.5, 0.5, 0.5]},
        "climatology": {30: [0.25] * 6, 60: [0.4] * 6},
    }
    rows = []
    for hyp, by_h in p.items():
        for h in (30, 60):
            for i, origin in enumerate(origins):
                pm = by_h[h][i]
                rows.append(
                    {
                        "origin_date": origin,
                        "trigger": "plenary_meeting",
                        "hypothesis": hyp,
                        "outcome": "any_missile",
                        "horizon_days": h,
                        "p_mean": pm,
                        "p_low": np.nan if hyp == "climatology" else max(pm - 0.2, 0.0),
                        "p_high": np.nan if hyp == "climatology" else min(pm + 0.2, 1.0),
                        "observed": observed[h][i],
                    }
                )
    return pd.DataFrame(rows, columns=list(BACKTEST_COLUMNS))


def test_score_table_columns_counts_and_scores() -> None:
    frame = backtest_frame()
    table = score_table(frame)
    assert list(table.columns) == [
        "hypothesis",
        "outcome",
        "horizon_days",
        "n",
        "n_censored",
        "brier",
        "log_score",
        "brier_skill",
        "log_skill",
        "reliability",
        "resolution",
        "uncertainty",
        "coverage90",
        "base_rate",
    ]
    assert list(zip(table["hypothesis"], table["horizon_days"], strict=True)) == [
        ("politburo", 30),
        ("politburo", 60),
        ("steady", 30),
        ("steady", 60),
        ("climatology", 30),
        ("climatology", 60),
    ]
    assert table["n"].tolist() == [5, 4] * 3 and table["n_censored"].tolist() == [1, 2] * 3
    assert table["n"].dtype == np.int64
    row = table.iloc[1]  # politburo, 60 days: origins 0–3 are scored
    p, y = np.array([0.7, 0.3, 0.5, 0.8]), np.array([1, 0, 1, 1])
    assert row["brier"] == pytest.approx(brier_score(p, y))
    assert row["log_score"] == pytest.approx(log_score(p, y))
    assert row["base_rate"] == 0.75
    assert row["uncertainty"] == pytest.approx(0.75 * 0.25)
    assert row["brier"] == pytest.approx(
        row["reliability"] - row["resolution"] + row["uncertainty"], abs=1e-14
    )
    # sorted by p (0.3, 0.5, 0.7, 0.8) the outcomes (0, 1, 1, 1) are monotone, so PAV returns
    # them; the ±0.2 intervals miss 1 at 0.7, 0 at 0.3 and 1 at 0.5, and hold 1 at 0.8 (0.6–1)
    np.testing.assert_array_equal(pav(p, y), [1, 0, 1, 1])
    assert row["coverage90"] == 0.25
    assert math.isnan(table.iloc[4]["coverage90"])  # climatology has no intervals


def test_censored_rows_are_excluded_not_scored_as_no_event() -> None:
    frame = backtest_frame()
    table = score_table(frame).set_index(["hypothesis", "horizon_days"])
    as_zero = frame.fillna({"observed": 0.0})
    wrong = score_table(as_zero).set_index(["hypothesis", "horizon_days"])
    assert table.loc[("politburo", 30), "brier"] == pytest.approx(
        brier_score([0.6, 0.2, 0.1, 0.5, 0.3], [1, 0, 0, 1, 0])
    )
    assert wrong.loc[("politburo", 30), "n"] == 6
    assert table.loc[("politburo", 30), "brier"] != pytest.approx(
        wrong.loc[("politburo", 30), "brier"]
    )
    # a group that is all censored has counts but no scores
    frame.loc[frame["horizon_days"] == 60, "observed"] = np.nan
    table = score_table(frame)
    sixty = table[table["horizon_days"] == 60]
    assert sixty["n"].tolist() == [0, 0, 0] and sixty["n_censored"].tolist() == [6, 6, 6]
    assert sixty["brier"].isna().all() and sixty["brier_skill"].isna().all()


def test_score_table_skill_against_the_reference() -> None:
    frame = backtest_frame()
    table = score_table(frame).set_index(["hypothesis", "horizon_days"])
    y = np.array([1, 0, 0, 1, 0])
    p = np.array([0.6, 0.2, 0.1, 0.5, 0.3])
    expected = 1 - brier_score(p, y) / brier_score(np.full(5, 0.25), y)
    assert table.loc[("politburo", 30), "brier_skill"] == pytest.approx(expected)
    assert table.loc[("climatology", 30), "brier_skill"] == 0.0
    assert table.loc[("climatology", 60), "brier_skill"] == 0.0
    expected = 1 - log_score(p, y) / log_score(np.full(5, 0.25), y)
    assert table.loc[("politburo", 30), "log_skill"] == pytest.approx(expected)
    assert table.loc[("climatology", 30), "log_skill"] == 0.0
    # another reference
    steady = score_table(frame, reference="steady").set_index(["hypothesis", "horizon_days"])
    expected = 1 - brier_score(p, y) / brier_score(np.full(5, 0.3), y)
    assert steady.loc[("politburo", 30), "brier_skill"] == pytest.approx(expected)
    assert steady.loc[("steady", 30), "brier_skill"] == 0.0
    # no reference: no skill
    assert score_table(frame, reference=None)["brier_skill"].isna().all()


def test_skill_uses_only_cases_the_reference_forecast() -> None:
    frame = backtest_frame()
    first = frame["origin_date"] == frame["origin_date"].min()
    frame = frame[~(first & (frame["hypothesis"] == "climatology"))]
    table = score_table(frame).set_index(["hypothesis", "horizon_days"])
    y, p = np.array([0, 0, 1, 0]), np.array([0.2, 0.1, 0.5, 0.3])
    expected = 1 - brier_score(p, y) / brier_score(np.full(4, 0.25), y)
    assert table.loc[("politburo", 30), "brier_skill"] == pytest.approx(expected)
    assert table.loc[("politburo", 30), "n"] == 5  # the other scores still use every case


def test_score_table_grouping() -> None:
    frame = backtest_frame()
    table = score_table(frame, by="hypothesis")
    assert table["hypothesis"].tolist() == ["politburo", "steady", "climatology"]
    assert table["n"].tolist() == [9, 9, 9] and table["n_censored"].tolist() == [3, 3, 3]
    overall = score_table(frame, by=())
    assert len(overall) == 1 and overall["n"].iloc[0] == 27
    assert overall["brier"].iloc[0] == pytest.approx(
        brier_score(
            frame.dropna(subset=["observed"])["p_mean"],
            frame.dropna(subset=["observed"])["observed"],
        )
    )


def test_score_table_is_exported() -> None:
    assert fo.score_table is score_table and fo.corp_decomposition is corp_decomposition
    assert fo.brier_score is brier_score and fo.log_score is log_score


def test_score_table_missing_columns() -> None:
    frame = backtest_frame().drop(columns=["observed", "p_high"])
    with pytest.raises(
        EvaluationError,
        match=r"^the backtest frame has no column\(s\) 'p_high', 'observed'; it needs origin_date, "
        r"trigger, hypothesis, outcome, horizon_days, p_mean, p_low, p_high, observed\.$",
    ):
        score_table(frame)
    with pytest.raises(EvaluationError, match=r"no column\(s\) 'model'; it needs"):
        score_table(backtest_frame(), by=("model",))


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "observed",
            2.0,
            r"^observed must be 0, 1 or NaN \(censored\); 1 value\(s\) are not, the first 2\.0 at row 7\.$",
        ),
        (
            "p_mean",
            1.5,
            r"^p_mean must be probabilities in \[0, 1\]; 1 value\(s\) are not, the first 1\.5 at row 7\.$",
        ),
        (
            "p_mean",
            np.nan,
            r"^p_mean must be probabilities in \[0, 1\]; 1 value\(s\) are not, the first nan at row 7\.$",
        ),
        (
            "p_high",
            -0.5,
            r"^p_high must be probabilities in \[0, 1\]; 1 value\(s\) are not, the first -0\.5 at row 7\.$",
        ),
        ("p_low", 0.99, r"^p_low must not exceed p_high; it does at row 7 \(0\.99 > 0\.5\)\.$"),
    ],
)
def test_score_table_bad_values(column: str, value: float, message: str) -> None:
    frame = backtest_frame()
    frame.loc[7, column] = value
    with pytest.raises(EvaluationError, match=message):
        score_table(frame)


def test_score_table_bad_reference() -> None:
    frame = backtest_frame()
    with pytest.raises(
        EvaluationError,
        match=r"^no reference hypothesis 'climatolgy' \(did you mean 'climatology'\?\); the frame "
        r"has politburo, steady, climatology\. Pass reference=None to skip brier_skill\.$",
    ):
        score_table(frame, reference="climatolgy")
    doubled = pd.concat([frame, frame[frame["hypothesis"] == "climatology"].head(1)])
    with pytest.raises(
        EvaluationError,
        match=r"^the reference 'climatology' has more than one forecast for origin_date=2020-01-01 "
        r"00:00:00, trigger=plenary_meeting, outcome=any_missile, horizon_days=30;",
    ):
        score_table(doubled)
    with pytest.raises(EvaluationError, match=r"^frame must be a pandas DataFrame, not dict\.$"):
        score_table({"p_mean": [0.1]})  # type: ignore[arg-type]
