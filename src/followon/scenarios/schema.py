"""The scenario file: a question, its trigger, outcomes, horizons and competing hypotheses.

YAML, read by a safe reader of its own (:mod:`followon.scenarios.safe_yaml`: bounded aliases
and nesting, no duplicate keys, no octal surprises), validated with pydantic (unknown keys
rejected with a "did you mean"). Models are chosen by registered name (:data:`MODELS`), never
by import path. See ``docs/scenarios.md`` for the format with an example.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import inspect
import itertools
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import AfterValidator

from followon.errors import ModelError, ScenarioError
from followon.events.schema import MISSILE_CLASSES, event_types, known_event_type
from followon.exposure.outcomes import Outcome
from followon.hazard.registry import MODELS
from followon.scenarios.safe_yaml import (
    TOO_DEEP,
    YamlRefused,
    clip,
    clip_inputs,
    hint,
    read_yaml,
)

__all__ = ["MODELS", "JointSpec", "Scenario", "bundled_scenarios", "check_joint", "load_scenario"]


def __getattr__(name: str) -> Any:
    """``MODEL_SAMPLERS`` and ``MODEL_OPTIONS``: views of the live registry (``MODELS``)."""
    if name == "MODEL_SAMPLERS":
        return {k: cls.samplers for k, cls in MODELS.items()}
    if name == "MODEL_OPTIONS":
        return {k: cls.options for k, cls in MODELS.items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _event_type(value: str, info: ValidationInfo) -> str:
    """Check a ``type`` against the registered types (read once per file: see load_scenario)."""
    known = (info.context or {}).get("event_types")
    if known is not None and value in known:
        return value
    return known_event_type(value)


# the catalog's own vocabulary: the built-in EVENT_TYPES and types declared by overlay files
EventType = Annotated[str, AfterValidator(_event_type)]


FIRST_DAY = dt.date(1900, 1, 1)
LAST_DAY = dt.date(2262, 4, 11)
"""The dates a scenario may name: pandas' nanosecond timestamps end on 11 April 2262."""


