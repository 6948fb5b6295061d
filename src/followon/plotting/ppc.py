"""Posterior predictive check figure: event days per quarter and gaps, observed vs replicated.

The numbers come from :func:`followon.evaluation.ppc.posterior_predictive_check` (a tidy frame
users can cite); this module only draws them, in the result's style map and labels
(:mod:`followon.plotting.keys`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FixedFormatter, FixedLocator, NullFormatter

from followon.evaluation.ppc import posterior_predictive_check
from followon.plotting.figures import BAND_GREY, QUICK_NOTE, result_keys
from followon.plotting.keys import (
    HypothesisStyle,
    event_type_label,
    fmt_prob,
    label_map,
    name_of,
    style_map,
)
from followon.plotting.style import MIN_TEXT_PT

__all__ = ["plot_posterior_predictive"]

GAP_TICKS = (1, 2, 7, 14, 30, 90, 180, 365, 730)
"""Gap axis ticks in days (a week, two weeks, a month, a quarter, half a year, a year...)."""
NARROW_GAP_TICKS = (1, 7, 30, 180)
"""The gap axis ticks when a column is narrow (more than three hypotheses)."""
OBSERVED: dict[str, Any] = {"color": "black", "linewidth": 0.8, "zorder": 4}
"""The observed series: the same black line in every panel."""


def _keys(
    models: Any,
    names: list[str],
    styles: Mapping[str, Any] | None,
    labels: Mapping[str, str] | None,
) -> tuple[dict[str, HypothesisStyle], dict[str, str]]:
    if isinstance(models, Mapping):
        # an outcome reads as its event type (missile launch) unless labelled
        outcomes = [m.table_.outcome for m in models.values()]
        kinds = {o.id: event_type_label(o.type) for o in outcomes}
        return style_map(names, styles), label_map({**kinds, **(labels or {})})
    return result_keys(models, styles, labels)


def _bands(
    ax: Axes, x: Any, rows: pd.DataFrame, st: HypothesisStyle, step: Literal["post"] | None
) -> None:
    """90% and 50% predictive bands in the hypothesis' colour, its median in its line style."""
    for lo, hi, alpha in (("pred_low", "pred_high", 0.18), ("pred_low50", "pred_high50", 0.35)):
        ax.fill_between(
            x,
            rows[lo].to_numpy(dtype=float),
            rows[hi].to_numpy(dtype=float),
            step=step,
            color=st.color,
            alpha=alpha,
            linewidth=0,
        )
    kw = st.line_kwargs()
    kw["marker"] = "None"  # dozens of quarters: the line style tells hypotheses apart
    median = rows["pred_median"].to_numpy(dtype=float)
    if step:
        ax.step(x, median, where=step, **kw)
    else:
        ax.plot(x, median, **kw)


def _quarter_panel(ax: Axes, rows: pd.DataFrame, st: HypothesisStyle, ticks: int) -> None:
    starts = pd.PeriodIndex(rows["x"].astype(str), freq="Q").start_time
    x = starts + pd.Timedelta(days=45)  # mid-quarter
    _bands(ax, x, rows, st, None)
    ax.plot(x, rows["observed"].to_numpy(dtype=float), **OBSERVED)
    years = max((x.max() - x.min()).days / 365.25, 1.0)
    ax.xaxis.set_major_locator(mdates.YearLocator(max(1, math.ceil(years / ticks))))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
    ax.set_ylim(bottom=0)


def _gap_panel(
    ax: Axes, rows: pd.DataFrame, st: HypothesisStyle, gap_days: int, narrow: bool
) -> None:
    x = rows["x"].to_numpy(dtype=float)
    _bands(ax, x, rows, st, "post")
    ax.step(x, rows["observed"].to_numpy(dtype=float), where="post", **OBSERVED)
    ax.axvline(gap_days, color="0.6", linestyle=":", linewidth=0.6, zorder=0)
    ax.set_xscale("log")
    ax.set_ylim(0, 1)
    ax.set_xlim(1, x.max())
    ticks = [t for t in GAP_TICKS if t <= x.max() and (not narrow or t in NARROW_GAP_TICKS)]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FixedFormatter([str(t) for t in ticks]))
    ax.xaxis.set_minor_formatter(NullFormatter())


def _p(p: float) -> str:
    """``p = 0.15``, ``p < 0.01``, ``p > 0.99``."""
    text = fmt_prob(p)
    return f"p {text}" if text[0] in "<>" else f"p = {text}"


