"""What a scenario result and a backtest show in a notebook: the answer, not a field dump.

A :class:`~followon.ScenarioResult` shows in two lines (the scenario, then the combined — or
only — forecast per outcome) and as an HTML card with the forecast table (every hypothesis by
horizon, ``p_mean (p_low–p_high)``), the comparison and the convergence warnings. A
:class:`~followon.BacktestResult` shows its origins and its score table.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from followon._display import (
    MISSING,
    cell,
    forecast_cell,
    html_card,
    html_table,
    is_missing,
    shorten,
)

__all__ = ["backtest_html", "backtest_repr", "scenario_html", "scenario_repr"]

MAX_WARNINGS = 5
"""At most this many warnings are listed in a result's HTML card (the count is always shown)."""


def _day(value: Any) -> str:
    return MISSING if is_missing(value) else f"{pd.Timestamp(value):%Y-%m-%d}"


def _plain(forecast: pd.DataFrame) -> pd.DataFrame:
    """Return the forecast rows without a what-if."""
    if "what_if" not in forecast:
        return forecast
    return forecast[forecast["what_if"] == ""]


def _warnings(result: Any) -> list[str]:
    d = result.diagnostics
    if d.empty or "warning" not in d:
        return []
    bad = d[d["warning"].fillna("") != ""]
    return [f"{r.outcome} / {r.hypothesis}: {r.warning}" for r in bad.itertuples()]


def _headline(rows: pd.DataFrame) -> pd.DataFrame:
    """Return the combined forecast's rows, else those of the first hypothesis."""
    combined = rows[rows["hypothesis"] == "combined"]
    return combined if len(combined) else rows[rows["hypothesis"] == rows["hypothesis"].iloc[0]]


def scenario_repr(result: Any) -> str:
    """Two lines: scenario, origin, counts; then the headline forecast per outcome."""
    s = result.scenario
    n_warn = len(_warnings(result))
    head = (
        f"ScenarioResult({s.name!r}: {len(s.hypotheses)} hypotheses × {len(s.outcomes)} "
        f"outcome(s), origin {_day(result.origin)}, {n_warn} warning(s)"
        + (", quick" if result.quick else "")
        + ")"
    )
    f = _plain(result.forecast)
    parts = []
    for outcome, rows in f.groupby("outcome", sort=False):
        top = _headline(rows).sort_values("horizon_days")
        who = str(top["hypothesis"].iloc[0])
        cells = ", ".join(
            f"{forecast_cell(r)} ≤{int(r['horizon_days'])}d" for r in top.to_dict("records")
        )
        parts.append(f"{outcome} ({who}): {cells}")
    return head + ("\n  " + shorten("; ".join(parts), 200) if parts else "")


def _forecast_tables(forecast: pd.DataFrame) -> list[str]:
    f = _plain(forecast)
    tables = []
    for outcome, rows in f.groupby("outcome", sort=False):
        horizons = sorted(int(h) for h in rows["horizon_days"].unique())
        cells = {
            (str(r["hypothesis"]), int(r["horizon_days"])): forecast_cell(r)
            for r in rows.to_dict("records")
        }
        order = list(dict.fromkeys(rows["hypothesis"].astype(str)))
        if "combined" in order:
            order = ["combined", *[h for h in order if h != "combined"]]
        body = [[h, *[cells.get((h, d)) for d in horizons]] for h in order]
        caption = f"P({outcome} within H days): mean (90% interval)"
        tables.append(html_table(["hypothesis", *[f"{d} days" for d in horizons]], body, caption))
    return tables


def _comparison_table(comparison: pd.DataFrame) -> str:
    if comparison.empty:
        return ""
    rows = []
    for r in comparison.to_dict("records"):
        weight = r.get("weight")
        if not is_missing(weight) and not is_missing(r.get("weight_low")):
            weight = f"{weight:.2f} ({r['weight_low']:.2f}–{r['weight_high']:.2f})"
        rows.append(
            [
                r.get("outcome"),
                r.get("hypothesis"),
                _plus_minus(r.get("elpd"), r.get("se")),
                _plus_minus(r.get("d_elpd"), r.get("dse")),
                weight,
                r.get("method"),
            ]
        )
    header = ["outcome", "hypothesis", "elpd ± se", "d_elpd ± dse", "weight", "method"]
    return html_table(header, rows, "Comparison (held-out predictive accuracy)")


def _plus_minus(value: Any, se: Any) -> str:
    if is_missing(value):
        return cell(value)
    return f"{float(value):.1f}" + ("" if is_missing(se) else f" ± {float(se):.1f}")


def scenario_html(result: Any) -> str:
    """Return an HTML card: question, trigger and origin, forecast tables, comparison, warnings."""
    s = result.scenario
    warns = _warnings(result)
    facts = [
        ("question", shorten(s.question, 200)),
        ("as of", str(s.as_of)),
        ("origin", _day(result.origin)),
        ("trigger", result.trigger.get("label") or result.trigger.get("type")),
        ("warnings", len(warns)),
    ]
    if result.quick:
        facts.append(("run", "quick (a first look)"))
    tables = _forecast_tables(result.forecast)
    comparison = _comparison_table(result.comparison)
    if comparison:
        tables.append(comparison)
    notes = [shorten(w, 160) for w in warns[:MAX_WARNINGS]]
    if len(warns) > MAX_WARNINGS:
        notes.append(f"{len(warns) - MAX_WARNINGS} more: result.diagnostics")
    return html_card(f"ScenarioResult: {s.name}", facts=facts, tables=tables, notes=notes)


SCORE_COLUMNS = ("n", "brier", "brier_skill", "log_score", "coverage90")
"""The score table's columns a backtest's HTML card shows (those present)."""


def backtest_repr(result: Any) -> str:
    """Two lines: scenario and origins; then the best hypothesis by Brier score per horizon."""
    m = result.meta
    head = (
        f"BacktestResult({result.scenario.name!r}: {m.get('origins')} origins "
        f"{m.get('first_origin')} … {m.get('last_origin')}, inference {m.get('inference')}, "
        f"{m.get('seconds')} s)"
    )
    s = result.scores
    if s.empty or "brier" not in s:
        return head
    best = []
    for keys, rows in s.groupby(["outcome", "horizon_days"], sort=False):
        outcome, horizon = keys
        rows = rows.dropna(subset=["brier"])
        if len(rows):
            r = rows.loc[rows["brier"].idxmin()]
            best.append(f"{outcome} {int(horizon)}d: {r['hypothesis']} ({r['brier']:.3f})")
    return head + ("\n  best Brier: " + shorten("; ".join(best), 180) if best else "")


def backtest_html(result: Any) -> str:
    """Return an HTML card: origins and timings, then the score table."""
    m = result.meta
    facts = [
        ("origins", m.get("origins")),
        ("from", m.get("first_origin")),
        ("to", m.get("last_origin")),
        ("inference", m.get("inference")),
        ("seconds", m.get("seconds")),
    ]
    s = result.scores
    cols = [c for c in ("outcome", "hypothesis", "horizon_days", *SCORE_COLUMNS) if c in s]
    rows = [[r[c] for c in cols] for r in s[cols].to_dict("records")]
    table = html_table(cols, rows, "Scores (lower Brier and log score are better)")
    return html_card(f"BacktestResult: {result.scenario.name}", facts=facts, tables=[table])
