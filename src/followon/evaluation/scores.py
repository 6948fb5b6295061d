r"""Proper scoring rules, CORP calibration and the per-group score table of a backtest.

Pure NumPy/pandas: nothing here fits a model or draws a figure. Every score is a *loss*
(lower is better) except the skill score, which is positive when a forecast beats its
reference.

Forecasts are probabilities :math:`p_i \in [0, 1]` of a binary event; outcomes are
:math:`y_i \in \{0, 1\}`. A forecast whose follow-up window was still open when the data end
is *censored*: :func:`score_table` leaves it out of every score and counts it in
``n_censored`` (never as "no event"; DOMAIN.md §3). The array functions take uncensored pairs
only.

References
----------
.. [1] Gneiting, T. & Raftery, A. E. (2007). Strictly proper scoring rules, prediction, and
   estimation. *JASA* 102, 359–378.
.. [2] Dimitriadis, T., Gneiting, T. & Jordan, A. I. (2021). Stable reliability diagrams for
   probabilistic classifiers. *PNAS* 118, e2016191118 (CORP).
.. [3] Murphy, A. H. (1973). A new vector partition of the probability score. *J. Appl.
   Meteor.* 12, 595–600.
.. [4] Ayer, M., Brunk, H. D., Ewing, G. M., Reid, W. T. & Silverman, E. (1955). An empirical
   distribution function for sampling with incomplete information. *Ann. Math. Statist.* 26,
   641–647 (pool-adjacent-violators).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from followon.errors import EvaluationError, did_you_mean

__all__ = [
    "BACKTEST_COLUMNS",
    "brier_score",
    "brier_skill",
    "calibrated_coverage",
    "corp_decomposition",
    "interval_coverage",
    "log_score",
    "log_skill",
    "pav",
    "reliability_curve",
    "score_table",
]

BACKTEST_COLUMNS = (
    "origin_date",
    "trigger",
    "hypothesis",
    "outcome",
    "horizon_days",
    "p_mean",
    "p_low",
    "p_high",
    "observed",
)
"""Columns :func:`score_table` needs: one row per origin × hypothesis × outcome × horizon."""

_CASE = ("origin_date", "trigger", "outcome", "horizon_days")
"""The columns that identify one forecast case, shared by every hypothesis forecasting it."""

_SCORE_COLUMNS = (
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
)


# --------------------------------------------------------------------------- validation


def _numeric(values: Any, name: str) -> np.ndarray:
    try:
        a = np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise EvaluationError(f"{name} must be numeric.") from None
    if a.ndim != 1:
        raise EvaluationError(f"{name} must be one-dimensional, not of shape {a.shape}.")
    return a


def _first_bad(bad: np.ndarray, a: np.ndarray, labels: Sequence[Any] | None) -> str:
    i = int(np.flatnonzero(bad)[0])
    where = f"row {labels[i]!r}" if labels is not None else f"position {i}"
    return f"{int(bad.sum())} value(s) are not, the first {float(a[i])!r} at {where}"


def _probabilities(
    values: Any, name: str, *, allow_nan: bool = False, labels: Sequence[Any] | None = None
) -> np.ndarray:
    a = _numeric(values, name)
    ok = (a >= 0) & (a <= 1)
    if allow_nan:
        ok |= np.isnan(a)
    if not ok.all():
        raise EvaluationError(
            f"{name} must be probabilities in [0, 1]; {_first_bad(~ok, a, labels)}."
        )
    return a


def _outcomes(
    values: Any, name: str, *, allow_nan: bool = False, labels: Sequence[Any] | None = None
) -> np.ndarray:
    a = _numeric(values, name)
    ok = (a == 0) | (a == 1)
    if allow_nan:
        ok |= np.isnan(a)
    if not ok.all():
        allowed = "0, 1 or NaN (censored)" if allow_nan else "0 or 1 (drop censored forecasts)"
        raise EvaluationError(f"{name} must be {allowed}; {_first_bad(~ok, a, labels)}.")
    return a


def _ordered(lo: np.ndarray, hi: np.ndarray, labels: Sequence[Any] | None) -> None:
    crossed = lo > hi
    if crossed.any():
        i = int(np.flatnonzero(crossed)[0])
        where = f"row {labels[i]!r}" if labels is not None else f"position {i}"
        pair = f"{float(lo[i])!r} > {float(hi[i])!r}"
        raise EvaluationError(f"p_low must not exceed p_high; it does at {where} ({pair}).")


def _pair(p: Any, y: Any, *, p_name: str = "p") -> tuple[np.ndarray, np.ndarray]:
    pa, ya = _probabilities(p, p_name), _outcomes(y, "y")
    if len(pa) != len(ya):
        raise EvaluationError(
            f"{p_name} and y must have the same length, not {len(pa)} and {len(ya)}."
        )
    if len(pa) == 0:
        raise EvaluationError(f"{p_name} and y are empty; a score needs at least one forecast.")
    return pa, ya


def _ci_prob(ci_prob: float) -> float:
    if not 0 < ci_prob < 1:
        raise EvaluationError(f"ci_prob must be between 0 and 1, not {ci_prob}.")
    return float(ci_prob)


# --------------------------------------------------------------------------- scoring rules


def brier_score(p: Any, y: Any) -> float:
    r"""Mean Brier score (quadratic loss); lower is better.

    .. math:: \mathrm{BS} = \frac{1}{n} \sum_{i=1}^{n} (p_i - y_i)^2

    0 for a perfect, sure forecast; :math:`\bar y (1 - \bar y)` for the climatological
    constant :math:`\bar y`; 1 for a sure forecast that is always wrong. Strictly proper [1]_.

    Parameters
    ----------
    p : array_like of float, shape (n,)
        Forecast probabilities in [0, 1].
    y : array_like of {0, 1}, shape (n,)
        Observed outcomes (uncensored forecasts only).

    Returns
    -------
    float

    Raises
    ------
    EvaluationError
        If ``p`` leaves [0, 1], ``y`` is not 0/1 (NaN included), the lengths differ or both are
        empty.

    References
    ----------
    .. [1] Gneiting & Raftery (2007), *JASA* 102, 359–378.

    Examples
    --------
    >>> round(brier_score([0.2, 0.2, 0.2, 0.2], [1, 0, 0, 0]), 6)
    0.19
    """
    pa, ya = _pair(p, y)
    return float(np.mean((pa - ya) ** 2))


def log_score(p: Any, y: Any, *, eps: float = 1e-6) -> float:
    r"""Mean negative log-likelihood (logarithmic loss, natural log); lower is better.

    .. math:: \mathrm{LS} = -\frac{1}{n} \sum_{i=1}^{n}
              \bigl[ y_i \log \tilde p_i + (1 - y_i) \log (1 - \tilde p_i) \bigr],
              \qquad \tilde p_i = \min(\max(p_i, \varepsilon), 1 - \varepsilon)

    The forecasts are clipped to :math:`[\varepsilon, 1 - \varepsilon]` so that a sure forecast
    that fails costs :math:`-\log \varepsilon` (13.8 nats for the default) rather than
    infinity. Strictly proper [1]_ (up to the clipping).

    Parameters
    ----------
    p : array_like of float, shape (n,)
        Forecast probabilities in [0, 1].
    y : array_like of {0, 1}, shape (n,)
        Observed outcomes (uncensored forecasts only).
    eps : float, default 1e-6
        Clipping bound, in (0, 0.5).

    Returns
    -------
    float
        In nats; :math:`\log 2 \approx 0.693` for the constant forecast 0.5.

    Raises
    ------
    EvaluationError
        As :func:`brier_score`, and if ``eps`` is not in (0, 0.5).

    References
    ----------
    .. [1] Gneiting & Raftery (2007), *JASA* 102, 359–378.

    Examples
    --------
    >>> round(log_score([0.5, 0.5], [1, 0]), 6)
    0.693147
    """
    if not 0 < eps < 0.5:
        raise EvaluationError(f"eps must be between 0 and 0.5, not {eps}.")
    pa, ya = _pair(p, y)
    pc = np.clip(pa, eps, 1 - eps)
    return float(-np.mean(ya * np.log(pc) + (1 - ya) * np.log1p(-pc)))


def brier_skill(p: Any, y: Any, p_ref: Any) -> float:
    r"""Brier skill score against a reference forecast of the same cases.

    .. math:: \mathrm{BSS} = 1 - \frac{\mathrm{BS}(p, y)}{\mathrm{BS}(p^{\mathrm{ref}}, y)}

    1 for a perfect forecast, 0 for one no better than the reference, negative for worse.

    Parameters
    ----------
    p, p_ref : array_like of float, shape (n,)
        The forecast and the reference (e.g. climatology) for the same n cases.
    y : array_like of {0, 1}, shape (n,)
        Observed outcomes.

    Returns
    -------
    float
        NaN when the reference is itself perfect (:math:`\mathrm{BS}^{\mathrm{ref}} = 0`), where
        skill is undefined.

    Raises
    ------
    EvaluationError
        As :func:`brier_score`, for either forecast.

    Examples
    --------
    >>> round(brier_skill([0.1, 0.9], [0, 1], [0.5, 0.5]), 6)
    0.96
    """
    bs = brier_score(p, y)
    pr, ya = _pair(p_ref, y, p_name="p_ref")
    bs_ref = float(np.mean((pr - ya) ** 2))
    return float("nan") if bs_ref == 0 else 1.0 - bs / bs_ref


def log_skill(p: Any, y: Any, p_ref: Any, *, eps: float = 1e-6) -> float:
    r"""Logarithmic skill score against a reference forecast of the same cases.

    .. math:: \mathrm{LSS} = 1 - \frac{\mathrm{LS}(p, y)}{\mathrm{LS}(p^{\mathrm{ref}}, y)}

    with :math:`\mathrm{LS}` the mean log score of :func:`log_score` (both clipped by ``eps``).
    1 for a perfect forecast, 0 for one no better than the reference, negative for worse; it
    punishes confident misses far harder than :func:`brier_skill`.

    Parameters
    ----------
    p, p_ref : array_like of float, shape (n,)
        The forecast and the reference (e.g. climatology) for the same n cases.
    y : array_like of {0, 1}, shape (n,)
        Observed outcomes.
    eps : float, default 1e-6
        Clipping bound of :func:`log_score`.

    Returns
    -------
    float
        NaN when the reference's log score is 0 (a perfect reference).

    Raises
    ------
    EvaluationError
        As :func:`log_score`, for either forecast.

    Examples
    --------
    >>> round(log_skill([0.9, 0.9], [1, 1], [0.5, 0.5]), 6)
    0.847997
    """
    ls = log_score(p, y, eps=eps)
    pr, ya = _pair(p_ref, y, p_name="p_ref")
    ls_ref = log_score(pr, ya, eps=eps)
    return float("nan") if ls_ref == 0 else 1.0 - ls / ls_ref


# --------------------------------------------------------------------------- CORP / PAV


def _pav_blocks(sums: Sequence[float], weights: Sequence[float]) -> np.ndarray:
    """Pool-adjacent-violators on ordered blocks; return the fitted mean of every block.

    A stack of pooled blocks, each pushed once and popped at most once: O(m) for m blocks.
    Means are compared by cross-multiplication, so no division until the end.
    """
    s: list[float] = []
    w: list[float] = []
    k: list[int] = []
    for si, wi in zip(sums, weights, strict=True):
        s.append(si)
        w.append(wi)
        k.append(1)
        while len(s) > 1 and s[-2] * w[-1] > s[-1] * w[-2]:  # mean(prev) > mean(top): pool
            s_top, w_top, k_top = s.pop(), w.pop(), k.pop()
            s[-1] += s_top
            w[-1] += w_top
            k[-1] += k_top
    return np.repeat(np.asarray(s) / np.asarray(w), k)


def _unique_blocks(p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sort order, distinct values, start of each value's run in sorted order, inverse map."""
    order = np.argsort(p, kind="stable")
    values, starts, inverse = np.unique(p[order], return_index=True, return_inverse=True)
    back = np.empty_like(inverse)
    back[order] = inverse
    return order, values, starts, back


