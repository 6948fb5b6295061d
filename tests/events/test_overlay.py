"""The local overlay: `followon data add/remove/sources`, load_events with the overlay, new
types, refusals with exact messages — all in a temporary FOLLOWON_DATA_DIR, never the home."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
from pathlib import Path

import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import followon as fo
from followon.cli import main
from followon.errors import DataError, ScenarioError
from followon.events.catalog import catalog_sha256, launch_date_overrides
from followon.events.overlay import data_dir, overlay_dir, read_overlay_file
from followon.events.readers import csis_launch_events
from followon.scenarios.build import hypothesis_table, load_scenario_events
from tests.events.test_readers import CNS_COLUMNS, CNS_ROWS, CSIS_ROWS, cns_record

T = pd.Timestamp

NOV_2026 = """\
event_id,type,subtype,date,count,source,source_url
ML-2026-11-05,missile_launch,SRBM,2026-11-05,2,news,https://example.org/a
ML-2026-11-19,missile_launch,ICBM,2026-11-19,1,news,https://example.org/b
"""

SCENARIO = """\
name: after-the-overlay
question: A missile launch within 30 days of a December 2026 plenum?
as_of: 2026-12-20
data: {catalog: dprk, start: 2024-01-01}
trigger: {type: plenary_meeting, date: 2026-12-26, end_date: 2026-12-30}
outcomes:
  - {id: any_missile, type: missile_launch}
horizons_days: [30]
hypotheses:
  - id: steady
