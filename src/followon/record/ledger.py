r"""A forecast record: register a run's forecasts when they are made, score them later.

A ledger is a JSON Lines file; each line is one registered forecast (one hypothesis, or
``combined``, × outcome × horizon of a ``followon run`` results folder) and is never rewritten.
Each line carries

- ``ledger_version`` (:data:`LEDGER_VERSION`; a ledger from a newer followon is refused);
- ``registration``: the run's identity (the scenario file's sha256 and the sha256 of the run's
  ``forecast.json``), so one run is registered once;
- what scoring needs: the outcome's definition, the as-of date, the window
  ``window_start … window_end`` (days 1 … H after the trigger ends; a live question, asked
  after the trigger ended, from as_of on), ``p_mean``/``p_low``/
  ``p_high``, and the ``climatology`` registered beside it: the outcome's daily rate over every
  day at risk before ``as_of``, :math:`\hat r`, as :math:`1 - e^{-\hat r H}` (the backtest's
  climatology baseline, :func:`followon.scenarios.backtest.rate_probability`);
- provenance: scenario, catalog (with overlay) and overlay-file sha256s, followon versions, and
  the time of registration;
- ``prev``: the ``sha256`` of the line before it, and ``sha256``: of the line's own canonical
  content (sorted keys, no spaces) without that field. A line edited by hand, or a line removed,
  inserted or moved, is reported with the file and line number.

A forecast resolves only when its whole window is observed: the outcome's type has an
``observed_until`` (bundled catalog and local overlay, :func:`followon.observed_until`) on or
after ``window_end``. Until then it is *pending* — never a miss, and never a hit either: an
early event does not resolve a window that is still open, so the resolved forecasts are not
biased toward hits. A forecast conditional on a hypothetical trigger is scored only if an
event of the trigger's type started on that day; if the type is observed past it without one,
the forecast is *void* (its condition did not happen) and never scored.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from followon._io import MARKER, is_results_folder
from followon._version import __version__
from followon.errors import DataError, RecordError, ScenarioError
from followon.events import data_dir, load_events, observed_until
from followon.exposure import Outcome
from followon.exposure.outcomes import observed_within
from followon.scenarios import load_scenario
from followon.scenarios.backtest import rate_probability

__all__ = [
    "CLIMATOLOGY",
    "LEDGER_VERSION",
    "LINE_COLUMNS",
    "RESOLVED_COLUMNS",
    "default_ledger",
    "line_row",
    "read_ledger",
    "register_results",
    "resolve_window",
    "resolved_forecasts",
]

LEDGER_VERSION = 1
"""The version of the ledger line format this followon writes and reads."""

CLIMATOLOGY = "climatology"
"""The name of the reference forecast registered beside every forecast."""

_DAY = pd.Timedelta(days=1)


def default_ledger() -> Path:
    """Return the default ledger: ``followon.data_dir() / "ledger" / "forecasts.jsonl"``."""
    return data_dir() / "ledger" / "forecasts.jsonl"


def _canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(
        record, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _sha(record: dict[str, Any]) -> str:
    return hashlib.sha256(_canonical(record)).hexdigest()


_RESTORE = "restore the ledger from a copy (a backup, or your repository's history)"


def read_ledger(path: str | Path) -> list[dict[str, Any]]:
    """Read and verify a ledger; return its lines (dicts, ``sha256`` included), oldest first.

    Raises
    ------
    DataError
        One line naming the file and line number: a line that is not JSON, comes from a newer
        followon (``ledger_version`` above :data:`LEDGER_VERSION`), was edited (its
        ``sha256`` does not match its content) or does not follow the line before it (a line
        removed, inserted or moved).
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise DataError(f"{p}: is not a followon forecast ledger (not UTF-8 text).") from None
    lines: list[dict[str, Any]] = []
    prev, prev_n = "", 0
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError:
            record = None
        version = record.get("ledger_version") if isinstance(record, dict) else None
        if not isinstance(record, dict) or not isinstance(version, int):
            raise DataError(
                f"{p}:{n}: is not a forecast ledger line (a JSON object with ledger_version); "
                f"{_RESTORE}."
            )
        if version > LEDGER_VERSION:
            raise DataError(
                f"{p}:{n}: was written by a newer followon (ledger_version {version}; followon "
                f"{__version__} reads up to {LEDGER_VERSION}); upgrade followon to read this "
                "ledger. It is left untouched."
            )
        content = {k: v for k, v in record.items() if k != "sha256"}
        if record.get("sha256") != _sha(content):
            raise DataError(
                f"{p}:{n}: the line was edited after it was registered (its sha256 does not "
                f"match its content); a ledger line is never rewritten: {_RESTORE}."
            )
        if content.get("prev", "") != prev:
            after = f"line {prev_n}" if prev_n else "the start of the file"
            raise DataError(
                f"{p}:{n}: does not follow {after} (its prev hash differs): a line was "
                f"removed, inserted or moved; {_RESTORE}."
            )
        prev, prev_n = record["sha256"], n
        lines.append(record)
    return lines


