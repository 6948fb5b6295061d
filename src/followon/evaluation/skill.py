r"""Skill scores with intervals from a circular block bootstrap over backtest origins.

Backtest origins a few weeks apart share most of their forecast windows (two 90-day windows
14 days apart overlap on 76 days), so their scores are not independent and the ordinary
bootstrap, which resamples single origins, gives intervals that are too narrow. The moving
block bootstrap [1]_ resamples runs of ``block_length`` consecutive origins instead; the
circular version [2]_ wraps the runs around the end so that every origin is drawn equally
often. With a block of at least the overlap (``ceil(horizon / spacing of origins)`` origins),
the dependence inside a block is kept and blocks are nearly independent.

Pairing: every hypothesis of one outcome × horizon is scored on the *same* resamples, and the
skill :math:`1 - S/S^{\mathrm{ref}}` is computed on each resample with the reference's score
on the same cases, so its interval is the interval of the relative difference to the reference
(an interval that excludes 0 says the forecast beats the reference beyond origin-to-origin
noise; overlapping intervals of two hypotheses do *not* say they are equal).

NumPy only.

References
----------
.. [1] Künsch, H. R. (1989). The jackknife and the bootstrap for general stationary
   observations. *Ann. Statist.* 17, 1217–1241.
.. [2] Politis, D. N. & Romano, J. P. (1992). A circular block-resampling procedure for
   stationary data. In *Exploring the Limits of Bootstrap* (LePage & Billard, eds.), Wiley,
   263–270.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd

from followon.errors import EvaluationError
from followon.evaluation.scores import calibrated_coverage, score_table

__all__ = ["COVERAGE_COLUMNS", "block_bootstrap_indices", "bootstrap_skill", "skill_table"]

COVERAGE_COLUMNS = (
    "coverage90_calibrated",
    "coverage90_calibrated_low",
    "coverage90_calibrated_high",
)
"""What :func:`skill_table` adds to read ``coverage90`` against: the coverage (mean and range)
the same intervals score when outcomes are drawn from the forecasts
(:func:`~followon.evaluation.calibrated_coverage`). No block-bootstrap range: resampling cases
with replacement ties forecasts, PAV then pools more and the recalibrated frequencies move
toward the forecasts, so the bootstrap distribution of a PAV-based coverage is biased (the
bootstrap is inconsistent for isotonic estimators; Kosorok 2008)."""

_EPS = 1e-6
"""Clipping of the log score (as :func:`followon.evaluation.log_score`)."""


def _whole(value: Any, name: str, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < low:
        raise EvaluationError(f"{name} must be a whole number ≥ {low}, not {value!r}.")
    return int(value)


def block_bootstrap_indices(
    n: int,
    block_length: int,
    n_boot: int,
    *,
    random_seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""Return the indices of ``n_boot`` circular block-bootstrap resamples of ``n`` ordered cases.

    Each resample joins :math:`\lceil n / b \rceil` blocks of :math:`b` consecutive cases,
    each starting at a uniform random case and wrapping past the last case to the first
    (Politis & Romano 1992), and keeps the first ``n`` indices. With ``block_length=1`` this
    is the ordinary bootstrap: the same seed gives exactly
    ``numpy.random.default_rng(seed).integers(0, n, (n_boot, n))``.

    Parameters
    ----------
    n : int
        Number of cases (≥ 1), in time order.
    block_length : int
        Consecutive cases per block, 1 … n.
    n_boot : int
        Number of resamples (≥ 1).
    random_seed : int, numpy.random.Generator or None

    Returns
    -------
    numpy.ndarray of int, shape (n_boot, n)

    Raises
    ------
    EvaluationError
        If a count is not a whole number in range.

    Examples
    --------
    >>> block_bootstrap_indices(6, 3, 2, random_seed=0).tolist()
    [[5, 0, 1, 3, 4, 5], [3, 4, 5, 1, 2, 3]]
    """
    n = _whole(n, "n", 1)
    n_boot = _whole(n_boot, "n_boot", 1)
    b = _whole(block_length, "block_length", 1)
    if b > n:
        raise EvaluationError(f"block_length must be at most the {n} cases, not {b}.")
    rng = np.random.default_rng(random_seed)
    k = math.ceil(n / b)
    starts = rng.integers(0, n, (n_boot, k))
    idx = (starts[:, :, None] + np.arange(b)) % n
    return idx.reshape(n_boot, k * b)[:, :n]


