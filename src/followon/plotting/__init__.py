"""Figures for papers, drawn from finished results; a paper style context manager."""

from followon.plotting.figures import (
    plot_comparison,
    plot_forecast,
    plot_hazard_ratios,
    save_figures,
)
from followon.plotting.reliability import plot_reliability
from followon.plotting.style import OKABE_ITO, paper_style, save_figure

__all__ = [
    "OKABE_ITO",
    "paper_style",
    "plot_comparison",
    "plot_forecast",
    "plot_hazard_ratios",
    "plot_reliability",
    "save_figure",
    "save_figures",
]