def _load_json(path: Path, folder: Path) -> dict[str, Any]:
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise RecordError(
            f"{folder}: has no {path.name}; register a complete folder `followon run --out` wrote."
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise DataError(f"{path}: is not valid JSON; run the scenario again.") from None
    if not isinstance(record, dict):
        raise DataError(f"{path}: is not a JSON object; run the scenario again.")
    return record


def _results(folder: Path) -> tuple[dict[str, Any], str, dict[str, dict[str, Any]]]:
    """Return the run's forecast.json, its sha256 and its outcome definitions (scenario.yaml)."""
    if not is_results_folder(folder):
        raise RecordError(
            f"{folder}: is not a results folder (no {MARKER} in it); give the folder "
            "`followon run --out` wrote."
        )
    kind = _load_json(folder / MARKER, folder).get("kind")
    if kind != "scenario":
        raise RecordError(
            f"{folder}: is a {kind} results folder, not a scenario run's; register the folder "
            "`followon run --out` wrote."
        )
    raw = (folder / "forecast.json").read_bytes() if (folder / "forecast.json").is_file() else b""
    record = _load_json(folder / "forecast.json", folder)
    missing = [
        k
        for k in ("scenario_sha256", "data_sha256", "as_of", "origin_date", "forecasts")
        if k not in record
    ]
    if missing:
        raise DataError(
            f"{folder / 'forecast.json'}: has no {', '.join(missing)}; run the scenario again "
            "with this followon and register the new folder."
        )
    if not record.get("base_rate"):
        raise RecordError(
            f"{folder / 'forecast.json'}: has no base_rate (the climatology registered beside "
            "each forecast; older followon versions did not write it); run the scenario again "
            "with this followon and register the new folder."
        )
    if not (folder / "scenario.yaml").is_file():
        raise RecordError(
            f"{folder}: has no scenario.yaml (the outcome definitions); run the scenario from "
            "its file (`followon run FILE`) and register that folder."
        )
    try:
        scenario = load_scenario(folder / "scenario.yaml")
    except ScenarioError as exc:
        raise DataError(str(exc)) from None
    if scenario.source_sha256 != record["scenario_sha256"]:
        raise DataError(
            f"{folder / 'scenario.yaml'}: is not the scenario this run used (its sha256 differs "
            "from forecast.json's scenario_sha256); run the scenario again."
        )
    outcomes = {o.id: o.model_dump() for o in scenario.outcomes}
    return record, hashlib.sha256(raw).hexdigest(), outcomes


def register_results(
    results_dir: str | Path, ledger: str | Path, *, now: dt.datetime | None = None
) -> list[dict[str, Any]]:
    """Append every forecast of a ``followon run`` results folder to ``ledger``; return the lines.

    What-if rows (conditional on spans the analyst imagined) are not registered: they do not
    forecast the world as it will be. The ledger is read and verified first (an edited ledger
    is not appended to) and created, with its folder, if it does not exist.

    Raises
    ------
    RecordError
        ``results_dir`` is not a scenario results folder, or the run is registered already.
    DataError
        The ledger is edited or from a newer followon, or the results folder is damaged.
    """
    folder, path = Path(results_dir), Path(ledger)
    record, results_sha, outcomes = _results(folder)
    registration = hashlib.sha256(
        f"{record['scenario_sha256']}\n{results_sha}".encode()
    ).hexdigest()[:16]
    existing = read_ledger(path) if path.exists() else []
    for line in existing:
        if line.get("registration") == registration:
            raise RecordError(
                f"{folder}: this run is registered already (registration {registration}, "
                f"{line.get('registered_at')}, {path}); a forecast is registered once."
            )
    when = (now or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
    origin = pd.Timestamp(record["origin_date"])
    trigger = record.get("trigger") or {}
    common = {
        "ledger_version": LEDGER_VERSION,
        "registration": registration,
        "registered_at": when,
        "registered_with": __version__,
        "scenario": record.get("name"),
        "question": record.get("question"),
        "scenario_sha256": record["scenario_sha256"],
        "results_sha256": results_sha,
        "data_sha256": record["data_sha256"],
        "overlay": [
            {"name": o.get("name"), "sha256": o.get("sha256")} for o in record.get("overlay", [])
        ],
        "followon_version": record.get("followon_version"),
        "quick": bool(record.get("quick", False)),
        "as_of": record["as_of"],
        "origin_date": f"{origin:%Y-%m-%d}",
        "trigger": {
            k: trigger.get(k) for k in ("event_id", "type", "date", "end_date", "hypothetical")
        },
    }
    lines: list[dict[str, Any]] = []
    prev = existing[-1]["sha256"] if existing else ""
    # a live question (as_of after the trigger's end) forecasts the rest of each window: the
    # days from as_of on; no event came between, so it resolves as the whole window does
    elapsed = max(0, (pd.Timestamp(record["as_of"]) - _DAY - origin).days)
    for row in record["forecasts"]:
        if row.get("what_if") or row.get("status") == "observed":  # decided before as_of
            continue
        outcome, horizon = str(row["outcome"]), int(row["horizon_days"])
        rate = float(record["base_rate"][outcome])
        line = {
            **common,
            "outcome": outcomes[outcome],
            "hypothesis": str(row["hypothesis"]),
            "horizon_days": horizon,
            "window_start": f"{origin + (elapsed + 1) * _DAY:%Y-%m-%d}",
            "window_end": f"{origin + horizon * _DAY:%Y-%m-%d}",
            "p_mean": row["p_mean"],
            "p_low": row.get("p_low"),
            "p_high": row.get("p_high"),
            "climatology": float(rate_probability(rate, 1.0, [horizon - elapsed])[0]),
            "prev": prev,
        }
        line["sha256"] = prev = _sha(line)
        lines.append(line)
    if not lines:
        raise RecordError(f"{folder / 'forecast.json'}: has no forecasts to register.")
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(_canonical(line).decode("utf-8") + "\n" for line in lines)
    with path.open("a", encoding="utf-8") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    return lines


def resolve_window(
    counts: pd.Series, window_start: pd.Timestamp, window_end: pd.Timestamp, until: pd.Timestamp
) -> float:
    """1 or 0 when the window ``window_start … window_end`` is observed through its end.

    NaN (pending) while ``until`` (the outcome's ``observed_until``) is before ``window_end``,
    even if an event already fell in the window. ``counts`` as :meth:`Outcome.daily_counts`.
    """
    if window_end > until:
        return float("nan")
    horizon = int((window_end - window_start) / _DAY) + 1
    return observed_within(counts, window_start - _DAY, horizon, until)


def _condition(trigger: dict[str, Any], events: pd.DataFrame, until: dict[str, Any]) -> str:
    """``met``, ``pending`` or ``void`` for a forecast's (hypothetical) trigger."""
    if not trigger.get("hypothetical"):
        return "met"
    kind, day = str(trigger["type"]), pd.Timestamp(trigger["date"])
    if ((events["type"] == kind) & (events["date"] == day)).any():
        return "met"
    return "void" if kind in until and until[kind] >= day else "pending"


def resolved_forecasts(
    lines: list[dict[str, Any]], events: pd.DataFrame | None = None
) -> pd.DataFrame:
    """One row per ledger line, resolved against ``events`` (default: :func:`load_events`).

    Columns: ``registration, scenario, hypothesis, outcome, horizon_days, as_of, origin_date,
    window_start, window_end, p_mean, p_low, p_high, climatology, observed_until, status,
    observed`` (``status`` resolved, pending or void; ``observed`` 1/0, NaN unless resolved).
    """
    events = load_events() if events is None else events
    until = {**observed_until(), **events.attrs.get("observed_until", {})}
    until = {k: pd.Timestamp(v) for k, v in until.items()}
    rows = []
    counts: dict[str, pd.Series] = {}
    for line in lines:
        o = line["outcome"]
        key = json.dumps(o, sort_keys=True)
        if key not in counts:
            outcome = Outcome(o["id"], o["type"], tuple(o["subtype"]), o["where"], o["count"])
            counts[key] = outcome.daily_counts(events)
        start, end = pd.Timestamp(line["window_start"]), pd.Timestamp(line["window_end"])
        last = until.get(o["type"], pd.Timestamp.min)
        condition = _condition(line["trigger"], events, until)
        observed = resolve_window(counts[key], start, end, last)
        status = (
            condition if condition != "met" else ("pending" if np.isnan(observed) else "resolved")
        )
        if status != "resolved":
            observed = float("nan")
        rows.append(
            {
                **line_row(line),
                "observed_until": f"{last:%Y-%m-%d}" if o["type"] in until else "",
                "status": status,
                "observed": observed,
            }
        )
    return pd.DataFrame(rows, columns=RESOLVED_COLUMNS)


def line_row(line: dict[str, Any]) -> dict[str, Any]:
    """Return the columns :data:`LINE_COLUMNS` of one ledger line (its forecast, flat)."""
    return {
        "registration": line["registration"],
        "scenario": line["scenario"],
        "hypothesis": line["hypothesis"],
        "outcome": line["outcome"]["id"],
        "horizon_days": line["horizon_days"],
        "as_of": line["as_of"],
        "origin_date": line["origin_date"],
        "window_start": line["window_start"],
        "window_end": line["window_end"],
        "p_mean": line["p_mean"],
        "p_low": np.nan if line["p_low"] is None else line["p_low"],
        "p_high": np.nan if line["p_high"] is None else line["p_high"],
        "climatology": line["climatology"],
    }


LINE_COLUMNS = (
    "registration",
    "scenario",
    "hypothesis",
    "outcome",
    "horizon_days",
    "as_of",
    "origin_date",
    "window_start",
    "window_end",
    "p_mean",
    "p_low",
    "p_high",
    "climatology",
)
"""Columns of one registered forecast (:func:`line_row`)."""

RESOLVED_COLUMNS = (*LINE_COLUMNS, "observed_until", "status", "observed")
"""Columns of :func:`resolved_forecasts`: each forecast, its data's end, status and outcome."""
