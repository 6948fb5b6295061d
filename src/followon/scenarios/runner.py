r"""Run a scenario: fit each hypothesis for each outcome, forecast, compare.

Comparison
----------
``lfo`` (default) is exact leave-future-out cross-validation (Bürkner, Gabry & Vehtari 2020):
for origins :math:`o_1 < \dots < o_K` spaced ``block_days`` apart and ending at ``as_of``, each
hypothesis is refitted on the days before :math:`o_k` and scored on the next block,

.. math:: \mathrm{lpd}_k = \log \frac{1}{S} \sum_s \exp \sum_{d \in \text{block } k}
          \log p(y_d \mid \lambda_{s,d}),

with the block's covariates as observed (one-step-ahead hazards). ``elpd`` = Σ_k lpd_k, its
``se`` = √K · sd(lpd_k); ``d_elpd`` and ``dse`` are against the best hypothesis; ``weight`` are
stacking weights over the blocks (Yao et al. 2018). ``psis-loo`` uses ArviZ's PSIS-LOO on the
per-day log-likelihood instead (optimistic for time series: prefer ``lfo``).
"""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import numpy as np
import pandas as pd

from followon._memory import release_freed_memory
from followon.errors import (
    ConvergenceWarning,
    ModelError,
    ScenarioError,
)
from followon.evaluation.bayes_factors import prior_sensitivity
from followon.evaluation.compare import (
    block_lpd,
    mixture_probabilities,
    psis_loo,
    stacking_weights,
    summarise_comparison,
)
from followon.exposure import (
    ExposureTable,
    Outcome,
    build_exposure,
)
from followon.exposure.outcomes import observed_within
from followon.hazard import get_model
from followon.hazard._sampling import release_compiled_samplers
from followon.scenarios.build import check_scenario, fit_location, hypothesis_model
from followon.scenarios.display import scenario_html, scenario_repr
from followon.scenarios.joint import JointResult, run_joint
from followon.scenarios.live import (
    forecast_window,
    live_forecast,
    live_probability_draws,
)
from followon.scenarios.progress import FitProgress
from followon.scenarios.schema import HypothesisSpec, Scenario

__all__ = ["ScenarioResult", "hypothesis_model", "run_scenario", "stacking_weights"]

QUICK = {"draws": 1000, "tune": 500, "chains": 2}
"""Sampling of a quick run (which also keeps at most ``QUICK_ORIGINS`` comparison blocks)."""


@dataclass
class ScenarioResult:
    """What :func:`run_scenario` returns.

    Attributes
    ----------
    forecast : DataFrame
        ``hypothesis, outcome, what_if, horizon_days, p_mean, p_low, p_high, p_median,
        origin_date, observed, status``: ``observed`` is 1/0 when the data show the outcome
        by the horizon, else empty; ``status`` is ``observed`` when it was known at ``as_of``
        (p is then 1 or 0), else ``forecast`` (:mod:`followon.scenarios.live`).
    comparison : DataFrame
        Per outcome: ``hypothesis, elpd, se, d_elpd, dse, weight, method, blocks``.
    curves : DataFrame
        ``hypothesis, outcome, what_if, horizon_days, p_mean, p_low, p_high, p_low50,
        p_high50`` for every day up to the longest horizon (``what_if`` "" for none), for
        figures.
    diagnostics : DataFrame
        Per fit: ``outcome, hypothesis, method, max_r_hat, min_ess_bulk, divergences,
        fit_path, warning`` (``fit_path``: how the draws were made, e.g. ``laplace-is`` with
        its k̂, or the NUTS it fell back to and why).
    models : dict
        ``(outcome, hypothesis) → the fitted model`` (:class:`PiecewiseHazard`,
        :class:`HawkesHazard`, ...).
    bayes_factors : DataFrame
        Savage–Dickey BF10 of each hypothesis against the no-covariate one (when the scenario
        has one), across prior widths: ``outcome, hypothesis, versus, prior_scale,
        beta_prior_sd, bf10, log10_bf10, reading``.
    hazard_curves : DataFrame
        Posterior daily hazard on days 1 … longest horizon after the origin (no what-if):
        ``hypothesis, outcome, day, hazard_mean, hazard_low, hazard_high`` (90%),
        ``hazard_low50, hazard_high50`` (50%) and the ratio to the hypothesis' baseline rate
        ``ratio_mean, ratio_low, ratio_high`` (90%), for figures.
    events : DataFrame or None
        The event history the scenario was run on, for the timeline figure.
    joint : JointResult or None
        The scenario's joint question (P(any), which comes first; :mod:`followon.scenarios.joint`),
        when it has a ``joint`` section; its fits' diagnostics are also in ``diagnostics``.
    parameters : DataFrame
        Every fit's :meth:`~followon.HazardModel.summary` (90% intervals): ``outcome,
        hypothesis, parameter, kind, mean, median, low, high, p_gt_1``; figures read hazard
        ratios from here, never from the fitted models.
    """

    scenario: Scenario
    forecast: pd.DataFrame
    comparison: pd.DataFrame
    curves: pd.DataFrame
    diagnostics: pd.DataFrame
    models: dict[tuple[str, str], Any]
    origin: pd.Timestamp
    trigger: dict[str, Any]
    data_sha256: str
    quick: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    bayes_factors: pd.DataFrame = field(default_factory=pd.DataFrame)
    hazard_curves: pd.DataFrame = field(default_factory=pd.DataFrame)
    parameters: pd.DataFrame = field(default_factory=pd.DataFrame)
    events: pd.DataFrame | None = None
    joint: JointResult | None = None

    def __repr__(self) -> str:
        """Two lines: the scenario and its headline forecast (not every field)."""
        return scenario_repr(self)

    def _repr_html_(self) -> str:
        """Return the answer table, comparison and warnings as HTML for notebooks."""
        return scenario_html(self)


