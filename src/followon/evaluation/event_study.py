"""Event study: how often past triggers were followed by the outcome, against the models.

The empirical side is a Kaplan–Meier estimate of the time from each past trigger (its last
day) to the first outcome event after it, censored where the record ends; its complement
``1 − S(d)`` is the share of triggers followed by the outcome within *d* days. The model side
is what a fitted hazard model implies for the same triggers: for each trigger date, the
model's posterior probability of a first event within *d* days (from the history known that
day, with no events after it), averaged over the triggers, draw by draw. The same question
asked of data and model, so the figure (:func:`followon.plot_event_study`) reads as a check:
a hypothesis whose curve leaves the Kaplan–Meier band describes the triggers' aftermath
badly.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from followon.errors import FollowonError, ModelError
from followon.exposure.covariates import select_events
from followon.exposure.table import ExposureTable

__all__ = ["implied_incidence", "kaplan_meier", "trigger_durations"]

KM_COLUMNS = ("day", "at_risk", "events", "censored", "survival", "incidence", "low", "high")


def kaplan_meier(durations: Any, observed: Any, *, ci_prob: float = 0.9) -> pd.DataFrame:
    r"""Kaplan–Meier estimate of the share followed by an event within each day.

    .. math:: \hat S(t) = \prod_{t_j \le t} \Bigl(1 - \frac{d_j}{n_j}\Bigr), \qquad
              \mathrm{incidence}(t) = 1 - \hat S(t),

    with :math:`n_j` at risk and :math:`d_j` events at time :math:`t_j` (a subject censored at
    :math:`t_j` counts as at risk there). The interval is Greenwood's on the log(−log)
    scale (Kalbfleisch and Prentice; lifelines' default): :math:`\hat S^{\exp(\pm z
    \sigma)}`, :math:`\sigma^2 = \sum d_j / (n_j (n_j - d_j)) / (\log \hat S)^2`, turned
    into bounds on the incidence.

    Parameters
    ----------
    durations : array_like of int or float, shape (n,)
        Days from each subject's origin to its event or censoring (≥ 0).
    observed : array_like of bool or {0, 1}, shape (n,)
        1 where the event was seen at ``durations``, 0 where the record ends there.
    ci_prob : float
        Interval probability (default 0.9).

    Returns
    -------
    pandas.DataFrame
        One row for day 0 and one per distinct duration: ``day, at_risk, events, censored,
        survival, incidence, low, high`` (``low``/``high`` bound the incidence; NaN once
        nobody is at risk, and equal to the estimate where it is 0).

    Examples
    --------
    >>> km = kaplan_meier([2, 3, 3, 5, 8], [1, 1, 0, 1, 0])
    >>> km[["day", "at_risk", "incidence"]].round(2).to_numpy().tolist()
    [[0.0, 5.0, 0.0], [2.0, 5.0, 0.2], [3.0, 4.0, 0.4], [5.0, 2.0, 0.7], [8.0, 1.0, 0.7]]
    """
    t = np.asarray(durations, dtype=float)
    e = np.asarray(observed)
    if t.ndim != 1 or e.shape != t.shape:
        raise ModelError(
            f"durations and observed must be 1-d of one length, not {t.shape} and {e.shape}."
        )
    if not len(t):
        raise ModelError("kaplan_meier needs at least one duration.")
    if not np.isfinite(t).all() or (t < 0).any():
        raise ModelError("durations must be finite and ≥ 0 days.")
    if not np.isin(e, (0, 1, True, False)).all():
        raise ModelError("observed must be 0/1 (or booleans).")
    if not 0.0 < ci_prob < 1.0:
        raise ModelError(f"ci_prob must be in (0, 1), not {ci_prob}.")
    e = e.astype(bool)
    times = np.unique(t)
    at_risk = np.array([(t >= u).sum() for u in times], dtype=float)
    events = np.array([((t == u) & e).sum() for u in times], dtype=float)
    censored = np.array([((t == u) & ~e).sum() for u in times], dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        survival = np.cumprod(1.0 - events / at_risk)
        green = np.cumsum(events / (at_risk * (at_risk - events)))
        sigma = np.sqrt(green) / np.abs(np.log(survival))
    z = stats.norm.ppf(0.5 + ci_prob / 2.0)
    with np.errstate(invalid="ignore", over="ignore"):
        s_low = survival ** np.exp(-z * sigma)  # the lower incidence bound
        s_high = survival ** np.exp(z * sigma)
    none = events.cumsum() == 0
    s_low[none], s_high[none] = 1.0, 1.0
    zero = survival == 0.0
    s_low[zero], s_high[zero] = np.nan, np.nan
    out = pd.DataFrame(
        {
            "day": times,
            "at_risk": at_risk,
            "events": events,
            "censored": censored,
            "survival": survival,
            "incidence": 1.0 - survival,
            "low": 1.0 - s_low,
            "high": 1.0 - s_high,
        }
    )
    if times[0] > 0:
        first = pd.DataFrame(
            [[0.0, float(len(t)), 0.0, 0.0, 1.0, 0.0, 0.0, 0.0]], columns=list(KM_COLUMNS)
        )
        out = pd.concat([first, out], ignore_index=True)
    out.attrs["ci_prob"] = ci_prob
    return out


def trigger_durations(
    table: ExposureTable,
    trigger_type: str,
    *,
    tags: Sequence[str] = (),
    where: Mapping[str, Sequence[str]] | None = None,
) -> pd.DataFrame:
    """Days from each past trigger to the first outcome event after it, in a fitted table.

    A trigger's origin is its last day (``end_date``, else ``date``), as a scenario's is; the
    first outcome day after the origin ends its wait. Triggers whose wait runs past the
    table's last day are censored there; triggers before the table starts or on its last
    day are left out (nothing after them is in the table).

    Returns
    -------
    pandas.DataFrame
        ``event_id, origin_date, duration_days, observed`` (1 = an outcome event ended the
        wait), one row per trigger in date order.

    Raises
    ------
    ModelError
        No trigger of that type (with those tags) in the table's span.
    """
    data = table.data
    if "date" not in data.columns:
        raise ModelError(
            "the table's rows are not days (collapsed?); build it with followon.build_exposure."
        )
    chosen = select_events(table.events, trigger_type, tags, where or {})
    ends = chosen["end_date"].where(chosen["end_date"].notna(), chosen["date"])
    chosen = chosen.assign(origin_date=pd.to_datetime(ends)).sort_values("origin_date")
    chosen = chosen[(chosen["origin_date"] >= table.start) & (chosen["origin_date"] < table.end)]
    if chosen.empty:
        raise ModelError(
            f"no {trigger_type} trigger between {table.start:%Y-%m-%d} and "
            f"{table.end:%Y-%m-%d}; an event study needs past triggers of the type."
        )
    event_days = np.sort(pd.to_datetime(data.loc[data["events"] > 0, "date"]).to_numpy())
    rows = []
    for event_id, origin in zip(chosen["event_id"], chosen["origin_date"], strict=True):
        after = event_days[event_days > np.datetime64(origin)]
        if len(after):
            first = pd.Timestamp(after[0])
            rows.append((event_id, origin, (first - origin).days, 1))
        else:
            rows.append((event_id, origin, (table.end - origin).days, 0))
    return pd.DataFrame(rows, columns=["event_id", "origin_date", "duration_days", "observed"])


def implied_incidence(
    model: Any, origins: Sequence[Any], max_days: int, *, ci_prob: float = 0.9
) -> pd.DataFrame:
    """Average a fitted model's P(first event within d days) over past trigger dates.

    For each origin the model's posterior predictive from the history known that day
    (:meth:`~followon.HazardModel.probability_draws`: self-excitation decays from the last
    event before it, later events and triggers are unknown); the average over origins is
    taken per posterior draw, so the interval is the posterior uncertainty of that average.

    Returns
    -------
    pandas.DataFrame
        ``day`` 0 … ``max_days``, ``p_mean, p_low, p_high`` (day 0: 0).

    Raises
    ------
    ModelError
        The model cannot forecast from a past date (its message says why).
    """
    if not len(origins):
        raise ModelError("implied_incidence needs at least one origin.")
    total: np.ndarray | None = None
    for origin in origins:
        try:
            p = model.probability_draws(pd.Timestamp(origin), max_days)
        except FollowonError as exc:
            raise ModelError(f"{type(model).__name__}: {exc}") from None
        total = p if total is None else total + p
    assert total is not None
    mean_draws = np.concatenate([np.zeros((len(total), 1)), total / len(origins)], axis=1)
    tail = (1.0 - ci_prob) / 2.0
    low, high = np.quantile(mean_draws, [tail, 1.0 - tail], axis=0)
    return pd.DataFrame(
        {
            "day": np.arange(max_days + 1),
            "p_mean": mean_draws.mean(axis=0),
            "p_low": low,
            "p_high": high,
        }
    )
