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
  a source page on every row (maintained in this repository).

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

import pandas as pd

from followon.events.launches import CNS_DATABASE_URL, aggregate_launch_days, cns_class
from followon.events.readers import csis_launch_events
from followon.events.schema import CORE_COLUMNS, validate_events

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
        "Launch days (KST), CNS per-missile rows aggregated, CSIS adds cruise/MLRS/unknown. "
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
        "Searched through the 9th Congress (19-25 Feb 2026); later meetings not yet added.",
    ),
    "military_exercises.csv": (["military_exercise"], ["curated"], "2026-08-27", ""),
}

# curated rows with these verification values are not events and are left out (and counted)
EXCLUDED_VERIFICATION = {"not_found", "cancelled", "decision_release_not_meeting"}


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
    csis_events, csis_skipped = csis_launch_events(csis_path)
    report["csis rows out of scope (by CSIS event label)"] = dict(sorted(csis_skipped.items()))
    csis_launches = csis_events[
        csis_events["type"].isin(["missile_launch", "satellite_launch"])
        & (csis_events["date"] >= pd.Timestamp("1984-01-01"))
    ]
    report["csis launch rows before 1984 (before CNS coverage) left out"] = int(
        (
            csis_events["type"].isin(["missile_launch", "satellite_launch"])
            & (csis_events["date"] < pd.Timestamp("1984-01-01"))
        ).sum()
    )

    missiles, month_only = nagix_missiles(sources / "nagix-nk-missile-tests")
    report["cns rows dated by month only (1984-1992) left out"] = month_only
    overrides = date_overrides(HERE / "curated" / "launch_date_overrides.csv")
    report["launch dates settled from a cited page"] = len(overrides)
    days, launch_report = aggregate_launch_days(
        missiles,
        csis_launches,
        provisional_after=CNS_CONFIRMED_THROUGH,
        date_overrides=overrides,
    )
    report["launch-day assembly"] = launch_report
    days = validate_events(days, origin="launch days")
    cns_until = pd.Timestamp(SOURCES["cns"]["observed_until"])
    late_csis_only = (days["source"] == "csis") & (days["date"] > cns_until)
    days.loc[late_csis_only, "provisional"] = True

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
        "missile_launches.csv": days[days["type"] == "missile_launch"],
        "satellite_launches.csv": days[days["type"] == "satellite_launch"],
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
