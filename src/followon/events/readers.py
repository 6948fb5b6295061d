"""Readers: a user's event file, and the NTI/CNS and CSIS files users download themselves.

Each returns a table in the catalog schema (see :mod:`followon.events.schema`), validated.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from followon.errors import DataError, FollowonWarning
from followon.events.launches import (
    aggregate_launch_days,
    classify_csis_event,
    cns_class,
    csis_label_unfamiliar,
    normalise_time,
    parse_missile_count,
)
from followon.events.schema import NA_TOKENS, in_date_range, show, validate_events

__all__ = [
    "DataWarning",
    "csis_launch_events",
    "read_cns_missile_database",
    "read_csis_provocations",
    "read_events",
]


class DataWarning(FollowonWarning):
    """Rows a reader had to leave out (e.g. CNS rows dated only by month)."""


def check_input_file(path: Path) -> None:
    """Refuse a path that does not exist or is a folder, with one line."""
    if path.is_dir():
        raise DataError(f"{path}: is a folder, not a file; give the path of the file itself.")
    if not path.exists():
        raise DataError(f"{path}: no such file.")


_SEPARATORS = ((";", "semicolon"), ("\t", "tab"), ("|", "'|'"))


def _scan_csv(path: Path, text: str, row_start: re.Pattern[str] | None) -> None:
    """Check a CSV's layout before pandas reads it.

    Refused: a column name given twice, a file that is not comma-separated, a row with more
    values than the header, and rows merged by a stray quote (a quoted value running over
    several lines).

    ``row_start`` matches the first physical line of a row in files whose values may span
    lines (the NTI/CNS export); a value spanning lines is refused only if a line inside it
    looks like a row. Without it, any value spanning lines is refused.
    """
    lines = io.StringIO(text, newline="").readlines()
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        while header is not None and not any(h.strip() for h in header):
            header = next(reader, None)  # leading blank lines (the CNS export may have one)
    except csv.Error as exc:
        raise DataError(f"{path}: the header cannot be read ({exc}).") from None
    if header is None:
        return
    names = [h.strip() for h in header]
    twice = [n for n in dict.fromkeys(names) if n and names.count(n) > 1]
    if twice:
        where = [i + 1 for i, n in enumerate(names) if n == twice[0]]
        raise DataError(
            f"{path}, line {reader.line_num}: column '{show(twice[0])}' appears "
            f"{len(where)} times (columns {', '.join(map(str, where))}); give each column once."
        )
    if len(header) == 1:
        for sep, name in _SEPARATORS:
            if sep in header[0]:
                raise DataError(
                    f"{path}, line {reader.line_num}: the header is one column "
                    f"('{show(header[0])}'); the file looks {name}-separated. followon reads "
                    "comma-separated CSV: save the file with commas between values."
                )
    merged: tuple[int, int] | None = None
    rows = 0
    prev = reader.line_num
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:  # a value over csv's field limit (128 KiB): a runaway quote
            raise DataError(
                f"{path}, line {prev + 1}: a value starting on this line is too long to read "
                f"({exc}); a stray '\"' may have merged the lines after it."
            ) from None
        start, end = prev + 1, reader.line_num
        prev = end
        if not rec:
            continue
        rows += 1
        extra = rec[len(header) :]
        if merged is None and any(v.strip() for v in extra):
            raise DataError(
                f"{path}, line {start}: {len(rec)} values but the header has {len(header)} "
                "columns; quote a value that contains a comma."
            )
        if merged is None and end > start:
            inside = lines[start:end]  # the physical lines after the row's first one
            if row_start is None or any(row_start.match(line) for line in inside):
                merged = (start, end)
    if merged is not None:
        start, end = merged
        data_lines = sum(1 for line in lines[1:] if line.strip())
        tail = " (the end of the file)" if end >= len(lines) else ""
        raise DataError(
            f"{path}, line {start}: a quoted value starting on this line runs to line {end}"
            f"{tail}, merging {end - start + 1} lines into one row (a stray '\"'?); "
            f"{data_lines} line(s) of data were read as {rows} row(s)."
        )


def read_text_csv(
    path: Path, *, encoding: str = "utf-8", row_start: re.Pattern[str] | None = None
) -> pd.DataFrame:
    """Read a CSV of strings (no NA guessing), with one clear error for each kind of bad file.

    See :func:`_scan_csv` for the layout checks and ``row_start``.
    """
    check_input_file(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    if not raw:
        raise DataError(f"{path}: the file is empty; expected a header row and events.")
    try:
        text = raw.decode("utf-8-sig" if encoding == "utf-8" else encoding, errors="strict")
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not valid {encoding} text (byte 0x{exc.object[exc.start]:02X} at offset "
            f"{exc.start}); save it as UTF-8. The NTI/CNS CSV export is Windows-1252: read it "
            "with followon.read_cns_missile_database."
        ) from None
    _scan_csv(path, text, row_start)
    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected a header row and events.") from None
    except pd.errors.ParserError as exc:
        reason = " ".join(str(exc).split())
        raise DataError(f"{path}: not a readable CSV table ({show(reason, 120)}).") from None
    return frame


def read_events(path: str | Path) -> pd.DataFrame:
    """Read a user's event table (CSV in UTF-8, or Parquet) in the catalog schema.

    Parameters
    ----------
    path : str or Path
        ``.csv`` (UTF-8, comma-separated, one line per event) or ``.parquet`` file with at
        least ``event_id, type, date, source``. Time-zone-aware Parquet datetimes are read as
        their date in Korean time (``Asia/Seoul``).

    Returns
    -------
    pandas.DataFrame
        Validated and typed, sorted by date (see :func:`followon.events.schema.validate_events`).

    Raises
    ------
    DataError
        Naming the file, row and column of the first problem (see
        :func:`followon.events.schema.validate_events`); for a CSV file also a column name
        given twice, a file that is not comma-separated, and rows merged by a stray quote
        (a value running over several lines), naming the line.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        check_input_file(path)
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a bad file
            reason = " ".join(str(exc).split())
            raise DataError(f"{path}: not a readable Parquet file ({show(reason, 120)}).") from None
    elif suffix in (".csv", ".txt"):
        frame = read_text_csv(path)
    else:
        raise DataError(f"{path}: unsupported file type '{suffix}'; use .csv or .parquet.")
    return validate_events(frame, origin=str(path))


