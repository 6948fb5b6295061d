"""Figures drawn from finished results only (no fitting, sampling or PyMC here).

Every figure takes its colours, line styles and markers from the result's style map and its
words from the result's labels (:mod:`followon.plotting.keys`): ``styles=`` and ``labels=``
override them. Legends sit below the axes, never over data.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.patches import Patch
from matplotlib.ticker import FixedLocator, FuncFormatter, LogLocator, NullFormatter

from followon.errors import ModelError, did_you_mean
from followon.plotting.keys import (
    CLIMATOLOGY,
    COMBINED,
    HypothesisStyle,
    fmt_prob,
    name_of,
    parameter_label,
    result_labels,
    result_styles,
)
from followon.plotting.style import MIN_TEXT_PT

__all__ = [
    "plot_comparison",
    "plot_forecast",
    "plot_hazard",
    "plot_hazard_ratios",
]

WHAT_IF_MARKERS = ("x", "+", "*", "1", "P")
"""Marker of each what-if line (drawn dotted, in its hypothesis' colour)."""
QUICK_NOTE = "quick run – not for publication"
BAND_GREY = "0.45"


def _axes(ax: Axes | None) -> Axes:
    if ax is None:
        _, ax = plt.subplots()
    return ax


def pick(values: list[str], value: str | None, what: str) -> str:
    if value is None:
        return values[0]
    if value not in values:
        raise ModelError(
            f"no {what} '{value}'{did_you_mean(value, values)}; the result has {', '.join(values)}."
        )
    return value


def result_keys(
    result: Any, styles: Mapping[str, Any] | None, labels: Mapping[str, str] | None
) -> tuple[dict[str, HypothesisStyle], dict[str, str]]:
    return result_styles(result, styles), result_labels(result, labels)


def legend_below(ax: Axes, handles: list[Any] | None = None, ncols: int | None = None) -> Any:
    """Put the legend under the axes (below the tick labels and x label), never over data."""
    if handles is None:
        handles, _ = ax.get_legend_handles_labels()
    if not handles:
        return None
    n = len(handles)
    return ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        # in font sizes: clears the tick labels and the (one- or two-line) x label
        borderaxespad=(2.0 + 1.25 * (ax.get_xlabel().count("\n") + 1)) if ax.get_xlabel() else 2.0,
        ncols=ncols or (2 if n > 2 else n),
        handlelength=2.6,
        columnspacing=1.0,
    )


def band_handles() -> list[Patch]:
    """Legend patches naming the shaded bands (posterior credible intervals)."""
    return [
        Patch(facecolor=BAND_GREY, alpha=0.25 + 0.15, linewidth=0, label="50% credible interval"),
        Patch(facecolor=BAND_GREY, alpha=0.15, linewidth=0, label="90% credible interval"),
    ]


def mark_quick(ax: Axes, result: Any) -> None:
    """Stamp a quick run's axes (above the plot, right): not for publication."""
    if getattr(result, "quick", False):
        # above the horizon labels ("30 d") that sit on the top spine
        ax.set_title(QUICK_NOTE, loc="right", fontsize=MIN_TEXT_PT, color="0.35", pad=14)


def _days_label(result: Any) -> str:
    trigger = getattr(result, "trigger", None) or {}
    if trigger.get("hypothetical"):
        kind = parameter_label(str(trigger.get("type", "trigger")), {}).split(",")[0]
        kind = {"plenary meeting": "plenum"}.get(kind, kind)
        as_of = getattr(result.scenario, "as_of", None)
        tail = f"\n(forecast as of {pd.Timestamp(as_of):%d %b %Y})" if as_of else ""
        return f"days H after a hypothetical {kind} ending {result.origin:%d %b %Y}{tail}"
    return f"days H after {result.origin:%d %b %Y}"