def pav(p: Any, y: Any) -> np.ndarray:
    r"""Isotonic (pool-adjacent-violators) regression of the outcomes on the forecasts.

    The CORP recalibration [1]_: the non-decreasing function :math:`\hat p` of :math:`p` that
    minimises :math:`\sum_i (\hat p(p_i) - y_i)^2`. Equal forecasts are pooled first, so tied
    :math:`p_i` always get the same :math:`\hat p` whatever the order of the rows; the pooled
    values are then merged by the pool-adjacent-violators algorithm [2]_ (a stack, O(m) in the m
    distinct forecasts after an O(n log n) sort). Each fitted value is the observed event
    frequency of its block, so :math:`\hat p` is calibrated in sample and
    :math:`\operatorname{mean}(\hat p) = \bar y`.

    Parameters
    ----------
    p : array_like of float, shape (n,)
        Forecast probabilities in [0, 1].
    y : array_like of {0, 1}, shape (n,)
        Observed outcomes.

    Returns
    -------
    numpy.ndarray, shape (n,)
        :math:`\hat p_i`, in the order of the input.

    Raises
    ------
    EvaluationError
        As :func:`brier_score`.

    References
    ----------
    .. [1] Dimitriadis, Gneiting & Jordan (2021), *PNAS* 118, e2016191118.
    .. [2] Ayer et al. (1955), *Ann. Math. Statist.* 26, 641–647.

    Examples
    --------
    >>> pav([0.1, 0.2, 0.3, 0.4], [1, 0, 0, 1]).round(3).tolist()
    [0.333, 0.333, 0.333, 1.0]
    >>> pav([0.3, 0.3, 0.6], [0, 1, 1]).tolist()
    [0.5, 0.5, 1.0]
    """
    pa, ya = _pair(p, y)
    order, _values, starts, inverse = _unique_blocks(pa)
    sums = np.add.reduceat(ya[order], starts)
    counts = np.diff(np.append(starts, len(pa))).astype(float)
    return _pav_blocks(sums.tolist(), counts.tolist())[inverse]


