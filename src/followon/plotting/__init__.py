"""Figures for papers, drawn from finished results; a paper style context manager."""

from followon.plotting.event_study import plot_event_study
from followon.plotting.figures import (
    plot_comparison,
    plot_forecast,
    plot_hazard,
    plot_hazard_ratios,
)
from followon.plotting.folder import save_figures
from followon.plotting.joint import plot_first_action
from followon.plotting.ppc import plot_posterior_predictive
from followon.plotting.reliability import plot_reliability
from followon.plotting.sbc import plot_sbc_ecdf
from followon.plotting.style import OKABE_ITO, paper_style, save_figure
from followon.plotting.summary import (
    plot_at_a_glance,
    plot_combined,
    plot_model_forecast,
    plot_model_summary,
    plot_paper_figure,
)
from followon.plotting.timeline import plot_scenario_timeline, plot_timeline
from followon.plotting.trigger_record import plot_trigger_record, trigger_record

__all__ = [
    "OKABE_ITO",
    "paper_style",
    "plot_at_a_glance",
    "plot_combined",
    "plot_comparison",
    "plot_event_study",
    "plot_first_action",
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
]
