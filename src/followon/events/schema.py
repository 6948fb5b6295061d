"""The event schema: one table of dated facts, validated row by row.

Every event table followon reads — the bundled catalog, a user's CSV or Parquet file, the
output of the NTI/CNS and CSIS readers — passes through :func:`validate_events`, so a bad row
gets the same one-line error wherever it comes from: the file, the row, the column, and what
is allowed.

Columns
-------
event_id : str, required
    Stable and unique, e.g. ``ML-2022-01-05`` (missile launch day) or ``WPK-CC8-P10``.
type : str, required
    One of :data:`EVENT_TYPES`, or a type declared by a file in the local overlay (see
    :func:`event_types` and ``docs/data-updates.md``).
date : datetime64[ns], required
    Korean (KST) calendar date of the event, or of its first day for spans, within
    :data:`DATE_RANGE` (1900-01-01 … 2199-12-31). A time-zone-aware datetime (e.g. from a
    Parquet file) is converted to Korean time (``Asia/Seoul``) before its date is taken, so
    ``2017-09-02 15:00 UTC`` is 2017-09-03.
source : str, required
    Producer of the fact: ``cns``, ``csis``, ``jcs``, ``kcna``, ``news``, ... (several joined
    with ``+`` when two producers agree on the row, e.g. ``cns+csis``).
subtype : str
    For ``missile_launch`` the most severe class fired that day, one of :data:`MISSILE_CLASSES`.
end_date : datetime64[ns]
    Last day of a span (summit, meeting, exercise); NaT for one-day events.
count : Int64
    Missiles fired that day (balloons for ``balloon_launch``), where known: a whole number
    from 0 to 2^63 − 1.
outcome : str
    ``success``, ``failure``, ``mixed`` or ``unknown`` for launches; free for others.
classes : str
    Every missile class fired that day, ``;``-separated, most severe first.
tags : str
    ``;``-separated factual tags (agenda of a meeting, e.g. ``military;economy``).
label : str
    A short human-readable name, e.g. ``Key Resolve 2012`` or ``nuclear test 1``.
source_url : str
    A page stating the fact.
provisional : bool
    True where the producer may still revise the row (e.g. news-based figures newer than the
    last CNS release).

Extra columns are kept as they are (strings).

Missing values
--------------
The required columns (:data:`REQUIRED_COLUMNS`) refuse an empty cell and the usual
missing-value markers (``NaN``, ``N/A``, ``NA``, ``null``, ``None``, ...; see
:data:`NA_TOKENS`), naming the row and column. A column name given twice and a row repeated
exactly are refused too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from followon.errors import DataError, did_you_mean

__all__ = [
    "CORE_COLUMNS",
    "DATE_RANGE",
    "EVENT_TYPES",
    "MISSILE_CLASSES",
    "NA_TOKENS",
    "OUTCOMES",
    "REQUIRED_COLUMNS",
    "SPAN_TYPES",
    "event_types",
    "known_event_type",
    "validate_events",
]

EVENT_TYPES: tuple[str, ...] = (
    "missile_launch",
    "nuclear_test",
    "satellite_launch",
    "balloon_launch",
    "summit",
    "party_congress",
    "plenary_meeting",
    "politburo_meeting",
    "military_exercise",
)
"""The built-in values of ``type``; overlay files may add more (:func:`event_types`)."""


def event_types(*, overlay: bool = True) -> tuple[str, ...]:
    """Return the registered event types: :data:`EVENT_TYPES` then the overlay's new types.

    Parameters
    ----------
    overlay : bool
        Include the types declared by files added with ``followon data add --types``
        (default True); False gives :data:`EVENT_TYPES` alone.

    Examples
    --------
    >>> event_types(overlay=False)[:2]
    ('missile_launch', 'nuclear_test')
    """
    if not overlay:
        return EVENT_TYPES
    from followon.events.overlay import overlay_types  # the overlay reads files in this schema

    return EVENT_TYPES + tuple(t for t in overlay_types() if t not in EVENT_TYPES)


def known_event_type(value: str) -> str:
    """Return ``value`` if it is a registered event type, else raise ``ValueError`` with a hint.

    The check scenario files use for every ``type`` key (built-in types and overlay types).
    """
    allowed = event_types()
    if value not in allowed:
        options = ", ".join(f"'{t}'" for t in allowed[:-1]) + f" or '{allowed[-1]}'"
        hint = did_you_mean(value, allowed)
        raise ValueError(f"'{value}' is not allowed{hint}; expected {options}")
    return value


SPAN_TYPES: frozenset[str] = frozenset(
    {"summit", "party_congress", "plenary_meeting", "politburo_meeting", "military_exercise"}
)
"""Types whose rows are spans with an ``end_date``."""

MISSILE_CLASSES: tuple[str, ...] = (
    "ICBM",
    "IRBM",
    "HGV",
    "MRBM",
    "SLBM",
    "SRBM",
    "cruise",
    "MLRS",
    "unknown",
)
"""Missile classes, most severe first; a launch day's ``subtype`` is the first one fired."""

