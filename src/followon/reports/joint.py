"""The report section of a scenario's joint question (P(any), which comes first)."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["joint_section"]


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


def _cell(r: Any) -> str:
    return f"{_pct(r.p_mean)} ({_pct(r.p_low)}–{_pct(r.p_high)})"


def _happened(rows: Any) -> str:
    known = rows.dropna(subset=["observed"])
    if known.empty:
        return ""
    return "What happened: " + ", ".join(
        f"within {int(r.horizon_days)} days: {'yes' if r.observed == 1 else 'no'}"
        for r in known.itertuples()
    )


def joint_section(result: Any) -> list[str]:
    """Return the report lines of the joint question (none when the scenario has none)."""
    joint = getattr(result, "joint", None)
    if joint is None:
        return []
    t = joint.table
    horizons = sorted(t["horizon_days"].unique())
    head = "| hypothesis | " + " | ".join(f"{h} days" for h in horizons) + " |"
    rule = "|---|" + "---|" * len(horizons)
    fitted = [h for h in t["hypothesis"].unique() if h != "combined"]
    lines = [
        "## Several actions: any of them, and which comes first",
        "",
        f"{', '.join(joint.outcomes)} fitted together by "
        f"{', '.join(f'*{h}*' for h in fitted)} (one multi-action fit per hypothesis: each "
        "outcome its own baseline rate, each covariate's effect pooled across the outcomes). "
        f"Outcome data observed until {joint.observed_until:%Y-%m-%d}. Posterior means with 90% "
        "intervals; `joint.csv` has every number.",
        "",
        "### P(at least one of them within H days)",
        "",
        head,
        rule,
    ]
    anyr = t[t["quantity"] == "any"]
    for hyp, g in anyr.groupby("hypothesis", sort=False):
        lines.append(f"| {hyp} | " + " | ".join(_cell(r) for r in g.itertuples()) + " |")
    happened = _happened(anyr.drop_duplicates("horizon_days"))
    if happened:
        lines += ["", happened + "."]
    lines += [
        "",
        "### Which comes first",
        "",
        "P(this outcome's first day is strictly before every other's, within H); a *tie* is two "
        "or more on the same first day; *none*: nothing within H. Each column sums to 100% per "
        "hypothesis.",
        "",
        "| hypothesis | first | " + " | ".join(f"{h} days" for h in horizons) + " |",
        "|---|---|" + "---|" * len(horizons),
    ]
    parts = t[t["quantity"] != "any"]
    for (hyp, quantity, outcome), g in parts.groupby(
        ["hypothesis", "quantity", "outcome"], sort=False
    ):
        what = outcome if quantity == "first" else quantity
        lines.append(f"| {hyp} | {what} | " + " | ".join(_cell(r) for r in g.itertuples()) + " |")
    first = parts[parts["hypothesis"] == parts["hypothesis"].iloc[0]]
    seen = first[(first["observed"] == 1) & (first["quantity"] != "none")]
    if len(seen):
        r = seen.sort_values("horizon_days").iloc[0]
        what = r["outcome"] if r["quantity"] == "first" else "a same-day tie"
        lines += ["", f"What happened: {what} came first (within {int(r['horizon_days'])} days)."]
    pooled = joint.parameters[joint.parameters["kind"] == "pooled_hazard_ratio"]
    if len(pooled):
        lines += [
            "",
            "### Pooled effects (hazard ratio shared across the outcomes, 90% interval)",
            "",
            "| hypothesis | covariate | hazard ratio | P(> 1) |",
            "|---|---|---|---|",
        ]
        for r in pooled.itertuples():
            name = str(r.parameter).removeprefix("pool_mean[").removesuffix("]")
            lines.append(
                f"| {r.hypothesis} | {name} | {r.mean:.2f} ({r.low:.2f}–{r.high:.2f}) | "
                f"{r.p_gt_1:.2f} |"
            )
    if joint.weights is not None:
        w = ", ".join(f"{h} {v:.2f}" for h, v in joint.weights.items())
        lines += [
            "",
            f"*combined* mixes the joint fits with stacking weights {w}: from the summed "
            "per-outcome leave-future-out block scores of the separately fitted hypotheses (the "
            "joint fits are not refitted per block).",
        ]
    if joint.notes:
        lines += ["", *(f"- {n}" for n in joint.notes)]
    lines.append("")
    return lines
