"""Figures drawn from finished results only (no fitting, sampling or PyMC here)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter

from followon.errors import ModelError, did_you_mean
from followon.plotting.style import OKABE_ITO, STYLES

__all__ = ["plot_comparison", "plot_forecast", "plot_hazard_ratios", "save_figures"]


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
) -> Axes:
    """P(outcome within H days) for H = 1 … max, one line per hypothesis with 50% and 90% bands.

    Draws the climatological base rate (1 − exp(−r H), r the outcome's daily rate over the
    fitted window) as a grey line, dotted verticals at the scenario's horizons and, when known,
    the day of the first observed outcome event after the origin.
    """
    ax = _axes(ax)
    curves = result.curves
    outcome = _pick(list(curves["outcome"].unique()), outcome, "outcome")
    sub = curves[curves["outcome"] == outcome]
    for i, (hyp, c) in enumerate(sub.groupby("hypothesis", sort=False)):
        colour, style = OKABE_ITO[i % len(OKABE_ITO)], STYLES[i % len(STYLES)]
        x = c["horizon_days"].to_numpy()
        ax.fill_between(x, c["p_low"], c["p_high"], color=colour, alpha=0.15, linewidth=0)
        if "p_low50" in c:
            ax.fill_between(x, c["p_low50"], c["p_high50"], color=colour, alpha=0.25, linewidth=0)
        ax.plot(
            x,
            c["p_mean"],
            color=colour,
            linestyle=style["linestyle"],
            label=str(hyp),
            marker=style["marker"],
            markevery=max(len(x) // 6, 1),
        )
    x = np.arange(1, int(sub["horizon_days"].max()) + 1)
    if base_rate:
        table = next(m.table_ for (o, _), m in result.models.items() if o == outcome)
        rate = table.data["events"].sum() / table.data["exposure"].sum()
        ax.plot(x, -np.expm1(-rate * x), color="0.55", linewidth=0.8, label="base rate", zorder=1)
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


def _first_event_day(result: Any, outcome: str, max_days: int) -> int | None:
    day = result.meta.get("first_event_day", {}).get(outcome)
    return int(day) if day is not None and day <= max_days else None


def plot_hazard_ratios(
    result: Any, outcome: str | None = None, *, ax: Axes | None = None, ci_prob: float = 0.9
) -> Axes:
    """Forest plot of hazard ratios (log axis, line at 1), P(HR > 1) in each label."""
    ax = _axes(ax)
    outcomes = list(dict.fromkeys(o for o, _ in result.models))
    outcome = _pick(outcomes, outcome, "outcome")
    rows = []
    for (o, hyp), model in result.models.items():
        if o != outcome:
            continue
        s = model.summary(ci_prob=ci_prob)
        for name, r in s[s["kind"] == "hazard_ratio"].iterrows():
            rows.append((hyp, str(name), r["median"], r["low"], r["high"], r["p_gt_1"]))
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
    lo_x = min(r[3] for r in rows)
    hi_x = max(r[4] for r in rows)
    ticks = [
        t
        for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100)
        if lo_x / 1.5 <= t <= hi_x * 1.5
    ]
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.axvline(1.0, color="0.4", linewidth=0.6)
    ax.set_xlabel(f"hazard ratio ({ci_prob:.0%} interval)")
    return ax


def plot_comparison(result: Any, outcome: str | None = None, *, ax: Axes | None = None) -> Axes:
    """ELPD difference to the best hypothesis (± 2 se) with the stacking weight in each label."""
    ax = _axes(ax)
    comp = result.comparison
    outcome = _pick(list(comp["outcome"].unique()), outcome, "outcome")
    c = comp[comp["outcome"] == outcome].sort_values("d_elpd")
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
    """Draw and save every figure ``followon run`` writes (PDF + PNG, one set per outcome)."""
    from followon.plotting.style import paper_style, save_figure

    paths: list[Path] = []
    for outcome in result.curves["outcome"].unique():
        for name, fn, height in (
            ("forecast", plot_forecast, None),
            ("hazard_ratios", plot_hazard_ratios, 75.0),
            ("comparison", plot_comparison, 45.0),
        ):
            with paper_style("single", height_mm=height):
                fig, ax = plt.subplots()
                fn(result, outcome, ax=ax)
                paths += save_figure(fig, Path(folder) / f"{name}_{outcome}")
                plt.close(fig)
    return paths