def _in_range(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise ValueError(
            f"{value} is outside the dates followon handles, {FIRST_DAY} to {LAST_DAY}"
        )
    return value


MAX_DAYS = (LAST_DAY - FIRST_DAY).days
"""Longest span in days a scenario may name (cut points, lead and lag days, blocks)."""

Day = Annotated[dt.date, AfterValidator(_in_range)]
"""A date between :data:`FIRST_DAY` and :data:`LAST_DAY`."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSpec(_Strict):
    """Where the events come from and the first day at risk."""

    catalog: Literal["dprk"] | None = None
    file: str | None = None
    start: Day
    observed_until: Day | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DataSpec:
        if (self.catalog is None) == (self.file is None):
            raise ValueError("give exactly one of catalog (dprk) or file (a CSV/Parquet path)")
        if self.file is not None and self.observed_until is None:
            # the catalog knows through when each type is observed; a file does not say, and
            # its days after the last one observed would be fitted as quiet days
            raise ValueError(
                "a data file needs observed_until: the last day its events are complete for "
                "(e.g. observed_until: 2025-12-31); later days are not fitted"
            )
        return self


class TriggerSpec(_Strict):
    """The trigger: an event in the history (by id, or type and date) or a hypothetical one."""

    event_id: str | None = None
    type: EventType | None = None
    date: Day | None = None
    end_date: Day | None = None
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _identified(self) -> TriggerSpec:
        if self.event_id is None and (self.type is None or self.date is None):
            raise ValueError("give event_id, or type and date")
        if self.end_date and self.date and self.end_date < self.date:
            raise ValueError(f"end_date {self.end_date} is before date {self.date}")
        return self


class OutcomeSpec(_Strict):
    """An outcome (see :class:`followon.Outcome`)."""

    id: str
    type: EventType
    subtype: list[str] = Field(default_factory=list)
    where: dict[str, list[str]] = Field(default_factory=dict)
    count: Literal["days", "events", "missiles"] = "days"

    def build(self) -> Outcome:
        """Return the :class:`followon.Outcome` this entry describes."""
        return Outcome(
            self.id,
            self.type,
            tuple(self.subtype),
            {k: tuple(v) for k, v in self.where.items()},
            self.count,
        )

    @field_validator("subtype")
    @classmethod
    def _classes(cls, value: list[str]) -> list[str]:
        for s in value:
            if s not in MISSILE_CLASSES:
                raise ValueError(
                    f"unknown missile class '{clip(s)}'{hint(s, MISSILE_CLASSES)}; allowed: "
                    f"{', '.join(MISSILE_CLASSES)}"
                )
        return value


def _check_cuts(value: list[int]) -> list[int]:
    if len(value) < 2 or any(b <= a for a, b in itertools.pairwise(value)):
        raise ValueError("must be at least two increasing whole numbers of days, e.g. [0, 30, 60]")
    if value[0] < 0:
        raise ValueError("must start at 0 or later")
    if value[-1] > MAX_DAYS:
        raise ValueError(f"must end at {MAX_DAYS} days or sooner (the dates followon handles)")
    return value


class TriggerWindowSpec(_Strict):
    """A trigger-window covariate (see :class:`followon.TriggerWindows`)."""

    type: EventType
    cut_days: list[int] = Field(default_factory=lambda: [0, 7, 30, 60, 90])
    tags: list[str] = Field(default_factory=list)
    where: dict[str, list[str]] = Field(default_factory=dict)
    overlap: Literal["latest", "any"] = "latest"
    during: bool = False
    name: str | None = None

    @field_validator("cut_days")
    @classmethod
    def _cuts(cls, value: list[int]) -> list[int]:
        return _check_cuts(value)


class SpanSpec(_Strict):
    """A span-in-progress covariate (see :class:`followon.Spans`)."""

    type: EventType
    lead_days: int = Field(0, ge=0, le=MAX_DAYS)
    lag_days: int = Field(0, ge=0, le=MAX_DAYS)
    tags: list[str] = Field(default_factory=list)
    where: dict[str, list[str]] = Field(default_factory=dict)
    name: str | None = None


class SelfExcitationSpec(_Strict):
    """Self-excitation: a decaying sum, days-since-last bins and/or a log recent count.

    ``decay_days``: :class:`~followon.Excitation`; ``cut_days``: :class:`~followon.DaysSinceLast`;
    ``recent_days``: :class:`~followon.RecentRate` (log(1 + events in the last N days)).
    """

    decay_days: float | None = Field(None, gt=0, le=MAX_DAYS)
    cut_days: list[int] | None = None
    recent_days: int | None = Field(None, ge=1, le=MAX_DAYS)

    @field_validator("cut_days")
    @classmethod
    def _cuts(cls, value: list[int] | None) -> list[int] | None:
        return None if value is None else _check_cuts(value)

    @model_validator(mode="after")
    def _something(self) -> SelfExcitationSpec:
        if self.decay_days is None and self.cut_days is None and self.recent_days is None:
            raise ValueError("give decay_days, cut_days and/or recent_days")
        return self


class EraSpec(_Strict):
    """A user-declared span (e.g. the 2018-19 moratorium)."""

    name: str
    start: Day
    end: Day

    @model_validator(mode="after")
    def _ordered(self) -> EraSpec:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


Finite = Annotated[float, Field(allow_inf_nan=False)]


class PriorSpec(_Strict):
    """Prior settings of a hypothesis' model."""

    baseline_shape: float = Field(2.0, gt=0, allow_inf_nan=False)
    baseline_mean: float | None = Field(None, gt=0, allow_inf_nan=False)
    beta_sd: float = Field(1.0, gt=0, allow_inf_nan=False)
    beta_priors: dict[str, tuple[Finite, Finite]] = Field(default_factory=dict)


class BackgroundSpec(_Strict):
    """Covariates shared by every hypothesis (unless it says ``background: false``).

    A hypothesis then states only what it adds. Merging: ``trend_df``, ``self_excitation`` and
    ``season`` of a hypothesis replace the background's; ``triggers`` and ``spans`` entries are
    added to the background's, and an entry of the same ``name`` (or, unnamed, the same ``type``)
    replaces the background's; ``eras`` likewise by ``name``.
    """

    triggers: list[TriggerWindowSpec] = Field(default_factory=list)
    spans: list[SpanSpec] = Field(default_factory=list)
    self_excitation: SelfExcitationSpec | None = None
    season: Literal["quarter", "month"] | None = None
    eras: list[EraSpec] = Field(default_factory=list)
    trend_df: int | None = Field(None, ge=1, le=50)

    def describe(self) -> str:
        """Return a one-line account of the background (for reports)."""
        parts: list[str] = []
        if self.trend_df:
            parts.append(f"a smooth trend ({self.trend_df} df)")
        if self.self_excitation is not None:
            se = self.self_excitation
            if se.decay_days is not None:
                parts.append(f"self-excitation ({se.decay_days:g}-day decay)")
            if se.cut_days is not None:
                parts.append(f"days since the last event ({', '.join(map(str, se.cut_days))})")
            if se.recent_days is not None:
                parts.append(f"the log count of the last {se.recent_days} days")
        if self.season:
            parts.append(f"{self.season}ly season")
        parts += [f"era {e.name} ({e.start} to {e.end})" for e in self.eras]
        parts += [f"{t.name or t.type} windows" for t in self.triggers]
        parts += [f"{sp.name or sp.type} spans" for sp in self.spans]
        return ", ".join(parts) or "nothing"


def _merged(own: list[Any], shared: list[Any], key: Any) -> list[Any]:
    """Return ``shared`` entries not replaced by an ``own`` entry of the same key, then ``own``."""
    replaced = {key(item) for item in own}
    return [item for item in shared if key(item) not in replaced] + list(own)


def _entry_key(item: Any) -> str:
    return str(item.name or item.type)


class HypothesisSpec(_Strict):
    """One competing explanation: a model and its covariates."""

    id: str
    description: str = ""
    model: str = "piecewise"
    background: bool = True
    triggers: list[TriggerWindowSpec] = Field(default_factory=list)
    spans: list[SpanSpec] = Field(default_factory=list)
    self_excitation: SelfExcitationSpec | None = None
    season: Literal["quarter", "month"] | None = None
    eras: list[EraSpec] = Field(default_factory=list)
    trend_df: int | None = Field(None, ge=1, le=50)
    priors: PriorSpec = Field(default_factory=PriorSpec)
    sampler: str = "auto"
    options: dict[str, Any] = Field(default_factory=dict)

    @field_validator("id")
    @classmethod
    def _not_reserved(cls, value: str) -> str:
        if value == "combined":
            raise ValueError(
                "'combined' is the name of the weighted forecast every run adds; give this "
                "hypothesis another id"
            )
        return value

    @field_validator("model")
    @classmethod
    def _registered(cls, value: str) -> str:
        if value not in MODELS:
            raise ValueError(
                f"unknown model '{clip(value)}'{hint(value, MODELS)}; registered: "
                f"{', '.join(MODELS)}"
            )
        return value

    @model_validator(mode="after")
    def _fits_the_model(self, info: ValidationInfo) -> HypothesisSpec:
        model_cls = MODELS[self.model]
        samplers = model_cls.samplers
        if self.sampler not in samplers:
            raise ValueError(
                f"sampler '{clip(self.sampler)}'{hint(self.sampler, samplers)} is not "
                f"available for model {self.model}; use one of {', '.join(samplers)}"
            )
        allowed = model_cls.options
        for key in self.options:
            if key not in allowed:
                raise ValueError(
                    f"options: '{clip(key)}'{hint(str(key), allowed)} is not a setting of model "
                    f"{self.model}; allowed: {', '.join(allowed) or 'none'}"
                )
        if not model_cls.accepts_priors and "priors" in self.model_fields_set:
            raise ValueError(
                f"priors: the {self.model} model has no baseline rate or hazard ratios to put "
                f"these priors on; set its own priors under options "
                f"({', '.join(allowed) or 'none'})"
            )
        if model_cls.fits_own_excitation and self.self_excitation is not None:
            raise ValueError(
                f"the {self.model} model fits its own self-excitation (branching ratio and "
                "decay); remove self_excitation from this hypothesis"
            )
        need = model_cls.min_trigger_windows
        # the scenario's background may bring triggers; the merged hypothesis is checked again
        # (with_background), so here they count as the loader saw them
        shared = (info.context or {}).get("background_triggers", 0) if self.background else 0
        if need >= 2 and len(self.triggers) + shared < need:
            raise ValueError(
                f"the {self.model} model pools the window effects of several trigger types; give "
                f"at least {_NUMBER_WORDS.get(need, str(need))} triggers entries (e.g. "
                "plenary_meeting and politburo_meeting)"
            )
        if need == 1 and not self.triggers:
            raise ValueError(
                f"the {self.model} model times the first outcome after each trigger; give one "
                "triggers entry, e.g. triggers: [{type: plenary_meeting}]"
            )
        try:  # typed options: a bad value fails here, at load time, not inside fit
            self.build_model(log_likelihood=False).check_params()
        except ModelError as exc:
            raise ValueError(clip_inputs(str(exc).rstrip("."), self.options.values())) from None
        except (TypeError, ValueError) as exc:  # the model's own check tripped on a bad type
            raise ValueError(self._wrong_type() or clip_inputs(f"options: {exc}", ())) from None
        return self

    def _wrong_type(self) -> str:
        """Name an option whose value is not the number(s) its default is, if any."""
        for key, value in self.options.items():
            kind = _option_kinds(MODELS[self.model]).get(key)
            if kind == "number" and not _is_number(value):
                return f"options: {key} must be a number, not {clip(repr(value))}"
            if kind == "numbers" and not (
                isinstance(value, (list, tuple)) and value and all(map(_is_number, value))
            ):
                return f"options: {key} must be a list of numbers, not {clip(repr(value))}"
        return ""

    def with_background(self, background: BackgroundSpec | None) -> HypothesisSpec:
        """Return this hypothesis with the scenario's background merged in (see BackgroundSpec).

        Itself when there is no background or it says ``background: false``.

        Raises
        ------
        ValueError
            The merged hypothesis does not fit its model (e.g. background self-excitation with
            ``model: hawkes``), or the model takes no covariates.
        """
        if background is None or not self.background:
            return self
        model_cls = MODELS[self.model]
        if not model_cls.takes_covariates:
            raise ValueError(
                f"the {self.model} model has no covariates, so it cannot take the scenario's "
                "background; add `background: false` to this hypothesis"
            )
        if model_cls.fits_own_excitation and background.self_excitation is not None:
            raise ValueError(
                f"the {self.model} model fits its own self-excitation, so it cannot take the "
                "background's self_excitation; add `background: false` to this hypothesis and "
                "state the rest of the background in it"
            )
        merged = self.model_dump(exclude_unset=True)
        mine = self.model_fields_set
        for key in ("trend_df", "self_excitation", "season"):
            if key not in mine and getattr(background, key) is not None:
                merged[key] = (
                    getattr(background, key).model_dump(exclude_unset=True)
                    if (key == "self_excitation")
                    else getattr(background, key)
                )
        for key, entry_key in (("triggers", _entry_key), ("spans", _entry_key)):
            merged[key] = [
                e.model_dump(exclude_unset=True)
                for e in _merged(getattr(self, key), getattr(background, key), entry_key)
            ]
        merged["eras"] = [
            e.model_dump() for e in _merged(self.eras, background.eras, lambda e: e.name)
        ]
        try:
            return HypothesisSpec.model_validate(merged)
        except ValidationError as exc:
            message = exc.errors()[0]["msg"].removeprefix("Value error, ")
            raise ValueError(
                f"with the scenario's background: {message} (or add `background: false` to "
                "this hypothesis)"
            ) from None

    def build_model(self, *, log_likelihood: bool = True) -> Any:
        """Return the hypothesis' model, unfitted, with its priors, sampler and options."""
        model_cls = MODELS[self.model]
        accepted = _param_names(model_cls)
        kwargs: dict[str, Any] = dict(self.options)
        if model_cls.accepts_priors:
            p = self.priors
            kwargs.update(
                {
                    "baseline_shape": p.baseline_shape,
                    "baseline_mean": p.baseline_mean,
                    "beta_sd": p.beta_sd,
                    "beta_priors": dict(p.beta_priors) or None,
                }
            )
        if "log_likelihood" in accepted:
            kwargs["log_likelihood"] = log_likelihood
        if self.sampler != "auto":  # "auto": the model's own default
            kwargs["sampler"] = self.sampler
        return model_cls(**{k: v for k, v in kwargs.items() if k in accepted})


_NUMBER_WORDS = {2: "two", 3: "three"}


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@functools.cache
def _option_kinds(model_cls: Any) -> dict[str, str]:
    """Return ``option → "number" | "numbers"`` for the options with numeric defaults."""
    kinds: dict[str, str] = {}
    for name, param in inspect.signature(model_cls).parameters.items():
        default = param.default
        if _is_number(default):
            kinds[name] = "number"
        elif isinstance(default, tuple) and default and all(map(_is_number, default)):
            kinds[name] = "numbers"
    return kinds


@functools.cache
def _param_names(model_cls: Any) -> frozenset[str]:
    """Return the model's constructor arguments (inspected once per class, not per item)."""
    return frozenset(model_cls.get_param_names())


class WhatIfSpanSpec(_Strict):
    """A future span (e.g. a planned exercise) for a what-if forecast."""

    type: EventType
    start: Day
    end: Day
    tags: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _ordered(self) -> WhatIfSpanSpec:
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")
        return self


class WhatIfSpec(_Strict):
    """A future to forecast under."""

    id: str
    spans: list[WhatIfSpanSpec] = Field(default_factory=list)


class CompareSpec(_Strict):
    """How hypotheses are compared."""

    method: Literal["lfo", "psis-loo"] = "lfo"
    origins: int = Field(4, ge=1, le=50)
    block_days: int = Field(180, ge=7, le=MAX_DAYS)
    weights: Literal["stacking", "pseudo-bma+"] = "stacking"


class SamplingSpec(_Strict):
    """MCMC settings (the exact path uses ``draws × chains`` independent draws)."""

    draws: int = Field(1000, ge=1, le=1_000_000)
    tune: int = Field(1000, ge=0, le=1_000_000)
    chains: int = Field(4, ge=1, le=100)
    random_seed: int | None = Field(None, ge=0, le=2**32 - 1)


class JointSpec(_Strict):
    """A joint question: several outcomes fitted at once (P(any), which comes first)."""

    outcomes: list[str]
    hypotheses: list[str]


class Scenario(_Strict):
    """A validated scenario (see ``docs/scenarios.md``)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    question: str
    as_of: Day
    data: DataSpec
    trigger: TriggerSpec | None = None  # none: the window starts on as_of (followon.scenarios.live)
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    horizons_days: list[int] = Field(min_length=1)
    hypotheses: list[HypothesisSpec] = Field(min_length=1)
    background: BackgroundSpec | None = None
    what_if: list[WhatIfSpec] = Field(default_factory=list)
    compare: CompareSpec = CompareSpec()
    sampling: SamplingSpec = SamplingSpec()
    joint: JointSpec | None = None
    labels: dict[str, str] = Field(default_factory=dict)
    """Readable names for figures and the report: outcome, hypothesis or what-if ids, event
    types (``plenary_meeting: plenum`` names ``plenary_meeting[0-30]`` "plenum, days 0–30")."""

    source_path: str | None = Field(None, exclude=True)
    source_sha256: str | None = Field(None, exclude=True)

    @field_validator("horizons_days")
    @classmethod
    def _horizons(cls, value: list[int]) -> list[int]:
        for h in value:
            if h < 1:
                raise ValueError(f"horizons must be whole numbers of days ≥ 1, not {h}")
        return sorted(set(value))

    @model_validator(mode="after")
    def _unique_ids(self) -> Scenario:
        for what, items in (
            ("hypotheses", self.hypotheses),
            ("outcomes", self.outcomes),
            ("what_if", self.what_if),
        ):
            seen: set[str] = set()
            for item in items:  # a set, not list.count: files may hold thousands of ids
                if item.id in seen:
                    raise ValueError(
                        f"{what}: id '{clip(item.id)}' is used twice; ids must be unique"
                    )
                seen.add(item.id)
        for i, h in enumerate(self.hypotheses):
            try:
                h.with_background(self.background)
            except ValueError as exc:
                where = f"hypotheses[{i}] '{clip(h.id)}' (model {h.model})"
                raise ValueError(f"{where}: {exc}") from None
        ids = {h.id for h in self.hypotheses} | {o.id for o in self.outcomes}
        ids |= {w.id for w in self.what_if}
        for key, text in self.labels.items():
            if key not in ids and key not in event_types():
                raise ValueError(
                    f"labels: '{clip(key)}' names no outcome, hypothesis, what-if or event type"
                    f"{hint(key, sorted(ids))}; label one of {', '.join(sorted(ids))}"
                )
            if not text.strip() or len(text) > 80:
                raise ValueError(f"labels: '{clip(key)}' needs a text of 1 to 80 characters")
        if self.as_of <= self.data.start:
            raise ValueError(f"as_of {self.as_of} is not after data.start {self.data.start}")
        t = self.trigger
        last = max(d for d in (self.as_of, t and t.date, t and t.end_date) if d)
        longest = max(self.horizons_days)
        if longest > (LAST_DAY - last).days:
            raise ValueError(
                f"horizons_days: {longest} days after {last} is past {LAST_DAY}, the last date "
                f"followon handles (dates run from {FIRST_DAY} to {LAST_DAY})"
            )
        return self

    @model_validator(mode="after")
    def _joint_names(self) -> Scenario:
        if self.joint is not None:
            check_joint(self.joint, self.outcomes, self.hypotheses)
        return self


def check_joint(
    joint: JointSpec, outcomes: list[OutcomeSpec], hypotheses: list[HypothesisSpec]
) -> None:
    """Check a ``joint`` section against the scenario's outcomes and hypotheses.

    Raises
    ------
    ValueError
        Naming the key (``joint.outcomes[1]``, ...) and what to change.
    """
    for key, names, items in (
        ("outcomes", joint.outcomes, [o.id for o in outcomes]),
        ("hypotheses", joint.hypotheses, [h.id for h in hypotheses]),
    ):
        need = 2 if key == "outcomes" else 1
        if len(names) < need:
            raise ValueError(
                f"joint.{key}: name at least {_NUMBER_WORDS.get(need, 'one')} of the "
                f"scenario's {key} ({', '.join(items)})"
            )
        seen: set[str] = set()
        for i, name in enumerate(names):
            if name not in items:
                raise ValueError(
                    f"joint.{key}[{i}]: no {key[:-1] if key == 'outcomes' else 'hypothesis'} "
                    f"'{clip(name)}'{hint(name, items)}; the scenario's {key} are "
                    f"{', '.join(items)}"
                )
            if name in seen:
                raise ValueError(f"joint.{key}[{i}]: '{clip(name)}' is named twice")
            seen.add(name)
    by_id = {h.id: h for h in hypotheses}
    able = [n for n, cls in MODELS.items() if cls.multi_outcome]
    for i, name in enumerate(joint.hypotheses):
        h = by_id[name]
        if not MODELS[h.model].multi_outcome:
            raise ValueError(
                f"joint.hypotheses[{i}]: hypothesis '{name}' uses the {h.model} model, which "
                f"cannot fit several outcomes at once; name hypotheses whose model can "
                f"({', '.join(able)})"
            )
        if h.priors.baseline_mean is not None:
            raise ValueError(
                f"joint.hypotheses[{i}]: hypothesis '{name}' sets priors.baseline_mean, one "
                "baseline rate for every outcome; the joint fit centres each outcome's baseline "
                "on its own rate, so remove baseline_mean or leave this hypothesis out of joint"
            )


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{clip(part)}" if out else clip(part)
    return out


def _model_at(loc: tuple[int | str, ...]) -> type[BaseModel] | None:
    """Return the pydantic model holding the key at ``loc`` (for "did you mean")."""
    model: Any = Scenario
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part) if hasattr(model, "model_fields") else None
        if field is None:
            return None
        ann = field.annotation
        args = getattr(ann, "__args__", ())
        candidates = [ann, *args]
        nxt = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if nxt is None:
            return None
        model = nxt
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _explain(error: Any) -> str:
    loc = tuple(p for p in error["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    path = _loc(loc)
    kind = error["type"]
    if kind == "extra_forbidden":
        holder = _model_at(loc)
        allowed = (
            [f for f in holder.model_fields if f not in ("source_path", "source_sha256")]
            if holder
            else []
        )
        key = str(loc[-1])
        near = hint(key, allowed)
        return f"{path}: unknown key '{clip(key)}'{near}; allowed: {', '.join(allowed)}"
    if kind == "missing":
        return f"{path}: missing; this key is required"
    given = f"not {clip(error.get('input'))}"
    if kind in ("model_type", "dict_type"):
        inner = _model_at((*loc, "key"))
        fields = inner.model_fields if inner is not None else {}
        keys = [f for f in fields if f not in ("source_path", "source_sha256")]
        listed = f" ({', '.join(keys)})" if keys else ""
        return f"{path}: expected a mapping of keys{listed}, e.g. {{key: value}}; {given}"
    if kind == "list_type":
        return f"{path}: expected a list, e.g. [a, b] or one `- item` per line; {given}"
    if kind in ("bool_type", "bool_parsing"):
        return f"{path}: expected true or false; {given}"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        value = clip(error.get("input"))
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        return f"{path}: '{value}' is not allowed{hint(value, options)}; expected {expected}"
    message = clip_inputs(error["msg"].removeprefix("Value error, "), [error.get("input")])
    return f"{path}: {message}" if path else message


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario file.

    Raises
    ------
    ScenarioError
        One line naming the file, the key path (e.g. ``hypotheses[2].triggers[0].cut_days``)
        and what is expected.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read the file ({exc.strerror}).") from None
    try:
        content = read_yaml(raw.decode("utf-8"))
    except YamlRefused as exc:
        raise ScenarioError(f"{path}: line {exc.line}: {exc}.") from None
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        if where is not None and "nesting depth" in str(getattr(exc, "problem", "")):
            raise ScenarioError(  # libyaml's own limit (1000) on flow collections
                f"{path}: line {where.line + 1}: {TOO_DEEP}."
            ) from None
        line = f" (line {where.line + 1})" if where is not None else ""
        raise ScenarioError(
            f"{path}: not a YAML file{line}; a scenario is a YAML mapping."
        ) from None
    if not isinstance(content, dict):
        raise ScenarioError(f"{path}: a scenario is a YAML mapping of keys (name, question, ...).")
    try:
        background = content.get("background")
        shared = background.get("triggers") if isinstance(background, dict) else None
        context = {
            "event_types": event_types(),
            "background_triggers": len(shared) if isinstance(shared, list) else 0,
        }
        scenario = Scenario.model_validate(content, context=context)
    except ValidationError as exc:
        errors = sorted(exc.errors(), key=lambda e: e["type"] != "extra_forbidden")
        first = errors[0]  # a misspelled key explains the "missing" error of the right one
        more = len(errors) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        raise ScenarioError(f"{path}: {_explain(first)}{suffix}.") from None
    return scenario.model_copy(
        update={"source_path": str(path), "source_sha256": hashlib.sha256(raw).hexdigest()}
    )


def bundled_scenarios() -> dict[str, Path]:
    """Return the scenario files shipped with followon, by name (in a wheel or a checkout)."""
    from importlib import resources

    packaged = resources.files("followon").joinpath("scenarios_bundled")
    folder = (
        Path(str(packaged))
        if packaged.is_dir()
        else Path(__file__).resolve().parents[3] / "scenarios"
    )
    return {p.stem: p for p in sorted(folder.glob("*.yaml"))}
