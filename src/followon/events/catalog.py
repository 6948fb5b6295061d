"""The bundled DPRK event catalog: tables under ``data/`` shipped inside the wheel.

The tables are built by ``data/build.py`` (maintainers only) from raw copies of the CNS/NTI
missile database, the CSIS Beyond Parallel provocations database, a seismic catalogue of the
nuclear tests and hand-sourced tables of meetings, summits, balloon rounds and exercises.
``data/manifest.json`` records each table's sha256, rows, producers, licence note and
``observed_until``; ``data/README.md`` gives attribution and coverage.

Files a user adds with ``followon data add`` (the local overlay, :mod:`followon.events.overlay`)
are loaded with the bundled tables and move a type's :func:`observed_until` forward;
``overlay=False`` gives the bundled catalog alone.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, overload

import pandas as pd

from followon.errors import DataError, did_you_mean
from followon.events.overlay import merge_overlay, overlay_files
from followon.events.schema import event_types, validate_events

__all__ = [
    "catalog_path",
    "catalog_sha256",
    "catalogued_from",
    "launch_date_overrides",
    "load_events",
    "load_manifest",
    "observed_until",
    "observed_until_by_producer",
    "observed_until_sources",
]


def catalog_path() -> Traversable:
    """Folder of the bundled tables: ``followon/data`` in a wheel, ``data/`` in a checkout."""
    packaged = resources.files("followon").joinpath("data")
    if packaged.joinpath("manifest.json").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[3] / "data"
    if (checkout / "manifest.json").is_file():
        return checkout
    raise DataError(
        "the bundled catalog was not found (no followon/data/manifest.json in the installed "
        f"package and no {checkout}/manifest.json); reinstall followon."
    )


@cache
def load_manifest() -> dict[str, Any]:
    """Return the catalog manifest: per table its file, sha256, rows, producers, observed_until."""
    text = catalog_path().joinpath("manifest.json").read_text(encoding="utf-8")
    manifest: dict[str, Any] = json.loads(text)
    return manifest


@cache
def load_bundled_events() -> pd.DataFrame:
    """Return the bundled tables as one validated frame (cached; callers copy it)."""
    manifest = load_manifest()
    root = catalog_path()
    frames = []
    for table in manifest["tables"]:
        entry = root.joinpath(table["file"])
        raw = entry.read_bytes()
        digest = hashlib.sha256(raw).hexdigest()
        if digest != table["sha256"]:
            raise DataError(
                f"{table['file']}: sha256 {digest[:12]}… does not match the manifest "
                f"({table['sha256'][:12]}…); the bundled data were edited without rebuilding. "
                "Run `make data`."
            )
        with entry.open("r", encoding="utf-8") as fh:
            frames.append(pd.read_csv(fh, dtype=str, keep_default_na=False))
    combined = pd.concat(frames, ignore_index=True).fillna("")
    return validate_events(combined, origin="bundled catalog")


def load_events(
    types: str | list[str] | None = None,
    *,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    include_provisional: bool = True,
    overlay: bool = True,
) -> pd.DataFrame:
    """Load the bundled DPRK event catalog, plus the local overlay, as one validated DataFrame.

    Size: about 400 bundled rows (launch days 1984–2026, the six nuclear tests, satellite
    launches, 2024 balloon rounds, summits 2018–2025, party congresses, plenary and Politburo
    meetings 2016–2026, US–ROK exercise windows 2012–2026), sorted by date. Dates are Korean
    (KST) dates. Files added with ``followon data add`` (:mod:`followon.events.overlay`) are
    included: an overlay row that repeats an event already loaded (same ``type``, same
    ``date``) is merged into it, not doubled.

    Parameters
    ----------
    types : str or list of str, optional
        Keep only these event types (:data:`followon.EVENT_TYPES` or types declared by overlay
        files, see :func:`followon.events.schema.event_types`).
    start, end : date-like, optional
        Keep events whose ``date`` is on or after ``start`` / on or before ``end``.
    include_provisional : bool
        Keep rows their producer may still revise (default True).
    overlay : bool
        Include the local overlay (default True); False gives the bundled catalog alone.

    Returns
    -------
    pandas.DataFrame
        Columns ``event_id, type, subtype, date, end_date, count, outcome, classes, tags,
        label, source, source_url, provisional`` plus per-type extras (``utc_time``,
        ``date_rule``, ``yield_kt``, ``counterpart``, ...) and, when overlay files are loaded,
        ``overlay`` (the file each added row came from). A fresh copy on each call.
        ``attrs`` records the provenance (read-only, shared by frames derived from it):
        ``observed_until`` (type → ``YYYY-MM-DD``, as :func:`observed_until` with the same
        ``overlay``), ``overlay`` (a tuple of one ``{name, sha256, rows, observed_until}`` per
        overlay file loaded) and ``overlay_merged`` (a tuple of one ``{overlay, event_id, type,
        date, kept}`` per overlay row merged into an event already loaded).

    Raises
    ------
    DataError
        For an unknown type (with a "did you mean"), a bundled table that fails validation, or
        an overlay file edited after it was added (with the fix).

    Examples
    --------
    >>> import followon as fo
    >>> launches = fo.load_events("missile_launch", start="2022-01-01", end="2022-12-31")
    >>> int((launches["source"].str.contains("cns")).sum())
    34
    """
    entries = overlay_files() if overlay else ()
    events, merged = merge_overlay(load_bundled_events().copy(), entries)
    if types is not None:
        wanted = [types] if isinstance(types, str) else list(types)
        allowed = event_types()
        for t in wanted:
            if t not in allowed:
                raise DataError(
                    f"load_events: unknown type '{t}'{did_you_mean(t, allowed)}; allowed: "
                    f"{', '.join(allowed)}."
                )
        events = events[events["type"].isin(wanted)]
    if start is not None:
        events = events[events["date"] >= pd.Timestamp(start)]
    if end is not None:
        events = events[events["date"] <= pd.Timestamp(end)]
    if not include_provisional:
        events = events[~events["provisional"]]
    events = events.reset_index(drop=True)
    # shared, read-only records: pandas deep-copies attrs on every operation otherwise
    events.attrs = {
        "observed_until": _Shared(
            {t: f"{d:%Y-%m-%d}" for t, d in observed_until(overlay=overlay).items()}
        ),
        "overlay": _SharedList(
            {
                "name": e.name,
                "sha256": e.sha256,
                "rows": e.rows,
                "observed_until": f"{e.observed_until:%Y-%m-%d}",
            }
            for e in entries
        ),
        "overlay_merged": _SharedList(merged),
    }
    return events


class _Shared(dict[str, str]):
    """A provenance record in ``attrs``, shared (not deep-copied) by frames derived from it."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _Shared:
        return self


