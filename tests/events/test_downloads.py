"""The readers on the files as NTI and CSIS publish them (issue 16): the real copies in
../shared/data-sources when present, and small synthetic files in the exact layouts, with one
line for every kind of damage."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import warnings
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

import followon as fo
from followon.errors import DataError
from tests.conftest import SHARED_SOURCES
from tests.events.test_readers import CNS_COLUMNS, CNS_ROWS, CSIS_ROWS, cns_record

NTI_XLSX = SHARED_SOURCES / "cns-missile-tests-xlsx-2021" / "north_korea_missile_test_database.xlsx"
NTI_CSV = SHARED_SOURCES / "cns-missile-tests-csv-2023" / "north_korea_missile_test_database.csv"
CSIS_CSV = SHARED_SOURCES / "csis-provocations" / "north_korea_provocations_1958_present.csv"
CSIS_JSON = SHARED_SOURCES / "csis-provocations" / "north_korea_provocations_1958_present.json"

real = pytest.mark.skipif(
    not SHARED_SOURCES.is_dir(), reason="../shared/data-sources is not beside this checkout"
)


# ---------------------------------------------------------------- the real downloads


@real
def test_real_nti_workbook_and_csv_export_agree() -> None:
    with pytest.warns(fo.DataWarning, match=r"left out 8 row\(s\) dated by month only"):
        book = fo.read_cns_missile_database(NTI_XLSX)
    with pytest.warns(fo.DataWarning, match=r"left out 8 row\(s\) dated by month only"):
        export = fo.read_cns_missile_database(NTI_CSV)
    assert len(book) == 81
    assert book["date"].max() == pd.Timestamp("2021-03-25")  # 22:04 UTC on 24 March
    assert book["count"].sum() == 156 - 8
    # the 2023 export holds every day of the 2021 workbook, with the same missiles
    same = export[export["date"] <= book["date"].max()]
    cols = ["event_id", "type", "subtype", "count", "outcome", "classes"]
    pd.testing.assert_frame_equal(
        book[cols].reset_index(drop=True), same[cols].reset_index(drop=True)
    )


@real
def test_real_csis_exports_read_alike_without_warnings() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from_csv = fo.read_csis_provocations(CSIS_CSV)
        from_json = fo.read_csis_provocations(CSIS_JSON)
    pd.testing.assert_frame_equal(from_csv, from_json)
    assert from_csv.attrs["unfamiliar"] == {}
    assert from_csv.attrs["skipped"]["Artillery Fire"] == 20
    assert sum(from_csv.attrs["skipped"].values()) == 218


# ---------------------------------------------------------------- NTI workbook layout


def nti_workbook(path: Path, rows: list[tuple[str, ...]] = CNS_ROWS) -> Path:
    """The NTI layout: an empty first row, the header on the second, F1 formulas, real Excel
    dates (``d-mmm-yy``; month-only tests as the 1st with ``mmm-yy``) and times."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Missile Tests"
    ws.append([None] * len(CNS_COLUMNS))
    ws.append(CNS_COLUMNS)
    for i, row in enumerate(rows, start=1):
        rec: list[object] = list(cns_record(i, row))
        date, time = row[0], row[1]
        month_only = date.count("-") == 1
        rec[1] = dt.datetime.strptime(("1-" if month_only else "") + date, "%d-%b-%y")
        rec[3] = dt.datetime.strptime(time, "%I:%M:%S %p").time() if time else None
        rec[0] = 1 if i == 1 else f"=A{i + 1}+1"
        ws.append(rec)
        ws.cell(row=i + 2, column=2).number_format = "mmm-yy" if month_only else "d-mmm-yy"
    for name in ("Data Summary", "Missile Summary", "Facilities", "Terms and Definitions"):
        wb.create_sheet(name)
    wb.save(path)
    return path


def test_nti_workbook_layout(tmp_path: Path) -> None:
    path = nti_workbook(tmp_path / "north_korea_missile_test_database.xlsx")
    with pytest.warns(fo.DataWarning, match=r"left out 1 row\(s\) dated by month only"):
        events = fo.read_cns_missile_database(path)
    assert list(events["event_id"]) == [
        "SAT-2016-02-07",
        "ML-2017-07-04",
        "ML-2023-03-16",
        "ML-2023-04-13",
    ]
    assert events.set_index("event_id").loc["ML-2023-04-13", "count"] == 2


