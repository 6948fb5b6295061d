"""Build the bundled DPRK event catalog (maintainers only; never run at import time).

    python data/build.py [--sources ../shared/data-sources] [--out data] [--check]

Inputs
------
- ``<sources>/nagix-nk-missile-tests/`` — the CNS/NTI missile database as JSON (one row per
  missile), kept current to 2026-04-18;
- ``<sources>/csis-provocations/north_korea_provocations_1958_present.csv`` — CSIS Beyond
  Parallel provocations (one row per event, Korean dates);
- ``<sources>/nuclear-tests-seismic/NKNT.dat`` — the six nuclear tests (Yao et al. 2018);
- ``data/curated/*.csv`` — hand-sourced meetings, summits, balloon rounds and exercise windows,
  a source page on every row (maintained in this repository);
- ``data/curated/csis_launch_checks.csv`` — every CSIS launch row that would make a CSIS-only
  launch day (and every CSIS row the label classifier leaves out) checked against a dated news
  page: kept with the page's Korean date, classes and count, or dropped with a reason; the build
  fails if a CSIS-only day rests on an unchecked row or a check no longer matches its raw row;
- ``data/curated/launch_class_checks.csv`` — classes a dated page names for launch days CNS
  left ``unknown`` (or: the "missile" was a space launch).

Outputs (in ``--out``)
----------------------
One CSV per table in the catalog schema, ``manifest.json`` (file, sha256, rows, producers,
attribution, licence note, observed_until) and ``build_report.json`` (every row left out or
merged while building, counted). Free text from CNS or CSIS (descriptions, notes) is never
written: only dates, classes, counts, outcomes, names and links.

``--check`` rebuilds into a temporary folder and exits 1 if any output differs from ``--out``.
"""

from __future__ import annotations

import argparse
import filecmp
import hashlib
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd

from followon.events.launches import CNS_DATABASE_URL, aggregate_launch_days, cns_class
from followon.events.readers import csis_launch_events
from followon.events.schema import CORE_COLUMNS, MISSILE_CLASSES, validate_events

HERE = Path(__file__).resolve().parent
DEFAULT_SOURCES = HERE.parent.parent / "shared" / "data-sources"

# CNS rows newer than this were added to the nagix copy as preliminary, news-based figures
# (its commit "Update tests between 2025-01-06 and 2026-04-18"); CNS may still revise them.
CNS_CONFIRMED_THROUGH = pd.Timestamp("2024-12-31")

SOURCES = {
    "cns": {
        "name": "CNS North Korea Missile Test Database (James Martin CNS for NTI)",
        "observed_until": "2026-04-18",
        "attribution": "James Martin Center for Nonproliferation Studies (CNS), North Korea "
        "Missile Test Database, for the Nuclear Threat Initiative (NTI); via the nagix/"
        "nk-missile-tests JSON copy (commit a0cc658, 2026-04-21).",
        "licence": "No open licence; facts (dates, classes, counts, outcomes, sites) only, no "
        "CNS text. Cite CNS/NTI.",
        "url": CNS_DATABASE_URL,
    },
    "csis": {
        "name": "CSIS Beyond Parallel, Database of North Korean Provocations",
        "observed_until": "2026-08-20",
        "attribution": "Center for Strategic and International Studies (CSIS), Beyond Parallel, "
        "Database of North Korean Provocations; via the stiles/north-korea-provocations daily "
        "scrape (commit 523c75b, 2026-08-22).",
        "licence": "© CSIS; facts (dates, classes, counts parsed from the text, links) only, "
        "no CSIS text. Cite CSIS Beyond Parallel.",
        "url": "https://beyondparallel.csis.org/database-north-korean-provocations/",
    },
    "seismic": {
        "name": "Nuclear tests: origin times, locations, yields (Yao et al. 2018, SRL)",
        "observed_until": "2026-08-20",
        "attribution": "Yao, J., et al. (2018), Seismological Research Letters; data file "
        "NKNT.dat published by D. Tian (seisman/academic-homepage). Completeness after 2017 "
        "checked against CSIS (no nuclear test through 2026-08-20).",
        "licence": "Scientific facts (times, coordinates, yields) with citation.",
        "url": "https://github.com/seisman/academic-homepage",
    },
    "curated": {
        "name": "followon hand-sourced tables (meetings, summits, balloon rounds, exercises)",
        "observed_until": "2026-02-25",
        "attribution": "Compiled for followon from the pages cited on each row (KCNA via KCNA "
        "Watch, Yonhap, KBS, NK News, USFK, ...).",
        "licence": "Facts with a citation per row; MIT with the package.",
        "url": "",
    },
}

