r"""Backtests: stand at past dates, fit on what was known then, forecast, score against history.

For each origin date :math:`o` (a day the analyst stands on) and each hypothesis of a scenario,
the model is fitted on the days strictly before :math:`o` and forecasts
:math:`P(\ge 1 \text{ outcome event on days } o, \dots, o + H - 1)` for each horizon *H*. The
forecast resolves to 1 or 0 against the event history; when the window runs past the outcome's
``observed_until`` without an event the forecast is *censored*: ``observed`` is empty and the
row is left out of every score (never counted as "no event").

Origins
-------
``at_triggers`` puts an origin on the day after each trigger event of the scenario's trigger
type ends (as ``followon run`` does for one trigger: ``as_of`` = trigger end + 1 day);
``every_days`` adds a regular calendar grid; ``origins`` gives dates outright.

Baselines (always scored beside the hypotheses)
-----------------------------------------------
- ``climatology``: the outcome's daily rate over every day at risk before the origin,
  :math:`\hat r`, as the Poisson probability :math:`1 - e^{-\hat r H}`;
- ``recent_rate``: the same with the rate of the last 365 days;
- ``ml:<hypothesis>``: each covariate hypothesis fitted by maximum likelihood (the posterior
  mode under a flat baseline prior and a N(0, 10²) ridge that keeps cells without events
  finite — :mod:`followon.hazard.glm`) and used as a plug-in forecast: the non-Bayesian model a
  user would reach for. Baselines have no interval (``p_low``, ``p_high`` empty).

Joint question
--------------
With a ``joint`` section, every hypothesis and baseline also forecasts P(at least one of the
joint outcomes within *H*) (outcome ``any:<o1>+<o2>+...``): the backtest fits each outcome
separately, so their posteriors are independent and
:math:`P(\text{any}) = 1 - \prod_o (1 - \bar p_o)` exactly from the per-outcome means (a point
forecast: no interval). It resolves to 1 when any outcome happened in the window, 0 when every
window closed quiet, and is censored otherwise; ``combined`` covers it like any other outcome.
The joint (pooled) fit itself is not backtested: it has no fast path and its NUTS refits at
every origin would take hours.

Speed
-----
Each hypothesis' daily table is built once, on the whole record, and cut at each origin (every
covariate on day *d* depends only on events before *d*; tables with a calendar trend or a span
lead are rebuilt per origin instead). ``inference="fast"`` fits by the exact conjugate draw
where it applies and the Laplace approximation otherwise (milliseconds per refit);
``inference="scenario"`` uses each hypothesis' own sampler (NUTS) with one compiled model per
hypothesis and worker, refitted with new data. Origins run in chunks through a
:class:`concurrent.futures.Executor` (a process pool by default; pass e.g. a Dask
``distributed`` client's ``get_executor()`` to scale past one machine: ``docs/dask.md``).
"""

from __future__ import annotations

import dataclasses
import hashlib
import multiprocessing
import os
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from followon._lazy import jax_loaded
from followon.errors import ConvergenceWarning, ModelError, ScenarioError
from followon.evaluation.scores import BACKTEST_COLUMNS, score_table
from followon.evaluation.skill import skill_table
from followon.exposure import ExposureTable, Outcome, Spans, Trend, build_exposure
from followon.exposure.outcomes import observed_within
from followon.hazard import get_model
from followon.hazard.glm import poisson_mode
from followon.scenarios.build import hypothesis_model, hypothesis_table, load_scenario_events
from followon.scenarios.combine import (
    MIN_RESOLVED,
    QUANTILES,
    combined_forecasts,
    joint_any_forecasts,
)
from followon.scenarios.display import backtest_html, backtest_repr
from followon.scenarios.placebo import (
    placebo_events,
    placebo_summary,
    trigger_types,
    window_days,
)
from followon.scenarios.schema import HypothesisSpec, Scenario

