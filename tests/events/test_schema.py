"""Validation of event tables: typed output and one exact error per kind of bad input."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest

import followon as fo
from followon.errors import DataError

HEADER = "event_id,type,subtype,date,end_date,count,source,provisional\n"


def write(tmp_path: Path, body: str, name: str = "events.csv", header: str = HEADER) -> Path:
    path = tmp_path / name
    path.write_text(header + body, encoding="utf-8")
    return path


def test_valid_file_is_typed_and_sorted(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "b,summit,,2019-02-27,2019-02-28,,news,false\n"
        "a,missile_launch,ICBM,2017-11-29,,1,cns,true\n",
    )
    events = fo.read_events(path)
    assert list(events["event_id"]) == ["a", "b"]
    assert events["date"].dtype == "datetime64[ns]"
    assert events["end_date"].dtype == "datetime64[ns]"
    assert events["count"].dtype == "Int64"
    assert events["provisional"].dtype == bool
    assert events.loc[0, "count"] == 1
    assert pd.isna(events.loc[1, "count"])
    assert pd.isna(events.loc[0, "end_date"])
    assert events.loc[1, "end_date"] == pd.Timestamp("2019-02-28")
    assert list(events["provisional"]) == [True, False]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "a,missle_launch,,2020-01-01,,,cns,\n",
            "row 1 (line 2), column 'type': unknown type 'missle_launch' "
            "(did you mean 'missile_launch'?); allowed: missile_launch, nuclear_test, "
            "satellite_launch, balloon_launch, summit, party_congress, plenary_meeting, "
            "politburo_meeting, military_exercise.",
        ),
        (
            "a,missile_launch,,2023-02-30,,,cns,\n",
            "row 1 (line 2), column 'date': '2023-02-30' is not a real calendar date; "
            "check the day and month.",
        ),
        (
            "a,missile_launch,,30/01/2023,,,cns,\n",
            "row 1 (line 2), column 'date': '30/01/2023' is not a date; write it as "
            "YYYY-MM-DD (Korean calendar date).",
        ),
        (
            "a,summit,,2019-02-28,2019-02-27,,news,\n",
            "row 1 (line 2), column 'end_date': ends 2019-02-27, before it starts 2019-02-28; "
            "end_date must be on or after date.",
        ),
        (
            "a,summit,,2019-02-27,,,news,\nb,summit,,2019-03-27,,,news,\na,summit,,2019-04-27,,,news,\n",
            "row 3 (line 4), column 'event_id': duplicate id 'a' (first at row 1); "
            "event ids must be unique.",
        ),
        (
            "a,missile_launch,SRMB,2020-01-01,,,cns,\n",
            "row 1 (line 2), column 'subtype': unknown missile class 'SRMB' "
            "(did you mean 'SRBM'?); allowed: ICBM, IRBM, HGV, MRBM, SLBM, SRBM, cruise, MLRS, "
            "unknown.",
        ),
        (
            "a,missile_launch,,2020-01-01,,-2,cns,\n",
            "row 1 (line 2), column 'count': '-2' is not a whole number ≥ 0; leave it empty "
            "when unknown.",
        ),
        (
            "a,missile_launch,,2020-01-01,,,,\n",
            "row 1 (line 2), column 'source': empty; every event needs its producer "
            "(e.g. cns, csis, kcna, news).",
        ),
        (
            "a,missile_launch,,2020-01-01,,,cns,maybe\n",
            "row 1 (line 2), column 'provisional': 'maybe' is not true/false.",
        ),
    ],
)
def test_bad_rows_name_file_row_column_and_fix(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == f"{path}, {message}"


def test_missing_required_column(tmp_path: Path) -> None:
    path = write(tmp_path, "a,summit,2019-02-27\n", header="event_id,type,Date\n")
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == (
        f"{path}: missing required column 'date' (did you mean 'Date'?); the file has "
        "event_id, type, Date. Required: event_id, type, date, source."
    )


@pytest.mark.parametrize("content", ["", HEADER])
def test_empty_file(tmp_path: Path, content: str) -> None:
    path = tmp_path / "empty.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(str(path))) as info:
        fo.read_events(path)
    assert "empty" in str(info.value)


def test_wrong_encoding_points_to_the_cns_reader(tmp_path: Path) -> None:
    path = tmp_path / "cp1252.csv"
    path.write_bytes((HEADER + "a,summit,,2019-02-27,,,Kim\xa0news,\n").encode("cp1252"))
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value).startswith(f"{path}: not valid utf-8 text (byte 0xA0 at offset ")
    assert "read_cns_missile_database" in str(info.value)


def test_unsupported_suffix(tmp_path: Path) -> None:
    path = tmp_path / "events.xlsx"
    path.write_bytes(b"x")
    with pytest.raises(DataError, match=r"unsupported file type '\.xlsx'; use \.csv or \.parquet"):
        fo.read_events(path)


def test_parquet_roundtrip(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "event_id": ["x1", "x2"],
            "type": ["nuclear_test", "politburo_meeting"],
            "date": pd.to_datetime(["2017-09-03", "2022-01-19"]),
            "end_date": pd.to_datetime([None, "2022-01-19"]),
            "count": [None, None],
            "source": ["seismic", "kcna"],
        }
    )
    path = tmp_path / "events.parquet"
    frame.to_parquet(path)
    events = fo.read_events(path)
    assert list(events["date"]) == list(pd.to_datetime(["2017-09-03", "2022-01-19"]))
    assert events.loc[1, "end_date"] == pd.Timestamp("2022-01-19")


def test_extra_columns_are_kept(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a,summit,,2019-02-27,,,news,,Hanoi\n",
        header=HEADER.strip() + ",location\n",
    )
    assert fo.read_events(path).loc[0, "location"] == "Hanoi"
