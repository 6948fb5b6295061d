"""A backtest's derived forecasts: ``combined``, and a joint question's P(any).

``combined`` mixes the members by weights learned from the past; P(any) comes from the
separate outcome fits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from followon.evaluation.compare import mixture_probabilities, stacking_weights
from followon.evaluation.scores import BACKTEST_COLUMNS
from followon.scenarios.joint import joint_label

__all__ = ["MIN_RESOLVED", "QUANTILES", "combined_forecasts", "joint_any_forecasts"]

MIN_RESOLVED = 8
"""Resolved past forecasts a backtest origin needs before ``combined`` stops weighing equally."""

QUANTILES = (np.arange(100) + 0.5) / 100
"""Levels at which each member's posterior P(event within H) is kept for ``combined``."""


def combined_forecasts(
    forecasts: pd.DataFrame, members: Sequence[str], *, ci_prob: float = 0.9
) -> pd.DataFrame:
    r"""Return the ``combined`` forecast at every origin, weights learned only from the past.

    At origin *t* and horizon *H*, each member's earlier forecasts whose window had closed
    before *t* (origin + H ≤ t) and resolved (``observed`` 0/1) give log scores
    :math:`\log p` or :math:`\log(1 - p)`; their stacking weights (the run's rule, on past
    scores instead of blocks) mix the members' ``p_mean`` at *t*. Until
    :data:`MIN_RESOLVED` forecasts have resolved, the members weigh equally.

    ``p_low`` and ``p_high``: when ``forecasts`` carries each member's posterior quantiles of P
    (column ``_q``: an array at the levels :data:`QUANTILES`, as :func:`backtest` keeps them),
    the weighted mixture's interval, as in a run (:func:`~followon.evaluation.compare.
    mixture_probabilities` with the quantiles as an evenly weighted sample of each member);
    otherwise empty (a point forecast).
    """
    rows: list[dict[str, Any]] = []
    part = forecasts[forecasts["hypothesis"].isin(members)]
    for (outcome, horizon_key), grp in part.groupby(["outcome", "horizon_days"], sort=False):
        horizon = int(str(horizon_key))
        # per outcome: the joint question's "any" rows have no quantiles, the others do
        spread = "_q" in grp.columns and grp["_q"].notna().all()
        p = grp.pivot_table(index="origin_date", columns="hypothesis", values="p_mean")
        p = p.reindex(columns=list(members)).dropna()
        observed = grp.groupby("origin_date")["observed"].first().reindex(p.index)
        trigger = grp.groupby("origin_date")["trigger"].first().reindex(p.index)
        values_mean = p.to_numpy(dtype=float)
        values = np.clip(values_mean, 1e-9, 1 - 1e-9)
        qs = grp.set_index(["origin_date", "hypothesis"])["_q"] if spread else None
        y = observed.to_numpy(dtype=float)
        dates = p.index.to_numpy()
        for i, origin in enumerate(dates):
            closed = (dates + pd.Timedelta(days=horizon) <= origin) & ~np.isnan(y)
            if closed.sum() >= MIN_RESOLVED:
                lpd = np.where(
                    y[closed, None] == 1, np.log(values[closed]), np.log1p(-values[closed])
                )
                w = stacking_weights(lpd)
            else:
                w = np.full(len(members), 1 / len(members))
            low = high = np.nan
            if qs is not None:
                mix = mixture_probabilities(
                    [np.asarray(qs[(pd.Timestamp(origin), m)])[:, None] for m in members],
                    w,
                    [1],
                    p_means=[np.array([values_mean[i, k]]) for k in range(len(members))],
                    ci_prob=ci_prob,
                )
                low, high = float(mix["p_low"].iloc[0]), float(mix["p_high"].iloc[0])
            rows.append(
                {
                    "origin_date": pd.Timestamp(origin),
                    "trigger": trigger.iloc[i],
                    "hypothesis": "combined",
                    "outcome": outcome,
                    "horizon_days": int(horizon),
                    "p_mean": float(w @ p.to_numpy(dtype=float)[i]),
                    "p_low": low,
                    "p_high": high,
                    "observed": y[i],
                }
            )
    return pd.DataFrame(rows)


def joint_any_forecasts(forecasts: pd.DataFrame, outcomes: Sequence[str]) -> pd.DataFrame:
    r"""Return P(any of ``outcomes`` within H) rows from per-outcome forecasts of separate fits.

    Per origin, hypothesis and horizon that forecast every outcome: :math:`1 - \prod_o (1 -
    p_o)` (exact for separately fitted outcomes, whose posteriors are independent), ``observed``
    1 if any outcome happened, 0 if every window closed quiet, NaN otherwise; no interval.
    Outcome: :func:`~followon.scenarios.joint.joint_label`.
    """
    part = forecasts[forecasts["outcome"].isin(outcomes)]
    keys = ["origin_date", "trigger", "hypothesis", "horizon_days"]
    if part.empty:
        return pd.DataFrame(columns=list(BACKTEST_COLUMNS))
    grouped = part.groupby(keys, sort=False)
    complete = grouped["outcome"].nunique() == len(outcomes)
    quiet = grouped["p_mean"].agg(lambda p: float(np.prod(1.0 - p.to_numpy(dtype=float))))
    seen = grouped["observed"].agg(
        lambda y: 1.0 if (y == 1).any() else (0.0 if (y == 0).all() else np.nan)
    )
    out = pd.DataFrame({"p_mean": 1.0 - quiet, "observed": seen})[complete].reset_index()
    out["outcome"] = joint_label(list(outcomes))
    out["p_low"] = np.nan
    out["p_high"] = np.nan
    return out[list(BACKTEST_COLUMNS)]
