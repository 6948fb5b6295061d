"""``ForecastLedger``: register, resolve, score and write a forecast record (one concept, here)."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any

import pandas as pd

from followon._io import atomic_folder
from followon._version import __version__
from followon.evaluation.scores import score_table
from followon.events import load_events, observed_until
from followon.record.external import external_forecasts
from followon.record.ledger import (
    CLIMATOLOGY,
    LINE_COLUMNS,
    RESOLVED_COLUMNS,
    default_ledger,
    line_row,
    read_ledger,
    register_results,
    resolved_forecasts,
)

__all__ = ["SCORE_COLUMNS", "ForecastLedger", "render_scores", "score_forecasts"]

_BY = ["scenario", "hypothesis", "outcome", "horizon_days"]
SCORE_COLUMNS = (
    *_BY,
    "n_resolved",
    "n_pending",
    "brier",
    "log_score",
    "brier_skill",
    "reliability",
    "resolution",
    "uncertainty",
    "coverage90",
    "base_rate",
)
"""Columns of :meth:`ForecastLedger.score`."""


class ForecastLedger:
    """A forecast record: a JSON Lines file of forecasts registered when they were made.

    Parameters
    ----------
    path : str or Path, optional
        The ledger file (created by the first :meth:`register`). Default: the user data folder,
        ``followon.data_dir() / "ledger" / "forecasts.jsonl"``; keep one in a paper's
        repository by naming it.

    Examples
    --------
    >>> import followon as fo
    >>> ledger = fo.ForecastLedger("paper/forecasts.jsonl")  # doctest: +SKIP
    >>> ledger.register("results/plenum-2025-06")  # doctest: +SKIP
    >>> ledger.score()  # doctest: +SKIP
    """

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else default_ledger()

    def __repr__(self) -> str:
        return f"ForecastLedger({str(self.path)!r})"

    def lines(self) -> list[dict[str, Any]]:
        """Return the verified ledger lines, oldest first (none when the file does not exist yet).

        Raises
        ------
        DataError
            A line was edited, removed, inserted or moved, or comes from a newer followon.
        """
        return read_ledger(self.path) if self.path.exists() else []

    def register(self, results_dir: str | Path) -> pd.DataFrame:
        """Append every forecast of a ``followon run`` results folder; return the rows added.

        Each hypothesis and ``combined`` × outcome × horizon (not the what-ifs) becomes one
        line, with the climatology beside it; a run is registered once.
        """
        return pd.DataFrame(
            [line_row(line) for line in register_results(results_dir, self.path)],
            columns=LINE_COLUMNS,
        )

    def forecasts(
        self, *, external: str | Path | None = None, events: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Every registered (and external) forecast, resolved against ``events``.

        ``events`` defaults to :func:`followon.load_events` (bundled catalog and local overlay,
        with each type's ``observed_until``). Columns :data:`RESOLVED_COLUMNS`: ``status`` is
        ``resolved`` (``observed`` 1 or 0), ``pending`` (the window is not yet observed through
        its end) or ``void`` (conditional on a hypothetical trigger that did not happen).
        """
        events = load_events() if events is None else events
        frames = [resolved_forecasts(self.lines(), events)]
        if external is not None:
            until = {**observed_until(), **events.attrs.get("observed_until", {})}
            until = {k: pd.Timestamp(v) for k, v in until.items()}
            frames.append(external_forecasts(external, events, until))
        frames = [f for f in frames if len(f)]
        if not frames:
            return pd.DataFrame(columns=RESOLVED_COLUMNS)
        return pd.concat(frames, ignore_index=True)[list(RESOLVED_COLUMNS)]

    def score(
        self, *, external: str | Path | None = None, events: pd.DataFrame | None = None
    ) -> pd.DataFrame:
        """Score every resolved forecast: one row per scenario × hypothesis × outcome × horizon.

        Columns :data:`SCORE_COLUMNS`: ``n_resolved`` and ``n_pending`` forecasts (void ones
        are left out), Brier and log score (losses), ``brier_skill`` against the
        ``climatology`` registered beside each forecast (> 0 beats it; a ``climatology`` row per
        group scores the reference itself), the CORP decomposition, ``coverage90`` and the
        observed ``base_rate`` (see :func:`followon.score_table`). Pending forecasts are never
        scored as misses.
        """
        return score_forecasts(self.forecasts(external=external, events=events))

    def write_scores(
        self,
        out_dir: str | Path,
        *,
        external: str | Path | None = None,
        events: pd.DataFrame | None = None,
        figures: bool = True,
        force: bool = False,
    ) -> Path:
        """Write ``scores.csv``, ``forecasts.csv``, ``report.md`` and reliability figures.

        The folder is written atomically (:func:`followon.write_results`' rule: an existing
        ``out_dir`` is replaced only if followon wrote it, unless ``force``).
        """
        forecasts = self.forecasts(external=external, events=events)
        scores = score_forecasts(forecasts)
        with atomic_folder(out_dir, kind="scores", force=force) as tmp:
            forecasts.to_csv(tmp / "forecasts.csv", index=False)
            scores.to_csv(tmp / "scores.csv", index=False)
            names = _figures(forecasts, tmp / "figures") if figures else []
            (tmp / "report.md").write_text(
                render_scores(self, forecasts, scores, names, external), encoding="utf-8"
            )
        return Path(out_dir)


