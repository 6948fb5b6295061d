"""Readers: a user's event file, and the NTI/CNS and CSIS files users download themselves.

Each returns a table in the catalog schema (see :mod:`followon.events.schema`), validated.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from followon.errors import DataError, FollowonWarning
from followon.events.launches import (
    aggregate_launch_days,
    classify_csis_event,
    cns_class,
    parse_missile_count,
)
from followon.events.schema import validate_events

__all__ = [
    "DataWarning",
    "csis_launch_events",
    "read_cns_missile_database",
    "read_csis_provocations",
    "read_events",
]


class DataWarning(FollowonWarning):
    """Rows a reader had to leave out (e.g. CNS rows dated only by month)."""


def read_text_csv(path: Path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CSV of strings (no NA guessing), with one clear error for a missing file."""
    if not path.exists():
        raise DataError(f"{path}: no such file.")
    if path.stat().st_size == 0:
        raise DataError(f"{path}: the file is empty; expected a header row and events.")
    try:
        frame = pd.read_csv(
            path, dtype=str, keep_default_na=False, encoding=encoding, encoding_errors="strict"
        )
    except UnicodeDecodeError as exc:
        raise DataError(
            f"{path}: not valid {encoding} text (byte 0x{exc.object[exc.start]:02X} at offset "
            f"{exc.start}); save it as UTF-8. The NTI/CNS CSV export is Windows-1252: read it "
            "with followon.read_cns_missile_database."
        ) from None
    except pd.errors.EmptyDataError:
        raise DataError(f"{path}: the file is empty; expected a header row and events.") from None
    except pd.errors.ParserError as exc:
        raise DataError(f"{path}: not a readable CSV table ({exc}).") from None
    return frame