"""


@pytest.fixture
def data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "followon-data"
    monkeypatch.setenv("FOLLOWON_DATA_DIR", str(folder))
    return folder


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def listing(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) if folder.exists() else []


def test_data_dir_per_platform(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOLLOWON_DATA_DIR")
    monkeypatch.setattr(Path, "home", lambda: tmp_path)
    monkeypatch.setattr("sys.platform", "linux")
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert data_dir() == tmp_path / ".local" / "share" / "followon"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert data_dir() == tmp_path / "xdg" / "followon"
    monkeypatch.setattr("sys.platform", "darwin")
    assert data_dir() == tmp_path / "Library" / "Application Support" / "followon"
    monkeypatch.setattr("sys.platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "Local"))
    assert data_dir() == tmp_path / "Local" / "followon"
    monkeypatch.setenv("FOLLOWON_DATA_DIR", str(tmp_path / "mine"))
    assert data_dir() == tmp_path / "mine" and overlay_dir() == tmp_path / "mine" / "overlay"


def test_add_brings_the_catalog_up_to_date(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundled_sha = catalog_sha256()
    path = write(tmp_path, "nov-2026.csv", NOV_2026)
    assert main(["data", "add", str(path), "--observed-until", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "added 'nov-2026' (nov-2026.csv): 2 events, covering missile_launch through 2026-11-30\n"
    )
    # stored: the validated table and its index entry
    folder = data_folder / "overlay" / "nov-2026"
    assert sorted(p.name for p in folder.iterdir()) == ["events.csv", "overlay.json"]
    index = json.loads((folder / "overlay.json").read_text(encoding="utf-8"))
    assert index["sha256"] == hashlib.sha256((folder / "events.csv").read_bytes()).hexdigest()
    assert (index["name"], index["original_file"], index["rows"]) == (
        "nov-2026",
        "nov-2026.csv",
        2,
    )
    assert (index["types"], index["new_types"], index["observed_until"]) == (
        ["missile_launch"],
        [],
        "2026-11-30",
    )
    assert index["added"].endswith("Z") and index["kind"] == "events"

    events = fo.load_events("missile_launch", start="2026-11-01")
    assert list(events["event_id"]) == ["ML-2026-11-05", "ML-2026-11-19"]
    assert list(events["overlay"]) == ["nov-2026", "nov-2026"]
    assert list(events.attrs["overlay"]) == [
        {
            "name": "nov-2026",
            "sha256": index["sha256"],
            "rows": 2,
            "observed_until": "2026-11-30",
        }
    ]
    assert fo.load_events("missile_launch", start="2026-11-01", overlay=False).empty
    assert len(fo.load_events()) == len(fo.load_events(overlay=False)) + 2

    assert fo.observed_until("missile_launch") == T("2026-11-30")
    assert fo.observed_until("missile_launch", overlay=False) == T("2026-04-18")
    assert fo.observed_until()["satellite_launch"] == T("2026-04-18")  # not covered by the file
    assert fo.observed_until_sources()["missile_launch"] == "overlay 'nov-2026'"
    assert fo.observed_until_sources(overlay=False)["missile_launch"] == (
        "missile_launches.csv (cns)"
    )

    # a scenario on the catalog sees the new events and the new observed_until
    scenario = fo.load_scenario(write(tmp_path, "s.yaml", SCENARIO))
    loaded, sha = load_scenario_events(scenario)
    assert sha != bundled_sha and sha == catalog_sha256()
    assert catalog_sha256(overlay=False) == bundled_sha
    outcome = scenario.outcomes[0].build()
    table = hypothesis_table(
        scenario, loaded, outcome, scenario.hypotheses[0], as_of=T("2026-12-20")
    )
    assert table.end == T("2026-11-30") and table.observed_until == T("2026-11-30")
    nov = table.data[table.data["date"] >= T("2026-11-01")]
    assert nov["events"].sum() == 2 and len(nov) == 30
    bundled_only = hypothesis_table(
        scenario,
        fo.load_events(overlay=False),
        outcome,
        scenario.hypotheses[0],
        as_of=T("2026-12-20"),
    )
    assert bundled_only.end == T("2026-04-18")  # without the overlay: the bundled date


def test_results_record_the_overlay_files(tmp_path: Path, data_folder: Path) -> None:
    path = write(tmp_path, "nov-2026.csv", NOV_2026)
    entry, _ = fo.add_overlay(path, observed_until="2026-11-30", name="nov")
    result = fo.run_scenario(fo.load_scenario(write(tmp_path, "s.yaml", SCENARIO)), quick=True)
    assert result.meta["overlay"][0]["name"] == "nov"
    assert result.meta["overlay"][0]["sha256"] == entry.sha256
    assert result.meta["observed_until"] == "2026-11-30"
    out = fo.write_results(result, tmp_path / "res", save_models=False)
    record = json.loads((out / "forecast.json").read_text(encoding="utf-8"))
    assert [(o["name"], o["sha256"]) for o in record["overlay"]] == [("nov", entry.sha256)]
    assert record["data_sha256"] == catalog_sha256()


def test_observed_until_from_the_file(tmp_path: Path, data_folder: Path) -> None:
    text = NOV_2026.replace(",source_url\n", ",source_url,observed_until\n")
    text = text.replace("example.org/a\n", "example.org/a,2026-11-30\n")
    text = text.replace("example.org/b\n", "example.org/b,2026-11-30\n")
    entry, _ = fo.add_overlay(write(tmp_path, "col.csv", text))
    assert entry.observed_until == T("2026-11-30")
    assert "observed_until" not in read_overlay_file(entry).columns
    assert fo.observed_until("missile_launch") == T("2026-11-30")
    # the explicit date wins over the file's
    entry, _ = fo.add_overlay(
        write(tmp_path, "col.csv", text), observed_until="2026-12-05", replace=True
    )
    assert entry.observed_until == T("2026-12-05")
    two = text.replace("example.org/b,2026-11-30", "example.org/b,2026-11-29")
    with pytest.raises(DataError) as info:
        fo.add_overlay(write(tmp_path, "two.csv", two))
    assert str(info.value) == (
        f"{tmp_path / 'two.csv'}, column 'observed_until': several dates (2026-11-29 at row 2, "
        "2026-11-30 at row 1); a file has one observed_until — give the same date on every "
        "row, or split the file."
    )
    parquet = tmp_path / "meta.parquet"
    frame = pd.read_csv(io.StringIO(NOV_2026))
    table = pa.Table.from_pandas(frame.astype(str), preserve_index=False)
    table = table.replace_schema_metadata(
        {"observed_until": "2026-11-30", "types": '["missile_launch", "nuclear_test"]'}
    )
    pq.write_table(table, parquet)
    entry, _ = fo.add_overlay(parquet)
    assert entry.observed_until == T("2026-11-30")
    assert entry.types == ("missile_launch", "nuclear_test")
    assert fo.observed_until("nuclear_test") == T("2026-11-30")


def test_refused_without_observed_until(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "nov-2026.csv", NOV_2026)
    assert main(["data", "add", str(path)]) == 1
    assert capsys.readouterr().err == (
        f"followon: error: {path}: no observed_until. Say through which date this file is "
        "complete: add --observed-until YYYY-MM-DD (or an observed_until column); followon "
        "never assumes the bundled catalog's dates for your file.\n"
    )
    assert listing(data_folder) == []
    late = write(tmp_path, "late.csv", NOV_2026)
    with pytest.raises(DataError) as info:
        fo.add_overlay(late, observed_until="2026-11-10")
    assert str(info.value) == (
        f"{late}: event 'ML-2026-11-19' on 2026-11-19 is after the file's observed_until "
        "2026-11-10; observed_until must be on or after the last event."
    )


def test_malformed_row_adds_nothing(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, "good.csv", NOV_2026)
    assert main(["data", "add", str(good), "--observed-until", "2026-11-30"]) == 0
    before = {p: p.read_bytes() for p in data_folder.rglob("*") if p.is_file()}
    bad = write(tmp_path, "bad.csv", NOV_2026.replace("2026-11-19,1", "2026-11-31,1"))
    capsys.readouterr()
    assert main(["data", "add", str(bad), "--observed-until", "2026-11-30"]) == 1
    err = capsys.readouterr().err
    assert err == (
        f"followon: error: {bad}, row 2 (line 3), column 'date': '2026-11-31' is not a real "
        "calendar date; check the day and month.\n"
    )
    # the same file under a taken name, replaced: the old one stays as it was
    assert main(["data", "add", str(bad), "--observed-until", "2026-11-30", "--name", "good"]) == 1
    assert main(["data", "add", str(bad), "--name", "good", "--replace"]) == 1
    capsys.readouterr()
    after = {p: p.read_bytes() for p in data_folder.rglob("*") if p.is_file()}
    assert after == before  # nothing added, nothing half-written, no temporary folders
    assert listing(data_folder) == [
        "overlay",
        "overlay/good",
        *sorted(f"overlay/good/{n}" for n in ("events.csv", "overlay.json")),
    ]


def test_edited_overlay_file_is_refused(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    entry, _ = fo.add_overlay(write(tmp_path, "nov.csv", NOV_2026), observed_until="2026-11-30")
    stored = entry.table_path
    stored.write_text(stored.read_text(encoding="utf-8").replace(",2,", ",3,"), encoding="utf-8")
    actual = hashlib.sha256(stored.read_bytes()).hexdigest()
    message = (
        f"{stored}: sha256 {actual[:12]}… does not match the overlay index "
        f"({entry.sha256[:12]}…): the file was edited after `followon data add`. Run "
        "`followon data remove nov` then add the corrected file again."
    )
    with pytest.raises(DataError) as info:
        fo.load_events()
    assert str(info.value) == message
    assert main(["data", "show", "--type", "missile_launch"]) == 1
    assert capsys.readouterr().err == f"followon: error: {message}\n"
    assert fo.load_events(overlay=False).attrs["overlay"] == ()  # the bundled data still load
    assert main(["data", "sources"]) == 0
    assert "EDITED: run `followon data remove nov` and add it again" in capsys.readouterr().out
    assert main(["data", "remove", "nov"]) == 0
    assert capsys.readouterr().out == f"removed 'nov' from {data_folder / 'overlay'}\n"
    assert fo.load_events().attrs["overlay"] == ()


def test_duplicate_name_needs_replace(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "nov.csv", NOV_2026)
    args = ["data", "add", str(path), "--observed-until", "2026-11-30"]
    assert main(args) == 0
    assert main(args) == 1
    assert capsys.readouterr().err == (
        f"followon: error: an overlay file named 'nov' exists already "
        f"({data_folder / 'overlay' / 'nov'}); choose another --name, or pass --replace to "
        "overwrite it (`followon data sources` lists them).\n"
    )
    assert main([*args[:-1], "2026-12-01", "--replace"]) == 0
    assert fo.observed_until("missile_launch") == T("2026-12-01")
    assert main([*args, "--name", "bad name"]) == 1
    assert "'bad name' is not a usable overlay name" in capsys.readouterr().err
    assert main(["data", "remove", "nvo"]) == 1
    assert capsys.readouterr().err == (
        "followon: error: no overlay file named 'nvo' (did you mean 'nov'?); the overlay has nov.\n"
    )


ELECTION = """\
event_id,type,date,end_date,source,source_url
E-2026-06,election,2026-06-03,,nec,https://example.org/e
CF-2026-09,ceasefire,2026-09-01,2026-09-03,news,https://example.org/c
"""


def test_new_types_must_be_declared(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, "other-actor.csv", ELECTION)
    base = ["data", "add", str(path), "--observed-until", "2026-11-30"]
    assert main(base) == 1
    assert capsys.readouterr().err.startswith(
        f"followon: error: {path}, row 1 (line 2), column 'type': unknown type 'election'; "
        "allowed: missile_launch, "
    )
    assert main([*base, "--types", "election"]) == 1
    assert capsys.readouterr().err.endswith(
        "column 'type': unknown type 'ceasefire'; allowed: missile_launch, nuclear_test, "
        "satellite_launch, balloon_launch, summit, party_congress, plenary_meeting, "
        "politburo_meeting, military_exercise, election. To add a new event type, declare it: "
        "--types ceasefire.\n"
    )
    assert listing(data_folder) == []
    assert main([*base, "--types", "Election Day"]) == 1
    assert "'Election Day' is not a usable event type name" in capsys.readouterr().err
    assert main([*base, "--types", "election,ceasefire"]) == 0
    assert "; new types election, ceasefire" in capsys.readouterr().out

    assert fo.event_types()[-2:] == ("election", "ceasefire")
    assert fo.event_types(overlay=False) == fo.EVENT_TYPES
    elections = fo.load_events(types="election")
    assert list(elections["event_id"]) == ["E-2026-06"]
    assert fo.observed_until("election") == T("2026-11-30")
    with pytest.raises(DataError, match=r"unknown type 'electon' \(did you mean 'election'\?\)"):
        fo.load_events("electon")
    # a scenario may use the new types; the built-in ones keep their did-you-mean
    text = SCENARIO.replace(
        "trigger: {type: plenary_meeting, date: 2026-12-26, end_date: 2026-12-30}",
        "trigger: {event_id: CF-2026-09}",
    ).replace("type: missile_launch}", "type: election}")
    scenario = fo.load_scenario(write(tmp_path, "s.yaml", text))
    assert scenario.outcomes[0].type == "election"
    with pytest.raises(ScenarioError) as info:
        fo.load_scenario(write(tmp_path, "bad.yaml", text.replace("election}", "missle_launch}")))
    assert str(info.value) == (
        f"{tmp_path / 'bad.yaml'}: outcomes[0].type: 'missle_launch' is not allowed (did you "
        "mean 'missile_launch'?); expected 'missile_launch', 'nuclear_test', "
        "'satellite_launch', 'balloon_launch', 'summit', 'party_congress', 'plenary_meeting', "
        "'politburo_meeting', 'military_exercise', 'election' or 'ceasefire'."
    )
    events = fo.load_events()
    outcome = scenario.outcomes[0].build()
    table = hypothesis_table(
        scenario, events, outcome, scenario.hypotheses[0], as_of=T("2026-12-20")
    )
    assert table.end == T("2026-11-30") and table.data["events"].sum() == 1
    # removed: the types go with the file
    assert main(["data", "remove", "other-actor"]) == 0
    assert fo.event_types() == fo.EVENT_TYPES
    with pytest.raises(ScenarioError, match="'election' is not allowed"):
        fo.load_scenario(tmp_path / "s.yaml")


def test_repeats_of_bundled_events_are_merged(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = NOV_2026 + "my-jul-03,missile_launch,cruise,2026-07-03,10,news,https://example.org/c\n"
    path = write(tmp_path, "with-repeat.csv", text)
    assert main(["data", "add", str(path), "--observed-until", "2026-11-30"]) == 0
    out = capsys.readouterr().out
    assert (
        "1 event(s) repeat one already loaded and are merged into it:\n"
        "  my-jul-03 (missile_launch 2026-07-03) → ML-2026-07-03\n"
    ) in out
    events = fo.load_events("missile_launch", start="2026-07-03")
    assert list(events["event_id"]) == ["ML-2026-07-03", "ML-2026-11-05", "ML-2026-11-19"]
    assert list(events.attrs["overlay_merged"]) == [
        {
            "overlay": "with-repeat",
            "event_id": "my-jul-03",
            "type": "missile_launch",
            "date": "2026-07-03",
            "kept": "ML-2026-07-03",
        }
    ]
    assert len(fo.load_events()) == len(fo.load_events(overlay=False)) + 2
    # an id the bundled catalog uses for another event is refused
    clash = write(
        tmp_path,
        "clash.csv",
        NOV_2026.replace(
            "ML-2026-11-05,missile_launch,SRBM,2026-11-05",
            "NT-2017-09-03,missile_launch,SRBM,2026-11-06",
        ),
    )
    with pytest.raises(
        DataError,
        match=r"event_id 'NT-2017-09-03' \(missile_launch on 2026-11-06\) is already used by the bundled",
    ):
        fo.add_overlay(clash, observed_until="2026-11-30")


def test_sources_lists_bundled_tables_and_overlay_files(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["data", "sources"]) == 0
    out = capsys.readouterr().out
    assert "missile_launches.csv" in out and "military_exercises.csv" in out
    assert "(empty: `followon data add FILE --observed-until YYYY-MM-DD` adds one)" in out
    assert "  missile_launch       2026-04-18  missiles_launches.csv" not in out
    assert "  missile_launch       2026-04-18  missile_launches.csv (cns)" in out
    fo.add_overlay(write(tmp_path, "nov.csv", NOV_2026), observed_until="2026-11-30")
    assert main(["data", "sources"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if ln.lstrip().startswith("nov "))
    assert line.split()[:5] == ["nov", "nov.csv", "missile_launch", "2", "2026-11-30"]
    assert line.rstrip().endswith("ok")
    assert "  missile_launch       2026-11-30  overlay 'nov'" in out
    assert main(["data", "summary"]) == 0
    out = capsys.readouterr().out
    assert "(with 1 overlay file(s))" in out
    assert "  overlay  observed_until 2026-11-30  'nov'" in out
    assert main(["data", "remove", "nov"]) == 0
    assert fo.overlay_files() == ()


def cns_workbook(path: Path) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Missile Tests"
    ws.append(CNS_COLUMNS)
    for i, row in enumerate(CNS_ROWS, start=1):
        rec: list[object] = list(cns_record(i, row))
        date, time = row[0], row[1]
        if date != "Sep-84":
            rec[1] = dt.datetime.strptime(date, "%d-%b-%y")
            rec[3] = dt.datetime.strptime(time, "%I:%M:%S %p").time() if time else None
        ws.append(rec)
    wb.save(path)
    return path


def test_add_nti_and_csis_downloads(
    tmp_path: Path, data_folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    xlsx = cns_workbook(tmp_path / "north_korea_missile_test_database.xlsx")
    csis = tmp_path / "provocations.csv"
    pd.DataFrame(CSIS_ROWS).to_csv(csis, index=False)
    until = ["--observed-until", "2026-11-30"]

    with pytest.warns(fo.DataWarning, match="left out 1 row"):
        assert main(["data", "add", "--cns", str(xlsx), "--csis", str(csis), *until]) == 0
    out = capsys.readouterr().out
    assert out.startswith(
        "added 'north_korea_missile_test_database' (north_korea_missile_test_database.xlsx + "
        "provocations.csv): 8 events, covering "
    )
    assert main(["data", "add", "--csis", str(csis), *until, "--name", "csis"]) == 0
    capsys.readouterr()
    files = {e.name: e for e in fo.overlay_files()}
    both, alone = files["north_korea_missile_test_database"], files["csis"]
    assert both.kind == "cns+csis" and alone.kind == "csis"
    assert set(both.types) == {
        "missile_launch",
        "satellite_launch",
        "nuclear_test",
        "balloon_launch",
    }

    # the bundled build's functions on the same inputs give the same launch days
    launches, _ = csis_launch_events(csis)
    launches = launches[launches["type"].isin(["missile_launch", "satellite_launch"])]
    with pytest.warns(fo.DataWarning):
        expected = fo.read_cns_missile_database(
            xlsx, csis=launches, date_overrides=launch_date_overrides()
        )
    stored = read_overlay_file(both)
    days = stored[stored["type"].isin(["missile_launch", "satellite_launch"])]
    pd.testing.assert_frame_equal(
        days.reset_index(drop=True), expected[list(days.columns)].reset_index(drop=True)
    )
    assert days.set_index("event_id").loc["ML-2024-05-30", "source"] == "csis"
    assert days.set_index("event_id").loc["ML-2023-04-13", "count"] == 2
    other = stored[~stored["type"].isin(["missile_launch", "satellite_launch"])]
    assert list(other["event_id"]) == ["NT-2017-09-03", "BAL-2024-05-29"]
    pd.testing.assert_frame_equal(
        read_overlay_file(alone).reset_index(drop=True),
        fo.read_csis_provocations(csis)[list(read_overlay_file(alone).columns)],
    )

    # every one of these days is in the bundled catalog already: merged, not doubled
    events = fo.load_events()
    assert len(events) == len(fo.load_events(overlay=False)) + len(
        set(zip(stored["type"], stored["date"], strict=True))
        - set(
            zip(
                fo.load_events(overlay=False)["type"],
                fo.load_events(overlay=False)["date"],
                strict=True,
            )
        )
    )
    merged = {m["event_id"] for m in events.attrs["overlay_merged"]}
    assert {"ML-2017-07-04", "ML-2023-04-13", "NT-2017-09-03"} <= merged
    assert fo.observed_until("nuclear_test") == T("2026-11-30")
    assert fo.observed_until("military_exercise") == T("2026-08-27")  # not covered

    assert main(["data", "add", "--cns", str(xlsx), str(csis), *until]) == 1
    assert capsys.readouterr().err == (
        "followon: error: give either an event file, or --cns and/or --csis downloads.\n"
    )
    assert main(["data", "add", "--csis", str(csis), "--name", "again"]) == 1
    assert "no observed_until" in capsys.readouterr().err
    assert main(["data", "add", str(xlsx), *until]) == 1
    assert capsys.readouterr().err == (
        f"followon: error: {xlsx}: unsupported file type '.xlsx'; use .csv or .parquet (the "
        "NTI/CNS workbook: add it with --cns).\n"
    )


def test_unwritable_overlay_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = write(tmp_path, "not-a-folder", "")
    monkeypatch.setenv("FOLLOWON_DATA_DIR", str(blocker))
    path = write(tmp_path, "nov.csv", NOV_2026)
    assert main(["data", "add", str(path), "--observed-until", "2026-11-30"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(
        f"followon: error: {blocker / 'overlay' / 'nov'}: cannot write the overlay"
    )
    assert err.endswith("nothing was added. Set FOLLOWON_DATA_DIR to a writable folder.\n")
    assert err.count("\n") == 1
