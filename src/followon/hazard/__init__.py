"""Hazard models: one model per module."""

from followon.hazard.hawkes import HawkesHazard
from followon.hazard.piecewise import SAMPLERS, PiecewiseHazard
from followon.hazard.pooled import MultiActionHazard, PooledHazard
from followon.hazard.survival import LogLogisticTTE, WeibullTTE

__all__ = [
    "SAMPLERS",
    "HawkesHazard",
    "LogLogisticTTE",
    "MultiActionHazard",
    "PiecewiseHazard",
    "PooledHazard",
    "WeibullTTE",
]
