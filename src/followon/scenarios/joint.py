r"""A scenario's joint question: several outcomes in one fit — P(any) and which comes first.

The ``joint`` section names outcomes and hypotheses; each named hypothesis is fitted once over
those outcomes by the model the registry gives for it
(:func:`~followon.hazard.registry.multi_outcome_model`:
:class:`~followon.hazard.MultiActionHazard`, each covariate's effect pooled across the
outcomes). Every outcome is censored at the earliest ``observed_until`` among them
(:func:`~followon.scenarios.build.plan_joint`).

Per hypothesis and horizon *H*, from the fitted daily hazards :math:`\lambda_{o,h}` of each
posterior draw (closed forms, no simulation:
:func:`~followon.hazard.multi.first_action_probabilities`):

- ``any``: :math:`1 - \exp(-\sum_o \Lambda_o(H))`;
- ``first`` of outcome *o*: *o*'s first day strictly before every other outcome's, within *H*;
- ``tie``: the first action day within *H* has two or more outcomes;
- ``none``: nothing within *H* (:math:`= 1 - P(\text{any})`).

``first`` over the outcomes + ``tie`` + ``none`` = 1 for every draw and horizon. Rows give the
posterior mean, median and 90% interval, and ``observed`` (1/0, or empty while the window is
open at the earliest ``observed_until``).

The combined forecast (hypothesis ``combined``, with two or more joint hypotheses and the
``lfo`` comparison) mixes the hypotheses' draws with stacking weights of the summed per-outcome
leave-future-out block scores: the log score of the joint daily counts under the separately
fitted hypotheses. The joint fits themselves are not refitted per block.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from followon.evaluation.compare import mixture_probabilities, stacking_weights
from followon.hazard.multi import MultiActionHazard, first_action_probabilities
from followon.hazard.probability import interval_bounds
from followon.scenarios.build import JointPlan, joint_model
from followon.scenarios.schema import Scenario

__all__ = [
    "JOINT_COLUMNS",
    "JointResult",
    "first_action_draws",
    "joint_label",
    "joint_observed",
    "run_joint",
]

JOINT_COLUMNS = [
    "hypothesis",
    "quantity",
    "outcome",
    "horizon_days",
    "p_mean",
    "p_low",
    "p_high",
    "p_median",
    "observed",
]
"""Columns of ``joint.csv``: ``quantity`` is any, first (``outcome`` names which), tie or none."""

CURVE_COLUMNS = [
    "hypothesis",
    "kind",
    "day",
    "p_mean",
    "p_low",
    "p_high",
    "stack_mean",
    "stack_low",
    "stack_high",
]
"""Columns of ``joint_curves.csv``: per day, each first-action kind (outcomes in order, then
``tie``) with its own cumulative incidence and the stacked sum of the kinds up to it (the top
of the stack is P(any))."""

COMBINED = "combined"


def joint_label(outcomes: list[str]) -> str:
    """Return the name of the joint question in tables: ``any:<o1>+<o2>+...``."""
    return "any:" + "+".join(outcomes)


@dataclass
class JointResult:
    """The joint question's results (``ScenarioResult.joint``).

    Attributes
    ----------
    outcomes : list of str
    table : DataFrame
        ``joint.csv`` (:data:`JOINT_COLUMNS`).
    curves : DataFrame
        ``joint_curves.csv`` (:data:`CURVE_COLUMNS`), days 1 … longest horizon.
    parameters : DataFrame
        Each joint fit's :meth:`MultiActionHazard.summary` with a ``hypothesis`` column (rows
        ``pooled``: the pooled effects).
    diagnostics : DataFrame
        One row per joint fit (as ``ScenarioResult.diagnostics``; ``outcome`` is
        :func:`joint_label`).
    models : dict
        ``hypothesis id → fitted MultiActionHazard``.
    observed_until : Timestamp
        The earliest of the outcomes' ``observed_until``: the joint fit's and ``observed``'s.
    notes : list of str
        Censoring and overlapping outcomes, in words.
    weights : Series or None
        The combined forecast's weights by hypothesis (None when there is no combined).
    """

    outcomes: list[str]
    table: pd.DataFrame
    curves: pd.DataFrame
    parameters: pd.DataFrame
    diagnostics: pd.DataFrame
    models: dict[str, MultiActionHazard]
    observed_until: pd.Timestamp
    notes: list[str] = field(default_factory=list)
    weights: pd.Series | None = None


def first_action_draws(hazards: np.ndarray, outcomes: list[str]) -> dict[tuple[str, str], Any]:
    """Return ``(quantity, outcome) → (draws, days)`` cumulative probabilities on days 1 … H.

    Quantities ``any``, ``first`` (one per outcome), ``tie``, ``none`` (``outcome`` "" except
    for ``first``), from daily hazards of shape (outcomes, draws, days).
    """
    p = first_action_probabilities(hazards, by_day=True)
    out: dict[tuple[str, str], Any] = {("any", ""): -np.expm1(-np.cumsum(hazards.sum(0), axis=1))}
    for k, o in enumerate(outcomes):
        out[("first", o)] = p["first"][k]
    out[("tie", "")] = p["tie"]
    out[("none", "")] = p["none"]
    return out


def joint_observed(
    first_days: dict[str, int | None],
    origin: pd.Timestamp,
    observed_until: pd.Timestamp,
    horizon: int,
) -> dict[tuple[str, str], float]:
    """Return what happened within ``horizon`` days: 1/0 per quantity, NaN if still open.

    ``first_days``: each outcome's first event day after the origin, on or before
    ``observed_until`` (None if none).
    """
    seen = {o: d for o, d in first_days.items() if d is not None and d <= horizon}
    keys = [("any", ""), *(("first", o) for o in first_days), ("tie", ""), ("none", "")]
    if seen:
        day = min(seen.values())
        winners = [o for o, d in seen.items() if d == day]
        values = {("any", ""): 1.0, ("tie", ""): float(len(winners) > 1), ("none", ""): 0.0}
        values.update({("first", o): float(winners == [o]) for o in first_days})
        return values
    if origin + pd.Timedelta(days=horizon) <= observed_until:
        return {k: float(k[0] == "none") for k in keys}
    return dict.fromkeys(keys, float("nan"))


def _rows(
    hypothesis: str,
    draws: dict[tuple[str, str], np.ndarray],
    horizons: list[int],
    observed: dict[int, dict[tuple[str, str], float]],
    ci_prob: float,
) -> list[dict[str, Any]]:
    lo, hi = interval_bounds(ci_prob)
    idx = np.asarray(horizons) - 1
    rows = []
    for (quantity, outcome), values in draws.items():
        at = values[:, idx]
        q = np.quantile(at, [lo, hi, 0.5], axis=0)
        for j, h in enumerate(horizons):
            rows.append(
                {
                    "hypothesis": hypothesis,
                    "quantity": quantity,
                    "outcome": outcome,
                    "horizon_days": h,
                    "p_mean": float(at[:, j].mean()),
                    "p_low": float(q[0, j]),
                    "p_high": float(q[1, j]),
                    "p_median": float(q[2, j]),
                    "observed": observed[h][(quantity, outcome)],
                }
            )
    return rows


def _stack_draws(
    draws: dict[tuple[str, str], np.ndarray], outcomes: list[str]
) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """(kind, its own draws, the stacked sum up to it) for each outcome's first, then tie."""
    kinds = [(o, draws[("first", o)]) for o in outcomes] + [("tie", draws[("tie", "")])]
    total = np.zeros_like(kinds[0][1])
    out = []
    for kind, values in kinds:
        total = total + values
        out.append((kind, values, total))
    return out