def bootstrap_skill(loss: Any, loss_ref: Any, indices: Any) -> np.ndarray:
    r"""Skill :math:`1 - \bar S^{*} / \bar S^{\mathrm{ref}*}` on each resample of the cases.

    Parameters
    ----------
    loss : array_like of float, shape (k, n) or (n,)
        Per-case losses (e.g. Brier or log score) of k forecasts; NaN where a forecast did not
        forecast a case (it is then left out of that forecast's mean, and so is the
        reference's loss on it: the pair stays matched).
    loss_ref : array_like of float, shape (n,)
        The reference's losses on the same cases (no NaN).
    indices : array_like of int, shape (B, n)
        Resamples, e.g. from :func:`block_bootstrap_indices`; passing the same ``indices`` for
        several forecasts makes their skills paired.

    Returns
    -------
    numpy.ndarray, shape (B, k) (or (B,) for a 1-d ``loss``)
        NaN on a resample where a forecast has no case or the reference's loss is 0.

    Raises
    ------
    EvaluationError
        On mismatched shapes, NaN in ``loss_ref`` or indices outside 0 … n − 1.
    """
    one = np.ndim(loss) == 1
    lo = np.atleast_2d(np.asarray(loss, dtype=float))
    ref = np.asarray(loss_ref, dtype=float)
    idx = np.asarray(indices)
    n = ref.shape[0] if ref.ndim == 1 else -1
    if ref.ndim != 1 or lo.ndim != 2 or lo.shape[1] != n or idx.ndim != 2:
        raise EvaluationError(
            f"loss must be (k, n) or (n,), loss_ref (n,) and indices (B, n); got "
            f"{np.shape(loss)}, {ref.shape} and {idx.shape}."
        )
    if np.isnan(ref).any():
        raise EvaluationError("loss_ref has NaN; every case needs the reference's loss.")
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        raise EvaluationError(f"indices must lie in 0 … {n - 1}.")
    counts = np.zeros((idx.shape[0], n))
    np.add.at(counts, (np.arange(idx.shape[0])[:, None], idx), 1.0)
    has = ~np.isnan(lo)  # (k, n)
    s = counts @ np.where(has, lo, 0.0).T  # (B, k)
    s_ref = counts @ (has * ref).T
    with np.errstate(invalid="ignore", divide="ignore"):
        skill = 1.0 - s / np.where(s_ref == 0, np.nan, s_ref)
    return skill[:, 0] if one else skill