_CNS_COLUMNS = ("Date", "Launch Time (UTC)", "Missile Name", "Missile Type", "Test Outcome")

# the first physical line of a row of the NTI/CNS CSV export: F1 (row number), then the date
_CNS_ROW = re.compile(
    r'^"?\d+"?,"?(?:\d{1,2}-[A-Za-z]{3}-\d{2}|[A-Za-z]{3}-\d{2}|\d{4}-\d{2}(?:-\d{2})?'
    r"|\d{1,2}/\d{1,2}/\d{4})"
)
_HEADER_SEARCH = 10
"""Rows searched for the header of a CNS table (NTI's workbook has it on its second row)."""


def _blank(value: object) -> bool:
    if value is None or value is pd.NaT:
        return True
    if isinstance(value, str):
        return not value.strip()
    try:
        return bool(pd.isna(value))  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return False


def _cell(value: object) -> str:
    """Return a cell as stripped text; empty, None and NaN → ``""``."""
    return "" if _blank(value) else str(value).strip()


def _with_header(frame: pd.DataFrame, path: Path, required: tuple[str, ...]) -> pd.DataFrame:
    """Return ``frame`` with its header found: the columns, or one of the first rows."""
    names = [_cell(c) for c in frame.columns]
    if all(c in names for c in required):
        frame = frame.copy()
        frame.columns = pd.Index(names)
        return frame
    for k in range(min(_HEADER_SEARCH, len(frame))):
        row = [_cell(v) for v in frame.iloc[k].tolist()]
        if all(c in row for c in required):
            twice = [n for n in dict.fromkeys(row) if n and row.count(n) > 1]
            if twice:
                raise DataError(
                    f"{path}: column '{show(twice[0])}' appears {row.count(twice[0])} times in "
                    "the header; give each column once."
                )
            body = frame.iloc[k + 1 :].reset_index(drop=True)
            body.columns = pd.Index([n or f"(column {j + 1})" for j, n in enumerate(row)])
            return body
    have = ", ".join(
        show(n, 30)
        for n, c in zip(names, frame.columns, strict=True)
        if isinstance(c, str) and n and not n.startswith("Unnamed:")
    )
    missing = next(c for c in required if c not in names)
    raise DataError(
        f"{path}: missing column '{missing}' (looked for the header in the first "
        f"{_HEADER_SEARCH + 1} rows); the NTI/CNS missile database has "
        f"{', '.join(required)}{f'; the file has {have}' if have else ''}."
    )


