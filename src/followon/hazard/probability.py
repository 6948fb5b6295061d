r"""P(follow-on action within H days) from posterior draws of daily hazards (NumPy only).

For posterior draw *s* with daily hazards :math:`\lambda_{s,1}, \dots` on the days after the
origin :math:`t_0`, the cumulative hazard is :math:`\Lambda_s(H) = \sum_{h=1}^{H}
\lambda_{s,h}` and

.. math:: p_s(H) = P(\ge 1 \text{ event in } (t_0, t_0 + H]) = 1 - e^{-\Lambda_s(H)} .

The forecast is the posterior mean of :math:`p_s(H)` with an equal-tailed ``ci_prob``
interval. Given *d* days elapsed without an event, draws are reweighted by the probability of
that quiet stretch, :math:`w_s \propto e^{-\Lambda_s(d)}` (Bayes' rule on the posterior), and
:math:`p_s(H \mid d) = 1 - e^{-(\Lambda_s(H) - \Lambda_s(d))}`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from followon.errors import ModelError

__all__ = [
    "check_horizons",
    "delay_summary",
    "horizon_probabilities",
    "interval_bounds",
    "weighted_quantile",
]


def check_horizons(horizons_days: Sequence[int] | int) -> list[int]:
    """Validate horizons: whole numbers of days ≥ 1."""
    values = [horizons_days] if isinstance(horizons_days, int) else list(horizons_days)
    if not values:
        raise ModelError("horizons_days is empty; give one or more whole numbers of days ≥ 1.")
    out = []
    for h in values:
        if isinstance(h, bool) or not float(h).is_integer() or h < 1:
            raise ModelError(f"horizon {h!r} is not a whole number of days ≥ 1.")
        out.append(int(h))
    return out


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """Quantiles of a 1-D sample under weights: the smallest value whose weighted ECDF ≥ q."""
    order = np.argsort(values)
    v = values[order]
    cdf = np.cumsum(weights[order])
    cdf /= cdf[-1]
    idx = np.minimum(np.searchsorted(cdf, np.asarray(q), side="left"), len(v) - 1)
    return v[idx]


def interval_bounds(ci_prob: float) -> tuple[float, float]:
    """Lower and upper quantile levels of an equal-tailed ``ci_prob`` interval."""
    if not 0 < ci_prob < 1:
        raise ModelError(f"ci_prob must be between 0 and 1, not {ci_prob}.")
    return (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2


def horizon_probabilities(
    cumhaz: np.ndarray,
    horizons_days: Sequence[int],
    *,
    ci_prob: float = 0.9,
    elapsed_days: int = 0,
) -> pd.DataFrame:
    r"""Summarise P(≥ 1 event within each horizon) over posterior draws.

    Parameters
    ----------
    cumhaz : ndarray, shape (draws, days)
        Cumulative hazard :math:`\\Lambda_s(h)` for h = 1 … days.
    horizons_days : sequence of int
        Horizons, each ≤ ``days``.
    ci_prob : float
        Probability mass of the equal-tailed interval.
    elapsed_days : int
        Days already passed without an event (live update); horizons ≤ it are dropped.

    Returns
    -------
    pandas.DataFrame
        ``horizon_days, p_mean, p_median, p_low, p_high``.
    """
    horizons = check_horizons(horizons_days)
    lo, hi = interval_bounds(ci_prob)
    n_draws, n_days = cumhaz.shape
    if max(horizons) > n_days:
        raise ModelError(f"horizon {max(horizons)} is beyond the {n_days} days computed.")
    if elapsed_days < 0:
        raise ModelError(f"elapsed_days must be ≥ 0, not {elapsed_days}.")
    if elapsed_days:
        base = cumhaz[:, elapsed_days - 1]
        log_w = -base
        weights = np.exp(log_w - log_w.max())
    else:
        base = np.zeros(n_draws)
        weights = np.ones(n_draws)
    weights = weights / weights.sum()
    rows = []
    for h in horizons:
        if h <= elapsed_days:
            continue
        p = 1.0 - np.exp(-(cumhaz[:, h - 1] - base))
        ql, qm, qh = weighted_quantile(p, weights, (lo, 0.5, hi))
        rows.append(
            {
                "horizon_days": h,
                "p_mean": float(np.sum(weights * p)),
                "p_median": float(qm),
                "p_low": float(ql),
                "p_high": float(qh),
            }
        )
    return pd.DataFrame(rows, columns=["horizon_days", "p_mean", "p_median", "p_low", "p_high"])


def delay_summary(cumhaz: np.ndarray, *, ci_prob: float = 0.9) -> dict[str, float]:
    """Posterior of the median delay: per draw, the first day by which P(event) ≥ 1/2.

    Draws whose probability stays below 1/2 over the computed days have a delay beyond the
    window (``inf``); ``p_within`` is the share of draws with a finite delay.
    """
    lo, hi = interval_bounds(ci_prob)
    reached = cumhaz >= np.log(2.0)  # 1 − exp(−Λ) ≥ 1/2
    first = np.where(reached.any(axis=1), reached.argmax(axis=1) + 1.0, np.inf)
    return {
        "median_delay_days": float(np.quantile(first, 0.5)),
        "delay_low": float(np.quantile(first, lo)),
        "delay_high": float(np.quantile(first, hi)),
        "p_within": float(np.isfinite(first).mean()),
        "days": float(cumhaz.shape[1]),
    }
