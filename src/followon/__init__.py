"""followon: Bayesian hazard models of what a state does after a summit or a party meeting.

The first case is North Korea. ``load_events`` gives the bundled, sourced event catalog.
"""

from followon._version import __version__
from followon.errors import (
    ConvergenceWarning,
    DataError,
    DifferentDataError,
    DifferentModelError,
    FollowonError,
    FollowonWarning,
    ModelError,
    ScenarioError,
)
from followon.events import (
    EVENT_TYPES,
    MISSILE_CLASSES,
    DataWarning,
    events_per_year,
    load_events,
    load_manifest,
    observed_until,
    read_cns_missile_database,
    read_csis_provocations,
    read_events,
    validate_events,
)
from followon.exposure import (
    DaysSinceLast,
    Era,
    Excitation,
    ExposureTable,
    Outcome,
    Season,
    Spans,
    Trend,
    TriggerWindows,
    build_exposure,
)
from followon.hazard import PiecewiseHazard
from followon.plotting import paper_style, plot_comparison, plot_forecast, plot_hazard_ratios
from followon.scenarios import (
    Scenario,
    ScenarioResult,
    bundled_scenarios,
    load_scenario,
    run_scenario,
    write_results,
)

__all__ = [
    "EVENT_TYPES",
    "MISSILE_CLASSES",
    "ConvergenceWarning",
    "DataError",
    "DataWarning",
    "DaysSinceLast",
    "DifferentDataError",
    "DifferentModelError",
    "Era",
    "Excitation",
    "ExposureTable",
    "FollowonError",
    "FollowonWarning",
    "ModelError",
    "Outcome",
    "PiecewiseHazard",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "Season",
    "Spans",
    "Trend",
    "TriggerWindows",
    "__version__",
    "build_exposure",
    "bundled_scenarios",
    "events_per_year",
    "load_events",
    "load_manifest",
    "load_scenario",
    "observed_until",
    "paper_style",
    "plot_comparison",
    "plot_forecast",
    "plot_hazard_ratios",
    "read_cns_missile_database",
    "read_csis_provocations",
    "read_events",
    "run_scenario",
    "validate_events",
    "write_results",
]