def nested_null(
    h_id: str, fitted: dict[str, Any], tables: dict[str, ExposureTable]
) -> tuple[str | None, list[str] | None]:
    """Return the hypothesis ``h_id``'s Savage–Dickey null and the coefficients tested.

    The null is the fitted hypothesis with the most covariates whose covariates are all
    ``h_id``'s own, column for column (so ``h_id`` reduces to it when the rest are 0): the
    shared background when there is one, so a trigger hypothesis' Bayes factor weighs its
    windows, not the background's trend. ``names`` is None when the null has no covariates
    (all coefficients tested). Exact fits are tested against a null without covariates only.
    ``(None, None)`` when the model has no Savage–Dickey ratio or nothing is nested in it.
    """
    model = fitted[h_id]
    if not type(model).savage_dickey or not tables[h_id].covariate_names:
        return None, None  # Savage–Dickey needs the model's own β and its prior
    data = tables[h_id].data
    mine = set(tables[h_id].covariate_names)
    best: tuple[int, str] | None = None
    for g_id, other in fitted.items():
        theirs = tables[g_id].covariate_names
        if g_id == h_id or not type(other).savage_dickey or not set(theirs) < mine:
            continue
        if model.method_ == "exact" and theirs:
            continue
        g_data = tables[g_id].data
        same = len(g_data) == len(data) and all(
            np.array_equal(g_data[c].to_numpy(), data[c].to_numpy()) for c in theirs
        )
        if same and (best is None or len(theirs) > best[0]):
            best = (len(theirs), g_id)
    if best is None:
        return None, None
    null = tables[best[1]].covariate_names
    return best[1], ([c for c in tables[h_id].covariate_names if c not in null] if null else None)


def _fit(
    model: Any,
    table: ExposureTable,
    sampling: dict[str, Any],
    where: str = "",
    step: Callable[[str], AbstractContextManager[None]] | None = None,
) -> list[str]:
    """Fit, collecting convergence warnings; bad model settings become a ScenarioError.

    ``step(method)``: a progress line around the fit (:class:`FitProgress`).
    """
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        try:
            with step(model.resolve_sampler(table)) if step else contextlib.nullcontext():
                model.fit(table, progressbar=False, **sampling)
        except ModelError as exc:
            raise ScenarioError(f"{where}{exc}") from None
        finally:
            release_freed_memory()  # compilers' freed heap back to the OS: RSS stays flat
    messages = [str(w.message) for w in caught if issubclass(w.category, ConvergenceWarning)]
    for m in messages:  # on the console, name the fit (file, outcome, hypothesis)
        warnings.warn(f"{where}{m}", ConvergenceWarning, stacklevel=3)
    return messages


