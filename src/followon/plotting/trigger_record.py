"""Forecast against outcome at every past trigger: a hypothesis' record, hits and misses alike.

A backtest with trigger origins (``followon.backtest(..., at_triggers=True)``, the default)
forecasts from the day after each past trigger of the scenario's trigger type. This module
lays those forecasts beside what then happened: :func:`trigger_record` gives the numbers (per
trigger × hypothesis: the forecast, its interval and the outcome; per hypothesis: cases, hits,
misses and the Brier score over these origins), :func:`plot_trigger_record` draws them. Drawn
from the backtest's forecasts only: nothing here fits a model. (Not the forecast *ledger* of
:mod:`followon.record`, which registers live forecasts before their outcome is known.)
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from followon.errors import EvaluationError, FollowonError, did_you_mean
from followon.evaluation.scores import BACKTEST_COLUMNS, brier_score
from followon.plotting.figures import result_keys
from followon.plotting.keys import (
    CLIMATOLOGY,
    COMBINED,
    HypothesisStyle,
    name_of,
    parameter_label,
)
from followon.plotting.style import MIN_TEXT_PT

__all__ = ["TriggerRecord", "plot_trigger_record", "trigger_record"]

HIT, MISS, CENSORED = "hit", "miss", "censored"
MAX_TICK_LABELS = 60
"""More trigger origins than this: only every k-th gets a date label."""


@dataclass(frozen=True)
class TriggerRecord:
    """The numbers behind :func:`plot_trigger_record`, for one outcome.

    Attributes
    ----------
    outcome : str
        The outcome id.
    forecasts : DataFrame
        One row per trigger origin × hypothesis × horizon: ``trigger`` (event id(s)),
        ``trigger_date`` (the day before the origin: the trigger's last day), ``origin_date``,
        ``first_event_day`` (days from the trigger's last day to the first outcome event on or
        after the origin — day *k* is inside a horizon *H* when *k* ≤ *H*; empty when no event
        was observed or no events were given), ``hypothesis``, ``horizon_days``, ``p_mean``,
        ``p_low``, ``p_high`` (empty for point forecasts such as climatology), ``observed``
        (1, 0, NaN when censored) and ``result`` (``hit``: the outcome happened within H days;
        ``miss``: it did not; ``censored``: the window is still open at the data's end).
    scores : DataFrame
        One row per hypothesis × horizon: ``n`` (resolved trigger origins), ``hits``,
        ``misses``, ``censored`` (left out of the score) and ``brier`` (mean of
        :math:`(p - y)^2` over the ``n`` resolved origins; NaN when none resolved).
    """

    outcome: str
    forecasts: pd.DataFrame
    scores: pd.DataFrame


def _valid(values: Sequence[Any]) -> str:
    return ", ".join(str(v) for v in values)


def _trigger_rows(result: Any) -> pd.DataFrame:
    frame = getattr(result, "forecasts", None)
    if not isinstance(frame, pd.DataFrame):
        raise EvaluationError(
            f"expected a followon.backtest(...) result (with a .forecasts table), not "
            f"{type(result).__name__}."
        )
    missing = [c for c in BACKTEST_COLUMNS if c not in frame.columns]
    if missing:
        raise EvaluationError(
            f"the backtest's forecasts have no column(s) {', '.join(repr(c) for c in missing)}; "
            f"a trigger record needs {', '.join(BACKTEST_COLUMNS)}."
        )
    trig = frame["trigger"].fillna("").astype(str)
    rows = frame[trig != ""].assign(trigger=trig[trig != ""])
    if rows.empty:
        raise EvaluationError(
            "the backtest has no trigger origins (every 'trigger' is empty): run it with "
            "trigger origins — followon.backtest(scenario, at_triggers=True), the default, or "
            "`followon backtest` without --no-triggers."
        )
    return rows


def _choose_outcome(rows: pd.DataFrame, outcome: str | None) -> str:
    present = [str(o) for o in dict.fromkeys(rows["outcome"])]
    if outcome is None:
        if len(present) > 1:
            raise EvaluationError(
                f"the backtest has several outcomes ({_valid(present)}); choose one with outcome=."
            )
        return present[0]
    if outcome not in present:
        raise EvaluationError(
            f"no outcome '{outcome}'{did_you_mean(str(outcome), present)}; the backtest has "
            f"{_valid(present)}."
        )
    return outcome


def _choose_horizons(rows: pd.DataFrame, horizon_days: int | Sequence[int] | None) -> list[int]:
    present = sorted(int(h) for h in set(rows["horizon_days"]))
    if horizon_days is None:
        return present
    wanted = [horizon_days] if isinstance(horizon_days, int | np.integer) else list(horizon_days)
    for h in wanted:
        if isinstance(h, bool) or not isinstance(h, int | np.integer) or int(h) not in present:
            raise EvaluationError(
                f"no horizon {h!r} days; the backtest has {_valid(present)} (horizon_days=)."
            )
    return [int(h) for h in wanted]


def _default_hypotheses(result: Any, present: list[str]) -> list[str]:
    """Return the scenario's hypotheses in scenario order, then ``combined``, ``climatology``."""
    scenario = getattr(result, "scenario", None)
    own = [h.id for h in getattr(scenario, "hypotheses", [])] or [
        h
        for h in present
        if h not in (COMBINED, CLIMATOLOGY) and ":" not in h and h != "recent_rate"
    ]
    return [h for h in [*own, COMBINED, CLIMATOLOGY] if h in present]


def _first_event_days(
    result: Any, outcome: str, origins: pd.Series, events: pd.DataFrame | None
) -> pd.Series:
    """Days from each trigger's last day to the first outcome event on or after its origin."""
    nan = pd.Series(np.nan, index=origins.index)
    scenario = getattr(result, "scenario", None)
    if events is None or scenario is None:
        return nan
    ids = outcome.removeprefix("any:").split("+") if outcome.startswith("any:") else [outcome]
    specs = {o.id: o for o in getattr(scenario, "outcomes", [])}
    if any(i not in specs for i in ids):
        return nan
    dates = sorted({d for i in ids for d in specs[i].build().daily_counts(events).index})
    until = (getattr(result, "meta", None) or {}).get("observed_until", {})
    ends = [pd.Timestamp(until[i]) for i in ids if i in until]
    last = min(ends) if ends else None
    day = np.array(dates, dtype="datetime64[ns]")
    out = []
    for origin in origins:
        k = int(np.searchsorted(day, np.datetime64(origin, "ns")))
        found = k < len(day) and (last is None or day[k] <= np.datetime64(last, "ns"))
        out.append((pd.Timestamp(day[k]) - origin).days + 1 if found else np.nan)
    return pd.Series(out, index=origins.index, dtype=float)


def trigger_record(
    result: Any,
    outcome: str | None = None,
    horizon_days: int | Sequence[int] | None = None,
    *,
    hypotheses: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
) -> TriggerRecord:
    """Return each hypothesis' forecasts at past triggers beside the outcomes, and its Brier.

    Parameters
    ----------
    result : BacktestResult
        A :func:`followon.backtest` result with trigger origins (rows with a ``trigger``).
    outcome : str, optional
        The outcome id; needed when the backtest has several.
    horizon_days : int or sequence of int, optional
        Horizons to keep (default: every horizon of the backtest).
    hypotheses : sequence of str, optional
        Default: the scenario's hypotheses, then ``combined`` and ``climatology`` when the
        backtest has them (not ``recent_rate`` or the ``ml:`` baselines; name them to add them).
    events : DataFrame, optional
        The events the backtest ran on (e.g. ``followon.load_events()``); with them,
        ``first_event_day`` gives the day of the first outcome event after each trigger.

    Returns
    -------
    TriggerRecord

    Raises
    ------
    EvaluationError
        The result has no trigger origins, or an unknown outcome, horizon or hypothesis (the
        message names the valid ones).
    """
    rows = _trigger_rows(result)
    outcome = _choose_outcome(rows, outcome)
    rows = rows[rows["outcome"] == outcome]
    horizons = _choose_horizons(rows, horizon_days)
    present = [str(h) for h in dict.fromkeys(rows["hypothesis"])]
    names = _default_hypotheses(result, present) if hypotheses is None else list(hypotheses)
    for name in names:
        if name not in present:
            raise EvaluationError(
                f"no hypothesis '{name}'{did_you_mean(name, present)}; the backtest has "
                f"{_valid(present)}."
            )
    rows = rows[rows["hypothesis"].isin(names) & rows["horizon_days"].isin(horizons)]
    order = {h: i for i, h in enumerate(names)}
    rows = rows.assign(
        origin_date=pd.to_datetime(rows["origin_date"]),
        _h=rows["hypothesis"].map(order),
    ).sort_values(["horizon_days", "_h", "origin_date"], kind="stable")
    first = _first_event_days(result, outcome, rows["origin_date"], events)
    observed = rows["observed"].astype(float)
    forecasts = pd.DataFrame(
        {
            "trigger": rows["trigger"],
            "trigger_date": rows["origin_date"] - pd.Timedelta(days=1),
            "origin_date": rows["origin_date"],
            "first_event_day": first,
            "hypothesis": rows["hypothesis"].astype(str),
            "horizon_days": rows["horizon_days"].astype(int),
            "p_mean": rows["p_mean"].astype(float),
            "p_low": rows["p_low"].astype(float),
            "p_high": rows["p_high"].astype(float),
            "observed": observed,
            "result": np.where(observed.isna(), CENSORED, np.where(observed == 1, HIT, MISS)),
        }
    ).reset_index(drop=True)
    scores = []
    for h_days in horizons:
        for name in names:
            g = forecasts[(forecasts["horizon_days"] == h_days) & (forecasts["hypothesis"] == name)]
            scores.append(_score(name, h_days, g))
    return TriggerRecord(outcome, forecasts, pd.DataFrame(scores))


def _score(name: str, h_days: int, g: pd.DataFrame) -> dict[str, Any]:
    done = g[g["observed"].notna()]
    return {
        "hypothesis": name,
        "horizon_days": int(h_days),
        "n": len(done),
        "hits": int((done["observed"] == 1).sum()),
        "misses": int((done["observed"] == 0).sum()),
        "censored": len(g) - len(done),
        "brier": brier_score(done["p_mean"], done["observed"]) if len(done) else math.nan,
    }


def _look(key: Mapping[str, HypothesisStyle], name: str) -> HypothesisStyle:
    st = key.get(name) or HypothesisStyle("0.2")
    return (
        st if st.marker not in ("None", "", " ") else HypothesisStyle(st.color, st.linestyle, "o")
    )


def _tick_labels(dates: list[pd.Timestamp], days: list[float]) -> list[str]:
    every = math.ceil(len(dates) / MAX_TICK_LABELS)
    out = []
    for i, (d, k) in enumerate(zip(dates, days, strict=True)):
        if i % every:
            out.append("")
            continue
        out.append(f"{d:%Y-%m-%d}" + ("" if math.isnan(k) else f" · {k:.0f}"))
    return out


def plot_trigger_record(
    result: Any,
    outcome: str | None = None,
    horizon_days: int | Sequence[int] | None = None,
    *,
    hypotheses: Sequence[str] | None = None,
    events: pd.DataFrame | None = None,
    ax: Axes | None = None,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Figure:
    """Forecast against outcome at every past trigger: the honest picture of a record.

    One panel per horizon (stacked, sharing the x axis). Along x, every trigger origin of the
    backtest in date order (one step each, labelled with the trigger's last day and, with
    ``events``, the day of the first outcome event after it); for each hypothesis its forecast
    ``p_mean`` with its interval (``p_low`` … ``p_high``), side by side, in the result's
    colours and markers (:func:`~followon.plotting.keys.style_map`; the base rate, a point
    forecast, as a dark grey dotted line). Each marker is **filled when the outcome happened**
    within H days (a hit), **open when it did not** (a miss) and faded when the window is
    still open (censored, left out of the score); a strip along the bottom of each panel repeats
    the outcome per trigger (● hit, ○ miss, × censored), so a confident miss shows as clearly
    as a hit. Above each panel: the horizon, the counts, and each hypothesis' Brier score over
    these trigger origins (:func:`trigger_record` gives the numbers).

    Parameters
    ----------
    result : BacktestResult
        A :func:`followon.backtest` result with trigger origins.
    outcome, horizon_days, hypotheses, events
        As for :func:`trigger_record`.
    ax : matplotlib.axes.Axes, optional
        Draw one horizon here (``horizon_days`` must pick one when the backtest has several).
    styles, labels : mapping, optional
        Hypothesis → colour/style, and id → text, over the scenario's ``labels:``.

    Returns
    -------
    matplotlib.figure.Figure
        Its axes are the panels, one per horizon, shortest first.

    Raises
    ------
    EvaluationError
        As :func:`trigger_record`, or ``ax`` with several horizons.
    """
    rec = trigger_record(result, outcome, horizon_days, hypotheses=hypotheses, events=events)
    horizons = list(dict.fromkeys(rec.forecasts["horizon_days"]))
    if ax is not None and len(horizons) > 1:
        raise EvaluationError(
            f"ax= draws one horizon; the backtest has {_valid(horizons)}: choose one with "
            "horizon_days=, or leave ax unset for one panel each."
        )
    key, words = result_keys(result, styles, labels)
    if ax is None:
        fig, axes = plt.subplots(len(horizons), 1, sharex=True, squeeze=False)
        panels = list(axes[:, 0])
    else:
        found = ax.get_figure(root=True)
        assert isinstance(found, Figure)
        fig, panels = found, [ax]
    names = list(dict.fromkeys(rec.forecasts["hypothesis"]))
    with_interval = [
        n
        for n in names
        if rec.forecasts.loc[rec.forecasts["hypothesis"] == n, "p_low"].notna().any()
    ]
    width = 0.7
    offsets = dict(
        zip(
            with_interval,
            np.linspace(-width / 2, width / 2, len(with_interval))
            if len(with_interval) > 1
            else [0.0],
            strict=True,
        )
    )
    origins = sorted(set(rec.forecasts["origin_date"]))
    x_of = {o: i for i, o in enumerate(origins)}
    for pax, h_days in zip(panels, horizons, strict=True):
        f = rec.forecasts[rec.forecasts["horizon_days"] == h_days]
        _panel(
            pax,
            f,
            rec.scores[rec.scores["horizon_days"] == h_days],
            h_days,
            names,
            offsets,
            x_of,
            key,
            words,
        )
    last = panels[-1]
    first = rec.forecasts.drop_duplicates("origin_date").set_index("origin_date")
    last.set_xticks(
        range(len(origins)),
        _tick_labels(
            [first.loc[o, "trigger_date"] for o in origins],
            [float(first.loc[o, "first_event_day"]) for o in origins],
        ),
        rotation=90,
    )
    last.set_xlim(-0.7, len(origins) - 0.3)
    trigger_type = _trigger_type(result, events)
    # the trigger type in the words of every figure ("plenum", "summit"), as a covariate's
    what = (
        parameter_label(f"{trigger_type}[during]", words).split(",")[0]
        if trigger_type
        else "trigger"
    )
    has_days = rec.forecasts["first_event_day"].notna().any()
    last.set_xlabel(
        f"past {what}s (last day)"
        + (f" · day of the first {name_of(rec.outcome, words)} after it" if has_days else "")
    )
    within = f"{horizons[0]} days" if len(horizons) == 1 else "H days"
    handles = [
        Line2D([], [], linestyle="none", label=name_of(n, words), **_marker_kwargs(key, n))
        if n in offsets
        else Line2D([], [], label=name_of(n, words), **key[n].line_kwargs())
        if n in key
        else Line2D([], [], color="0.3", label=name_of(n, words))
        for n in names
    ]
    handles += [
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            color="0.15",
            markersize=4,
            label=f"outcome happened within {within} (hit): filled",
        ),
        Line2D(
            [],
            [],
            linestyle="none",
            marker="o",
            color="0.15",
            markerfacecolor="white",
            markersize=4,
            label="it did not (miss): open",
        ),
    ]
    if (rec.forecasts["result"] == CENSORED).any():
        handles.append(
            Line2D(
                [],
                [],
                linestyle="none",
                marker="x",
                color="0.5",
                markersize=4,
                label="censored: window still open, not scored",
            )
        )
    fig.legend(handles=handles, loc="outside lower center", ncols=2, handlelength=2.6)
    return fig


def _marker_kwargs(key: Mapping[str, HypothesisStyle], name: str) -> dict[str, Any]:
    st = _look(key, name)
    return {"color": st.color, "marker": st.marker, "markersize": 3.5}


def _trigger_type(result: Any, events: pd.DataFrame | None) -> str | None:
    """Return the trigger type; for a trigger given by event id, its type in ``events``."""
    trigger = getattr(getattr(result, "scenario", None), "trigger", None)
    kind = getattr(trigger, "type", None)
    event_id = getattr(trigger, "event_id", None)
    if kind is None and event_id is not None and events is not None:
        hit = events.loc[events["event_id"] == event_id, "type"]
        kind = str(hit.iloc[0]) if len(hit) else None
    return kind


def _panel(
    ax: Axes,
    f: pd.DataFrame,
    scores: pd.DataFrame,
    h_days: int,
    names: list[str],
    offsets: Mapping[str, float],
    x_of: Mapping[pd.Timestamp, int],
    key: Mapping[str, HypothesisStyle],
    words: Mapping[str, str],
) -> None:
    strip = -0.1
    for i, name in enumerate(names):
        g = f[f["hypothesis"] == name]
        x = np.array([x_of[o] for o in g["origin_date"]], dtype=float)
        p = g["p_mean"].to_numpy()
        if name not in offsets:  # a point forecast: the base rate as a line through the triggers
            st = key.get(name) or HypothesisStyle("0.3", ":", "None", 0.9)
            ax.plot(x, p, zorder=2, **st.line_kwargs())
            continue
        st = _look(key, name)
        xs = x + offsets[name]
        lo, hi = g["p_low"].to_numpy(), g["p_high"].to_numpy()
        for res, face, alpha in (
            (HIT, st.color, 1.0),
            (MISS, "white", 1.0),
            (CENSORED, "white", 0.35),
        ):
            m = (g["result"] == res).to_numpy()
            if not m.any():
                continue
            ax.vlines(xs[m], lo[m], hi[m], color=st.color, linewidth=0.8, alpha=alpha, zorder=3)
            ax.plot(
                xs[m],
                p[m],
                linestyle="none",
                marker=st.marker,
                color=st.color,
                markerfacecolor=face,
                markeredgewidth=0.8,
                markersize=3.5,
                alpha=alpha,
                zorder=4 + 0.1 * i,
                gid=f"{name}:{res}",
            )
    outcomes = f.drop_duplicates("origin_date")
    xo = np.array([x_of[o] for o in outcomes["origin_date"]], dtype=float)
    looks: tuple[tuple[str, dict[str, Any]], ...] = (
        (HIT, {"marker": "o", "color": "0.15"}),
        (MISS, {"marker": "o", "color": "0.15", "markerfacecolor": "white"}),
        (CENSORED, {"marker": "x", "color": "0.5"}),
    )
    for res, kw in looks:
        m = (outcomes["result"] == res).to_numpy()
        if not m.any():
            continue
        ax.plot(
            xo[m],
            np.full(m.sum(), strip),
            linestyle="none",
            markersize=4,
            markeredgewidth=0.9,
            clip_on=False,
            gid=f"strip:{res}",
            **kw,
        )
    ax.axhline(-0.05, color="0.6", linewidth=0.5)
    ax.set_ylim(-0.16, 1.02)
    ax.set_yticks([strip, 0, 0.5, 1], ["outcome", "0", "0.5", "1"])
    ax.set_ylabel(f"P(within {h_days} d)")
    one = {str(k): v for k, v in scores.iloc[0].items()}
    head = f"within {h_days} days: {one['hits']} hits, {one['misses']} misses" + (
        f", {one['censored']} censored (not scored)" if one["censored"] else ""
    )
    brier = dict(zip(scores["hypothesis"].astype(str), scores["brier"].astype(float), strict=True))
    briers = [
        f"{name_of(n, words)} {brier[n]:.3f}"
        for n in names
        if not math.isnan(brier.get(n, math.nan))
    ]
    rows = [", ".join(briers[i : i + 3]) for i in range(0, len(briers), 3)]
    ax.set_title(
        head + "\nBrier over these triggers (lower is better): " + ";\n".join(rows),
        loc="left",
        fontsize=MIN_TEXT_PT,
    )


def trigger_record_height_mm(result: Any, outcome: str, horizons: int = 1) -> float:
    """Height (mm) of a :func:`plot_trigger_record` figure at double-column width.

    A 52 mm panel per horizon under its three-line heading, the rotated date labels and the
    two-column legend.
    """
    rec = trigger_record(result, outcome, None)
    n = rec.forecasts["hypothesis"].nunique()
    return 22.0 + (52.0 + 4.0 * (1 + math.ceil(n / 3))) * horizons + 4.0 * math.ceil((n + 3) / 2)


def backtest_events(result: Any) -> pd.DataFrame | None:
    """Return the scenario's events if the backtest ran on them (same sha256), else None.

    A backtest given its events directly, or whose data changed since, gets None: its first
    event days are then left out rather than read from other data.
    """
    from followon.scenarios.build import load_scenario_events

    scenario = getattr(result, "scenario", None)
    sha = (getattr(result, "meta", None) or {}).get("data_sha256")
    if scenario is None or not sha:
        return None
    try:
        events, found = load_scenario_events(scenario)
    except (FollowonError, OSError):
        return None
    return events if found == sha else None


def save_trigger_records(result: Any, folder: Any) -> list[Any]:
    """Write ``trigger_record_<outcome>_<H>d`` (PDF and PNG) per outcome × horizon; the paths.

    Nothing when the backtest has no trigger origins (``--no-triggers``) or no trigger origin
    of an outcome and horizon resolved yet.
    """
    from pathlib import Path

    from followon.plotting.style import paper_style, save_figure

    frame = result.forecasts
    if not (frame["trigger"].fillna("").astype(str) != "").any():
        return []
    events = backtest_events(result)
    paths: list[Any] = []
    for outcome in dict.fromkeys(frame["outcome"]):
        rec = trigger_record(result, str(outcome))
        for h_days in sorted({int(h) for h in rec.forecasts["horizon_days"]}):
            g = rec.forecasts[rec.forecasts["horizon_days"] == h_days]
            if g["observed"].isna().all():
                continue
            height = trigger_record_height_mm(result, str(outcome))
            with paper_style("double", height_mm=height):
                fig = plot_trigger_record(result, str(outcome), h_days, events=events)
                stem = Path(folder) / f"trigger_record_{outcome}_{h_days}d"
                paths += save_figure(fig, stem)
                plt.close(fig)
    return paths