def horizon_marks(ax: Axes, horizons: list[int]) -> None:
    """Dotted verticals at the horizons, labelled "30 d" above the axes."""
    for h in horizons:
        ax.axvline(h, color="0.6", linestyle=":", linewidth=0.6, zorder=0)
        ax.annotate(
            f"{h} d",
            (h, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(0, 1),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=MIN_TEXT_PT,
            color="0.35",
            annotation_clip=False,
        )


def outcome_note(
    ax: Axes, result: Any, outcome: str, max_days: int, labels: Mapping[str, str]
) -> str | None:
    """Mark what happened: the first event's day, or that the window closed without one.

    Returns the text written (``observed: day 34``; ``no any missile launch within 90 d
    (next: day 121)``; ``no … in the 40 days observed``), or None when nothing is known yet.
    """
    meta = getattr(result, "meta", {}) or {}
    day = meta.get("first_event_day", {}).get(outcome)
    if day is not None and day <= max_days:
        ax.axvline(day, color="black", linewidth=0.8, linestyle="-", zorder=3)
        text = f"observed: day {int(day)}"
        ax.annotate(
            text,
            (day, 0.02),
            xycoords=("data", "axes fraction"),
            xytext=(2, 0),
            textcoords="offset points",
            fontsize=MIN_TEXT_PT,
            rotation=90,
            va="bottom",
        )
        return text
    until = meta.get("observed_until")
    if until is None:
        return None
    seen = (pd.Timestamp(until) - pd.Timestamp(result.origin)).days
    if seen <= 0:
        return None
    what = name_of(outcome, labels)
    if seen >= max_days:
        text = f"no {what} within {max_days} d" + (f"\n(next: day {int(day)})" if day else "")
        xy: tuple[float, float] = (1.0, 0.04)
    else:
        text = f"no {what} in the {seen} days observed"
        xy = (seen / max_days, 0.04)
        ax.axvspan(seen, max_days, facecolor="0.93", linewidth=0, zorder=0)
    ax.annotate(
        text + " →",
        xy,
        xycoords="axes fraction",
        xytext=(-2, 0),
        textcoords="offset points",
        ha="right",
        va="bottom",
        fontsize=MIN_TEXT_PT,
        bbox={"boxstyle": "square,pad=0.15", "facecolor": "white", "edgecolor": "none"},
        zorder=6,
    )
    return text


def plot_forecast(
    result: Any,
    outcome: str | None = None,
    *,
    ax: Axes | None = None,
    base_rate: bool = True,
    what_ifs: bool = True,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    legend: bool = True,
) -> Axes:
    """P(outcome within H days) for H = 1 … max, one line per hypothesis with 50% and 90% bands.

    Markers sit on the scenario's horizons (dotted verticals labelled "30 d" above the axes);
    the legend below the axes names each hypothesis and both bands. The climatological base
    rate (1 − exp(−r H), r the outcome's daily rate over the fitted window; over the days
    from ``as_of`` on when the windows began before it) is a thin dark
    dotted line drawn above the bands. What happened is written on the figure: the day of the
    first outcome event when it fell in the window, or "no … within 90 d (next: day 121)"
    when the window closed without one. A quick run is stamped "not for publication".

    With ``what_ifs`` (default), each what-if of the scenario adds a dotted line without bands
    in its hypothesis' colour, labelled ``hypothesis · what-if``, where it differs from the
    hypothesis' own curve (a what-if about exercises leaves a model without an exercise
    covariate unchanged, and an identical line would only hide the first).

    ``styles`` (hypothesis → colour, mapping or :class:`~followon.plotting.keys.HypothesisStyle`)
    and ``labels`` (id → text) override the result's key; ``legend=False`` leaves the legend
    to the caller (a shared key in a multi-panel figure).
    """
    ax = _axes(ax)
    key, words = result_keys(result, styles, labels)
    curves = result.curves
    outcome = pick(list(curves["outcome"].unique()), outcome, "outcome")
    sub = curves[curves["outcome"] == outcome]
    if "what_if" not in sub:
        sub = sub.assign(what_if="")
    base = sub[sub["what_if"] == ""]
    horizons = list(result.scenario.horizons_days)
    for hyp, c in base.groupby("hypothesis", sort=False):
        st = key.get(str(hyp)) or result_styles(result, styles, extra=[str(hyp)])[str(hyp)]
        x = c["horizon_days"].to_numpy()
        ax.fill_between(x, c["p_low"], c["p_high"], color=st.color, alpha=0.15, linewidth=0)
        if "p_low50" in c:
            ax.fill_between(x, c["p_low50"], c["p_high50"], color=st.color, alpha=0.25, linewidth=0)
        ax.plot(
            x,
            c["p_mean"],
            label=name_of(str(hyp), words),
            markevery=[int(i) for i in np.flatnonzero(np.isin(x, horizons))],
            zorder=4 if hyp == COMBINED else 3,
            **st.line_kwargs(),
        )
        if what_ifs:
            rows = sub[(sub["hypothesis"] == hyp) & (sub["what_if"] != "")]
            _what_if_lines(ax, rows, c, st.color, words)
    x = np.arange(1, int(sub["horizon_days"].max()) + 1)
    if base_rate:
        rate = result.meta["base_rate"][outcome]
        elapsed = max((pd.Timestamp(result.scenario.as_of) - result.origin).days - 1, 0)
        rest = np.clip(x - elapsed, 0, None)  # a live question: the days still to come
        ax.plot(
            x,
            -np.expm1(-rate * rest),
            label=words[CLIMATOLOGY] + " (events ÷ days at risk)",
            zorder=5,
            **key[CLIMATOLOGY].line_kwargs(),
        )
    horizon_marks(ax, horizons)
    outcome_note(ax, result, outcome, int(x.max()), words)
    ax.set_xlim(0, float(x.max()))
    top = float(sub["p_high"].max())
    ax.set_ylim(0, min(1.0, np.ceil((top * 1.15 + 0.02) * 20) / 20))
    ax.set_xlabel(_days_label(result))
    ax.set_ylabel(f"P({name_of(outcome, words)} within H days)")
    mark_quick(ax, result)
    if legend:
        handles, _ = ax.get_legend_handles_labels()
        legend_below(ax, handles + band_handles())
    return ax


def _what_if_lines(ax: Axes, rows: Any, own: Any, colour: str, words: Mapping[str, str]) -> None:
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
            label=f"{name_of(str(w['hypothesis'].iloc[0]), words)} · "
            f"{name_of(str(what_if), words)}",
        )