def _future_events(spans: list[Any]) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "event_id": f"what-if-{i}",
                "type": s.type,
                "date": pd.Timestamp(s.start),
                "end_date": pd.Timestamp(s.end),
                "tags": ";".join(s.tags),
                "source": "scenario",
            }
            for i, s in enumerate(spans)
        ]
    )


def _lfo(
    scenario: Scenario,
    events: pd.DataFrame,
    outcome: Outcome,
    full: dict[str, ExposureTable],
    sampling: dict[str, Any],
    starts: list[pd.Timestamp],
    hypotheses: list[HypothesisSpec],
    bar: FitProgress | None = None,
) -> tuple[np.ndarray, list[str], dict[str, int]]:
    """Per-block lpd (blocks × hypotheses) by exact refits, block labels, refits that warned.

    ``starts``: the block starts :func:`~followon.scenarios.build.check_scenario` checked.
    """
    block = pd.Timedelta(days=scenario.compare.block_days)
    lpd = np.zeros((len(starts), len(hypotheses)))
    refit_warnings: dict[str, int] = {}
    bar = bar or FitProgress(0, enabled=False)
    for j, h in enumerate(hypotheses):
        model = hypothesis_model(h, log_likelihood=False)
        data = full[h.id].data
        what, method = f"comparison, {len(starts)} refits", model.resolve_sampler(full[h.id])
        with bar.refits(outcome.id, h.id, what, method):
            for k, origin in enumerate(starts):
                train = build_exposure(
                    events,
                    outcome,
                    start=f"{scenario.data.start}",
                    as_of=origin,
                    covariates=full[h.id].covariates,
                    observed_until=full[h.id].observed_until,
                    require_events=False,
                )
                if _fit(model, train, sampling, fit_location(scenario, outcome, h)):
                    refit_warnings[h.id] = refit_warnings.get(h.id, 0) + 1
                rows = data[(data["date"] >= origin) & (data["date"] < origin + block)]
                lpd[k, j] = block_lpd(model, rows)
    return lpd, [f"{s:%Y-%m-%d}" for s in starts], refit_warnings


COMBINED = "combined"
"""The hypothesis name of the weighted mixture of the compared hypotheses' forecasts."""


