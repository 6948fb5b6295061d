"""The event-study figure: past triggers followed by the outcome, against each hypothesis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from followon.plotting.figures import horizon_marks, legend_below, mark_quick, result_keys
from followon.plotting.keys import HypothesisStyle, event_type_label, name_of
from followon.plotting.style import MIN_TEXT_PT
from followon.scenarios.event_study import EventStudy, event_study

__all__ = ["plot_event_study"]

KM_COLOUR = "black"


def plot_event_study(
    result: Any,
    outcome: str | None = None,
    *,
    study: EventStudy | None = None,
    ax: Axes | None = None,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    hypotheses: Sequence[str] | None = None,
    trigger_type: str | None = None,
) -> Axes:
    """Draw the share of past triggers followed by the outcome within d days, and the models'.

    The black step is the Kaplan–Meier estimate over the record's past triggers of the
    scenario's type (grey: its interval, Greenwood log−log); each hypothesis' line is what its
    fit implies for the same trigger dates (:func:`~followon.scenarios.event_study.event_study`:
    P(first event within d days) from each date's history, averaged over the triggers; light
    band: its posterior interval). The x label says how many triggers were still waiting at
    each horizon. A line far outside the grey band misdescribes what followed the triggers.

    Parameters
    ----------
    result : ScenarioResult
        With its fitted models (from :func:`followon.run_scenario`).
    study : EventStudy, optional
        Already computed by :func:`~followon.scenarios.event_study.event_study` (else computed
        here with ``outcome``, ``hypotheses`` and ``trigger_type``).

    Raises
    ------
    ModelError
        As :func:`~followon.scenarios.event_study.event_study`.
    """
    if study is None:
        study = event_study(result, outcome, trigger_type=trigger_type, hypotheses=hypotheses)
    if ax is None:
        _, ax = plt.subplots()
    key, words = result_keys(result, styles, labels)
    km = study.km
    inside = km[km["day"] <= study.max_days]
    days = np.append(inside["day"].to_numpy(), study.max_days)
    inc = np.append(inside["incidence"].to_numpy(), inside["incidence"].iloc[-1])
    lo = np.append(inside["low"].to_numpy(), inside["low"].iloc[-1])
    hi = np.append(inside["high"].to_numpy(), inside["high"].iloc[-1])
    ax.fill_between(days, lo, hi, step="post", color="0.5", alpha=0.25, linewidth=0)
    ax.step(days, inc, where="post", color=KM_COLOUR, linewidth=1.4, zorder=4)
    for hyp, curve in study.implied.groupby("hypothesis", sort=False):
        st = key.get(str(hyp)) or HypothesisStyle("0.5")
        ax.fill_between(
            curve["day"], curve["p_low"], curve["p_high"], color=st.color, alpha=0.12, linewidth=0
        )
        ax.plot(curve["day"], curve["p_mean"], color=st.color, linestyle=st.linestyle)
    horizons = sorted(int(h) for h in result.scenario.horizons_days)
    horizon_marks(ax, horizons)
    durations = study.durations["duration_days"].to_numpy()
    waiting = ", ".join(f"{int((durations >= h).sum())} at {h} d" for h in [0, *horizons])
    trigger = event_type_label(study.trigger_type, words)
    ax.set_xlabel(f"days d after a past {trigger} ended\n(triggers still waiting: {waiting})")
    ax.set_ylabel(f"share followed by a {name_of(study.outcome, words)}")
    ax.set_xlim(0, study.max_days)
    ax.set_xticks([0, *horizons])
    ax.set_ylim(0, 1)
    n = len(durations)
    handles: list[Any] = [
        Line2D(
            [],
            [],
            color=KM_COLOUR,
            linewidth=1.4,
            label=f"past {trigger}s (n = {n}), Kaplan–Meier",
        ),
        Patch(facecolor="0.5", alpha=0.25, linewidth=0, label=f"its {study.ci_prob:.0%} interval"),
    ]
    for hyp in dict.fromkeys(study.implied["hypothesis"]):
        st = key.get(str(hyp)) or HypothesisStyle("0.5")
        handles.append(
            Line2D([], [], color=st.color, linestyle=st.linestyle, label=name_of(str(hyp), words))
        )
    legend_below(ax, handles, ncols=1)
    if study.skipped:
        ax.annotate(
            "no curve: " + ", ".join(name_of(h, words) for h in study.skipped),
            (0.99, 0.02),
            xycoords="axes fraction",
            ha="right",
            va="bottom",
            fontsize=MIN_TEXT_PT,
            color="0.35",
        )
    mark_quick(ax, result)
    return ax