def plot_posterior_predictive(
    models: Any,
    outcome: str | None = None,
    *,
    hypotheses: str | Sequence[str] | None = None,
    draws: int = 400,
    gap_days: int = 14,
    random_seed: int | None = 0,
    one_step: bool = False,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    fig: Figure | None = None,
) -> Figure:
    """Posterior predictive check: observed event days against replicates, per hypothesis.

    One column per hypothesis (in the result's order). Top row: event days per calendar
    quarter, the observed series (black) against the replicates' median and 50%/90% bands in
    the hypothesis' colour and line style; the panel title gives the observed dispersion
    (variance ÷ mean of the quarterly counts) and its posterior predictive p-value. Bottom row:
    the empirical CDF of the gaps between consecutive event days (log days), observed against
    the replicated band, a dotted line at ``gap_days`` and the p-value of the share of gaps
    within it. A p-value near 0 or 1 (``< 0.01``, ``> 0.99``) says the model does not
    reproduce that feature. Quarters the table covers only in part (usually its first and
    last) are drawn, with fewer days in both series, but left out of the dispersion.

    Replicates feed their own events back into self-exciting covariates (``Excitation``,
    ``DaysSinceLast``, ``RecentRate``, the ``hawkes`` kernel), starting from the observed
    history before the table; ``one_step=True`` uses the hazards of the observed design instead
    (cheaper, but it understates clustering for a self-exciting model, even a true one: see
    :mod:`followon.evaluation.ppc`). The numbers are
    :func:`~followon.posterior_predictive_check`'s, with the same arguments.

    Parameters
    ----------
    models : ScenarioResult or mapping
        A result of :func:`~followon.run_scenario`, or a mapping name → fitted model.
    outcome : str, optional
        With a result: the outcome (default: its first).
    hypotheses : str or sequence of str, optional
        Default: every model with a daily posterior predictive (time-to-first-event models
        are left out).
    draws, gap_days, random_seed, one_step
        As for :func:`~followon.posterior_predictive_check` (seeded by default, so the same
        inputs give the same figure bytes).
    styles, labels : mapping, optional
        Hypothesis → colour/style, and id → text (defaults: the result's, with the
        scenario's ``labels:``).
    fig : matplotlib.figure.Figure, optional
        An empty figure to draw on (default: a new one, sized by :func:`~followon.paper_style`
        inside it; ``"double"`` suits three or more hypotheses).

    Returns
    -------
    matplotlib.figure.Figure
        Its axes are the 2 × n grid, row by row (``fig.axes[:n]`` the quarters); the key sits
        below them.

    Raises
    ------
    EvaluationError
        An unknown outcome or hypothesis, an unfitted model, or a model without a daily
        posterior predictive.
    """
    checks = posterior_predictive_check(
        models,
        outcome,
        hypotheses=hypotheses,
        draws=draws,
        gap_days=gap_days,
        random_seed=random_seed,
        one_step=one_step,
    )
    names = list(dict.fromkeys(checks["hypothesis"]))
    key, words = _keys(models, names, styles, labels)
    what = name_of(checks.attrs["outcome"], words) if checks.attrs["outcome"] else "event"
    if fig is None:
        fig = plt.figure(layout="constrained")
    axes = fig.subplots(2, len(names), squeeze=False, sharey="row")
    narrow = len(names) > 3  # columns under ~30 mm on a double-column page
    sep = "\n" if narrow else ", "
    for j, name in enumerate(names):
        st = key.get(name) or HypothesisStyle("0.3")
        rows = checks[checks["hypothesis"] == name]
        by = {s: rows[rows["statistic"] == s] for s in dict.fromkeys(rows["statistic"])}
        top, bottom = axes[0, j], axes[1, j]
        _quarter_panel(top, by["event_days_per_quarter"], st, 2 if narrow else 4)
        _gap_panel(bottom, by["gap_ecdf"], st, gap_days, narrow)
        disp = by["dispersion"].iloc[0]
        share = by["share_gaps_within"].iloc[0]
        top.set_title(
            f"{name_of(name, words)}\nvar/mean {disp.observed:.1f}{sep}{_p(disp.ppp)}",
            fontsize=MIN_TEXT_PT,
        )
        bottom.set_title(
            f"gaps ≤ {gap_days} d: {share.observed:.0%}{sep}{_p(share.ppp)}",
            fontsize=MIN_TEXT_PT,
        )
        bottom.set_xlabel("gap (days)")
    axes[0, 0].set_ylabel(f"{what} days\nper quarter")
    axes[1, 0].set_ylabel("share of gaps ≤ x")
    handles: list[Any] = [Line2D([], [], label="observed", **OBSERVED)]
    for name in names:
        st = key.get(name) or HypothesisStyle("0.3")
        kw = {**st.line_kwargs(), "marker": "None"}
        handles.append(Line2D([], [], label=f"{name_of(name, words)}: replicated median", **kw))
    handles += [
        Patch(facecolor=BAND_GREY, alpha=0.45, linewidth=0, label="50% predictive interval"),
        Patch(facecolor=BAND_GREY, alpha=0.18, linewidth=0, label="90% predictive interval"),
    ]
    fig.legend(
        handles=handles,
        loc="outside lower center",
        ncols=min(len(handles), 3),
        handlelength=2.6,
        frameon=False,
    )
    if getattr(models, "quick", False):
        fig.suptitle(QUICK_NOTE, fontsize=MIN_TEXT_PT, color="0.35", x=1.0, ha="right")
    return fig
