"""CSIS-only launch days checked against dated pages: facts a reader can check, and the build rule.

The bundled catalog is read through ``followon.load_events``; the build rule (a CSIS-only launch
day must rest on a checked CSIS row) is exercised on a tiny synthetic CSIS file.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pytest

import followon as fo
from tests.conftest import REPO

T = pd.Timestamp


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return fo.load_events()


@pytest.fixture(scope="module")
def missiles(events: pd.DataFrame) -> pd.DataFrame:
    return events[events["type"] == "missile_launch"].set_index("event_id")


def test_cruise_launch_of_2_september_2023_is_on_its_korean_date(missiles: pd.DataFrame) -> None:
    # KCNA: two long-range cruise missiles "at dawn of 2 September"; CSIS dated the row 1 Sep
    day = missiles.loc["ML-2023-09-02"]
    assert (day["classes"], day["source"], day["date_rule"]) == ("cruise", "csis", "csis_verified")
    assert day["csis_date"] == "2023-09-01"  # what CSIS recorded
    assert "ML-2023-09-01" not in missiles.index


def test_rows_that_were_not_launch_days_are_gone(missiles: pd.DataFrame) -> None:
    # 31 May 2024: KCNA's report of the 18-round KN-25 salvo of 30 May (one launch day)
    assert "ML-2024-05-31" not in missiles.index
    assert missiles.loc["ML-2024-05-30", "count"] == 18
    # 4 Aug 2024: a ceremony handing over launchers, nothing fired
    assert "ML-2024-08-04" not in missiles.index
    # 10 May and 28 Aug 2024: 240 mm rockets, out of scope
    assert {"ML-2024-05-10", "ML-2024-08-28"}.isdisjoint(missiles.index)


def test_2022_01_25_was_cruise(missiles: pd.DataFrame) -> None:
    # CSIS labelled it a short-range missile launch; JCS and KCNA: two cruise missiles
    day = missiles.loc["ML-2022-01-25"]
    assert (day["subtype"], day["classes"], day["count"]) == ("cruise", "cruise", 2)


def test_launch_days_in_2024(missiles: pd.DataFrame) -> None:
    y2024 = missiles[missiles["date"].dt.year == 2024]
    # 18 = 11 CNS launch days (CNS's 12 dates minus 27 May, the failed Malligyong-1-1 space
    # launch) + 7 CSIS-only days: cruise missiles on 24, 28 and 30 Jan, 2 and 14 Feb and 19 Apr
    # (the 19 Apr cruise warhead test CSIS filed as an anti-aircraft launch), and the SRBMs of
    # 17 May. Left out: 10 May and 28 Aug (240 mm rockets), 31 May (report day of 30 May),
    # 4 Aug (launcher hand-over), 27 May (the space launch, in satellite_launches.csv).
    assert len(y2024) == 18
    assert (y2024["source"].str.contains("cns")).sum() == 11
    csis_only = y2024[y2024["source"] == "csis"]
    assert [f"{d:%m-%d}" for d in csis_only["date"]] == [
        "01-24",
        "01-28",
        "01-30",
        "02-02",
        "02-14",
        "04-19",
        "05-17",
    ]


def test_a_space_launch_is_not_also_a_missile_day(events: pd.DataFrame) -> None:
    ml = set(events.loc[events["type"] == "missile_launch", "date"])
    sat = set(events.loc[events["type"] == "satellite_launch", "date"])
    # 5 Jul 2006: the Taepodong-2 and six Scud/Nodong missiles, each dated by its own page
    assert ml & sat == {T("2006-07-05")}
    sat_2024 = events[(events["type"] == "satellite_launch") & (events["date"] == "2024-05-27")]
    assert sat_2024["source"].tolist() == ["cns+csis"]  # CNS's "unknown missile" was the rocket
    assert T("2022-12-18") not in sat  # KCNA's satellite-component test: the two MRBMs that day


def test_every_csis_only_missile_day_was_verified(missiles: pd.DataFrame) -> None:
    csis_only = missiles[missiles["source"] == "csis"]
    assert len(csis_only) > 50
    assert set(csis_only["date_rule"]) == {"csis_verified"}
    assert csis_only["source_url"].str.startswith("http").all()
    assert csis_only["csis_url"].notna().all()  # the producer's link is kept beside it


def test_kn25_is_srbm_not_mlrs(missiles: pd.DataFrame) -> None:
    # the scope rule: KN-25 (600 mm) is SRBM, as CNS classes it, on CNS and CSIS-only days
    for day in ("ML-2019-08-24", "ML-2019-09-10", "ML-2023-01-01"):
        assert missiles.loc[day, "classes"] == "SRBM", day


def test_icbm_days_settled_by_class_checks(missiles: pd.DataFrame) -> None:
    for day in ("ML-2022-05-25", "ML-2022-11-03"):
        assert missiles.loc[day, "subtype"] == "ICBM"
        assert missiles.loc[day, "classes"] == "ICBM;SRBM"
        assert str(missiles.loc[day, "class_url"]).startswith("http")


def test_first_plenum_of_the_9th_central_committee(events: pd.DataFrame) -> None:
    row = events.set_index("event_id").loc["WPK-CC9-P1"]
    assert row["type"] == "plenary_meeting"
    assert row["date"] == T("2026-02-23")  # during the 9th Congress (19-25 Feb 2026)


# ---------------------------------------------------------------- the build rule, synthetic


@pytest.fixture(scope="module")
def build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("followon_data_build", REPO / "data" / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


CHECK_HEADER = (
    "csis_row,csis_date,csis_event,action,kst_date,classes,count,source_url,verification,"
    "drop_reason,evidence\n"
)


@pytest.fixture
def csis_file(tmp_path: Path) -> Path:
    path = tmp_path / "csis.csv"
    path.write_text(
        "date,type,event,description,resources\n"
        "2030-01-20,Missile Provocation,Short-range Ballistic Missile Launch,"
        "fired two short-range ballistic missiles,https://csis.example/2\n"
        "2030-01-10,Missile Provocation,Strategic cruise missile,"
        "fired two cruise missiles,https://csis.example/1\n"
        "2030-01-05,Missile Provocation,Artillery Fire,shells,https://csis.example/3\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def cns() -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "date": T("2030-02-01"),
                "utc_time": "01:00",
                "class": "SRBM",
                "name": "KN-23",
                "outcome": "success",
                "site": "",
            }
        ]
    )


def assemble(
    build: ModuleType, csis_file: Path, cns: pd.DataFrame, tmp_path: Path, checks: str
) -> pd.DataFrame:
    path = tmp_path / "checks.csv"
    path.write_text(CHECK_HEADER + checks, encoding="utf-8")
    report: dict[str, object] = {}
    missile, _ = build.assemble_launches(
        csis_file,
        cns,
        report,
        checks_path=path,
        class_checks_path=tmp_path / "no-class-checks.csv",
    )
    return missile.set_index("event_id")


def test_build_fails_on_a_csis_only_row_without_a_check(
    build: ModuleType, csis_file: Path, cns: pd.DataFrame, tmp_path: Path
) -> None:
    checks = "1,2030-01-20,Short-range Ballistic Missile Launch,drop,,,,,,no_page_found,x\n"
    with pytest.raises(build.BuildError) as err:
        assemble(build, csis_file, cns, tmp_path, checks)
    message = str(err.value)
    assert "nobody has verified" in message and "csis_launch_checks.csv" in message
    assert "csis_row 2 (2030-01-10, Strategic cruise missile)" in message
    assert "csis_row 1 " not in message


def test_drop_and_redate_checks(
    build: ModuleType, csis_file: Path, cns: pd.DataFrame, tmp_path: Path
) -> None:
    checks = (
        "1,2030-01-20,Short-range Ballistic Missile Launch,keep,2030-01-21,SRBM;cruise,3,"
        "https://page.example/21,confirmed_by_cited_page,,JCS: 21 Jan\n"
        "2,2030-01-10,Strategic cruise missile,drop,,,,,,no_page_found,nothing found\n"
    )
    days = assemble(build, csis_file, cns, tmp_path, checks)
    assert list(days.index) == ["ML-2030-01-21", "ML-2030-02-01"]
    day = days.loc["ML-2030-01-21"]
    assert (day["source"], day["date_rule"]) == ("csis", "csis_verified")
    assert (day["classes"], day["subtype"], day["count"]) == ("SRBM;cruise", "SRBM", "3")
    assert day["source_url"] == "https://page.example/21"
    assert (day["csis_date"], day["csis_url"], day["csis_count"]) == (
        "2030-01-20",
        "https://csis.example/2",
        "2",
    )


def test_a_redate_onto_a_cns_day_merges_and_an_out_of_scope_row_can_be_added(
    build: ModuleType, csis_file: Path, cns: pd.DataFrame, tmp_path: Path
) -> None:
    checks = (
        "1,2030-01-20,Short-range Ballistic Missile Launch,keep,2030-02-01,SRBM;cruise,,"
        "https://page.example/feb,reported_day_inferred,,KCNA: the previous day\n"
        "2,2030-01-10,Strategic cruise missile,drop,2030-02-01,,,,,report_day_duplicate,same\n"
        "3,2030-01-05,Artillery Fire,keep,2030-01-05,cruise,1,https://page.example/5,"
        "confirmed_by_cited_page,,a cruise missile flew too\n"
    )
    days = assemble(build, csis_file, cns, tmp_path, checks)
    assert list(days.index) == ["ML-2030-01-05", "ML-2030-02-01"]
    feb = days.loc["ML-2030-02-01"]
    assert (feb["source"], feb["classes"], feb["count"]) == ("cns+csis", "SRBM;cruise", "1")
    assert days.loc["ML-2030-01-05", "date_rule"] == "csis_verified"


def test_a_changed_csis_file_is_detected(
    build: ModuleType, csis_file: Path, cns: pd.DataFrame, tmp_path: Path
) -> None:
    # the checks were written when the cruise row was row 1; CSIS has since inserted a row
    checks = (
        "1,2030-01-10,Strategic cruise missile,drop,,,,,,no_page_found,x\n"
        "2,2030-01-20,Short-range Ballistic Missile Launch,drop,,,,,,no_page_found,x\n"
    )
    with pytest.raises(build.BuildError, match="that row is now row 2"):
        assemble(build, csis_file, cns, tmp_path, checks)
