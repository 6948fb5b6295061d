"""Launch days in Korean time: the date rule, aggregation and CNS/CSIS merging, hand-worked."""

from __future__ import annotations

import pandas as pd
import pytest

from followon.events.launches import (
    aggregate_launch_days,
    classify_csis_event,
    parse_missile_count,
)
from followon.events.schema import validate_events

T = pd.Timestamp


def missiles(*rows: tuple[str, str | None, str], outcome: str = "success") -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"date": T(d), "utc_time": t, "class": c, "name": f"m-{c}", "outcome": outcome}
            for d, t, c in rows
        ]
    )


def csis(*rows: tuple[str, str, str], count: int | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {"date": T(d), "type": k, "class": c, "count": count, "url": f"https://x/{d}"}
            for d, k, c in rows
        ]
    )


def one(days: pd.DataFrame) -> dict[str, object]:
    assert len(days) == 1, days
    return days.iloc[0].to_dict()


def test_morning_utc_time_stays_on_the_recorded_date() -> None:
    days, _ = aggregate_launch_days(missiles(("2022-03-24", "05:34", "ICBM")))
    row = one(days)
    assert row["date"] == "2022-03-24"
    assert row["date_rule"] == "utc_time"


def test_evening_utc_time_moves_to_next_korean_day_when_csis_agrees() -> None:
    # 2023-03-15 22:09 UTC = 2023-03-16 07:09 KST (Hwasong-17)
    days, _ = aggregate_launch_days(
        missiles(("2023-03-15", "22:09", "ICBM")),
        csis(("2023-03-16", "missile_launch", "ICBM")),
    )
    row = one(days)
    assert (row["date"], row["date_rule"]) == ("2023-03-16", "utc_time_csis_agrees")
    assert (row["cns_date"], row["csis_date"]) == ("2023-03-15", "2023-03-16")
    assert row["source"] == "cns+csis"


def test_row_already_on_korean_date_is_kept_when_csis_has_that_date() -> None:
    # Hwasong-12: recorded 2017-05-14 with 20:28 UTC, launched 05:28 KST on 14 May
    days, _ = aggregate_launch_days(
        missiles(("2017-05-14", "20:28", "IRBM")),
        csis(("2017-05-14", "missile_launch", "IRBM")),
    )
    assert (one(days)["date"], one(days)["date_rule"]) == ("2017-05-14", "cns_date_was_kst")


def test_evening_utc_time_without_csis_follows_the_utc_convention() -> None:
    days, _ = aggregate_launch_days(missiles(("2020-01-01", "15:00", "SRBM")))
    assert (one(days)["date"], one(days)["date_rule"]) == ("2020-01-02", "utc_time")


@pytest.mark.parametrize(
    ("csis_date", "expected", "rule"),
    [
        ("2015-03-01", "2015-03-01", "untimed_csis_agrees"),
        ("2015-03-02", "2015-03-02", "untimed_csis_next_day"),
        (None, "2015-03-01", "untimed_cns_date"),
    ],
)
def test_untimed_rows(csis_date: str | None, expected: str, rule: str) -> None:
    other = csis((csis_date, "missile_launch", "SRBM")) if csis_date else None
    days, _ = aggregate_launch_days(missiles(("2015-03-01", None, "SRBM")), other)
    assert (one(days)["date"], one(days)["date_rule"]) == (expected, rule)


def test_sourced_override_beats_the_rule() -> None:
    days, report = aggregate_launch_days(
        missiles(("2023-05-30", "21:28", "SLV")),
        csis(("2023-05-30", "satellite_launch", "SLV")),
        date_overrides={("satellite_launch", T("2023-05-30")): T("2023-05-31")},
    )
    row = one(days)
    assert (row["event_id"], row["date_rule"]) == ("SAT-2023-05-31", "sourced_override")
    assert report["rule_sourced_override"] == 1


def test_salvo_becomes_one_day_with_count_classes_and_most_severe_subtype() -> None:
    days, _ = aggregate_launch_days(
        missiles(
            ("2022-11-02", "23:00", "SRBM"),
            ("2022-11-02", "22:40", "ICBM"),
            ("2022-11-03", "01:00", "unknown"),
        )
    )
    row = one(days)
    assert row["event_id"] == "ML-2022-11-03"
    assert row["count"] == "3"
    assert row["subtype"] == "ICBM"
    assert row["classes"] == "ICBM;SRBM;unknown"
    assert row["cns_date"] == "2022-11-02;2022-11-03"
    assert row["utc_time"] == "01:00;22:40;23:00"


@pytest.mark.parametrize(
    ("outcomes", "expected"),
    [
        (["success", "success"], "success"),
        (["failure"], "failure"),
        (["success", "failure"], "mixed"),
        (["unknown", "unknown"], "unknown"),
        (["success", "unknown"], "success"),
    ],
)
def test_day_outcome(outcomes: list[str], expected: str) -> None:
    frame = pd.concat(
        [missiles(("2021-01-01", "01:00", "SRBM"), outcome=o) for o in outcomes], ignore_index=True
    )
    days, _ = aggregate_launch_days(frame)
    assert one(days)["outcome"] == expected


