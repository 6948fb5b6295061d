"""Forecasts published by others, in a CSV, scored on the catalog like registered forecasts.

One row per published probability (docs/forecast-record.md). Required columns
(:data:`EXTERNAL_COLUMNS`):

- ``forecaster``: who published it (one name per series, e.g. ``CSIS/Predata``);
- ``made_on``: the day it was published, YYYY-MM-DD (Korean date); the window is the
  ``horizon_days`` days after it;
- ``question``: the question, in your own words;
- ``outcome_types``: the catalog event types that count, ``;``-separated (any of them on a day
  in the window resolves the forecast to 1), e.g. ``missile_launch;nuclear_test``;
- ``horizon_days``: the window length in days;
- ``probability``: the published probability, a number in [0, 1];
- ``source``: where it was published (an address).

Optional: ``missile_classes`` (``;``-separated; count only launches of these classes),
``climatology_from`` (first day of the climatology's expanding window, default
:data:`CLIMATOLOGY_FROM`) and ``notes``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from followon.errors import DataError, did_you_mean
from followon.events import MISSILE_CLASSES, event_types
from followon.exposure import Outcome
from followon.record.ledger import resolve_window
from followon.scenarios.backtest import rate_probability

__all__ = ["CLIMATOLOGY_FROM", "EXTERNAL_COLUMNS", "external_forecasts", "read_external"]

EXTERNAL_COLUMNS = (
    "forecaster",
    "made_on",
    "question",
    "outcome_types",
    "horizon_days",
    "probability",
    "source",
)
"""The columns an external-forecast CSV must have."""

CLIMATOLOGY_FROM = "2012-01-01"
"""Default first day of an external forecast's climatology (the bundled scenarios' data start)."""

_DAY = pd.Timedelta(days=1)
_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def _split(value: Any) -> list[str]:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return []
    return [v.strip() for v in str(value).split(";") if v.strip()]


def _date(value: Any, where: str, column: str) -> pd.Timestamp:
    text = str(value).strip()
    try:
        if not _DATE_RE.fullmatch(text):
            raise ValueError(text)
        return pd.Timestamp(text)
    except ValueError:
        raise DataError(
            f"{where}: {column} '{text[:40]}' is not a date; write YYYY-MM-DD."
        ) from None


def read_external(path: str | Path) -> pd.DataFrame:
    """Read and check an external-forecast CSV; return it with a ``line`` column (file line).

    Raises
    ------
    DataError
        One line naming the file (and line): a missing column, an empty value, a date, a
        horizon or a probability that is not one, an unknown event type or missile class, or a
        row that repeats an earlier one (the same forecast would be scored twice).
    """
    p = Path(path)
    try:
        frame = pd.read_csv(p, dtype=str, keep_default_na=False, comment=None)
    except FileNotFoundError:
        raise DataError(f"{p}: does not exist; give an external-forecast CSV.") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        first = " ".join(str(exc).split())[:120]
        raise DataError(f"{p}: is not a readable CSV ({first}).") from None
    missing = [c for c in EXTERNAL_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"{p}: no column '{missing[0]}'"
            f"{did_you_mean(missing[0], [str(c) for c in frame.columns])}; an external-forecast "
            f"CSV needs the columns {', '.join(EXTERNAL_COLUMNS)} (docs/forecast-record.md)."
        )
    types = event_types()
    rows: list[dict[str, Any]] = []
    seen: dict[tuple[Any, ...], int] = {}
    for i, raw in enumerate(frame.to_dict("records")):
        line = i + 2  # the header is line 1
        where = f"{p}: line {line}"
        for c in EXTERNAL_COLUMNS:
            if not str(raw[c]).strip():
                raise DataError(f"{where}: {c} is empty; every row needs one.")
        made_on = _date(raw["made_on"], where, "made_on")
        try:
            horizon = int(str(raw["horizon_days"]).strip())
        except ValueError:
            horizon = 0
        if horizon < 1:
            raise DataError(
                f"{where}: horizon_days '{str(raw['horizon_days'])[:40]}' is not a whole number "
                "of days ≥ 1."
            )
        try:
            prob = float(str(raw["probability"]).strip())
        except ValueError:
            prob = float("nan")
        if not 0.0 <= prob <= 1.0:
            raise DataError(
                f"{where}: probability '{str(raw['probability'])[:40]}' is not a number from 0 "
                "to 1 (write 34% as 0.34)."
            )
        kinds = _split(raw["outcome_types"])
        for k in kinds:
            if k not in types:
                raise DataError(
                    f"{where}: outcome_types: unknown event type '{k}'{did_you_mean(k, types)}; "
                    f"allowed: {', '.join(types)}."
                )
        classes = _split(raw.get("missile_classes", ""))
        for c in classes:
            if c not in MISSILE_CLASSES:
                raise DataError(
                    f"{where}: missile_classes: unknown class '{c}'"
                    f"{did_you_mean(c, MISSILE_CLASSES)}; allowed: {', '.join(MISSILE_CLASSES)}."
                )
        start = raw.get("climatology_from", "") or CLIMATOLOGY_FROM
        climatology_from = _date(start, where, "climatology_from")
        if climatology_from >= made_on:
            raise DataError(f"{where}: climatology_from {start} must be before made_on.")
        key = (raw["forecaster"].strip(), made_on, tuple(kinds), tuple(classes), horizon)
        if key in seen:
            raise DataError(
                f"{where}: repeats line {seen[key]} (same forecaster, made_on, outcome and "
                "horizon); a forecast is scored once — remove one of them."
            )
        seen[key] = line
        rows.append(
            {
                "line": line,
                "forecaster": key[0],
                "made_on": made_on,
                "question": raw["question"].strip(),
                "outcome_types": ";".join(kinds),
                "missile_classes": ";".join(classes),
                "horizon_days": horizon,
                "probability": prob,
                "source": raw["source"].strip(),
                "climatology_from": climatology_from,
            }
        )
    return pd.DataFrame(rows)


def _days(events: pd.DataFrame, kinds: list[str], classes: list[str]) -> pd.Series:
    """1 on each day with an event of any of ``kinds`` (launches of ``classes`` only)."""
    parts = [
        Outcome(k, k, tuple(classes) if k == "missile_launch" else ()).daily_counts(events)
        for k in kinds
    ]
    days = sorted(set().union(*(set(s.index) for s in parts)))
    return pd.Series(1, index=pd.DatetimeIndex(days, name="date"), dtype="int64")


def external_forecasts(
    path: str | Path, events: pd.DataFrame, until: dict[str, pd.Timestamp]
) -> pd.DataFrame:
    """Resolve the forecasts of an external CSV: one row each, as the ledger's resolved rows.

    The window is days ``made_on + 1 … made_on + horizon_days``; it resolves when every one of
    its ``outcome_types`` is observed through its end (``until``, per type), else it is
    pending. ``climatology``: the rate of event days over the days from ``climatology_from``
    to the day before ``made_on``, as 1 − e^(−rate·H).
    """
    table = read_external(path)
    rows = []
    for r in table.to_dict("records"):
        kinds, classes = _split(r["outcome_types"]), _split(r["missile_classes"])
        days = _days(events, kinds, classes)
        last = min(until.get(k, pd.Timestamp.min) for k in kinds)
        start = r["made_on"] + _DAY
        end = r["made_on"] + r["horizon_days"] * _DAY
        observed = resolve_window(days, start, end, last)
        stop = min(r["made_on"] - _DAY, last)
        n_days = max(int((stop - r["climatology_from"]) / _DAY) + 1, 0)
        n_events = int(((days.index >= r["climatology_from"]) & (days.index <= stop)).sum())
        outcome = r["outcome_types"] + (f"[{r['missile_classes']}]" if classes else "")
        rows.append(
            {
                "registration": f"{Path(path).name}:{r['line']}",
                "scenario": r["forecaster"],
                "hypothesis": r["forecaster"],
                "outcome": outcome,
                "horizon_days": r["horizon_days"],
                "as_of": f"{r['made_on']:%Y-%m-%d}",
                "origin_date": f"{r['made_on']:%Y-%m-%d}",
                "window_start": f"{start:%Y-%m-%d}",
                "window_end": f"{end:%Y-%m-%d}",
                "p_mean": r["probability"],
                "p_low": np.nan,
                "p_high": np.nan,
                "climatology": float(rate_probability(n_events, n_days, [r["horizon_days"]])[0]),
                "observed_until": f"{last:%Y-%m-%d}" if last > pd.Timestamp.min else "",
                "status": "pending" if np.isnan(observed) else "resolved",
                "observed": observed,
            }
        )
    return pd.DataFrame(rows)
