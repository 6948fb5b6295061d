"""The bundled catalog: validated, sourced, and pinned to facts a reader can check."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

import followon as fo
from followon.errors import DataError
from followon.events.catalog import catalog_path

T = pd.Timestamp


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return fo.load_events()


def test_schema_and_order(events: pd.DataFrame) -> None:
    for col in [
        "event_id",
        "type",
        "subtype",
        "date",
        "end_date",
        "count",
        "outcome",
        "source",
        "source_url",
        "provisional",
    ]:
        assert col in events.columns
    assert events["date"].dtype == "datetime64[ns]"
    assert events["end_date"].dtype == "datetime64[ns]"
    assert events["event_id"].is_unique
    assert events["date"].is_monotonic_increasing
    assert set(events["type"]) == set(fo.EVENT_TYPES)


def test_every_row_has_a_source_and_a_page(events: pd.DataFrame) -> None:
    assert events["source"].notna().all()
    missing = events[events["source_url"].isna() | ~events["source_url"].str.startswith("http")]
    assert missing.empty, missing[["event_id", "source"]]


def test_no_free_text_from_cns_or_csis(events: pd.DataFrame) -> None:
    assert not {"description", "notes", "Additional Information"} & set(events.columns)
    # facts are short: names, dates, links; no column holds prose
    links = [c for c in events.columns if c.endswith("_url")]  # source_url, csis_url, class_url
    text = events.drop(columns=[*links, "names", "sites"]).astype(str)
    longest = text.apply(lambda c: c.str.len().max())
    assert longest.max() < 90, longest.sort_values().tail(3)


def test_missile_launch_days(events: pd.DataFrame) -> None:
    ml = events[events["type"] == "missile_launch"]
    assert ml["date"].is_unique  # launch days, not missiles
    assert set(ml["subtype"]) <= set(fo.MISSILE_CLASSES)
    cns = ml[ml["source"].str.contains("cns")]
    y2022 = cns[cns["date"].dt.year == 2022]
    # CNS recorded 34 distinct (UTC) dates in 2022; in Korean time two of them fall on 3 Nov
    recorded = {d for ds in y2022["cns_date"] for d in ds.split(";") if d.startswith("2022")}
    assert len(recorded) == 34
    assert len(y2022) == 33
    assert ml[ml["date"].dt.year == 2022].shape[0] == 37  # with CSIS-only (cruise, ...) days
    day = ml.set_index("event_id").loc["ML-2024-05-30"]
    assert day["count"] == 18  # one launch day, 18 missiles
    assert ml["count"].sum() > len(ml)


def test_dates_settled_from_cited_pages(events: pd.DataFrame) -> None:
    by_id = events.set_index("event_id")
    # Chollima-1: 21:28 UTC on 30 May = 06:27 KST on 31 May (CSIS carries the US date)
    assert by_id.loc["SAT-2023-05-31", "date_rule"] == "sourced_override"
    assert "SAT-2023-05-30" not in by_id.index
    # KN-23 pair at 05:24 / 05:36 KST on 6 Aug 2019 (CNS and CSIS both say 5 Aug)
    assert by_id.loc["ML-2019-08-06", "cns_date"] == "2019-08-05"
    # Hwasong-12: CNS already carried the Korean date with a UTC time of the day before
    assert by_id.loc["ML-2017-05-14", "subtype"] == "IRBM"


def test_first_icbm_after_the_politburo_meeting(events: pd.DataFrame) -> None:
    icbm = events[(events["type"] == "missile_launch") & (events["subtype"] == "ICBM")]
    after = icbm[icbm["date"] > T("2022-01-19")]
    # 27 Feb and 5 Mar 2022: CNS left the class unknown; ROK/US later said both tested the new
    # Hwasong-17 ICBM system (data/curated/launch_class_checks.csv), +39 and +45 days
    assert [f"{d:%Y-%m-%d}" for d in after["date"].iloc[:4]] == [
        "2022-02-27",
        "2022-03-05",
        "2022-03-16",  # failed Hwasong-17, +56 days
        "2022-03-24",  # +64 days
    ]


def test_nuclear_tests(events: pd.DataFrame) -> None:
    nt = events[events["type"] == "nuclear_test"]
    assert [f"{d:%Y-%m-%d}" for d in nt["date"]] == [
        "2006-10-09",
        "2009-05-25",
        "2013-02-12",
        "2016-01-06",
        "2016-09-09",
        "2017-09-03",
    ]
    assert list(nt["utc_time"])[-1] == "03:30:01"
    assert float(nt["yield_kt"].iloc[-1]) == pytest.approx(109.4)


def test_balloon_rounds(events: pd.DataFrame) -> None:
    b = events[events["type"] == "balloon_launch"]
    assert len(b) == 32
    assert b["date"].min() == T("2024-05-28") and b["date"].max() == T("2024-11-28")
    assert sorted(b["jcs_round"].astype(int)) == list(range(1, 33))
    # no launches across Putin's visit: round 5 was on 9 Jun... next after the visit on 24 Jun
    between = b[(b["date"] > T("2024-06-10")) & (b["date"] < T("2024-06-24"))]
    assert between.empty


def test_meetings(events: pd.DataFrame) -> None:
    m = events.set_index("event_id")
    assert m.loc["WPK-CC8-PB6", "date"] == T("2022-01-19")
    assert "military" in m.loc["WPK-CC8-PB6", "tags"]
    assert (m.loc["WPK-CC8-P10", "date"], m.loc["WPK-CC8-P10", "end_date"]) == (
        T("2024-06-28"),
        T("2024-07-01"),
    )
    plenums = events[events["type"] == "plenary_meeting"]
    cc8 = plenums[plenums["cc_term"] == "8"]
    assert sorted(cc8["number"].astype(int)) == list(range(1, 14))
    cc7 = plenums[plenums["cc_term"] == "7"]
    assert sorted(cc7["number"].astype(int)) == list(range(1, 7))
    pb = events[(events["type"] == "politburo_meeting") & (events["cc_term"] == "8")]
    numbered = sorted(pb["number"].dropna().astype(int))
    assert numbered == [1, 2, 3, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 19, 20, 22, 27]
    assert pb["number"].isna().sum() == 4  # the May 2022 consultative meetings (COVID)
    congresses = events[events["type"] == "party_congress"]
    assert list(congresses["number"]) == ["7", "8", "9"]
    spans = events[events["type"].isin(["party_congress", "plenary_meeting", "summit"])]
    assert spans["end_date"].notna().all()
    assert (spans["end_date"] >= spans["date"]).all()


def test_summits(events: pd.DataFrame) -> None:
    s = events[events["type"] == "summit"].set_index("event_id")
    putin = s.loc["KJU-PUTIN-2024-06"]
    assert putin["date"] == T("2024-06-19")
    major = s[s["counterpart_country"].isin(["China", "South Korea", "United States", "Russia"])]
    assert len(major) == 16
    assert (major["date"] >= T("2018-03-01")).all() and (major["date"] <= T("2025-12-31")).all()


def test_exercises_cover_every_year(events: pd.DataFrame) -> None:
    ex = events[events["type"] == "military_exercise"]
    years = set(ex["date"].dt.year)
    assert set(range(2012, 2027)) <= years
    assert (ex["end_date"] >= ex["date"]).all()


def test_filters_and_errors() -> None:
    ml = fo.load_events("missile_launch", start="2022-01-01", end="2022-12-31")
    assert set(ml["type"]) == {"missile_launch"} and len(ml) == 37
    confirmed = fo.load_events(["missile_launch"], include_provisional=False)
    assert not confirmed["provisional"].any()
    with pytest.raises(DataError) as info:
        fo.load_events("missle_launch")
    assert str(info.value).startswith(
        "load_events: unknown type 'missle_launch' (did you mean 'missile_launch'?); allowed: "
    )


def test_manifest_matches_files() -> None:
    manifest = fo.load_manifest()
    root = catalog_path()
    total = 0
    for table in manifest["tables"]:
        raw = root.joinpath(table["file"]).read_bytes()
        assert hashlib.sha256(raw).hexdigest() == table["sha256"]
        assert raw.count(b"\n") - 1 == table["rows"]
        assert table["observed_until"] and table["attribution"] and table["licence"]
        total += table["rows"]
    assert total == len(fo.load_events())
    until = fo.observed_until_by_producer()
    assert until["cns"] == T("2026-04-18") and until["csis"] == T("2026-08-20")
    json.dumps(manifest)  # plain JSON
