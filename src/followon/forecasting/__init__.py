"""From posterior hazards to P(action within H days), live updates and simulated paths."""

from followon.forecasting.probability import (
    check_horizons,
    delay_summary,
    horizon_probabilities,
    weighted_quantile,
)

__all__ = ["check_horizons", "delay_summary", "horizon_probabilities", "weighted_quantile"]
