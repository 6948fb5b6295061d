r"""Posterior predictive checks of daily hazard models: event days per quarter, gaps between them.

For each fitted model, a few hundred posterior draws :math:`s` replicate the daily series over
the model's own exposure table: day :math:`d` is an event day with probability
:math:`1 - e^{-E_d \lambda_{s,d}}` (the chance of at least one Poisson event, which is also the
first-event-per-day hazard of a table counted in launch days). Two statistics of the replicated
event days are set against the observed ones:

- **event days per calendar quarter**, and their dispersion (variance ÷ mean over the quarters
  the table covers in full: about 1 for a steady rate, above 1 when events bunch);
- **gaps** between consecutive event days (their empirical CDF) and the share of gaps of at most
  ``gap_days`` days.

**Which history drives the replicates.** Covariates that do not depend on the outcome (trigger
windows, spans, seasons, eras) are the table's own. Covariates that do (``Excitation``,
``DaysSinceLast``, ``RecentRate``, the ``hawkes`` kernel) are recomputed from each replicate's
own events, day by day, starting from the observed history before the table's first day
(:func:`followon.hazard.simulate.simulate_paths` for the piecewise model; the kernel recursion
for ``hawkes``). The cheaper one-step-ahead replication (``one_step=True``: the hazards of the
observed design, built from the *observed* history, with independent draws per day) is *not* a
calibrated check of these two statistics for a self-exciting model: an observed event that the
model did not expect raises the model's hazard on the following days, so observed clusters are
larger and closer than the one-step replicates even when the model is the truth (measured on
data simulated from the model itself: dispersion p-value < 0.01). Models without self-exciting
covariates replicate the same either way.

The posterior predictive p-value of a statistic :math:`T` is
:math:`P(T(y^{rep}) > T(y)) + \tfrac12 P(T(y^{rep}) = T(y))` over the draws (the mid-p value,
since counts tie); values near 0 or 1 say the model cannot reproduce that feature of the data.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from followon.errors import EvaluationError, did_you_mean
from followon.hazard.base import draws_array
from followon.hazard.hawkes import HawkesHazard
from followon.hazard.piecewise import PiecewiseHazard
from followon.hazard.simulate import simulate_paths

__all__ = ["PPC_COLUMNS", "PPC_STATISTICS", "posterior_predictive_check", "ppc_models"]

PPC_COLUMNS = [
    "hypothesis",
    "statistic",
    "x",
    "observed",
    "pred_median",
    "pred_low50",
    "pred_high50",
    "pred_low",
    "pred_high",
    "ppp",
]
"""Columns of :func:`posterior_predictive_check` (``pred_low``/``pred_high``: the 90% band)."""

PPC_STATISTICS = ("event_days_per_quarter", "gap_ecdf", "dispersion", "share_gaps_within")
"""The ``statistic`` values, in the order the frame lists them for each hypothesis."""


def _pick_outcome(result: Any, outcome: str | None) -> str:
    outcomes = list(dict.fromkeys(str(o) for o, _ in result.models))
    if not outcomes:
        raise EvaluationError("the result holds no fitted models to check.")
    if outcome is None:
        return outcomes[0]
    if outcome not in outcomes:
        raise EvaluationError(
            f"no outcome '{outcome}'{did_you_mean(outcome, outcomes)}; the result has "
            f"{', '.join(outcomes)}: pass one of them as outcome=."
        )
    return outcome


def _fitted(model: Any) -> bool:
    return hasattr(model, "idata_") and hasattr(model, "table_")


def ppc_models(
    models: Any, outcome: str | None = None, hypotheses: str | Sequence[str] | None = None
) -> tuple[str, dict[str, Any]]:
    """Return ``(outcome, {hypothesis: fitted model})`` to check, in the result's order.

    ``models`` is a :class:`~followon.ScenarioResult` (its ``models[(outcome, hypothesis)]``)
    or a mapping name → fitted model. From a result, hypotheses whose model has no daily
    posterior predictive (the time-to-first-event models) are left out unless named.

    Raises
    ------
    EvaluationError
        An unknown outcome or hypothesis, an unfitted model, or a named model without a daily
        posterior predictive.
    """
    if isinstance(models, Mapping):
        chosen = {str(k): v for k, v in models.items()}
        ids = list(dict.fromkeys(m.table_.outcome.id for m in chosen.values() if _fitted(m)))
        if outcome is not None and ids and outcome not in ids:
            raise EvaluationError(
                f"no outcome '{outcome}'{did_you_mean(outcome, ids)}: the models are fitted to "
                f"{', '.join(ids)}; pass one of them as outcome= (or leave it out)."
            )
        name = outcome or ", ".join(ids)
        explicit = True
    elif hasattr(models, "models"):
        name = _pick_outcome(models, outcome)
        order = [h.id for h in getattr(getattr(models, "scenario", None), "hypotheses", [])]
        fitted = {str(h): m for (o, h), m in models.models.items() if o == name}
        ranked = sorted(fitted, key=lambda h: order.index(h) if h in order else len(order))
        chosen = {h: fitted[h] for h in ranked}
        explicit = hypotheses is not None
    else:
        raise EvaluationError(
            "posterior predictive checks take a ScenarioResult (fo.run_scenario) or a mapping "
            f"name → fitted model, not {type(models).__name__}."
        )
    if hypotheses is not None:
        wanted = [hypotheses] if isinstance(hypotheses, str) else list(hypotheses)
        for h in wanted:
            if h not in chosen:
                raise EvaluationError(
                    f"no hypothesis '{h}'{did_you_mean(h, list(chosen))} for outcome '{name}'; "
                    f"there are {', '.join(chosen)}."
                )
        chosen = {h: chosen[h] for h in wanted}
    for h, m in list(chosen.items()):
        if not _fitted(m):
            raise EvaluationError(
                f"model '{h}' ({type(m).__name__}) is not fitted; call fit(table) first."
            )
        if not getattr(type(m), "daily_likelihood", False):
            if explicit:
                raise EvaluationError(
                    f"model '{h}' ({type(m).__name__}) has no daily posterior predictive: its "
                    "hazard runs in time since one trigger, not over the days of the table; "
                    "leave it out of the check (hypotheses=[...])."
                )
            del chosen[h]
    if not chosen:
        raise EvaluationError(
            f"no model of outcome '{name}' has a daily posterior predictive to check (only "
            "time-to-first-event models); fit a piecewise, hawkes or pooled hypothesis."
        )
    return name, chosen


def _event_days(lam: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Replicated event days: P(at least one event) = 1 − e^{−λ} (Poisson or first event)."""
    return rng.random(lam.shape) < -np.expm1(-lam)


