"""The figures of a results folder: which ones ``followon run`` draws, and in how many processes.

:func:`save_figures` lays out one task per figure (or per small group of figures of one
outcome) and runs them one after another or, where forking is safe, in forked worker
processes (:func:`figure_jobs`); the files are the same either way.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt

from followon.errors import ModelError
from followon.plotting.figures import (
    QUICK_NOTE,
    plot_comparison,
    plot_forecast,
    plot_hazard,
    plot_hazard_ratios,
    shown_ratios,
)

__all__ = ["FIGURE_JOBS_ENV", "figure_height_mm", "figure_jobs", "fork_safe", "save_figures"]


def save_figures(result: Any, folder: str | Path, *, jobs: int | None = None) -> list[Path]:
    """Draw and save every figure ``followon run`` writes (PDF + PNG).

    One timeline of the scenario (double column, when the result keeps its events), then per
    outcome: forecast, hazard (when the result has ``hazard_curves``), hazard ratios,
    comparison, at a glance, when the result has one, the combined forecast, and, when the
    scenario has a trigger with past ones of its type, the event study
    (:func:`~followon.plotting.event_study.plot_event_study`) (single column, heights growing
    with the rows and legend lines), and the posterior predictive check
    (:func:`~followon.plotting.ppc.plot_posterior_predictive`, double column); with a joint
    question, the first-action figure of each joint hypothesis and of ``combined``
    (:func:`~followon.plotting.joint.plot_first_action`). A quick run's PDFs carry "quick
    run – not for publication" in their Subject.

    ``jobs``: processes that draw the figures (default :func:`figure_jobs`). The figures are
    independent, so with more than one they are shared out among forked workers; the files
    are the same as drawn one after another. Where forking is unsafe (:func:`fork_safe`) they
    are drawn in this process whatever ``jobs`` says.
    """
    planned = _figure_tasks(result, Path(folder))
    costs, tasks = [c for c, _ in planned], [t for _, t in planned]
    asked = figure_jobs() if jobs is None else max(1, int(jobs))
    workers = asked if fork_safe() else 1
    if workers == 1 or len(tasks) < 2:
        return [p for task in tasks for p in task()]
    import multiprocessing
    import warnings
    from concurrent.futures import ProcessPoolExecutor

    _TASKS[:] = tasks  # the forked workers inherit the list and run its items by index
    # the costliest first, so that no worker is left with a long figure at the end
    order = sorted(range(len(tasks)), key=lambda i: -costs[i])
    try:
        context = multiprocessing.get_context("fork")
        with (
            warnings.catch_warnings(),
            ProcessPoolExecutor(min(workers, len(tasks)), mp_context=context) as pool,
        ):
            # Python warns on any fork of a process with threads. The threads here are
            # OpenBLAS's workers and pyarrow's jemalloc background thread, which both hand
            # their locks over at a fork (pthread_atfork); JAX, which does not, rules fork
            # out (fork_safe).
            warnings.filterwarnings(
                "ignore", "This process .* is multi-threaded", DeprecationWarning
            )
            done = dict(zip(order, pool.map(_run_task, order), strict=True))
    finally:
        _TASKS.clear()
    return [p for i in range(len(tasks)) for p in done[i]]


_TASKS: list[Callable[[], list[Path]]] = []
"""The figures :func:`save_figures` is drawing, for its forked workers."""
FIGURE_JOBS_ENV = "FOLLOWON_FIGURE_JOBS"
"""Environment variable with the number of processes :func:`save_figures` draws in."""


def figure_jobs() -> int:
    """Return how many processes draw a results folder's figures.

    ``$FOLLOWON_FIGURE_JOBS`` when set, else the cores, at most 2: more workers each hold a
    copy of matplotlib's state for little gain on the project's 2-core machines. 1 where
    forking is unsafe: on platforms without ``fork``, and once JAX is imported (it is
    multithreaded), i.e. after a NUTS fit in the same process.

    Raises
    ------
    OutputError
        ``$FOLLOWON_FIGURE_JOBS`` is not a whole number ≥ 1.
    """
    import os

    from followon.errors import OutputError

    value = os.environ.get(FIGURE_JOBS_ENV, "").strip()
    if value and (not value.isdigit() or int(value) < 1):
        raise OutputError(
            f"{FIGURE_JOBS_ENV}={value!r}: give the number of processes that draw the figures, "
            "a whole number ≥ 1 (1: one after another), or unset it."
        )
    if not fork_safe():
        return 1
    return int(value) if value else min(2, os.cpu_count() or 1)


def fork_safe() -> bool:
    """Whether this process may fork figure workers: ``fork`` exists and JAX is not loaded."""
    import multiprocessing

    from followon._lazy import jax_loaded

    return "fork" in multiprocessing.get_all_start_methods() and not jax_loaded()


def _run_task(index: int) -> list[Path]:
    paths = _TASKS[index]()
    plt.close("all")
    return paths


Task = tuple[float, Callable[[], list[Path]]]
"""A figure's rough cost in seconds and the callable that draws and saves it."""