_FORMAT_LITERALS = re.compile(r'\\.|"[^"]*"|\[[^\]]*\]')


def _excel_value(cell: Any) -> object:
    """Return a cell's value; a date shown by month only (format ``mmm-yy``) as text (``Sep-84``).

    NTI's workbook stores pre-1993 tests known only by month as the 1st of the month with a
    month-year format; the CSV export writes them ``Sep-84``. Both read the same.
    """
    value = cell.value
    if isinstance(value, dt.datetime | dt.date):
        fmt = _FORMAT_LITERALS.sub("", str(getattr(cell, "number_format", "") or "").lower())
        if "y" in fmt and "m" in fmt and "d" not in fmt:
            return f"{value:%b-%y}"
    return value


def _workbook_sheet(path: Path, sheet: str) -> pd.DataFrame:
    """One sheet of a workbook as a grid (no header), cells as stored (cached formula values)."""
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # a damaged workbook: zipfile, XML and key errors
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(f"{path}: not a readable Excel workbook ({show(reason, 120)}).") from None
    try:
        if sheet not in book.sheetnames:
            raise DataError(
                f"{path}: no sheet '{sheet}' (sheets: {show(', '.join(book.sheetnames), 80)}); "
                "is this the NTI/CNS workbook?"
            )
        try:
            grid = [[_excel_value(c) for c in row] for row in book[sheet].iter_rows()]
        except Exception as exc:
            reason = " ".join(str(exc).split()) or type(exc).__name__
            raise DataError(
                f"{path}: not a readable Excel workbook ({show(reason, 120)})."
            ) from None
    finally:
        book.close()
    width = max((len(r) for r in grid), default=0)
    if not width:
        raise DataError(f"{path}: the sheet '{sheet}' is empty.")
    return pd.DataFrame([r + [None] * (width - len(r)) for r in grid], dtype=object)


