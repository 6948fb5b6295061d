"""Hazard models: one contract (:class:`HazardModel`), one model per module, one registry."""

from followon.hazard.base import FORECAST_COLUMNS, HazardModel
from followon.hazard.hawkes import HawkesHazard
from followon.hazard.multi import MultiActionHazard
from followon.hazard.piecewise import SAMPLERS, PiecewiseHazard
from followon.hazard.pooled import PooledHazard
from followon.hazard.registry import MODELS, get_model, register_model, unregister_model
from followon.hazard.survival import LogLogisticTTE, WeibullTTE

__all__ = [
    "FORECAST_COLUMNS",
    "MODELS",
    "SAMPLERS",
    "HawkesHazard",
    "HazardModel",
    "LogLogisticTTE",
    "MultiActionHazard",
    "PiecewiseHazard",
    "PooledHazard",
    "WeibullTTE",
    "get_model",
    "register_model",
    "unregister_model",
]
