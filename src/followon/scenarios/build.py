"""Building blocks of a scenario job: its events, its trigger, each hypothesis' table and model.

Public so that ``run``, ``backtest`` and the prior check share one builder instead of each
other's internals.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import pandas as pd

from followon.errors import DataError, ScenarioError, did_you_mean
from followon.events import load_events, read_events
from followon.events.catalog import catalog_sha256
from followon.exposure import (
    Covariate,
    DaysSinceLast,
    Era,
    Excitation,
    ExposureTable,
    Outcome,
    Season,
    Spans,
    Trend,
    TriggerWindows,
    build_exposure,
)
from followon.hazard import HazardModel, get_model
from followon.scenarios.schema import HypothesisSpec, Scenario

__all__ = [
    "covariates_from_spec",
    "hypothesis_model",
    "hypothesis_table",
    "load_scenario_events",
    "model_class",
    "resolve_trigger",
]


def load_scenario_events(scenario: Scenario) -> tuple[pd.DataFrame, str]:
    """Return the scenario's events (the bundled catalog or its file) and their sha256."""
    if scenario.data.catalog:
        return load_events(), catalog_sha256()  # the manifest's sha256, and overlay files
    base = Path(scenario.source_path).parent if scenario.source_path else Path.cwd()
    path = (base / str(scenario.data.file)).resolve()
    return read_events(path), hashlib.sha256(path.read_bytes()).hexdigest()


def resolve_trigger(
    scenario: Scenario, events: pd.DataFrame
) -> tuple[pd.Timestamp, dict[str, Any] | None, dict[str, Any]]:
    """Return (origin, hypothetical trigger event or None, description)."""
    spec = scenario.trigger
    if spec.event_id is not None:
        hit = events[events["event_id"] == spec.event_id]
        if hit.empty:
            raise ScenarioError(
                f"{scenario.source_path}: trigger.event_id: '{spec.event_id}' is not in the event "
                f"history{did_you_mean(spec.event_id, events['event_id'].tolist())}."
            )
        row = hit.iloc[0]
    else:
        same = events[
            (events["type"] == spec.type) & (events["date"] == pd.Timestamp(str(spec.date)))
        ]
        if same.empty:
            start = pd.Timestamp(str(spec.date))
            end = pd.Timestamp(str(spec.end_date)) if spec.end_date else start
            hypothetical = {
                "type": spec.type,
                "date": start,
                "end_date": end,
                "tags": ";".join(spec.tags),
                "event_id": f"hypothetical-{spec.type}-{start:%Y-%m-%d}",
                "source": "scenario",
            }
            desc = {
                "event_id": None,
                "type": spec.type,
                "date": f"{start:%Y-%m-%d}",
                "end_date": f"{end:%Y-%m-%d}",
                "hypothetical": True,
            }
            return end, hypothetical, desc
        row = same.iloc[0]
    end = row["end_date"] if pd.notna(row["end_date"]) else row["date"]
    desc = {
        "event_id": str(row["event_id"]),
        "type": str(row["type"]),
        "date": f"{row['date']:%Y-%m-%d}",
        "end_date": f"{end:%Y-%m-%d}",
        "label": None if pd.isna(row.get("label")) else str(row.get("label")),
        "hypothetical": False,
    }
    return pd.Timestamp(end), None, desc


def covariates_from_spec(h: HypothesisSpec, scenario: Scenario) -> list[Covariate]:
    """Return the covariate builders a hypothesis names (windows, spans, excitation, ...)."""
    covs: list[Covariate] = []
    for t in h.triggers:
        covs.append(
            TriggerWindows(
                t.type, tuple(t.cut_days), tuple(t.tags), dict(t.where), t.overlap, t.during, t.name
            )
        )
    for sp in h.spans:
        covs.append(
            Spans(sp.type, sp.lead_days, sp.lag_days, tuple(sp.tags), dict(sp.where), sp.name)
        )
    if h.self_excitation is not None:
        if h.self_excitation.cut_days is not None:
            covs.append(DaysSinceLast(tuple(h.self_excitation.cut_days)))
        if h.self_excitation.decay_days is not None:
            covs.append(Excitation(h.self_excitation.decay_days))
    if h.season:
        covs.append(Season(h.season))
    for era in h.eras:
        covs.append(Era(era.name, f"{era.start}", f"{era.end}"))
    if h.trend_df:
        last = pd.Timestamp(scenario.as_of) - pd.Timedelta(days=1)
        covs.append(Trend(f"{scenario.data.start}", f"{last:%Y-%m-%d}", h.trend_df))
    return covs


def hypothesis_table(
    scenario: Scenario,
    events: pd.DataFrame,
    outcome: Outcome,
    h: HypothesisSpec,
    *,
    as_of: pd.Timestamp,
    require_events: bool = True,
) -> ExposureTable:
    """Build the exposure table of one hypothesis and outcome; errors name the file and keys."""
    observed_until = scenario.data.observed_until
    try:
        return build_exposure(
            events,
            outcome,
            start=f"{scenario.data.start}",
            as_of=as_of,
            covariates=covariates_from_spec(h, scenario),
            observed_until=None if observed_until is None else pd.Timestamp(str(observed_until)),
            require_events=require_events,
        )
    except DataError as exc:
        raise ScenarioError(
            f"{scenario.source_path}: outcome '{outcome.id}', hypothesis '{h.id}': {exc}"
        ) from None


def model_class(name: str) -> type[HazardModel]:
    """Return the class registered as ``name`` (:data:`followon.MODELS`)."""
    return get_model(name)


def hypothesis_model(h: HypothesisSpec, *, log_likelihood: bool) -> HazardModel:
    """Return the hypothesis' model, unfitted, with its priors, sampler and options."""
    model: HazardModel = h.build_model(log_likelihood=log_likelihood)
    return model
