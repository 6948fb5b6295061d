"""The joint question's figure: stacked cumulative incidence of the first action."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes

from followon.errors import ModelError, did_you_mean
from followon.plotting.figures import legend_below, mark_quick
from followon.plotting.keys import name_of, result_labels
from followon.plotting.style import OKABE_ITO, STYLES

__all__ = ["plot_first_action"]

TIE_COLOUR = "0.6"


def plot_first_action(
    result: Any,
    hypothesis: str | None = None,
    *,
    ax: Axes | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Which action comes first: stacked cumulative incidence curves, days 1 … longest horizon.

    Each band is P(that outcome is the first action by day H) (posterior mean), stacked in the
    joint section's order, then same-day ties in grey; the top of the stack is P(any within H).
    Error bars at the scenario's horizons are the 90% intervals of each stacked sum (per draw,
    so the top bar is P(any)'s interval). Reads ``result.joint.curves`` only.

    Parameters
    ----------
    result : ScenarioResult
        With a joint question.
    hypothesis : str, optional
        A joint hypothesis or ``combined`` (default: ``combined`` when present, else the first).
    labels : mapping, optional
        Words for outcome and hypothesis ids (over the scenario's ``labels:``).
    """
    joint = getattr(result, "joint", None)
    if joint is None:
        raise ModelError("this result has no joint question; add a joint section to the scenario.")
    curves = joint.curves
    names = list(curves["hypothesis"].unique())
    default = "combined" if "combined" in names else names[0]
    hypothesis = default if hypothesis is None else hypothesis
    if hypothesis not in names:
        raise ModelError(
            f"no joint hypothesis '{hypothesis}'{did_you_mean(hypothesis, names)}; the joint "
            f"question has {', '.join(names)}."
        )
    if ax is None:
        _, ax = plt.subplots()
    words = result_labels(result, labels)
    sub = curves[curves["hypothesis"] == hypothesis]
    horizons = list(result.scenario.horizons_days)
    below = None
    for i, (kind, c) in enumerate(sub.groupby("kind", sort=False)):
        x = c["day"].to_numpy()
        top = c["stack_mean"].to_numpy()
        base = np.zeros_like(top) if below is None else below
        tie = kind == "tie"
        colour = TIE_COLOUR if tie else OKABE_ITO[i % len(OKABE_ITO)]
        style = STYLES[i % len(STYLES)]
        ax.fill_between(x, base, top, color=colour, alpha=0.45 if not tie else 0.35, linewidth=0)
        ax.plot(
            x,
            top,
            color=colour,
            linestyle=style["linestyle"],
            marker=style["marker"],
            markevery=max(len(x) // 6, 1),
            label="same-day tie" if tie else f"{name_of(str(kind), words)} first",
        )
        at = c[c["day"].isin(horizons)]
        offset = (i - len(joint.outcomes) / 2) * 0.6  # keep the bars of one horizon apart
        ax.errorbar(
            at["day"].to_numpy() + offset,
            at["stack_mean"].to_numpy(),
            yerr=[
                at["stack_mean"].to_numpy() - at["stack_low"].to_numpy(),
                at["stack_high"].to_numpy() - at["stack_mean"].to_numpy(),
            ],
            fmt="none",
            ecolor="black" if not tie else "0.3",
            elinewidth=0.7,
            capsize=1.5,
        )
        below = top
    for h in horizons:
        ax.axvline(h, color="0.6", linestyle=":", linewidth=0.6, zorder=0)
    ax.set_xlim(0, float(sub["day"].max()))
    ax.set_ylim(0, 1)
    ax.set_xlabel(f"days after {result.origin:%d %b %Y}")
    ax.set_ylabel("P(first action by day H)\n(top of the stack: P(any))")
    ax.set_title(name_of(hypothesis, words), loc="left")
    legend_below(ax)
    mark_quick(ax, result)
    return ax
