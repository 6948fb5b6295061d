"""Posterior-predictive paths of future outcome days, with self-excitation fed back."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd

from followon.errors import ModelError
from followon.exposure.covariates import DaysSinceLast, Excitation, RecentRate
from followon.exposure.table import ExposureTable

__all__ = ["simulate_paths"]


def simulate_paths(
    table: ExposureTable,
    design: pd.DataFrame,
    lam0: np.ndarray,
    beta: np.ndarray,
    *,
    n: int,
    origin: pd.Timestamp,
    random_seed: int | None = None,
) -> pd.DataFrame:
    """Simulate ``n`` paths over the days of ``design`` (the no-new-event covariate path).

    Each path draws one posterior sample (λ0, β). On each day the hazard is
    ``λ0 exp(x β)`` with ``x`` the design row, except that self-exciting columns
    (:class:`DaysSinceLast`, :class:`Excitation`, :class:`RecentRate`) are recomputed from the
    path's own simulated events. An outcome counted in ``days`` occurs with probability
    ``1 − exp(−λ)``; counted in events or missiles, the day's count is Poisson(λ).

    Returns
    -------
    pandas.DataFrame
        ``path, day, date, events`` for every simulated day with events; ``attrs["n_paths"]``.
    """
    if n < 1:
        raise ModelError(f"n must be ≥ 1, not {n}.")
    rng = np.random.default_rng(random_seed)
    pick = rng.integers(0, len(lam0), size=n)
    lam, b = lam0[pick], beta[pick]
    X = design.to_numpy(dtype=float)
    names = list(design.columns)
    history = table.history
    history = history[(history.index <= origin) & (history > 0)]
    last = np.full(n, np.nan)
    if len(history):
        last[:] = float((origin - history.index.max()).days)  # days since last event at origin
    # state per self-exciting builder
    since: list[tuple[DaysSinceLast, list[int]]] = []
    excite: list[tuple[Excitation, int, np.ndarray]] = []
    recent: list[tuple[RecentRate, int]] = []
    simulated = np.zeros((n, len(X) + 1))  # cumulative simulated counts before each day
    for cov in table.covariates:
        cols = [names.index(c) for c in cov.columns()]
        if isinstance(cov, DaysSinceLast):
            since.append((cov, cols))
        elif isinstance(cov, Excitation):
            excite.append((cov, cols[0], np.full(n, X[0, cols[0]]) if len(X) else np.zeros(n)))
        elif isinstance(cov, RecentRate):
            recent.append((cov, cols[0]))
    count_days = table.outcome.count == "days"
    hits: list[np.ndarray] = []  # per day: the paths with events, and their counts
    counts: list[np.ndarray] = []
    prev = np.zeros(n)
    for h in range(len(X)):
        x = np.broadcast_to(X[h], (n, X.shape[1])).copy()
        lag = last + 1.0
        for cov, cols in since:
            cuts = tuple(cov.cut_days)
            for j, (lo, hi) in enumerate(itertools.pairwise(cuts)):
                x[:, cols[j]] = ((lag > lo) & (lag <= hi)).astype(float)
        for i, (cov, col, state) in enumerate(excite):
            if h > 0:
                state = np.exp(-1.0 / cov.decay_days) * (state + prev)
                excite[i] = (cov, col, state)
            x[:, col] = state
        for cov, col in recent:  # the design's count (history only) + the path's own events
            in_window = simulated[:, h] - simulated[:, max(0, h - cov.window_days)]
            x[:, col] = np.log1p(np.expm1(X[h, col]) + in_window)
        rate = lam * np.exp(np.einsum("nk,nk->n", x, b)) if x.shape[1] else lam
        events = (rng.random(n) < -np.expm1(-rate)).astype(int) if count_days else rng.poisson(rate)
        hit = np.flatnonzero(events)
        hits.append(hit)
        counts.append(events[hit])
        last = np.where(events > 0, 0.0, last + 1.0)
        prev = events.astype(float)
        simulated[:, h + 1] = simulated[:, h] + prev
    sizes = [len(hit) for hit in hits]
    day = np.repeat(np.arange(1, len(X) + 1), sizes)
    out = pd.DataFrame(
        {
            "path": np.concatenate(hits) if hits else np.zeros(0, int),
            "day": day,
            "date": design.index[day - 1] if len(day) else pd.DatetimeIndex([]),
            "events": np.concatenate(counts).astype(int) if counts else np.zeros(0, int),
        }
    )
    out.attrs["n_paths"] = n
    out.attrs["days"] = len(X)
    return out