TABLES = {
    # file: (types, producers, observed_until, note)
    "missile_launches.csv": (
        ["missile_launch"],
        ["cns", "csis"],
        "2026-04-18",
        "Launch days (KST), CNS per-missile rows aggregated, CSIS adds cruise/MLRS/unknown; "
        "every CSIS-only row checked against a dated news page (curated/csis_launch_checks.csv). "
        "CSIS-only rows after CNS's observed_until are provisional.",
    ),
    "satellite_launches.csv": (["satellite_launch"], ["cns", "csis"], "2026-04-18", ""),
    "nuclear_tests.csv": (["nuclear_test"], ["seismic"], "2026-08-20", ""),
    "balloon_launches.csv": (
        ["balloon_launch"],
        ["curated"],
        "2026-08-20",
        "JCS rounds 1-32 by launch night; no further CSIS balloon row through 2026-08-20.",
    ),
    "summits.csv": (["summit"], ["curated"], "2026-08-22", ""),
    "party_meetings.csv": (
        ["party_congress", "plenary_meeting", "politburo_meeting"],
        ["curated"],
        "2026-02-25",
        "Searched through the 9th Congress (19-25 Feb 2026) and its 1st CC plenum (23 Feb); "
        "searches for later meetings (to Aug 2026) found no stored pages after early March "
        "2026, so the table is observed only through the end of the Congress.",
    ),
    "military_exercises.csv": (["military_exercise"], ["curated"], "2026-08-27", ""),
}

# First day from which each type's table is complete (every event since is in it). Earlier days
# are *not catalogued*, not quiet: the party-meeting table starts with the 7th Congress (plenums
# of the 7th CC) and numbers Politburo meetings of the 8th CC; the balloon table is the 2024
# campaign. Missiles, satellites and nuclear tests are complete from their sources' first rows;
# no party congress met between the 6th (10-14 Oct 1980) and the 7th (May 2016); Kim Jong Un
# held no summit before 2018 (he took power on 17 Dec 2011).
CATALOGUED_FROM = {
    "missile_launch": "1984-04-09",
    "satellite_launch": "1998-08-31",
    "nuclear_test": "2006-10-09",
    "balloon_launch": "2024-05-28",
    "summit": "2011-12-17",
    "party_congress": "1980-10-15",
    "plenary_meeting": "2016-05-06",
    "politburo_meeting": "2021-01-05",
    "military_exercise": "2012-01-01",
}

# curated rows with these verification values are not events and are left out (and counted)
EXCLUDED_VERIFICATION = {"not_found", "cancelled", "decision_release_not_meeting"}

CSIS_CHECKS = HERE / "curated" / "csis_launch_checks.csv"
CLASS_CHECKS = HERE / "curated" / "launch_class_checks.csv"
CHECK_COLUMNS = (
    "csis_row",
    "csis_date",
    "csis_event",
    "action",
    "kst_date",
    "classes",
    "count",
    "source_url",
    "verification",
    "drop_reason",
    "evidence",
)
CLASS_CHECK_COLUMNS = (
    "date",
    "classes_now",
    "classes_found",
    "source_url",
    "verification",
    "evidence",
)
CHECK_VERIFICATION = {"confirmed_by_cited_page", "reported_day_inferred"}
UNVERIFIED = "unverified"  # an explicit placeholder: kept as CSIS dated it, listed in README
DROP_REASONS = {
    "report_day_duplicate",
    "no_page_found",
    "not_a_launch",
    "satellite_launch",
    "out_of_scope_artillery",
    "out_of_scope_sam",
}
CHECK_CLASSES = (*MISSILE_CLASSES, "SLV")
# days on which pages report both a space launch and missile launches (the only days allowed
# in both launch tables)
MISSILE_AND_SPACE_LAUNCH = {
    "2006-07-05": "Taepodong-2 and six Scud/Nodong missiles the same day "
    "(launch_date_overrides.csv cites a page for each)",
}


