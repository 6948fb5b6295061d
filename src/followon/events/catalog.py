"""The bundled DPRK event catalog: tables under ``data/`` shipped inside the wheel.

The tables are built by ``data/build.py`` (maintainers only) from raw copies of the CNS/NTI
missile database, the CSIS Beyond Parallel provocations database, a seismic catalogue of the
nuclear tests and hand-sourced tables of meetings, summits, balloon rounds and exercises.
``data/manifest.json`` records each table's sha256, rows, producers, licence note and
``observed_until``; ``data/README.md`` gives attribution and coverage.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import pandas as pd

from followon.errors import DataError, did_you_mean
from followon.events.schema import EVENT_TYPES, validate_events

__all__ = ["catalog_path", "load_events", "load_manifest", "observed_until"]


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
def _load_all() -> pd.DataFrame:
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
) -> pd.DataFrame:
    """Load the bundled DPRK event catalog as one validated DataFrame sorted by date.

    Size: about 600 rows (launch days 1984–2026, the six nuclear tests, satellite launches,
    2024 balloon rounds, summits 2018–2025, party congresses, plenary and Politburo meetings
    2016–2026, US–ROK exercise windows 2012–2026). Dates are Korean (KST) dates.

    Parameters
    ----------
    types : str or list of str, optional
        Keep only these event types (see :data:`followon.events.schema.EVENT_TYPES`).
    start, end : date-like, optional
        Keep events whose ``date`` is on or after ``start`` / on or before ``end``.
    include_provisional : bool
        Keep rows their producer may still revise (default True).

    Returns
    -------
    pandas.DataFrame
        Columns ``event_id, type, subtype, date, end_date, count, outcome, classes, tags,
        label, source, source_url, provisional`` plus per-type extras (``utc_time``,
        ``date_rule``, ``yield_kt``, ``counterpart``, ...). A fresh copy on each call.

    Raises
    ------
    DataError
        For an unknown type (with a "did you mean"), or a bundled table that fails validation.

    Examples
    --------
    >>> import followon as fo
    >>> launches = fo.load_events("missile_launch", start="2022-01-01", end="2022-12-31")
    >>> int((launches["source"].str.contains("cns")).sum())
    34
    """
    events = _load_all().copy()
    if types is not None:
        wanted = [types] if isinstance(types, str) else list(types)
        for t in wanted:
            if t not in EVENT_TYPES:
                raise DataError(
                    f"load_events: unknown type '{t}'{did_you_mean(t, EVENT_TYPES)}; allowed: "
                    f"{', '.join(EVENT_TYPES)}."
                )
        events = events[events["type"].isin(wanted)]
    if start is not None:
        events = events[events["date"] >= pd.Timestamp(start)]
    if end is not None:
        events = events[events["date"] <= pd.Timestamp(end)]
    if not include_provisional:
        events = events[~events["provisional"]]
    return events.reset_index(drop=True)


def observed_until() -> dict[str, pd.Timestamp]:
    """Last day each source is known to be complete, by producer (e.g. ``cns``, ``csis``).

    A hazard model must treat days after a source's ``observed_until`` as unobserved
    (censored), not as days without events.
    """
    return {k: pd.Timestamp(v) for k, v in load_manifest()["observed_until"].items()}
