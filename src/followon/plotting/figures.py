"""Figures drawn from finished results only (no fitting, sampling or PyMC here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from followon.errors import ModelError, did_you_mean
from followon.plotting.style import OKABE_ITO, STYLES

__all__ = [
    "plot_comparison",
    "plot_forecast",
    "plot_hazard",
    "plot_hazard_ratios",
    "save_figures",
]

WHAT_IF_MARKERS = ("x", "+", "*", "1", "P")
"""Marker of each what-if line (drawn dotted, in its hypothesis' colour)."""


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots()
    return ax


def _pick(values: list[str], value: str | None, what: str) -> str:
    if value is None:
        return values[0]
    if value not in values:
        raise ModelError(
            f"no {what} '{value}'{did_you_mean(value, values)}; the result has {', '.join(values)}."
        )
    return value


def plot_forecast(
    result: Any,
    outcome: str | None = None,
    *,
    ax: Axes | None = None,
    base_rate: bool = True,
    what_ifs: bool = True,
) -> Axes:
    """P(outcome within H days) for H = 1 … max, one line per hypothesis with 50% and 90% bands.

    Draws the climatological base rate (1 − exp(−r H), r the outcome's daily rate over the
    fitted window; over the days from ``as_of`` on when the windows began before it) as a grey
    line, dotted verticals at the scenario's horizons and, when known, the day of the first
    observed outcome event after the origin.

    With ``what_ifs`` (default), each what-if of the scenario adds a dotted line without bands
    in its hypothesis' colour, labelled ``hypothesis · what-if``, where it differs from the
    hypothesis' own curve (a what-if about exercises leaves a model without an exercise
    covariate unchanged, and an identical line would only hide the first).
    """
    ax = _axes(ax)
    curves = result.curves
    outcome = _pick(list(curves["outcome"].unique()), outcome, "outcome")
    sub = curves[curves["outcome"] == outcome]
    if "what_if" not in sub:
        sub = sub.assign(what_if="")
    base = sub[sub["what_if"] == ""]
    for i, (hyp, c) in enumerate(base.groupby("hypothesis", sort=False)):
        colour, style = OKABE_ITO[i % len(OKABE_ITO)], STYLES[i % len(STYLES)]
        if hyp == "combined":  # the answer: black, solid, thicker, no marker
            colour, style = "black", {"linestyle": "-", "marker": "None"}
        x = c["horizon_days"].to_numpy()
        ax.fill_between(x, c["p_low"], c["p_high"], color=colour, alpha=0.15, linewidth=0)
        if "p_low50" in c:
            ax.fill_between(x, c["p_low50"], c["p_high50"], color=colour, alpha=0.25, linewidth=0)
        ax.plot(
            x,
            c["p_mean"],
            color=colour,
            linestyle=style["linestyle"],
            linewidth=1.4 if hyp == "combined" else None,
            label=str(hyp),
            marker=style["marker"],
            markevery=max(len(x) // 6, 1),
        )
        if what_ifs:
            _what_if_lines(ax, sub[(sub["hypothesis"] == hyp) & (sub["what_if"] != "")], c, colour)
    x = np.arange(1, int(sub["horizon_days"].max()) + 1)
    if base_rate:
        rate = result.meta["base_rate"][outcome]
        elapsed = max((pd.Timestamp(result.scenario.as_of) - result.origin).days - 1, 0)
        rest = np.clip(x - elapsed, 0, None)  # a live question: the days still to come
        ax.plot(
            x, -np.expm1(-rate * rest), color="0.55", linewidth=0.8, label="base rate", zorder=1
        )
    for h in result.scenario.horizons_days:
        ax.axvline(h, color="0.6", linestyle=":", linewidth=0.6, zorder=0)
    first = _first_event_day(result, outcome, int(x.max()))
    if first is not None:
        ax.axvline(first, color="black", linewidth=0.8, linestyle="-", zorder=3)
        ax.annotate(
            f"observed: day {first}",
            (first, 0.02),
            xytext=(2, 0),
            textcoords="offset points",
            fontsize=6,
            rotation=90,
            va="bottom",
        )
    ax.set_xlim(0, float(x.max()))
    top = float(sub["p_high"].max())
    ax.set_ylim(0, min(1.0, np.ceil((top * 1.15 + 0.02) * 20) / 20))
    ax.set_xlabel(f"days after {result.origin:%d %b %Y}")
    ax.set_ylabel(f"P({outcome} within H days)")
    ax.legend(loc="best")
    return ax


def _what_if_lines(ax: Axes, rows: Any, own: Any, colour: str) -> None:
    own_p = own["p_mean"].to_numpy()
    for j, (what_if, w) in enumerate(rows.groupby("what_if", sort=False)):
        p = w["p_mean"].to_numpy()
        if len(p) == len(own_p) and np.allclose(p, own_p, rtol=1e-9, atol=1e-12):
            continue
        x = w["horizon_days"].to_numpy()
        ax.plot(
            x,
            p,
            color=colour,
            linestyle=":",
            linewidth=0.9,
            marker=WHAT_IF_MARKERS[j % len(WHAT_IF_MARKERS)],
            markevery=(max(len(x) // 12, 1), max(len(x) // 6, 1)),
            label=f"{w['hypothesis'].iloc[0]} · {what_if}",
        )


def _first_event_day(result: Any, outcome: str, max_days: int) -> int | None:
    day = result.meta.get("first_event_day", {}).get(outcome)
    return int(day) if day is not None and day <= max_days else None


def plot_hazard_ratios(
    result: Any, outcome: str | None = None, *, ax: Axes | None = None, ci_prob: float = 0.9
) -> Axes:
    """Forest plot of hazard ratios (log axis, line at 1), P(HR > 1) in each label.

    Reads ``result.parameters`` (90% intervals, computed when the scenario ran); ``ci_prob``
    must be 0.9.
    """
    if ci_prob != 0.9:
        raise ValueError(
            f"ci_prob={ci_prob}: the scenario result holds 90% intervals (result.parameters); "
            "for another width call model.summary(ci_prob) on result.models."
        )
    ax = _axes(ax)
    params = result.parameters
    outcomes = list(dict.fromkeys(params["outcome"]))
    outcome = _pick(outcomes, outcome, "outcome")
    hr = params[(params["outcome"] == outcome) & (params["kind"] == "hazard_ratio")]
    rows = [
        (r.hypothesis, str(r.parameter), r.median, r.low, r.high, r.p_gt_1) for r in hr.itertuples()
    ]
    if not rows:
        ax.text(0.5, 0.5, "no covariates", ha="center", va="center", transform=ax.transAxes)
        return ax
    y = np.arange(len(rows))[::-1]
    hyps = list(dict.fromkeys(r[0] for r in rows))
    for yi, (hyp, _name, med, lo, hi, _p) in zip(y, rows, strict=True):
        i = hyps.index(hyp)
        ax.errorbar(
            med,
            yi,
            xerr=[[med - lo], [hi - med]],
            fmt=STYLES[i % len(STYLES)]["marker"],
            color=OKABE_ITO[i % len(OKABE_ITO)],
            capsize=0,
            elinewidth=0.8,
        )
    ax.set_yticks(y, [f"{r[0]}: {r[1]}\nP(HR > 1) = {r[5]:.2f}" for r in rows])
    ax.set_xscale("log")
    _log_ticks(ax.xaxis, min(r[3] for r in rows), max(r[4] for r in rows))
    ax.axvline(1.0, color="0.4", linewidth=0.6)
    ax.set_xlabel(f"hazard ratio ({ci_prob:.0%} interval)")
    return ax


def _log_ticks(axis: Any, lo: float, hi: float) -> None:
    """Major ticks at 1, 2, 5 × 10^k covering [lo, hi] on a log axis, no minor labels."""
    steps = (1.0, 2.0, 5.0)
    ticks = [m * 10.0**k for k in range(-5, 3) for m in steps]
    ticks = [float(f"{t:.6g}") for t in ticks if lo / 1.5 <= t <= hi * 1.5]
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())


def plot_hazard(
    result: Any,
    outcome: str | None = None,
    *,
    ax: Axes | None = None,
    ratio: bool = False,
    base_rate: bool = True,
    log: bool | None = None,
) -> Axes:
    """Posterior daily hazard on days 1 … max after the origin, stepped, one line per hypothesis.

    The model's hazard is constant within a day, so each curve is a step: the value over
    (d − 1, d] is the hazard of day *d*. Bands are the 90% and 50% posterior intervals
    (``result.hazard_curves``, computed by :func:`followon.run_scenario`); the grey line is the
    outcome's daily rate over the fitted window, dotted verticals the scenario's horizons.

    Parameters
    ----------
    result : ScenarioResult
    outcome : str, optional
        Default: the first outcome.
    ax : matplotlib Axes, optional
    ratio : bool
        Plot the hazard relative to each hypothesis' own baseline rate instead (a log axis
        with a line at 1; 90% band only). A hypothesis without covariates is 1 throughout.
    base_rate : bool
        Draw the outcome's daily rate (hazard scale only).
    log : bool, optional
        Log hazard axis (the ratio axis is always logarithmic). Default: when the 90% bands
        span more than a factor 30 (a burst of self-excitation would otherwise flatten every
        other curve onto zero).

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ModelError
        An unknown outcome, or a result without ``hazard_curves``.
    """
    ax = _axes(ax)
    hc = result.hazard_curves
    if hc is None or not len(hc):
        raise ModelError(
            "this result has no hazard_curves; rerun the scenario with followon.run_scenario."
        )
    outcome = _pick(list(hc["outcome"].unique()), outcome, "outcome")
    sub = hc[hc["outcome"] == outcome]
    key = "ratio" if ratio else "hazard"
    for i, (hyp, c) in enumerate(sub.groupby("hypothesis", sort=False)):
        colour, style = OKABE_ITO[i % len(OKABE_ITO)], STYLES[i % len(STYLES)]
        day = c["day"].to_numpy()
        edges = np.r_[day[0] - 1, day]  # the value at edges[k] holds on (edges[k], edges[k+1]]

        def step(column: str, c: Any = c) -> np.ndarray:
            v = c[column].to_numpy()
            return np.r_[v, v[-1]]

        bands = [("low", "high", 0.15)] + ([] if ratio else [("low50", "high50", 0.25)])
        for lo, hi, alpha in bands:
            ax.fill_between(
                edges,
                step(f"{key}_{lo}"),
                step(f"{key}_{hi}"),
                step="post",
                color=colour,
                alpha=alpha,
                linewidth=0,
            )
        ax.plot(
            edges,
            step(f"{key}_mean"),
            drawstyle="steps-post",
            color=colour,
            linestyle=style["linestyle"],
            marker=style["marker"],
            markevery=(i % 3 * max(len(edges) // 18, 1) + 1, max(len(edges) // 6, 1)),
            label=str(hyp),
        )
    n = int(sub["day"].max())
    if ratio:
        ax.set_yscale("log")
        y_lo = min(float(sub["ratio_low"].min()), 1.0)
        y_hi = max(float(sub["ratio_high"].max()), 1.0)
        ax.set_ylim(y_lo / 1.25, y_hi * 1.25)
        _log_ticks(ax.yaxis, y_lo, y_hi)
        ax.axhline(1.0, color="0.4", linewidth=0.6, zorder=1)
        ax.set_ylabel(f"hazard ratio to baseline ({outcome})")
    else:
        if base_rate:
            rate = result.meta["base_rate"][outcome]
            ax.plot([0, n], [rate, rate], color="0.55", linewidth=0.8, label="base rate", zorder=1)
        top, bottom = float(sub["hazard_high"].max()), float(sub["hazard_low"].min())
        if log is None:
            log = top > 30 * max(bottom, 1e-12)
        if log:
            ax.set_yscale("log")
            ax.set_ylim(bottom / 1.3, top * 1.3)
            _log_ticks(ax.yaxis, bottom, top)
        else:
            ax.set_ylim(0, top * 1.15)
        ax.set_ylabel(f"daily hazard ({outcome})")
    for h in result.scenario.horizons_days:
        ax.axvline(h, color="0.6", linestyle=":", linewidth=0.6, zorder=0)
    ax.set_xlim(0, n)
    ax.set_xlabel(f"days after {result.origin:%d %b %Y}")
    ax.legend(loc="best")
    return ax


def plot_comparison(result: Any, outcome: str | None = None, *, ax: Axes | None = None) -> Axes:
    """ELPD difference to the best hypothesis (± 2 se) with the stacking weight in each label."""
    ax = _axes(ax)
    comp = result.comparison
    outcome = _pick(list(comp["outcome"].unique()), outcome, "outcome")
    c = comp[comp["outcome"] == outcome].sort_values("d_elpd")
    c = c[c["elpd"].notna()]  # time-to-first-event models are not in the comparison
    y = np.arange(len(c))[::-1]
    dse = c["dse"].fillna(0).to_numpy()
    ax.errorbar(
        -c["d_elpd"], y, xerr=2 * dse, fmt="o", color=OKABE_ITO[0], capsize=0, elinewidth=0.8
    )
    ax.set_yticks(
        y, [f"{h}  (weight {w:.2f})" for h, w in zip(c["hypothesis"], c["weight"], strict=True)]
    )
    ax.axvline(0.0, color="0.4", linewidth=0.6)
    ax.set_xlabel("ELPD difference to the best (± 2 se)")
    return ax


def save_figures(result: Any, folder: str | Path) -> list[Path]:
    """Draw and save every figure ``followon run`` writes (PDF + PNG).

    One timeline of the scenario (double column, when the result keeps its events), then per
    outcome: forecast, hazard (when the result has ``hazard_curves``), hazard ratios and
    comparison (single column); with a joint question, the first-action figure of each joint
    hypothesis and of ``combined`` (:func:`~followon.plotting.joint.plot_first_action`).
    """
    from followon.plotting.style import paper_style, save_figure
    from followon.plotting.timeline import plot_scenario_timeline

    paths: list[Path] = []
    if getattr(result, "events", None) is not None:
        with paper_style("double", height_mm=TIMELINE_HEIGHT_MM):
            fig, ax = plt.subplots()
            plot_scenario_timeline(result, ax=ax)
            paths += save_figure(fig, Path(folder) / "timeline")
            plt.close(fig)
    has_hazard = len(getattr(result, "hazard_curves", ())) > 0
    for outcome in result.curves["outcome"].unique():
        for name, fn, height in (
            ("forecast", plot_forecast, None),
            ("hazard", plot_hazard, None),
            ("hazard_ratios", plot_hazard_ratios, 75.0),
            ("comparison", plot_comparison, 45.0),
        ):
            if fn is plot_hazard and not has_hazard:
                continue
            with paper_style("single", height_mm=height):
                fig, ax = plt.subplots()
                fn(result, outcome, ax=ax)
                paths += save_figure(fig, Path(folder) / f"{name}_{outcome}")
                plt.close(fig)
    joint = getattr(result, "joint", None)
    if joint is not None:
        from followon.plotting.joint import plot_first_action

        for hyp in joint.curves["hypothesis"].unique():
            with paper_style("single"):
                fig, ax = plt.subplots()
                plot_first_action(result, str(hyp), ax=ax)
                paths += save_figure(fig, Path(folder) / f"first_action_{hyp}")
                plt.close(fig)
    return paths


TIMELINE_HEIGHT_MM = 62.0
"""Height of the double-column timeline ``followon run`` writes."""