def _losses(p: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    pc = np.clip(p, _EPS, 1 - _EPS)
    return (p - y) ** 2, -(y * np.log(pc) + (1 - y) * np.log1p(-pc))


def _spacing(dates: np.ndarray) -> float:
    if len(dates) < 2:
        return 1.0
    gaps = np.diff(np.sort(dates)).astype("timedelta64[D]").astype(float)
    return max(1.0, float(np.median(gaps)))


def skill_table(
    frame: pd.DataFrame,
    *,
    reference: str = "climatology",
    n_boot: int = 1000,
    block_length: int | None = None,
    ci_prob: float = 0.9,
    random_seed: int | None = None,
) -> pd.DataFrame:
    r""":func:`~followon.evaluation.score_table` with block-bootstrap intervals of the skills.

    Per outcome × horizon the resolved cases (origins) are put in date order and resampled
    with :func:`block_bootstrap_indices`; every hypothesis is scored on the same resamples
    (:func:`bootstrap_skill`, paired with ``reference``) and the central ``ci_prob`` range of
    its Brier and log skill over the resamples is its interval (percentile bootstrap).

    Parameters
    ----------
    frame : pandas.DataFrame
        A backtest frame (:data:`~followon.evaluation.BACKTEST_COLUMNS`).
    reference : str, default "climatology"
        The hypothesis skill is measured against.
    n_boot : int, default 1000
        Resamples per outcome × horizon.
    block_length : int, optional
        Origins per block. Default: :math:`\lceil H / d \rceil` for horizon *H* days and the
        median spacing *d* days of consecutive origins — the number of origins whose windows
        overlap one window — capped at the number of origins.
    ci_prob : float, default 0.9
    random_seed : int, optional
        Seeds the resamples (the same seed gives the same intervals).

    Returns
    -------
    pandas.DataFrame
        The score table's columns (by hypothesis, outcome, horizon) and ``block_length``,
        ``brier_skill_low``, ``brier_skill_high``, ``log_skill_low``, ``log_skill_high``;
        for hypotheses with intervals also ``coverage90_calibrated`` with ``…_low`` and
        ``…_high``: the mean and ``ci_prob`` range of
        :func:`~followon.evaluation.calibrated_coverage` (``n_boot`` resamples), what the same
        intervals score when the forecasts are calibrated (NaN for point forecasts).

    Raises
    ------
    EvaluationError
        As :func:`~followon.evaluation.score_table`, and for a bad ``n_boot``,
        ``block_length`` or ``ci_prob``.
    """
    if not 0 < ci_prob < 1:
        raise EvaluationError(f"ci_prob must be between 0 and 1, not {ci_prob}.")
    n_boot = _whole(n_boot, "n_boot", 1)
    if block_length is not None:
        _whole(block_length, "block_length", 1)
    table = score_table(frame, reference=reference)  # validates the frame and the reference
    extra = ["block_length", "brier_skill_low", "brier_skill_high"]
    extra += ["log_skill_low", "log_skill_high", *COVERAGE_COLUMNS]
    for c in extra:
        table[c] = np.nan
    seeds = np.random.SeedSequence(random_seed)
    q = [(1 - ci_prob) / 2, (1 + ci_prob) / 2]
    resolved = frame[frame["observed"].notna()]
    for (outcome, horizon), g in resolved.groupby(["outcome", "horizon_days"], sort=False):
        p = g.pivot_table(
            index=["origin_date", "trigger"], columns="hypothesis", values="p_mean", aggfunc="first"
        ).sort_index()
        y = g.groupby(["origin_date", "trigger"])["observed"].first().reindex(p.index)
        p = p[p[reference].notna()]
        n = len(p)
        if n == 0:
            continue
        dates = p.index.get_level_values("origin_date").to_numpy()
        b = block_length or math.ceil(int(str(horizon)) / _spacing(dates))
        b = min(b, n)
        child = seeds.spawn(1)[0]
        idx = block_bootstrap_indices(n, b, n_boot, random_seed=np.random.default_rng(child))
        yv = y.reindex(p.index).to_numpy(dtype=float)
        names = [str(c) for c in p.columns]
        values = p.to_numpy(dtype=float).T  # (k, n)
        brier, logs = _losses(values, yv)
        ref_b, ref_l = _losses(p[reference].to_numpy(dtype=float), yv)
        with warnings.catch_warnings():  # a hypothesis without cases: an all-NaN column
            warnings.simplefilter("ignore", RuntimeWarning)
            bands = {
                "brier_skill": np.nanquantile(bootstrap_skill(brier, ref_b, idx), q, axis=0),
                "log_skill": np.nanquantile(bootstrap_skill(logs, ref_l, idx), q, axis=0),
            }
        for j, name in enumerate(names):
            row = (
                (table["hypothesis"] == name)
                & (table["outcome"] == outcome)
                & (table["horizon_days"] == horizon)
            )
            table.loc[row, "block_length"] = b
            for score, band in bands.items():
                table.loc[row, f"{score}_low"] = band[0, j]
                table.loc[row, f"{score}_high"] = band[1, j]
        coverage = _calibrated_coverage(g, p.index, names, child, n_boot, ci_prob)
        for name, found in coverage.items():
            row = (
                (table["hypothesis"] == name)
                & (table["outcome"] == outcome)
                & (table["horizon_days"] == horizon)
            )
            for column, value in found.items():
                table.loc[row, column] = value
    return table


def _calibrated_coverage(
    g: pd.DataFrame,
    cases: pd.Index,
    names: list[str],
    seed: np.random.SeedSequence,
    n_boot: int,
    ci_prob: float,
) -> dict[str, dict[str, float]]:
    """Per hypothesis with intervals: the :data:`COVERAGE_COLUMNS` of one outcome × horizon."""
    out: dict[str, dict[str, float]] = {}
    seeds = seed.spawn(len(names))  # the resamples of the skill above stay as they were
    for name, s in zip(names, seeds, strict=True):
        rows = g[g["hypothesis"] == name].set_index(["origin_date", "trigger"]).reindex(cases)
        rows = rows[rows["p_mean"].notna()]
        if rows[["p_low", "p_high"]].isna().all().all():
            continue  # a point forecast: no interval to cover
        cal = calibrated_coverage(
            rows["p_low"].to_numpy(dtype=float),
            rows["p_high"].to_numpy(dtype=float),
            rows["p_mean"].to_numpy(dtype=float),
            n_boot=n_boot,
            ci_prob=ci_prob,
            random_seed=np.random.default_rng(s),
        )
        out[name] = {f"coverage90_calibrated{k}": cal[v] for k, v in _SUFFIX.items()}
    return out


_SUFFIX = {"": "mean", "_low": "low", "_high": "high"}
