"""Summary figures: at a glance, combined with its members, the paper panel, library models.

Drawn from finished results (or a fitted model's ``forecast``/``summary`` tables) only, in the
result's style map and labels (:mod:`followon.plotting.keys`).
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from followon.errors import ModelError
from followon.plotting.figures import (
    band_handles,
    legend_below,
    mark_quick,
    outcome_note,
    pick,
    plot_forecast,
    plot_hazard_ratios,
    result_keys,
)
from followon.plotting.folder import figure_height_mm
from followon.plotting.keys import (
    CLIMATOLOGY,
    COMBINED,
    HypothesisStyle,
    name_of,
    style_map,
)
from followon.plotting.style import DOUBLE_COLUMN_MM, MIN_TEXT_PT

__all__ = [
    "plot_at_a_glance",
    "plot_combined",
    "plot_model_forecast",
    "plot_model_summary",
    "plot_paper_figure",
]


def _pct(p: float) -> str:
    if p > 0.995:
        return ">99%"
    if p < 0.005:
        return "<1%"
    return f"{100 * p:.0f}%"


def _pct_interval(mean: float, low: float, high: float) -> str:
    """``78% (70%–85%)``, as in the report; ``95% (82% to >99%)`` past 1% or 99%."""
    lo, hi = _pct(low), _pct(high)
    if lo[0] in "<>" or hi[0] in "<>":
        return f"{_pct(mean)} ({lo} to {hi})"
    return f"{_pct(mean)} ({lo}–{hi})"


def plot_at_a_glance(
    result: Any,
    outcome: str | None = None,
    *,
    ax: Axes | None = None,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Plain bars for policy readers: the chance of the outcome within each horizon.

    One group per horizon ("within 30 days"), one bar per hypothesis (the combined forecast
    first, when there is one) to its posterior mean, a black 90% interval over it and the
    number in words ("78% (70%–85%)", "95% (82% to >99%)"); the base rate as a dotted tick on
    each group.
    """
    if ax is None:
        _, ax = plt.subplots()
    key, words = result_keys(result, styles, labels)
    f = result.forecast
    f = f[f["what_if"] == ""] if "what_if" in f else f
    outcome = pick(list(dict.fromkeys(f["outcome"])), outcome, "outcome")
    f = f[f["outcome"] == outcome]
    hyps = list(dict.fromkeys(f["hypothesis"].astype(str)))
    if COMBINED in hyps:
        hyps = [COMBINED] + [h for h in hyps if h != COMBINED]
    horizons = sorted(int(h) for h in f["horizon_days"].unique())
    rate = (getattr(result, "meta", None) or {}).get("base_rate", {}).get(outcome)
    y, ticks, names = 0.0, [], []
    for h in horizons:
        top = y
        for hyp in hyps:
            r = f[(f["hypothesis"] == hyp) & (f["horizon_days"] == h)].iloc[0]
            st = key.get(hyp) or HypothesisStyle("0.5")
            ax.barh(y, r.p_mean, height=0.7, color=st.color, alpha=0.4 if hyp == COMBINED else 0.5)
            ax.plot([r.p_low, r.p_high], [y, y], color="black", linewidth=0.9)
            ax.annotate(
                _pct_interval(r.p_mean, r.p_low, r.p_high),
                (max(r.p_high, r.p_mean), y),
                xytext=(3, 0),
                textcoords="offset points",
                va="center",
                fontsize=MIN_TEXT_PT,
            )
            ticks.append(y)
            names.append(name_of(hyp, words))
            y -= 1
        if rate is not None:
            p0 = -np.expm1(-rate * h)
            ax.plot([p0, p0], [top + 0.45, y + 0.55], **key[CLIMATOLOGY].line_kwargs())
        ax.annotate(
            f"within {h} days",
            (0, top + 0.5),
            xytext=(0, 1),
            textcoords="offset points",
            fontsize=MIN_TEXT_PT,
            fontweight="bold",
            va="bottom",
        )
        y -= 0.9
    ax.set_yticks(ticks, names)
    ax.tick_params(axis="y", length=0)
    ax.set_xlim(0, 1.3)
    ax.set_xticks([0, 0.25, 0.5, 0.75, 1.0], ["0%", "25%", "50%", "75%", "100%"])
    ax.set_ylim(y + 0.4, 1.2)
    ax.set_xlabel(f"chance of a {name_of(outcome, words)}")
    if rate is not None:
        base = Line2D([], [], label=words[CLIMATOLOGY], **key[CLIMATOLOGY].line_kwargs())
        legend_below(ax, [base])
    mark_quick(ax, result)
    return ax


