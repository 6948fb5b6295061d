"""Write a scenario's results folder atomically: all files or nothing."""

from __future__ import annotations

import json
import math
import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from followon._display import observed_cell
from followon._io import atomic_folder
from followon._lazy import lazy_placeholders_hidden
from followon._version import __version__
from followon.reports.joint import joint_section
from followon.scenarios.runner import ScenarioResult

__all__ = ["render_report", "write_results"]


def _clean(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, pd.Timestamp):
        return f"{value:%Y-%m-%d}"
    return value


def _record(result: ScenarioResult) -> dict[str, Any]:
    s = result.scenario
    rows = [{k: _clean(v) for k, v in row.items()} for row in result.forecast.to_dict("records")]
    return {
        "name": s.name,
        "question": s.question,
        "as_of": f"{s.as_of}",
        "origin_date": f"{result.origin:%Y-%m-%d}",
        "trigger": result.trigger or None,
        "background": None if s.background is None else s.background.model_dump(mode="json"),
        "ci_prob": 0.9,
        "forecasts": rows,
        "comparison": [
            {k: _clean(v) for k, v in r.items()} for r in result.comparison.to_dict("records")
        ],
        "bayes_factors": [
            {k: _clean(v) for k, v in r.items()} for r in result.bayes_factors.to_dict("records")
        ],
        "convergence": [
            {k: _clean(v) for k, v in r.items()} for r in result.diagnostics.to_dict("records")
        ],
        "quick": result.quick,
        "followon_version": __version__,
        "scenario_sha256": s.source_sha256,
        "data_sha256": result.data_sha256,
        "observed_until": result.meta.get("observed_until"),
        "base_rate": result.meta.get("base_rate", {}),  # daily, per outcome: the climatology
        "data_until": result.meta.get("data_until", {}),
        "run_date": result.meta.get("run_date"),
        "overlay": result.meta.get("overlay", []),
        "notes": result.meta.get("notes", []),
        **(
            {
                "joint": {
                    "outcomes": result.joint.outcomes,
                    "observed_until": f"{result.joint.observed_until:%Y-%m-%d}",
                    "rows": [
                        {k: _clean(v) for k, v in r.items()}
                        for r in result.joint.table.to_dict("records")
                    ],
                    "notes": result.joint.notes,
                }
            }
            if result.joint is not None
            else {}
        ),
    }


def _pct(x: float) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{100 * x:.0f}%"


TOP_WEIGHT = 0.95
"""A weight at or above this makes the combined answer, in effect, one hypothesis' forecast."""


def _verdict(d_elpd: float, dse: float) -> str:
    """Words for an elpd difference: small (< 4) or within 2 se is not a difference."""
    if math.isnan(dse) or d_elpd < 4 or d_elpd < 2 * dse:
        return "not distinguishable"
    return "clearly worse"


def _cell(r: Any) -> str:
    """Return a forecast row as a table cell: the probability and interval, or what was seen."""
    return observed_cell(r) or f"{_pct(r['p_mean'])} ({_pct(r['p_low'])}–{_pct(r['p_high'])})"


def _when(result: ScenarioResult) -> str:
    """Say what the windows count from and, asked as of a date, what is already known."""
    s, t = result.scenario, result.trigger
    as_of = pd.Timestamp(s.as_of)
    if not t:
        return (
            f"No trigger: each window runs from as_of, {as_of:%Y-%m-%d}, for H days "
            f"(days after {result.origin:%Y-%m-%d})."
        )
    what = (
        f"{t.get('label') or t['type']} ({t['event_id']}), {t['date']} – {t['end_date']}"
        if not t.get("hypothetical")
        else f"a hypothetical {t['type']} on {t['date']}"
    )
    text = f"Trigger: {what}; forecasts count days after {result.origin:%Y-%m-%d}."
    elapsed = (as_of - pd.Timedelta(days=1) - result.origin).days
    if elapsed > 0:
        text += (
            f" As of {as_of:%Y-%m-%d}, the first {elapsed} days of every window are in the "
            "data: a window already decided says `observed` (yes: an outcome event fell in it; "
            "no: it closed without one); an open one is the live update, given no outcome "
            f"event from {result.origin + pd.Timedelta(days=1):%Y-%m-%d} to the day before "
            "as_of, over its remaining days (`status` in forecast.csv)."
        )
    return text


