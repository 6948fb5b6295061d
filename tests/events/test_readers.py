"""Readers for the files users download themselves, tested on small synthetic files written in
the same layout (the raw copies are never committed)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import followon as fo
from followon.errors import DataError

CNS_COLUMNS = [
    "F1",
    "Date",
    "Date Entered/Updated",
    "Launch Time (UTC)",
    "Missile Name",
    "Missile Type",
    "Launch Agency/Authority",
    "Facility Name",
    "Facility Location",
    "Other Name",
    "Facility Latitude",
    "Facility Longitude",
    "Landing Location",
    "Apogee",
    "Distance Travelled",
    "Confirmation Status",
    "Test Outcome",
    "Additional Information",
    "Source(s)",
]

# (Date, time, name, type, status, outcome) — two missiles of one salvo, an evening-UTC launch,
# a month-only pre-1993 row, and an SLV
CNS_ROWS = [
    ("Sep-84", "", "Scud-B", "SRBM", "Confirmed", "Unknown"),
    ("4-Jul-17", "12:40:00 AM", "Hwasong-14", "ICBM", "Confirmed", "Success"),
    ("15-Mar-23", "10:09:00 PM", "Hwasong-17", "ICBM", "Confirmed", "Success"),
    ("13-Apr-23", "12:22:00 AM", "Hwasong-18", "ICBM", "Confirmed", "Success"),
    ("13-Apr-23", "12:22:00 AM", "Unknown", "Unknown", "Unconfirmed", "Unknown"),
    ("7-Feb-16", "12:29:00 AM", "Unha", "SLV", "Confirmed", "Success"),
]


def cns_record(i: int, row: tuple[str, ...]) -> list[str]:
    date, time, name, mtype, status, outcome = row
    rec = dict.fromkeys(CNS_COLUMNS, "")
    rec.update(
        {
            "F1": str(i),
            "Date": date,
            "Launch Time (UTC)": time,
            "Missile Name": name,
            "Missile Type": mtype,
            "Facility Name": "Sohae\xa0Satellite Launching Station",
            "Confirmation Status": status,
            "Test Outcome": outcome,
            "Additional Information": "free text, never kept",
            "Apogee": "2,800 km",
        }
    )
    return [rec[c] for c in CNS_COLUMNS]


@pytest.fixture
def cns_csv(tmp_path: Path) -> Path:
    path = tmp_path / "north_korea_missile_test_database.csv"
    lines = [",".join(CNS_COLUMNS)]
    for i, row in enumerate(CNS_ROWS, start=1):
        lines.append(",".join(f'"{v}"' for v in cns_record(i, row)))
    path.write_bytes("\r\n".join(lines).encode("cp1252") + b"\r\n")
    return path


def check_cns(events: pd.DataFrame) -> None:
    assert list(events["event_id"]) == [
        "SAT-2016-02-07",
        "ML-2017-07-04",
        "ML-2023-03-16",
        "ML-2023-04-13",
    ]
    assert list(events["type"]) == ["satellite_launch"] + ["missile_launch"] * 3
    by_id = events.set_index("event_id")
    assert by_id.loc["ML-2023-03-16", "date_rule"] == "utc_time"  # 22:09 UTC → next KST day
    assert by_id.loc["ML-2023-04-13", "count"] == 2
    assert by_id.loc["ML-2023-04-13", "classes"] == "ICBM;unknown"
    assert by_id.loc["ML-2023-04-13", "tags"] == "unconfirmed"
    assert (events["source"] == "cns").all()
    assert "Additional Information" not in events.columns
    assert not events.astype(str).apply(lambda c: c.str.contains("free text")).any().any()


def test_cns_csv_export_in_windows_1252(cns_csv: Path) -> None:
    with pytest.warns(fo.DataWarning, match="left out 1 row\\(s\\) dated by month only"):
        events = fo.read_cns_missile_database(cns_csv)
    check_cns(events)


def test_cns_workbook(tmp_path: Path) -> None:
    path = tmp_path / "north_korea_missile_test_database.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Missile Tests"
    ws.append(CNS_COLUMNS)
    for i, row in enumerate(CNS_ROWS, start=1):
        rec = cns_record(i, row)
        date, time = row[0], row[1]
        if date != "Sep-84":  # real Excel datetimes and times, as in the NTI workbook
            rec[1] = dt.datetime.strptime(date, "%d-%b-%y")
            rec[3] = dt.datetime.strptime(time, "%I:%M:%S %p").time() if time else None
        rec[0] = f"=A{i}+1"
        ws.append(rec)
    wb.create_sheet("Data Summary")
    wb.save(path)
    with pytest.warns(fo.DataWarning):
        events = fo.read_cns_missile_database(path)
    check_cns(events)


def test_cns_reader_errors(tmp_path: Path, cns_csv: Path) -> None:
    wrong = tmp_path / "wrong.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Sheet1"
    wb.save(wrong)
    with pytest.raises(DataError, match="no sheet 'Missile Tests'"):
        fo.read_cns_missile_database(wrong)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(cns_csv.read_bytes().replace(b"4-Jul-17", b"40-Jul-17"))
    with pytest.raises(DataError) as info:
        fo.read_cns_missile_database(bad)
    assert str(info.value) == (
        f"{bad}, row 2, column 'Date': '40-Jul-17' is not a date (expected e.g. 9-Apr-84)."
    )
    bad.write_bytes(cns_csv.read_bytes().replace(b'"Hwasong-14","ICBM"', b'"Hwasong-14","ICMB"'))
    with pytest.raises(
        DataError, match=r"row 2, column 'Missile Type': unknown CNS missile type 'ICMB'"
    ):
        fo.read_cns_missile_database(bad)


CSIS_ROWS = [
    {
        "date": "2024-05-29",
        "type": "Other Provocation",
        "event": "Balloon-floating Trash",
        "description": "text",
        "resources": "https://example.org/b1",
    },
    {
        "date": "2024-05-30",
        "type": "Missile Provocation",
        "event": "Short-range Ballistic Missile Launch",
        "description": "North Korea fired 18 short-range ballistic missiles on May 30",
        "resources": "https://example.org/m1",
    },
    {
        "date": "2024-05-30",
        "type": "Missile Provocation",
        "event": "Strategic cruise missile",
        "description": "North Korea fired two cruise missiles",
        "resources": "https://example.org/m2",
    },
    {
        "date": "2024-06-26",
        "type": "Missile Provocation",
        "event": "Multiple Lanuch Rocket System (MLRS) Test",
        "description": "it fired several rockets",
        "resources": "",
    },
    {
        "date": "2017-09-03",
        "type": "Nuclear Provocation",
        "event": "Nuclear Test",
        "description": "sixth test",
        "resources": "https://example.org/n6",
    },
    {
        "date": "2024-05-31",
        "type": "Other Provocation",
        "event": "GPS Signal Jamming",
        "description": "jamming",
        "resources": "",
    },
]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csis_export(tmp_path: Path, fmt: str) -> None:
    path = tmp_path / f"provocations.{fmt}"
    if fmt == "csv":
        pd.DataFrame(CSIS_ROWS).to_csv(path, index=False)
    else:
        path.write_text(json.dumps(CSIS_ROWS), encoding="utf-8")
    events = fo.read_csis_provocations(path)
    assert list(events["event_id"]) == [
        "NT-2017-09-03",
        "BAL-2024-05-29",
        "ML-2024-05-30",
        "ML-2024-06-26",
    ]
    day = events.set_index("event_id").loc["ML-2024-05-30"]
    assert (day["subtype"], day["classes"], day["count"]) == ("SRBM", "SRBM;cruise", 20)
    assert events.set_index("event_id").loc["ML-2024-06-26", "subtype"] == "MLRS"
    assert pd.isna(events.set_index("event_id").loc["ML-2024-06-26", "count"])
    assert (events["source"] == "csis").all()
    assert "description" not in events.columns
    assert events.attrs["skipped"] == {"GPS Signal Jamming": 1}


def test_csis_bad_date_and_missing_column(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    pd.DataFrame([{**CSIS_ROWS[1], "date": "2024-13-01"}]).to_csv(path, index=False)
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert (
        str(info.value) == f"{path}, row 1, column 'date': '2024-13-01' is not a date (YYYY-MM-DD)."
    )
    pd.DataFrame([{"day": "2024-01-01", "type": "x", "event": "y"}]).to_csv(path, index=False)
    with pytest.raises(DataError, match="missing column 'date'"):
        fo.read_csis_provocations(path)
