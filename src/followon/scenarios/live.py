r"""Questions asked as of a date: the forecast window, what is already known, the live update.

Every window of a scenario counts days after its *origin* :math:`t_0`: the day the trigger
ends, or — without a trigger — the day before ``as_of``, so that the window is ``as_of …
as_of + H − 1`` (the days a backtest origin on ``as_of`` forecasts, and the days after a
trigger when ``as_of`` is the day after it). The fit sees every day before ``as_of``.

When the trigger ended before ``as_of − 1``, the first :math:`d = (\text{as\_of} - 1) - t_0`
days of each window are already in the fitted data. If an outcome event fell on one of them,
every window holding it resolved to 1 and every window that closed before it to 0; the row's
``status`` is ``observed``. Otherwise the windows that are still open get the *live update*:
the fit conditions on the quiet days (they are in its table), and each posterior draw *s*
gives

.. math:: p_s(H \mid \text{no event by as\_of}) = 1 - \exp\Bigl(-\sum_{t=\text{as\_of}}^{t_0 + H}
          \lambda_{s,t}\Bigr),

the hazard summed over the days still to come, with the covariates those days have given
everything known by ``as_of`` (self-excitation from the whole outcome history, the latest
trigger window, spans under way); ``status`` is ``forecast``. Windows that closed before
``as_of`` without an event are ``observed`` with p = 0. The draws are not reweighted by
:math:`e^{-\Lambda_s(d)}` (the ``elapsed_days`` of :meth:`~followon.HazardModel.forecast`):
the quiet days are already in the likelihood, and counting them again would do it twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from followon.hazard import FORECAST_COLUMNS

__all__ = [
    "FORECAST",
    "OBSERVED",
    "ForecastWindow",
    "forecast_window",
    "live_forecast",
    "live_probability_draws",
]

FORECAST = "forecast"
"""``status`` of a row whose window is still open at ``as_of``: a probability."""
OBSERVED = "observed"
"""``status`` of a row whose outcome is known at ``as_of``: p is 1 (it happened) or 0."""


@dataclass(frozen=True)
class ForecastWindow:
    """Where a scenario's windows start and how much of them the fit has seen.

    Attributes
    ----------
    origin : Timestamp
        Day 0 of every window (windows are days ``origin + 1 … origin + H``).
    start : Timestamp
        The last day before the forecast proper: ``max(origin, as_of − 1)``.
    first_event : dict
        ``outcome id → day (after origin) of the first outcome event on days origin + 1 …
        start``, or None when those days were quiet (or there are none).
    """

    origin: pd.Timestamp
    start: pd.Timestamp
    first_event: dict[str, int | None]

    @property
    def elapsed(self) -> int:
        """Days of every window already in the fitted data (0 unless live)."""
        return int((self.start - self.origin).days)

    def known(self, outcome: str, horizon: int) -> float | None:
        """Return 1.0 or 0.0 when window ``horizon`` of ``outcome`` is resolved by as_of."""
        first = self.first_event.get(outcome)
        if first is not None:
            return 1.0 if horizon >= first else 0.0
        return 0.0 if horizon <= self.elapsed else None

    def open_days(self, outcome: str, max_days: int) -> bool:
        """Return whether a window of at most ``max_days`` days is still open at as_of."""
        return self.known(outcome, max_days) is None

    def status(self, outcome: str, horizon: int) -> str:
        """Return :data:`OBSERVED` or :data:`FORECAST`."""
        return FORECAST if self.known(outcome, horizon) is None else OBSERVED


def forecast_window(
    origin: pd.Timestamp, as_of: pd.Timestamp, counts: dict[str, pd.Series]
) -> ForecastWindow:
    """Return the window of a scenario from its origin, ``as_of`` and each outcome's counts.

    ``counts``: ``outcome id → daily counts`` (:meth:`followon.Outcome.daily_counts`).
    """
    start = max(origin, as_of - pd.Timedelta(days=1))
    first: dict[str, int | None] = {}
    for outcome, c in counts.items():
        seen = c[(c.index > origin) & (c.index <= start) & (c > 0)]
        first[outcome] = int((seen.index.min() - origin).days) if len(seen) else None
    return ForecastWindow(origin, start, first)


def live_forecast(
    model: Any,
    window: ForecastWindow,
    horizons: Sequence[int],
    *,
    ci_prob: float = 0.9,
    **future: Any,
) -> pd.DataFrame:
    """:meth:`~followon.HazardModel.forecast` of each window as known at ``as_of``.

    Open windows are forecast from ``window.start`` over their remaining days (so a model's
    closed form still gives ``p_mean``); resolved ones hold 1 or 0. ``horizon_days`` and
    ``origin_date`` count from ``window.origin``; ``elapsed_days`` is ``window.elapsed``.
    ``future``: ``trigger``, ``future_events``, ``covariate_path``.
    """
    outcome = model.table_.outcome.id
    d = window.elapsed
    open_h = [h for h in horizons if window.known(outcome, h) is None]
    rows = []
    if open_h:
        f = model.forecast(window.start, [h - d for h in open_h], ci_prob=ci_prob, **future)
        f["horizon_days"] = f["horizon_days"] + d
        rows.append(f)
    known = [(h, window.known(outcome, h)) for h in horizons if h not in open_h]
    if known:
        p = [v for _, v in known]
        rows.append(
            pd.DataFrame(
                {
                    "outcome": outcome,
                    "horizon_days": [h for h, _ in known],
                    "p_mean": p,
                    "p_low": p,
                    "p_high": p,
                    "p_median": p,
                }
            )
        )
    out = pd.concat(rows, ignore_index=True).sort_values("horizon_days", ignore_index=True)
    out["origin_date"] = window.origin
    out["elapsed_days"] = d
    return out[FORECAST_COLUMNS]


def live_probability_draws(
    model: Any, window: ForecastWindow, max_days: int, **future: Any
) -> np.ndarray:
    """Draws × days of P(event within h days of the origin) as known at ``as_of``.

    The per-draw counterpart of :func:`live_forecast` for h = 1 … ``max_days`` (what a combined
    forecast mixes): resolved windows hold 1 or 0 in every draw.
    """
    outcome = model.table_.outcome.id
    d = window.elapsed
    rest = model.probability_draws(window.start, max(max_days - d, 1), **future)
    out = np.zeros((len(rest), max_days))
    if max_days > d:
        out[:, d:] = rest
    for h in range(1, max_days + 1):
        value = window.known(outcome, h)
        if value is not None:
            out[:, h - 1] = value
    return out
