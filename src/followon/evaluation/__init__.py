"""Forecast evaluation: scoring rules, CORP calibration, model comparison, Bayes factors, SBC.

The backtest (a scenario job) moved to :mod:`followon.scenarios.backtest` and its report to
:mod:`followon.reports.backtest`; ``followon.evaluation.backtest``, ``backtest_origins``,
``BacktestResult``, ``prior_predictive`` and ``write_backtest`` still resolve here for one
release, with a ``DeprecationWarning`` (the one upward import, done lazily).
"""

import importlib
import warnings
from typing import Any

from followon.evaluation.bayes_factors import kass_raftery, prior_sensitivity, savage_dickey
from followon.evaluation.compare import psis_loo, stacking_weights, summarise_comparison
from followon.evaluation.ppc import posterior_predictive_check
from followon.evaluation.sbc import SBCResult, sbc_uniformity, simulation_based_calibration
from followon.evaluation.scores import (
    BACKTEST_COLUMNS,
    brier_score,
    brier_skill,
    calibrated_coverage,
    corp_decomposition,
    interval_coverage,
    log_score,
    log_skill,
    pav,
    reliability_curve,
    score_table,
)
from followon.evaluation.skill import (
    COVERAGE_COLUMNS,
    block_bootstrap_indices,
    bootstrap_skill,
    skill_table,
)

_MOVED = {
    "BacktestResult": "followon.scenarios.backtest",
    "backtest": "followon.scenarios.backtest",
    "backtest_origins": "followon.scenarios.backtest",
    "prior_predictive": "followon.scenarios.prior",
    "write_backtest": "followon.reports.backtest",
}


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        warnings.warn(
            f"followon.evaluation.{name} moved to {_MOVED[name]} (also fo.{name} where it is "
            "exported); the old name goes in the next release.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BACKTEST_COLUMNS",
    "COVERAGE_COLUMNS",
    "SBCResult",
    "block_bootstrap_indices",
    "bootstrap_skill",
    "brier_score",
    "brier_skill",
    "calibrated_coverage",
    "corp_decomposition",
    "interval_coverage",
    "kass_raftery",
    "log_score",
    "log_skill",
    "pav",
    "posterior_predictive_check",
    "prior_sensitivity",
    "psis_loo",
    "reliability_curve",
    "savage_dickey",
    "sbc_uniformity",
    "score_table",
    "simulation_based_calibration",
    "skill_table",
    "stacking_weights",
    "summarise_comparison",
]
