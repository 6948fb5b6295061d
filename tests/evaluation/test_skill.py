"""Block-bootstrap skill intervals: resampling, pairing, coverage, block length, bad input."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from followon.errors import EvaluationError
from followon.evaluation import (
    BACKTEST_COLUMNS,
    COVERAGE_COLUMNS,
    block_bootstrap_indices,
    bootstrap_skill,
    brier_skill,
    calibrated_coverage,
    log_skill,
    score_table,
    skill_table,
)


def frame(
    p: dict[str, np.ndarray],
    y: np.ndarray,
    *,
    horizon: int = 30,
    every_days: int = 14,
) -> pd.DataFrame:
    """A backtest frame of forecasts ``p[hypothesis]`` at origins ``every_days`` apart."""
    dates = pd.date_range("2015-01-01", periods=len(y), freq=f"{every_days}D")
    parts = [
        pd.DataFrame(
            {
                "origin_date": dates,
                "trigger": "",
                "hypothesis": name,
                "outcome": "launch",
                "horizon_days": horizon,
                "p_mean": values,
                "p_low": np.nan,
                "p_high": np.nan,
                "observed": y,
            }
        )
        for name, values in p.items()
    ]
    return pd.concat(parts, ignore_index=True)[list(BACKTEST_COLUMNS)]


def calibrated(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """x ~ U(0, 1), y ~ Bernoulli(x): the forecast x is calibrated."""
    x = rng.uniform(0.02, 0.98, n)
    return x, (rng.random(n) < x).astype(float)


def test_block_length_one_is_the_ordinary_bootstrap() -> None:
    idx = block_bootstrap_indices(50, 1, 30, random_seed=7)
    np.testing.assert_array_equal(idx, np.random.default_rng(7).integers(0, 50, (30, 50)))


def test_blocks_are_runs_of_consecutive_cases_that_wrap() -> None:
    idx = block_bootstrap_indices(10, 4, 500, random_seed=1)
    assert idx.shape == (500, 10)
    # inside a block (positions 0–3, 4–7, 8–9) each index follows the one before, modulo n
    for lo, hi in ((0, 4), (4, 8), (8, 10)):
        steps = np.diff(idx[:, lo:hi], axis=1) % 10
        assert (steps == 1).all()
    assert ((idx[:, 0] >= 7) & (idx[:, 3] < 3)).any()  # some blocks wrap past the end
    counts = np.bincount(idx.ravel(), minlength=10)
    assert counts.min() > 0.8 * counts.mean()  # circular: every case equally often
    np.testing.assert_array_equal(idx, block_bootstrap_indices(10, 4, 500, random_seed=1))


def test_bootstrap_skill_is_the_skill_of_each_resample() -> None:
    rng = np.random.default_rng(2)
    p, y = calibrated(40, rng)
    ref = np.full(40, y.mean())
    idx = block_bootstrap_indices(40, 3, 5, random_seed=3)
    skills = bootstrap_skill(np.stack([(p - y) ** 2, (ref - y) ** 2]), (ref - y) ** 2, idx)
    assert skills.shape == (5, 2)
    for b in range(5):
        i = idx[b]
        assert skills[b, 0] == pytest.approx(brier_skill(p[i], y[i], ref[i]))
    np.testing.assert_allclose(skills[:, 1], 0.0, atol=1e-15)
    # a forecast that skipped a case is compared with the reference on its own cases only
    loss = (p - y) ** 2
    loss[0] = np.nan
    one = bootstrap_skill(loss, (ref - y) ** 2, idx)
    keep = idx[0][idx[0] != 0]
    assert one[0] == pytest.approx(brier_skill(p[keep], y[keep], ref[keep]))


def test_skill_table_points_equal_the_score_table_and_share_resamples() -> None:
    rng = np.random.default_rng(4)
    x, y = calibrated(120, rng)
    p = {"good": x, "noisy": np.clip(x + rng.normal(0, 0.2, 120), 0.01, 0.99)}
    p["climatology"] = np.full(120, 0.5)
    f = frame(p, y)
    table = skill_table(f, n_boot=300, random_seed=5)
    plain = score_table(f)
    pd.testing.assert_frame_equal(table[plain.columns], plain)
    t = table.set_index("hypothesis")
    for name in ("good", "noisy"):
        for score in ("brier_skill", "log_skill"):
            assert t.loc[name, f"{score}_low"] < t.loc[name, score] < t.loc[name, f"{score}_high"]
    assert (t.loc["climatology", ["brier_skill_low", "brier_skill_high"]] == 0).all()
    # 30-day windows 14 days apart: blocks of ceil(30 / 14) = 3 origins
    assert (table["block_length"] == 3).all()
    assert (skill_table(f, n_boot=50, random_seed=5, block_length=7)["block_length"] == 7).all()
    # seeded: the same intervals again
    pd.testing.assert_frame_equal(table, skill_table(f, n_boot=300, random_seed=5))
    assert table["log_skill"].iloc[0] == pytest.approx(log_skill(x, y, np.full(120, 0.5)))


def test_skill_table_gives_the_calibrated_coverage_reference() -> None:
    rng = np.random.default_rng(6)
    x, y = calibrated(90, rng)
    f = frame({"model": x, "climatology": np.full(90, 0.5)}, y)
    model = f["hypothesis"] == "model"
    f.loc[model, "p_low"] = np.clip(x - 0.1, 0, 1)
    f.loc[model, "p_high"] = np.clip(x + 0.1, 0, 1)
    table = skill_table(f, n_boot=200, random_seed=9).set_index("hypothesis")
    # seeded from the group's seed (seed → child → one per hypothesis)
    child = np.random.SeedSequence(9).spawn(1)[0]
    lo, hi = np.clip(x - 0.1, 0, 1), np.clip(x + 0.1, 0, 1)
    row = table.loc["model"]
    model_seed = child.spawn(2)[1]  # one seed per hypothesis, in column order: climatology, model
    cal = calibrated_coverage(lo, hi, x, n_boot=200, random_seed=np.random.default_rng(model_seed))
    assert row["coverage90_calibrated"] == pytest.approx(cal["mean"])
    assert row["coverage90_calibrated_low"] == pytest.approx(cal["low"])
    assert row["coverage90_calibrated_high"] == pytest.approx(cal["high"])
    # a point forecast has no interval: nothing to cover
    assert table.loc["climatology", list(COVERAGE_COLUMNS)].isna().all()
    # the skill intervals keep their resamples: the child seeds the block indices as before
    idx = block_bootstrap_indices(90, 3, 200, random_seed=np.random.default_rng(child))
    half = np.full(90, 0.5)
    band = np.quantile(bootstrap_skill((x - y) ** 2, (half - y) ** 2, idx), [0.05, 0.95])
    assert row[["brier_skill_low", "brier_skill_high"]].tolist() == pytest.approx(band.tolist())


def test_intervals_cover_the_true_skill_at_about_the_nominal_rate() -> None:
    # x ~ U(0, 1), y ~ Bernoulli(x), reference 1/2: E(x - y)² = 1/6 against 1/4, so the Brier
    # skill is 1/3; the log score is E[H(x)] = 1/2 nat against log 2
    rng = np.random.default_rng(11)
    truth = {"brier_skill": 1 / 3, "log_skill": 1 - 0.5 / math.log(2)}
    hits = {k: 0 for k in truth}
    reps = 200
    for r in range(reps):
        x = rng.uniform(0, 1, 150)
        y = (rng.random(150) < x).astype(float)
        if r < 5:  # skill_table itself on a few (it scores the CORP terms too: slower) ...
            f = frame({"model": x, "climatology": np.full(150, 0.5)}, y, horizon=1, every_days=1)
            row = skill_table(f, n_boot=400, random_seed=r).iloc[0]
            bands = {k: (row[f"{k}_low"], row[f"{k}_high"]) for k in truth}
        else:  # ... and the same computation from its parts on the rest
            idx = block_bootstrap_indices(150, 1, 400, random_seed=r)
            ref = np.full(150, 0.5)
            losses = {
                "brier_skill": ((x - y) ** 2, (ref - y) ** 2),
                "log_skill": (
                    -np.log(np.where(y == 1, x, 1 - x).clip(1e-6)),
                    np.full(150, np.log(2)),
                ),
            }
            bands = {
                k: tuple(np.quantile(bootstrap_skill(a, b, idx), [0.05, 0.95]))
                for k, (a, b) in losses.items()
            }
        for k, v in truth.items():
            hits[k] += bands[k][0] <= v <= bands[k][1]
    # nominal 0.90; 200 replicates have a standard error of 0.02
    assert 0.84 <= hits["brier_skill"] / reps <= 0.96
    assert 0.84 <= hits["log_skill"] / reps <= 0.96


def test_blocks_widen_the_interval_of_dependent_origins() -> None:
    # overlapping 90-day windows: the outcome holds for runs of origins, so single-origin
    # resampling understates the noise
    rng = np.random.default_rng(8)
    runs = np.repeat(rng.random(40) < 0.5, 7).astype(float)  # 280 origins, runs of 7
    x = np.clip(np.repeat(rng.uniform(0.3, 0.7, 40), 7) + 0.2 * (runs - 0.5), 0.01, 0.99)
    f = frame({"model": x, "climatology": np.full(280, 0.5)}, runs, horizon=90)
    blocked = skill_table(f, n_boot=500, random_seed=1).iloc[0]
    single = skill_table(f, n_boot=500, random_seed=1, block_length=1).iloc[0]
    assert blocked["block_length"] == 7
    width = blocked["brier_skill_high"] - blocked["brier_skill_low"]
    assert width > 1.8 * (single["brier_skill_high"] - single["brier_skill_low"])


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n": 0}, r"^n must be a whole number ≥ 1, not 0\.$"),
        ({"n_boot": 0}, r"^n_boot must be a whole number ≥ 1, not 0\.$"),
        ({"block_length": 0}, r"^block_length must be a whole number ≥ 1, not 0\.$"),
        ({"block_length": True}, r"^block_length must be a whole number ≥ 1, not True\.$"),
        ({"block_length": 2.5}, r"^block_length must be a whole number ≥ 1, not 2\.5\.$"),
        ({"block_length": 11}, r"^block_length must be at most the 10 cases, not 11\.$"),
    ],
)
def test_block_bootstrap_bad_input(kwargs: dict[str, object], message: str) -> None:
    args: dict[str, object] = {"n": 10, "block_length": 2, "n_boot": 5, **kwargs}
    with pytest.raises(EvaluationError, match=message):
        block_bootstrap_indices(**args)  # type: ignore[arg-type]


def test_bootstrap_skill_and_skill_table_bad_input() -> None:
    idx = np.zeros((2, 3), dtype=int)
    with pytest.raises(
        EvaluationError,
        match=r"^loss must be \(k, n\) or \(n,\), loss_ref \(n,\) and indices \(B, n\); got "
        r"\(4,\), \(3,\) and \(2, 3\)\.$",
    ):
        bootstrap_skill(np.ones(4), np.ones(3), idx)
    with pytest.raises(
        EvaluationError, match=r"^loss_ref has NaN; every case needs the reference's loss\.$"
    ):
        bootstrap_skill(np.ones(3), [1.0, np.nan, 1.0], idx)
    with pytest.raises(EvaluationError, match=r"^indices must lie in 0 … 2\.$"):
        bootstrap_skill(np.ones(3), np.ones(3), idx + 3)
    f = frame({"model": np.full(5, 0.4), "climatology": np.full(5, 0.5)}, np.ones(5))
    with pytest.raises(EvaluationError, match=r"^ci_prob must be between 0 and 1, not 1\.5\.$"):
        skill_table(f, ci_prob=1.5)
    with pytest.raises(EvaluationError, match=r"^n_boot must be a whole number ≥ 1, not 0\.$"):
        skill_table(f, n_boot=0)
    with pytest.raises(EvaluationError, match=r"^block_length must be a whole number ≥ 1, not -1"):
        skill_table(f, block_length=-1)
    with pytest.raises(EvaluationError, match=r"^no reference hypothesis 'steady'; the frame has"):
        skill_table(f, reference="steady")
