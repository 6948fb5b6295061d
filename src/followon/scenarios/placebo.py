r"""Placebo triggers: the same events moved to random dates away from every real one.

A trigger hypothesis (a window after each plenum, say) can beat climatology in a backtest
because the window is real or because any extra parameter fits noise and era shifts. The
placebo test tells them apart: move each trigger event of the hypothesis' trigger types to a
random day, keep their number and durations, rebuild the hypothesis' table and backtest it
again. Repeated N times, the placebo skills show what the same model earns with windows at
meaningless dates; the share of placebos that reach the real skill,
:math:`(1 + \#\{\text{placebo} \ge \text{real}\}) / (1 + N)`, is a permutation p-value
(Phipson & Smyth 2010: the +1 keeps it a valid p-value, never 0).

References
----------
.. [1] Phipson, B. & Smyth, G. K. (2010). Permutation p-values should never be zero.
   *Stat. Appl. Genet. Mol. Biol.* 9, 39.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
import pandas as pd

from followon.errors import ScenarioError
from followon.scenarios.schema import HypothesisSpec

__all__ = [
    "PLACEBO_SCORES",
    "placebo_events",
    "placebo_p_value",
    "placebo_summary",
    "trigger_types",
    "window_days",
]

PLACEBO_SCORES = ("brier_skill", "log_skill")
"""The skills a placebo replicate records."""


def trigger_types(h: HypothesisSpec) -> list[str]:
    """Return the event types of a hypothesis' trigger windows (empty: not a trigger hypothesis)."""
    return list(dict.fromkeys(str(t.type) for t in h.triggers))


def window_days(h: HypothesisSpec) -> int:
    """Return the longest trigger window of a hypothesis, in days (its largest cut)."""
    return max((max(t.cut_days) for t in h.triggers), default=0)


def placebo_events(
    events: pd.DataFrame,
    types: Collection[str],
    *,
    gap_days: int,
    start: pd.Timestamp,
    end: pd.Timestamp,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """Return ``events`` with every event of ``types`` in [start, end] moved to a random day.

    Each moved event keeps its duration (``end_date − date``) and every other column; its new
    first day is drawn uniformly, without two events on one day, from the days of
    [start, end − duration] whose event would lie at least ``gap_days`` days from every real
    event of the same type (before its start and after its end). Events of other types, and
    events of ``types`` outside [start, end], are left where they are.

    Raises
    ------
    ScenarioError
        When the record has too few such days for the events of a type.
    """
    out = events.copy()
    days = pd.date_range(start, end, freq="D").to_numpy()
    gap = np.timedelta64(int(gap_days), "D")
    for etype in types:
        real = out["type"] == etype
        first = out.loc[real, "date"].to_numpy()
        last = out.loc[real, "end_date"].fillna(out.loc[real, "date"]).to_numpy()
        move = real & (out["date"] >= start) & (out["date"] <= end)
        if not move.any():
            continue
        duration = (
            out.loc[move, "end_date"].fillna(out.loc[move, "date"]) - out.loc[move, "date"]
        ).to_numpy()
        longest = duration.max()
        # a day d is free when [d, d + longest] keeps gap_days from every real [first, last]
        free = np.ones(len(days), dtype=bool)
        for a, b in zip(first, last, strict=True):
            free &= (days + longest < a - gap) | (days > b + gap)
        free &= days + longest <= np.datetime64(end)
        n = int(move.sum())
        if free.sum() < n:
            raise ScenarioError(
                f"placebo: only {int(free.sum())} day(s) between {start:%Y-%m-%d} and "
                f"{end:%Y-%m-%d} lie {gap_days} days from every real '{etype}' event, too few "
                f"to place its {n} event(s); use a longer record or shorter windows."
            )
        chosen = np.sort(rng.choice(days[free], size=n, replace=False))
        had_end = out.loc[move, "end_date"].notna().to_numpy()
        out.loc[move, "date"] = chosen
        out.loc[move, "end_date"] = np.where(had_end, chosen + duration, np.datetime64("NaT", "ns"))
    return out.sort_values("date", kind="stable").reset_index(drop=True)


def placebo_p_value(real: float, placebo: np.ndarray) -> float:
    """Return (1 + #placebos with skill ≥ the real one) / (1 + #placebos); NaN ignored."""
    values = np.asarray(placebo, dtype=float)
    values = values[~np.isnan(values)]
    return float((1 + np.sum(values >= real)) / (1 + len(values)))


def placebo_summary(runs: pd.DataFrame, scores: pd.DataFrame) -> pd.DataFrame:
    """Return, per hypothesis × outcome × horizon × score, the real skill and its placebos.

    ``runs`` has one row per placebo replicate (``hypothesis, outcome, horizon_days,
    replicate, brier_skill, log_skill``), ``scores`` the real backtest's score table. Returns
    ``real``, ``placebo_median``, ``placebo_low``/``placebo_high`` (5% and 95%),
    ``p_value`` (:func:`placebo_p_value`) and ``n_placebo``.
    """
    rows = []
    for (hyp, outcome, horizon), g in runs.groupby(
        ["hypothesis", "outcome", "horizon_days"], sort=False
    ):
        real = scores[
            (scores["hypothesis"] == hyp)
            & (scores["outcome"] == outcome)
            & (scores["horizon_days"] == horizon)
        ]
        for score in PLACEBO_SCORES:
            values = g[score].to_numpy(dtype=float)
            value = float(real[score].iloc[0])
            low, mid, high = np.nanquantile(values, [0.05, 0.5, 0.95])
            rows.append(
                {
                    "hypothesis": hyp,
                    "outcome": outcome,
                    "horizon_days": int(str(horizon)),
                    "score": score,
                    "real": value,
                    "placebo_median": float(mid),
                    "placebo_low": float(low),
                    "placebo_high": float(high),
                    "p_value": placebo_p_value(value, values),
                    "n_placebo": int(np.sum(~np.isnan(values))),
                }
            )
    return pd.DataFrame(rows)
