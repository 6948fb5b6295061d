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


# ---------------------------------------------------------------- issue 16: hostile event files


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "a,missile_launch,,1000-01-01,,,cns,\n",
            "row 1 (line 2), column 'date': 1000-01-01 is outside the dates followon reads "
            "(1900-01-01 … 2199-12-31); check the year.",
        ),
        (
            "a,summit,,2019-02-27,9999-12-31,,news,\n",
            "row 1 (line 2), column 'end_date': 9999-12-31 is outside the dates followon reads "
            "(1900-01-01 … 2199-12-31); check the year.",
        ),
        (
            "a,missile_launch,,2020-01-01,,9223372036854775808,cns,\n",
            "row 1 (line 2), column 'count': '9223372036854775808' is too large; a count is a "
            "whole number from 0 to 9223372036854775807 (2^63 − 1).",
        ),
        (
            "a,missile_launch,,2020-01-01,,1e30,cns,\n",
            "row 1 (line 2), column 'count': '1e30' is too large; a count is a whole number "
            "from 0 to 9223372036854775807 (2^63 − 1).",
        ),
        (
            "a,missile_launch,,2020-01-01,,inf,cns,\n",
            "row 1 (line 2), column 'count': 'inf' is not a whole number ≥ 0; leave it empty "
            "when unknown.",
        ),
        (
            "NaN,missile_launch,,2020-01-01,,,cns,\n",
            "row 1 (line 2), column 'event_id': 'NaN' marks a missing value; every event needs "
            "an id.",
        ),
        (
            "a,missile_launch,,2020-01-01,,,N/A,\n",
            "row 1 (line 2), column 'source': 'N/A' marks a missing value; every event needs "
            "its producer (e.g. cns, csis, kcna, news).",
        ),
        (
            "a,missile_launch,,2020-01-01,,,null,\n",
            "row 1 (line 2), column 'source': 'null' marks a missing value; every event needs "
            "its producer (e.g. cns, csis, kcna, news).",
        ),
        (
            "None,missile_launch,,2020-01-01,,,cns,\n",
            "row 1 (line 2), column 'event_id': 'None' marks a missing value; every event needs "
            "an id.",
        ),
        (
            "a,NaN,,2020-01-01,,,cns,\n",
            "row 1 (line 2), column 'type': 'NaN' marks a missing value; every event needs a type.",
        ),
        (
            "a,missile_launch,,N/A,,,cns,\n",
            "row 1 (line 2), column 'date': 'N/A' marks a missing value; every event needs a date.",
        ),
        (
            ",missile_launch,,2020-01-01,,,cns,\n",
            "row 1 (line 2), column 'event_id': empty; every event needs an id.",
        ),
        (
            "a,missile_launch,,2020-01-01,,2,cns,\nb,summit,,2020-02-01,,,news,\n"
            "a,missile_launch,,2020-01-01,,2,cns,\na,missile_launch,,2020-01-01,,2,cns,\n",
            "row 3 (line 4): repeats row 1 exactly (2 repeated row(s) in the table); delete "
            "the copies.",
        ),
        (
            "a,missile_launch,,2020-01-01,,,cns,\n" + "b," + "x" * 200 + ",,2020-01-01,,,cns,\n",
            "row 2 (line 3), column 'type': unknown type '" + "x" * 59 + "…'; allowed: "
            "missile_launch, nuclear_test, satellite_launch, balloon_launch, summit, "
            "party_congress, plenary_meeting, politburo_meeting, military_exercise.",
        ),
    ],
)
def test_hostile_rows_name_file_row_column(tmp_path: Path, body: str, message: str) -> None:
    path = write(tmp_path, body)
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == f"{path}, {message}"
    assert "\n" not in str(info.value)


def test_dates_at_the_ends_of_the_range_are_read(tmp_path: Path) -> None:
    path = write(tmp_path, "a,summit,,1900-01-01,2199-12-31,9223372036854775807,news,\n")
    events = fo.read_events(path)
    assert events.loc[0, "date"] == pd.Timestamp("1900-01-01")
    assert events.loc[0, "end_date"] == pd.Timestamp("2199-12-31")
    assert events.loc[0, "count"] == 2**63 - 1
    first, last = fo.events.schema.DATE_RANGE
    assert (first, last) == (pd.Timestamp("1900-01-01"), pd.Timestamp("2199-12-31"))


def test_duplicated_column_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "a,summit,,2019-02-27,,,news,,2019-03-01\n",
        header=HEADER.strip() + ",date\n",
    )
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == (
        f"{path}, line 1: column 'date' appears 2 times (columns 4, 9); give each column once."
    )


def test_duplicated_column_in_a_frame_is_named() -> None:
    frame = pd.DataFrame(
        [["a", "summit", "2019-02-27", "news", "2019-03-01"]],
        columns=["event_id", "type", "date", "source", " date"],
    )
    with pytest.raises(DataError) as info:
        fo.validate_events(frame, origin="t")
    assert (
        str(info.value) == "t: column 'date' appears 2 times (columns 3, 5); give each column once."
    )


