"""Tabular summaries of an event table."""

from __future__ import annotations

import pandas as pd

from followon.events.schema import EVENT_TYPES

__all__ = ["events_per_year"]


def events_per_year(events: pd.DataFrame, *, start_year: int | None = None) -> pd.DataFrame:
    """Count events per type (rows) and year (columns), types in catalog order.

    Parameters
    ----------
    events : pandas.DataFrame
        A validated event table.
    start_year : int, optional
        Drop years before this one.

    Returns
    -------
    pandas.DataFrame
        Integer counts, a ``total`` column at the right; years with no events are shown as 0.
    """
    years = events["date"].dt.year
    if start_year is not None:
        events, years = events[years >= start_year], years[years >= start_year]
    table = pd.crosstab(events["type"], years).astype(int)
    if len(table.columns):
        full = range(int(table.columns.min()), int(table.columns.max()) + 1)
        table = table.reindex(columns=list(full), fill_value=0)
    order = [t for t in EVENT_TYPES if t in table.index]
    table = table.loc[order]
    table.columns = pd.Index([str(c) for c in table.columns])
    table["total"] = table.sum(axis=1)
    table.index.name = "type"
    table.columns.name = None
    return table