OUTCOMES: tuple[str, ...] = ("success", "failure", "mixed", "unknown")
"""Allowed ``outcome`` values for launches (missile, satellite) and nuclear tests."""

_LAUNCH_TYPES = frozenset({"missile_launch", "satellite_launch", "nuclear_test"})

REQUIRED_COLUMNS: tuple[str, ...] = ("event_id", "type", "date", "source")

CORE_COLUMNS: tuple[str, ...] = (
    "event_id",
    "type",
    "subtype",
    "date",
    "end_date",
    "count",
    "outcome",
    "classes",
    "tags",
    "label",
    "source",
    "source_url",
    "provisional",
)
"""Column order of a validated table; extra columns follow in their own order."""

DATE_RANGE: tuple[pd.Timestamp, pd.Timestamp] = (
    pd.Timestamp("1900-01-01"),
    pd.Timestamp("2199-12-31"),
)
"""First and last date an event table may hold: well inside pandas' nanosecond range
(1677-09-22 … 2262-04-11), leaving room for forecast horizons past the last event."""

NA_TOKENS: frozenset[str] = frozenset(
    {
        "nan",
        "-nan",
        "nat",
        "na",
        "n/a",
        "#n/a",
        "#na",
        "#n/a n/a",
        "<na>",
        "null",
        "none",
        "-1.#ind",
        "1.#ind",
        "-1.#qnan",
        "1.#qnan",
    }
)
"""Missing-value markers (lower-cased; pandas' default list) refused where a value is required."""

_COUNT_LIMIT = 2**63
"""Counts are stored as 64-bit integers: 0 … 2**63 − 1."""

_TZ = "Asia/Seoul"

_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TRUE = frozenset({"true", "1", "yes", "y", "t"})
_FALSE = frozenset({"false", "0", "no", "n", "f", ""})


def _where(origin: str, row: int | None = None, column: str | None = None) -> str:
    parts = [origin]
    if row is not None:
        # row numbers are 1-based data rows; the header is line 1 of a CSV file
        parts.append(f"row {row} (line {row + 1})")
    if column is not None:
        parts.append(f"column '{column}'")
    return ", ".join(parts)


def show(value: object, limit: int = 60) -> str:
    """``value`` as text for an error message: one line, at most ``limit`` characters."""
    text = " ".join(str(value).split()) if "\n" in str(value) or "\r" in str(value) else str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def date_range_text() -> str:
    """``"1900-01-01 … 2199-12-31"``: :data:`DATE_RANGE` for messages."""
    return f"{DATE_RANGE[0]:%Y-%m-%d} … {DATE_RANGE[1]:%Y-%m-%d}"


def in_date_range(day: dt.date, where: str) -> pd.Timestamp:
    """Return ``day`` as a Timestamp; raise :class:`DataError` at ``where`` if outside the range.

    The range is :data:`DATE_RANGE`; the message gives it.
    """
    key = (day.year, day.month, day.day)
    lo, hi = DATE_RANGE
    if not (lo.year, lo.month, lo.day) <= key <= (hi.year, hi.month, hi.day):
        raise DataError(
            f"{where}: {day.year:04d}-{day.month:02d}-{day.day:02d} is outside the dates "
            f"followon reads ({date_range_text()}); check the year."
        )
    return pd.Timestamp(day.year, day.month, day.day)


