"""Outcome definitions: which events count as the follow-on action, and how they are counted."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pandas as pd

from followon.errors import DataError, did_you_mean
from followon.events.schema import MISSILE_CLASSES, event_types

__all__ = ["Outcome", "observed_within"]

CountMode = Literal["days", "events", "missiles"]


def _any_of(wanted: frozenset[str]) -> Callable[[str], bool]:
    """Return a test of whether a ``;``-separated value holds any wanted item."""
    return lambda value: bool(set(str(value).split(";")) & wanted)


@dataclass(frozen=True)
class Outcome:
    """An outcome: an event filter and a counting rule.

    Parameters
    ----------
    id : str
        Name used in tables and forecasts, e.g. ``"icbm"``.
    type : str
        Event type, e.g. ``"missile_launch"``.
    subtype : sequence of str, optional
        Keep events that fired any of these classes (matched against ``classes`` when the
        table has it, else ``subtype``): ``("ICBM",)`` counts every day an ICBM was launched,
        whatever else was fired with it.
    where : mapping, optional
        Attribute filters ``column → allowed values``; a ``;``-separated column (``tags``,
        ``classes``) matches when any of its values is allowed.
    count : {"days", "events", "missiles"}
        ``days`` (default): 1 on a day with at least one matching event — launch days, not
        missiles. ``events``: the number of matching rows that day. ``missiles``: the sum of
        ``count`` (a row with unknown count counts 1).

    Examples
    --------
    >>> Outcome("icbm", "missile_launch", subtype=("ICBM",)).describe()
    'missile_launch with class in ICBM, counted as days'
    """

    id: str
    type: str
    subtype: Sequence[str] = ()
    where: Mapping[str, Sequence[str]] = field(default_factory=dict)
    count: CountMode = "days"

    def __post_init__(self) -> None:
        allowed = event_types()
        if self.type not in allowed:
            raise DataError(
                f"outcome '{self.id}': unknown type '{self.type}'"
                f"{did_you_mean(self.type, allowed)}; allowed: {', '.join(allowed)}."
            )
        object.__setattr__(self, "subtype", tuple(self.subtype))
        if self.type == "missile_launch":
            for s in self.subtype:
                if s not in MISSILE_CLASSES:
                    raise DataError(
                        f"outcome '{self.id}': unknown missile class '{s}'"
                        f"{did_you_mean(s, MISSILE_CLASSES)}; allowed: "
                        f"{', '.join(MISSILE_CLASSES)}."
                    )
        if self.count not in ("days", "events", "missiles"):
            raise DataError(
                f"outcome '{self.id}': count must be days, events or missiles, not '{self.count}'."
            )

    def describe(self) -> str:
        """One line: what is counted."""
        text = self.type
        if self.subtype:
            text += f" with class in {', '.join(self.subtype)}"
        for col, allowed in self.where.items():
            text += f", {col} in {', '.join(map(str, allowed))}"
        return f"{text}, counted as {self.count}"

    def select(self, events: pd.DataFrame) -> pd.DataFrame:
        """Return the matching events (any date)."""
        keep = events["type"] == self.type
        if self.subtype:
            column = "classes" if "classes" in events.columns else "subtype"
            values = events[column].fillna(events["subtype"]).fillna("")
            keep &= values.map(_any_of(frozenset(self.subtype)))
        for col, allowed in self.where.items():
            if col not in events.columns:
                raise DataError(
                    f"outcome '{self.id}': no column '{col}' to filter on"
                    f"{did_you_mean(col, events.columns)}."
                )
            wanted = frozenset(str(a) for a in allowed)
            keep &= events[col].fillna("").astype(str).map(_any_of(wanted))
        return events[keep]

    def daily_counts(self, events: pd.DataFrame) -> pd.Series:
        """Outcome count per Korean date (only dates with events), by the counting rule."""
        chosen = self.select(events)
        if chosen.empty:
            return pd.Series(dtype="int64", index=pd.DatetimeIndex([], name="date"))
        if self.count == "days":
            counts = chosen.groupby("date").size().clip(upper=1)
        elif self.count == "events":
            counts = chosen.groupby("date").size()
        else:
            counts = (
                chosen.assign(n=chosen["count"].fillna(1).astype("int64"))
                .groupby("date")["n"]
                .sum()
            )
        counts.index = pd.DatetimeIndex(counts.index, name="date")
        return counts.astype("int64")


def observed_within(
    counts: pd.Series, origin: pd.Timestamp, horizon_days: int, observed_until: pd.Timestamp
) -> float:
    """Resolve a forecast: 1 if an outcome event fell on days ``origin + 1 … origin + H``.

    ``counts`` are outcome counts per day with events (:meth:`Outcome.daily_counts`).
    Returns 1.0 if an event was observed in the window, 0.0 if the window ended quiet on or
    before ``observed_until``, and NaN if it is still open at ``observed_until`` (censored:
    unknown, not "no event").
    """
    last = origin + pd.Timedelta(days=horizon_days)
    dates = counts.index
    window = dates[(dates > origin) & (dates <= min(last, observed_until))]
    if len(window):
        return 1.0
    return 0.0 if last <= observed_until else float("nan")