def corp_decomposition(p: Any, y: Any) -> dict[str, float]:
    r"""CORP decomposition of the Brier score into miscalibration, discrimination, uncertainty.

    With :math:`S` the mean Brier score, :math:`\hat p` the PAV recalibration of :math:`p`
    (:func:`pav`) and :math:`\bar y` the event frequency [1]_:

    .. math::
        \mathrm{MCB} = S(p) - S(\hat p), \quad
        \mathrm{DSC} = S(\bar y) - S(\hat p), \quad
        \mathrm{UNC} = S(\bar y) = \bar y (1 - \bar y),

    so that :math:`S(p) = \mathrm{MCB} - \mathrm{DSC} + \mathrm{UNC}` holds by construction
    (to rounding). These are Murphy's reliability, resolution and uncertainty terms [2]_ with the
    bins chosen by isotonic regression instead of by hand; MCB ≥ 0 and DSC ≥ 0 always, MCB = 0
    exactly when the forecasts are already isotonic-calibrated in sample.

    Parameters
    ----------
    p : array_like of float, shape (n,)
        Forecast probabilities in [0, 1].
    y : array_like of {0, 1}, shape (n,)
        Observed outcomes.

    Returns
    -------
    dict
        ``brier`` (S(p)), ``reliability`` (MCB, miscalibration: lower is better),
        ``resolution`` (DSC, discrimination: higher is better), ``uncertainty`` (UNC).

    Raises
    ------
    EvaluationError
        As :func:`brier_score`.

    References
    ----------
    .. [1] Dimitriadis, Gneiting & Jordan (2021), *PNAS* 118, e2016191118.
    .. [2] Murphy (1973), *J. Appl. Meteor.* 12, 595–600.

    Examples
    --------
    >>> d = corp_decomposition([0.1, 0.2, 0.3, 0.4], [1, 0, 0, 1])
    >>> {k: round(v, 4) for k, v in d.items()}
    {'brier': 0.325, 'reliability': 0.1583, 'resolution': 0.0833, 'uncertainty': 0.25}
    """
    pa, ya = _pair(p, y)
    fitted = pav(pa, ya)
    s_p = float(np.mean((pa - ya) ** 2))
    s_fit = float(np.mean((fitted - ya) ** 2))
    ybar = float(np.mean(ya))
    s_clim = float(np.mean((ybar - ya) ** 2))
    return {
        "brier": s_p,
        "reliability": s_p - s_fit,
        "resolution": s_clim - s_fit,
        "uncertainty": s_clim,
    }


