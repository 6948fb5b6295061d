"""Write a backtest's results folder atomically: forecasts, scores, figures, report."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from followon._io import atomic_folder
from followon._version import __version__
from followon.scenarios.backtest import BacktestResult

__all__ = ["render_backtest_report", "write_backtest"]


def _num(x: Any, digits: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{digits}f}"


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
        "probability); Brier skill is against climatology (> 0 beats it). reliability − "
        "resolution + uncertainty = Brier (CORP decomposition); coverage90 is the share of 90% "
        "intervals containing the recalibrated event frequency.",
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
            "| hypothesis | Brier | log score | Brier skill | reliability | resolution "
            "| coverage90 |",
            "|---|---|---|---|---|---|---|",
        ]
        for _, r in g.iterrows():
            lines.append(
                f"| {r['hypothesis']} | {_num(r['brier'])} | {_num(r['log_score'])} | "
                f"{_num(r['brier_skill'])} | {_num(r['reliability'])} | "
                f"{_num(r['resolution'])} | {_num(r['coverage90'], 2)} |"
            )
        lines.append("")
    if figures:
        lines += ["## Figures", ""] + [f"![{f[:-4]}](figures/{f})" for f in figures]
    lines += [
        "",
        "Origins a few weeks apart share most of their forecast windows: the scores are "
        "averages over dependent cases, so small differences are not significant.",
        "",
    ]
    return "\n".join(lines)


def write_backtest(
    result: BacktestResult, out_dir: str | Path, *, figures: bool = True, force: bool = False
) -> Path:
    """Write ``backtest.csv``, ``scores.csv``, ``backtest.json``, ``report.md`` and figures.

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
        }
        (tmp / "backtest.json").write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
        names: list[str] = []
        if figures:
            names = _figures(result, tmp / "figures")
        (tmp / "report.md").write_text(render_backtest_report(result, names), encoding="utf-8")
    return out


def _figures(result: BacktestResult, folder: Path) -> list[str]:
    import matplotlib.pyplot as plt

    from followon.plotting import paper_style, plot_reliability, save_figure

    names = []
    f = result.forecasts
    # the scenario's hypotheses and climatology (all seven lines would hide each other)
    drawn = [h.id for h in result.scenario.hypotheses] + ["climatology"]
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
    return names
