"""Forecast evaluation: proper scoring rules, CORP calibration and backtest score tables."""

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
    "brier_score",
    "brier_skill",
    "corp_decomposition",
    "interval_coverage",
    "log_score",
    "pav",
    "reliability_curve",
    "score_table",
]
