"""followon: Bayesian hazard models of what a state does after a summit or a party meeting.

The first case is North Korea. ``load_events`` gives the bundled, sourced event catalog.

Only the exceptions and the version are imported with the package; every other public name is
imported on first use (PEP 562 ``__getattr__``), so ``import followon`` and the light CLI
commands do not load pandas' heavier companions, SciPy, PyMC, JAX or matplotlib until a table,
a fit or a figure needs them. ``_LAZY`` maps each such module to the names it gives; the
``TYPE_CHECKING`` imports below give the same names to type checkers and must match it
(tests/test_startup.py checks that).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from followon._lazy import lazy_names
from followon._version import __version__
from followon.errors import (
    ConvergenceWarning,
    DataError,
    DifferentDataError,
    DifferentModelError,
    EvaluationError,
    FollowonError,
    FollowonWarning,
    ModelError,
    OutputError,
    RecordError,
    ScenarioError,
)

if TYPE_CHECKING:
    from followon import forecasting as forecasting
    from followon.evaluation import (
        brier_score,
        brier_skill,
        corp_decomposition,
        interval_coverage,
        log_score,
        reliability_curve,
        score_table,
        simulation_based_calibration,
    )
    from followon.events import (
        EVENT_TYPES,
        MISSILE_CLASSES,
        DataWarning,
        OverlayFile,
        add_overlay,
        data_dir,
        event_types,
        events_per_year,
        load_events,
        load_manifest,
        observed_until,
        observed_until_by_producer,
        observed_until_sources,
        overlay_files,
        read_cns_missile_database,
        read_csis_provocations,
        read_events,
        remove_overlay,
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
    from followon.hazard import (
        FORECAST_COLUMNS,
        MODELS,
        HawkesHazard,
        HazardModel,
        LogLogisticTTE,
        MultiActionHazard,
        PiecewiseHazard,
        PooledHazard,
        WeibullTTE,
        get_model,
        register_model,
    )
    from followon.plotting import (
        paper_style,
        plot_comparison,
        plot_forecast,
        plot_hazard,
        plot_hazard_ratios,
        plot_reliability,
        plot_sbc_ecdf,
        plot_scenario_timeline,
        plot_timeline,
    )
    from followon.record import ForecastLedger
    from followon.reports import write_backtest, write_results
    from followon.scenarios import (
        BacktestResult,
        Scenario,
        ScenarioResult,
        backtest,
        bundled_scenarios,
        load_scenario,
        run_scenario,
    )

_LAZY: dict[str, tuple[str, ...]] = {
    "followon.evaluation": (
        "brier_score",
        "brier_skill",
        "corp_decomposition",
        "interval_coverage",
        "log_score",
        "reliability_curve",
        "score_table",
        "simulation_based_calibration",
    ),
    "followon.events": (
        "EVENT_TYPES",
        "MISSILE_CLASSES",
        "DataWarning",
        "OverlayFile",
        "add_overlay",
        "data_dir",
        "event_types",
        "events_per_year",
        "load_events",
        "load_manifest",
        "observed_until",
        "observed_until_by_producer",
        "observed_until_sources",
        "overlay_files",
        "read_cns_missile_database",
        "read_csis_provocations",
        "read_events",
        "remove_overlay",
        "validate_events",
    ),
    "followon.exposure": (
        "DaysSinceLast",
        "Era",
        "Excitation",
        "ExposureTable",
        "Outcome",
        "Season",
        "Spans",
        "Trend",
        "TriggerWindows",
        "build_exposure",
    ),
    "followon.hazard": (
        "FORECAST_COLUMNS",
        "MODELS",
        "HawkesHazard",
        "HazardModel",
        "LogLogisticTTE",
        "MultiActionHazard",
        "PiecewiseHazard",
        "PooledHazard",
        "WeibullTTE",
        "get_model",
        "register_model",
    ),
    "followon.plotting": (
        "paper_style",
        "plot_comparison",
        "plot_forecast",
        "plot_hazard",
        "plot_hazard_ratios",
        "plot_reliability",
        "plot_sbc_ecdf",
        "plot_scenario_timeline",
        "plot_timeline",
    ),
    "followon.record": ("ForecastLedger",),
    "followon.reports": (
        "write_backtest",
        "write_results",
    ),
    "followon.scenarios": (
        "BacktestResult",
        "Scenario",
        "ScenarioResult",
        "backtest",
        "bundled_scenarios",
        "load_scenario",
        "run_scenario",
    ),
}

__all__ = [
    "EVENT_TYPES",
    "FORECAST_COLUMNS",
    "MISSILE_CLASSES",
    "MODELS",
    "BacktestResult",
    "ConvergenceWarning",
    "DataError",
    "DataWarning",
    "DaysSinceLast",
    "DifferentDataError",
    "DifferentModelError",
    "Era",
    "EvaluationError",
    "Excitation",
    "ExposureTable",
    "FollowonError",
    "FollowonWarning",
    "ForecastLedger",
    "HawkesHazard",
    "HazardModel",
    "LogLogisticTTE",
    "ModelError",
    "MultiActionHazard",
    "Outcome",
    "OutputError",
    "OverlayFile",
    "PiecewiseHazard",
    "PooledHazard",
    "RecordError",
    "Scenario",
    "ScenarioError",
    "ScenarioResult",
    "Season",
    "Spans",
    "Trend",
    "TriggerWindows",
    "WeibullTTE",
    "__version__",
    "add_overlay",
    "backtest",
    "brier_score",
    "brier_skill",
    "build_exposure",
    "bundled_scenarios",
    "corp_decomposition",
    "data_dir",
    "event_types",
    "events_per_year",
    "get_model",
    "interval_coverage",
    "load_events",
    "load_manifest",
    "load_scenario",
    "log_score",
    "observed_until",
    "observed_until_by_producer",
    "observed_until_sources",
    "overlay_files",
    "paper_style",
    "plot_comparison",
    "plot_forecast",
    "plot_hazard",
    "plot_hazard_ratios",
    "plot_reliability",
    "plot_sbc_ecdf",
    "plot_scenario_timeline",
    "plot_timeline",
    "read_cns_missile_database",
    "read_csis_provocations",
    "read_events",
    "register_model",
    "reliability_curve",
    "remove_overlay",
    "run_scenario",
    "score_table",
    "simulation_based_calibration",
    "validate_events",
    "write_backtest",
    "write_results",
]


_lazy_getattr, __dir__ = lazy_names(__name__, _LAZY, __all__)


def __getattr__(name: str) -> Any:
    if name == "forecasting":  # a subpackage: importing it sets the attribute
        return importlib.import_module("followon.forecasting")
    return _lazy_getattr(name)