def _curves(
    hypothesis: str, draws: dict[tuple[str, str], np.ndarray], outcomes: list[str]
) -> pd.DataFrame:
    lo, hi = interval_bounds(0.9)
    frames = []
    for kind, own, stack in _stack_draws(draws, outcomes):
        q = np.quantile(own, [lo, hi], axis=0)
        s = np.quantile(stack, [lo, hi], axis=0)
        frames.append(
            pd.DataFrame(
                {
                    "hypothesis": hypothesis,
                    "kind": kind,
                    "day": np.arange(1, own.shape[1] + 1),
                    "p_mean": own.mean(axis=0),
                    "p_low": q[0],
                    "p_high": q[1],
                    "stack_mean": stack.mean(axis=0),
                    "stack_low": s[0],
                    "stack_high": s[1],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _mixture(draws: list[np.ndarray], w: np.ndarray) -> pd.DataFrame:
    """Weighted mixture of members' (draws, days) arrays at every day (mean, 90% interval)."""
    days = list(range(1, draws[0].shape[1] + 1))
    return mixture_probabilities(draws, w, days)


def _combined(
    per_h: dict[str, dict[tuple[str, str], np.ndarray]],
    w: np.ndarray,
    outcomes: list[str],
    horizons: list[int],
    observed: dict[int, dict[tuple[str, str], float]],
) -> tuple[list[dict[str, Any]], pd.DataFrame]:
    ids = list(per_h)
    rows = []
    for key in per_h[ids[0]]:
        m = _mixture([per_h[h][key] for h in ids], w).set_index("horizon_days")
        for h in horizons:
            r = m.loc[h].astype(float).to_dict()
            rows.append(
                {
                    "hypothesis": COMBINED,
                    "quantity": key[0],
                    "outcome": key[1],
                    "horizon_days": h,
                    "p_mean": r["p_mean"],
                    "p_low": r["p_low"],
                    "p_high": r["p_high"],
                    "p_median": r["p_median"],
                    "observed": observed[h][key],
                }
            )
    stacks = {h: _stack_draws(per_h[h], outcomes) for h in ids}
    frames = []
    for j, (kind, _, _) in enumerate(stacks[ids[0]]):
        own = _mixture([stacks[h][j][1] for h in ids], w)
        stack = _mixture([stacks[h][j][2] for h in ids], w)
        frames.append(
            pd.DataFrame(
                {
                    "hypothesis": COMBINED,
                    "kind": kind,
                    "day": own["horizon_days"].to_numpy(),
                    "p_mean": own["p_mean"].to_numpy(),
                    "p_low": own["p_low"].to_numpy(),
                    "p_high": own["p_high"].to_numpy(),
                    "stack_mean": stack["p_mean"].to_numpy(),
                    "stack_low": stack["p_low"].to_numpy(),
                    "stack_high": stack["p_high"].to_numpy(),
                }
            )
        )
    return rows, pd.concat(frames, ignore_index=True)


def _joint_weights(
    hypotheses: list[str],
    outcomes: list[str],
    lfo_scores: dict[str, tuple[np.ndarray, list[str], list[str]]],
) -> tuple[np.ndarray | None, str]:
    """Stacking weights from the summed per-outcome block scores, or None and why not."""
    if len(hypotheses) < 2:
        return None, ""
    if not all(o in lfo_scores for o in outcomes):
        return None, (
            "joint: no combined forecast — its weights come from the leave-future-out blocks "
            "(compare.method lfo)."
        )
    blocks = {tuple(lfo_scores[o][1]) for o in outcomes}
    if len(blocks) > 1:
        return None, (
            "joint: no combined forecast — the outcomes' leave-future-out blocks differ (their "
            "data end on different days), so their scores cannot be summed."
        )
    total = sum(
        lfo_scores[o][0][:, [lfo_scores[o][2].index(h) for h in hypotheses]] for o in outcomes
    )
    return stacking_weights(np.asarray(total)), ""


def _overlap_notes(plan: JointPlan, hypothesis: str) -> list[str]:
    """Name pairs of outcomes that mostly fall on the same days (e.g. ICBM within any missile)."""
    tables = plan.tables[hypothesis]
    days = {o: set(t.data.loc[t.data["events"] > 0, "date"]) for o, t in tables.items()}
    notes = []
    for x, y in itertools.combinations(plan.outcomes, 2):
        a, b = (x, y) if len(days[x]) <= len(days[y]) else (y, x)
        if days[a] and len(days[a] & days[b]) >= 0.5 * len(days[a]):
            shared = len(days[a] & days[b])
            notes.append(
                f"joint: {shared} of the {len(days[a])} {a} days in the fitted record are also "
                f"{b} days. The joint model treats the outcomes as independent given the "
                f"covariates, so P(any) counts those days twice and '{a} first' (strictly before "
                f"{b}) is not meaningful for outcomes that coincide: read P(each) and the pooled "
                "effects, or ask the joint question of outcomes that do not overlap."
            )
    return notes


def _first_days(
    scenario: Scenario,
    events: pd.DataFrame,
    origin: pd.Timestamp,
    observed_until: pd.Timestamp,
    outcomes: list[str],
) -> dict[str, int | None]:
    specs = {o.id: o for o in scenario.outcomes}
    out: dict[str, int | None] = {}
    for o in outcomes:
        counts = specs[o].build().daily_counts(events)
        after = counts.index[(counts.index > origin) & (counts.index <= observed_until)]
        out[o] = int((after.min() - origin).days) if len(after) else None
    return out


def run_joint(
    scenario: Scenario,
    plan: JointPlan,
    events: pd.DataFrame,
    origin: pd.Timestamp,
    trigger: dict[str, Any] | None,
    *,
    sampling: dict[str, Any],
    fit: Callable[..., list[str]],
    lfo_scores: dict[str, tuple[np.ndarray, list[str], list[str]]],
    ci_prob: float = 0.9,
) -> JointResult:
    """Fit each joint hypothesis over the joint outcomes and answer the joint question.

    Parameters
    ----------
    scenario : Scenario
    plan : JointPlan
        From :func:`~followon.scenarios.build.check_scenario`.
    events : DataFrame
    origin : Timestamp
    trigger : dict or None
        The hypothetical trigger event, if the trigger is not in the history.
    sampling : dict
        ``draws, tune, chains, random_seed``.
    fit : callable
        ``fit(model, tables, sampling, where) → convergence messages`` (the runner's).
    lfo_scores : dict
        ``outcome → (block lpd (blocks × hypotheses), block labels, hypothesis ids)`` of the
        per-outcome comparison, for the combined forecast's weights.
    ci_prob : float
    """
    outcomes = plan.outcomes
    label = joint_label(outcomes)
    hyps = {h.id: h for h in scenario.hypotheses}
    horizons = list(scenario.horizons_days)
    max_h = max(horizons)
    first_days = _first_days(scenario, events, origin, plan.observed_until, outcomes)
    observed = {h: joint_observed(first_days, origin, plan.observed_until, h) for h in horizons}
    rows: list[dict[str, Any]] = []
    curves, parameters, diagnostics = [], [], []
    models: dict[str, MultiActionHazard] = {}
    per_h: dict[str, dict[tuple[str, str], np.ndarray]] = {}
    for h_id, tables in plan.tables.items():
        model = joint_model(hyps[h_id])
        where = f"{scenario.source_path}: joint, hypothesis '{h_id}' (model {hyps[h_id].model}): "
        messages = fit(model, tables, sampling, where)
        models[h_id] = model
        _, lam = model.daily_hazards(origin, max_h, trigger=trigger)
        draws = first_action_draws(lam, outcomes)
        per_h[h_id] = draws
        rows += _rows(h_id, draws, horizons, observed, ci_prob)
        curves.append(_curves(h_id, draws, outcomes))
        s = model.summary(ci_prob)
        s.insert(1, "hypothesis", h_id)
        parameters.append(s)
        diag = model.diagnostics_
        diagnostics.append(
            {
                "outcome": label,
                "hypothesis": h_id,
                "method": model.method_,
                "max_r_hat": float(diag["r_hat"].max()) if len(diag) else np.nan,
                "min_ess_bulk": float(diag["ess_bulk"].min()) if len(diag) else np.nan,
                "divergences": int(diag.attrs.get("divergences", 0)),
                "fit_path": str(diag.attrs.get("fit_path", model.method_)),
                "warning": " | ".join(messages),
            }
        )
    notes = []
    if plan.censored:
        later = ", ".join(f"{o} until {d:%Y-%m-%d}" for o, d in plan.censored.items())
        notes.append(
            f"joint: the outcomes are observed until different days ({later}; the others until "
            f"{plan.observed_until:%Y-%m-%d}); the joint fit and what happened are censored at "
            f"the earliest, {plan.observed_until:%Y-%m-%d}."
        )
    notes += _overlap_notes(plan, next(iter(plan.tables)))
    w, why_not = _joint_weights(list(plan.tables), outcomes, lfo_scores)
    weights = None
    if why_not:
        notes.append(why_not)
    if w is not None:
        weights = pd.Series(w, index=list(plan.tables), name="weight")
        c_rows, c_curves = _combined(per_h, w, outcomes, horizons, observed)
        rows += c_rows
        curves.append(c_curves)
    return JointResult(
        outcomes=outcomes,
        table=pd.DataFrame(rows)[JOINT_COLUMNS],
        curves=pd.concat(curves, ignore_index=True)[CURVE_COLUMNS],
        parameters=pd.concat(parameters, ignore_index=True),
        diagnostics=pd.DataFrame(diagnostics),
        models=models,
        observed_until=plan.observed_until,
        notes=notes,
        weights=weights,
    )