def _combined(
    per_h: dict[str, tuple[np.ndarray, np.ndarray]],
    weights: pd.Series,
    horizons: list[int],
    max_h: int,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Return the combined forecast's rows (at ``horizons``) and curve (days 1 … ``max_h``)."""
    ids = [h for h in per_h if h in weights.index]
    w = weights.reindex(ids).to_numpy(dtype=float)
    w = w / w.sum()
    draws = [per_h[h][0] for h in ids]
    means = [per_h[h][1] for h in ids]
    at = [np.asarray(m)[np.asarray(horizons) - 1] for m in means]
    rows = mixture_probabilities(draws, w, horizons, p_means=at)
    days = list(range(1, max_h + 1))
    curve = mixture_probabilities(draws, w, days, p_means=means)
    half = mixture_probabilities(draws, w, days, p_means=means, ci_prob=0.5)
    curve["p_low50"], curve["p_high50"] = half["p_low"], half["p_high"]
    return rows, curve


PARAMETER_COLUMNS = [
    "outcome",
    "hypothesis",
    "parameter",
    "kind",
    "mean",
    "median",
    "low",
    "high",
    "p_gt_1",
]
"""Columns of :attr:`ScenarioResult.parameters` (and of ``parameters.csv``)."""

_CURVE_COLUMNS = [
    "hypothesis",
    "outcome",
    "what_if",
    "horizon_days",
    "p_mean",
    "p_low",
    "p_high",
    "p_low50",
    "p_high50",
]
_HAZARD_COLUMNS = [
    "hypothesis",
    "outcome",
    "day",
    "hazard_mean",
    "hazard_low",
    "hazard_high",
    "hazard_low50",
    "hazard_high50",
    "ratio_mean",
    "ratio_low",
    "ratio_high",
]


def _hazard_curve(
    model: Any, origin: pd.Timestamp, days: int, trigger: dict[str, Any] | None, first: int = 1
) -> pd.DataFrame:
    """Posterior daily hazard on ``days`` days after ``origin`` and its ratio to baseline.

    ``first``: the number of the first of them (days after the windows' origin).
    """
    hazard = model.hazard(model.future_design(origin, days, trigger=trigger))  # draws × days
    posterior = model.idata_["posterior"]
    lam0 = (
        np.asarray(posterior["baseline_rate"]).reshape(-1)  # chain·draw
        if "baseline_rate" in posterior
        else np.full(len(hazard), np.nan)
    )
    ratio = hazard / lam0[:, None]
    q = np.quantile(hazard, [0.05, 0.95, 0.25, 0.75], axis=0)
    r = np.quantile(ratio, [0.05, 0.95], axis=0)
    return pd.DataFrame(
        {
            "outcome": model.table_.outcome.id,
            "day": np.arange(first, first + days),
            "hazard_mean": hazard.mean(axis=0),
            "hazard_low": q[0],
            "hazard_high": q[1],
            "hazard_low50": q[2],
            "hazard_high50": q[3],
            "ratio_mean": ratio.mean(axis=0),
            "ratio_low": r[0],
            "ratio_high": r[1],
        }
    )


def run_scenario(
    scenario: Scenario,
    events: pd.DataFrame | None = None,
    *,
    quick: bool = False,
    progress: bool = False,
) -> ScenarioResult:
    """Fit every hypothesis for every outcome, forecast from the trigger, and compare.

    Parameters
    ----------
    scenario : Scenario
        From :func:`followon.load_scenario`.
    events : DataFrame, optional
        Events to use instead of the scenario's ``data`` (its ``start`` still applies).
    quick : bool
        A first look: 2 chains × 1000 draws (500 tuning steps) and at most 2 comparison blocks.
    progress : bool
        A line on stderr per fit as it starts and ends (``[3/9] any_missile / clustering:
        fitting (numpyro NUTS) … 4.1 s``), and per hypothesis for its comparison and
        prior-sensitivity refits. ``followon run`` turns it on (off with ``--quiet``).

    Raises
    ------
    ScenarioError
        A trigger not in the history, an outcome matching no events, too little history for
        the comparison, ... — one line naming the file and the key. Everything but a failing
        fit is found before any fitting, by :func:`~followon.scenarios.build.check_scenario`
        (what ``followon scenario validate`` runs).
    """
    plan = check_scenario(scenario, events, quick=quick)
    events, data_sha, origin = plan.events, plan.data_sha256, plan.origin
    hypothetical, trigger_desc = plan.hypothetical, plan.trigger
    outcomes = {o.id: o.build() for o in scenario.outcomes}
    window = forecast_window(  # what is known at as_of: see followon.scenarios.live
        origin,
        pd.Timestamp(scenario.as_of),
        {k: o.daily_counts(events) for k, o in outcomes.items()},
    )
    sampling = scenario.sampling.model_dump()
    if quick:
        sampling.update(QUICK)
    forecasts, curves, diags, comparisons = [], [], [], []
    hazard_curves: list[pd.DataFrame] = []
    notes: list[str] = []
    bayes: list[pd.DataFrame] = []
    parameters: list[pd.DataFrame] = []
    base_rates: dict[str, float] = {}
    first_days: dict[str, int | None] = {}
    models: dict[tuple[str, str], Any] = {}
    lfo_scores: dict[str, tuple[np.ndarray, list[str], list[str]]] = {}
    bar = FitProgress(len(scenario.outcomes) * len(scenario.hypotheses), progress)
    for o_spec in scenario.outcomes:
        outcome = o_spec.build()
        tables: dict[str, ExposureTable] = {}
        fitted: dict[str, Any] = {}
        # per what-if: each hypothesis' P(within h) draws and its own mean curve, for `combined`
        draws_by_what_if: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}
        for h in scenario.hypotheses:
            table = plan.tables[(o_spec.id, h.id)]
            model = hypothesis_model(h, log_likelihood=scenario.compare.method == "psis-loo")
            where, step = fit_location(scenario, outcome, h), partial(bar.fit, o_spec.id, h.id)
            messages = _fit(model, table, sampling, where, step)
            tables[h.id], fitted[h.id], models[(o_spec.id, h.id)] = table, model, model
            summary = model.summary(0.9).reset_index()
            summary.insert(0, "outcome", o_spec.id)
            summary.insert(1, "hypothesis", h.id)
            parameters.append(summary[PARAMETER_COLUMNS])
            base_rates.setdefault(
                o_spec.id, float(table.data["events"].sum() / table.data["exposure"].sum())
            )
            diag = model.diagnostics_
            diags.append(
                {
                    "outcome": o_spec.id,
                    "hypothesis": h.id,
                    "method": model.method_,
                    "max_r_hat": float(diag["r_hat"].max()) if len(diag) else np.nan,
                    "min_ess_bulk": float(diag["ess_bulk"].min()) if len(diag) else np.nan,
                    "divergences": int(diag.attrs.get("divergences", 0)),
                    "fit_path": str(diag.attrs.get("fit_path", model.method_)),
                    "warning": " | ".join(messages),
                }
            )
            trig = hypothetical if hypothetical is not None else None
            max_h = max(scenario.horizons_days)
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", UserWarning)
                for w in [None, *scenario.what_if]:
                    future = _future_events(w.spans) if w is not None and w.spans else None
                    f = live_forecast(
                        model, window, scenario.horizons_days, trigger=trig, future_events=future
                    )
                    f.insert(0, "hypothesis", h.id)
                    f.insert(2, "what_if", "" if w is None else w.id)
                    forecasts.append(f)
                    days = range(1, max_h + 1)
                    curve = live_forecast(model, window, days, trigger=trig, future_events=future)
                    half = live_forecast(
                        model, window, days, trigger=trig, future_events=future, ci_prob=0.5
                    )
                    curve["p_low50"], curve["p_high50"] = half["p_low"], half["p_high"]
                    curve.insert(0, "hypothesis", h.id)
                    curve.insert(2, "what_if", "" if w is None else w.id)
                    curves.append(curve[_CURVE_COLUMNS])
                    if get_model(h.model).daily_likelihood:
                        p = live_probability_draws(
                            model, window, max_h, trigger=trig, future_events=future
                        )
                        draws_by_what_if.setdefault("" if w is None else w.id, {})[h.id] = (
                            p,
                            curve["p_mean"].to_numpy(),
                        )
                if window.open_days(o_spec.id, max_h):  # hazard on the days still to come
                    hazard_curves.append(
                        _hazard_curve(
                            model, window.start, max_h - window.elapsed, trig, window.elapsed + 1
                        ).assign(hypothesis=h.id)
                    )
            for c in caught:
                if str(c.message) not in notes:
                    notes.append(str(c.message))
        for h_id, model in fitted.items():
            versus, names = nested_null(h_id, fitted, tables)
            if versus is None:
                continue
            what = "prior sensitivity refits"
            with (
                bar.refits(o_spec.id, h_id, what, model.method_),
                warnings.catch_warnings(),
            ):
                warnings.simplefilter("ignore", ConvergenceWarning)  # refits: BF only
                bf = prior_sensitivity(model, names, **sampling)
            bf.insert(0, "outcome", o_spec.id)
            bf.insert(1, "hypothesis", h_id)
            bf.insert(2, "versus", versus)
            bayes.append(bf)
        # time-to-first-event models predict no daily counts: they sit out the comparison
        comparable = [h for h in scenario.hypotheses if get_model(h.model).daily_likelihood]
        if scenario.compare.method == "lfo":
            lpd, blocks, refit_warnings = _lfo(
                scenario, events, outcome, tables, sampling, plan.blocks[o_spec.id], comparable, bar
            )
            comp = summarise_comparison(
                lpd, [h.id for h in comparable], weights=scenario.compare.weights
            )
            comp["blocks"] = ", ".join(blocks)
            lfo_scores[o_spec.id] = (lpd, blocks, [h.id for h in comparable])
            for d in diags:
                if d["outcome"] == o_spec.id:
                    d["lfo_refits_warned"] = refit_warnings.get(str(d["hypothesis"]), 0)
        else:
            comp = psis_loo(
                {h.id: fitted[h.id] for h in comparable}, weights=scenario.compare.weights
            )
            comp["blocks"] = ""
        others = [h.id for h in scenario.hypotheses if h not in comparable]
        if others:
            comp = pd.concat(
                [
                    comp,
                    pd.DataFrame(
                        {
                            "hypothesis": others,
                            "blocks": "not compared: time to first event, no daily likelihood",
                        }
                    ),
                ],
                ignore_index=True,
            )
        counts = outcome.daily_counts(events)
        after = counts[
            (counts.index > origin) & (counts.index <= next(iter(tables.values())).observed_until)
        ]
        first_days[o_spec.id] = int((after.index.min() - origin).days) if len(after) else None
        comp.insert(0, "outcome", o_spec.id)
        comp["method"] = scenario.compare.method
        comp["weights"] = scenario.compare.weights
        comparisons.append(comp)
        if len(comparable) >= 2:
            weights = comp.set_index("hypothesis")["weight"]
            for what_if, per_h in draws_by_what_if.items():
                f_rows, c_rows = _combined(
                    per_h, weights, scenario.horizons_days, max(scenario.horizons_days)
                )
                f_rows.insert(0, "hypothesis", COMBINED)
                f_rows.insert(1, "outcome", o_spec.id)
                f_rows.insert(2, "what_if", what_if)
                f_rows["origin_date"] = origin
                f_rows["elapsed_days"] = window.elapsed
                forecasts.append(f_rows)
                c_rows.insert(0, "hypothesis", COMBINED)
                c_rows.insert(1, "outcome", o_spec.id)
                c_rows.insert(2, "what_if", what_if)
                curves.append(c_rows[_CURVE_COLUMNS])
    joint = None
    if plan.joint is not None:
        joint = run_joint(
            scenario,
            plan.joint,
            events,
            origin,
            hypothetical,
            sampling=sampling,
            fit=_fit,
            lfo_scores=lfo_scores,
        )
        diags += [{str(k): v for k, v in r.items()} for r in joint.diagnostics.to_dict("records")]
    forecast = pd.concat(forecasts, ignore_index=True)
    first_table = next(iter(models.values())).table_
    first_hypothesis = scenario.hypotheses[0].id
    observed = []
    for o, h, horizon in zip(
        forecast["outcome"], forecast["hypothesis"], forecast["horizon_days"], strict=True
    ):
        table = models[(str(o), str(h) if h != COMBINED else first_hypothesis)].table_
        observed.append(
            observed_within(
                table.outcome.daily_counts(events), origin, int(horizon), table.observed_until
            )
        )
    forecast["observed"] = observed
    forecast["status"] = [
        window.status(str(o), int(h))
        for o, h in zip(forecast["outcome"], forecast["horizon_days"], strict=True)
    ]
    forecast = forecast.drop(columns=["elapsed_days"])
    fits = [*models.values(), *(joint.models.values() if joint is not None else [])]
    release_compiled_samplers(fits)  # the fits are done: free their samplers before the report
    return ScenarioResult(
        scenario=scenario,
        forecast=forecast,
        comparison=pd.concat(comparisons, ignore_index=True),
        curves=pd.concat(curves, ignore_index=True),
        diagnostics=pd.DataFrame(diags),
        models=models,
        origin=origin,
        trigger=trigger_desc,
        data_sha256=data_sha,
        quick=quick,
        meta={
            "observed_until": f"{first_table.observed_until:%Y-%m-%d}",
            "notes": notes,
            "first_event_day": first_days,
            "overlay": list(events.attrs.get("overlay", [])),
            "base_rate": base_rates,  # local overlay files (name, sha256)
            "data_until": {  # per outcome: its type and the last day its data cover
                o: {
                    "type": outcomes[o].type,
                    "observed_until": f"{m.table_.observed_until:%Y-%m-%d}",
                }
                for (o, h), m in models.items()
                if h == first_hypothesis
            },
            "run_date": f"{pd.Timestamp.now(tz='UTC'):%Y-%m-%d}",
        },
        bayes_factors=pd.concat(bayes, ignore_index=True) if bayes else pd.DataFrame(),
        hazard_curves=pd.concat(hazard_curves, ignore_index=True)[_HAZARD_COLUMNS]
        if hazard_curves
        else pd.DataFrame(columns=_HAZARD_COLUMNS),  # every window closed before as_of
        parameters=pd.concat(parameters, ignore_index=True),
        events=events,
        joint=joint,
    )