def test_workbook_without_a_header_names_what_it_looked_for(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "Missile Tests"
    wb.active.append(["F1", "Day", "Missile Name"])
    wb.active.append([1, "9-Apr-84", "Scud-B"])
    wb.save(path)
    with pytest.raises(DataError) as info:
        fo.read_cns_missile_database(path)
    assert str(info.value) == (
        f"{path}: missing column 'Date' (looked for the header in the first 11 rows); the "
        "NTI/CNS missile database has Date, Launch Time (UTC), Missile Name, Missile Type, "
        "Test Outcome."
    )


@pytest.mark.parametrize("damage", ["truncated", "random", "folder"])
def test_damaged_workbook_is_one_line(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "north_korea_missile_test_database.xlsx"
    if damage == "folder":
        path.mkdir()
    else:
        good = nti_workbook(tmp_path / "good.xlsx").read_bytes()
        path.write_bytes(good[: len(good) // 2] if damage == "truncated" else b"\x8f" * 4000)
    with pytest.raises(DataError) as info:
        fo.read_cns_missile_database(path)
    message = str(info.value)
    if damage == "folder":
        assert message == f"{path}: is a folder, not a file; give the path of the file itself."
    else:
        assert message.startswith(f"{path}: not a readable Excel workbook (")
    assert "\n" not in message


# ---------------------------------------------------------------- NTI CSV export layout


def nti_csv(path: Path, rows: list[tuple[str, ...]] = CNS_ROWS, *, notes: str = "") -> Path:
    """The NTI CSV export: Windows-1252, CRLF row ends, values quoted only where needed
    (commas, quotes, line breaks), LF inside quoted values."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CNS_COLUMNS)
    for i, row in enumerate(rows, start=1):
        rec = cns_record(i, row)
        rec[17] = notes or rec[17]
        writer.writerow(rec)
    path.write_bytes(buffer.getvalue().encode("cp1252"))
    return path


def test_nti_csv_with_values_over_several_lines(tmp_path: Path) -> None:
    notes = "First paragraph, with commas, 1,380 km.\nSecond paragraph.\n\nThird, 9-Apr-84."
    path = nti_csv(tmp_path / "cns.csv", notes=notes)
    with pytest.warns(fo.DataWarning):
        events = fo.read_cns_missile_database(path)
    assert len(events) == 4


def test_nti_csv_row_pasted_twice_is_refused(tmp_path: Path) -> None:
    path = nti_csv(tmp_path / "cns.csv")
    lines = path.read_bytes().split(b"\r\n")
    path.write_bytes(b"\r\n".join([*lines[:4], lines[3], *lines[4:]]))
    with pytest.raises(DataError) as info:
        fo.read_cns_missile_database(path)
    assert str(info.value) == (
        f"{path}, row 4: repeats row 3 exactly (1 repeated row(s) in the file); delete the "
        "copies (each CNS row is one missile, so a copy adds a missile)."
    )


def test_nti_csv_stray_quote_is_named(tmp_path: Path) -> None:
    path = nti_csv(tmp_path / "cns.csv")
    lines = path.read_bytes().split(b"\r\n")
    # a stray quote opening row 2's missile name runs to the next quote, on the next line
    lines[2] = b'2,4-Jul-17,,12:40:00 AM,"Hwasong-14,ICBM,,Sohae,,,,,,,,Confirmed,Success,,'
    path.write_bytes(b"\r\n".join(lines))
    with pytest.raises(DataError) as info:
        fo.read_cns_missile_database(path)
    assert str(info.value) == (
        f"{path}, line 3: a quoted value starting on this line runs to line 4, merging 2 "
        "lines into one row (a stray '\"'?); 6 line(s) of data were read as 5 row(s)."
    )


@pytest.mark.parametrize(
    ("time", "message"),
    [
        ("25:61:00", "'25:61:00' is not a time of day"),
        ("noon", "'noon' is not a time of day"),
    ],
)
def test_bad_utc_time_is_one_line(tmp_path: Path, time: str, message: str) -> None:
    rows = list(CNS_ROWS)
    rows[1] = ("4-Jul-17", time, "Hwasong-14", "ICBM", "Confirmed", "Success")
    path = nti_csv(tmp_path / "cns.csv", rows)
    with pytest.raises(DataError) as info:
        fo.read_cns_missile_database(path)
    assert str(info.value) == (
        f"{path}, row 2, column 'Launch Time (UTC)': {message} (expected e.g. 10:09:00 PM or "
        "22:09, in UTC; leave it empty when unknown)."
    )


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("", "empty; every missile row needs a date (e.g. 9-Apr-84)."),
        (
            "1800-01-01",
            "1800-01-01 is outside the dates followon reads (1900-01-01 … 2199-12-31); check the year.",
        ),
    ],
)
def test_bad_cns_date_is_one_line(tmp_path: Path, date: str, message: str) -> None:
    rows = list(CNS_ROWS)
    rows[1] = (date, "", "Hwasong-14", "ICBM", "Confirmed", "Success")
    path = nti_csv(tmp_path / "cns.csv", rows)
    with pytest.raises(DataError) as info:
        fo.read_cns_missile_database(path)
    assert str(info.value) == f"{path}, row 2, column 'Date': {message}"


# ---------------------------------------------------------------- CSIS exports


def csis_file(tmp_path: Path, fmt: str, rows: list[dict[str, str]]) -> Path:
    path = tmp_path / f"provocations.{fmt}"
    if fmt == "csv":
        pd.DataFrame(rows).to_csv(path, index=False)
    else:
        path.write_text(json.dumps(rows, indent=4), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["csv", "json"])
@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("", "empty; every CSIS event needs a date (YYYY-MM-DD)."),
        (
            "1000-01-01",
            "1000-01-01 is outside the dates followon reads (1900-01-01 … 2199-12-31); check the year.",
        ),
        ("2024/05/30", "'2024/05/30' is not a date (YYYY-MM-DD)."),
        ("NaN", "'NaN' marks a missing value; every CSIS event needs a date (YYYY-MM-DD)."),
    ],
)
def test_bad_csis_date_is_one_line(tmp_path: Path, fmt: str, date: str, message: str) -> None:
    path = csis_file(tmp_path, fmt, [CSIS_ROWS[0], {**CSIS_ROWS[1], "date": date}])
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert str(info.value) == f"{path}, row 2, column 'date': {message}"


def test_csis_json_null_date_is_empty(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps([{**CSIS_ROWS[1], "date": None}]), encoding="utf-8")
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert str(info.value) == (
        f"{path}, row 1, column 'date': empty; every CSIS event needs a date (YYYY-MM-DD)."
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            {"data": CSIS_ROWS},
            "the JSON is an object, not a list; the CSIS export is a list of events "
            '[{"date": ..., "type": ..., "event": ...}, ...].',
        ),
        (
            "2024-05-30",
            "the JSON is a str, not a list; the CSIS export is a list of events "
            '[{"date": ..., "type": ..., "event": ...}, ...].',
        ),
    ],
)
def test_csis_json_not_a_list(tmp_path: Path, content: object, message: str) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(content), encoding="utf-8")
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert str(info.value) == f"{path}: {message}"


def test_csis_json_record_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps([CSIS_ROWS[0], ["2024-05-30", "x"]]), encoding="utf-8")
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert str(info.value) == (
        f'{path}, record 2: ["2024-05-30", "x"] is not an object; the CSIS export is a list of '
        "events with date, type, event, description, resources."
    )


def test_csis_damaged_json_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "p.json"
    path.write_text(json.dumps(CSIS_ROWS)[:-40], encoding="utf-8")
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert str(info.value).startswith(f"{path}: not a readable JSON file (")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_unfamiliar_csis_labels_are_reported(tmp_path: Path, fmt: str) -> None:
    rows = [
        *CSIS_ROWS,
        {**CSIS_ROWS[1], "date": "2024-07-01", "event": "SRBM test"},
        {**CSIS_ROWS[1], "date": "2024-07-02", "event": "SRBM test"},
        {**CSIS_ROWS[5], "date": "2024-07-03", "event": "Hwasong launch"},
        {**CSIS_ROWS[1], "date": "2024-07-04", "event": "Artillery Fire"},
    ]
    path = csis_file(tmp_path, fmt, rows)
    with pytest.warns(fo.DataWarning) as record:
        events = fo.read_csis_provocations(path)
    assert [str(w.message) for w in record] == [
        f"{path}: left out 3 row(s) with CSIS labels followon does not recognise: "
        "'SRBM test' (2), 'Hwasong launch' (1); if one is a launch, nuclear test or balloon "
        "launch, report the label (all left-out labels: result.attrs['skipped'])."
    ]
    assert events.attrs["unfamiliar"] == {"SRBM test": 2, "Hwasong launch": 1}
    assert events.attrs["skipped"] == {
        "GPS Signal Jamming": 1,
        "SRBM test": 2,
        "Hwasong launch": 1,
        "Artillery Fire": 1,
    }


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_csis_row_pasted_twice_is_refused(tmp_path: Path, fmt: str) -> None:
    path = csis_file(tmp_path, fmt, [*CSIS_ROWS[:3], CSIS_ROWS[1], *CSIS_ROWS[3:]])
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert str(info.value) == (
        f"{path}, row 4: repeats row 2 exactly (1 repeated row(s) in the file); delete the "
        "copies (a copy counts the event twice)."
    )


def test_csis_stray_quote_is_named(tmp_path: Path) -> None:
    path = csis_file(tmp_path, "csv", CSIS_ROWS)
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[1] = lines[1].replace(",text,", ',"text,')
    path.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert str(info.value) == (
        f"{path}, line 2: a quoted value starting on this line runs to line 7 (the end of the "
        "file), merging 6 lines into one row (a stray '\"'?); 6 line(s) of data were read as "
        "1 row(s)."
    )


@pytest.mark.parametrize("name", ["p.csv", "p.json"])
def test_csis_folder_is_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.mkdir()
    with pytest.raises(DataError) as info:
        fo.read_csis_provocations(path)
    assert str(info.value) == f"{path}: is a folder, not a file; give the path of the file itself."


def test_nti_workbook_row_pasted_twice_is_refused(tmp_path: Path) -> None:
    path = nti_workbook(tmp_path / "cns.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["Missile Tests"]
    for i in range(3, ws.max_row + 1):
        ws.cell(row=i, column=1).value = i - 2  # F1 as values (Excel caches the formulas')
    ws.append([c.value for c in ws[5]])  # data row 3 pasted again at the end
    wb.save(path)
    with pytest.raises(DataError) as info:
        fo.read_cns_missile_database(path)
    assert str(info.value) == (
        f"{path}, row 7: repeats row 3 exactly (1 repeated row(s) in the file); delete the "
        "copies (each CNS row is one missile, so a copy adds a missile)."
    )