def _cns_frame(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    check_input_file(path)
    if suffix in (".xlsx", ".xlsm"):
        frame = _workbook_sheet(path, "Missile Tests")
    elif suffix == ".csv":
        # the NTI export is Windows-1252; decode strictly so a wrong file fails loudly
        frame = read_text_csv(path, encoding="cp1252", row_start=_CNS_ROW)
    else:
        raise DataError(f"{path}: unsupported file type '{suffix}'; use the .xlsx or .csv export.")
    frame = _with_header(frame, path, _CNS_COLUMNS)
    _refuse_copies(frame, path, "F1", "each CNS row is one missile, so a copy adds a missile")
    return frame


def _refuse_copies(frame: pd.DataFrame, path: Path, key: str | None, why: str) -> None:
    """Refuse rows repeating an earlier row in every column (with a non-empty ``key``)."""
    if frame.empty:
        return
    text = frame.map(_cell)
    repeated = text.duplicated(keep="first")
    if key is not None and key in text.columns:
        repeated &= text[key] != ""
    elif key is not None:
        return
    if not repeated.any():
        return
    j = int(repeated.to_numpy().nonzero()[0][0])
    same = (text.iloc[:j] == text.iloc[j]).all(axis=1).to_numpy().nonzero()[0]
    raise DataError(
        f"{path}, row {j + 1}: repeats row {int(same[0]) + 1} exactly ({int(repeated.sum())} "
        f"repeated row(s) in the file); delete the copies ({why})."
    )


def _cns_date(value: object) -> dt.date | None:
    """Excel datetime or ``9-Apr-84`` → date; month-only (``Sep-84``) → None.

    Raises ``ValueError`` for anything else.
    """
    if isinstance(value, dt.datetime | dt.date) and value is not pd.NaT:
        return dt.date(value.year, value.month, value.day)
    text = _cell(value)
    for fmt in ("%d-%b-%y", "%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    for fmt in ("%b-%y", "%Y-%m"):
        try:
            dt.datetime.strptime(text, fmt)
        except ValueError:
            continue
        return None
    raise ValueError(f"'{value}' is not a date")


def _cns_time(value: object, where: str) -> str | None:
    """``Launch Time (UTC)`` → ``"HH:MM"``; empty or a missing-value marker → None."""
    if isinstance(value, str) and value.strip().lower() in NA_TOKENS:
        return None
    try:
        return normalise_time(value)
    except (ValueError, TypeError):
        raise DataError(
            f"{where}: '{show(value)}' is not a time of day (expected e.g. 10:09:00 PM or "
            "22:09, in UTC; leave it empty when unknown)."
        ) from None


def _cns_missiles(frame: pd.DataFrame, origin: str) -> tuple[pd.DataFrame, int]:
    rows = []
    month_only = 0
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        if all(_blank(v) or str(v).strip() in ("nan", "None", "NaT") for v in rec.values()):
            continue  # trailing blank rows of a spreadsheet
        where = f"{origin}, row {i}, column 'Date'"
        if _blank(rec["Date"]):
            raise DataError(f"{where}: empty; every missile row needs a date (e.g. 9-Apr-84).")
        try:
            day = _cns_date(rec["Date"])
        except ValueError:
            raise DataError(
                f"{where}: '{show(rec['Date'])}' is not a date (expected e.g. 9-Apr-84)."
            ) from None
        if day is None:
            month_only += 1
            continue
        date = in_date_range(day, where)
        try:
            cls = cns_class(_cell(rec["Missile Type"]))
        except ValueError as exc:
            raise DataError(f"{origin}, row {i}, column 'Missile Type': {exc}.") from None
        utc = _cns_time(rec["Launch Time (UTC)"], f"{origin}, row {i}, column 'Launch Time (UTC)'")
        status = _cell(rec.get("Confirmation Status")).lower()
        rows.append(
            {
                "date": date,
                "utc_time": utc,
                "class": cls,
                "name": _cell(rec["Missile Name"]),
                "outcome": _cell(rec["Test Outcome"]).lower() or "unknown",
                "site": _cell(rec.get("Facility Name")),
                "confirmed": status != "unconfirmed",
            }
        )
    return pd.DataFrame(rows), month_only


def read_cns_missile_database(
    path: str | Path,
    *,
    csis: pd.DataFrame | None = None,
    date_overrides: Mapping[tuple[str, pd.Timestamp], pd.Timestamp] | None = None,
) -> pd.DataFrame:
    """Read the NTI/CNS North Korea Missile Test Database as launch days in Korean time.

    Parameters
    ----------
    path : str or Path
        The workbook (``.xlsx``, sheet "Missile Tests") or its CSV export (Windows-1252), as
        downloaded from NTI. One row per missile.
    csis : pandas.DataFrame, optional
        CSIS launch events (:func:`csis_launch_events`) to settle dates one day apart and to
        add launches CNS does not cover; see :mod:`followon.events.launches` for the rule.
    date_overrides : mapping, optional
        ``(type, recorded CNS date) → KST date`` settled from a cited page, e.g. the bundled
        catalog's (:func:`followon.events.catalog.launch_date_overrides`).

    Returns
    -------
    pandas.DataFrame
        Validated catalog rows: ``missile_launch`` days (and ``satellite_launch`` days for
        SLVs), ``count`` = missiles that day, ``source`` = ``cns`` (``cns+csis`` where merged).

    Warns
    -----
    DataWarning
        When rows dated by month only (pre-1993 records) are left out, with their number.
    """
    path = Path(path)
    missiles, month_only = _cns_missiles(_cns_frame(path), str(path))
    if month_only:
        warnings.warn(
            f"{path}: left out {month_only} row(s) dated by month only (no day to place them on).",
            DataWarning,
            stacklevel=2,
        )
    if missiles.empty:
        raise DataError(f"{path}: no missile rows with a full date.")
    days, _ = aggregate_launch_days(missiles, csis, date_overrides=date_overrides)
    return validate_events(days, origin=str(path))


_CSIS_ROW = re.compile(r'^"?\d{4}-\d{1,2}-\d{1,2}"?,')
_CSIS_COLUMNS = "date, type, event, description, resources"


def _csis_records(path: Path) -> pd.DataFrame:
    """Read the CSIS JSON export: a list of objects, one per event."""
    check_input_file(path)
    try:
        records = json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise DataError(f"{path}: cannot be read ({exc.strerror or exc}).") from None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        raise DataError(f"{path}: not a readable JSON file ({show(reason, 120)}).") from None
    if not isinstance(records, list):
        kind = "an object" if isinstance(records, dict) else f"a {type(records).__name__}"
        raise DataError(
            f"{path}: the JSON is {kind}, not a list; the CSIS export is a list of events "
            f'[{{"date": ..., "type": ..., "event": ...}}, ...].'
        )
    for k, rec in enumerate(records, start=1):
        if not isinstance(rec, dict):
            raise DataError(
                f"{path}, record {k}: {show(json.dumps(rec), 40)} is not an object; the CSIS "
                f"export is a list of events with {_CSIS_COLUMNS}."
            )
    frame = pd.DataFrame.from_records(records)
    return frame.map(lambda v: _cell(v) if not isinstance(v, dict | list) else json.dumps(v))


def _csis_frame(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".json":
        frame = _csis_records(path)
    else:
        frame = read_text_csv(path, row_start=_CSIS_ROW)
    if frame.empty and len(frame.columns) == 0:
        raise DataError(f"{path}: no events (the file holds none).")
    missing = [c for c in ("date", "type", "event") if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing column '{missing[0]}'; the CSIS provocations export has "
            f"{_CSIS_COLUMNS}."
        )
    _refuse_copies(frame, path, None, "a copy counts the event twice")
    return frame


def _csis_date(value: Any, where: str) -> pd.Timestamp:
    text = _cell(value)
    if not text:
        raise DataError(f"{where}: empty; every CSIS event needs a date (YYYY-MM-DD).")
    if text.lower() in NA_TOKENS:
        raise DataError(
            f"{where}: '{show(text)}' marks a missing value; every CSIS event needs a date "
            "(YYYY-MM-DD)."
        )
    try:
        day = dt.datetime.strptime(text, "%Y-%m-%d").date()
    except ValueError:
        raise DataError(f"{where}: '{show(value)}' is not a date (YYYY-MM-DD).") from None
    return in_date_range(day, where)


def csis_launch_events(path: str | Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """CSIS provocation rows classified into catalog types, one row per CSIS event.

    Returns
    -------
    events : pandas.DataFrame
        Columns ``date`` (Timestamp), ``type``, ``class``, ``count`` (missiles stated in the
        description, or None), ``url`` (the CSIS ``resources`` link), ``row`` (1-based).
    skipped : dict
        Out-of-scope CSIS ``event`` labels and how many rows each had. Those of them
        followon does not recognise (:func:`followon.events.launches.csis_label_unfamiliar`)
        are also in ``events.attrs["unfamiliar"]`` (label → rows).
    """
    path = Path(path)
    frame = _csis_frame(path)
    rows: list[dict[str, object]] = []
    skipped: dict[str, int] = {}
    unfamiliar: dict[str, int] = {}
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        kind = classify_csis_event(rec["event"], rec.get("type", ""))
        if kind is None:
            label = str(rec["event"]).strip() or "(no label)"
            skipped[label] = skipped.get(label, 0) + 1
            if csis_label_unfamiliar(label, str(rec.get("type", ""))):
                unfamiliar[label] = unfamiliar.get(label, 0) + 1
            continue
        date = _csis_date(rec["date"], f"{path}, row {i}, column 'date'")
        desc = rec.get("description")
        rows.append(
            {
                "date": date,
                "type": kind[0],
                "class": kind[1],
                "count": parse_missile_count(desc) if kind[0] == "missile_launch" else None,
                "url": str(rec.get("resources") or "").strip().split()[0]
                if str(rec.get("resources") or "").strip()
                else "",
                "row": i,
            }
        )
    events = pd.DataFrame(rows)
    events.attrs["unfamiliar"] = unfamiliar
    return events, skipped


def read_csis_provocations(path: str | Path) -> pd.DataFrame:
    """Read the CSIS Beyond Parallel provocations export (CSV or JSON) as catalog rows.

    Missile launches become launch days (several CSIS events on one date → one row, classes
    merged, the most severe as ``subtype``); satellite launches, nuclear tests and balloon
    launches become one row each. Free text is never kept: the missile count is read from the
    description and the description dropped. Out-of-scope events (artillery, DMZ incidents, ...)
    are left out; their labels and counts are in ``result.attrs["skipped"]``.

    Returns
    -------
    pandas.DataFrame
        Validated catalog rows with ``source`` = ``csis``.

    Warns
    -----
    DataWarning
        When rows are left out under labels followon does not recognise (a label of a
        missile or nuclear provocation, or one mentioning a missile, rocket, launch,
        satellite, balloon or nuclear test, that is neither classified nor a known
        out-of-scope event): the labels and their row counts, also in
        ``result.attrs["unfamiliar"]``.
    """
    path = Path(path)
    events, skipped = csis_launch_events(path)
    unfamiliar: dict[str, int] = dict(events.attrs.get("unfamiliar", {}))
    if unfamiliar:
        listed = ", ".join(f"'{show(k, 40)}' ({v})" for k, v in list(unfamiliar.items())[:5])
        more = f" and {len(unfamiliar) - 5} more" if len(unfamiliar) > 5 else ""
        warnings.warn(
            f"{path}: left out {sum(unfamiliar.values())} row(s) with CSIS labels followon "
            f"does not recognise: {listed}{more}; if one is a launch, nuclear test or balloon "
            "launch, report the label (all left-out labels: result.attrs['skipped']).",
            DataWarning,
            stacklevel=2,
        )
    if events.empty:
        raise DataError(f"{path}: no missile, satellite, nuclear or balloon events found.")
    launches = events[events["type"].isin(["missile_launch", "satellite_launch"])]
    days, _ = aggregate_launch_days(pd.DataFrame(columns=["date", "class"]), launches)
    other = events[~events["type"].isin(["missile_launch", "satellite_launch"])]
    extra = []
    seen: dict[str, int] = {}
    for rec in other.to_dict("records"):
        prefix = {"nuclear_test": "NT", "balloon_launch": "BAL"}[rec["type"]]
        base = f"{prefix}-{rec['date']:%Y-%m-%d}"
        seen[base] = seen.get(base, 0) + 1
        extra.append(
            {
                "event_id": base if seen[base] == 1 else f"{base}-{seen[base]}",
                "type": rec["type"],
                "date": f"{rec['date']:%Y-%m-%d}",
                "source": "csis",
                "source_url": rec["url"],
                "outcome": "unknown" if rec["type"] == "nuclear_test" else "",
            }
        )
    out = validate_events(
        pd.concat([days, pd.DataFrame(extra)], ignore_index=True), origin=str(path)
    )
    out.attrs["skipped"] = skipped
    out.attrs["unfamiliar"] = unfamiliar
    return out
