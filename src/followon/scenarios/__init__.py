"""Scenario files: schema, loader, runner and results folder."""

from followon.scenarios.output import render_report, write_results
from followon.scenarios.runner import ScenarioResult, run_scenario, stacking_weights
from followon.scenarios.schema import MODELS, Scenario, bundled_scenarios, load_scenario

__all__ = [
    "MODELS",
    "Scenario",
    "ScenarioResult",
    "bundled_scenarios",
    "load_scenario",
    "render_report",
    "run_scenario",
    "stacking_weights",
    "write_results",
]