def _intervals(p_low: Any, p_high: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the checked interval bounds (NaN allowed), as many as the ``n`` forecasts."""
    lo = _probabilities(p_low, "p_low", allow_nan=True)
    hi = _probabilities(p_high, "p_high", allow_nan=True)
    if not len(lo) == len(hi) == n:
        raise EvaluationError(
            f"p_low, p_high and p_mean must have the same length, not {len(lo)}, {len(hi)} and {n}."
        )
    _ordered(lo, hi, None)
    return lo, hi


def interval_coverage(p_low: Any, p_high: Any, y: Any, *, p_mean: Any) -> float:
    r"""Share of forecast intervals that contain the realised event frequency of their forecast.

    The realised frequency of forecast *i* is its CORP recalibrated probability
    :math:`\hat p_i = \mathrm{PAV}(p^{\mathrm{mean}}, y)_i` (:func:`pav`): the observed event
    frequency among the forecasts pooled with it. Then

    .. math:: \mathrm{coverage} = \frac{1}{n} \sum_{i=1}^{n}
              \mathbb{1}\{ p^{\mathrm{low}}_i \le \hat p_i \le p^{\mathrm{high}}_i \}.

    This is not a nominal 90% quantity. :math:`\hat p` estimates the event frequency among
    forecasts like *i*, which for a calibrated forecaster is :math:`p^{\mathrm{mean}}_i` itself
    and lies inside every interval; what makes intervals miss is the noise of PAV's estimate.
    So for a forecaster whose posterior is exactly right the coverage depends on the number of
    forecasts and the intervals' width, and tends to 1 as the record grows (a test simulates
    it: about 0.57 for 100 forecasts with narrow intervals, above 0.98 for 5 000). Read it
    against :func:`calibrated_coverage`, what calibrated forecasts with the same intervals
    score. Forecasts whose
    interval is missing (NaN, e.g. a point-estimate baseline) are left out of the share, but
    still take part in the PAV fit.

    Parameters
    ----------
    p_low, p_high : array_like of float, shape (n,)
        Interval bounds in [0, 1] (NaN allowed where a forecast has no interval).
    y : array_like of {0, 1}, shape (n,)
        Observed outcomes.
    p_mean : array_like of float, shape (n,)
        The point forecasts the realised frequencies are computed at.

    Returns
    -------
    float
        NaN when no forecast has an interval.

    Raises
    ------
    EvaluationError
        If a bound or ``p_mean`` leaves [0, 1], ``p_low > p_high``, ``y`` is not 0/1, or the
        lengths differ.

    Examples
    --------
    >>> interval_coverage([0.0] * 4, [0.5] * 4, [1, 0, 0, 1], p_mean=[0.1, 0.2, 0.3, 0.4])
    0.75
    """
    pm, ya = _pair(p_mean, y, p_name="p_mean")
    lo, hi = _intervals(p_low, p_high, len(pm))
    fitted = pav(pm, ya)
    has = ~(np.isnan(lo) | np.isnan(hi))
    if not has.any():
        return float("nan")
    inside = (lo[has] <= fitted[has]) & (fitted[has] <= hi[has])
    return float(np.mean(inside))


def calibrated_coverage(
    p_low: Any,
    p_high: Any,
    p_mean: Any,
    *,
    n_boot: int = 200,
    ci_prob: float = 0.9,
    random_seed: int | np.random.Generator | None = None,
) -> dict[str, float]:
    r"""Return the :func:`interval_coverage` of intervals around calibrated forecasts.

    Consistency resampling, as the bands of :func:`reliability_curve` [1]_: ``n_boot`` times
    draw :math:`y^{*}_i \sim \mathrm{Bernoulli}(p^{\mathrm{mean}}_i)`, recalibrate by PAV and
    compute the coverage of ``[p_low, p_high]``. The result is the reference an observed
    coverage should be read against. It is not ``ci_prob``: PAV's recalibrated frequency is
    itself an estimate, and where its top (bottom) block happens to hold only events
    (non-events) it is exactly 1 (0), which no interval of a probability strictly inside
    (0, 1) contains — so even calibrated forecasts with wide intervals lose coverage at
    forecasts near 0 or 1, and the more of them sit there, the more they lose.

    Outcomes are drawn independently; outcomes of overlapping backtest windows are
    positively dependent, which makes all-event runs longer and the coverage lower still, so
    the reference is, if anything, too high.

    Parameters
    ----------
    p_low, p_high : array_like of float, shape (n,)
        Interval bounds in [0, 1] (NaN where a forecast has no interval).
    p_mean : array_like of float, shape (n,)
        The point forecasts, taken as the true probabilities.
    n_boot : int, default 200
        Number of resamples (≥ 1).
    ci_prob : float, default 0.9
        Mass of the reported range of the resampled coverages, in (0, 1).
    random_seed : int, numpy.random.Generator or None

    Returns
    -------
    dict
        ``mean``, ``low``, ``high``: the mean and central ``ci_prob`` range of the coverage
        over the resamples (NaN when no forecast has an interval).

    Raises
    ------
    EvaluationError
        As :func:`interval_coverage`, and for ``n_boot < 1`` or ``ci_prob`` outside (0, 1).

    References
    ----------
    .. [1] Dimitriadis, Gneiting & Jordan (2021), *PNAS* 118, e2016191118.

    Examples
    --------
    >>> calibrated_coverage([0.0, 0.0], [1.0, 1.0], [0.3, 0.6], n_boot=5, random_seed=0)
    {'mean': 1.0, 'low': 1.0, 'high': 1.0}
    """
    pm = _probabilities(p_mean, "p_mean")
    lo, hi = _intervals(p_low, p_high, len(pm))
    ci_prob = _ci_prob(ci_prob)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise EvaluationError(f"n_boot must be a whole number ≥ 1, not {n_boot!r}.")
    has = ~(np.isnan(lo) | np.isnan(hi))
    if not has.any():
        return dict.fromkeys(("mean", "low", "high"), float("nan"))
    rng = np.random.default_rng(random_seed)
    order, _values, starts, inverse = _unique_blocks(pm)
    weights = np.diff(np.append(starts, len(pm))).astype(float).tolist()
    draws = (rng.random((int(n_boot), len(pm))) < pm[order]).astype(float)
    sums = np.add.reduceat(draws, starts, axis=1)
    fitted = np.stack([_pav_blocks(row.tolist(), weights)[inverse] for row in sums])
    inside = (lo[has] <= fitted[:, has]) & (fitted[:, has] <= hi[has])
    cover = inside.mean(axis=1)
    low, high = np.quantile(cover, [(1 - ci_prob) / 2, (1 + ci_prob) / 2])
    return {"mean": float(cover.mean()), "low": float(low), "high": float(high)}


def reliability_curve(
    p: Any,
    y: Any,
    *,
    n_boot: int = 200,
    ci_prob: float = 0.9,
    random_seed: int | np.random.Generator | None = None,
) -> pd.DataFrame:
    r"""CORP reliability curve with consistency bands under the hypothesis of calibration.

    The curve is the PAV recalibration :math:`\hat p` (:func:`pav`) at each distinct forecast
    value. The consistency band at forecast value :math:`x` is the central ``ci_prob`` range of
    :math:`\hat p^{*}(x)` over ``n_boot`` resamples :math:`y^{*}_i \sim \mathrm{Bernoulli}(p_i)`
    — outcomes drawn as if the forecasts were calibrated — each recalibrated by PAV again [1]_.
    Where the curve leaves the band, the miscalibration is larger than chance alone makes
    likely at this sample size.

    Parameters
    ----------
    p : array_like of float, shape (n,)
        Forecast probabilities in [0, 1].
    y : array_like of {0, 1}, shape (n,)
        Observed outcomes.
    n_boot : int, default 200
        Number of resamples (≥ 1).
    ci_prob : float, default 0.9
        Probability mass of the band, in (0, 1).
    random_seed : int, numpy.random.Generator or None
        Seed of the resampling.

    Returns
    -------
    pandas.DataFrame
        One row per distinct forecast value, in increasing order: ``p``, ``p_recal`` (PAV),
        ``low`` and ``high`` (the band), ``n`` (number of forecasts with that value).

    Raises
    ------
    EvaluationError
        As :func:`brier_score`, and for ``n_boot < 1`` or ``ci_prob`` outside (0, 1).

    References
    ----------
    .. [1] Dimitriadis, Gneiting & Jordan (2021), *PNAS* 118, e2016191118, "Uncertainty
       quantification" (consistency bands by resampling under calibration).
    """
    pa, ya = _pair(p, y)
    ci_prob = _ci_prob(ci_prob)
    if isinstance(n_boot, bool) or not isinstance(n_boot, int | np.integer) or n_boot < 1:
        raise EvaluationError(f"n_boot must be a whole number ≥ 1, not {n_boot!r}.")
    rng = np.random.default_rng(random_seed)
    order, values, starts, _ = _unique_blocks(pa)
    counts = np.diff(np.append(starts, len(pa))).astype(float)
    weights = counts.tolist()
    fitted = _pav_blocks(np.add.reduceat(ya[order], starts).tolist(), weights)
    draws = (rng.random((int(n_boot), len(pa))) < pa[order]).astype(float)
    sums = np.add.reduceat(draws, starts, axis=1)
    boot = np.stack([_pav_blocks(row.tolist(), weights) for row in sums])
    low, high = np.quantile(boot, [(1 - ci_prob) / 2, (1 + ci_prob) / 2], axis=0)
    return pd.DataFrame(
        {"p": values, "p_recal": fitted, "low": low, "high": high, "n": counts.astype(int)}
    )


# --------------------------------------------------------------------------- backtest table


def _validated(frame: pd.DataFrame, by: list[str]) -> pd.DataFrame:
    if not isinstance(frame, pd.DataFrame):
        raise EvaluationError(f"frame must be a pandas DataFrame, not {type(frame).__name__}.")
    missing = [c for c in dict.fromkeys([*BACKTEST_COLUMNS, *by]) if c not in frame.columns]
    if missing:
        raise EvaluationError(
            f"the backtest frame has no column(s) {', '.join(repr(c) for c in missing)}; it needs "
            f"{', '.join(BACKTEST_COLUMNS)}."
        )
    df = frame.reset_index(drop=True)
    labels = list(frame.index)
    _probabilities(df["p_mean"], "p_mean", labels=labels)
    lo = _probabilities(df["p_low"], "p_low", allow_nan=True, labels=labels)
    hi = _probabilities(df["p_high"], "p_high", allow_nan=True, labels=labels)
    _outcomes(df["observed"], "observed", allow_nan=True, labels=labels)
    _ordered(lo, hi, labels)
    return df


def _with_reference(df: pd.DataFrame, reference: str | None) -> pd.Series:
    if reference is None:
        return pd.Series(np.nan, index=df.index)
    hypotheses = [str(h) for h in df["hypothesis"].unique()]
    if reference not in hypotheses:
        raise EvaluationError(
            f"no reference hypothesis '{reference}'{did_you_mean(reference, hypotheses)}; the "
            f"frame has {', '.join(hypotheses)}. Pass reference=None to skip brier_skill."
        )
    ref = df.loc[df["hypothesis"] == reference, [*_CASE, "p_mean"]]
    dup = ref.duplicated(list(_CASE), keep=False)
    if dup.any():
        first = ref.loc[dup].iloc[0]
        case = ", ".join(f"{c}={first[c]}" for c in _CASE)
        raise EvaluationError(
            f"the reference '{reference}' has more than one forecast for {case}; a backtest "
            "frame has one row per origin × trigger × hypothesis × outcome × horizon."
        )
    ref = ref.rename(columns={"p_mean": "_p_ref"})
    merged = df[list(_CASE)].merge(ref, on=list(_CASE), how="left", validate="many_to_one")
    return pd.Series(merged["_p_ref"].to_numpy(dtype=float), index=df.index)


def _group_scores(g: pd.DataFrame) -> dict[str, float]:
    obs = g["observed"].to_numpy(dtype=float)
    scored = ~np.isnan(obs)
    n = int(scored.sum())
    row: dict[str, float] = dict.fromkeys(_SCORE_COLUMNS, float("nan"))
    row["n"], row["n_censored"] = n, int((~scored).sum())
    if n == 0:
        return row
    y = obs[scored]
    p = g["p_mean"].to_numpy(dtype=float)[scored]
    corp = corp_decomposition(p, y)
    row.update(
        brier=corp["brier"],
        log_score=log_score(p, y),
        reliability=corp["reliability"],
        resolution=corp["resolution"],
        uncertainty=corp["uncertainty"],
        base_rate=float(np.mean(y)),
    )
    row["coverage90"] = interval_coverage(
        g["p_low"].to_numpy(dtype=float)[scored],
        g["p_high"].to_numpy(dtype=float)[scored],
        y,
        p_mean=p,
    )
    p_ref = g["_p_ref"].to_numpy(dtype=float)[scored]
    paired = ~np.isnan(p_ref)
    if paired.any():
        row["brier_skill"] = brier_skill(p[paired], y[paired], p_ref[paired])
        row["log_skill"] = log_skill(p[paired], y[paired], p_ref[paired])
    return row


def score_table(
    frame: pd.DataFrame,
    *,
    by: str | Sequence[str] = ("hypothesis", "outcome", "horizon_days"),
    reference: str | None = "climatology",
) -> pd.DataFrame:
    r"""Score a tidy backtest frame: one row of scores per hypothesis × outcome × horizon.

    Censored forecasts (``observed`` NaN: the follow-up window was still open when the data
    end) are left out of every score and counted in ``n_censored``; they are never scored as
    "no event". Baselines ("climatology", "recent_rate", "ml_piecewise") are hypotheses like any
    other.

    Parameters
    ----------
    frame : pandas.DataFrame
        Columns ``origin_date, trigger, hypothesis, outcome, horizon_days, p_mean, p_low,
        p_high, observed`` (:data:`BACKTEST_COLUMNS`); ``observed`` is 0, 1 or NaN (censored),
        ``p_low``/``p_high`` may be NaN for point forecasts.
    by : str or sequence of str, default ("hypothesis", "outcome", "horizon_days")
        Columns to group by; groups keep the order of their first row.
    reference : str or None, default "climatology"
        The hypothesis ``brier_skill`` is measured against. Each forecast is paired with the
        reference's forecast of the same case (``origin_date``, ``trigger``, ``outcome``,
        ``horizon_days``); cases the reference did not forecast are left out of the skill only.
        ``None`` leaves ``brier_skill`` and ``log_skill`` NaN.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, then

        - ``n``, ``n_censored``: scored and censored forecasts;
        - ``brier``, ``log_score``: :func:`brier_score`, :func:`log_score` (losses);
        - ``brier_skill``, ``log_skill``: :func:`brier_skill`, :func:`log_skill` against
          ``reference`` (0 for the reference);
        - ``reliability``, ``resolution``, ``uncertainty``: :func:`corp_decomposition`, so
          ``brier = reliability − resolution + uncertainty``;
        - ``coverage90``: :func:`interval_coverage` of ``[p_low, p_high]`` (the backtest's
          90% intervals), NaN without intervals;
        - ``base_rate``: the observed event frequency.

        Scores are NaN for a group whose forecasts are all censored.

    Raises
    ------
    EvaluationError
        If a column is missing, a probability leaves [0, 1] (``p_mean`` may not be NaN),
        ``p_low > p_high``, ``observed`` is not 0, 1 or NaN, ``reference`` is not a
        hypothesis of the frame, or the reference has two forecasts of one case.
    """
    by = [by] if isinstance(by, str) else list(by)
    df = _validated(frame, by)
    df["_p_ref"] = _with_reference(df, reference)
    groups = df.groupby(by, sort=False, dropna=False) if by else [((), df)]
    rows = []
    for keys, g in groups:
        key = keys if isinstance(keys, tuple) else (keys,)
        rows.append({**dict(zip(by, key, strict=True)), **_group_scores(g)})
    out = pd.DataFrame(rows, columns=[*by, *_SCORE_COLUMNS])
    return out.astype({"n": int, "n_censored": int})