def plot_combined(
    result: Any,
    outcome: str | None = None,
    *,
    ax: Axes | None = None,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Draw the combined forecast, its 50%/90% bands, its members as thin lines.

    Each member is labelled with its weight and the weight's 90% bootstrap interval, so a
    reader sees how much of the answer each hypothesis carries; what happened is written on
    the figure as in :func:`~followon.plot_forecast`.

    Raises
    ------
    ModelError
        The result has no combined forecast (fewer than two hypotheses were compared).
    """
    if ax is None:
        _, ax = plt.subplots()
    key, words = result_keys(result, styles, labels)
    curves = result.curves
    curves = curves[curves["what_if"] == ""] if "what_if" in curves else curves
    outcome = pick(list(dict.fromkeys(curves["outcome"])), outcome, "outcome")
    sub = curves[curves["outcome"] == outcome]
    if COMBINED not in set(sub["hypothesis"]):
        raise ModelError(
            f"this result has no combined forecast for '{outcome}': it needs two or more "
            "hypotheses in the comparison."
        )
    comp = result.comparison
    comp = comp[(comp["outcome"] == outcome) & comp["weight"].notna()].set_index("hypothesis")
    for hyp, c in sub.groupby("hypothesis", sort=False):
        hyp = str(hyp)
        if hyp != COMBINED and hyp not in comp.index:
            continue  # not in the mixture (time to first event)
        st = key.get(hyp) or HypothesisStyle("0.5")
        x = c["horizon_days"].to_numpy()
        if hyp == COMBINED:
            ax.fill_between(x, c["p_low"], c["p_high"], color="0.45", alpha=0.15, linewidth=0)
            ax.fill_between(x, c["p_low50"], c["p_high50"], color="0.45", alpha=0.3, linewidth=0)
            ax.plot(x, c["p_mean"], label=name_of(hyp, words), zorder=5, **st.line_kwargs())
            continue
        w = comp.loc[hyp]
        ax.plot(
            x,
            c["p_mean"],
            color=st.color,
            linestyle=st.linestyle,
            linewidth=0.8,
            alpha=0.9,
            label=f"{name_of(hyp, words)}: weight {w.weight:.2f} "
            f"[{w.weight_low:.2f}–{w.weight_high:.2f}]",
        )
    max_days = int(sub["horizon_days"].max())
    outcome_note(ax, result, outcome, max_days, words)
    ax.set_xlim(0, max_days)
    ax.set_ylim(0, min(1.0, float(sub["p_high"].max()) * 1.15 + 0.02))
    ax.set_xlabel(f"days H after {result.origin:%d %b %Y}")
    ax.set_ylabel(f"P({name_of(outcome, words)} within H days)")
    mark_quick(ax, result)
    handles, _ = ax.get_legend_handles_labels()
    legend_below(ax, handles + band_handles(), ncols=1)
    return ax


TIMELINE_PANEL_MM = 40.0
"""The paper figure's timeline panel (a); the key under the panels takes about PAPER_KEY_MM."""
PAPER_KEY_MM = 22.0


def plot_paper_figure(
    result: Any,
    outcome: str | None = None,
    *,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    height_mm: float | None = None,
) -> Figure:
    """Draw a double-column (183 mm) figure: timeline, forecast, hazard ratios, one key.

    (a) the timeline over the year before the trigger and the forecast window, (b) the
    forecast, (c) the forest plot of hazard ratios; panel letters, and one key for the
    hypotheses, bands and base rate under all panels. The default height grows with the
    forest plot's rows (as its single-column figure does), from 120 mm. Draw it inside
    :func:`~followon.paper_style` for the fonts; save with :func:`~followon.plotting.save_figure`.
    """
    from followon.plotting.timeline import plot_scenario_timeline

    outcomes = list(dict.fromkeys(result.curves["outcome"]))
    forest = figure_height_mm(result, "hazard_ratios", str(outcome or outcomes[0]))
    lower = max(TIMELINE_PANEL_MM * 1.5, forest)
    if height_mm is None:
        height_mm = TIMELINE_PANEL_MM + lower + PAPER_KEY_MM
    fig = plt.figure(figsize=(DOUBLE_COLUMN_MM / 25.4, height_mm / 25.4), layout="constrained")
    grid = fig.add_gridspec(2, 2, height_ratios=[TIMELINE_PANEL_MM, lower], width_ratios=[1.15, 1])
    a = fig.add_subplot(grid[0, :])
    b = fig.add_subplot(grid[1, 0])
    c = fig.add_subplot(grid[1, 1])
    if getattr(result, "events", None) is not None:
        plot_scenario_timeline(result, start=result.origin - pd.Timedelta(days=365), ax=a)
    else:
        a.set_axis_off()
    plot_forecast(result, outcome, ax=b, styles=styles, labels=labels, legend=False)
    plot_hazard_ratios(result, outcome, ax=c, styles=styles, labels=labels)
    for letter, ax in zip("abc", (a, b, c), strict=True):
        ax.set_title(letter, loc="left", fontweight="bold", fontsize=MIN_TEXT_PT + 1)
    handles, _ = b.get_legend_handles_labels()
    fig.legend(
        handles=handles + band_handles(),
        loc="outside lower center",
        ncols=min(4, len(handles) + 2),
        handlelength=2.6,
    )
    return fig


def plot_model_forecast(
    forecasts: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    ax: Axes | None = None,
    horizons: Sequence[int] = (),
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    outcome_label: str | None = None,
) -> Axes:
    """P(within H days) from a fitted model's ``forecast``/``forecast_curve`` output.

    ``forecasts`` is one table (columns ``horizon_days, p_mean, p_low, p_high``) or a
    mapping name → table, for several models in one figure; each gets its style (as a
    scenario's hypotheses, in the order given). Curves with more than a few horizons are
    lines with their interval shaded; a table of a few horizons is drawn as points with
    interval bars. ``horizons`` adds dotted verticals (and markers) at those days.

    Raises
    ------
    ModelError
        A table without the forecast columns.
    """
    if ax is None:
        _, ax = plt.subplots()
    tables = dict(forecasts) if isinstance(forecasts, Mapping) else {"model": forecasts}
    key = style_map(list(tables), styles)
    words = dict(labels or {})
    for name, t in tables.items():
        missing = [c for c in ("horizon_days", "p_mean", "p_low", "p_high") if c not in t]
        if missing:
            raise ModelError(
                f"forecast table '{name}' has no column(s) {', '.join(missing)}; pass the "
                "output of model.forecast(...) or model.forecast_curve(...)."
            )
        st = key[name]
        x = t["horizon_days"].to_numpy()
        label = name_of(name, words) if isinstance(forecasts, Mapping) else "_nolegend_"
        if len(x) > 6:
            ax.fill_between(x, t["p_low"], t["p_high"], color=st.color, alpha=0.2, linewidth=0)
            every = [int(i) for i in np.flatnonzero(np.isin(x, list(horizons)))]
            ax.plot(x, t["p_mean"], label=label, markevery=every, **st.line_kwargs())
        else:
            y = t["p_mean"].to_numpy()
            err = [y - t["p_low"].to_numpy(), t["p_high"].to_numpy() - y]
            ax.errorbar(x, y, yerr=err, fmt=st.marker, color=st.color, capsize=0, label=label)
    for h in horizons:
        ax.axvline(h, color="0.6", linestyle=":", linewidth=0.6, zorder=0)
    ax.set_xlim(0, max(float(t["horizon_days"].max()) for t in tables.values()))
    ax.set_ylim(0, min(1.0, max(float(t["p_high"].max()) for t in tables.values()) * 1.15 + 0.02))
    ax.set_xlabel("days H after the origin")
    ax.set_ylabel(f"P({outcome_label or 'event'} within H days)")
    if isinstance(forecasts, Mapping):
        handles, _ = ax.get_legend_handles_labels()
        legend_below(ax, handles)
    return ax


def plot_model_summary(
    summary: pd.DataFrame,
    *,
    ax: Axes | None = None,
    name: str = "model",
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Forest plot of the hazard ratios in a fitted model's ``summary()`` table.

    The same figure as :func:`~followon.plot_hazard_ratios` (median and 90% interval on a
    log axis, readable covariate names, P(HR > 1)), for a model fitted in the library.

    Raises
    ------
    ModelError
        A table without the summary columns (``kind, median, low, high, p_gt_1``).
    """
    missing = [c for c in ("kind", "median", "low", "high", "p_gt_1") if c not in summary]
    if missing:
        raise ModelError(
            f"the summary table has no column(s) {', '.join(missing)}; pass model.summary()."
        )
    params = summary.reset_index().rename(columns={"index": "parameter"})
    if "parameter" not in params:
        params = params.rename(columns={params.columns[0]: "parameter"})
    params = params.assign(outcome="outcome", hypothesis=name)
    fake = types.SimpleNamespace(
        parameters=params,
        scenario=types.SimpleNamespace(hypotheses=[types.SimpleNamespace(id=name)]),
    )
    return plot_hazard_ratios(fake, ax=ax, labels=labels)