def _parse_date(value: str, origin: str, row: int, column: str) -> pd.Timestamp:
    text = value.strip()
    if not _DATE_RE.match(text):
        raise DataError(
            f"{_where(origin, row, column)}: '{show(value)}' is not a date; write it as "
            "YYYY-MM-DD (Korean calendar date)."
        )
    try:
        day = dt.date(int(text[:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        raise DataError(
            f"{_where(origin, row, column)}: '{value}' is not a real calendar date; "
            "check the day and month."
        ) from None
    return in_date_range(day, _where(origin, row, column))


def _cell_text(v: object) -> str:
    """One cell as stripped text; dates as ``YYYY-MM-DD`` in Korean time; missing → ``""``."""
    if v is None or v is pd.NaT:
        return ""
    if isinstance(v, str):
        return v.strip()
    if isinstance(v, np.datetime64):
        if np.isnat(v):
            return ""
        item = v.astype("datetime64[s]").item()  # a datetime for years 1 … 9999
        if not isinstance(item, dt.datetime):
            return str(v)
        v = item
    if isinstance(v, dt.datetime):
        if v.tzinfo is not None:
            v = pd.Timestamp(v).tz_convert(_TZ)
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"
    if isinstance(v, dt.date):
        return f"{v.year:04d}-{v.month:02d}-{v.day:02d}"
    try:
        if pd.isna(v):  # type: ignore[call-overload]
            return ""
    except (TypeError, ValueError):
        pass
    return str(v).strip()


def _parse_count(c: str, where: str) -> int:
    try:
        value = int(c)
    except ValueError:
        try:
            number = float(c)
        except ValueError:
            number = float("nan")
        value = int(number) if number.is_integer() else -1
    if value < 0:
        raise DataError(
            f"{where}: '{show(c)}' is not a whole number ≥ 0; leave it empty when unknown."
        )
    if value >= _COUNT_LIMIT:
        raise DataError(
            f"{where}: '{show(c)}' is too large; a count is a whole number from 0 to "
            f"{_COUNT_LIMIT - 1} (2^63 − 1)."
        )
    return value


def _required(value: str, where: str, what: str) -> None:
    """Refuse an empty cell or a missing-value marker in a required column."""
    if not value:
        raise DataError(f"{where}: empty; {what}.")
    if value.lower() in NA_TOKENS:
        raise DataError(f"{where}: '{value}' marks a missing value; {what}.")


def _repeated_rows(frame: pd.DataFrame) -> int:
    """Count the rows that repeat an earlier row in every column."""
    return int(frame.astype(str).duplicated().sum())


def validate_events(
    frame: pd.DataFrame, *, origin: str = "<events>", extra_types: Iterable[str] = ()
) -> pd.DataFrame:
    """Validate an event table and return it typed, sorted by date.

    Parameters
    ----------
    frame : pandas.DataFrame
        Events with at least :data:`REQUIRED_COLUMNS`. Values may be strings (as read from a
        CSV file) or already typed (dates as datetimes, counts as integers).
    origin : str
        Name used in error messages, usually the file path.
    extra_types : iterable of str
        Types allowed besides the registered ones (:func:`event_types`), e.g. the new types a
        file about to be added to the overlay declares.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CORE_COLUMNS` (absent optional ones filled with missing values) then any
        extra columns; ``date``/``end_date`` as ``datetime64[ns]``, ``count`` as ``Int64``,
        ``provisional`` as ``bool``; sorted by ``date`` then ``event_id``, index reset.

    Raises
    ------
    DataError
        On the first problem found, naming the origin, the row, the column and what is allowed:
        an empty table, a missing required column, an unknown type or missile class, an
        unparseable or impossible date, a date outside :data:`DATE_RANGE`, an end before the
        start, a duplicate ``event_id`` or a row repeated exactly, a negative, non-integer or
        too large (≥ 2^63) count, a required value missing (empty or a marker such as ``NaN``,
        ``N/A``, ``null``), a column name given twice.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"event_id": ["a"], "type": ["nuclear_test"],
    ...                     "date": ["2017-09-03"], "source": ["usgs"]})
    >>> validate_events(raw)["date"].dtype
    dtype('<M8[ns]')
    """
    if len(frame.columns) == 0 or len(frame) == 0:
        raise DataError(
            f"{origin}: no events (the table is empty); expected a header with the columns "
            f"{', '.join(REQUIRED_COLUMNS)} and at least one row."
        )
    columns = [str(c).strip() for c in frame.columns]
    twice = [c for c in dict.fromkeys(columns) if columns.count(c) > 1]
    if twice:
        where = [i + 1 for i, c in enumerate(columns) if c == twice[0]]
        raise DataError(
            f"{origin}: column '{show(twice[0])}' appears {len(where)} times (columns "
            f"{', '.join(map(str, where))}); give each column once."
        )
    frame = frame.copy()
    frame.columns = pd.Index(columns)
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        hints = "".join(did_you_mean(m, columns) for m in missing)
        raise DataError(
            f"{origin}: missing required column '{missing[0]}'{hints}; the file has "
            f"{', '.join(columns)}. Required: {', '.join(REQUIRED_COLUMNS)}."
        )

    def text(col: str) -> list[str]:
        if col not in frame.columns:
            return [""] * len(frame)
        return [_cell_text(v) for v in frame[col].tolist()]

    ids, types, subtypes = text("event_id"), text("type"), text("subtype")
    dates_raw, ends_raw, counts_raw = text("date"), text("end_date"), text("count")
    outcomes, sources, prov_raw = text("outcome"), text("source"), text("provisional")

    registered = event_types()
    allowed = registered + tuple(t for t in dict.fromkeys(extra_types) if t not in registered)
    seen: dict[str, int] = {}
    dates: list[pd.Timestamp] = []
    ends: list[pd.Timestamp | None] = []
    counts: list[int | None] = []
    provisional: list[bool] = []
    for i in range(len(frame)):
        row = i + 1
        eid = ids[i]
        _required(eid, _where(origin, row, "event_id"), "every event needs an id")
        if eid in seen:
            first = seen[eid] - 1
            if frame.iloc[[first]].astype(str).values.tolist() == (
                frame.iloc[[i]].astype(str).values.tolist()
            ):
                raise DataError(
                    f"{_where(origin, row)}: repeats row {seen[eid]} exactly "
                    f"({_repeated_rows(frame)} repeated row(s) in the table); delete the "
                    "copies."
                )
            raise DataError(
                f"{_where(origin, row, 'event_id')}: duplicate id '{show(eid)}' (first at row "
                f"{seen[eid]}); event ids must be unique."
            )
        seen[eid] = row
        etype = types[i]
        _required(etype, _where(origin, row, "type"), "every event needs a type")
        if etype not in allowed:
            raise DataError(
                f"{_where(origin, row, 'type')}: unknown type '{show(etype)}'"
                f"{did_you_mean(etype, allowed)}; allowed: {', '.join(allowed)}."
            )
        sub = subtypes[i]
        if etype == "missile_launch" and sub and sub not in MISSILE_CLASSES:
            raise DataError(
                f"{_where(origin, row, 'subtype')}: unknown missile class '{show(sub)}'"
                f"{did_you_mean(sub, MISSILE_CLASSES)}; allowed: {', '.join(MISSILE_CLASSES)}."
            )
        if etype in _LAUNCH_TYPES and outcomes[i] and outcomes[i] not in OUTCOMES:
            raise DataError(
                f"{_where(origin, row, 'outcome')}: unknown outcome '{show(outcomes[i])}'"
                f"{did_you_mean(outcomes[i], OUTCOMES)}; allowed: {', '.join(OUTCOMES)} or empty."
            )
        _required(dates_raw[i], _where(origin, row, "date"), "every event needs a date")
        start = _parse_date(dates_raw[i], origin, row, "date")
        end = _parse_date(ends_raw[i], origin, row, "end_date") if ends_raw[i] else None
        if end is not None and end < start:
            raise DataError(
                f"{_where(origin, row, 'end_date')}: ends {end:%Y-%m-%d}, before it starts "
                f"{start:%Y-%m-%d}; end_date must be on or after date."
            )
        dates.append(start)
        ends.append(end)
        c = counts_raw[i]
        counts.append(_parse_count(c, _where(origin, row, "count")) if c else None)
        _required(
            sources[i],
            _where(origin, row, "source"),
            "every event needs its producer (e.g. cns, csis, kcna, news)",
        )
        p = prov_raw[i].lower()
        if p not in _TRUE and p not in _FALSE:
            raise DataError(
                f"{_where(origin, row, 'provisional')}: '{show(prov_raw[i])}' is not true/false."
            )
        provisional.append(p in _TRUE)

    out = pd.DataFrame(
        {
            "event_id": pd.array(ids, dtype="string"),
            "type": pd.array(types, dtype="string"),
            "subtype": pd.array([s or None for s in subtypes], dtype="string"),
            "date": pd.to_datetime(pd.Series(dates)).astype("datetime64[ns]"),
            "end_date": pd.to_datetime(pd.Series(ends, dtype="object")).astype("datetime64[ns]"),
            "count": pd.array(counts, dtype="Int64"),
            "outcome": pd.array([o or None for o in outcomes], dtype="string"),
            "classes": pd.array([v or None for v in text("classes")], dtype="string"),
            "tags": pd.array([v or None for v in text("tags")], dtype="string"),
            "label": pd.array([v or None for v in text("label")], dtype="string"),
            "source": pd.array(sources, dtype="string"),
            "source_url": pd.array([v or None for v in text("source_url")], dtype="string"),
            "provisional": pd.array(provisional, dtype=bool),
        }
    )
    for extra in columns:
        if extra not in out.columns:
            out[extra] = pd.array([v or None for v in text(extra)], dtype="string")
    return out.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)
