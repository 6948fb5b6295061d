"""From posterior hazards to P(action within H days), live updates and simulated paths.

The maths lives with the models (:mod:`followon.hazard.probability`,
:mod:`followon.hazard.simulate`); every model's ``forecast`` is written once on
:class:`followon.HazardModel`. This package re-exports the maths for users.
"""

from followon.hazard.probability import (
    check_horizons,
    delay_summary,
    horizon_probabilities,
    interval_bounds,
    weighted_quantile,
)
from followon.hazard.simulate import simulate_paths

__all__ = [
    "check_horizons",
    "delay_summary",
    "horizon_probabilities",
    "interval_bounds",
    "simulate_paths",
    "weighted_quantile",
]