def _data_age(result: ScenarioResult) -> str:
    """Say how old each outcome's data are: before as_of and before the day of the run."""
    as_of = pd.Timestamp(result.scenario.as_of)
    run = result.meta.get("run_date")
    parts = []
    for outcome, d in result.meta.get("data_until", {}).items():
        until = pd.Timestamp(d["observed_until"])
        before = (as_of - until).days
        part = f"{outcome} ({d['type']}) until {until:%Y-%m-%d}, " + (
            f"{before} day{'s' if before != 1 else ''} before as_of"
            if before > 0
            else "after as_of (later days only show what happened)"
        )
        if run:
            part += f" and {(pd.Timestamp(run) - until).days} days before the run ({run})"
        parts.append(part)
    if not parts:
        return f"Outcome data observed until {result.meta.get('observed_until')}."
    oldest = min(pd.Timestamp(d["observed_until"]) for d in result.meta["data_until"].values())
    age = f" The data are {(pd.Timestamp(run) - oldest).days} days old." if run else ""
    return f"Outcome data observed: {'; '.join(parts)}.{age}"


def _named(scenario: Any, key: str) -> str:
    """Return ``label (id)`` when the scenario's ``labels:`` names ``key``, else the id."""
    labels = getattr(scenario, "labels", None) or {}
    return f"{labels[key]} ({key})" if key in labels else str(key)


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _not_compared(row: Mapping[Any, Any]) -> str:
    """Return ``not compared (reason)`` for a comparison row without an elpd."""
    reason = str(row.get("blocks") or "").removeprefix("not compared: ")
    return f"not compared ({reason})" if reason else "not compared"


def _answer(result: ScenarioResult) -> list[str]:
    """Return the combined forecast, one line per outcome (none if < 2 were compared)."""
    f = result.forecast
    combined = f[(f["hypothesis"] == "combined") & (f["what_if"] == "")]
    if combined.empty:
        return []
    weighting = str(result.comparison["weights"].iloc[0]) if "weights" in result.comparison else ""
    lines = []
    for outcome, rows in combined.groupby("outcome", sort=False):
        parts = []
        for r in rows.sort_values("horizon_days").to_dict("records"):
            within = f"within {int(r['horizon_days'])} days"
            if r.get("status") == "observed":
                event = "an event" if r["p_mean"] == 1 else "no event"
                parts.append(f"{event} {within} (observed)")
            else:
                parts.append(f"{_cell(r)} {within}")
        comp = result.comparison[
            (result.comparison["outcome"] == outcome) & result.comparison["weight"].notna()
        ]
        weights = ", ".join(
            f"{r.hypothesis} {r.weight:.2f} ({r.weight_low:.2f}–{r.weight_high:.2f})"
            for r in comp.itertuples()
        )
        lines.append(
            f"**Answer ({outcome}).** {'; '.join(parts)} — the combined forecast: the compared "
            f"hypotheses mixed by their {weighting} weights ({weights}; 90% bootstrap "
            "intervals). Wide weight intervals mean the comparison cannot choose."
        )
        lines.append("")
        lines.extend(_one_hypothesis_caution(result, str(outcome), comp))
    return lines


def _one_hypothesis_caution(result: ScenarioResult, outcome: str, comp: pd.DataFrame) -> list[str]:
    """Return a caution when the weights pick one hypothesis the comparison cannot tell apart.

    Weights of 1.00 / 0.00 between hypotheses whose elpd differ by less than the report's
    threshold (:func:`_verdict`) make the answer one hypothesis' forecast, with an interval
    that leaves out the doubt about which hypothesis is right: say so, and give the range of
    the forecasts the comparison could not choose between.
    """
    if comp.empty or comp["weight"].max() < TOP_WEIGHT:
        return []
    top = comp.sort_values("weight").iloc[-1]
    close = [
        str(r["hypothesis"])
        for r in comp.to_dict("records")
        if r["hypothesis"] != top["hypothesis"]
        and _verdict(float(r["d_elpd"]), float(r["dse"])) == "not distinguishable"
    ]
    if not close:
        return []
    f = result.forecast
    rows = f[
        (f["outcome"] == outcome)
        & (f["what_if"] == "")
        & f["hypothesis"].isin([top["hypothesis"], *close])
        & (f["status"] != "observed")
    ]
    spread = "; ".join(
        f"{_pct(g['p_mean'].min())}–{_pct(g['p_mean'].max())} within {h} days"
        for h, g in rows.groupby("horizon_days")
    )
    starts = str(top.get("blocks") or "")
    n_blocks = len(starts.split(",")) if top.get("method") == "lfo" and starts else 0
    chosen = f", chosen on {n_blocks} held-out blocks," if 0 < n_blocks <= 4 else ""
    return [
        f"**Caution ({outcome}).** The weights give {top['hypothesis']} {top['weight']:.2f}, "
        f"but the comparison cannot tell it from {', '.join(close)} (elpd differences under 4 "
        f"or within 2 standard errors): this answer is one hypothesis' forecast{chosen} and "
        "its interval leaves out the doubt about which hypothesis is right. Those hypotheses "
        f"forecast {spread} (posterior means). `compare: {{weights: pseudo-bma+}}` mixes them "
        "by weights averaged over that doubt.",
        "",
    ]


