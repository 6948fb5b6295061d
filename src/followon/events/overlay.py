r"""The local overlay: event files a user adds to bring the bundled catalog up to date.

A researcher adds what happened since the bundled data end (or events of new types, for
another country or actor) without editing the package::

    followon data add events-2026.csv --observed-until 2026-11-30
    followon data add --cns north_korea_missile_test_database.xlsx --csis provocations.csv \
        --observed-until 2026-11-30 --name launches-2026-11

Each added file is validated against the catalog schema and stored in its own folder under
:func:`overlay_dir`::

    <data dir>/overlay/<name>/events.csv     the validated table (catalog schema, UTF-8)
    <data dir>/overlay/<name>/overlay.json   name, original file, sha256 of events.csv, rows,
                                             types, new types, observed_until, added (UTC)

The folder is written atomically (:func:`followon._io.atomic_folder`): a file that fails
validation adds nothing. ``overlay.json`` is the index entry; an ``events.csv`` edited by hand
afterwards no longer matches its sha256 and is refused until removed and added again.

:func:`followon.load_events` returns the bundled catalog plus every overlay file; an overlay
row that repeats an event already loaded (same ``type``, same Korean ``date``) is merged into it
(the earlier row is kept) and listed in ``events.attrs["overlay_merged"]``.
:func:`followon.observed_until` moves a type forward only through an overlay file's own
``observed_until``: a file without one is refused.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from followon._io import atomic_folder
from followon.errors import DataError, did_you_mean
from followon.events.schema import EVENT_TYPES, event_types, validate_events

__all__ = [
    "OverlayFile",
    "add_overlay",
    "data_dir",
    "merge_overlay",
    "overlay_dir",
    "overlay_files",
    "overlay_types",
    "read_overlay_file",
    "remove_overlay",
]

_INDEX = "overlay.json"
_TABLE = "events.csv"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]{0,47}$")
_DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

# the types each downloaded source covers completely through its observed_until
_CNS_TYPES = ("missile_launch", "satellite_launch")
_CSIS_TYPES = ("missile_launch", "satellite_launch", "nuclear_test", "balloon_launch")


def data_dir() -> Path:
    r"""Return followon's user data folder (the overlay lives in its ``overlay/`` subfolder).

    ``$FOLLOWON_DATA_DIR`` if set; else ``%LOCALAPPDATA%\followon`` on Windows,
    ``~/Library/Application Support/followon`` on macOS and ``$XDG_DATA_HOME/followon``
    (default ``~/.local/share/followon``) elsewhere. The folder is not created here.
    """
    override = os.environ.get("FOLLOWON_DATA_DIR")
    if override:
        return Path(override).expanduser()
    home = Path.home()
    if sys.platform == "win32":
        local = os.environ.get("LOCALAPPDATA")
        base = Path(local) if local else home / "AppData" / "Local"
    elif sys.platform == "darwin":
        base = home / "Library" / "Application Support"
    else:
        xdg = os.environ.get("XDG_DATA_HOME", "")
        base = Path(xdg) if xdg and Path(xdg).is_absolute() else home / ".local" / "share"
    return base / "followon"


def overlay_dir() -> Path:
    """Return the folder holding the overlay files: ``data_dir() / "overlay"``."""
    return data_dir() / "overlay"


@dataclass(frozen=True)
class OverlayFile:
    """One file in the local overlay, as its index entry ``overlay.json`` describes it.

    Attributes
    ----------
    name : str
        The name given with ``--name`` (default: the file's stem).
    original_file : str
        The file(s) it was built from (``a.xlsx + b.csv`` for a CNS and a CSIS download).
    sha256 : str
        Of the stored ``events.csv``.
    rows : int
    types : tuple of str
        Event types the file covers through ``observed_until`` (its rows' types and any
        declared ones).
    new_types : tuple of str
        Types it declares that are not built in (:data:`followon.EVENT_TYPES`).
    observed_until : pandas.Timestamp
        Last day the file is complete for its ``types``.
    added : str
        When it was added (ISO 8601, UTC).
    kind : str
        ``events`` (a file in the catalog schema), ``cns``, ``csis`` or ``cns+csis``.
    folder : Path
        Its folder under :func:`overlay_dir`.
    """

    name: str
    original_file: str
    sha256: str
    rows: int
    types: tuple[str, ...]
    new_types: tuple[str, ...]
    observed_until: pd.Timestamp
    added: str
    kind: str
    folder: Path

    @property
    def table_path(self) -> Path:
        """The stored table, ``<folder>/events.csv``."""
        return self.folder / _TABLE

    def to_json(self) -> dict[str, Any]:
        """Return the index entry written to ``overlay.json``."""
        return {
            "name": self.name,
            "original_file": self.original_file,
            "sha256": self.sha256,
            "rows": self.rows,
            "types": list(self.types),
            "new_types": list(self.new_types),
            "observed_until": f"{self.observed_until:%Y-%m-%d}",
            "added": self.added,
            "kind": self.kind,
        }

    @classmethod
    def _from_json(cls, folder: Path) -> OverlayFile:
        index = folder / _INDEX
        try:
            raw = json.loads(index.read_text(encoding="utf-8"))
            return cls(
                name=str(raw["name"]),
                original_file=str(raw["original_file"]),
                sha256=str(raw["sha256"]),
                rows=int(raw["rows"]),
                types=tuple(str(t) for t in raw["types"]),
                new_types=tuple(str(t) for t in raw.get("new_types", ())),
                observed_until=pd.Timestamp(raw["observed_until"]),
                added=str(raw["added"]),
                kind=str(raw.get("kind", "events")),
                folder=folder,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DataError(
                f"{index}: not a readable overlay index ({exc}); run `followon data remove "
                f"{folder.name}` then add the file again."
            ) from None


_SCAN_CACHE: dict[tuple[Any, ...], tuple[OverlayFile, ...]] = {}


def overlay_files() -> tuple[OverlayFile, ...]:
    """Return the files in the local overlay, in the order they were added.

    Raises
    ------
    DataError
        For an unreadable index entry, naming it and the fix.
    """
    root = overlay_dir()
    if not root.is_dir():
        return ()
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    key_parts: list[Any] = [str(root)]
    for folder in folders:
        try:
            st = (folder / _INDEX).stat()
        except FileNotFoundError:
            continue  # not an overlay entry (e.g. a folder the user made)
        key_parts.append((folder.name, st.st_mtime_ns, st.st_size))
    key = tuple(key_parts)
    if key not in _SCAN_CACHE:
        entries = [OverlayFile._from_json(root / str(k[0])) for k in key[1:]]
        _SCAN_CACHE.clear()
        _SCAN_CACHE[key] = tuple(sorted(entries, key=lambda e: (e.added, e.name)))
    return _SCAN_CACHE[key]


def overlay_types() -> tuple[str, ...]:
    """Return the new event types declared by overlay files (not the built-in ones)."""
    out: dict[str, None] = {}
    for entry in overlay_files():
        out.update(dict.fromkeys(entry.new_types))
    return tuple(out)


_READ_CACHE: dict[tuple[Any, ...], pd.DataFrame] = {}


def read_overlay_file(entry: OverlayFile) -> pd.DataFrame:
    """Read one overlay file, checking its sha256 against the index, validated and typed.

    Raises
    ------
    DataError
        When ``events.csv`` is missing or was edited after it was added (sha256 mismatch),
        with the fix: ``followon data remove NAME`` then add the file again.
    """
    path = entry.table_path
    try:
        st = path.stat()
    except FileNotFoundError:
        raise DataError(
            f"{path}: missing from the overlay; run `followon data remove {entry.name}` then "
            "add the file again."
        ) from None
    key = (str(path), st.st_mtime_ns, st.st_size, entry.sha256, event_types())
    if key not in _READ_CACHE:
        if len(_READ_CACHE) > 64:
            _READ_CACHE.clear()
        raw = path.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != entry.sha256:
            raise DataError(
                f"{path}: sha256 {digest[:12]}… does not match the overlay index "
                f"({entry.sha256[:12]}…): the file was edited after `followon data add`. Run "
                f"`followon data remove {entry.name}` then add the corrected file again."
            )
        with path.open("r", encoding="utf-8") as fh:
            frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
        _READ_CACHE[key] = validate_events(frame, origin=str(path), extra_types=entry.types)
    return _READ_CACHE[key].copy()


def merge_overlay(
    base: pd.DataFrame, entries: Sequence[OverlayFile] | None = None
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    """Add the overlay files' rows to ``base``, merging rows that repeat an event.

    A row whose ``(type, date)`` is already present (in ``base`` or an earlier overlay file)
    is merged into that event: the earlier row is kept, the repeat is dropped and listed.

    Parameters
    ----------
    base : pandas.DataFrame
        A validated event table (the bundled catalog).
    entries : sequence of OverlayFile, optional
        Default: every file in the overlay (:func:`overlay_files`).

    Returns
    -------
    events : pandas.DataFrame
        Validated, sorted by date; an ``overlay`` column names the file each added row came
        from (empty for ``base`` rows). ``base`` itself when there are no overlay files.
    merged : list of dict
        One per dropped repeat: ``overlay``, ``event_id``, ``type``, ``date``, ``kept`` (the
        ``event_id`` of the row kept).

    Raises
    ------
    DataError
        An overlay row reusing the ``event_id`` of a different event.
    """
    entries = overlay_files() if entries is None else entries
    return _merge_tables(base, [(e, read_overlay_file(e)) for e in entries])


def _merge_tables(
    base: pd.DataFrame, tables: Sequence[tuple[OverlayFile, pd.DataFrame]]
) -> tuple[pd.DataFrame, list[dict[str, str]]]:
    if not tables:
        return base, []
    kept: dict[tuple[str, pd.Timestamp], str] = {
        (str(t), pd.Timestamp(d)): str(e)
        for t, d, e in zip(base["type"], base["date"], base["event_id"], strict=True)
    }
    ids = {eid: "the bundled catalog" for eid in kept.values()}
    frames = [
        base
        if "overlay" in base
        else base.assign(overlay=pd.array([None] * len(base), dtype="string"))
    ]
    merged: list[dict[str, str]] = []
    for entry, frame in tables:
        keep = []
        for eid, etype, date in zip(frame["event_id"], frame["type"], frame["date"], strict=True):
            k = (str(etype), pd.Timestamp(date))
            if k in kept:
                keep.append(False)
                merged.append(
                    {
                        "overlay": entry.name,
                        "event_id": str(eid),
                        "type": str(etype),
                        "date": f"{date:%Y-%m-%d}",
                        "kept": kept[k],
                    }
                )
                continue
            if str(eid) in ids:
                raise DataError(
                    f"{entry.table_path}: event_id '{eid}' ({etype} on {date:%Y-%m-%d}) is "
                    f"already used by {ids[str(eid)]} for another event; run `followon data "
                    f"remove {entry.name}` and add the file again with another id."
                )
            keep.append(True)
            kept[k] = str(eid)
            ids[str(eid)] = f"overlay file '{entry.name}'"
        rows = frame[keep]
        frames.append(rows.assign(overlay=pd.array([entry.name] * len(rows), dtype="string")))
    events = pd.concat(frames, ignore_index=True)
    events = events.sort_values(["date", "event_id"], kind="stable").reset_index(drop=True)
    return events, merged


# --- adding and removing ----------------------------------------------------------------------


def _parse_date(value: object, where: str) -> pd.Timestamp:
    text = str(value).strip()
    if isinstance(value, dt.date):
        text = f"{value:%Y-%m-%d}"
    if not _DATE_RE.match(text):
        raise DataError(f"{where}: '{value}' is not a date; write it as YYYY-MM-DD.")
    try:
        return pd.Timestamp(text)
    except ValueError:
        raise DataError(f"{where}: '{value}' is not a real calendar date.") from None


def _split_types(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else list(value)
    return [t.strip() for t in items if t.strip()]


def _read_user_table(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    """Return the raw table (strings) and its metadata (Parquet key-value metadata)."""
    from followon.events.readers import check_input_file, read_text_csv

    suffix = path.suffix.lower()
    check_input_file(path)
    meta: dict[str, str] = {}
    if suffix == ".parquet":
        try:
            import pyarrow.parquet as pq  # type: ignore[import-untyped]

            frame = pd.read_parquet(path)
            raw_meta = pq.read_schema(path).metadata or {}
        except Exception as exc:  # pyarrow raises several types for a bad file
            raise DataError(f"{path}: not a readable Parquet file ({exc}).") from None
        for k, v in raw_meta.items():
            key = k.decode("utf-8", "replace")
            if key in ("observed_until", "types"):
                meta[key] = v.decode("utf-8", "replace")
    elif suffix in (".csv", ".txt"):
        frame = read_text_csv(path)
    else:
        hint = " (the NTI/CNS workbook: add it with --cns)" if suffix.startswith(".xls") else ""
        raise DataError(f"{path}: unsupported file type '{suffix}'; use .csv or .parquet{hint}.")
    return frame, meta


def _file_observed_until(frame: pd.DataFrame, origin: str) -> pd.Timestamp | None:
    if "observed_until" not in frame.columns:
        return None
    found: dict[pd.Timestamp, int] = {}
    for i, value in enumerate(frame["observed_until"].tolist(), start=1):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            continue
        if isinstance(value, str) and not value.strip():
            continue
        day = _parse_date(value, f"{origin}, row {i} (line {i + 1}), column 'observed_until'")
        found.setdefault(day, i)
    if len(found) > 1:
        (a, ra), (b, rb) = sorted(found.items())[:2]
        raise DataError(
            f"{origin}, column 'observed_until': several dates ({a:%Y-%m-%d} at row {ra}, "
            f"{b:%Y-%m-%d} at row {rb}); a file has one observed_until — give the same date on "
            "every row, or split the file."
        )
    return next(iter(found), None)


def _check_new_types(declared: list[str], origin: str) -> list[str]:
    new = [t for t in dict.fromkeys(declared) if t not in EVENT_TYPES]
    for t in new:
        if not _TYPE_RE.match(t):
            raise DataError(
                f"{origin}: '{t}' is not a usable event type name; use lower-case letters, "
                "digits and underscores, starting with a letter (e.g. election)."
            )
    return new


def _check_row_types(frame: pd.DataFrame, allowed: Sequence[str], origin: str) -> None:
    if "type" not in frame.columns:
        return  # validate_events names the missing column
    for i, value in enumerate(frame["type"].tolist(), start=1):
        etype = "" if value is None else str(value).strip()
        if etype and etype not in allowed:
            raise DataError(
                f"{origin}, row {i} (line {i + 1}), column 'type': unknown type '{etype}'"
                f"{did_you_mean(etype, allowed)}; allowed: {', '.join(allowed)}. To add a new "
                f"event type, declare it: --types {etype}."
            )


def _launch_days(cns: Path | None, csis: Path | None) -> pd.DataFrame:
    """Run the bundled catalog's launch-day build on a user's NTI/CNS and/or CSIS download."""
    from followon.events.catalog import launch_date_overrides
    from followon.events.readers import (
        csis_launch_events,
        read_cns_missile_database,
        read_csis_provocations,
    )

    csis_rows = read_csis_provocations(csis) if csis is not None else None
    if cns is None:
        assert csis_rows is not None
        return csis_rows
    csis_launches = None
    if csis is not None:
        events, _ = csis_launch_events(csis)
        csis_launches = events[events["type"].isin(["missile_launch", "satellite_launch"])]
    days = read_cns_missile_database(
        cns, csis=csis_launches, date_overrides=launch_date_overrides()
    )
    if csis_rows is None:
        return days
    other = csis_rows[~csis_rows["type"].isin(["missile_launch", "satellite_launch"])]
    return validate_events(pd.concat([days, other], ignore_index=True), origin=f"{cns} + {csis}")


def _csv_bytes(frame: pd.DataFrame) -> bytes:
    out = frame.copy()
    for col in ("date", "end_date"):
        if col in out.columns and pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out = out.astype(object).where(out.notna(), "")
    text: str = out.to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def _default_name(path: Path) -> str:
    name = re.sub(r"[^A-Za-z0-9._-]+", "-", path.stem).strip("-._") or "events"
    return name[:64]


def add_overlay(
    path: str | Path | None = None,
    *,
    cns: str | Path | None = None,
    csis: str | Path | None = None,
    observed_until: str | dt.date | pd.Timestamp | None = None,
    name: str | None = None,
    types: str | Iterable[str] | None = None,
    replace: bool = False,
) -> tuple[OverlayFile, list[dict[str, str]]]:
    """Validate an event file and add it to the local overlay (``followon data add``).

    Parameters
    ----------
    path : str or Path, optional
        A table in the catalog schema (CSV in UTF-8 or Parquet), as
        :func:`followon.read_events` reads it. May carry an ``observed_until`` column (one
        date) and, for Parquet, ``observed_until`` / ``types`` key-value metadata.
    cns, csis : str or Path, optional
        Instead of ``path``: the NTI/CNS workbook (or its CSV export) and/or the CSIS
        provocations export, built into launch days exactly as the bundled catalog is (Korean
        dates, merging, classes, the bundled date overrides).
    observed_until : date-like, optional
        Last day the file is complete for its types. Required here or in the file; it wins
        over the file's own. Never taken from the bundled catalog.
    name : str, optional
        Name in the overlay (default: the file's stem).
    types : str or iterable of str, optional
        Event types the file covers (comma-separated or a list), besides its rows' types. New
        types (not in :data:`followon.EVENT_TYPES`) must be declared here or in the metadata.
    replace : bool
        Replace an overlay file of the same name (default: refuse).

    Returns
    -------
    entry : OverlayFile
        What was stored.
    merged : list of dict
        Its rows that repeat an event already loaded (see :func:`merge_overlay`).

    Raises
    ------
    DataError
        One line naming the file (and row and column) of the first problem; nothing is added.
    """
    if (path is None) == (cns is None and csis is None):
        raise DataError("give either an event file, or --cns and/or --csis downloads.")
    sources = [Path(p) for p in (path, cns, csis) if p is not None]
    origin = " + ".join(str(p) for p in sources)
    declared = _split_types(types)
    meta: dict[str, str] = {}
    if path is not None:
        frame, meta = _read_user_table(Path(path))
        file_until = _file_observed_until(frame, str(path))
        if file_until is None and meta.get("observed_until"):
            file_until = _parse_date(meta["observed_until"], f"{path}, metadata 'observed_until'")
        if meta.get("types"):
            text = meta["types"]
            try:
                listed = json.loads(text) if text.lstrip().startswith("[") else text
            except json.JSONDecodeError:
                raise DataError(f"{path}, metadata 'types': '{text}' is not a list.") from None
            declared += _split_types(listed)
        kind = "events"
    else:
        frame = pd.DataFrame()
        file_until = None
        kind = "+".join(k for k, p in (("cns", cns), ("csis", csis)) if p is not None)
    if observed_until is not None:
        until = _parse_date(observed_until, f"{origin}: --observed-until")
    elif file_until is not None:
        until = file_until
    else:
        raise DataError(
            f"{origin}: no observed_until. Say through which date this file is complete: add "
            "--observed-until YYYY-MM-DD (or an observed_until column); followon never assumes "
            "the bundled catalog's dates for your file."
        )
    new_types = _check_new_types(declared, origin)
    registered = event_types()
    allowed = registered + tuple(t for t in new_types if t not in registered)
    if path is not None:
        _check_row_types(frame, allowed, str(path))
        frame = frame.drop(columns=["observed_until"], errors="ignore")
        events = validate_events(frame, origin=str(path), extra_types=new_types)
    else:
        events = _launch_days(Path(cns) if cns else None, Path(csis) if csis else None)
        declared += list(_CNS_TYPES if cns else ()) + list(_CSIS_TYPES if csis else ())
    late = events[events["date"] > until]
    if not late.empty:
        first = late.iloc[0]
        raise DataError(
            f"{origin}: event '{first['event_id']}' on {first['date']:%Y-%m-%d} is after the "
            f"file's observed_until {until:%Y-%m-%d}; observed_until must be on or after the "
            "last event."
        )
    name = name if name is not None else _default_name(sources[0])
    if not _NAME_RE.match(name):
        raise DataError(
            f"'{name}' is not a usable overlay name; use letters, digits, '.', '_' and '-' "
            "(at most 64), starting with a letter or digit."
        )
    target = overlay_dir() / name
    if target.exists() and not replace:
        raise DataError(
            f"an overlay file named '{name}' exists already ({target}); choose another --name, "
            f"or pass --replace to overwrite it (`followon data sources` lists them)."
        )
    covered = tuple(dict.fromkeys([*map(str, events["type"]), *declared]))
    raw = _csv_bytes(events)
    entry = OverlayFile(
        name=name,
        original_file=" + ".join(p.name for p in sources),
        sha256=hashlib.sha256(raw).hexdigest(),
        rows=len(events),
        types=covered,
        new_types=tuple(t for t in covered if t not in EVENT_TYPES),
        observed_until=until,
        added=dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        kind=kind,
        folder=target,
    )
    # check it against what is loaded now (ids reused, repeats merged) before storing anything
    from followon.events.catalog import load_bundled_events

    stored = validate_events(
        pd.read_csv(io.BytesIO(raw), dtype=str, keep_default_na=False),
        origin=origin,
        extra_types=covered,
    )
    base, _ = merge_overlay(load_bundled_events(), [e for e in overlay_files() if e.name != name])
    _, merged = _merge_tables(base, [(entry, stored)])
    try:
        with atomic_folder(target) as tmp:
            (tmp / _TABLE).write_bytes(raw)
            (tmp / _INDEX).write_text(
                json.dumps(entry.to_json(), indent=2, ensure_ascii=False) + "\n",
                encoding="utf-8",
            )
    except OSError as exc:
        raise DataError(
            f"{target}: cannot write the overlay ({exc.strerror or exc}); nothing was added. "
            "Set FOLLOWON_DATA_DIR to a writable folder."
        ) from None
    return entry, merged


def remove_overlay(name: str) -> OverlayFile | None:
    """Take the file ``name`` out of the local overlay (``followon data remove``).

    Returns
    -------
    OverlayFile or None
        The entry removed (None when its index could not be read; its folder is removed).

    Raises
    ------
    DataError
        No overlay file of that name (with a "did you mean").
    """
    root = overlay_dir()
    target = root / name
    if not _NAME_RE.match(name) or not target.is_dir():
        names = (
            sorted(p.name for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
            if root.is_dir()
            else []
        )
        raise DataError(
            f"no overlay file named '{name}'{did_you_mean(name, names)}; "
            + (f"the overlay has {', '.join(names)}." if names else "the overlay is empty.")
        )
    try:
        entry: OverlayFile | None = OverlayFile._from_json(target)
    except DataError:
        entry = None
    try:
        shutil.rmtree(target)
    except OSError as exc:
        raise DataError(f"{target}: cannot remove it ({exc.strerror or exc}).") from None
    return entry