__all__ = [
    "BASELINES",
    "MIN_RESOLVED",
    "QUANTILES",
    "BacktestResult",
    "backtest",
    "backtest_origins",
    "combined_forecasts",
    "fast_model",
    "joint_any_forecasts",
    "rate_probability",
]

BASELINES = ("climatology", "recent_rate", "ml")
"""Baselines scored beside every backtest (``ml`` → one ``ml:<hypothesis>`` per covariate
hypothesis)."""

RECENT_DAYS = 365
ML_RIDGE_SD = 10.0
MIN_TRAINING_DAYS = 365


@dataclass
class BacktestResult:
    """What :func:`backtest` returns.

    Attributes
    ----------
    forecasts : DataFrame
        One row per origin × hypothesis (baselines included) × outcome × horizon:
        ``origin_date, trigger, hypothesis, outcome, horizon_days, p_mean, p_low, p_high,
        observed`` (1/0, NaN when censored).
    scores : DataFrame
        :func:`followon.evaluation.skill_table` of ``forecasts``: the score table with
        block-bootstrap intervals of the Brier and log skill against climatology.
    meta : dict
        Origins, timings (seconds), inference, workers, observed_until per outcome.
    placebo : DataFrame
        With ``placebo=N``: the skill of every placebo replicate, ``hypothesis, outcome,
        horizon_days, replicate, brier_skill, log_skill`` (empty otherwise).
    placebo_summary : DataFrame
        Per trigger hypothesis × outcome × horizon × score (``brier_skill``, ``log_skill``):
        ``real``, ``placebo_median``, ``placebo_low``, ``placebo_high`` (central 90%),
        ``p_value`` ((1 + #placebo ≥ real) / (1 + N)) and ``n_placebo``.
    """

    scenario: Scenario
    forecasts: pd.DataFrame
    scores: pd.DataFrame
    meta: dict[str, Any] = field(default_factory=dict)
    placebo: pd.DataFrame = field(default_factory=pd.DataFrame)
    placebo_summary: pd.DataFrame = field(default_factory=pd.DataFrame)

    def __repr__(self) -> str:
        """Two lines: the origins and the best hypothesis per horizon (not every field)."""
        return backtest_repr(self)

    def _repr_html_(self) -> str:
        """Return the score table as HTML for notebooks."""
        return backtest_html(self)