class _SharedList(tuple[dict[str, Any], ...]):
    """Provenance records in ``attrs``, shared (not deep-copied) by frames derived from them."""

    def __deepcopy__(self, memo: dict[int, Any]) -> _SharedList:
        return self


def _coverage(overlay: bool) -> dict[str, tuple[pd.Timestamp, str]]:
    """Type → (observed_until, where it comes from): the latest table covering each type."""
    manifest = load_manifest()
    producer_until = {k: pd.Timestamp(v) for k, v in manifest["observed_until"].items()}
    out: dict[str, tuple[pd.Timestamp, str]] = {}
    for table in manifest["tables"]:
        until = pd.Timestamp(table["observed_until"])
        setting = [p for p in table["producers"] if producer_until.get(p) == until]
        label = f"{table['file']} ({', '.join(setting or table['producers'])})"
        for t in table["types"]:
            if t not in out or until > out[t][0]:
                out[t] = (until, label)
    if overlay:
        for entry in overlay_files():
            for t in entry.types:
                if t not in out or entry.observed_until > out[t][0]:
                    out[t] = (entry.observed_until, f"overlay '{entry.name}'")
    order = {t: i for i, t in enumerate(event_types(overlay=overlay))}
    return dict(sorted(out.items(), key=lambda kv: order.get(kv[0], len(order))))


@overload
def observed_until(type: None = None, *, overlay: bool = True) -> dict[str, pd.Timestamp]: ...


@overload
def observed_until(type: str, *, overlay: bool = True) -> pd.Timestamp: ...