def _piecewise_free_run(model: Any, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Replicates with DaysSinceLast/Excitation/RecentRate recomputed from each path's events."""
    table = model.table_
    dates = pd.DatetimeIndex(table.data["date"])
    before = table.history[table.history.index < dates[0]]
    design = table.design(dates, history=before)  # the outcome's own history stops at the start
    lam0 = model.posterior_draws("baseline_rate")
    beta = (
        draws_array(model.idata_["posterior"].dataset, "beta")
        if table.covariate_names
        else np.zeros((len(lam0), 0))
    )
    paths = simulate_paths(
        table,
        design,
        lam0,
        beta,
        n=draws,
        origin=dates[0] - pd.Timedelta(days=1),
        random_seed=int(rng.integers(2**32)),
    )
    rep = np.zeros((draws, len(dates)), bool)
    rep[paths["path"].to_numpy(), paths["day"].to_numpy() - 1] = True
    return rep


def _hawkes_free_run(model: Any, draws: int, rng: np.random.Generator) -> np.ndarray:
    """Replicates with each path's events feeding the excitation kernel (K), day by day."""
    data = model.table_.data
    dates = pd.DatetimeIndex(data["date"])
    background = model.background_hazard(data)
    eta = model.posterior_draws("branching_ratio")
    r = np.exp(-1.0 / model.posterior_draws("decay_days"))
    start = model.excitation_path(dates[:1])[:, 0]  # η K on the first day, from earlier events
    pick = rng.choice(len(eta), size=min(draws, len(eta)), replace=False)
    mu, eta, r = background[pick], eta[pick], r[pick]
    K = np.divide(start[pick], eta, out=np.zeros(len(pick)), where=eta > 0)
    count_days = model.table_.outcome.count == "days"
    rep = np.zeros(mu.shape, bool)
    gaps = np.diff(dates.to_numpy()).astype("timedelta64[D]").astype(int)
    for d in range(len(dates)):
        if d:
            K = K * r ** (gaps[d - 1] - 1)
        rate = mu[:, d] + eta * K
        y = (rng.random(len(K)) < -np.expm1(-rate)) if count_days else rng.poisson(rate)
        rep[:, d] = y > 0
        K = r * K + (1 - r) * y
    return rep


def _replicate(
    name: str, model: Any, draws: int, rng: np.random.Generator, one_step: bool
) -> tuple[np.ndarray, np.ndarray]:
    """(observed event days (n,), replicated event days (draws, n)) on the model's table."""
    table = model.table_
    data = table.data
    exciting = any(cov.self_exciting for cov in table.covariates)
    if one_step or not (exciting or model.fits_own_excitation):
        # the table's rows with their events: hazards given the observed history
        lam = np.asarray(model.hazard(data), dtype=float)
        pick = np.sort(rng.choice(len(lam), size=min(draws, len(lam)), replace=False))
        rep = _event_days(lam[pick] * data["exposure"].to_numpy(dtype=float)[None, :], rng)
    elif isinstance(model, HawkesHazard):
        rep = _hawkes_free_run(model, draws, rng)
    elif type(model) is PiecewiseHazard:
        rep = _piecewise_free_run(model, draws, rng)
    else:
        raise EvaluationError(
            f"model '{name}' ({type(model).__name__}) has self-exciting covariates that this "
            "check cannot feed its replicated events back into; pass one_step=True for the "
            "one-step-ahead check (which understates clustering), or drop them."
        )
    return data["events"].to_numpy() > 0, rep


def _quarters(dates: pd.DatetimeIndex) -> tuple[np.ndarray, pd.PeriodIndex, np.ndarray]:
    """(quarter code per day, the quarters, whether the table covers each in full)."""
    periods = dates.to_period("Q")
    codes, quarters = pd.factorize(periods, sort=True)
    covered = np.bincount(codes, minlength=len(quarters))
    length = np.array([(q.end_time.normalize() - q.start_time).days + 1 for q in quarters])
    return codes, pd.PeriodIndex(quarters), covered == length


def _dispersion(counts: np.ndarray) -> np.ndarray:
    """Variance ÷ mean along the last axis (NaN with no events)."""
    mean = counts.mean(axis=-1)
    var = counts.var(axis=-1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean > 0, var / mean, np.nan)


def _ecdf(gaps: np.ndarray, grid: np.ndarray) -> np.ndarray:
    if len(gaps) == 0:
        return np.full(len(grid), np.nan)
    return np.searchsorted(np.sort(gaps), grid, side="right") / len(gaps)


def _ppp(rep: np.ndarray, obs: float) -> float:
    rep = rep[np.isfinite(rep)]
    if len(rep) == 0 or not np.isfinite(obs):
        return float("nan")
    return float(np.mean(rep > obs) + 0.5 * np.mean(rep == obs))


def _band(rep: np.ndarray) -> dict[str, np.ndarray]:
    """Median, 50% and 90% equal-tailed bands over the draws (axis 0), ignoring NaN."""
    with warnings.catch_warnings():  # a column without gaps in any replicate stays NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        q = np.nanquantile(rep, [0.5, 0.25, 0.75, 0.05, 0.95], axis=0)
    keys = ("pred_median", "pred_low50", "pred_high50", "pred_low", "pred_high")
    return dict(zip(keys, q, strict=True))


def _check_one(
    name: str, model: Any, draws: int, gap_days: int, rng: np.random.Generator, one_step: bool
) -> list[pd.DataFrame]:
    obs, rep = _replicate(name, model, draws, rng, one_step)
    dates = pd.DatetimeIndex(model.table_.data["date"])
    codes, quarters, full = _quarters(dates)
    n_q = len(quarters)
    q_obs = np.bincount(codes, weights=obs, minlength=n_q)
    q_rep = np.stack([np.bincount(codes, weights=r, minlength=n_q) for r in rep])
    use = full if full.sum() >= 2 else np.ones(n_q, bool)
    d_obs = float(_dispersion(q_obs[use]))
    d_rep = _dispersion(q_rep[:, use])

    day = (dates - dates[0]).days.to_numpy()
    g_obs = np.diff(day[obs])
    g_rep = [np.diff(day[r]) for r in rep]
    pooled = np.concatenate([g_obs, *g_rep])
    top = max(float(np.quantile(pooled, 0.99)) if len(pooled) else 1.0, gap_days, 2.0)
    grid = np.unique(np.round(np.geomspace(1, top, 60)).astype(int))
    e_obs = _ecdf(g_obs, grid)
    e_rep = np.stack([_ecdf(g, grid) for g in g_rep])
    s_obs = float(_ecdf(g_obs, np.array([gap_days]))[0])
    s_rep = np.array([_ecdf(g, np.array([gap_days]))[0] for g in g_rep])

    def rows(statistic: str, x: Any, observed: Any, rep_: np.ndarray, ppp: Any) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "hypothesis": name,
                "statistic": statistic,
                "x": x,
                "observed": observed,
                **_band(rep_),
                "ppp": ppp,
            }
        )

    return [
        rows("event_days_per_quarter", quarters.astype(str), q_obs, q_rep, np.nan),
        rows("gap_ecdf", grid, e_obs, e_rep, np.nan),
        rows("dispersion", [np.nan], [d_obs], d_rep[:, None], _ppp(d_rep, d_obs)),
        rows("share_gaps_within", [gap_days], [s_obs], s_rep[:, None], _ppp(s_rep, s_obs)),
    ]


