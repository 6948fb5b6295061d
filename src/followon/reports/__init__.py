"""Reports: the only layer that draws figures and writes results folders.

:func:`write_results` (a scenario run) and :func:`write_backtest` (a backtest) take the result
tables and write a folder atomically: CSV tables, a Markdown report and the figures.
"""

from followon.reports.backtest import write_backtest
from followon.reports.scenario import render_report, write_results

__all__ = ["render_report", "write_backtest", "write_results"]
