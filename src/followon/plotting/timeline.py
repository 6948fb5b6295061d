"""Event timeline: point events in rows by type, triggers labelled, summits and exercises shaded.

Drawn from an event table (as :func:`followon.load_events` returns it) or from a finished
scenario result; nothing is fitted here. Readable from one year (monthly ticks, every meeting
labelled) to fifteen (yearly ticks; meeting labels only where they fit, by priority: the
highlighted trigger, congresses, plenums, then Politburo meetings).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.textpath import TextPath

from followon.errors import DataError, ModelError, did_you_mean
from followon.events.catalog import catalogued_from, observed_until
from followon.events.schema import event_types
from followon.exposure.outcomes import Outcome
from followon.plotting.keys import outcome_label, result_labels
from followon.plotting.style import MIN_TEXT_PT, OKABE_ITO

__all__ = [
    "POINT_TYPES",
    "TRIGGER_TYPES",
    "catalog_coverage",
    "grow_for_key",
    "plot_scenario_timeline",
    "plot_timeline",
]

POINT_TYPES: tuple[str, ...] = (
    "missile_launch",
    "nuclear_test",
    "satellite_launch",
    "balloon_launch",
)
"""Types drawn as ticks, one row each (in this order, top to bottom)."""
TRIGGER_TYPES: tuple[str, ...] = ("party_congress", "plenary_meeting", "politburo_meeting")
"""Types drawn as labelled ticks on the trigger row by default (party meetings)."""

_ROW_COLOURS = {
    "missile_launch": OKABE_ITO[0],
    "nuclear_test": OKABE_ITO[1],
    "satellite_launch": OKABE_ITO[3],
    "balloon_launch": OKABE_ITO[4],
}
# (legend label, face colour, alpha, edge): exercises wide and light, summits narrow and outlined
_SHADES = {
    "military_exercise": ("US–ROK exercise", "0.86", 1.0, "none"),
    "summit": ("summit", OKABE_ITO[2], 0.45, OKABE_ITO[2]),
}
# (legend label, tick length in rows, line width, label priority: lower is labelled first)
_TRIGGER_LOOK = {
    "party_congress": ("party congress", 0.8, 1.4, 1),
    "plenary_meeting": ("plenum", 0.8, 0.8, 2),
    "politburo_meeting": ("Politburo", 0.45, 0.6, 3),
}
_OTHER_TRIGGER = ("trigger", 0.6, 0.8, 4)
_ROW_NAMES = {"missile_launch": "missile launch day", "balloon_launch": "balloon round"}
_HIGHLIGHT = OKABE_ITO[1]
_LABEL_PT = MIN_TEXT_PT
_LEVEL_PT = 8.5  # vertical step between label levels
_ORD = r"(\d+)(?:st|nd|rd|th)"


def _day(value: Any) -> pd.Timestamp:
    return pd.Timestamp(str(value)).normalize()


def _num(dates: Any) -> np.ndarray:
    """Matplotlib date numbers of the start of each day."""
    return np.asarray(mdates.date2num(pd.DatetimeIndex(dates).to_numpy()), dtype=float)


def _short_label(row: Any) -> str:
    """Return a few characters for a meeting: ``CC8 P10``, ``CC8 PB6``, ``9th Congress``."""
    label = row.get("label")
    label = "" if label is None or pd.isna(label) else str(label)
    if m := re.match(rf"{_ORD} CC, {_ORD} plenary", label):
        return f"CC{m[1]} P{m[2]}"
    if m := re.match(rf"{_ORD} CC, {_ORD} Politburo", label):
        return f"CC{m[1]} PB{m[2]}"
    if m := re.match(rf"{_ORD} CC, Politburo", label):
        return f"CC{m[1]} PB"
    if m := re.match(rf"{_ORD} Party Congress", label):
        return f"{m[0].split()[0]} Congress"
    kind = _TRIGGER_LOOK.get(str(row.get("type")), _OTHER_TRIGGER)[0]
    if str(row.get("source", "")) == "scenario" or str(row.get("event_id", "")).startswith(
        "hypothetical"
    ):
        return f"{kind}?"
    if label and len(label) <= 16:
        return label
    return str(row.get("event_id") or kind)


_FAMILY_FIRST = {"Xi", "Hu", "Moon", "Yoon", "Lee", "Kim", "To", "Nguyen"}
_WHOLE_NAME = {"To"}  # a family name that reads as an English word: "To Lam", not "To Oct 2025"
_SUMMIT_TEXT = "#00664A"  # Okabe–Ito green, darkened to read as text


def _summit_label(row: Any, long: bool) -> str:
    """Return ``Putin 19 Jun`` (``Putin Jun 2024`` over long spans) for a summit row."""
    label = row.get("label")
    label = "" if label is None or pd.isna(label) else str(label)
    words = re.sub(r"\(.*?\)", "", label.split("–")[-1].split(",")[0]).split()
    # family name: last for most, first for Chinese, Korean and Vietnamese names
    who = (words[0] if words[0] in _FAMILY_FIRST else words[-1]) if words else "summit"
    if who in _WHOLE_NAME:
        who = " ".join(words)
    day = pd.Timestamp(row["date"])
    return f"{who} {day:%b %Y}" if long else f"{who} {day.day} {day:%b}"


def _text_width_pt(text: str) -> float:
    path = TextPath((0, 0), text, size=_LABEL_PT, prop=FontProperties(size=_LABEL_PT))
    return float(path.get_extents().width)


class YearOnFirstTick(mdates.ConciseDateFormatter):
    """Concise month labels ("Sep", January as "2024") with the year on the first one."""

    def format_ticks(self, values: Any) -> list[str]:
        labels = list(super().format_ticks(values))
        low = self.axis.get_view_interval()[0] if self.axis is not None else -np.inf
        for i, value in enumerate(values):
            if value >= low - 1e-9:
                if labels[i] and not labels[i].isdigit():
                    labels[i] = f"{labels[i]} {mdates.num2date(value).year}"
                break
        return labels


def _date_axis(ax: Axes, start: pd.Timestamp, end: pd.Timestamp) -> None:
    """Months (concise labels) up to two years, whole years beyond."""
    span = (end - start).days
    if span <= 2 * 366:
        # January always gets a tick, labelled with the year, and so does the first tick
        # ("Jul 2024"): no month is left without its year
        major = mdates.MonthLocator(bymonth=None if span <= 400 else (1, 3, 5, 7, 9, 11))
        ax.xaxis.set_major_locator(major)
        ax.xaxis.set_major_formatter(YearOnFirstTick(major, show_offset=False))
        ax.xaxis.set_minor_locator(mdates.DayLocator(bymonthday=(8, 15, 22)))
    else:
        base = 1 if span <= 16 * 366 else 2 if span <= 32 * 366 else 5
        ax.xaxis.set_major_locator(mdates.YearLocator(base))
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y"))
        ax.xaxis.set_minor_locator(mdates.MonthLocator(bymonth=(1, 4, 7, 10)))


def _in_window(frame: pd.DataFrame, start: pd.Timestamp, end: pd.Timestamp) -> pd.DataFrame:
    last = frame["end_date"].fillna(frame["date"]) if "end_date" in frame else frame["date"]
    return frame[(frame["date"] <= end) & (last >= start)]


def _trigger_rows(
    events: pd.DataFrame, triggers: pd.DataFrame | Sequence[str] | None
) -> pd.DataFrame:
    if triggers is None:
        return events[events["type"].isin(TRIGGER_TYPES)]
    if isinstance(triggers, pd.DataFrame):
        missing = [c for c in ("type", "date") if c not in triggers.columns]
        if missing:
            raise DataError(f"triggers: missing column '{missing[0]}'; needs type and date.")
        out = triggers.copy()
        out["date"] = pd.to_datetime(out["date"])
        out["end_date"] = pd.to_datetime(out["end_date"]) if "end_date" in out else pd.NaT
        return out
    _check_types(list(triggers), "triggers")
    return events[events["type"].isin(list(triggers))]


_UNCATALOGUED = "0.6"  # hatch colour of days a type's table does not reach back to
_PARTIAL_HATCHES = ("\\\\\\\\", "....", "xxxx")
_OUTCOME_MARKERS = ("v", "o", "s")
_FADED = 0.35  # alpha of events after their table's observed-until


Coverage = Mapping[str, tuple[Any, Any]]


def catalog_coverage() -> dict[str, tuple[pd.Timestamp, pd.Timestamp]]:
    """Type → (first catalogued day, observed-until) of the bundled catalog and overlay."""
    until = observed_until()
    first = catalogued_from()
    return {t: (first.get(t, pd.Timestamp.min), day) for t, day in until.items()}


def _coverage_days(
    coverage: Coverage | Literal["catalog"] | None,
) -> tuple[dict[str, pd.Timestamp], dict[str, pd.Timestamp]]:
    """Type → first catalogued day and type → observed-until, from ``coverage=``."""
    if isinstance(coverage, str) and coverage != "catalog":
        raise DataError(f"coverage: '{coverage}' is not 'catalog', a mapping or None.")
    cover = catalog_coverage() if coverage == "catalog" else dict(coverage or {})
    days: tuple[dict[str, pd.Timestamp], dict[str, pd.Timestamp]] = ({}, {})
    for t, pair in cover.items():
        for side, value in zip(days, pair, strict=True):
            if value is None or pd.isna(value):
                continue
            try:
                side[t] = _day(value)
            except ValueError:
                raise DataError(
                    f"coverage['{t}']: '{value}' is not a date; give (first catalogued day, "
                    "observed-until) as YYYY-MM-DD or None."
                ) from None
    return days


def _gaps(
    types: Sequence[str], first: Mapping[str, pd.Timestamp], start: pd.Timestamp
) -> list[tuple[pd.Timestamp, pd.Timestamp, list[str]]]:
    """Spans from ``start`` where some of ``types`` are not yet catalogued, with those types."""
    starts = sorted({first[t] for t in types if t in first and first[t] > start})
    out = []
    for a, b in zip([start, *starts], starts, strict=False):
        out.append((a, b, [t for t in types if t in first and first[t] >= b]))
    return out


def _hatch_gaps(
    ax: Axes,
    y: float,
    types: Sequence[str],
    first: Mapping[str, pd.Timestamp],
    start: pd.Timestamp,
    end: pd.Timestamp,
    names: Mapping[str, str],
) -> list[Patch]:
    """Hatch the row at ``y`` where its types are not catalogued; return legend handles."""
    handles = []
    partial = 0
    for a, b, missing in _gaps(types, first, start):
        b = min(b, end + pd.Timedelta(days=1))
        if len(missing) == len(types):
            label, hatch = "not catalogued", "xx"
        else:
            label = "not catalogued: " + ", ".join(names.get(t, t) for t in missing)
            hatch = _PARTIAL_HATCHES[min(partial, len(_PARTIAL_HATCHES) - 1)]
            partial += 1
        x_a, x_b = _num([a, b])
        patch = Rectangle(
            (x_a, y - 0.42),
            x_b - x_a,
            0.84,
            facecolor="none",
            edgecolor=_UNCATALOGUED,
            hatch=hatch,
            linewidth=0,
            zorder=0.4,
        )
        patch.set_hatch_linewidth(0.35)
        ax.add_patch(patch)
        handles.append(Patch(facecolor="none", edgecolor=_UNCATALOGUED, hatch=hatch, label=label))
    return handles


def _marked(outcomes: Sequence[Outcome], rows: Sequence[str]) -> list[Outcome]:
    """Outcomes that pick out part of a drawn row (a subtype or filter), at most three."""
    out = []
    for outcome in outcomes:
        if outcome.type in rows and (outcome.subtype or outcome.where):
            out.append(outcome)
    return out[: len(_OUTCOME_MARKERS)]


def _key_below(ax: Axes, handles: list[Any]) -> None:
    """Put the key under the axes in the most columns (two rows or more) that fit its width."""
    fig = ax.get_figure(root=True)
    ncols = max(1, math.ceil(len(handles) / 2))
    while True:
        legend = ax.legend(
            handles=handles,
            loc="upper center",
            bbox_to_anchor=(0.5, 0.0),
            ncols=ncols,
            handlelength=1.4,
            columnspacing=1.2,
            borderaxespad=2.2,
        )
        if fig is None or ncols == 1:
            return
        renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
        # no wider than the axes: a wider key would squeeze them sideways after the meeting
        # labels were fitted to their width
        if legend.get_window_extent(renderer).width <= ax.bbox.width:
            return
        ncols -= 1


def grow_for_key(fig: Figure, ax: Axes, rows: int = 2) -> None:
    """Make ``fig`` taller by the key rows of ``ax``'s legend beyond ``rows``.

    :func:`plot_timeline` puts its key under the dates in as many columns as fit; a key of
    many entries takes more rows, and the figure that holds it grows instead of squeezing
    the rows of events. Call it before saving a figure of fixed size.
    """
    legend = ax.get_legend()
    if legend is None or not legend.get_texts():
        return
    fig.draw_without_rendering()
    tops = {round(t.get_window_extent().y0, 1) for t in legend.get_texts()}
    size = float(legend.get_texts()[0].get_fontsize())
    extra = (len(tops) - rows) * size * (1 + float(legend.labelspacing or 0.5)) / 72
    if extra > 0:
        fig.set_figheight(fig.get_figheight() + extra)


def _check_types(types: list[str], what: str) -> None:
    allowed = event_types()  # built in, and declared by overlay files
    for t in types:
        if t not in allowed:
            raise DataError(
                f"{what}: no event type '{t}'{did_you_mean(t, allowed)}; "
                f"allowed: {', '.join(allowed)}."
            )


def _label_triggers(
    ax: Axes,
    rows: pd.DataFrame,
    y: float,
    highlight: set[str],
    blocked: Sequence[float] = (),
    levels: int = 3,
    text_of: Any = None,
    colour: str = "0.15",
    latest_first: bool = False,
) -> None:
    """Label ticks where the label fits, centred over its tick, on one of ``levels`` lines.

    By priority (the highlighted trigger, congresses, plenums, Politburo meetings). A label
    is only ever centred over its own tick, so it never sits over another meeting's; no
    label but a highlighted one crosses an x in ``blocked`` (the as-of line).
    """
    text_of = text_of or _short_label
    x0, x1 = ax.get_xlim()
    fig = ax.get_figure(root=True)
    assert fig is not None
    width_pt = ax.get_position().width * fig.get_figwidth() * 72.0
    days_per_pt = (x1 - x0) / width_pt
    gap = 2.0 * days_per_pt
    placed: list[list[tuple[float, float]]] = [[] for _ in range(levels)]
    records: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()} for r in rows.to_dict("records")
    ]

    def priority(r: dict[str, Any]) -> tuple[int, float]:
        if latest_first:  # summits: the latest (nearest the trigger) first
            return (0, -r["x"])
        if r["event_id"] in highlight:
            return (0, r["x"])
        return (_TRIGGER_LOOK.get(str(r["type"]), _OTHER_TRIGGER)[3], r["x"])

    def fits(lo: float, hi: float, taken: list[tuple[float, float]], free: bool) -> bool:
        if lo < x0 or hi > x1:
            return False
        if not free and any(lo - gap < b < hi + gap for b in blocked):
            return False
        return all(hi + gap <= a or lo - gap >= b for a, b in taken)

    for r in sorted(records, key=priority):
        x, text = float(r["x"]), text_of(r)
        w = _text_width_pt(text) * days_per_pt
        hot = r["event_id"] in highlight
        # centred over the tick; a highlighted trigger's label may end at its tick instead,
        # clear of the as-of line that usually follows it
        options = [("center", x - w / 2, x + w / 2)]
        if hot or latest_first:
            options.append(("right", x - w, x))
        spot = next(
            (
                (level, ha, lo, hi)
                for level, taken in enumerate(placed)
                for ha, lo, hi in options
                if fits(lo, hi, taken, hot)
            ),
            None,
        )
        if spot is None:
            continue
        level, ha, lo, hi = spot
        placed[level].append((lo, hi))
        ax.annotate(
            text,
            (x, y + 0.42),
            xytext=(0, 1.0 + level * _LEVEL_PT),
            textcoords="offset points",
            ha=ha,
            va="bottom",
            fontsize=_LABEL_PT,
            color=_HIGHLIGHT if hot else colour,
            annotation_clip=False,
        )


def plot_timeline(
    events: pd.DataFrame,
    *,
    start: Any,
    end: Any,
    as_of: Any = None,
    forecast_days: int | None = None,
    origin: Any = None,
    triggers: pd.DataFrame | Sequence[str] | None = None,
    highlight: Sequence[str] = (),
    types: Sequence[str] | None = None,
    ax: Axes | None = None,
    observed_until: Any = None,
    coverage: Coverage | Literal["catalog"] | None = "catalog",
    outcomes: Sequence[Outcome] = (),
    labels: Mapping[str, str] | None = None,
) -> Axes:
    """Events from ``start`` to ``end``: ticks by type, labelled triggers, shaded spans.

    Point events (missile launch days, nuclear tests, satellite launches, balloon rounds) are
    ``eventplot`` ticks, one row per type; triggers are ticks at their last day on a row of
    their own at the top, labelled where the label fits; summits and US–ROK exercise windows
    are shaded across the axes, and summits named on a row of their own at the bottom
    ("Putin 19 Jun"); ``as_of`` is a black line and the forecast window hatched; days after
    ``observed_until`` are shaded "not yet observed" (they are unknown, not quiet). Where a
    row's table does not reach back (party meetings are catalogued from May 2016, Politburo
    meetings from January 2021, balloon rounds from May 2024) the row is hatched "not
    catalogued", and events after their table's observed-until (provisional, one source) are
    faded. Outcomes that pick out part of a row (``ICBM`` launch days) get a marker above
    their ticks.

    Parameters
    ----------
    events : DataFrame
        Columns ``event_id, type, date`` and optionally ``end_date, label`` (the catalog schema).
    start, end : date-like
        First and last day shown. Up to two years the axis has monthly ticks, beyond it years.
    as_of : date-like, optional
        The first day not used to fit, drawn as a vertical line.
    forecast_days : int, optional
        With ``as_of`` or ``origin``: hatch the days ``origin + 1 … origin + forecast_days``.
    origin : date-like, optional
        The day forecasts count from (default: the day before ``as_of``).
    triggers : DataFrame or sequence of str, optional
        Rows for the trigger row (may include hypothetical meetings), or event types to take
        from ``events``; default: party congresses, plenums and Politburo meetings.
    highlight : sequence of str
        ``event_id`` of triggers drawn in vermillion and labelled first.
    types : sequence of str, optional
        Point-event rows to draw; default: those of :data:`POINT_TYPES` with events shown.
    ax : matplotlib Axes, optional
    observed_until : date-like, optional
        The last day the catalog covers; later days are shaded as not observed.
    coverage : ``"catalog"``, mapping or None
        Type → (first catalogued day, observed-until): rows are hatched before the first
        day, events after the second faded. ``"catalog"`` (default) takes the bundled
        catalog's dates (:func:`followon.catalogued_from`, :func:`followon.observed_until`);
        None draws neither.
    outcomes : sequence of Outcome
        Outcomes to mark: each one with a subtype or filter gets its own marker above the
        ticks it counts (up to three).
    labels : mapping, optional
        Text for outcome ids in the key (``{"icbm": "ICBM launch"}``).

    Returns
    -------
    matplotlib Axes

    Raises
    ------
    DataError
        An unknown event type in ``types`` or ``triggers``, or ``end`` before ``start``.
    """
    start, end = _day(start), _day(end)
    if end < start:
        raise DataError(f"end {end:%Y-%m-%d} is before start {start:%Y-%m-%d}.")
    if types is not None:
        _check_types(list(types), "types")
    if ax is None:
        _, ax = plt.subplots()
    shown = _in_window(events, start, end)
    x0, x1 = float(_num([start])[0]), float(_num([end + pd.Timedelta(days=1)])[0])
    ax.set_xlim(x0, x1)
    handles: list[Any] = []

    for kind, (label, face, alpha, edge) in _SHADES.items():
        spans = shown[shown["type"] == kind]
        last = spans["end_date"].fillna(spans["date"]) if "end_date" in spans else spans["date"]
        for first, final in zip(spans["date"], last, strict=True):
            a, b = _num([first, final + pd.Timedelta(days=1)])
            ax.axvspan(a, b, facecolor=face, alpha=alpha, edgecolor=edge, linewidth=0.3, zorder=0)
        if len(spans):
            handles.append(Patch(facecolor=face, alpha=alpha, edgecolor=edge, label=label))

    rows = list(types) if types is not None else [t for t in POINT_TYPES if t in set(shown["type"])]
    summits = shown[shown["type"] == "summit"].copy()
    lift = 1 if len(summits) else 0  # a row at the bottom names the summits
    n = len(rows)
    first_day, last_day = _coverage_days(coverage)
    words = {t: _ROW_NAMES.get(t, t.replace("_", " ")) for t in rows}
    gap_handles: list[Patch] = []
    faded = False
    marked = _marked(outcomes, rows)
    mark_handles: list[Line2D] = []
    for i, kind in enumerate(rows):
        y = n - 1 - i + lift
        of_kind = shown[shown["type"] == kind]
        late = of_kind["date"] > last_day.get(kind, end)
        for part, alpha in ((of_kind[~late], 1.0), (of_kind[late], _FADED)):
            if len(part):
                ax.eventplot(
                    _num(part["date"]) + 0.5,
                    lineoffsets=y,
                    linelengths=0.7,
                    linewidths=0.6,
                    colors=_ROW_COLOURS.get(kind, "0.2"),
                    alpha=alpha,
                )
        faded |= bool(late.any())
        gap_handles += _hatch_gaps(ax, y, [kind], first_day, start, end, words)
        for k, outcome in enumerate(o for o in marked if o.type == kind):
            days = outcome.select(of_kind)["date"]
            marker = _OUTCOME_MARKERS[k]
            (line,) = ax.plot(
                _num(days) + 0.5,
                np.full(len(days), y + (0.17, -0.17, 0.0)[k]),
                linestyle="none",
                marker=marker,
                markersize=3.2,
                markeredgewidth=0.6,
                color="black",
                markerfacecolor="black" if k == 0 else "white",
                clip_on=False,
                zorder=4,
                label=outcome_label(outcome.id, labels or {}),
            )
            mark_handles.append(line)

    all_triggers = _trigger_rows(events, triggers)
    trigger_types = [str(t) for t in all_triggers["type"].unique()]
    trig = _in_window(all_triggers, start, end).copy()
    trig["x"] = _num(trig["end_date"].fillna(trig["date"])) + 0.5 if len(trig) else []
    if "event_id" not in trig:
        trig["event_id"] = [f"trigger-{k}" for k in range(len(trig))]
    marked_ids = set(highlight)
    y_trig = float(n + lift)
    order = {t: k for k, t in enumerate(TRIGGER_TYPES)}
    groups = sorted(trig.groupby("type"), key=lambda g: (order.get(str(g[0]), len(order)), g[0]))
    for trigger_type, group in groups:
        label, length, width, _ = _TRIGGER_LOOK.get(str(trigger_type), _OTHER_TRIGGER)
        plain = group[~group["event_id"].isin(marked_ids)]
        ax.eventplot(
            plain["x"].to_numpy(),
            lineoffsets=y_trig,
            linelengths=length,
            linewidths=width,
            colors="0.15",
        )
        handles.append(
            Line2D(
                [],
                [],
                color="0.15",
                marker="|",
                linestyle="none",
                markersize=7 * length,
                markeredgewidth=width,
                label=label,
            )
        )
    hot = trig[trig["event_id"].isin(marked_ids)]
    if len(hot):
        ax.eventplot(
            hot["x"].to_numpy(),
            lineoffsets=y_trig,
            linelengths=0.9,
            linewidths=1.4,
            colors=_HIGHLIGHT,
            zorder=5,  # above the as-of line that usually follows it
        )
    has_triggers = len(trig) > 0
    if has_triggers:
        row_types = [t for t in order if t in set(trigger_types)]
        row_types += sorted(set(trigger_types) - set(row_types))
        trig_words = {t: _TRIGGER_LOOK.get(t, _OTHER_TRIGGER)[0] for t in row_types}
        gap_handles += _hatch_gaps(ax, y_trig, row_types, first_day, start, end, trig_words)
    seen: set[str] = set()
    for patch in gap_handles:
        if str(patch.get_label()) not in seen:
            seen.add(str(patch.get_label()))
            handles.append(patch)
    handles += mark_handles
    if faded:
        handles.append(
            Line2D(
                [],
                [],
                color="0.2",
                alpha=_FADED,
                marker="|",
                linestyle="none",
                markersize=5,
                label="after observed-until (provisional)",
            )
        )
    as_of_x = [float(_num([_day(as_of)])[0])] if as_of is not None else []
    if observed_until is not None and _day(observed_until) < end:
        a = float(_num([_day(observed_until) + pd.Timedelta(days=1)])[0])
        unseen = ax.axvspan(max(a, x0), x1, facecolor="0.9", linewidth=0, zorder=0.2)
        unseen.set_label("not yet observed")
        handles.append(unseen)

    if as_of is not None or origin is not None:
        origin_day = _day(origin) if origin is not None else _day(as_of) - pd.Timedelta(days=1)
        if forecast_days:
            a, b = _num(
                [
                    origin_day + pd.Timedelta(days=1),
                    origin_day + pd.Timedelta(days=1 + forecast_days),
                ]
            )
            window = ax.axvspan(
                a, b, facecolor="none", edgecolor="0.55", hatch="////", linewidth=0, zorder=0.5
            )
            window.set_hatch_linewidth(0.35)
            window.set_label(f"forecast window ({forecast_days} d)")
            handles.append(window)
        if as_of is not None:
            line = ax.axvline(as_of_x[0], color="black", linewidth=0.7, zorder=4)
            line.set_label(f"as of {_day(as_of):%d %b %Y}")
            handles.append(line)

    row_labels = [words[t] for t in rows]
    trig_name = "party meetings" if set(trig["type"]) <= set(TRIGGER_TYPES) else "triggers"
    ticks = [*range(n - 1 + lift, lift - 1, -1)] + ([n + lift] if has_triggers else [])
    ticks += [0] if lift else []
    names = row_labels + ([trig_name] if has_triggers else []) + (["summits"] if lift else [])
    ax.set_yticks(ticks, names)
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)
    ax.set_ylim(-0.6, n + lift + (1.25 if has_triggers else -0.4))
    _date_axis(ax, start, end)
    fig = ax.get_figure(root=True)
    if handles:  # below the dates: the space above the axes holds the meeting labels
        _key_below(ax, handles)
    if fig is not None and fig.get_layout_engine() is not None:
        fig.draw_without_rendering()  # lay out first: labels are fitted to the final width
    if has_triggers:
        _label_triggers(ax, trig, y_trig, marked_ids, blocked=as_of_x)
    if lift:
        summits["x"] = _num(summits["date"]) + 0.5
        long = (end - start).days > 2 * 366
        _label_triggers(
            ax,
            summits,
            -0.42 - 0.3,
            set(),
            levels=1,
            text_of=lambda r: _summit_label(r, long),
            colour=_SUMMIT_TEXT,
            latest_first=True,
        )
    return ax


def plot_scenario_timeline(
    result: Any,
    *,
    start: Any = None,
    types: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """:func:`plot_timeline` for a scenario result: its history, trigger and forecast window.

    Shows ``result.events`` from the scenario's ``data.start`` (or ``start``) to the end of the
    longest horizon, party meetings and the scenario's trigger (highlighted, also when it is
    hypothetical) on the trigger row, ``as_of`` and the forecast window after the origin.

    Raises
    ------
    ModelError
        The result keeps no events (built by hand rather than by :func:`run_scenario`).
    """
    if getattr(result, "events", None) is None:
        raise ModelError(
            "this result keeps no events; run the scenario with followon.run_scenario, or call "
            "plot_timeline(events, start=..., end=...) directly."
        )
    s = result.scenario
    events = result.events
    horizon = max(s.horizons_days)
    t = result.trigger
    kinds = list(dict.fromkeys([*TRIGGER_TYPES, *([t["type"]] if t else [])]))
    triggers = events[events["type"].isin(kinds)]
    key = t.get("event_id")
    if t.get("hypothetical"):
        key = f"hypothetical-{t['type']}-{t['date']}"
        extra = pd.DataFrame(
            [
                {
                    "event_id": key,
                    "type": t["type"],
                    "date": pd.Timestamp(t["date"]),
                    "end_date": pd.Timestamp(t["end_date"]),
                    "label": None,
                    "source": "scenario",
                }
            ]
        )
        triggers = pd.concat([triggers, extra], ignore_index=True)
    return plot_timeline(
        events,
        start=start if start is not None else s.data.start,
        end=result.origin + pd.Timedelta(days=horizon),
        as_of=s.as_of,
        forecast_days=horizon,
        origin=result.origin,
        triggers=triggers[["event_id", "type", "date", "end_date", "label", "source"]],
        highlight=[key] if key else [],
        types=types,
        ax=ax,
        observed_until=(getattr(result, "meta", None) or {}).get("observed_until"),
        outcomes=[spec.build() for spec in s.outcomes],
        labels=result_labels(result),
    )