def score_forecasts(forecasts: pd.DataFrame) -> pd.DataFrame:
    """Score resolved forecasts (:meth:`ForecastLedger.forecasts`) against their climatology."""
    live = forecasts[forecasts["status"] != "void"]
    if live.empty:
        return pd.DataFrame(columns=SCORE_COLUMNS)
    # one forecast case per registration and window: its climatology is the reference
    case = {"trigger": live["registration"], "origin_date": live["origin_date"]}
    own = live.assign(**case)
    reference = (
        own.drop_duplicates(["registration", "outcome", "horizon_days"])
        .assign(hypothesis=CLIMATOLOGY, p_low=float("nan"), p_high=float("nan"))
        .assign(p_mean=lambda d: d["climatology"])
    )
    frame = pd.concat([own, reference], ignore_index=True)
    table = score_table(frame, by=_BY, reference=CLIMATOLOGY)
    table = table.rename(columns={"n": "n_resolved", "n_censored": "n_pending"})
    order = {s: i for i, s in enumerate(dict.fromkeys(table["scenario"]))}
    table = table.sort_values("scenario", key=lambda s: s.map(order), kind="stable")
    return table[list(SCORE_COLUMNS)].reset_index(drop=True)


def _figures(forecasts: pd.DataFrame, folder: Path) -> list[str]:
    import matplotlib.pyplot as plt

    from followon.plotting import paper_style, plot_reliability, save_figure

    names: list[str] = []
    done = forecasts[forecasts["status"] == "resolved"]
    for (outcome, horizon), sub in done.groupby(["outcome", "horizon_days"], sort=False):
        if sub["observed"].nunique() < 1:
            continue
        drawn = list(dict.fromkeys(sub["hypothesis"]))
        with paper_style("single", height_mm=95.0):
            fig = plot_reliability(sub, hypothesis=drawn).get_figure(root=True)
            stem = folder / f"reliability_{_slug(str(outcome))}_{horizon}d"
            names += [p.name for p in save_figure(fig, stem) if p.suffix == ".png"]
            plt.close(fig)
    return names


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in text)


def _num(x: Any, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "—"
    return f"{x:.{digits}f}"


def render_scores(
    ledger: ForecastLedger,
    forecasts: pd.DataFrame,
    scores: pd.DataFrame,
    figures: list[str],
    external: str | Path | None = None,
) -> str:
    """Markdown: what was scored, against which data, the score table and the figures."""
    counts = forecasts["status"].value_counts()
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Forecast record: scores",
        "",
        f"- Ledger: `{ledger.path}`" + (f"; external forecasts: `{external}`" if external else ""),
        f"- Scored {when} with followon {__version__} on the bundled catalog and local overlay.",
        f"- Forecasts: {counts.get('resolved', 0)} resolved, {counts.get('pending', 0)} pending "
        f"(window not yet observed through its end: never scored as a miss), "
        f"{counts.get('void', 0)} void (conditional on a trigger that did not happen).",
        "- Scores are losses (lower is better): Brier, log score; Brier skill is against the "
        "climatology registered beside each forecast (> 0 beats it).",
        "",
        "| scenario | hypothesis | outcome | H (days) | resolved | pending | Brier | log score "
        "| skill |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in scores.to_dict("records"):
        lines.append(
            f"| {r['scenario']} | {r['hypothesis']} | {r['outcome']} | {r['horizon_days']} | "
            f"{r['n_resolved']} | {r['n_pending']} | {_num(r['brier'])} | "
            f"{_num(r['log_score'])} | {_num(r['brier_skill'])} |"
        )
    lines.append("")
    for name in figures:
        lines += [f"![reliability]({'figures/' + name})", ""]
    return "\n".join(lines)
