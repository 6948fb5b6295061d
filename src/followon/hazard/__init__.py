"""Hazard models: one model per module."""

from followon.hazard.hawkes import HawkesHazard
from followon.hazard.piecewise import SAMPLERS, PiecewiseHazard

__all__ = ["SAMPLERS", "HawkesHazard", "PiecewiseHazard"]
