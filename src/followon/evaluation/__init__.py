"""Forecast evaluation: proper scoring rules, CORP calibration and backtest score tables."""

from followon.evaluation.backtest import BacktestResult, backtest, backtest_origins
from followon.evaluation.prior import prior_predictive
from followon.evaluation.report import write_backtest
from followon.evaluation.sbc import SBCResult, sbc_uniformity, simulation_based_calibration
from followon.evaluation.scores import (
    BACKTEST_COLUMNS,
    brier_score,
    brier_skill,
    corp_decomposition,
    interval_coverage,
    log_score,
    pav,
    reliability_curve,
    score_table,
)

__all__ = [
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
    "prior_predictive",
    "reliability_curve",
    "sbc_uniformity",
    "score_table",
    "simulation_based_calibration",
    "write_backtest",
]
