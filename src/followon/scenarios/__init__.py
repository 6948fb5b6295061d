"""Scenario files: schema, loader, runner, backtest and prior check (the YAML jobs)."""

from followon.evaluation.compare import stacking_weights
from followon.scenarios.backtest import BacktestResult, backtest, backtest_origins
from followon.scenarios.prior import prior_predictive
from followon.scenarios.runner import ScenarioResult, hypothesis_model, run_scenario
from followon.scenarios.schema import MODELS, Scenario, bundled_scenarios, load_scenario

__all__ = [
    "MODELS",
    "BacktestResult",
    "Scenario",
    "ScenarioResult",
    "backtest",
    "backtest_origins",
    "bundled_scenarios",
    "hypothesis_model",
    "load_scenario",
    "prior_predictive",
    "run_scenario",
    "stacking_weights",
]