class BuildError(Exception):
    """The inputs cannot make a catalog as they stand (the message says which rows and why)."""


def _fail(title: str, problems: list[str]) -> None:
    if problems:
        raise BuildError(title + ":\n  " + "\n  ".join(problems))


def _classes(text: str) -> list[str]:
    """``"cruise;SRBM"`` -> ``["SRBM", "cruise"]`` (most severe first, no duplicates)."""
    parts = {c.strip() for c in str(text).split(";") if c.strip()}
    return sorted(parts, key=CHECK_CLASSES.index)


def csis_raw_rows(path: Path) -> pd.DataFrame:
    """Read the raw CSIS rows, indexed by 1-based row: ``date``, ``event``, ``url`` (first link)."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    raw.index = pd.RangeIndex(1, len(raw) + 1)
    links = raw["resources"].str.strip().str.split().str[0].fillna("")
    return pd.DataFrame(
        {"date": raw["date"].str.strip(), "event": raw["event"].str.strip(), "url": links}
    )


def read_launch_checks(path: Path) -> pd.DataFrame:
    """Read the curated CSIS checks and validate them (every problem listed at once)."""
    if not path.exists():
        return pd.DataFrame(columns=list(CHECK_COLUMNS))
    checks = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CHECK_COLUMNS if c not in checks.columns]
    _fail(f"{path}: missing columns", missing)
    problems = []
    for i, c in enumerate(checks.to_dict("records"), start=1):
        where = f"row {i} (csis_row {c['csis_row']}, {c['csis_date']})"
        if not c["csis_row"].isdigit():
            problems.append(f"{where}: csis_row '{c['csis_row']}' is not a row number")
        if c["action"] not in ("keep", "drop"):
            problems.append(f"{where}: action '{c['action']}' is not keep or drop")
        if c["action"] == "keep":
            if c["verification"] not in CHECK_VERIFICATION | {UNVERIFIED}:
                problems.append(f"{where}: verification '{c['verification']}'")
            if c["verification"] != UNVERIFIED:
                if not c["source_url"].startswith("http"):
                    problems.append(f"{where}: a kept row needs the verifying page")
                if not c["classes"] or any(x not in CHECK_CLASSES for x in _classes(c["classes"])):
                    problems.append(f"{where}: classes '{c['classes']}'")
                if c["count"] and not c["count"].isdigit():
                    problems.append(f"{where}: count '{c['count']}' is not a number")
        if c["action"] == "drop" and c["drop_reason"] not in DROP_REASONS:
            problems.append(f"{where}: drop_reason '{c['drop_reason']}'")
        needs_date = c["action"] == "keep" and c["verification"] != UNVERIFIED
        if needs_date or c["drop_reason"] == "report_day_duplicate":
            try:
                pd.to_datetime(c["kst_date"], format="%Y-%m-%d")
            except ValueError:
                problems.append(f"{where}: kst_date '{c['kst_date']}' is not YYYY-MM-DD")
    dup = checks["csis_row"][checks["csis_row"].duplicated()]
    problems += [f"csis_row {r} is checked twice" for r in sorted(set(dup))]
    _fail(f"{path}: bad checks", problems)
    return checks


def apply_launch_checks(
    launches: pd.DataFrame, raw: pd.DataFrame, checks: pd.DataFrame, report: dict[str, object]
) -> tuple[pd.DataFrame, dict[int, str], dict[int, str]]:
    """Drop, correct or add CSIS launch rows as the checks say (before the launch-day assembly).

    ``launches`` are the CSIS launch rows of :func:`csis_launch_events` (``row`` = 1-based raw
    row). Each check names its row by ``csis_row``, ``csis_date`` and ``csis_event``; a check
    that no longer matches the raw row (CSIS inserted or edited rows) fails the build, so a
    changed CSIS file is re-verified before it ships.

    Returns the rows to assemble (with ``csis_date``, ``csis_count`` = what CSIS recorded and
    ``verified_url``), the checked rows (row -> action) and the report-day duplicates (row ->
    the launch day they duplicate).
    """
    problems = []
    for c in checks.to_dict("records"):
        r = int(c["csis_row"])
        if r not in raw.index:
            problems.append(f"csis_row {r} ({c['csis_date']}, {c['csis_event']}): no such row")
            continue
        if (raw.at[r, "date"], raw.at[r, "event"]) != (c["csis_date"], c["csis_event"]):
            moved = raw.index[(raw["date"] == c["csis_date"]) & (raw["event"] == c["csis_event"])]
            hint = f"; that row is now row {', '.join(map(str, moved))}" if len(moved) else ""
            problems.append(
                f"csis_row {r}: checked as ({c['csis_date']}, {c['csis_event']}) but the CSIS "
                f"file has ({raw.at[r, 'date']}, {raw.at[r, 'event']}){hint}"
            )
    _fail(
        "the CSIS file changed since data/curated/csis_launch_checks.csv was written "
        "(re-verify these rows and update their csis_row)",
        problems,
    )

    rows = launches.copy()
    rows["csis_date"] = rows["date"].dt.strftime("%Y-%m-%d")
    rows["csis_count"] = rows["count"]
    rows["verified_url"] = ""
    by_row = {int(r): i for i, r in zip(rows.index, rows["row"], strict=True)}
    kinds: dict[str, int] = {}
    dropped: dict[str, int] = {}
    confirmed_out: dict[str, int] = {}
    added: list[dict[str, object]] = []
    drop_index = []
    actions: dict[int, str] = {}
    duplicates: dict[int, str] = {}
    unverified = []

    def bump(counter: dict[str, int], key: str) -> None:
        counter[key] = counter.get(key, 0) + 1

    for c in checks.to_dict("records"):
        r = int(c["csis_row"])
        actions[r] = c["action"]
        classes = _classes(c["classes"])
        kind = "satellite_launch" if classes == ["SLV"] else "missile_launch"
        count = int(c["count"]) if c["count"] else None
        if r not in by_row:  # a row the label classifier leaves out (artillery, engine tests, ...)
            if c["action"] == "keep" and c["verification"] != UNVERIFIED:
                added.append(
                    {
                        "date": pd.Timestamp(c["kst_date"]),
                        "type": kind,
                        "class": ";".join(classes),
                        "count": count,
                        "url": raw.at[r, "url"],
                        "row": r,
                        "csis_date": c["csis_date"],
                        "csis_count": None,
                        "verified_url": c["source_url"],
                    }
                )
            elif c["action"] == "drop":
                bump(confirmed_out, c["drop_reason"])
            continue
        i = by_row[r]
        if c["action"] == "drop":
            reason = c["drop_reason"]
            if reason == "report_day_duplicate":
                duplicates[r] = c["kst_date"]
                continue
            if reason == "satellite_launch":
                # the row is a space launch: it joins (or makes) the satellite-launch day
                rows.loc[i, ["date", "type", "class", "count", "verified_url"]] = [
                    pd.Timestamp(c["kst_date"] or c["csis_date"]),
                    "satellite_launch",
                    "SLV",
                    None,
                    c["source_url"],
                ]
                bump(dropped, reason)
                continue
            bump(dropped, reason)
            drop_index.append(i)
            continue
        if c["verification"] == UNVERIFIED:
            unverified.append(r)
            continue
        before = rows.loc[i]
        changed = []
        if pd.Timestamp(c["kst_date"]) != before["date"]:
            changed.append("redated")
        if classes != _classes(before["class"]):
            changed.append("reclassed")
        old = None if pd.isna(before["count"]) else int(before["count"])
        if count != old:
            changed.append(
                "count set (CSIS had none)"
                if old is None
                else "count left empty (no page states it)"
                if count is None
                else "count changed"
            )
        for kind_ in changed or ["confirmed as recorded"]:
            bump(kinds, kind_)
        if changed:
            bump(kinds, "rows corrected (any kind)")
        rows.loc[i, ["date", "type", "class", "count", "verified_url"]] = [
            pd.Timestamp(c["kst_date"]),
            kind,
            ";".join(classes),
            count,
            c["source_url"],
        ]
    merged = [i for r, i in by_row.items() if r in duplicates]
    rows = rows.drop(index=drop_index + merged)
    if added:
        rows = pd.concat([rows, pd.DataFrame(added)], ignore_index=True)
    report["csis launch rows checked against a dated page"] = {
        "checks": len(checks),
        "kept": dict(sorted(kinds.items())),
        "merged (report-day duplicates of another launch day)": len(merged),
        "dropped (by reason)": dict(sorted(dropped.items())),
        "added (out-of-scope label, a missile flew)": len(added),
        "out-of-scope rows confirmed out of scope (by reason)": dict(sorted(confirmed_out.items())),
        "kept unverified (as CSIS dated them)": sorted(unverified),
    }
    return rows.reset_index(drop=True), actions, duplicates


def read_class_checks(path: Path) -> pd.DataFrame:
    if not path.exists():
        return pd.DataFrame(columns=list(CLASS_CHECK_COLUMNS))
    checks = pd.read_csv(path, dtype=str, keep_default_na=False)
    missing = [c for c in CLASS_CHECK_COLUMNS if c not in checks.columns]
    _fail(f"{path}: missing columns", missing)
    problems = []
    for i, c in enumerate(checks.to_dict("records"), start=1):
        where = f"row {i} ({c['date']})"
        if any(x not in CHECK_CLASSES for x in _classes(c["classes_found"])):
            problems.append(f"{where}: classes_found '{c['classes_found']}'")
        if c["verification"] not in CHECK_VERIFICATION | {"not_found"}:
            problems.append(f"{where}: verification '{c['verification']}'")
    dup = checks["date"][checks["date"].duplicated()]
    problems += [f"{d} is checked twice" for d in sorted(set(dup))]
    _fail(f"{path}: bad class checks", problems)
    return checks


def _found(c: dict[str, str]) -> list[str]:
    """Classes a class check found (none when no page named them)."""
    if c["verification"] not in CHECK_VERIFICATION:
        return []
    return [x for x in _classes(c["classes_found"]) if x != "unknown"]


def satellite_days(checks: pd.DataFrame) -> set[pd.Timestamp]:
    """Launch days a class check found to be a space launch (CNS typed the rocket a missile)."""
    return {pd.Timestamp(c["date"]) for c in checks.to_dict("records") if _found(c) == ["SLV"]}


def apply_class_checks(
    days: pd.DataFrame, checks: pd.DataFrame, report: dict[str, object]
) -> pd.DataFrame:
    """Add the classes a dated page names to launch days CNS left ``unknown``."""
    days = days.copy()
    days["class_url"] = ""
    by_date = {d: i for i, d in zip(days.index, days["date"], strict=True)}
    problems, kinds = [], {"reclassed": 0, "no class found": 0, "space launch": 0}
    for c in checks.to_dict("records"):
        found = _found(c)
        if found == ["SLV"]:
            kinds["space launch"] += 1
            continue  # moved to the satellite table before the assembly
        if c["date"] not in by_date:
            problems.append(f"{c['date']}: no missile launch day on that date")
            continue
        i = by_date[c["date"]]
        if days.at[i, "classes"] != ";".join(_classes(c["classes_now"])):
            problems.append(
                f"{c['date']}: checked as '{c['classes_now']}' but the day is now "
                f"'{days.at[i, 'classes']}' (re-check it)"
            )
            continue
        if not found:
            kinds["no class found"] += 1
            continue
        now = [x for x in _classes(days.at[i, "classes"]) if x != "unknown"]
        classes = _classes(";".join(now + found))
        days.loc[i, ["classes", "subtype", "class_url"]] = [
            ";".join(classes),
            classes[0],
            c["source_url"],
        ]
        kinds["reclassed"] += 1
    _fail("data/curated/launch_class_checks.csv does not fit the launch days", problems)
    report["launch days whose class a dated page settled"] = kinds
    return days


def assemble_launches(
    csis_path: Path,
    missiles: pd.DataFrame,
    report: dict[str, object],
    *,
    checks_path: Path = CSIS_CHECKS,
    class_checks_path: Path = CLASS_CHECKS,
    overrides: dict[tuple[str, pd.Timestamp], pd.Timestamp] | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Launch days (missile and satellite) from CNS missiles and checked CSIS rows.

    Raises
    ------
    BuildError
        If a CSIS-only launch day rests on a CSIS row no check covers, if a check no longer
        matches the CSIS file, or if a day is both a missile and a satellite launch.
    """
    csis_events, csis_skipped = csis_launch_events(csis_path)
    report["csis rows out of scope (by CSIS event label)"] = dict(sorted(csis_skipped.items()))
    is_launch = csis_events["type"].isin(["missile_launch", "satellite_launch"])
    early = csis_events["date"] < pd.Timestamp("1984-01-01")
    report["csis launch rows before 1984 (before CNS coverage) left out"] = int(
        (is_launch & early).sum()
    )
    raw = csis_raw_rows(csis_path)
    checks = read_launch_checks(checks_path)
    launches, actions, duplicates = apply_launch_checks(
        csis_events[is_launch & ~early], raw, checks, report
    )
    class_checks = read_class_checks(class_checks_path)
    space = satellite_days(class_checks)
    kwargs: dict[str, Any] = {
        "provisional_after": CNS_CONFIRMED_THROUGH,
        "date_overrides": overrides,
    }
    days, launch_report = aggregate_launch_days(missiles, launches, **kwargs)
    if space:
        # CNS typed these rockets as missiles: their CNS rows become the space launch
        missiles = missiles.copy()
        for day in days[
            (days["type"] == "missile_launch") & days["date"].isin([f"{d:%Y-%m-%d}" for d in space])
        ].to_dict("records"):
            recorded = {pd.Timestamp(d) for d in day["cns_date"].split(";") if d}
            times = set(day["utc_time"].split(";")) - {""}
            hhmm = missiles["utc_time"].fillna("").astype(str).str.replace("(UTC)", "")
            hhmm = hhmm.str.strip().str[:5]
            on_day = missiles["date"].isin(recorded) & (hhmm.isin(times) if times else hhmm.eq(""))
            missiles.loc[on_day, "class"] = "SLV"
        days, launch_report = aggregate_launch_days(missiles, launches, **kwargs)
    report["launch-day assembly"] = launch_report

    # every CSIS-only launch day must rest on checked rows
    unchecked = []
    for day in days[(days["source"] == "csis") & (days["date_rule"] == "csis_date")].to_dict(
        "records"
    ):
        on_day = launches[
            (launches["date"] == pd.Timestamp(day["date"])) & (launches["type"] == day["type"])
        ]
        unchecked += [
            f"csis_row {r} ({raw.at[r, 'date']}, {raw.at[r, 'event']}) -> {day['event_id']}"
            for r in on_day["row"]
            if int(r) not in actions
        ]
    _fail(
        "CSIS-only launch days rest on CSIS rows nobody has verified; check each against a "
        "dated page and add it to data/curated/csis_launch_checks.csv",
        unchecked,
    )
    cns_days = {
        (t, d)
        for t, d, src in zip(days["type"], days["date"], days["source"], strict=True)
        if "cns" in src
    }
    checked = launches[launches["verified_url"].astype(bool)]
    joined = [
        f"csis_row {r} -> {d:%Y-%m-%d}"
        for r, t, d in zip(checked["row"], checked["type"], checked["date"], strict=True)
        if (t, f"{d:%Y-%m-%d}") in cns_days
    ]
    checks_report = report["csis launch rows checked against a dated page"]
    assert isinstance(checks_report, dict)
    checks_report["checked rows on a CNS launch day (joined it: source cns+csis)"] = joined
    launch_dates = set(days["date"])
    _fail(
        "report-day duplicates point at no launch day",
        [f"csis_row {r} -> {d}" for r, d in duplicates.items() if d not in launch_dates],
    )
    missile = days[days["type"] == "missile_launch"]
    satellite = days[days["type"] == "satellite_launch"].reset_index(drop=True)
    _fail(
        "days that are both a missile and a satellite launch (one rocket counted twice?)",
        sorted(set(missile["date"]) & set(satellite["date"]) - set(MISSILE_AND_SPACE_LAUNCH)),
    )
    missile = apply_class_checks(missile.reset_index(drop=True), class_checks, report)
    return missile, satellite