def _figure_tasks(result: Any, folder: Path) -> list[Task]:
    """One task per figure (or small group) in the folder's order, with its rough cost.

    The costs are the seconds each took on ``plenum-2025-06`` (quick, one process, this
    machine): timeline 4.7, posterior predictive check 4.6, event study 2.3, at a glance with
    combined 2.1, hazard ratios 1.8, forecast, hazard and comparison ≈ 1 each.
    """
    from followon.plotting.style import paper_style, save_figure
    from followon.plotting.timeline import grow_for_key, plot_scenario_timeline

    tasks: list[Task] = []
    subject = QUICK_NOTE if getattr(result, "quick", False) else None

    def timeline() -> list[Path]:
        with paper_style("double", height_mm=TIMELINE_HEIGHT_MM):
            fig, ax = plt.subplots()
            plot_scenario_timeline(result, ax=ax)
            grow_for_key(fig, ax)
            paths = save_figure(fig, folder / "timeline")
            plt.close(fig)
        return paths

    def single(name: str, fn: Callable[..., Any], outcome: str) -> Callable[[], list[Path]]:
        def draw() -> list[Path]:
            with paper_style("single", height_mm=figure_height_mm(result, name, outcome)):
                fig, ax = plt.subplots()
                fn(result, outcome, ax=ax)
                paths = save_figure(fig, folder / f"{name}_{outcome}", subject=subject)
                plt.close(fig)
            return paths

        return draw

    if getattr(result, "events", None) is not None:
        tasks.append((4.7, timeline))
    has_hazard = len(getattr(result, "hazard_curves", ())) > 0
    for outcome in map(str, result.curves["outcome"].unique()):
        for name, fn in (
            ("forecast", plot_forecast),
            ("hazard", plot_hazard),
            ("hazard_ratios", plot_hazard_ratios),
            ("comparison", plot_comparison),
        ):
            if fn is plot_hazard and not has_hazard:
                continue
            tasks.append((1.8 if name == "hazard_ratios" else 1.0, single(name, fn, outcome)))
        tasks += [
            (2.1, functools.partial(_summary_figures, result, outcome, folder, subject)),
            (2.3, functools.partial(_event_study_figure, result, outcome, folder, subject)),
            (4.6, functools.partial(_ppc_figure, result, outcome, folder, subject)),
        ]
    joint = getattr(result, "joint", None)
    if joint is not None:
        tasks.append((3.0, functools.partial(_first_action_figures, result, folder, subject)))
    return tasks


def _first_action_figures(result: Any, folder: Path, subject: str | None) -> list[Path]:
    """Save the first-action figure of each joint hypothesis and of ``combined``."""
    from followon.plotting.joint import plot_first_action
    from followon.plotting.style import paper_style, save_figure

    joint = result.joint
    kinds = joint.curves["kind"].nunique()
    paths: list[Path] = []
    for hyp in joint.curves["hypothesis"].unique():
        with paper_style("single", height_mm=62.0 + 3.6 * math.ceil(kinds / 2)):
            fig, ax = plt.subplots()
            plot_first_action(result, str(hyp), ax=ax)
            paths += save_figure(fig, folder / f"first_action_{hyp}", subject=subject)
            plt.close(fig)
    return paths


