"""The scenario file: a question, its trigger, outcomes, horizons and competing hypotheses.

YAML, read with ``yaml.safe_load`` only, validated with pydantic (unknown keys rejected with a
"did you mean"). Models are chosen by registered name (:data:`MODELS`), never by import path.
See ``docs/scenarios.md`` for the format with an example.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.functional_validators import AfterValidator

from followon.errors import ModelError, ScenarioError, did_you_mean
from followon.events.schema import MISSILE_CLASSES, known_event_type
from followon.exposure.outcomes import Outcome
from followon.hazard.registry import MODELS

__all__ = ["MODELS", "Scenario", "bundled_scenarios", "load_scenario"]


def __getattr__(name: str) -> Any:
    """``MODEL_SAMPLERS`` and ``MODEL_OPTIONS``: views of the live registry (``MODELS``)."""
    if name == "MODEL_SAMPLERS":
        return {k: cls.samplers for k, cls in MODELS.items()}
    if name == "MODEL_OPTIONS":
        return {k: cls.options for k, cls in MODELS.items()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# the catalog's own vocabulary: the built-in EVENT_TYPES and types declared by overlay files
EventType = Annotated[str, AfterValidator(known_event_type)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataSpec(_Strict):
    """Where the events come from and the first day at risk."""

    catalog: Literal["dprk"] | None = None
    file: str | None = None
    start: dt.date
    observed_until: dt.date | None = None

    @model_validator(mode="after")
    def _one_source(self) -> DataSpec:
        if (self.catalog is None) == (self.file is None):
            raise ValueError("give exactly one of catalog (dprk) or file (a CSV/Parquet path)")
        return self


class TriggerSpec(_Strict):
    """The trigger: an event in the history (by id, or type and date) or a hypothetical one."""

    event_id: str | None = None
    type: EventType | None = None
    date: dt.date | None = None
    end_date: dt.date | None = None
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
                    f"unknown missile class '{s}'{did_you_mean(s, MISSILE_CLASSES)}; allowed: "
                    f"{', '.join(MISSILE_CLASSES)}"
                )
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
        if len(value) < 2 or any(b <= a for a, b in itertools.pairwise(value)):
            raise ValueError(
                "must be at least two increasing whole numbers of days, e.g. [0, 30, 60]"
            )
        if value[0] < 0:
            raise ValueError("must start at 0 or later")
        return value


class SpanSpec(_Strict):
    """A span-in-progress covariate (see :class:`followon.Spans`)."""

    type: EventType
    lead_days: int = Field(0, ge=0)
    lag_days: int = Field(0, ge=0)
    tags: list[str] = Field(default_factory=list)
    where: dict[str, list[str]] = Field(default_factory=dict)
    name: str | None = None


class SelfExcitationSpec(_Strict):
    """Self-excitation: a decaying sum (``decay_days``) and/or days-since-last bins."""

    decay_days: float | None = Field(None, gt=0)
    cut_days: list[int] | None = None

    @model_validator(mode="after")
    def _something(self) -> SelfExcitationSpec:
        if self.decay_days is None and self.cut_days is None:
            raise ValueError("give decay_days and/or cut_days")
        return self


class EraSpec(_Strict):
    """A user-declared span (e.g. the 2018-19 moratorium)."""

    name: str
    start: dt.date
    end: dt.date


class PriorSpec(_Strict):
    """Prior settings of a hypothesis' model."""

    baseline_shape: float = Field(2.0, gt=0)
    baseline_mean: float | None = Field(None, gt=0)
    beta_sd: float = Field(1.0, gt=0)
    beta_priors: dict[str, tuple[float, float]] = Field(default_factory=dict)