def nagix_missiles(folder: Path) -> tuple[pd.DataFrame, int]:
    tests = json.loads((folder / "test.en.json").read_text(encoding="utf-8"))
    missiles = json.loads((folder / "missile.en.json").read_text(encoding="utf-8"))
    facilities = json.loads((folder / "facility.en.json").read_text(encoding="utf-8"))
    sites = facilities["facilities"]
    rows, month_only = [], 0
    for year_bin in tests["timeBins"]:
        for rec in year_bin["data"]:
            if len(rec["date"]) != 10:  # 'YYYY-MM': pre-1993 records dated by month only
                month_only += 1
                continue
            missile = missiles[rec["missile"]]
            rows.append(
                {
                    "date": pd.Timestamp(rec["date"]),
                    "utc_time": None if rec["time"] == "unknown" else rec["time"],
                    "class": cns_class(missile["type"]),
                    "name": missile["name"],
                    "outcome": rec["outcome"],
                    "site": sites.get(rec["facility"], {}).get("name", ""),
                }
            )
    return pd.DataFrame(rows), month_only


def date_overrides(path: Path) -> dict[tuple[str, pd.Timestamp], pd.Timestamp]:
    """(type, recorded CNS date) → KST date, for launches whose Korean date a cited page settled."""
    if not path.exists():
        return {}
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame = frame[frame["verification"] == "confirmed_by_cited_page"]
    return {
        (t, pd.Timestamp(c)): pd.Timestamp(k)
        for t, c, k in zip(frame["type"], frame["cns_date"], frame["kst_date"], strict=True)
    }


