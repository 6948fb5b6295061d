"""Every public name of the release before the model contract still resolves (issue 13, "Keep").

Moved names resolve through a deprecated alias for one release (a DeprecationWarning).
"""

from __future__ import annotations

import importlib
import warnings

import pytest

PUBLIC_BEFORE = {
    "followon": [
        "BacktestResult",
        "ConvergenceWarning",
        "DataError",
        "DataWarning",
        "DaysSinceLast",
        "DifferentDataError",
        "DifferentModelError",
        "EVENT_TYPES",
        "Era",
        "EvaluationError",
        "Excitation",
        "ExposureTable",
        "FollowonError",
        "FollowonWarning",
        "ForecastLedger",
        "HawkesHazard",
        "LogLogisticTTE",
        "MISSILE_CLASSES",
        "ModelError",
        "MultiActionHazard",
        "Outcome",
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
        "backtest",
        "brier_score",
        "brier_skill",
        "build_exposure",
        "bundled_scenarios",
        "corp_decomposition",
        "events_per_year",
        "interval_coverage",
        "load_events",
        "load_manifest",
        "load_scenario",
        "log_score",
        "observed_until",
        "paper_style",
        "plot_at_a_glance",
        "plot_combined",
        "plot_comparison",
        "plot_forecast",
        "plot_hazard",
        "plot_hazard_ratios",
        "plot_model_forecast",
        "plot_model_summary",
        "plot_paper_figure",
        "plot_posterior_predictive",
        "plot_reliability",
        "plot_sbc_ecdf",
        "plot_scenario_timeline",
        "plot_timeline",
        "plot_trigger_record",
        "posterior_predictive_check",
        "read_cns_missile_database",
        "read_csis_provocations",
        "read_events",
        "reliability_curve",
        "run_scenario",
        "score_table",
        "simulation_based_calibration",
        "trigger_record",
        "validate_events",
        "write_backtest",
        "write_results",
    ],
    "followon.hazard": [
        "HawkesHazard",
        "LogLogisticTTE",
        "MultiActionHazard",
        "PiecewiseHazard",
        "PooledHazard",
        "SAMPLERS",
        "WeibullTTE",
    ],
    "followon.evaluation": [
        "BACKTEST_COLUMNS",
        "BacktestResult",
        "SBCResult",
        "backtest",
        "backtest_origins",
        "brier_score",
        "brier_skill",
        "corp_decomposition",
        "interval_coverage",
        "log_score",
        "pav",
        "posterior_predictive_check",
        "prior_predictive",
        "reliability_curve",
        "sbc_uniformity",
        "score_table",
        "simulation_based_calibration",
        "write_backtest",
    ],
    "followon.scenarios": [
        "MODELS",
        "Scenario",
        "ScenarioResult",
        "bundled_scenarios",
        "load_scenario",
        "render_report",
        "run_scenario",
        "stacking_weights",
        "write_results",
    ],
    "followon.plotting": [
        "OKABE_ITO",
        "paper_style",
        "plot_at_a_glance",
        "plot_combined",
        "plot_comparison",
        "plot_forecast",
        "plot_hazard",
        "plot_hazard_ratios",
        "plot_model_forecast",
        "plot_model_summary",
        "plot_paper_figure",
        "plot_posterior_predictive",
        "plot_reliability",
        "plot_sbc_ecdf",
        "plot_scenario_timeline",
        "plot_timeline",
        "plot_trigger_record",
        "save_figure",
        "save_figures",
        "trigger_record",
    ],
    "followon.exposure": [
        "Covariate",
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
        "covariate_from_spec",
    ],
    "followon.events": [
        "DataWarning",
        "EVENT_TYPES",
        "MISSILE_CLASSES",
        "catalog_path",
        "events_per_year",
        "load_events",
        "load_manifest",
        "observed_until",
        "read_cns_missile_database",
        "read_csis_provocations",
        "read_events",
        "validate_events",
    ],
    "followon.record": [
        "EXTERNAL_COLUMNS",
        "LEDGER_VERSION",
        "ForecastLedger",
        "default_ledger",
        "read_external",
        "read_ledger",
        "score_forecasts",
    ],
    "followon.forecasting": [
        "check_horizons",
        "delay_summary",
        "horizon_probabilities",
        "weighted_quantile",
    ],
}


@pytest.mark.parametrize("module", sorted(PUBLIC_BEFORE))
def test_public_names_still_resolve(module: str) -> None:
    mod = importlib.import_module(module)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        missing = [n for n in PUBLIC_BEFORE[module] if not hasattr(mod, n)]
    assert missing == []


def test_moved_names_warn() -> None:
    import followon.evaluation as evaluation
    import followon.scenarios as scenarios

    with pytest.warns(DeprecationWarning, match="moved to followon.scenarios.backtest"):
        evaluation.backtest  # noqa: B018
    with pytest.warns(DeprecationWarning, match="moved to followon.reports.write_results"):
        scenarios.write_results  # noqa: B018