def _summary_figures(result: Any, outcome: str, folder: Path, subject: str | None) -> list[Path]:
    """Save the at-a-glance bars and, when the result has one, the combined forecast."""
    from followon.plotting.style import paper_style, save_figure
    from followon.plotting.summary import plot_at_a_glance, plot_combined

    paths: list[Path] = []
    f = result.forecast
    rows = f[(f["outcome"] == outcome) & (f["what_if"] == "")]
    n = rows["hypothesis"].nunique() * rows["horizon_days"].nunique()
    with paper_style("single", height_mm=30.0 + 4.2 * n):
        fig, ax = plt.subplots()
        plot_at_a_glance(result, outcome, ax=ax)
        paths += save_figure(fig, folder / f"at_a_glance_{outcome}", subject=subject)
        plt.close(fig)
    if "combined" in set(rows["hypothesis"]):
        members = int(result.comparison.query("outcome == @outcome")["weight"].notna().sum())
        with paper_style("single", height_mm=55.0 + 3.8 * (members + 3)):
            fig, ax = plt.subplots()
            plot_combined(result, outcome, ax=ax)
            paths += save_figure(fig, folder / f"combined_{outcome}", subject=subject)
            plt.close(fig)
    return paths


def _ppc_figure(result: Any, outcome: str, folder: Path, subject: str | None) -> list[Path]:
    """Save the posterior predictive check of the outcome's hypotheses (double column)."""
    from followon.errors import EvaluationError
    from followon.plotting.ppc import plot_posterior_predictive
    from followon.plotting.style import paper_style, save_figure

    if not result.models:
        return []
    with paper_style("double", height_mm=PPC_HEIGHT_MM):
        try:
            fig = plot_posterior_predictive(result, outcome)
        except EvaluationError:  # no hypothesis with a daily posterior predictive
            plt.close("all")
            return []
        paths = save_figure(fig, folder / f"ppc_{outcome}", subject=subject)
        plt.close(fig)
    return paths


def _event_study_figure(result: Any, outcome: str, folder: Path, subject: str | None) -> list[Path]:
    """Save the event study when the scenario has a trigger with past ones of its type."""
    from followon.plotting.event_study import plot_event_study
    from followon.plotting.style import paper_style, save_figure
    from followon.scenarios.event_study import event_study

    if not (getattr(result, "trigger", None) or {}).get("type") or not result.models:
        return []
    try:
        study = event_study(result, outcome)
    except ModelError:  # no fitted model of the outcome, or no past trigger of the type
        return []
    entries = study.implied["hypothesis"].nunique() + 2
    with paper_style("single", height_mm=60.0 + 3.6 * entries):
        fig, ax = plt.subplots()
        plot_event_study(result, outcome, study=study, ax=ax)
        paths = save_figure(fig, folder / f"event_study_{outcome}", subject=subject)
        plt.close(fig)
    return paths


def figure_height_mm(result: Any, name: str, outcome: str) -> float:
    """Height of a single-column figure: a fixed part plus a part per row or legend line."""
    if name in ("forecast", "hazard"):
        lines = result.curves[result.curves["outcome"] == outcome]["hypothesis"].nunique()
        entries = lines + 1 + 2  # base rate, two bands
        return 52.0 + 3.6 * math.ceil(entries / 2)
    if name == "hazard_ratios":
        hr = shown_ratios(result.parameters, outcome)
        return 24.0 + 7.0 * (len(hr) + hr["hypothesis"].nunique())
    comp = result.comparison[result.comparison["outcome"] == outcome]
    return 30.0 + 7.5 * int(comp["elpd"].notna().sum()) + 3.2 * int(comp["elpd"].isna().sum())


PPC_HEIGHT_MM = 100.0
"""Height of the double-column posterior predictive check ``followon run`` writes."""
TIMELINE_HEIGHT_MM = 62.0
"""Height of the double-column timeline ``followon run`` writes."""
