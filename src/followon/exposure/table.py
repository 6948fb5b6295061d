"""Events → the daily counting-process table: one row per Korean day at risk.

Row *d* holds the outcome count on day *d*, one day of exposure, and the covariates of day *d*
(functions of the calendar and of what happened before *d*). Days run from ``start`` to the day
before ``as_of``, and stop early at the outcome's ``observed_until``: later days are unobserved
(censored), not quiet. Rows with identical covariates collapse to sufficient statistics —
(events, exposure days) per covariate pattern — with the same Poisson likelihood up to a
constant, so the same posterior.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from followon.errors import DataError
from followon.exposure.covariates import Covariate, History
from followon.exposure.outcomes import Outcome

__all__ = ["ExposureTable", "build_exposure"]


@dataclass
class ExposureTable:
    """A daily at-risk table and what it was built from.

    Attributes
    ----------
    data : pandas.DataFrame
        ``date, events, exposure`` then one column per covariate, one row per day at risk.
    outcome : Outcome
    covariates : tuple of Covariate
    events : pandas.DataFrame
        Events known before ``as_of`` (the builders' input for future days too).
    start, as_of, end, observed_until : pandas.Timestamp
        ``end`` is the last day at risk: ``min(as_of − 1 day, observed_until)``.
    """

    data: pd.DataFrame
    outcome: Outcome
    covariates: tuple[Covariate, ...]
    events: pd.DataFrame
    start: pd.Timestamp
    as_of: pd.Timestamp
    end: pd.Timestamp
    observed_until: pd.Timestamp

    @property
    def covariate_names(self) -> list[str]:
        """Design columns, in order."""
        return [c for cov in self.covariates for c in cov.columns()]

    @property
    def history(self) -> pd.Series:
        """Outcome counts per day with events, up to ``end`` (computed once per table).

        Read-only: a forecast asks for it once per horizon and draw set, so it is kept on the
        table and recomputed only if ``events``, ``end`` or ``outcome`` are replaced.
        """
        key = (id(self.events), self.end, id(self.outcome))
        cached = self.__dict__.get("_history")
        if cached is None or cached[0] != key:
            counts = self.outcome.daily_counts(self.events[self.events["date"] <= self.end])
            self.__dict__["_history"] = cached = (key, counts)
        return cached[1]

    def design(
        self,
        days: pd.DatetimeIndex,
        *,
        extra_events: pd.DataFrame | None = None,
        history: pd.Series | None = None,
    ) -> pd.DataFrame:
        """Covariate values on arbitrary days (e.g. a forecast's future days).

        Parameters
        ----------
        days : DatetimeIndex
        extra_events : DataFrame, optional
            Events to add to the known ones (a trigger, a planned exercise).
        history : Series, optional
            Outcome counts per day to use instead of the observed history (simulation).
        """
        events = (
            self.events
            if extra_events is None
            else pd.concat([self.events, extra_events], ignore_index=True)
        )
        hist = History(events=events, outcome_counts=self.history if history is None else history)
        columns = [cov.build(days, hist) for cov in self.covariates]
        values = np.column_stack(columns) if columns else np.zeros((len(days), 0))
        return pd.DataFrame(values, index=days, columns=self.covariate_names)

    def collapsed(self) -> pd.DataFrame:
        """Sufficient statistics: ``events`` and ``exposure`` summed per covariate pattern."""
        names = self.covariate_names
        if not names:
            return pd.DataFrame(
                {
                    "events": [int(self.data["events"].sum())],
                    "exposure": [float(self.data["exposure"].sum())],
                }
            )
        grouped = (
            self.data.groupby(names, sort=True, dropna=False)[["events", "exposure"]]
            .sum()
            .reset_index()
        )
        return grouped[[*names, "events", "exposure"]]

    def sha256(self) -> str:
        """Identity of the table: its rows and how they were built."""
        h = hashlib.sha256()
        h.update(pd.util.hash_pandas_object(self.data, index=False).to_numpy().tobytes())
        h.update(json.dumps(self.spec(), sort_keys=True, default=str).encode())
        return h.hexdigest()

    def spec(self) -> dict[str, Any]:
        """JSON-able description of the table's definition."""
        return {
            "outcome": {
                "id": self.outcome.id,
                "type": self.outcome.type,
                "subtype": list(self.outcome.subtype),
                "where": {k: list(v) for k, v in self.outcome.where.items()},
                "count": self.outcome.count,
            },
            "covariates": [c.spec() for c in self.covariates],
            "start": f"{self.start:%Y-%m-%d}",
            "as_of": f"{self.as_of:%Y-%m-%d}",
            "end": f"{self.end:%Y-%m-%d}",
            "observed_until": f"{self.observed_until:%Y-%m-%d}",
        }

    def __repr__(self) -> str:
        return (
            f"ExposureTable({self.outcome.id}: {len(self.data)} days "
            f"{self.start:%Y-%m-%d}..{self.end:%Y-%m-%d}, {int(self.data['events'].sum())} events, "
            f"covariates={self.covariate_names})"
        )


def _default_observed_until(outcome: Outcome, events: pd.DataFrame) -> pd.Timestamp | None:
    # the events' own per-type date (load_events sets it), else the catalog's
    from followon.events.catalog import observed_until

    recorded = events.attrs.get("observed_until", {})
    if outcome.type in recorded:
        return pd.Timestamp(recorded[outcome.type])
    return observed_until().get(outcome.type)


def build_exposure(
    events: pd.DataFrame,
    outcome: Outcome,
    *,
    start: str | pd.Timestamp,
    as_of: str | pd.Timestamp,
    covariates: Sequence[Covariate] = (),
    observed_until: str | pd.Timestamp | None = None,
    require_events: bool = True,
    check_covariates: bool = True,
) -> ExposureTable:
    """Build the daily at-risk table for one outcome.

    Parameters
    ----------
    events : pandas.DataFrame
        A validated event table (e.g. ``fo.load_events()``).
    outcome : Outcome
        What counts as the follow-on action.
    start : date-like
        First day at risk.
    as_of : date-like
        Forecast origin: nothing on or after this day is used (days run to ``as_of − 1``).
    covariates : sequence of Covariate
        Builders from :mod:`followon.exposure.covariates`.
    observed_until : date-like, optional
        Last day the outcome's source is complete. Defaults to the ``observed_until`` of the
        outcome's type: the one ``events.attrs`` records (:func:`followon.load_events` sets
        it), else :func:`followon.observed_until` (bundled catalog and local overlay), else the
        last event. Pass it for your own event files.
    require_events : bool
        Refuse a window without any outcome event (default). Leave-future-out training
        windows may legitimately have none.
    check_covariates : bool
        Refuse a covariate whose type has no event before ``as_of`` (default). A backtest
        origin may come before a trigger type's first event: its column is then all zero, as
        the cut of a longer table is.

    Returns
    -------
    ExposureTable

    Raises
    ------
    DataError
        ``as_of`` not after ``start``; no days observed; an outcome matching no event in the
        window; a covariate whose events are missing; duplicate covariate names.
    """
    start, as_of = pd.Timestamp(start), pd.Timestamp(as_of)
    if as_of <= start:
        raise DataError(
            f"as_of {as_of:%Y-%m-%d} is not after start {start:%Y-%m-%d}; the study window "
            "runs from start to the day before as_of."
        )
    if observed_until is None:
        observed = _default_observed_until(outcome, events)
        if observed is None:
            observed = events["date"].max()
    else:
        observed = pd.Timestamp(observed_until)
    end = min(as_of - pd.Timedelta(days=1), observed)
    if end < start:
        raise DataError(
            f"no observed days: the outcome's source is observed until {observed:%Y-%m-%d}, "
            f"before start {start:%Y-%m-%d}."
        )
    known = events[events["date"] < as_of].reset_index(drop=True)
    covariates = tuple(covariates)
    names = [c for cov in covariates for c in cov.columns()]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise DataError(f"covariate columns named twice: {', '.join(dupes)}; give one a name.")
    for cov in covariates if check_covariates else ():
        cov.check(known)
    counts = outcome.daily_counts(known[known["date"] <= end])
    days = pd.date_range(start, end, freq="D", name="date")
    in_window = counts[(counts.index >= start) & (counts.index <= end)]
    if in_window.empty and require_events:
        raise DataError(
            f"outcome '{outcome.id}' ({outcome.describe()}) matches no events between "
            f"{start:%Y-%m-%d} and {end:%Y-%m-%d}; check the type, subtype and filters, or "
            "widen the window."
        )
    table = ExposureTable(
        data=pd.DataFrame(),
        outcome=outcome,
        covariates=covariates,
        events=known,
        start=start,
        as_of=as_of,
        end=end,
        observed_until=observed,
    )
    design = table.design(days)
    data = pd.DataFrame(
        {
            "date": days,
            "events": counts.reindex(days, fill_value=0).to_numpy(dtype="int64"),
            "exposure": np.ones(len(days)),
        }
    )
    table.data = pd.concat([data, design.reset_index(drop=True)], axis=1)
    return table
