"""Tabular summaries of an event table, and of the catalog (``followon data summary``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from followon._display import html_card, html_table
from followon._version import __version__
from followon.events.schema import EVENT_TYPES

__all__ = ["CatalogSummary", "catalog_summary", "events_per_year"]


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


@dataclass
class CatalogSummary:
    """What ``followon data summary`` shows: counts per type and year, sources, coverage.

    Attributes
    ----------
    n_events : int
        Events in the catalog (overlay included).
    overlay : list of dict
        The overlay files loaded (``name``, ``rows``, ``observed_until``, ...).
    per_year : DataFrame
        :func:`events_per_year` from ``start_year``.
    start_year : int
    sources : dict
        Producer → ``{"name", "observed_until"}`` of the bundled tables (the manifest).
    observed_until : dict
        Event type → last observed day (:func:`followon.events.observed_until`).
    """

    n_events: int
    overlay: list[dict[str, Any]]
    per_year: pd.DataFrame
    start_year: int
    sources: dict[str, dict[str, Any]]
    observed_until: dict[str, pd.Timestamp]

    def _title(self) -> str:
        added = sum(e["rows"] for e in self.overlay)
        return f"followon {__version__}: bundled DPRK event catalog, {self.n_events} events" + (
            f" (with {len(self.overlay)} overlay file(s))" if added else ""
        )

    def to_text(self) -> str:
        """Return the text ``followon data summary`` prints."""
        lines = [
            self._title(),
            "",
            f"Events per type per year (from {self.start_year}; Korean dates):",
        ]
        with pd.option_context("display.width", 250, "display.max_columns", None):
            lines.append(self.per_year.to_string())
        lines += ["", "Sources (days after observed_until are unobserved, not quiet):"]
        for producer, info in self.sources.items():
            lines.append(f"  {producer:<8} observed_until {info['observed_until']}  {info['name']}")
        for entry in self.overlay:
            lines.append(f"  overlay  observed_until {entry['observed_until']}  '{entry['name']}'")
        lines += ["", "Observed until, per event type:"]
        lines += [f"  {t:<20} {until:%Y-%m-%d}" for t, until in self.observed_until.items()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        """Two lines: events and overlay files; then the range of the coverage per type."""
        days = sorted(self.observed_until.values())
        until = (
            f"{len(days)} event types observed until {days[0]:%Y-%m-%d} … {days[-1]:%Y-%m-%d}"
            if days
            else "no event types"
        )
        return f"CatalogSummary({self._title()})\n  {until}"

    def _repr_html_(self) -> str:
        """Return the counts per type and year, sources and coverage as HTML for notebooks."""
        counts = html_table(
            ["type", *self.per_year.columns],
            [
                [t, *row]
                for t, row in zip(
                    self.per_year.index, self.per_year.to_numpy().tolist(), strict=True
                )
            ],
            f"Events per type per year (from {self.start_year}; Korean dates)",
        )
        sources = html_table(
            ["source", "observed until", "name"],
            [[p, i["observed_until"], i["name"]] for p, i in self.sources.items()]
            + [["overlay", e["observed_until"], e["name"]] for e in self.overlay],
            "Sources (days after observed until are unobserved, not quiet)",
        )
        until = html_table(
            ["type", "observed until"],
            [[t, f"{d:%Y-%m-%d}"] for t, d in self.observed_until.items()],
        )
        return html_card(self._title(), tables=[counts, sources, until])


def catalog_summary(*, start_year: int = 2012) -> CatalogSummary:
    """Summarise the catalog (bundled tables and overlay) as ``followon data summary`` does.

    Parameters
    ----------
    start_year : int, default 2012
        First year of the counts per type and year.
    """
    from followon.events.catalog import load_events, load_manifest, observed_until

    events = load_events()
    return CatalogSummary(
        n_events=len(events),
        overlay=list(events.attrs.get("overlay", [])),
        per_year=events_per_year(events, start_year=start_year),
        start_year=start_year,
        sources=dict(load_manifest()["sources"]),
        observed_until=observed_until(),
    )