def test_csis_adds_cruise_to_a_cns_day_but_not_its_own_label_for_the_same_missiles() -> None:
    days, _ = aggregate_launch_days(
        missiles(("2022-01-11", "22:27", "MRBM")),
        csis(("2022-01-12", "missile_launch", "SRBM"), ("2022-01-12", "missile_launch", "cruise")),
    )
    row = one(days)
    assert row["classes"] == "MRBM;cruise"
    assert row["subtype"] == "MRBM"
    assert row["count"] == "1"  # CNS counts ballistic missiles only; CSIS's count kept apart


def test_csis_only_days_and_one_day_off_merge() -> None:
    days, report = aggregate_launch_days(
        missiles(("2019-05-04", "01:54", "SRBM")),
        pd.concat(
            [
                csis(("2019-05-05", "missile_launch", "unknown")),  # one day off, merged
                csis(("2019-05-05", "missile_launch", "cruise"), count=2),  # own day
                csis(("2019-06-01", "missile_launch", "MLRS"), count=4),  # own day
            ],
            ignore_index=True,
        ),
    )
    assert list(days["event_id"]) == ["ML-2019-05-04", "ML-2019-05-05", "ML-2019-06-01"]
    merged, cruise, mlrs = (days.iloc[i].to_dict() for i in range(3))
    assert (merged["source"], merged["csis_date"]) == ("cns+csis", "2019-05-05")
    assert (cruise["source"], cruise["subtype"], cruise["count"]) == ("csis", "cruise", "2")
    assert (mlrs["subtype"], mlrs["count"], mlrs["outcome"]) == ("MLRS", "4", "unknown")
    assert report["csis_merged_one_day_off"] == 1
    assert report["csis_only_events"] == 2


def test_csis_missile_row_on_a_satellite_day_is_the_same_rocket() -> None:
    days, report = aggregate_launch_days(
        missiles(("2012-12-12", None, "SLV")),
        csis(("2012-12-12", "missile_launch", "unknown")),
    )
    row = one(days)
    assert (row["event_id"], row["type"], row["source"]) == (
        "SAT-2012-12-12",
        "satellite_launch",
        "cns+csis",
    )
    assert report["csis_missile_row_on_satellite_day"] == 1


def test_provisional_after_and_validation() -> None:
    days, _ = aggregate_launch_days(
        missiles(("2024-12-31", "01:00", "SRBM"), ("2025-01-06", "03:01", "IRBM")),
        provisional_after=T("2024-12-31"),
    )
    events = validate_events(days)
    assert list(events["provisional"]) == [False, True]
    assert list(events["subtype"]) == ["SRBM", "IRBM"]


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Short-range Ballistic Missile Launch", ("missile_launch", "SRBM")),
        ("Short-range Missile Launch", ("missile_launch", "SRBM")),
        ("Intercontinental Ballistic Missile", ("missile_launch", "ICBM")),
        ("Intercontinental ballistic missile & SRBM", ("missile_launch", "ICBM")),
        ("Intermediate-range Ballistic Missile Launch", ("missile_launch", "IRBM")),
        ("Submarine Launched Ballistic Missile Launch", ("missile_launch", "SLBM")),
        ("Strategic cruise missile", ("missile_launch", "cruise")),
        ("Anti-Ship Cruise Missile Launch", ("missile_launch", "cruise")),
        ("Multiple Lanuch Rocket System (MLRS) Test", ("missile_launch", "MLRS")),
        ("Ballistic Missile Launch (type unknown)", ("missile_launch", "unknown")),
        ("Satellite Launch (Other Provocation)", ("satellite_launch", "SLV")),
        ("Nuclear Test", ("nuclear_test", None)),
        ("Balloon-floating Trash", ("balloon_launch", None)),
        ("Artillery Fire", None),
        ("Long-range Surface-to-Air Missile Launch", None),
        ("Anti-aircraft Missile Launch", None),
        ("Rocket Engine Test", None),
    ],
)
def test_classify_csis_event(label: str, expected: tuple[str, str | None] | None) -> None:
    assert classify_csis_event(label) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("North Korea fired two short-range ballistic missiles into the sea", 2),
        ("North Korea fired around 10 short-range ballistic missiles toward the sea", 10),
        ("North Korea launched a ballistic missile on Monday", 1),
        ("North Korea fired what appeared to be three cruise missiles", 3),
        ("North Korea fired several cruise missiles", None),
        ("North Korea conducted an artillery drill", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_missile_count(text: str | None, expected: int | None) -> None:
    assert parse_missile_count(text) == expected