def read_events(path: str | Path) -> pd.DataFrame:
    """Read a user's event table (CSV in UTF-8, or Parquet) in the catalog schema.

    Parameters
    ----------
    path : str or Path
        ``.csv`` or ``.parquet`` file with at least ``event_id, type, date, source``.

    Returns
    -------
    pandas.DataFrame
        Validated and typed, sorted by date (see :func:`followon.events.schema.validate_events`).

    Raises
    ------
    DataError
        Naming the file, row and column of the first problem.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        if not path.exists():
            raise DataError(f"{path}: no such file.")
        try:
            frame = pd.read_parquet(path)
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise DataError(f"{path}: not a readable Parquet file ({exc}).") from None
    elif suffix in (".csv", ".txt"):
        frame = read_text_csv(path)
    else:
        raise DataError(f"{path}: unsupported file type '{suffix}'; use .csv or .parquet.")
    return validate_events(frame, origin=str(path))


_CNS_COLUMNS = ("Date", "Launch Time (UTC)", "Missile Name", "Missile Type", "Test Outcome")


def _cns_frame(path: Path) -> pd.DataFrame:
    suffix = path.suffix.lower()
    if not path.exists():
        raise DataError(f"{path}: no such file.")
    if suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, sheet_name="Missile Tests", dtype=object)
        except ValueError as exc:
            raise DataError(
                f"{path}: no sheet 'Missile Tests' ({exc}); is this the NTI/CNS workbook?"
            ) from None
    elif suffix == ".csv":
        # the NTI export is Windows-1252; decode strictly so a wrong file fails loudly
        frame = read_text_csv(path, encoding="cp1252")
    else:
        raise DataError(f"{path}: unsupported file type '{suffix}'; use the .xlsx or .csv export.")
    frame.columns = pd.Index([str(c).strip() for c in frame.columns])
    missing = [c for c in _CNS_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing column '{missing[0]}'; the NTI/CNS missile database has "
            f"{', '.join(_CNS_COLUMNS)}."
        )
    return frame


def _cns_date(value: object) -> pd.Timestamp | None:
    """Excel datetime or ``9-Apr-84`` → Timestamp; month-only (``Sep-84``) → None."""
    if isinstance(value, pd.Timestamp):
        return value.normalize()
    if hasattr(value, "year") and hasattr(value, "month") and hasattr(value, "day"):
        return pd.Timestamp(value).normalize()  # type: ignore[arg-type]
    text = str(value).strip()
    for fmt in ("%d-%b-%y", "%Y-%m-%d", "%m/%d/%Y", "%Y-%m-%d %H:%M:%S"):
        try:
            return pd.to_datetime(text, format=fmt)
        except ValueError:
            continue
    for fmt in ("%b-%y", "%Y-%m"):
        try:
            pd.to_datetime(text, format=fmt)
        except ValueError:
            continue
        return None
    raise ValueError(f"'{value}' is not a date")


def _cns_missiles(frame: pd.DataFrame, origin: str) -> tuple[pd.DataFrame, int]:
    rows = []
    month_only = 0
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        if all(str(v).strip() in ("", "nan", "None", "NaT") for v in rec.values()):
            continue  # trailing blank rows of a spreadsheet
        try:
            date = _cns_date(rec["Date"])
        except ValueError:
            raise DataError(
                f"{origin}, row {i}, column 'Date': '{rec['Date']}' is not a date "
                "(expected e.g. 9-Apr-84)."
            ) from None
        if date is None:
            month_only += 1
            continue
        try:
            cls = cns_class(str(rec["Missile Type"]))
        except ValueError as exc:
            raise DataError(f"{origin}, row {i}, column 'Missile Type': {exc}.") from None
        status = str(rec.get("Confirmation Status") or "").strip().lower()
        rows.append(
            {
                "date": date,
                "utc_time": rec["Launch Time (UTC)"],
                "class": cls,
                "name": str(rec["Missile Name"]).strip(),
                "outcome": str(rec["Test Outcome"] or "unknown").strip().lower(),
                "site": str(rec.get("Facility Name") or "").strip(),
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


def _csis_frame(path: Path) -> pd.DataFrame:
    if path.suffix.lower() == ".json":
        if not path.exists():
            raise DataError(f"{path}: no such file.")
        try:
            records = json.loads(path.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataError(f"{path}: not a readable JSON file ({exc}).") from None
        frame = pd.DataFrame(records).astype(str)
    else:
        frame = read_text_csv(path)
    missing = [c for c in ("date", "type", "event") if c not in frame.columns]
    if missing:
        raise DataError(
            f"{path}: missing column '{missing[0]}'; the CSIS provocations export has "
            "date, type, event, description, resources."
        )
    return frame


def csis_launch_events(path: str | Path) -> tuple[pd.DataFrame, dict[str, int]]:
    """CSIS provocation rows classified into catalog types, one row per CSIS event.

    Returns
    -------
    events : pandas.DataFrame
        Columns ``date`` (Timestamp), ``type``, ``class``, ``count`` (missiles stated in the
        description, or None), ``url`` (the CSIS ``resources`` link), ``row`` (1-based).
    skipped : dict
        Out-of-scope CSIS ``event`` labels and how many rows each had.
    """
    path = Path(path)
    frame = _csis_frame(path)
    rows: list[dict[str, object]] = []
    skipped: dict[str, int] = {}
    for i, rec in enumerate(frame.to_dict("records"), start=1):
        kind = classify_csis_event(rec["event"], rec.get("type", ""))
        if kind is None:
            label = str(rec["event"]).strip() or "(no label)"
            skipped[label] = skipped.get(label, 0) + 1
            continue
        try:
            date = pd.to_datetime(str(rec["date"]).strip(), format="%Y-%m-%d")
        except ValueError:
            raise DataError(
                f"{path}, row {i}, column 'date': '{rec['date']}' is not a date (YYYY-MM-DD)."
            ) from None
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
    return pd.DataFrame(rows), skipped


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
    """
    path = Path(path)
    events, skipped = csis_launch_events(path)
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
    return out
