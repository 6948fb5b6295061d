"""Moved to :mod:`followon.hazard.probability` (the maths every model's forecast uses).

Kept so ``followon.forecasting.probability`` imports keep working.
"""

from followon.hazard.probability import (
    check_horizons,
    delay_summary,
    horizon_probabilities,
    interval_bounds,
    weighted_quantile,
)

__all__ = [
    "check_horizons",
    "delay_summary",
    "horizon_probabilities",
    "interval_bounds",
    "weighted_quantile",
]
