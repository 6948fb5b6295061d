"""Scenario files: schema, loader, runner, backtest and prior check (the YAML jobs).

``followon.scenarios.write_results`` and ``render_report`` moved to :mod:`followon.reports`;
the old names resolve there for one release, with a ``DeprecationWarning``.
"""

import importlib
import warnings
from typing import Any

from followon.evaluation.compare import stacking_weights
from followon.scenarios.backtest import BacktestResult, backtest, backtest_origins
from followon.scenarios.cluster import dask_executor
from followon.scenarios.event_study import EventStudy, event_study
from followon.scenarios.prior import prior_predictive
from followon.scenarios.runner import ScenarioResult, hypothesis_model, run_scenario
from followon.scenarios.schema import MODELS, Scenario, bundled_scenarios, load_scenario

__all__ = [
    "MODELS",
    "BacktestResult",
    "EventStudy",
    "Scenario",
    "ScenarioResult",
    "backtest",
    "backtest_origins",
    "bundled_scenarios",
    "dask_executor",
    "event_study",
    "hypothesis_model",
    "load_scenario",
    "prior_predictive",
    "run_scenario",
    "stacking_weights",
]


def __getattr__(name: str) -> Any:
    if name in ("render_report", "write_results"):
        warnings.warn(
            f"followon.scenarios.{name} moved to followon.reports.{name} (also fo.{name}); the "
            "old name goes in the next release.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module("followon.reports"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