def posterior_predictive_check(
    models: Any,
    outcome: str | None = None,
    *,
    hypotheses: str | Sequence[str] | None = None,
    draws: int = 400,
    gap_days: int = 14,
    random_seed: int | None = 0,
    one_step: bool = False,
) -> pd.DataFrame:
    """Posterior predictive check of each model: event days per quarter and gaps between them.

    Replicates the daily series one step ahead on each model's observed design (covariates
    built from the observed history; see :mod:`followon.evaluation.ppc`) from ``draws``
    posterior draws, and compares the replicated event days to the observed ones.

    Parameters
    ----------
    models : ScenarioResult or mapping
        A result of :func:`~followon.run_scenario` (its fitted ``models``), or a mapping
        name → fitted model (:class:`~followon.PiecewiseHazard`, :class:`~followon.HawkesHazard`,
        :class:`~followon.PooledHazard`).
    outcome : str, optional
        With a result: the outcome to check (default: its first).
    hypotheses : str or sequence of str, optional
        Which to check (default: every model with a daily posterior predictive, in order).
    draws : int, default 400
        Posterior draws replicated (all of them when the fit has fewer).
    gap_days : int, default 14
        The gap length of the ``share_gaps_within`` statistic.
    random_seed : int or None, default 0
        Fixed by default, so the numbers (and figures) are reproducible; each model uses a
        fresh generator from this seed, so its numbers do not depend on the other models.

    Returns
    -------
    pandas.DataFrame
        :data:`PPC_COLUMNS`, for each hypothesis the rows of :data:`PPC_STATISTICS`:
        ``event_days_per_quarter`` (``x`` the quarter, e.g. ``"2019Q3"``),
        ``gap_ecdf`` (``x`` the gap in days; the share of gaps ≤ x), ``dispersion``
        (variance ÷ mean of the quarterly counts over the fully covered quarters; ``x`` NaN)
        and ``share_gaps_within`` (``x`` = ``gap_days``). ``observed`` is the data's value,
        ``pred_*`` the replicates' median, 50% and 90% bands, ``ppp`` the posterior
        predictive p-value (the two summary rows only). ``attrs``: ``outcome``, ``draws``,
        ``gap_days``, ``random_seed``.

    Raises
    ------
    EvaluationError
        An unknown outcome or hypothesis, an unfitted model, a model without a daily posterior
        predictive, or ``draws``/``gap_days`` < 1.
    """
    if int(draws) < 1 or int(gap_days) < 1:
        raise EvaluationError(f"draws and gap_days must be ≥ 1, not {draws} and {gap_days}.")
    name, chosen = ppc_models(models, outcome, hypotheses)
    frames: list[pd.DataFrame] = []
    for hyp, model in chosen.items():
        rng = np.random.default_rng(random_seed)
        frames.extend(_check_one(hyp, model, int(draws), int(gap_days), rng, one_step))
    out = pd.concat(frames, ignore_index=True)[PPC_COLUMNS]
    out["x"] = out["x"].astype(object)
    out.attrs.update(
        {
            "outcome": name,
            "draws": int(draws),
            "gap_days": int(gap_days),
            "random_seed": random_seed,
            "one_step": one_step,
        }
    )
    return out