@pytest.mark.parametrize(("sep", "name"), [(";", "semicolon"), ("\t", "tab")])
def test_other_separators_are_named(tmp_path: Path, sep: str, name: str) -> None:
    path = tmp_path / "events.csv"
    path.write_text(
        sep.join(["event_id", "type", "date", "source"])
        + "\n"
        + sep.join(["a", "summit", "2019-02-27", "news"])
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    header = "event_id;type;date;source" if sep == ";" else "event_id\ttype\tdate\tsource"
    assert str(info.value) == (
        f"{path}, line 1: the header is one column ('{header}'); the file looks "
        f"{name}-separated. followon reads comma-separated CSV: save the file with commas "
        "between values."
    )


def test_stray_quote_merging_rows_is_named(tmp_path: Path) -> None:
    rows = [f"e{i},missile_launch,,2020-01-{i:02d},,,cns,\n" for i in range(1, 30)]
    rows[2] = 'e3,missile_launch,,2020-01-03,,,"cns,\n'  # a stray quote on line 4
    rows[5] = 'e6,missile_launch,,2020-01-06,,,cns",\n'  # ... closed on line 7
    path = write(tmp_path, "".join(rows))
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == (
        f"{path}, line 4: a quoted value starting on this line runs to line 7, merging 4 "
        "lines into one row (a stray '\"'?); 29 line(s) of data were read as 26 row(s)."
    )


def test_unclosed_quote_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        'a,summit,,2019-02-27,,,"news,\nb,summit,,2019-03-27,,,news,\n',
    )
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == (
        f"{path}, line 2: a quoted value starting on this line runs to line 3 (the end of the "
        "file), merging 2 lines into one row (a stray '\"'?); 2 line(s) of data were read as 1 row(s)."
    )


def test_row_with_too_many_values_is_named(tmp_path: Path) -> None:
    path = write(tmp_path, "a,summit,,2019-02-27,,,news,,Hanoi, Vietnam\n")
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == (
        f"{path}, line 2: 10 values but the header has 8 columns; quote a value that contains "
        "a comma."
    )


@pytest.mark.parametrize("name", ["events.csv", "events.parquet"])
def test_a_folder_is_refused_in_one_line(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.mkdir()
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == f"{path}: is a folder, not a file; give the path of the file itself."


def test_damaged_parquet_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "events.parquet"
    path.write_bytes(b"PAR1" + b"\x00" * 50)
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value).startswith(f"{path}: not a readable Parquet file (")
    assert "\n" not in str(info.value)


def test_parquet_time_zone_aware_dates_are_korean_dates(tmp_path: Path) -> None:
    # midnight KST stored in UTC is the previous UTC day: read as the Korean date
    utc = pd.to_datetime(["2017-09-02 15:00", "2022-01-18 15:30"]).tz_localize("UTC")
    frame = pd.DataFrame(
        {
            "event_id": ["x1", "x2"],
            "type": ["nuclear_test", "politburo_meeting"],
            "date": utc,
            "end_date": pd.to_datetime([None, "2022-01-19 00:00"]).tz_localize("Asia/Seoul"),
            "source": ["seismic", "kcna"],
        }
    )
    path = tmp_path / "events.parquet"
    frame.to_parquet(path)
    events = fo.read_events(path)
    assert list(events["date"]) == list(pd.to_datetime(["2017-09-03", "2022-01-19"]))
    assert events.loc[1, "end_date"] == pd.Timestamp("2022-01-19")
    assert events["date"].dtype == "datetime64[ns]"


def test_parquet_dates_outside_the_range_are_refused(tmp_path: Path) -> None:
    import datetime as dt

    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "event_id": ["x1"],
            "type": ["nuclear_test"],
            "date": pa.array([dt.datetime(1000, 1, 1)], pa.timestamp("us")),
            "source": ["seismic"],
            "count": pa.array([2**64 - 1], pa.uint64()),
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == (
        f"{path}, row 1 (line 2), column 'date': 1000-01-01 is outside the dates followon "
        "reads (1900-01-01 … 2199-12-31); check the year."
    )


def test_runaway_quote_in_a_large_file_is_named(tmp_path: Path) -> None:
    rows = "".join(f"e{i},summit,,2019-02-27,,,news,\n" for i in range(8000))
    path = write(tmp_path, 'a,summit,,2019-02-27,,,"news,\n' + rows)
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == (
        f"{path}, line 2: a value starting on this line is too long to read (field larger than "
        "field limit (131072)); a stray '\"' may have merged the lines after it."
    )


def test_parquet_count_past_2_63_is_refused(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "event_id": ["x1"],
            "type": ["missile_launch"],
            "date": ["2020-01-01"],
            "source": ["jcs"],
            "count": pa.array([2**64 - 1], pa.uint64()),
        }
    )
    path = tmp_path / "events.parquet"
    pq.write_table(table, path)
    with pytest.raises(DataError) as info:
        fo.read_events(path)
    assert str(info.value) == (
        f"{path}, row 1 (line 2), column 'count': '18446744073709551615' is too large; a count "
        "is a whole number from 0 to 9223372036854775807 (2^63 − 1)."
    )