def nuclear_tests(path: Path, csis_events: pd.DataFrame) -> pd.DataFrame:
    nuclear_urls = {
        d: u
        for d, u, t in zip(
            csis_events["date"], csis_events["url"], csis_events["type"], strict=True
        )
        if t == "nuclear_test"
    }
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        no, date, time, lat, lon, depth, yld = line.split()
        utc = pd.Timestamp(f"{date} {time}")
        kst = (utc + pd.Timedelta(hours=9)).normalize()
        central, _, err = yld.partition("±")
        rows.append(
            {
                "event_id": f"NT-{kst:%Y-%m-%d}",
                "type": "nuclear_test",
                "date": f"{kst:%Y-%m-%d}",
                "outcome": "success",
                "label": f"nuclear test {no}",
                "source": "seismic",
                "source_url": nuclear_urls.get(kst, SOURCES["seismic"]["url"]),
                "utc_time": f"{utc:%H:%M:%S}",
                "latitude": lat,
                "longitude": lon,
                "depth_m": "" if depth == "-" else depth,
                "yield_kt": central,
                "yield_kt_error": err,
            }
        )
    return pd.DataFrame(rows)


def curated(path: Path, report: dict[str, object]) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    excluded = frame[frame["verification"].isin(EXCLUDED_VERIFICATION)]
    report[f"{path.name}: rows left out (not events: no date found, cancelled, ...)"] = {
        "count": len(excluded),
        "ids": {
            eid: v for eid, v in zip(excluded["event_id"], excluded["verification"], strict=True)
        },
    }
    kept = frame[~frame["verification"].isin(EXCLUDED_VERIFICATION)]
    return validate_events(kept, origin=str(path))