def _background(result: ScenarioResult) -> list[str]:
    """Return the paragraph naming the scenario's shared background (none without one)."""
    s = result.scenario
    if s.background is None:
        return []
    without = [h.id for h in s.hypotheses if not h.background]
    return [
        f"**Background.** Every hypothesis includes {s.background.describe()}"
        + (f", except {', '.join(without)} (`background: false`)" if without else "")
        + "; each hypothesis' own covariates are added to it.",
        "",
    ]


def render_report(result: ScenarioResult, figures: list[str] | None = None) -> str:
    """Return the ``report.md`` text: question, probabilities, comparison in words, diagnostics."""
    s = result.scenario
    lines = [
        f"# {s.name}",
        "",
        f"**Question.** {s.question}",
        "",
        f"As of {s.as_of} (nothing on or after this date was used to fit). {_when(result)} "
        + _data_age(result)
        + (
            " **Quick run** (2 chains × 1000 draws, ≤ 2 comparison blocks): a first look."
            if result.quick
            else ""
        ),
        "",
        *_background(result),
        *_answer(result),
        "## Probability of the outcome within each horizon (posterior mean, 90% interval)",
        "",
    ]
    f = result.forecast[result.forecast["what_if"] == ""]
    horizons = sorted(f["horizon_days"].unique())
    for outcome in f["outcome"].unique():
        lines += [
            f"### {_named(s, outcome)}",
            "",
            "| hypothesis | " + " | ".join(f"{h} days" for h in horizons) + " |",
            "|---|" + "---|" * len(horizons),
        ]
        sub = f[f["outcome"] == outcome]
        for hyp in sub["hypothesis"].unique():
            cells = []
            for h in horizons:
                r = sub[(sub["hypothesis"] == hyp) & (sub["horizon_days"] == h)].iloc[0]
                cells.append(_cell(r))
            lines.append(f"| {_named(s, hyp)} | " + " | ".join(cells) + " |")
        obs = sub.drop_duplicates("horizon_days").set_index("horizon_days")["observed"]
        known = {int(h): v for h, v in obs.items() if not math.isnan(v)}
        if known:
            lines += [
                "",
                "What happened: "
                + ", ".join(
                    f"within {h} days: {'yes' if v == 1 else 'no'}" for h, v in known.items()
                )
                + ".",
            ]
        lines.append("")
    lines += joint_section(result)
    if len(result.forecast["what_if"].unique()) > 1:
        lines += ["## What-if forecasts", "", "See `forecast.csv` (column `what_if`).", ""]
    lines += ["## Which explanation fits best", ""]
    for outcome_key, comp in result.comparison.groupby("outcome", sort=False):
        outcome = str(outcome_key)
        comp = comp.sort_values("elpd", ascending=False)
        best: dict[Any, Any] = comp.iloc[0].to_dict()
        method = "leave-future-out cross-validation" if best["method"] == "lfo" else "PSIS-LOO"
        text = (
            f"**{outcome}** ({method}"
            + (f", blocks starting {best['blocks']!s}" if best["blocks"] else "")
            + "): "
            f"*{best['hypothesis']}* predicts held-out data best (elpd {best['elpd']:.1f}"
            f" ± {best['se']:.1f}, {best.get('weights') or 'stacking'} weight "
            f"{best['weight']:.2f})."
        )
        for r in comp.iloc[1:].to_dict("records"):
            if _missing(r["elpd"]):
                text += f" *{r['hypothesis']}*: {_not_compared(r)}."
                continue
            text += (
                f" *{r['hypothesis']}*: {r['d_elpd']:.1f} lower (± {r['dse']:.1f}), weight "
                f"{r['weight']:.2f} — {_verdict(float(r['d_elpd']), float(r['dse']))}."
            )
        lines += [text, ""]
    lines += [
        "| outcome | hypothesis | elpd | se | d_elpd | dse | weight (90% bootstrap) |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in result.comparison.to_dict("records"):
        if _missing(r["elpd"]):
            lines.append(f"| {r['outcome']} | {r['hypothesis']} | {_not_compared(r)} |||||")
            continue
        numbers = " | ".join(f"{r[k]:.2f}" for k in ("elpd", "se", "d_elpd", "dse"))
        weight = f"{r['weight']:.2f} ({r['weight_low']:.2f}–{r['weight_high']:.2f})"
        lines.append(f"| {r['outcome']} | {r['hypothesis']} | {numbers} | {weight} |")
    if len(result.bayes_factors):
        lines += [
            "",
            "## Effect vs no effect: Savage–Dickey Bayes factors",
            "",
            "BF10 > 1 favours the hypothesis over the one it extends (vs): the coefficients it "
            "adds, against 0, the others free (all of them when vs has none). Bayes factors "
            "move with the prior, so each is shown for prior widths × 0.5, 1 and 2.",
            "",
            "| outcome | hypothesis | vs | prior sd | BF10 | reading |",
            "|---|---|---|---|---|---|",
        ]
        for r in result.bayes_factors.to_dict("records"):
            lines.append(
                f"| {r['outcome']} | {r['hypothesis']} | {r['versus']} | "
                f"{r['beta_prior_sd']:.2f} | {r['bf10']:.3g} | {r['reading']} |"
            )
    if result.meta.get("notes"):
        lines += ["", "## Notes", ""] + [f"- {n}" for n in result.meta["notes"]]
    lines += ["", "## Convergence", ""]
    d = result.diagnostics
    bad = d[d["warning"] != ""]
    if bad.empty:
        lines.append(
            "All fits passed the gates (R-hat ≤ 1.01, bulk ESS ≥ 400, no divergences) "
            "or were exact."
        )
    else:
        lines += [f"- {r.outcome} / {r.hypothesis}: {r.warning}" for r in bad.itertuples()]
    if "fit_path" in d and (d["fit_path"] != d["method"]).any():  # e.g. laplace-is and its k̂
        lines += ["", "| outcome | hypothesis | method | fit path |", "|---|---|---|---|"]
        lines += [
            f"| {r.outcome} | {r.hypothesis} | {r.method} | {r.fit_path} |" for r in d.itertuples()
        ]
    if figures:
        lines += ["", "## Figures", ""] + [f"![{f[:-4]}](figures/{f})" for f in figures]
    lines += [
        "",
        "Results are predictive, not causal: meetings are scheduled and launches planned.",
        "",
    ]
    return "\n".join(lines)


@lazy_placeholders_hidden()  # matplotlib would import JAX through ArviZ's placeholder
def write_results(
    result: ScenarioResult,
    out_dir: str | Path,
    *,
    save_models: bool = True,
    figures: bool = True,
    force: bool = False,
) -> Path:
    """Write the results folder ``out_dir`` atomically and return its path.

    Files: ``forecast.csv``, ``comparison.csv``, ``curves.csv``, ``hazard_curves.csv``,
    ``diagnostics.csv``, ``bayes_factors.csv``, ``parameters.csv``, ``forecast.json``, with a
    joint question ``joint.csv``, ``joint_curves.csv`` and ``joint_parameters.csv``,
    ``report.md``, ``scenario.yaml`` (a copy), ``figures/*.pdf|png``, ``models/*.nc`` and the
    marker ``.followon-results``. Everything is written to a temporary sibling folder first and
    moved into place at the end, so a failure leaves no half-written folder (and an existing
    folder is only replaced whole).

    An existing ``out_dir`` is replaced only if it is empty or a results folder followon wrote
    (it carries the marker); a file or any other folder is refused and left untouched unless
    ``force=True``.

    Raises
    ------
    OutputError
        ``out_dir`` exists and is not a followon results folder (and ``force`` is false), or
        cannot be created.
    """
    out = Path(out_dir)
    with atomic_folder(out, kind="scenario", force=force) as tmp:
        result.forecast.to_csv(tmp / "forecast.csv", index=False, date_format="%Y-%m-%d")
        result.comparison.to_csv(tmp / "comparison.csv", index=False)
        result.curves.to_csv(tmp / "curves.csv", index=False)
        if len(result.hazard_curves):
            result.hazard_curves.to_csv(tmp / "hazard_curves.csv", index=False)
        result.diagnostics.to_csv(tmp / "diagnostics.csv", index=False)
        result.bayes_factors.to_csv(tmp / "bayes_factors.csv", index=False)
        result.parameters.to_csv(tmp / "parameters.csv", index=False)
        if result.joint is not None:
            result.joint.table.to_csv(tmp / "joint.csv", index=False)
            result.joint.curves.to_csv(tmp / "joint_curves.csv", index=False)
            result.joint.parameters.to_csv(tmp / "joint_parameters.csv", index=False)
        (tmp / "forecast.json").write_text(
            json.dumps(_record(result), indent=2) + "\n", encoding="utf-8"
        )
        figure_names: list[str] = []
        if figures:
            from followon.plotting import save_figures

            paths = save_figures(result, tmp / "figures")
            figure_names = [p.name for p in paths if p.suffix == ".png"]
        (tmp / "report.md").write_text(render_report(result, figure_names), encoding="utf-8")
        if result.scenario.source_path:
            shutil.copyfile(result.scenario.source_path, tmp / "scenario.yaml")
        if save_models:
            (tmp / "models").mkdir()
            for (outcome, hyp), model in result.models.items():
                model.save(tmp / "models" / f"{outcome}__{hyp}.nc")
    return out