class HypothesisSpec(_Strict):
    """One competing explanation: a model and its covariates."""

    id: str
    description: str = ""
    model: str = "piecewise"
    triggers: list[TriggerWindowSpec] = Field(default_factory=list)
    spans: list[SpanSpec] = Field(default_factory=list)
    self_excitation: SelfExcitationSpec | None = None
    season: Literal["quarter", "month"] | None = None
    eras: list[EraSpec] = Field(default_factory=list)
    trend_df: int | None = Field(None, ge=1)
    priors: PriorSpec = PriorSpec()
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
                f"unknown model '{value}'{did_you_mean(value, MODELS)}; registered: "
                f"{', '.join(MODELS)}"
            )
        return value

    @model_validator(mode="after")
    def _fits_the_model(self) -> HypothesisSpec:
        model_cls = MODELS[self.model]
        samplers = model_cls.samplers
        if self.sampler not in samplers:
            raise ValueError(
                f"sampler '{self.sampler}'{did_you_mean(self.sampler, samplers)} is not "
                f"available for model {self.model}; use one of {', '.join(samplers)}"
            )
        allowed = model_cls.options
        for key in self.options:
            if key not in allowed:
                raise ValueError(
                    f"options: '{key}'{did_you_mean(key, allowed)} is not a setting of model "
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
        if need >= 2 and len(self.triggers) < need:
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
            raise ValueError(str(exc).rstrip(".")) from None
        except TypeError as exc:
            raise ValueError(f"options: {exc}") from None
        return self

    def build_model(self, *, log_likelihood: bool = True) -> Any:
        """Return the hypothesis' model, unfitted, with its priors, sampler and options."""
        model_cls = MODELS[self.model]
        accepted = model_cls.get_param_names()
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


class WhatIfSpanSpec(_Strict):
    """A future span (e.g. a planned exercise) for a what-if forecast."""

    type: EventType
    start: dt.date
    end: dt.date
    tags: list[str] = Field(default_factory=list)


class WhatIfSpec(_Strict):
    """A future to forecast under."""

    id: str
    spans: list[WhatIfSpanSpec] = Field(default_factory=list)


class CompareSpec(_Strict):
    """How hypotheses are compared."""

    method: Literal["lfo", "psis-loo"] = "lfo"
    origins: int = Field(4, ge=1, le=50)
    block_days: int = Field(180, ge=7)
    weights: Literal["stacking", "pseudo-bma+"] = "stacking"


class SamplingSpec(_Strict):
    """MCMC settings (the exact path uses ``draws × chains`` independent draws)."""

    draws: int = Field(1000, ge=1)
    tune: int = Field(1000, ge=0)
    chains: int = Field(4, ge=1)
    random_seed: int | None = None


class Scenario(_Strict):
    """A validated scenario (see ``docs/scenarios.md``)."""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
    question: str
    as_of: dt.date
    data: DataSpec
    trigger: TriggerSpec
    outcomes: list[OutcomeSpec] = Field(min_length=1)
    horizons_days: list[int] = Field(min_length=1)
    hypotheses: list[HypothesisSpec] = Field(min_length=1)
    what_if: list[WhatIfSpec] = Field(default_factory=list)
    compare: CompareSpec = CompareSpec()
    sampling: SamplingSpec = SamplingSpec()

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
            ids = [i.id for i in items]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{what}: id '{dupes[0]}' is used twice; ids must be unique")
        if self.as_of <= self.data.start:
            raise ValueError(f"as_of {self.as_of} is not after data.start {self.data.start}")
        return self


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
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
        hint = did_you_mean(key, allowed)
        return f"{path}: unknown key '{key}'{hint}; allowed: {', '.join(allowed)}"
    if kind == "missing":
        return f"{path}: missing; this key is required"
    if kind == "literal_error":
        expected = error.get("ctx", {}).get("expected", "")
        value = str(error.get("input"))
        options = [o.strip(" '") for o in expected.replace(" or ", ", ").split(",")]
        return (
            f"{path}: '{value}' is not allowed{did_you_mean(value, options)}; expected {expected}"
        )
    message = error["msg"].removeprefix("Value error, ")
    return f"{path}: {message}" if path else message


class _Loader(yaml.SafeLoader):
    """``yaml.SafeLoader`` that leaves dates as text, so pydantic checks them with a key path."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


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
        # _Loader is a yaml.SafeLoader subclass: exactly as safe as yaml.safe_load
        content = yaml.load(raw.decode("utf-8"), Loader=_Loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise ScenarioError(
            f"{path}: not a YAML file{line}; a scenario is a YAML mapping."
        ) from None
    if not isinstance(content, dict):
        raise ScenarioError(f"{path}: a scenario is a YAML mapping of keys (name, question, ...).")
    try:
        scenario = Scenario.model_validate(content)
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