def observed_until(
    type: str | None = None, *, overlay: bool = True
) -> pd.Timestamp | dict[str, pd.Timestamp]:
    """Last day an event type is known to be complete: days after it are unobserved.

    A type's date is the latest ``observed_until`` of the tables covering it: the bundled
    table's (``data/manifest.json``, per table) or an overlay file's (its own
    ``observed_until``, given when it was added). :func:`observed_until_sources` says which.
    A hazard model must treat later days as unobserved (censored), not as days without
    events; :func:`followon.build_exposure` stops there by default.

    Parameters
    ----------
    type : str, optional
        An event type. Default: all of them.
    overlay : bool
        Include the local overlay (default True); False gives the bundled catalog's dates.

    Returns
    -------
    pandas.Timestamp or dict
        The date for ``type``; without it, a mapping type → date (built-in types first).

    Raises
    ------
    DataError
        For a type no table covers (with a "did you mean").

    See Also
    --------
    observed_until_by_producer : the bundled catalog's dates per producer (``cns``, ``csis``).

    Examples
    --------
    >>> import followon as fo
    >>> fo.observed_until("party_congress", overlay=False)
    Timestamp('2026-02-25 00:00:00')
    """
    coverage = _coverage(overlay)
    if type is None:
        return {t: until for t, (until, _) in coverage.items()}
    if type not in coverage:
        raise DataError(
            f"observed_until: unknown type '{type}'{did_you_mean(type, coverage)}; "
            f"allowed: {', '.join(coverage)}."
        )
    return coverage[type][0]


def catalogued_from() -> dict[str, pd.Timestamp]:
    """First day from which each bundled type's table is complete.

    Every event of the type since that day is in the catalog; earlier days are *not
    catalogued* (the table does not reach back there), which is not the same as quiet. The
    party-meeting table starts with the 7th Congress (May 2016) for plenums and with the
    8th Central Committee (January 2021) for Politburo meetings, the balloon table with the
    2024 campaign; missiles, nuclear tests, congresses and summits are complete for the Kim
    Jong Un era. ``data/README.md`` gives the reasons; overlay files do not change the dates.

    Returns
    -------
    dict
        Type → first catalogued day, from ``data/manifest.json`` (``catalogued_from`` per
        table).

    Examples
    --------
    >>> import followon as fo
    >>> fo.catalogued_from()["plenary_meeting"]
    Timestamp('2016-05-06 00:00:00')
    """
    out: dict[str, pd.Timestamp] = {}
    for table in load_manifest()["tables"]:
        for t, day in table.get("catalogued_from", {}).items():
            out[t] = pd.Timestamp(day)
    return out


def observed_until_sources(*, overlay: bool = True) -> dict[str, str]:
    """Which table sets each type's :func:`observed_until`.

    Returns
    -------
    dict
        Type → ``"<bundled file> (<producer>)"`` (the producer whose date the table carries,
        e.g. ``missile_launches.csv (cns)``) or ``"overlay '<name>'"``.
    """
    return {t: label for t, (_, label) in _coverage(overlay).items()}


def observed_until_by_producer() -> dict[str, pd.Timestamp]:
    """Last day each bundled source is known to be complete, by producer (``cns``, ``csis``, ...).

    What :func:`observed_until` returned before it went per event type.
    """
    return {k: pd.Timestamp(v) for k, v in load_manifest()["observed_until"].items()}


def catalog_sha256(*, overlay: bool = True) -> str:
    """Identity of the catalog :func:`load_events` returns: the manifest, plus overlay files.

    Without overlay files it is the sha256 of ``manifest.json``, as before the overlay existed.
    """
    h = hashlib.sha256(catalog_path().joinpath("manifest.json").read_bytes())
    for entry in overlay_files() if overlay else ():
        h.update(f"\n{entry.name} {entry.sha256}".encode())
    return h.hexdigest()


def launch_date_overrides() -> dict[tuple[str, pd.Timestamp], pd.Timestamp]:
    """``(type, recorded CNS date) → KST date`` for launches a cited page settled.

    Read from the bundled ``curated/launch_date_overrides.csv`` (rows verified
    ``confirmed_by_cited_page``), as the bundled build uses it; empty when not shipped.
    """
    entry = catalog_path().joinpath("curated").joinpath("launch_date_overrides.csv")
    if not entry.is_file():
        return {}
    with entry.open("r", encoding="utf-8") as fh:
        frame = pd.read_csv(fh, dtype=str, keep_default_na=False)
    frame = frame[frame["verification"] == "confirmed_by_cited_page"]
    return {
        (t, pd.Timestamp(c)): pd.Timestamp(k)
        for t, c, k in zip(frame["type"], frame["cns_date"], frame["kst_date"], strict=True)
    }
