"""Building blocks of a scenario job: its events, its trigger, each hypothesis' table and model.

Public so that ``run``, ``backtest`` and the prior check share one builder instead of each
other's internals.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from followon.errors import DataError, ModelError, ScenarioError, did_you_mean
from followon.events import load_events, read_events
from followon.events.catalog import catalog_sha256, catalogued_from
from followon.exposure import (
    Covariate,
    DaysSinceLast,
    Era,
    Excitation,
    ExposureTable,
    Outcome,
    RecentRate,
    Season,
    Spans,
    Trend,
    TriggerWindows,
    build_exposure,
)
from followon.hazard import HazardModel, MultiActionHazard, get_model
from followon.hazard.pooled import MCMC_SAMPLERS
from followon.hazard.registry import multi_outcome_model
from followon.scenarios.safe_yaml import clip, clip_words
from followon.scenarios.schema import LAST_DAY, HypothesisSpec, Scenario

QUICK_ORIGINS = 2
"""Leave-future-out blocks in quick mode (at most)."""

__all__ = [
    "JointPlan",
    "ScenarioPlan",
    "add_event",
    "check_scenario",
    "covariates_from_spec",
    "fit_location",
    "hypothesis_model",
    "hypothesis_table",
    "joint_model",
    "lfo_block_starts",
    "load_scenario_events",
    "model_class",
    "plan_joint",
    "resolve_trigger",
]


def load_scenario_events(scenario: Scenario) -> tuple[pd.DataFrame, str]:
    """Return the scenario's events (the bundled catalog or its file) and their sha256.

    Raises
    ------
    ScenarioError
        The data cannot be read: one line naming the scenario file first, then the data file
        and what is wrong with it.
    """
    try:
        if scenario.data.catalog:
            return load_events(), catalog_sha256()  # the manifest's sha256, and overlay files
        base = Path(scenario.source_path).parent if scenario.source_path else Path.cwd()
        path = (base / str(scenario.data.file)).resolve()
        if not path.is_file():
            what = "is a folder" if path.is_dir() else "does not exist"
            raise ScenarioError(
                f"{scenario.source_path}: data.file: {clip(str(path))} {what}; give a CSV or "
                "Parquet event file (a relative path is read from the scenario's folder)."
            )
        return read_events(path), hashlib.sha256(path.read_bytes()).hexdigest()
    except DataError as exc:
        raise ScenarioError(f"{scenario.source_path}: data: {exc}") from None
    except OSError as exc:
        raise ScenarioError(
            f"{scenario.source_path}: data.file: cannot read {clip(str(exc.filename))} "
            f"({exc.strerror})."
        ) from None


def resolve_trigger(
    scenario: Scenario, events: pd.DataFrame
) -> tuple[pd.Timestamp, dict[str, Any] | None, dict[str, Any]]:
    """Return (origin, hypothetical trigger event or None, description).

    Without a trigger the origin is the day before ``as_of`` (windows start on ``as_of``) and
    the description is empty.
    """
    spec = scenario.trigger
    if spec is None:
        return pd.Timestamp(scenario.as_of) - pd.Timedelta(days=1), None, {}
    if spec.event_id is not None:
        hit = events[events["event_id"] == spec.event_id]
        if hit.empty:
            hint = (
                did_you_mean(spec.event_id, events["event_id"].dropna().astype(str).tolist())
                if len(spec.event_id) <= 80
                else ""
            )
            raise ScenarioError(
                f"{scenario.source_path}: trigger.event_id: '{clip(spec.event_id)}' is not in "
                f"the event history{hint}."
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


def covariates_from_spec(
    h: HypothesisSpec, scenario: Scenario, events: pd.DataFrame | None = None
) -> list[Covariate]:
    """Return the covariate builders of a hypothesis (windows, spans, excitation, ...).

    The scenario's ``background`` is merged in unless the hypothesis says ``background: false``;
    trigger types catalogued after ``data.start`` get an era of their own
    (:func:`uncatalogued_eras`, which reads ``events`` where given).
    """
    h = h.with_background(scenario.background)
    covs: list[Covariate] = []
    for t in h.triggers:
        covs.append(
            TriggerWindows(
                t.type, tuple(t.cut_days), tuple(t.tags), dict(t.where), t.overlap, t.during, t.name
            )
        )
    covs += uncatalogued_eras([t.type for t in h.triggers], scenario, events)
    for sp in h.spans:
        covs.append(
            Spans(sp.type, sp.lead_days, sp.lag_days, tuple(sp.tags), dict(sp.where), sp.name)
        )
    if h.self_excitation is not None:
        if h.self_excitation.cut_days is not None:
            covs.append(DaysSinceLast(tuple(h.self_excitation.cut_days)))
        if h.self_excitation.decay_days is not None:
            covs.append(Excitation(h.self_excitation.decay_days))
        if h.self_excitation.recent_days is not None:
            covs.append(RecentRate(h.self_excitation.recent_days))
    if h.season:
        covs.append(Season(h.season))
    for era in h.eras:
        covs.append(Era(era.name, f"{era.start}", f"{era.end}"))
    if h.trend_df:
        last = pd.Timestamp(scenario.as_of) - pd.Timedelta(days=1)
        covs.append(Trend(f"{scenario.data.start}", f"{last:%Y-%m-%d}", h.trend_df))
    return covs


def uncatalogued_eras(
    types: list[str], scenario: Scenario, events: pd.DataFrame | None = None
) -> list[Covariate]:
    """Return an era ``<type>[uncatalogued]`` per trigger type catalogued after ``data.start``.

    Before its first catalogued day (:func:`followon.catalogued_from`: plenums from May 2016,
    Politburo meetings from January 2021) a trigger type's windows are unknown, not empty.
    Counting those days as "outside any window" would pull a window effect toward zero; an era
    of its own gives them their own level (the average over windows and gaps) so the effect is
    learnt from the catalogued days alone — the missing-indicator method, exact for a hazard
    whose windows come and go at a steady rate. The era ends the day before the type's first
    catalogued day or its first row in ``events``, whichever comes first (the 7th CC's 22nd
    Politburo meeting, Dec 2020, precedes the 8th CC's), so no window overlaps it. Only for
    the bundled catalog (``data: {catalog: dprk}``); a file of the user's own is taken as
    complete.
    """
    if scenario.data.catalog != "dprk":
        return []
    first = catalogued_from()
    start = pd.Timestamp(str(scenario.data.start))
    eras: list[Covariate] = []
    for t in dict.fromkeys(types):
        if t not in first:
            continue
        begin = first[t]
        if events is not None and (events["type"] == t).any():
            begin = min(begin, events.loc[events["type"] == t, "date"].min())
        if begin > start:
            last = begin - pd.Timedelta(days=1)
            eras.append(Era(f"{t}[uncatalogued]", f"{start:%Y-%m-%d}", f"{last:%Y-%m-%d}"))
    return eras


def hypothesis_table(
    scenario: Scenario,
    events: pd.DataFrame,
    outcome: Outcome,
    h: HypothesisSpec,
    *,
    as_of: pd.Timestamp,
    require_events: bool = True,
    observed_until: pd.Timestamp | None = None,
) -> ExposureTable:
    """Build the exposure table of one hypothesis and outcome; errors name the file and keys.

    ``observed_until`` overrides ``data.observed_until`` (the joint fit censors every outcome
    at the earliest).
    """
    if observed_until is None and scenario.data.observed_until is not None:
        observed_until = pd.Timestamp(str(scenario.data.observed_until))
    try:
        return build_exposure(
            events,
            outcome,
            start=f"{scenario.data.start}",
            as_of=as_of,
            covariates=covariates_from_spec(h, scenario, events),
            observed_until=observed_until,
            require_events=require_events,
        )
    except DataError as exc:
        raise ScenarioError(
            f"{scenario.source_path}: outcome '{outcome.id}', hypothesis '{h.id}': "
            f"{clip_words(str(exc))}"
        ) from None


def model_class(name: str) -> type[HazardModel]:
    """Return the class registered as ``name`` (:data:`followon.MODELS`)."""
    return get_model(name)


def hypothesis_model(h: HypothesisSpec, *, log_likelihood: bool) -> HazardModel:
    """Return the hypothesis' model, unfitted, with its priors, sampler and options."""
    model: HazardModel = h.build_model(log_likelihood=log_likelihood)
    return model


def add_event(events: pd.DataFrame, event: dict[str, Any]) -> pd.DataFrame:
    """Return ``events`` with one more row (e.g. a hypothetical trigger), sorted by date."""
    out = pd.concat([events, pd.DataFrame([event])], ignore_index=True)
    out = out.sort_values("date", kind="stable", ignore_index=True)
    out.attrs = dict(events.attrs)
    return out


def _stale(scenario: Scenario, outcome: Outcome, observed_until: pd.Timestamp) -> str:
    """Return the refusal of a live question asked after its outcome's data end."""
    as_of = pd.Timestamp(scenario.as_of)
    fix = (
        "add the missing days (`followon data add FILE`; docs/data-updates.md)"
        if scenario.data.catalog
        else f"extend {scenario.data.file} and its data.observed_until"
    )
    return (
        f"{scenario.source_path}: as_of {as_of:%Y-%m-%d}: outcome '{outcome.id}' "
        f"({outcome.type}) is observed only until {observed_until:%Y-%m-%d}, but a question "
        f"asked as of {as_of:%Y-%m-%d} needs every day up to "
        f"{as_of - pd.Timedelta(days=1):%Y-%m-%d}. Set as_of to "
        f"{observed_until + pd.Timedelta(days=1):%Y-%m-%d} or earlier, or {fix}."
    )


def joint_model(h: HypothesisSpec) -> MultiActionHazard:
    """Return the model that fits hypothesis ``h`` over several outcomes at once, unfitted.

    Its priors are the hypothesis' (``baseline_shape``, ``beta_sd``, ``beta_priors``); its
    sampler is the hypothesis' when :class:`~followon.hazard.MultiActionHazard` has it, else
    ``auto`` (the exact and Laplace paths are single-outcome only).

    Raises
    ------
    ModelError
        The hypothesis' model cannot fit several outcomes at once.
    """
    cls = multi_outcome_model(h.model)
    p = h.priors
    return cls(
        baseline_shape=p.baseline_shape,
        beta_sd=p.beta_sd,
        beta_priors=dict(p.beta_priors) or None,
        sampler=h.sampler if h.sampler in MCMC_SAMPLERS else "auto",
    )


@dataclass
class JointPlan:
    """The joint question's tables: every outcome censored at the earliest ``observed_until``.

    Attributes
    ----------
    outcomes : list of str
    tables : dict
        ``hypothesis id → {outcome id → ExposureTable}``.
    observed_until : Timestamp
        The earliest of the outcomes' ``observed_until``.
    censored : dict
        ``outcome id → its own observed_until`` for the outcomes cut back to the earliest.
    """

    outcomes: list[str]
    tables: dict[str, dict[str, ExposureTable]]
    observed_until: pd.Timestamp
    censored: dict[str, pd.Timestamp]


def plan_joint(
    scenario: Scenario,
    events: pd.DataFrame,
    tables: dict[tuple[str, str], ExposureTable],
    as_of: pd.Timestamp,
) -> JointPlan | None:
    """Build (and check) the joint fit's tables from the single-outcome ones.

    Raises
    ------
    ScenarioError
        A joint fit the model refuses, naming ``joint.hypotheses[i]``.
    """
    joint = scenario.joint
    if joint is None:
        return None
    first_h = joint.hypotheses[0]
    own = {o: tables[(o, first_h)].observed_until for o in joint.outcomes}
    earliest = min(own.values())
    specs = {o.id: o for o in scenario.outcomes}
    hyps = {h.id: h for h in scenario.hypotheses}
    out: dict[str, dict[str, ExposureTable]] = {}
    for i, h_id in enumerate(joint.hypotheses):
        h = hyps[h_id]
        out[h_id] = {
            o: tables[(o, h_id)]
            if own[o] == earliest
            else hypothesis_table(
                scenario, events, specs[o].build(), h, as_of=as_of, observed_until=earliest
            )
            for o in joint.outcomes
        }
        try:
            joint_model(h).validate(out[h_id])
        except ModelError as exc:
            raise ScenarioError(
                f"{scenario.source_path}: joint.hypotheses[{i}]: hypothesis '{h_id}': "
                f"{clip_words(str(exc))}"
            ) from None
    censored = {o: d for o, d in own.items() if d > earliest}
    return JointPlan(list(joint.outcomes), out, earliest, censored)


@dataclass
class ScenarioPlan:
    """What :func:`check_scenario` prepared: everything a run needs short of fitting.

    Attributes
    ----------
    events : DataFrame
        The event history.
    data_sha256 : str
        Of the data file or the catalog (of the table when ``events`` were passed in).
    origin : Timestamp
        Day 0 of the forecast windows: the day the trigger ends, or the day before ``as_of``
        without a trigger.
    hypothetical : dict or None
        The trigger event when it is not in the history and still to come at ``as_of`` (a
        past one is added to ``events``, so the fit sees its windows).
    trigger : dict
        The trigger's description (for the results); empty without a trigger.
    tables : dict
        ``(outcome id, hypothesis id) → ExposureTable`` of the main fits.
    blocks : dict
        ``outcome id → leave-future-out block starts`` (empty with ``psis-loo``).
    joint : JointPlan or None
        The joint question's tables (:func:`plan_joint`), when the scenario has one.
    """

    events: pd.DataFrame
    data_sha256: str
    origin: pd.Timestamp
    hypothetical: dict[str, Any] | None
    trigger: dict[str, Any]
    tables: dict[tuple[str, str], ExposureTable]
    blocks: dict[str, list[pd.Timestamp]]
    joint: JointPlan | None = None


def fit_location(scenario: Scenario, outcome: Outcome, h: HypothesisSpec) -> str:
    """Return the prefix of a message about one fit: ``file: outcome 'o', hypothesis 'h' ...``."""
    return (
        f"{scenario.source_path}: outcome '{outcome.id}', hypothesis '{h.id}' (model {h.model}): "
    )


def lfo_block_starts(scenario: Scenario, table: ExposureTable, origins: int) -> list[pd.Timestamp]:
    """Return the leave-future-out block starts: ``origins`` blocks ending at the table's end.

    Blocks that would leave less than a year of training data are dropped.

    Raises
    ------
    ScenarioError
        No block is left.
    """
    block = pd.Timedelta(days=scenario.compare.block_days)
    end = table.end
    starts = [end + pd.Timedelta(days=1) - block * (origins - k) for k in range(origins)]
    starts = [s for s in starts if s > table.start + pd.Timedelta(days=365)]
    if not starts:
        raise ScenarioError(
            f"{scenario.source_path}: compare: not enough history for {origins} leave-future-out "
            f"blocks of {scenario.compare.block_days} days after a year of training data; "
            "lower compare.origins or compare.block_days."
        )
    return starts


def check_scenario(
    scenario: Scenario, events: pd.DataFrame | None = None, *, quick: bool = False
) -> ScenarioPlan:
    """Check that a scenario can be run, doing everything a run does short of fitting.

    Loads the data, resolves the trigger, checks the horizons against it, builds every
    hypothesis' table for every outcome (checks the model accepts it, and, for a question
    asked as of a date — no trigger, or one that ended before ``as_of − 1`` — that the
    outcome's data reach the day before ``as_of``: :mod:`followon.scenarios.live`), and the
    training table of every leave-future-out comparison block. :func:`followon.run_scenario`
    calls it first; ``followon scenario validate`` calls it alone.

    Parameters
    ----------
    scenario : Scenario
        From :func:`followon.load_scenario`.
    events : DataFrame, optional
        Events to use instead of the scenario's ``data``.
    quick : bool
        Check the comparison blocks of a quick run (at most two); the default checks all of
        ``compare.origins``, which include the quick run's.

    Returns
    -------
    ScenarioPlan

    Raises
    ------
    ScenarioError
        One line naming the scenario file first, then the key, outcome, hypothesis or
        comparison block, and what to change.
    """
    where = scenario.source_path
    if events is None:
        events, data_sha = load_scenario_events(scenario)
    else:
        data_sha = hashlib.sha256(
            pd.util.hash_pandas_object(events, index=False).to_numpy().tobytes()
        ).hexdigest()
    origin, hypothetical, trigger_desc = resolve_trigger(scenario, events)
    as_of = pd.Timestamp(scenario.as_of)
    last_known = as_of - pd.Timedelta(days=1)
    live = scenario.trigger is None or origin < last_known  # windows start before as_of
    if live and hypothetical is not None:  # a past meeting the data lack: its windows count
        events = add_event(events, hypothetical)
        hypothetical = None
    longest = max(scenario.horizons_days)
    if longest > (pd.Timestamp(LAST_DAY) - origin).days:
        raise ScenarioError(
            f"{where}: horizons_days: {longest} days after the trigger ({origin:%Y-%m-%d}) is "
            f"past {LAST_DAY}, the last date followon handles."
        )
    origins = min(scenario.compare.origins, QUICK_ORIGINS) if quick else scenario.compare.origins
    tables: dict[tuple[str, str], ExposureTable] = {}
    blocks: dict[str, list[pd.Timestamp]] = {}
    for o_spec in scenario.outcomes:
        outcome = o_spec.build()
        for h in scenario.hypotheses:
            table = hypothesis_table(scenario, events, outcome, h, as_of=as_of)
            if live and table.observed_until < last_known:
                raise ScenarioError(_stale(scenario, outcome, table.observed_until))
            try:
                hypothesis_model(h, log_likelihood=False).validate(table)
            except ModelError as exc:
                raise ScenarioError(
                    f"{fit_location(scenario, outcome, h)}{clip_words(str(exc))}"
                ) from None
            tables[(o_spec.id, h.id)] = table
        comparable = [h for h in scenario.hypotheses if get_model(h.model).daily_likelihood]
        if scenario.compare.method != "lfo" or not comparable:
            blocks[o_spec.id] = []
            continue
        first = tables[(o_spec.id, scenario.hypotheses[0].id)]
        starts = lfo_block_starts(scenario, first, origins)
        blocks[o_spec.id] = starts
        for h in comparable:
            full = tables[(o_spec.id, h.id)]
            for start in starts:
                try:
                    build_exposure(
                        events,
                        outcome,
                        start=f"{scenario.data.start}",
                        as_of=start,
                        covariates=full.covariates,
                        observed_until=full.observed_until,
                        require_events=False,
                    )
                except DataError as exc:
                    raise ScenarioError(
                        f"{where}: outcome '{outcome.id}', hypothesis '{h.id}', comparison "
                        f"block from {start:%Y-%m-%d}: the refit on the days before it fails: "
                        f"{clip_words(str(exc)).rstrip('.')}. Lower compare.origins or "
                        "compare.block_days so that every block starts after the first such event."
                    ) from None
    joint = plan_joint(scenario, events, tables, as_of)
    return ScenarioPlan(events, data_sha, origin, hypothetical, trigger_desc, tables, blocks, joint)
