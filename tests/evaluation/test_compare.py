"""Model weights (stacking, pseudo-BMA+, their bootstrap intervals) and the mixture forecast."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import logsumexp

from followon.evaluation.compare import (
    mixture_probabilities,
    model_weights,
    pseudo_bma_weights,
    stacking_weights,
)


def test_mixture_of_two_point_masses_is_their_weighted_mean_with_quantiles_at_the_masses() -> None:
    a = np.full((1000, 3), 0.2)
    b = np.full((500, 3), 0.8)  # a different number of draws must not change its weight
    out = mixture_probabilities([a, b], np.array([0.7, 0.3]), [1, 3], ci_prob=0.9)
    assert list(out.columns) == ["horizon_days", "p_mean", "p_low", "p_high", "p_median"]
    assert out["p_mean"].to_numpy() == pytest.approx([0.2 * 0.7 + 0.8 * 0.3] * 2, rel=1e-12)
    assert out["p_low"].tolist() == [0.2, 0.2] and out["p_high"].tolist() == [0.8, 0.8]
    assert out["p_median"].tolist() == [0.2, 0.2]


def test_mixture_uses_given_means_and_drops_zero_weights() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.uniform(0, 0.1, (400, 5)), rng.uniform(0.9, 1, (400, 5))
    out = mixture_probabilities([a, b], np.array([1.0, 0.0]), [5], p_means=[[0.05], [0.95]])
    assert out.loc[0, "p_mean"] == 0.05
    assert out.loc[0, "p_high"] <= 0.1


def test_stacking_prefers_the_model_that_predicts_and_weights_rows() -> None:
    lpd = np.log(np.array([[0.9, 0.1], [0.8, 0.3], [0.7, 0.2], [0.9, 0.4]]))
    w = stacking_weights(lpd)
    assert w.sum() == pytest.approx(1.0) and w[0] > 0.95
    # doubling every row's weight changes nothing; a zero-weight row is ignored
    assert stacking_weights(lpd, np.full(4, 2.0)) == pytest.approx(w, abs=1e-4)


@pytest.mark.parametrize("rows", [4, 3000])
def test_bootstrap_replicates_solve_the_stacking_problem(rows: int) -> None:
    """All replicates at once (EM) give each replicate's own stacking weights."""
    from followon.evaluation.compare import _stacking_replicates

    rng = np.random.default_rng(rows)
    lpd = np.column_stack(
        [rng.normal(-2, 1, rows), rng.normal(-2.1, 1.5, rows), rng.normal(-3, 1, rows)]
    )
    alphas = rng.dirichlet(np.ones(rows), size=6) * rows
    many = _stacking_replicates(lpd, alphas)
    one_by_one = np.array([stacking_weights(lpd, a) for a in alphas])
    np.testing.assert_allclose(many, one_by_one, atol=2e-3)
    np.testing.assert_allclose(many.sum(axis=1), 1.0)


def test_pseudo_bma_matches_a_hand_bootstrap() -> None:
    lpd = np.log(np.array([[0.5, 0.4], [0.6, 0.5], [0.2, 0.3]]))
    w = pseudo_bma_weights(lpd, np.random.default_rng(1))
    alpha = np.random.default_rng(1).dirichlet(np.ones(3), size=200)
    z = 3 * alpha @ lpd
    expected = np.exp(z - logsumexp(z, axis=1, keepdims=True)).mean(axis=0)
    assert w == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("method", ["stacking", "pseudo-bma+"])
def test_weights_come_with_an_interval_that_is_wide_on_few_blocks(method: str) -> None:
    rng = np.random.default_rng(3)
    close = np.column_stack([rng.normal(-10, 2, 4), rng.normal(-10.3, 2, 4)])
    out = model_weights(close, method)
    assert isinstance(out, pd.DataFrame) and list(out.columns) == [
        "weight",
        "weight_low",
        "weight_high",
    ]
    assert (out["weight_low"] <= out["weight"] + 1e-9).all()
    assert (out["weight"] <= out["weight_high"] + 1e-9).all()
    assert (out["weight_high"] - out["weight_low"]).max() > 0.5  # 4 blocks cannot decide
    with pytest.raises(ValueError, match="weights must be one of stacking, pseudo-bma\\+"):
        model_weights(close, "bma")
    # one model far behind in every block: its point weight (never exactly 0 by L-BFGS) and the
    # replicates' (exactly 0 by EM) are the same zero, and the interval holds the point weight
    far = np.column_stack([[-10.0, -12.0, -9.0], [-30.0, -40.0, -25.0]])
    out = model_weights(far, method)
    assert (out["weight_low"] <= out["weight"]).all() and (
        out["weight"] <= out["weight_high"]
    ).all()
    assert out["weight"].iloc[1] < 1e-4
