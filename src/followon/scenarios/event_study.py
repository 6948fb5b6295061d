"""A scenario's event study: past triggers of its type, what followed, what each model implies.

:func:`event_study` gathers, for one outcome of a :class:`~followon.ScenarioResult`, the
Kaplan–Meier share of past triggers followed by the outcome within *d* days
(:func:`~followon.evaluation.event_study.kaplan_meier`) and each fitted hypothesis' implied
curve for the same triggers (:func:`~followon.evaluation.event_study.implied_incidence`).
:func:`followon.plot_event_study` draws it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from followon.errors import ModelError
from followon.evaluation.event_study import implied_incidence, kaplan_meier, trigger_durations

__all__ = ["EventStudy", "event_study"]


@dataclass
class EventStudy:
    """What :func:`event_study` returns.

    Attributes
    ----------
    outcome, trigger_type : str
    durations : DataFrame
        Per past trigger: ``event_id, origin_date, duration_days, observed``.
    km : DataFrame
        :func:`~followon.evaluation.event_study.kaplan_meier` of the durations.
    implied : DataFrame
        ``hypothesis, day, p_mean, p_low, p_high`` for each hypothesis that could be asked.
    skipped : dict
        ``hypothesis → reason`` for fitted hypotheses without an implied curve (e.g. a model
        of the time from a trigger, which has no daily hazard from a past date).
    max_days : int
    ci_prob : float
    """

    outcome: str
    trigger_type: str
    durations: pd.DataFrame
    km: pd.DataFrame
    implied: pd.DataFrame
    skipped: dict[str, str] = field(default_factory=dict)
    max_days: int = 90
    ci_prob: float = 0.9

    def __repr__(self) -> str:
        """One line: the triggers, how many were followed, the hypotheses compared."""
        n, hits = len(self.durations), int(self.durations["observed"].sum())
        hyps = ", ".join(dict.fromkeys(self.implied["hypothesis"])) or "none"
        return (
            f"EventStudy({self.outcome} after {n} {self.trigger_type} triggers: {hits} followed "
            f"within the record; hypotheses: {hyps})"
        )


def event_study(
    result: Any,
    outcome: str | None = None,
    *,
    trigger_type: str | None = None,
    hypotheses: Sequence[str] | None = None,
    max_days: int | None = None,
    ci_prob: float = 0.9,
) -> EventStudy:
    """Past triggers of the scenario's type: what followed (Kaplan–Meier), what models imply.

    Parameters
    ----------
    result : ScenarioResult
        From :func:`followon.run_scenario` with its fitted models (not ``--no-models``
        re-loaded results).
    outcome : str, optional
        Default: the scenario's first outcome.
    trigger_type : str, optional
        Default: the scenario trigger's type (required for a scenario without a trigger).
    hypotheses : sequence of str, optional
        Default: every fitted hypothesis of the outcome, in scenario order.
    max_days : int, optional
        Default: the scenario's longest horizon.
    ci_prob : float
        For the Kaplan–Meier band and the models' intervals.

    Raises
    ------
    ModelError
        An unknown outcome or hypothesis, no trigger type, no fitted models, or no past
        trigger of the type in the record.
    """
    models = getattr(result, "models", None) or {}
    outcomes = list(dict.fromkeys(o for o, _ in models))
    if not outcomes:
        raise ModelError(
            "the result has no fitted models; an event study needs run_scenario's result, "
            "not one read back from a results folder."
        )
    outcome = outcomes[0] if outcome is None else outcome
    if outcome not in outcomes:
        raise ModelError(f"outcome '{outcome}' is not in the result; choose from {outcomes}.")
    fitted = {h: m for (o, h), m in models.items() if o == outcome}
    if hypotheses is not None:
        unknown = [h for h in hypotheses if h not in fitted]
        if unknown:
            raise ModelError(
                f"hypothesis '{unknown[0]}' has no fit for {outcome}; choose from {list(fitted)}."
            )
        fitted = {h: fitted[h] for h in hypotheses}
    if trigger_type is None:
        trigger_type = (getattr(result, "trigger", None) or {}).get("type")
        if not trigger_type:
            raise ModelError(
                "the scenario has no trigger: pass trigger_type= (e.g. 'plenary_meeting')."
            )
    if max_days is None:
        max_days = max(int(h) for h in result.scenario.horizons_days)
    table = next(
        (m.table_ for m in fitted.values() if "date" in m.table_.data.columns),
        None,
    )
    if table is None:
        raise ModelError(f"no fit of {outcome} has a daily table to find the triggers in.")
    durations = trigger_durations(table, str(trigger_type))
    km = kaplan_meier(durations["duration_days"], durations["observed"], ci_prob=ci_prob)
    curves, skipped = [], {}
    for hyp, model in fitted.items():
        try:
            curve = implied_incidence(
                model, list(durations["origin_date"]), max_days, ci_prob=ci_prob
            )
        except ModelError as exc:
            skipped[hyp] = str(exc)
            continue
        curves.append(curve.assign(hypothesis=hyp))
    implied = (
        pd.concat(curves, ignore_index=True)[["hypothesis", "day", "p_mean", "p_low", "p_high"]]
        if curves
        else pd.DataFrame(columns=["hypothesis", "day", "p_mean", "p_low", "p_high"])
    )
    return EventStudy(
        str(outcome), str(trigger_type), durations, km, implied, skipped, max_days, ci_prob
    )
