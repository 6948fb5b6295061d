"""Event history → daily at-risk tables with covariates (pandas and NumPy only)."""

from followon.exposure.covariates import (
    Covariate,
    DaysSinceLast,
    Era,
    Excitation,
    RecentRate,
    Season,
    Spans,
    Trend,
    TriggerWindows,
    covariate_from_spec,
)
from followon.exposure.outcomes import Outcome
from followon.exposure.table import ExposureTable, build_exposure

__all__ = [
    "Covariate",
    "DaysSinceLast",
    "Era",
    "Excitation",
    "ExposureTable",
    "Outcome",
    "RecentRate",
    "Season",
    "Spans",
    "Trend",
    "TriggerWindows",
    "build_exposure",
    "covariate_from_spec",
]
