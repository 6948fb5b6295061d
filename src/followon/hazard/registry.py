"""The model registry: ``MODELS`` (name → class) and :func:`get_model`.

The scenario schema, the runner, the backtest and SBC read every model-specific fact from the
registered class (its samplers, options, structure needs, comparison eligibility), so adding a
model is one module and one :func:`register_model` call.
"""

from __future__ import annotations

from followon.errors import ModelError, did_you_mean
from followon.hazard.base import HazardModel
from followon.hazard.hawkes import HawkesHazard
from followon.hazard.multi import MultiActionHazard
from followon.hazard.piecewise import PiecewiseHazard
from followon.hazard.pooled import PooledHazard
from followon.hazard.survival import LogLogisticTTE, WeibullTTE

__all__ = ["MODELS", "get_model", "multi_outcome_model", "register_model", "unregister_model"]

MODELS: dict[str, type[HazardModel]] = {
    cls.name: cls
    for cls in (PiecewiseHazard, HawkesHazard, PooledHazard, WeibullTTE, LogLogisticTTE)
}
"""Registered models: ``hypotheses[i].model`` in a scenario names one of these."""


def get_model(name: str) -> type[HazardModel]:
    """Return the model class registered as ``name``.

    Raises
    ------
    ModelError
        For a name not registered (with a "did you mean" and the registered names).
    """
    try:
        return MODELS[name]
    except KeyError:
        raise ModelError(
            f"unknown model '{name}'{did_you_mean(name, MODELS)}; registered: {', '.join(MODELS)}"
        ) from None


def register_model(cls: type[HazardModel], *, replace: bool = False) -> type[HazardModel]:
    """Register a :class:`HazardModel` subclass under its ``name``; return it (a decorator).

    Raises
    ------
    ModelError
        Not a HazardModel subclass, no ``name``, ``"auto"`` not its first sampler, or the name
        taken by another class (unless ``replace``).
    """
    if not (isinstance(cls, type) and issubclass(cls, HazardModel)):
        raise ModelError(f"register_model expects a HazardModel subclass, not {cls!r}.")
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise ModelError(f"{cls.__name__} needs a class attribute `name` (its registry key).")
    if not cls.samplers or cls.samplers[0] != "auto":
        raise ModelError(f"{cls.__name__}.samplers must start with 'auto', not {cls.samplers}.")
    if name in MODELS and MODELS[name] is not cls and not replace:
        raise ModelError(
            f"model name '{name}' is taken by {MODELS[name].__name__}; choose another name or "
            "pass replace=True."
        )
    MODELS[name] = cls
    return cls


def unregister_model(name: str) -> None:
    """Remove a registered model (e.g. a test's toy model); unknown names are ignored."""
    MODELS.pop(name, None)


def multi_outcome_model(name: str) -> type[MultiActionHazard]:
    """Return the class that fits model ``name`` over several outcomes in one fit.

    Models whose class says ``multi_outcome = True`` (their log-linear daily hazard and Gamma
    baseline are :class:`MultiActionHazard`'s, outcome by outcome) are fitted jointly by
    :class:`MultiActionHazard`, each covariate's effect pooled across the outcomes.

    Raises
    ------
    ModelError
        For a name not registered, or a model that cannot fit several outcomes at once.
    """
    cls = get_model(name)
    if not cls.multi_outcome:
        able = [n for n, c in MODELS.items() if c.multi_outcome]
        raise ModelError(
            f"the {name} model cannot fit several outcomes at once; models that can: "
            f"{', '.join(able) or 'none'}."
        )
    return MultiActionHazard