# ---------------------------------------------------------------------------- origins
def backtest_origins(
    scenario: Scenario,
    events: pd.DataFrame,
    *,
    origins: Sequence[Any] | None = None,
    every_days: int | None = None,
    at_triggers: bool = True,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Return the origins a backtest stands on: ``origin_date, trigger`` (event id or "").

    ``start`` defaults to a year after the scenario's ``data.start`` (a year of training data).
    ``end`` ends the ``every_days`` grid (default: the last event day); :func:`backtest` passes
    the day after the earliest outcome ``observed_until``, so that every outcome is observed
    up to each origin.
    """
    first = pd.Timestamp(str(scenario.data.start)) + pd.Timedelta(days=MIN_TRAINING_DAYS)
    lo = pd.Timestamp(start) if start is not None else first
    if lo < pd.Timestamp(str(scenario.data.start)) + pd.Timedelta(days=1):
        raise ScenarioError(
            f"{scenario.source_path}: backtest start {lo:%Y-%m-%d} leaves no training day after "
            f"data.start {scenario.data.start}; start later."
        )
    hi = pd.Timestamp(end) if end is not None else None
    rows: list[tuple[pd.Timestamp, str]] = []
    if origins is not None:
        rows += [(pd.Timestamp(o), "") for o in origins]
    if every_days is not None:
        if every_days < 1:
            raise ScenarioError(f"every_days must be a whole number of days ≥ 1, not {every_days}.")
        stop = hi if hi is not None else events["date"].max()
        rows += [(d, "") for d in pd.date_range(lo, stop, freq=f"{int(every_days)}D")]
    if at_triggers and scenario.trigger is not None:
        ttype = scenario.trigger.type
        if ttype is None:  # given by event id: use that event's type
            hit = events[events["event_id"] == scenario.trigger.event_id]
            ttype = str(hit["type"].iloc[0]) if len(hit) else None
        if ttype is not None:
            trig = events[events["type"] == ttype]
            ends = trig["end_date"].fillna(trig["date"])
            rows += [
                (e + pd.Timedelta(days=1), str(i))
                for e, i in zip(ends, trig["event_id"], strict=True)
            ]
    if not rows:
        raise ScenarioError(
            f"{scenario.source_path}: no backtest origins: give origins, every_days, or "
            "at_triggers=True with a trigger type that occurs in the history."
        )
    frame = pd.DataFrame(rows, columns=["origin_date", "trigger"])
    keep = frame["origin_date"] >= lo
    if hi is not None:
        keep &= frame["origin_date"] <= hi
    frame = frame[keep]
    if frame.empty:
        raise ScenarioError(
            f"{scenario.source_path}: no backtest origin between {lo:%Y-%m-%d} and "
            f"{'the data end' if hi is None else f'{hi:%Y-%m-%d}'}; widen --from/--to."
        )
    # one row per date; a trigger's label wins over a calendar origin on the same day
    frame = frame.sort_values(["origin_date", "trigger"], ascending=[True, False])
    frame = frame.groupby("origin_date", as_index=False).agg(
        trigger=("trigger", lambda s: ";".join(t for t in s if t))
    )
    return frame.reset_index(drop=True)


# ---------------------------------------------------------------------------- worker side
@dataclass
class _Job:
    """Everything a worker needs (pickled once per chunk)."""

    hypotheses: list[HypothesisSpec]
    outcomes: list[Outcome]
    tables: dict[tuple[str, str], ExposureTable]  # (outcome, hypothesis) → whole-record table
    rebuild: dict[str, bool]
    events: pd.DataFrame
    data_start: pd.Timestamp
    horizons: list[int]
    inference: str
    sampling: dict[str, Any]
    ci_prob: float
    baselines: tuple[str, ...]


def _cut(table: ExposureTable, origin: pd.Timestamp) -> ExposureTable:
    """Return the table as it would have been built with ``as_of = origin``."""
    end = min(origin - pd.Timedelta(days=1), table.observed_until)
    # both frames are sorted by date: a positional slice, no boolean take
    n_days = int(np.searchsorted(table.data["date"].to_numpy(), origin.to_datetime64()))
    events = table.events.sort_values("date", kind="stable")
    n_events = int(np.searchsorted(events["date"].to_numpy(), origin.to_datetime64()))
    return dataclasses.replace(
        table,
        data=table.data.iloc[:n_days],
        events=events.iloc[:n_events].reset_index(drop=True),
        as_of=origin,
        end=end,
    )


def _needs_rebuild(table: ExposureTable) -> bool:
    return any(
        isinstance(c, Trend) or (isinstance(c, Spans) and c.lead_days > 0) for c in table.covariates
    )


def fast_model(h: HypothesisSpec, table: ExposureTable) -> Any:
    """Return the hypothesis' model with its fastest sampler (its class's ``fast_sampler``)."""
    model = hypothesis_model(h, log_likelihood=False)
    fast = type(model).fast_sampler(table, h.sampler)
    if fast is not None:
        model.set_params(sampler=fast)
    return model


def rate_probability(events: float, exposure: float, horizons: Sequence[int]) -> np.ndarray:
    r"""Climatology: :math:`1 - e^{-\hat r H}` at the rate :math:`\hat r` = events / exposure.

    The ``climatology`` baseline of :func:`backtest` (every day at risk before the origin) and
    the one :class:`followon.ForecastLedger` registers beside each forecast.
    """
    rate = events / exposure if exposure > 0 else 0.0
    return -np.expm1(-rate * np.asarray(horizons, dtype=float))


def _ml_p(model_table: ExposureTable, design: pd.DataFrame, horizons: Sequence[int]) -> np.ndarray:
    c = model_table.collapsed()
    if not c["events"].sum():  # no event before the origin: the ML rate is 0, so is P
        return np.zeros(len(horizons))
    names = model_table.covariate_names
    k = len(names)
    mode = poisson_mode(
        c[names].to_numpy(dtype=float),
        c["events"].to_numpy(dtype=float),
        c["exposure"].to_numpy(dtype=float),
        a=0.0,
        b=0.0,
        mu=np.zeros(k),
        sd=np.full(k, ML_RIDGE_SD),
    )
    hazard = mode.baseline_rate * np.exp(design[names].to_numpy(dtype=float) @ mode.beta)
    cum = np.cumsum(hazard)
    return -np.expm1(-cum[np.asarray(horizons) - 1])


def _run_chunk(job: _Job, origins: list[tuple[pd.Timestamp, str]]) -> list[dict[str, Any]]:
    """Fit and forecast every hypothesis at each origin of the chunk (runs in a worker).

    A fit that fails says where: the origin, the outcome and the hypothesis.
    """
    where: list[str] = []
    try:
        return _run_origins(job, origins, where)
    except ModelError as exc:
        raise ModelError(f"backtest at {', '.join(where)}: {exc}") from None


def _run_origins(
    job: _Job, origins: list[tuple[pd.Timestamp, str]], where: list[str]
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    models: dict[tuple[str, str], Any] = {}  # one per hypothesis: refits reuse it
    counts = {o.id: o.daily_counts(job.events) for o in job.outcomes}
    for origin, trigger in origins:
        t0 = origin - pd.Timedelta(days=1)  # forecasts cover days origin … origin + H − 1
        for outcome in job.outcomes:
            here: list[dict[str, Any]] = []
            first: ExposureTable | None = None
            for h in job.hypotheses:
                where[:] = [
                    f"origin {origin:%Y-%m-%d}",
                    f"outcome '{outcome.id}'",
                    f"hypothesis '{h.id}'",
                ]
                key = (outcome.id, h.id)
                full = job.tables[key]
                table = (
                    build_exposure(
                        job.events,
                        outcome,
                        start=job.data_start,
                        as_of=origin,
                        covariates=_rebuilt_covariates(full, origin),
                        observed_until=full.observed_until,
                        require_events=False,
                        check_covariates=False,
                    )
                    if job.rebuild[h.id]
                    else _cut(full, origin)
                )
                first = table if first is None else first
                if key not in models:
                    models[key] = (
                        fast_model(h, table)
                        if job.inference == "fast"
                        else hypothesis_model(h, log_likelihood=False)
                    )
                model = models[key]
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.fit(table, progressbar=False, **job.sampling)
                f = model.forecast(t0, job.horizons, ci_prob=job.ci_prob)
                rows_h = _rows(origin, trigger, h.id, outcome.id, f)
                if type(model).daily_likelihood:  # a member of `combined`: keep its spread
                    draws = model.probability_draws(t0, max(job.horizons))
                    q = np.quantile(draws[:, [d - 1 for d in job.horizons]], QUANTILES, axis=0)
                    for j, r in enumerate(rows_h):
                        r["_q"] = q[:, j]
                here += rows_h
                if "ml" in job.baselines and table.covariate_names and type(model).savage_dickey:
                    design = model.future_design(t0, max(job.horizons))
                    p = _ml_p(table, design, job.horizons)
                    here += _point_rows(origin, trigger, f"ml:{h.id}", outcome.id, job.horizons, p)
            assert first is not None
            d = first.data
            if "climatology" in job.baselines:
                p = rate_probability(
                    float(d["events"].sum()), float(d["exposure"].sum()), job.horizons
                )
                here += _point_rows(origin, trigger, "climatology", outcome.id, job.horizons, p)
            if "recent_rate" in job.baselines:
                recent = d[d["date"] >= origin - pd.Timedelta(days=RECENT_DAYS)]
                p = rate_probability(
                    float(recent["events"].sum()), float(recent["exposure"].sum()), job.horizons
                )
                here += _point_rows(origin, trigger, "recent_rate", outcome.id, job.horizons, p)
            observed = {
                h_days: resolve(counts[outcome.id], t0, h_days, first.observed_until)
                for h_days in job.horizons
            }
            for r in here:
                r["observed"] = observed[r["horizon_days"]]
            rows += here
    return rows


def resolve(
    counts: pd.Series, t0: pd.Timestamp, horizon_days: int, observed_until: pd.Timestamp
) -> float:
    """Resolve a backtest forecast: 1 / 0 once its window (days t0 + 1 … t0 + H) has closed.

    A window still open at ``observed_until`` is censored (NaN) even when it already holds an
    event (:func:`~followon.exposure.outcomes.observed_within` would say 1): scoring those and
    leaving out the quiet ones would score the last origins only when something happened.
    """
    if t0 + pd.Timedelta(days=horizon_days) > observed_until:
        return float("nan")
    return observed_within(counts, t0, horizon_days, observed_until)


def _rebuilt_covariates(full: ExposureTable, origin: pd.Timestamp) -> list[Any]:
    out: list[Any] = []
    for c in full.covariates:
        if isinstance(c, Trend):  # the spline spans the days known at the origin
            last = origin - pd.Timedelta(days=1)
            c = dataclasses.replace(c, end=f"{last:%Y-%m-%d}")
        out.append(c)
    return out


def _rows(
    origin: pd.Timestamp, trigger: str, hyp: str, outcome: str, f: pd.DataFrame
) -> list[dict[str, Any]]:
    return _point_rows(
        origin,
        trigger,
        hyp,
        outcome,
        f["horizon_days"].tolist(),
        f["p_mean"].to_numpy(),
        f["p_low"].to_numpy(),
        f["p_high"].to_numpy(),
    )


def _point_rows(
    origin: pd.Timestamp,
    trigger: str,
    hyp: str,
    outcome: str,
    horizons: Sequence[int],
    p: np.ndarray,
    low: np.ndarray | None = None,
    high: np.ndarray | None = None,
) -> list[dict[str, Any]]:
    """Rows of one forecast; point forecasts (baselines) have no interval."""
    nan = np.full(len(p), np.nan)
    low = nan if low is None else low
    high = nan if high is None else high
    return [
        {
            "origin_date": origin,
            "trigger": trigger,
            "hypothesis": hyp,
            "outcome": outcome,
            "horizon_days": int(h),
            "p_mean": float(v),
            "p_low": float(lo),
            "p_high": float(hi),
        }
        for h, v, lo, hi in zip(horizons, p, low, high, strict=True)
    ]


# ---------------------------------------------------------------------------- driver
def _default_executor(workers: int) -> Executor:
    # fork is cheap and needs no `if __name__ == "__main__"` guard in user scripts; JAX (the
    # NUTS backend) is not fork-safe once imported, so spawn then
    method = "spawn" if jax_loaded() else "fork"
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method))


def _chunks(items: list[Any], n: int) -> list[list[Any]]:
    """Interleaved chunks (later origins have longer tables: spread them)."""
    n = max(1, min(n, len(items)))
    return [items[i::n] for i in range(n)]


def backtest(
    scenario: Scenario,
    events: pd.DataFrame | None = None,
    *,
    origins: Sequence[Any] | None = None,
    every_days: int | None = None,
    at_triggers: bool = True,
    start: Any = None,
    end: Any = None,
    inference: Literal["fast", "scenario"] = "fast",
    draws: int = 1000,
    baselines: Sequence[str] = BASELINES,
    ci_prob: float = 0.9,
    executor: Executor | None = None,
    n_jobs: int | None = None,
    progressbar: bool = True,
    random_seed: int | None = None,
    n_boot: int = 1000,
    placebo: int = 0,
) -> BacktestResult:
    """Backtest a scenario's hypotheses (and baselines) over many past origins.

    Parameters
    ----------
    scenario : Scenario
        Its outcomes, horizons and hypotheses are used; its ``as_of`` and trigger date are not
        (the trigger's *type* gives the trigger origins).
    events : DataFrame, optional
        Instead of the scenario's ``data``.
    origins, every_days, at_triggers, start, end
        Which origins: see :func:`backtest_origins`.
    inference : {"fast", "scenario"}
        ``fast`` (default): exact conjugate draws where they apply, the Laplace approximation
        elsewhere, ``draws`` draws. ``scenario``: each hypothesis' own sampler and the
        scenario's ``sampling`` settings (NUTS: minutes per hundred origins).
    baselines : sequence of {"climatology", "recent_rate", "ml"}
    ci_prob : float
        Interval of ``p_low``/``p_high`` (0.9).
    executor : concurrent.futures.Executor, optional
        Runs chunks of origins; default a process pool of ``n_jobs`` workers. A Dask cluster's
        ``client.get_executor()`` (or :func:`followon.scenarios.dask_executor`) runs them there.
    n_jobs : int, optional
        Workers of the default pool (default: the machine's cores); ``1`` runs in this process.
        With ``executor``: how many chunks it runs at once (origins go in 4 chunks per worker).
    progressbar : bool
        A progress bar over origins on stderr.
    random_seed : int, optional
        Seeds the fits, the bootstrap and the placebo dates.
    n_boot : int
        Block-bootstrap resamples of the skill intervals
        (:func:`followon.evaluation.skill_table`).
    placebo : int
        Placebo replicates per trigger hypothesis (0: none). Each moves the hypothesis'
        trigger events to random days at least its longest window away from every real event
        of their type (:func:`followon.scenarios.placebo.placebo_events`), rebuilds its table
        and backtests it again at the same origins with fast inference; see
        :attr:`BacktestResult.placebo_summary`. Hypotheses whose trigger type is an outcome
        type are left out (moving them would move the outcome).

    Returns
    -------
    BacktestResult

    Raises
    ------
    ScenarioError
        No origins, a bad baseline name, or a hypothesis that cannot be built on the record.
    """
    bad = [b for b in baselines if b not in BASELINES]
    if bad:
        raise ScenarioError(f"unknown baseline '{bad[0]}'; choose from {', '.join(BASELINES)}.")
    if inference not in ("fast", "scenario"):
        raise ScenarioError(f"inference must be 'fast' or 'scenario', not '{inference}'.")
    if isinstance(placebo, bool) or not isinstance(placebo, int | np.integer) or placebo < 0:
        raise ScenarioError(f"placebo must be a whole number of replicates ≥ 0, not {placebo!r}.")
    data_sha = None
    if events is None:
        events, data_sha = load_scenario_events(scenario)
    outcomes = [o.build() for o in scenario.outcomes]
    tic = time.perf_counter()
    # each hypothesis' table on the whole record, built once and cut at each origin
    whole = events["date"].max() + pd.Timedelta(days=1)
    tables: dict[tuple[str, str], ExposureTable] = {}
    rebuild: dict[str, bool] = {}
    for outcome in outcomes:
        for h in scenario.hypotheses:
            table = hypothesis_table(
                scenario, events, outcome, h, as_of=whole, require_events=False
            )
            tables[(outcome.id, h.id)] = table
            rebuild[h.id] = _needs_rebuild(table)
    # an origin after the data end would fit unobserved days as if they were quiet
    last_observed = min(t.observed_until for t in tables.values()) + pd.Timedelta(days=1)
    frame = backtest_origins(
        scenario,
        events,
        origins=origins,
        every_days=every_days,
        at_triggers=at_triggers,
        start=start,
        end=min(pd.Timestamp(end), last_observed) if end is not None else last_observed,
    )
    sampling: dict[str, Any] = (
        {"draws": draws, "chains": 1, "random_seed": random_seed}
        if inference == "fast"
        else {**scenario.sampling.model_dump(), "random_seed": random_seed}
    )
    job = _Job(
        hypotheses=list(scenario.hypotheses),
        outcomes=outcomes,
        tables=tables,
        rebuild=rebuild,
        events=events,
        data_start=pd.Timestamp(str(scenario.data.start)),
        horizons=list(scenario.horizons_days),
        inference=inference,
        sampling=sampling,
        ci_prob=ci_prob,
        baselines=tuple(baselines),
    )
    items = list(zip(frame["origin_date"], frame["trigger"], strict=True))
    setup = time.perf_counter() - tic
    workers = n_jobs if n_jobs is not None else (os.cpu_count() or 1)
    rows = _execute(job, items, executor, workers, progressbar)
    forecasts = pd.DataFrame(rows)
    if scenario.joint is not None:
        forecasts = pd.concat(
            [forecasts, joint_any_forecasts(forecasts, scenario.joint.outcomes)],
            ignore_index=True,
        )
    members = [h.id for h in scenario.hypotheses if get_model(h.model).daily_likelihood]
    if len(members) >= 2:
        forecasts = pd.concat([forecasts, combined_forecasts(forecasts, members, ci_prob=ci_prob)])
    order = {h: i for i, h in enumerate(dict.fromkeys(forecasts["hypothesis"]))}
    forecasts = forecasts.sort_values(
        ["origin_date", "outcome", "hypothesis", "horizon_days"],
        key=lambda s: s.map(order) if s.name == "hypothesis" else s,
        kind="stable",
    ).reset_index(drop=True)[list(BACKTEST_COLUMNS)]
    if "climatology" in set(forecasts["hypothesis"]):
        scores = skill_table(forecasts, n_boot=n_boot, random_seed=random_seed)
        found = _placebo(scenario, job, items, forecasts, scores, placebo, random_seed)
        runs, summary, placebo_meta = found(executor, workers, progressbar)
    else:
        scores = score_table(forecasts, reference=None)
        runs, summary, placebo_meta = pd.DataFrame(), pd.DataFrame(), {}
    return BacktestResult(
        scenario=scenario,
        forecasts=forecasts,
        scores=scores,
        placebo=runs,
        placebo_summary=summary,
        meta={
            "origins": len(items),
            "first_origin": f"{frame['origin_date'].min():%Y-%m-%d}",
            "last_origin": f"{frame['origin_date'].max():%Y-%m-%d}",
            "trigger_origins": int((frame["trigger"] != "").sum()),
            "inference": inference,
            "workers": 1 if executor is None and workers == 1 else workers,
            "seconds": round(time.perf_counter() - tic, 2),
            "setup_seconds": round(setup, 2),
            "observed_until": {o: f"{t.observed_until:%Y-%m-%d}" for (o, _), t in tables.items()},
            "data_sha256": data_sha
            or hashlib.sha256(
                pd.util.hash_pandas_object(events, index=False).to_numpy().tobytes()
            ).hexdigest(),
            **({"placebo": placebo_meta} if placebo_meta else {}),
        },
    )


# ---------------------------------------------------------------------------- placebo
def _placebo(
    scenario: Scenario,
    job: _Job,
    items: list[tuple[pd.Timestamp, str]],
    forecasts: pd.DataFrame,
    scores: pd.DataFrame,
    n: int,
    random_seed: int | None,
) -> Callable[[Executor | None, int, bool], tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]]:
    """Prepare the placebo runs of every trigger hypothesis; the returned call runs them."""
    outcome_types = {o.type for o in job.outcomes}
    chosen: list[HypothesisSpec] = []
    skipped: dict[str, str] = {}
    for h in job.hypotheses:
        types = trigger_types(h)
        if not types or n == 0:
            continue
        if set(types) & outcome_types:
            skipped[h.id] = "its trigger type is an outcome type"
        else:
            chosen.append(h)
    if not chosen:
        empty = pd.DataFrame()
        meta = {"n": int(n), "hypotheses": [], "skipped": skipped} if n else {}
        return lambda *_: (empty, empty, meta)
    start = job.data_start
    end = min(t.observed_until for t in job.tables.values())
    clim = forecasts[forecasts["hypothesis"] == "climatology"]
    seeds = np.random.SeedSequence(random_seed).spawn(len(chosen))

    def run(
        executor: Executor | None, workers: int, progressbar: bool
    ) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
        tic = time.perf_counter()
        own = executor is None and workers > 1
        pool = _default_executor(workers) if own else executor
        bar = _progress(n * len(chosen), progressbar)
        rows: list[dict[str, Any]] = []
        try:
            for h, seed in zip(chosen, seeds, strict=True):
                rng = np.random.default_rng(seed)
                for r in range(n):
                    moved = placebo_events(
                        job.events,
                        trigger_types(h),
                        gap_days=window_days(h),
                        start=start,
                        end=end,
                        rng=rng,
                    )
                    tables = {
                        (o.id, h.id): hypothesis_table(
                            scenario,
                            moved,
                            o,
                            h,
                            as_of=end + pd.Timedelta(days=1),
                            require_events=False,
                        )
                        for o in job.outcomes
                    }
                    placebo_job = dataclasses.replace(
                        job, hypotheses=[h], tables=tables, events=moved, baselines=()
                    )
                    found = pd.DataFrame(_execute(placebo_job, items, pool, workers, False))
                    table = score_table(pd.concat([found, clim])[list(BACKTEST_COLUMNS)])
                    for _, s in table[table["hypothesis"] == h.id].iterrows():
                        rows.append(
                            {
                                "hypothesis": h.id,
                                "outcome": s["outcome"],
                                "horizon_days": int(s["horizon_days"]),
                                "replicate": r,
                                **{k: float(s[k]) for k in ("brier_skill", "log_skill")},
                            }
                        )
                    bar(1)
        finally:
            if own and pool is not None:
                pool.shutdown(cancel_futures=True)
        runs = pd.DataFrame(rows)
        summary = placebo_summary(runs, scores)
        meta = {
            "n": int(n),
            "hypotheses": [h.id for h in chosen],
            "gap_days": {h.id: window_days(h) for h in chosen},
            "span": [f"{start:%Y-%m-%d}", f"{end:%Y-%m-%d}"],
            "seconds": round(time.perf_counter() - tic, 2),
            "skipped": skipped,
        }
        return runs, summary, meta

    return run


def _execute(
    job: _Job,
    items: list[tuple[pd.Timestamp, str]],
    executor: Executor | None,
    workers: int,
    progressbar: bool,
) -> list[dict[str, Any]]:
    n_chunks = 1 if executor is None and workers == 1 else max(4 * workers, len(items) // 10)
    chunks = _chunks(items, n_chunks)
    bar = _progress(len(items), progressbar)
    rows: list[dict[str, Any]] = []
    if executor is None and workers == 1:
        for chunk in chunks:
            rows += _run_chunk(job, chunk)
            bar(len(chunk))
        return rows
    own = executor is None
    pool = _default_executor(workers) if executor is None else executor
    try:
        futures: dict[Future[list[dict[str, Any]]], int] = {
            pool.submit(_run_chunk, job, chunk): len(chunk) for chunk in chunks
        }
        from concurrent.futures import as_completed

        for fut in as_completed(futures):
            rows += fut.result()
            bar(futures[fut])
    finally:
        if own:
            pool.shutdown(cancel_futures=True)
    return rows


def _progress(total: int, enabled: bool) -> Callable[[int], None]:
    if not enabled:
        return lambda n: None
    from tqdm.auto import tqdm

    bar = tqdm(total=total, unit="origin", desc="backtest", file=sys.stderr, leave=False)

    def advance(n: int) -> None:
        bar.update(n)
        if bar.n >= total:
            bar.close()

    return advance
