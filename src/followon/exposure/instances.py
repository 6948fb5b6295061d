"""Trigger instances: which meeting's window each day lies in (a fact of the exposure table).

Used by the pooled model's per-instance effects (:class:`followon.hazard.pooled.PooledHazard`)
and its pools of trigger-window columns by bin label.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from followon.exposure.covariates import TriggerWindows, days_since_latest, select_events
from followon.exposure.table import ExposureTable

__all__ = [
    "INSTANCES_ATTR",
    "instance_assignment",
    "instance_key",
    "trigger_pools",
    "trigger_window_covariates",
    "window_columns",
]

INSTANCES_ATTR = "followon_instances"
"""``design.attrs`` key: ISO date → trigger instances whose window covers that day."""


# ---------------------------------------------------------------------- pooling structure
def trigger_window_covariates(table: ExposureTable) -> list[TriggerWindows]:
    """Return the table's :class:`TriggerWindows` covariates, in order."""
    return [c for c in table.covariates if isinstance(c, TriggerWindows)]


def trigger_pools(table: ExposureTable) -> tuple[list[str], list[str], np.ndarray]:
    """Return the trigger-window columns, the pool (bin) labels and each column's pool index.

    A column ``"{prefix}[{bin}]"`` of a :class:`TriggerWindows` covariate belongs to the pool
    named ``bin``; pools are listed in order of first appearance.
    """
    columns: list[str] = []
    labels: list[str] = []
    index: list[int] = []
    for cov in trigger_window_covariates(table):
        for col in cov.columns():
            label = col[len(cov.prefix) + 1 : -1]
            if label not in labels:
                labels.append(label)
            columns.append(col)
            index.append(labels.index(label))
    return columns, labels, np.asarray(index, dtype=int)


def window_columns(cov: TriggerWindows) -> list[str]:
    """Return the covariate's window columns (``[during]`` columns excluded)."""
    return [c for c in cov.columns() if not c.endswith("[during]")]


def instance_key(event_id: Any, cov: TriggerWindows, end: np.datetime64) -> str:
    """Return an instance's key: its ``event_id``, or ``type@end-date`` for an event without one."""
    if event_id is None or pd.isna(event_id) or str(event_id) == "":
        return f"{cov.type}@{pd.Timestamp(end):%Y-%m-%d}"
    return str(event_id)


def instance_assignment(
    days: pd.DatetimeIndex,
    events: pd.DataFrame,
    covariates: Sequence[Any],
    design: pd.DataFrame | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Which trigger instance's window each day is in.

    Parameters
    ----------
    days : DatetimeIndex
    events : DataFrame
        Events known (the trigger instances are picked from it with each
        :class:`TriggerWindows` covariate's type, tags and filters).
    covariates : sequence of Covariate
        The table's builders; only :class:`TriggerWindows` ones matter.
    design : DataFrame, optional
        The covariate values on ``days`` (same rows). When given it decides whether a day is
        in a window at all; a window day no known instance explains (a trigger after the
        fitted history, an imposed covariate path) goes to an ``unknown:`` instance, one per
        covariate and run of consecutive days.

    Returns
    -------
    Z : ndarray, shape (days, instances)
        1 on the days of each instance's window (days ``lo … hi`` after its end, ``lo`` and
        ``hi`` the first and last cut; ``overlap="latest"``: only the latest trigger's).
    instances : DataFrame
        One row per instance with at least one day: ``event_id, trigger`` (covariate
        prefixes, ``;``-joined), ``type, date, end_date``.
    """
    d = days.values.astype("datetime64[D]")
    member_of: dict[str, np.ndarray] = {}
    meta: dict[str, dict[str, Any]] = {}

    def add(key: str, rows: np.ndarray, info: dict[str, Any], prefix: str) -> None:
        if not rows.any():
            return
        if key in member_of:
            member_of[key] |= rows
            if prefix not in meta[key]["trigger"].split(";"):
                meta[key]["trigger"] += f";{prefix}"
        else:
            member_of[key] = rows.copy()
            meta[key] = {"event_id": key, "trigger": prefix, **info}

    for cov in covariates:
        if not isinstance(cov, TriggerWindows):
            continue
        trig = select_events(events, cov.type, cov.tags, cov.where)
        ends = (
            trig["end_date"]
            .fillna(trig["date"])
            .to_numpy(dtype="datetime64[ns]")
            .astype("datetime64[D]")
        )
        starts = trig["date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        ids = trig["event_id"].tolist() if "event_id" in trig.columns else [None] * len(trig)
        named = np.array([not (i is None or pd.isna(i) or str(i) == "") for i in ids], dtype=bool)
        # a trigger without an id on the end date of a known one (a forecast's `trigger=`
        # repeating a meeting in the history) is that meeting, not a second instance
        keep = named | ~np.isin(ends, ends[named])
        ends, starts, named = ends[keep], starts[keep], named[keep]
        ids = [i for i, k in zip(ids, keep, strict=True) if k]
        keys = [instance_key(i, cov, e) for i, e in zip(ids, ends, strict=True)]
        lo, hi = float(cov.cut_days[0]), float(cov.cut_days[-1])
        if cov.overlap == "latest":
            lags = days_since_latest(days, ends)
            inside = (lags >= lo) & (lags <= hi)
            anchor = np.full(len(d), np.datetime64("NaT", "D"))
            anchor[inside] = d[inside] - lags[inside].astype("timedelta64[D]")
            owner = {e: j for j, e in enumerate(ends)}  # the last listed of equal ends
            member = np.zeros((len(d), len(keys)), dtype=bool)
            for e, j in owner.items():
                member[:, j] = inside & (anchor == e)
        else:
            lag = (d[:, None] - ends[None, :]).astype(float)
            member = (lag >= lo) & (lag <= hi)
        if design is not None:
            in_window = design[window_columns(cov)].to_numpy(dtype=float).max(axis=1) > 0
            member &= in_window[:, None]
            unknown = in_window & ~member.any(axis=1)
            run_start = unknown & ~np.r_[False, unknown[:-1]]
            run_id = np.cumsum(run_start) * unknown
            for r in range(1, int(run_id.max(initial=0)) + 1):
                rows = run_id == r
                first = pd.Timestamp(days[np.flatnonzero(rows)[0]])
                key = f"unknown:{cov.prefix}@{first:%Y-%m-%d}"
                info = {"type": cov.type, "date": pd.NaT, "end_date": pd.NaT}
                add(key, rows, info, cov.prefix)
        for j, key in enumerate(keys):
            info = {
                "type": cov.type,
                "date": pd.Timestamp(starts[j]),
                "end_date": pd.Timestamp(ends[j]),
            }
            add(key, member[:, j], info, cov.prefix)

    def when(k: str) -> tuple[bool, pd.Timestamp, str]:
        end = meta[k]["end_date"]
        return (bool(pd.isna(end)), pd.Timestamp.max if pd.isna(end) else end, k)

    order = sorted(meta, key=when)
    Z = (
        np.column_stack([member_of[k] for k in order]).astype(float)
        if order
        else np.zeros((len(d), 0))
    )
    instances = pd.DataFrame(
        [meta[k] for k in order], columns=["event_id", "trigger", "type", "date", "end_date"]
    )
    return Z, instances