def plot_hazard_ratios(
    result: Any,
    outcome: str | None = None,
    *,
    ax: Axes | None = None,
    ci_prob: float = 0.9,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Forest plot of hazard ratios: median and 90% interval on a log axis, line at 1.

    Rows are grouped under a header per hypothesis (in its colour); each row reads the
    covariate ("plenum, days 0–30") and P(HR > 1) ("> 0.99", never "1.00"), and the right
    margin prints "median [90% interval]". At least three labelled ticks span the data.
    Reads ``result.parameters`` (90% intervals, computed when the scenario ran); ``ci_prob``
    must be 0.9.
    """
    if ci_prob != 0.9:
        raise ValueError(
            f"ci_prob={ci_prob}: the scenario result holds 90% intervals (result.parameters); "
            "for another width call model.summary(ci_prob) on result.models."
        )
    ax = _axes(ax)
    key, words = result_keys(result, styles, labels)
    params = result.parameters
    outcomes = list(dict.fromkeys(params["outcome"]))
    outcome = pick(outcomes, outcome, "outcome")
    every = params[(params["outcome"] == outcome) & (params["kind"] == "hazard_ratio")]
    hr = shown_ratios(params, outcome)
    mark_quick(ax, result)
    if hr.empty:
        text = "only smooth-trend (spline) terms" if len(every) else "no covariates"
        ax.text(0.5, 0.5, text, ha="center", va="center", transform=ax.transAxes)
        return ax
    slots: list[tuple[str, Any]] = []  # ("header", hyp) or ("row", record)
    for hyp, g in hr.groupby("hypothesis", sort=False):
        slots.append(("header", str(hyp)))
        slots += [("row", r) for r in g.itertuples()]
    y = np.arange(len(slots))[::-1].astype(float)
    ticks, texts = [], []
    for yi, (kind, item) in zip(y, slots, strict=True):
        if kind == "header":
            continue
        r = item
        st = key.get(str(r.hypothesis)) or HypothesisStyle("0.2")
        ax.errorbar(
            r.median,
            yi,
            xerr=[[r.median - r.low], [r.high - r.median]],
            fmt=st.marker,
            color=st.color,
            capsize=0,
            elinewidth=0.9,
            markersize=3.5,
        )
        ticks.append(yi)
        texts.append(
            f"{parameter_label(str(r.parameter), words)}\n"
            f"{r.median:.2f} [{r.low:.2f}, {r.high:.2f}], P(HR > 1) {_p_text(r.p_gt_1)}"
        )
    ax.set_yticks(ticks, texts)
    for yi, (kind, hyp) in zip(y, slots, strict=True):
        if kind == "header":
            st = key.get(hyp) or HypothesisStyle("0.2")
            ax.annotate(
                name_of(hyp, words),
                (0.0, yi),
                xycoords=("axes fraction", "data"),
                xytext=(-3, 0),
                textcoords="offset points",
                ha="right",
                va="center",
                fontsize=MIN_TEXT_PT,
                fontweight="bold",
                color=st.color,
                annotation_clip=False,
            )
    ax.set_ylim(-0.7, len(slots) - 0.3)
    ax.set_xscale("log")
    lo, hi = float(hr["low"].min()), float(hr["high"].max())
    log_ticks(ax.xaxis, min(lo, 1.0), max(hi, 1.0), set_limits=True)
    ax.axvline(1.0, color="0.4", linewidth=0.6)
    hidden = "\nsmooth-trend (spline) terms not shown" if len(hr) < len(every) else ""
    ax.set_xlabel(f"hazard ratio, log scale\n(median, {ci_prob:.0%} interval){hidden}")
    return ax


def shown_ratios(params: pd.DataFrame, outcome: str) -> pd.DataFrame:
    """Return an outcome's hazard-ratio rows worth a forest plot: not a trend's spline terms.

    ``trend[1]`` … are coefficients of a B-spline basis: each alone is no hazard ratio a
    reader can interpret (the trend is their sum), so the forest plot leaves them out and says so.
    """
    hr = params[(params["outcome"] == outcome) & (params["kind"] == "hazard_ratio")]
    return hr[~hr["parameter"].astype(str).str.startswith("trend[")]


def _p_text(p: float) -> str:
    text = fmt_prob(float(p))
    return text if text.startswith(("<", ">")) else f"= {text}"


def log_ticks(axis: Any, lo: float, hi: float, *, set_limits: bool = False) -> None:
    """Labelled ticks at 1, 2, 5 × 10^k covering [lo, hi] on a log axis, at least three.

    Within a factor of about 3 the steps 1.25, 1.5 and 0.8 join in. With ``set_limits`` the
    axis is set to span the chosen ticks (a tick outside the limits is never drawn).
    """
    steps = [1.0, 2.0, 5.0]
    if hi / max(lo, 1e-300) < 4:
        steps = [1.0, 1.25, 1.5, 2.0, 3.0, 5.0, 8.0]
    k0 = math.floor(math.log10(max(lo, 1e-300))) - 1
    k1 = math.ceil(math.log10(max(hi, 1e-300))) + 1
    every = sorted({float(f"{m * 10.0**k:.6g}") for k in range(k0, k1 + 1) for m in steps})
    ticks = [t for t in every if lo <= t <= hi]
    below = [t for t in every if t < lo]
    above = [t for t in every if t > hi]
    while len(ticks) < 3 and (below or above):  # widen by the nearer outside tick
        if below and (not above or lo / below[-1] <= above[0] / hi):
            ticks.insert(0, below.pop())
        else:
            ticks.append(above.pop(0))
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    axis.set_minor_formatter(NullFormatter())
    if set_limits:
        setter = axis.axes.set_xlim if axis.axis_name == "x" else axis.axes.set_ylim
        setter(min(ticks[0], lo) / 1.15, max(ticks[-1], hi) * 1.15)


def plot_hazard(
    result: Any,
    outcome: str | None = None,
    *,
    ax: Axes | None = None,
    ratio: bool = False,
    base_rate: bool = True,
    log: bool | None = None,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    legend: bool = True,
) -> Axes:
    """Posterior daily hazard on days 1 … max after the origin, stepped, one line per hypothesis.

    The model's hazard is constant within a day, so each curve is a step: the value over
    (d − 1, d] is the hazard of day *d*. Bands are the 90% and 50% posterior intervals
    (``result.hazard_curves``, computed by :func:`followon.run_scenario`), named in the legend
    below the axes; the dark dotted line is the outcome's daily rate over the fitted window,
    dotted verticals the scenario's horizons. A time-to-first-event model's curve is its
    first-event hazard and says so in the legend.

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
        Log hazard axis (the ratio axis is always logarithmic), labelled "(log scale)", with
        decade ticks (10^k). Default: when the 90% bands span more than a factor 30 (a burst
        of self-excitation would otherwise flatten every other curve onto zero). The lower
        limit is kept within four decades of the top so that a band reaching down to zero
        (a first-event hazard) cannot stretch it.
    styles, labels, legend
        As for :func:`plot_forecast`.

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    ModelError
        An unknown outcome, or a result without ``hazard_curves``.
    """
    ax = _axes(ax)
    key, words = result_keys(result, styles, labels)
    hc = result.hazard_curves
    if hc is None or not len(hc):
        raise ModelError(
            "this result has no hazard_curves; rerun the scenario with followon.run_scenario."
        )
    outcome = pick(list(hc["outcome"].unique()), outcome, "outcome")
    sub = hc[hc["outcome"] == outcome]
    kind = "ratio" if ratio else "hazard"
    first_event = _first_event_models(result)
    for i, (hyp, c) in enumerate(sub.groupby("hypothesis", sort=False)):
        st = key.get(str(hyp)) or HypothesisStyle("0.2")
        day = c["day"].to_numpy()
        edges = np.r_[day[0] - 1, day]  # the value at edges[k] holds on (edges[k], edges[k+1]]

        def step(column: str, c: Any = c) -> np.ndarray:
            v = c[column].to_numpy()
            return np.r_[v, v[-1]]

        bands = [("low", "high", 0.15)] + ([] if ratio else [("low50", "high50", 0.25)])
        for lo, hi, alpha in bands:
            ax.fill_between(
                edges,
                step(f"{kind}_{lo}"),
                step(f"{kind}_{hi}"),
                step="post",
                color=st.color,
                alpha=alpha,
                linewidth=0,
            )
        name = name_of(str(hyp), words)
        ax.plot(
            edges,
            step(f"{kind}_mean"),
            drawstyle="steps-post",
            markevery=(i % 3 * max(len(edges) // 18, 1) + 1, max(len(edges) // 6, 1)),
            label=f"{name} (first-event hazard)" if hyp in first_event else name,
            **st.line_kwargs(),
        )
    n = int(sub["day"].max())
    if ratio:
        ax.set_yscale("log")
        y_lo = min(float(sub["ratio_low"].min()), 1.0)
        y_hi = max(float(sub["ratio_high"].max()), 1.0)
        ax.set_ylim(y_lo / 1.25, y_hi * 1.25)
        log_ticks(ax.yaxis, y_lo, y_hi)
        ax.axhline(1.0, color="0.4", linewidth=0.6, zorder=1)
        ax.set_ylabel(f"hazard ratio to baseline\n({name_of(outcome, words)}; log scale)")
    else:
        top, bottom = float(sub["hazard_high"].max()), float(sub["hazard_low"].min())
        if log is None:
            log = top > 30 * max(bottom, 1e-12)
        if base_rate:
            rate = result.meta["base_rate"][outcome]
            ax.plot(
                [0, n],
                [rate, rate],
                label=words[CLIMATOLOGY] + " (events ÷ days at risk)",
                zorder=5,
                **key[CLIMATOLOGY].line_kwargs(),
            )
        if log:
            ax.set_yscale("log")
            floor = max(bottom, top * 1e-4, 1e-12)
            ax.set_ylim(floor / 1.3, top * 1.3)
            ax.yaxis.set_major_locator(LogLocator(base=10, numticks=6))
            ax.yaxis.set_minor_locator(LogLocator(base=10, subs=(2.0, 5.0), numticks=12))
            ax.yaxis.set_minor_formatter(NullFormatter())
        else:
            ax.set_ylim(0, top * 1.15)
        scale = "; log scale" if log else ""
        ax.set_ylabel(f"daily hazard, per day\n({name_of(outcome, words)}{scale})")
    horizon_marks(ax, list(result.scenario.horizons_days))
    ax.set_xlim(0, n)
    ax.set_xlabel(_days_label(result))
    mark_quick(ax, result)
    if legend:
        handles, _ = ax.get_legend_handles_labels()
        legend_below(ax, handles + band_handles()[int(ratio) :])
    return ax


def _first_event_models(result: Any) -> set[str]:
    comp = getattr(result, "comparison", None)
    if comp is None or "elpd" not in comp:
        return set()
    return set(comp.loc[comp["elpd"].isna(), "hypothesis"].astype(str))


def plot_comparison(
    result: Any,
    outcome: str | None = None,
    *,
    ax: Axes | None = None,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """ELPD difference to the best hypothesis (± 2 se), each with its weight and its interval.

    The axis spans at least −4.5 … 0.5 and the band of differences below 4 in absolute value is
    shaded "negligible" (Sivula et al.), so a difference of a fraction of a point does not look
    large. A row within 2 se or 4 elpd of the best is marked † (not distinguishable); a fit with
    a convergence warning has a hollow marker (‡). The x label names the method and the number
    of held-out blocks; hypotheses left out of the comparison are listed under the axes with
    the reason.
    """
    ax = _axes(ax)
    key, words = result_keys(result, styles, labels)
    comp = result.comparison
    outcome = pick(list(comp["outcome"].unique()), outcome, "outcome")
    every = comp[comp["outcome"] == outcome]
    c = every[every["elpd"].notna()].sort_values("d_elpd")
    left_out = every[every["elpd"].isna()]
    diag = getattr(result, "diagnostics", None)
    warned: set[str] = set()
    if diag is not None and len(diag) and "warning" in diag:
        d = diag[(diag["outcome"] == outcome) & (diag["warning"].fillna("") != "")]
        warned = set(d["hypothesis"].astype(str))
    y = np.arange(len(c))[::-1]
    dse = c["dse"].fillna(0).to_numpy()
    x = -c["d_elpd"].to_numpy()
    ax.axvspan(-4.0, 4.0, facecolor="0.92", linewidth=0, zorder=0)
    tick_text = []
    daggers = False
    for yi, xi, si, r in zip(y, x, dse, c.itertuples(), strict=True):
        hyp = str(r.hypothesis)
        st = key.get(hyp) or HypothesisStyle("0.2")
        hollow = hyp in warned
        ax.errorbar(
            xi,
            yi,
            xerr=2 * si,
            fmt=st.marker,
            color=st.color,
            markerfacecolor="white" if hollow else st.color,
            capsize=0,
            elinewidth=0.9,
            markersize=3.5,
            zorder=3,
        )
        close = xi < 0 and (-xi < 4 or -xi < 2 * si)
        daggers |= close
        weight = f"weight {r.weight:.2f}"
        if hasattr(r, "weight_low") and not math.isnan(float(r.weight_low)):
            weight += f" [{r.weight_low:.2f}–{r.weight_high:.2f}]"
        mark = ("†" if close else "") + ("‡" if hollow else "")
        tick_text.append(f"{name_of(hyp, words)}{mark}\n{weight}")
    ax.set_yticks(y, tick_text)
    ax.set_ylim(-0.7, len(c) - 0.3)
    lo = float(np.min(x - 2 * dse)) if len(x) else 0.0
    ax.set_xlim(min(-4.5, lo - 0.5), max(0.5, float(np.max(x + 2 * dse)) + 0.5 if len(x) else 0.5))
    ax.axvline(0.0, color="0.4", linewidth=0.6)
    method = str(every["method"].iloc[0]) if "method" in every and len(every) else ""
    blocks = str(c["blocks"].iloc[0]) if "blocks" in c and len(c) else ""
    n_blocks = len([b for b in blocks.split(",") if b.strip()])
    how = (
        f"LFO-CV, {n_blocks} held-out block{'s' * (n_blocks != 1)}"
        if method == "lfo"
        else "PSIS-LOO"
        if method
        else ""
    )
    ax.set_xlabel("ELPD difference to the best (± 2 se)" + (f"\n{how}" if how else ""))
    notes = ["shaded: |Δ| < 4, negligible"]
    if daggers:
        notes.append("† within 2 se or < 4 of the best: not distinguishable")
    if warned & set(c["hypothesis"].astype(str)):
        notes.append("‡ convergence warning (see diagnostics)")
    for r in left_out.itertuples():
        reason = str(r.blocks).removeprefix("not compared: ") if "blocks" in every else ""
        notes.append(f"not compared: {name_of(str(r.hypothesis), words)} ({reason})")
    ax.annotate(
        "\n".join(notes),
        (0.01, 0.0),
        xycoords=("figure fraction", "axes fraction"),
        xytext=(0, -3.6 * MIN_TEXT_PT * 1.3),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=MIN_TEXT_PT,
        color="0.25",
        annotation_clip=False,
    )
    mark_quick(ax, result)
    return ax
