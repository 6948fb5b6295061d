"""Write a backtest's results folder atomically: forecasts, scores, figures, report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pandas as pd

from followon._io import atomic_folder
from followon._lazy import lazy_placeholders_hidden
from followon._version import __version__
from followon.scenarios.backtest import BacktestResult

__all__ = ["render_backtest_report", "write_backtest"]


def _num(x: Any, digits: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


def _missing(x: Any) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def _coverage(r: Any) -> str:
    """``0.79 (0.87: 0.76 … 0.97)``: coverage90 and what calibrated forecasts would score."""
    text = _num(r.get("coverage90"), 2)
    ref, low, high = (r.get(f"coverage90_calibrated{k}") for k in ("", "_low", "_high"))
    if _missing(ref) or _missing(low) or _missing(high):
        return text
    return f"{text} ({_num(ref, 2)}: {_num(low, 2)} … {_num(high, 2)})"


def _skill(r: Any, score: str) -> str:
    """``+0.057 (−0.012 … +0.121)``: the skill and its block-bootstrap 90% interval."""
    value, low, high = r.get(score), r.get(f"{score}_low"), r.get(f"{score}_high")
    if _missing(value):
        return "—"

    def signed(x: float) -> str:
        return f"{round(x, 3) + 0.0:+.3f}"  # + 0.0: no "−0.000"

    text = signed(value)
    if not (_missing(low) or _missing(high)):
        text += f" ({signed(low)} … {signed(high)})"
    return text.replace("-", "−")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """JSON-ready rows: NaN → null."""
    return json.loads(frame.to_json(orient="records"))


def _placebo_lines(result: BacktestResult) -> list[str]:
    summary, meta = result.placebo_summary, result.meta.get("placebo", {})
    if not meta:
        return []
    lines = ["## Placebo test", ""]
    if summary.empty:
        skipped = "; ".join(f"{h}: {why}" for h, why in meta.get("skipped", {}).items())
        return [*lines, f"No trigger hypothesis to test{f' ({skipped})' if skipped else ''}.", ""]
    gaps = ", ".join(f"{h} {d} days" for h, d in meta["gap_days"].items())
    lines += [
        f"{meta['n']} times, each trigger hypothesis' trigger events were moved to random days "
        f"between {meta['span'][0]} and {meta['span'][1]} (same number and durations; at "
        f"least the longest window — {gaps} — from every real event of their type), its "
        f"table rebuilt and the backtest rerun at the same origins ({meta['seconds']} s). "
        "p is the share of placebos reaching the real skill, (1 + #placebo ≥ real) / (1 + N): "
        "a small p says the real dates carry information that random dates do not; a large "
        "p says the window's skill is what any window earns (era shifts, extra parameters).",
        "",
        "| hypothesis | outcome | horizon | score | real | placebo median | placebo 90% | p |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for _, r in summary.iterrows():
        lines.append(
            f"| {r['hypothesis']} | {r['outcome']} | {r['horizon_days']} d | "
            f"{r['score'].replace('_', ' ')} | {_num(r['real'])} | {_num(r['placebo_median'])} "
            f"| {_num(r['placebo_low'])} … {_num(r['placebo_high'])} | {_num(r['p_value'], 2)} |"
        )
    if meta.get("skipped"):
        lines += ["", "Not tested: " + "; ".join(f"{h} ({w})" for h, w in meta["skipped"].items())]
    return [*lines, ""]


def render_backtest_report(result: BacktestResult, figures: list[str] | None = None) -> str:
    """Markdown: what was backtested, a score table per outcome and horizon, the figures."""
    s, m, sc = result.scenario, result.meta, result.scores
    lines = [
        f"# Backtest: {s.name}",
        "",
        f"> {s.question}",
        "",
        f"- Origins: {m['origins']} ({m['first_origin']} … {m['last_origin']}; "
        f"{m['trigger_origins']} on the day after a trigger). At each origin every hypothesis "
        "is fitted on the days before it and forecasts the next H days.",
        f"- Inference: {m['inference']}; {m['seconds']} s on {m['workers']} worker(s).",
        "- Data observed until: "
        + ", ".join(f"{o} {d}" for o, d in m["observed_until"].items())
        + ". Forecasts whose window runs past it without an event are censored: left out of "
        "the scores, never counted as “no event”.",
        "- Scores are losses (lower is better): Brier, log score (mean negative log "
        "probability); Brier and log skill are 1 − score / score of climatology on the same "
        "cases (> 0 beats it). reliability − resolution + uncertainty = Brier (CORP "
        "decomposition); coverage90 is the share of 90% intervals containing the recalibrated "
        "event frequency, and in brackets what the same intervals score, mean and 90% range, "
        "when outcomes are drawn from the forecasts (calibrated by construction): read "
        "coverage90 against that, not against 0.90.",
        "- Skill intervals (90%) come from a circular block bootstrap over origins (Künsch "
        "1989; Politis & Romano 1992): blocks of ⌈horizon / origin spacing⌉ consecutive "
        "origins, because origins a few weeks apart share most of their windows; every "
        "hypothesis is scored on the same resamples, so an interval that excludes 0 beats "
        "climatology beyond origin-to-origin noise. Intervals of two hypotheses that overlap "
        "do not make them equal, and one country's record holds few independent blocks: "
        "read the intervals as honest widths, not as tests.",
        "",
    ]
    for (outcome, horizon), g in sc.groupby(["outcome", "horizon_days"], sort=False):
        g = g.sort_values("brier")
        best = g.iloc[0]
        lines += [
            f"## {outcome}, {horizon} days",
            "",
            f"Scored {int(best['n'])} forecasts ({int(best['n_censored'])} censored); observed "
            f"frequency {_num(best['base_rate'], 2)}. Lowest Brier: **{best['hypothesis']}** "
            f"({_num(best['brier'])}).",
            "",
            f"Skill intervals: blocks of {_num(best.get('block_length'), 0)} "
            + ("origin." if best.get("block_length") == 1 else "origins."),
            "",
            "| hypothesis | Brier | log score | Brier skill (90%) | log skill (90%) "
            "| reliability | resolution | coverage90 |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for _, r in g.iterrows():
            lines.append(
                f"| {r['hypothesis']} | {_num(r['brier'])} | {_num(r['log_score'])} | "
                f"{_skill(r, 'brier_skill')} | {_skill(r, 'log_skill')} | "
                f"{_num(r['reliability'])} | {_num(r['resolution'])} | "
                f"{_coverage(r)} |"
            )
        lines.append("")
    lines += _placebo_lines(result)
    records = [f for f in figures or [] if f.startswith("trigger_record_")]
    if records:
        lines += [
            "## Forecasts at past triggers",
            "",
            "At every past trigger, each hypothesis' forecast from the day after it beside what "
            "happened (filled: the outcome came within H days; open: it did not; ×: censored) "
            "and its Brier score over these origins: "
            + ", ".join(f"[{f[:-4]}](figures/{f})" for f in records)
            + ". `followon.trigger_record(bt, outcome, H)` gives the numbers.",
            "",
        ]
    if figures:
        lines += ["## Figures", ""] + [f"![{f[:-4]}](figures/{f})" for f in figures]
    lines += [
        "",
        "Origins a few weeks apart share most of their forecast windows: the scores are "
        "averages over dependent cases; the block-bootstrap intervals above account for that, "
        "so differences well inside them are not evidence.",
        "",
    ]
    return "\n".join(lines)


@lazy_placeholders_hidden()  # matplotlib would import JAX through ArviZ's placeholder
def write_backtest(
    result: BacktestResult, out_dir: str | Path, *, figures: bool = True, force: bool = False
) -> Path:
    """Write ``backtest.csv``, ``scores.csv``, ``backtest.json``, ``report.md`` and figures.

    ``backtest.json`` carries the run's metadata, the score table (skills with their
    intervals) and the placebo summary; ``placebo.csv`` (with ``placebo=N``) every placebo
    replicate's skill.

    Atomic: everything is written to a temporary sibling folder and moved into place at the
    end, so a failure leaves no half-written folder. The folder carries the marker
    ``.followon-results``; an existing ``out_dir`` is replaced only if it is empty or carries
    the marker, anything else is refused (:class:`~followon.errors.OutputError`) and left
    untouched unless ``force=True``.
    """
    out = Path(out_dir)
    with atomic_folder(out, kind="backtest", force=force) as tmp:
        result.forecasts.to_csv(tmp / "backtest.csv", index=False, date_format="%Y-%m-%d")
        result.scores.to_csv(tmp / "scores.csv", index=False)
        record = {
            "name": result.scenario.name,
            "question": result.scenario.question,
            "followon_version": __version__,
            "scenario_sha256": result.scenario.source_sha256,
            **result.meta,
            "scores": _records(result.scores),
            "placebo_summary": _records(result.placebo_summary),
        }
        if not result.placebo.empty:
            result.placebo.to_csv(tmp / "placebo.csv", index=False)
        (tmp / "backtest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        names: list[str] = []
        if figures:
            names = _figures(result, tmp / "figures")
        (tmp / "report.md").write_text(render_backtest_report(result, names), encoding="utf-8")
    return out


def _figures(result: BacktestResult, folder: Path) -> list[str]:
    import matplotlib.pyplot as plt

    from followon.plotting import paper_style, plot_reliability, save_figure
    from followon.plotting.trigger_record import save_trigger_records

    names = []
    f = result.forecasts
    # the scenario's hypotheses, their combined forecast and climatology (the baselines and
    # maximum-likelihood twins too would hide each other)
    drawn = [h.id for h in result.scenario.hypotheses] + ["combined", "climatology"]
    drawn = [h for h in drawn if h in set(f["hypothesis"])]
    for (outcome, horizon), sub in f.groupby(["outcome", "horizon_days"], sort=False):
        if sub["observed"].notna().sum() == 0:
            continue
        lines = 3 + len(drawn) + 1  # n, band and caveat, one score line each, UNC
        with paper_style("single", height_mm=84.0 + 4.0 * ((len(drawn) + 1) // 2) + 3.4 * lines):
            fig = plot_reliability(sub, hypothesis=drawn).get_figure(root=True)
            stem = folder / f"reliability_{outcome}_{horizon}d"
            names += [p.name for p in save_figure(fig, stem) if p.suffix == ".png"]
            plt.close(fig)
    names += [p.name for p in save_trigger_records(result, folder) if p.suffix == ".png"]
    return names