def _csv(frame: pd.DataFrame, path: Path) -> None:
    out = frame.copy()
    for col in ("date", "end_date"):
        if col in out.columns and pd.api.types.is_datetime64_any_dtype(out[col]):
            out[col] = out[col].dt.strftime("%Y-%m-%d")
    out = out.astype(object).where(out.notna(), "")
    out.to_csv(path, index=False, lineterminator="\n")


def build(sources: Path, out: Path) -> dict[str, object]:
    out.mkdir(parents=True, exist_ok=True)
    report: dict[str, object] = {}

    csis_path = sources / "csis-provocations" / "north_korea_provocations_1958_present.csv"
    csis_events, _ = csis_launch_events(csis_path)
    missiles, month_only = nagix_missiles(sources / "nagix-nk-missile-tests")
    report["cns rows dated by month only (1984-1992) left out"] = month_only
    overrides = date_overrides(HERE / "curated" / "launch_date_overrides.csv")
    report["launch dates settled from a cited page"] = len(overrides)
    missile_days, satellite_days_ = assemble_launches(
        csis_path, missiles, report, overrides=overrides
    )
    cns_until = pd.Timestamp(SOURCES["cns"]["observed_until"])
    launch_tables = []
    for frame in (missile_days, satellite_days_):
        frame = validate_events(frame, origin="launch days")
        late_csis_only = (frame["source"] == "csis") & (frame["date"] > cns_until)
        frame.loc[late_csis_only, "provisional"] = True
        launch_tables.append(frame)

    nuclear = validate_events(
        nuclear_tests(sources / "nuclear-tests-seismic" / "NKNT.dat", csis_events),
        origin="NKNT.dat",
    )
    balloons = curated(HERE / "curated" / "balloon_launches.csv", report)
    csis_balloons = int((csis_events["type"] == "balloon_launch").sum())
    report["balloon rounds: curated vs CSIS balloon rows"] = {
        "curated": len(balloons),
        "csis": csis_balloons,
    }
    tables = {
        "missile_launches.csv": launch_tables[0],
        "satellite_launches.csv": launch_tables[1],
        "nuclear_tests.csv": nuclear,
        "balloon_launches.csv": balloons,
        "summits.csv": curated(HERE / "curated" / "summits.csv", report),
        "party_meetings.csv": curated(HERE / "curated" / "party_meetings.csv", report),
        "military_exercises.csv": curated(HERE / "curated" / "military_exercises.csv", report),
    }
    manifest_tables = []
    for name, frame in tables.items():
        types, producers, until, note = TABLES[name]
        extras = [c for c in frame.columns if c not in CORE_COLUMNS]
        empty_extras = [c for c in extras if frame[c].isna().all()]
        frame = frame.drop(columns=empty_extras)
        _csv(frame, out / name)
        digest = hashlib.sha256((out / name).read_bytes()).hexdigest()
        manifest_tables.append(
            {
                "file": name,
                "types": types,
                "rows": len(frame),
                "sha256": digest,
                "producers": producers,
                "observed_until": until,
                "catalogued_from": {t: CATALOGUED_FROM[t] for t in types},
                "first_date": f"{frame['date'].min():%Y-%m-%d}",
                "last_date": f"{frame['date'].max():%Y-%m-%d}",
                "attribution": "; ".join(SOURCES[p]["attribution"] for p in producers),
                "licence": "; ".join(SOURCES[p]["licence"] for p in producers),
                "note": note,
            }
        )
    manifest = {
        "catalog": "dprk",
        "built_from": "shared/data-sources (see data/README.md) and data/curated",
        "tables": manifest_tables,
        "observed_until": {k: v["observed_until"] for k, v in SOURCES.items()},
        "sources": SOURCES,
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    (out / "build_report.json").write_text(
        json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8"
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=Path, default=DEFAULT_SOURCES)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--check", action="store_true", help="fail if --out differs")
    args = parser.parse_args(argv)
    if not args.sources.is_dir():
        print(
            f"build: error: {args.sources}: no such folder (the raw data-sources)", file=sys.stderr
        )
        return 2
    try:
        return _run(args)
    except BuildError as exc:
        print(f"build: error: {exc}", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            build(args.sources, Path(tmp))
            names = [p.name for p in Path(tmp).iterdir()]
            _, mismatch, errors = filecmp.cmpfiles(Path(tmp), args.out, names, shallow=False)
            if mismatch or errors:
                print(f"build: committed tables differ from a rebuild: {mismatch + errors}")
                return 1
            print(f"build: {len(names)} files match a rebuild")
            return 0
    report = build(args.sources, args.out)
    print(json.dumps(report, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
