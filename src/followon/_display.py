"""Notebook display: short one-line reprs and small, escaped, self-contained HTML tables.

Every result object's ``_repr_html_`` is built here so that all of them escape the same way
(:func:`html.escape` on every cell, caption and fact — scenario names, ids and descriptions are
user text), show a missing value as ``—`` (never ``nan``), and carry no script or external
style: a notebook, a static HTML export and a sanitising renderer all show the same table.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

__all__ = [
    "MISSING",
    "cell",
    "html_card",
    "html_table",
    "is_missing",
    "pct",
    "pct_interval",
    "shorten",
]

MISSING = "—"
"""How a missing value (None, NaN, NaT, pd.NA) is shown."""

_TABLE_STYLE = "border-collapse:collapse;font-size:90%;margin:0.25em 0"


def is_missing(value: Any) -> bool:
    """Return True for None, a float NaN, NaT or ``pd.NA``."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT; pd.NA raises in bool()
    except TypeError:
        return True


def cell(value: Any, digits: int = 3) -> str:
    """Plain text of one value: ``—`` when missing, floats to ``digits`` significant figures."""
    if is_missing(value):
        return MISSING
    if isinstance(value, float):
        return f"{value:.{digits}g}" if math.isfinite(value) else str(value)
    return str(value)


def pct(value: Any) -> str:
    """Return a probability as a whole percentage (``23%``), ``—`` when missing."""
    return MISSING if is_missing(value) else f"{100 * float(value):.0f}%"


def pct_interval(mean: Any, low: Any, high: Any) -> str:
    """``23% (12–38%)``; the mean alone when the interval is missing (point forecasts)."""
    if is_missing(low) or is_missing(high):
        return pct(mean)
    return f"{pct(mean)} ({100 * float(low):.0f}–{pct(high)})"


def observed_cell(row: Mapping[Any, Any]) -> str | None:
    """Return ``observed: yes`` / ``observed: no`` for a window decided before as_of, else None."""
    if row.get("status") != "observed":
        return None
    return "observed: yes" if row["p_mean"] == 1 else "observed: no"


def forecast_cell(row: Mapping[Any, Any]) -> str:
    """Return a forecast row as a cell: ``23% (12–38%)``, or :func:`observed_cell`'s text."""
    return observed_cell(row) or pct_interval(row["p_mean"], row["p_low"], row["p_high"])


def shorten(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut to ``limit`` characters with an ellipsis."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def html_table(
    header: Sequence[Any], rows: Iterable[Sequence[Any]], caption: str | None = None
) -> str:
    """Return a ``<table>`` of ``rows`` under ``header``, every cell escaped (:func:`cell`)."""
    head = "".join(f"<th>{escape(cell(h))}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{escape(cell(v))}</td>" for v in row) + "</tr>" for row in rows
    )
    cap = f"<caption style='text-align:left'>{escape(caption)}</caption>" if caption else ""
    return (
        f'<table style="{_TABLE_STYLE}">{cap}<thead><tr>{head}</tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def html_card(
    title: str,
    facts: Sequence[tuple[str, Any]] = (),
    tables: Sequence[str] = (),
    notes: Sequence[str] = (),
) -> str:
    """Return one ``<div>``: a bold ``title``, ``key: value`` facts, prebuilt tables, notes.

    ``title``, facts and notes are escaped here; ``tables`` must come from :func:`html_table`.
    """
    parts = [f"<div><strong>{escape(title)}</strong>"]
    if facts:
        items = " · ".join(f"{escape(k)}: {escape(cell(v))}" for k, v in facts)
        parts.append(f"<div>{items}</div>")
    parts += list(tables)
    parts += [f"<div><em>{escape(n)}</em></div>" for n in notes]
    parts.append("</div>")
    return "".join(parts)
