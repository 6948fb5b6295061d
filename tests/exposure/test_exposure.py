"""Exposure tables against hand-worked cases, and one clear error per kind of bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.errors import DataError
from followon.exposure.covariates import covariate_from_spec

T = pd.Timestamp


def ev(rows: list[tuple[str, str, str | None, str | None]]) -> pd.DataFrame:
    """(event_id, type, date, end_date) → validated events."""
    frame = pd.DataFrame(
        [
            {
                "event_id": i,
                "type": t,
                "date": d,
                "end_date": e or "",
                "source": "test",
                "tags": tag,
            }
            for (i, t, d, e), tag in zip(rows, ["military"] * len(rows), strict=True)
        ]
    )
    return fo.validate_events(frame)


LAUNCH = "missile_launch"


def launches(*dates: str) -> list[tuple[str, str, str, None]]:
    return [(f"L{d}", LAUNCH, d, None) for d in dates]


def test_days_run_from_start_to_the_day_before_as_of_and_stop_at_observed_until() -> None:
    events = ev(launches("2020-01-02", "2020-01-05", "2020-01-09"))
    table = fo.build_exposure(
        events,
        fo.Outcome("l", LAUNCH),
        start="2020-01-01",
        as_of="2020-01-10",
        observed_until="2020-01-06",
    )
    assert table.end == T("2020-01-06")
    assert list(table.data["date"]) == list(pd.date_range("2020-01-01", "2020-01-06"))
    assert list(table.data["events"]) == [0, 1, 0, 0, 1, 0]  # 9 Jan is unobserved, not counted
    table = fo.build_exposure(
        events,
        fo.Outcome("l", LAUNCH),
        start="2020-01-01",
        as_of="2020-01-09",
        observed_until="2020-12-31",
    )
    assert table.end == T("2020-01-08") and table.data["events"].sum() == 2  # as_of excluded


def test_trigger_windows_with_overlapping_triggers() -> None:
    # triggers end 1 Jan and 4 Jan; bins 0-2 and 3-5 days after the end
    events = ev(
        [
            ("P1", "plenary_meeting", "2020-01-01", None),
            ("P2", "plenary_meeting", "2020-01-03", "2020-01-04"),
        ]
        + launches("2020-01-02")
    )
    latest = fo.TriggerWindows("plenary_meeting", cut_days=(0, 2, 5))
    anyone = fo.TriggerWindows("plenary_meeting", cut_days=(0, 2, 5), overlap="any", name="any")
    during = fo.TriggerWindows("plenary_meeting", cut_days=(0, 2, 5), during=True, name="dur")
    table = fo.build_exposure(
        events,
        fo.Outcome("l", LAUNCH),
        start="2020-01-01",
        as_of="2020-01-12",
        observed_until="2020-12-31",
        covariates=[latest, anyone, during],
    )
    d = table.data.set_index("date")
    # latest: 1-3 Jan count from P1 (lags 0,1,2 → bin 0-2); from 4 Jan P2 (lags 0..)
    assert list(d["plenary_meeting[0-2]"]) == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    assert list(d["plenary_meeting[3-5]"]) == [0, 0, 0, 0, 0, 0, 1, 1, 1, 0, 0]
    # any: 4 Jan is lag 3 of P1 (bin 3-5) and lag 0 of P2 (bin 0-2): both on
    assert list(d["any[0-2]"]) == [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0]
    assert list(d["any[3-5]"]) == [0, 0, 0, 1, 1, 1, 1, 1, 1, 0, 0]
    assert list(d["dur[during]"]) == [0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]  # 3 Jan, before P2 ends


def test_span_crossing_the_study_end_and_lead_lag() -> None:
    events = ev(
        launches("2020-01-01")
        + [
            ("S1", "summit", "2020-01-08", "2020-01-12"),
            ("X", "military_exercise", "2020-01-03", "2020-01-03"),
        ]
    )
    table = fo.build_exposure(
        events,
        fo.Outcome("l", LAUNCH),
        start="2020-01-01",
        as_of="2020-01-10",
        observed_until="2020-12-31",
        covariates=[fo.Spans("summit"), fo.Spans("military_exercise", lead_days=1, lag_days=2)],
    )
    d = table.data.set_index("date")
    assert list(d["summit[in_progress]"]) == [0] * 7 + [1, 1]  # runs past the table's end
    assert list(d["military_exercise[in_progress]"]) == [0, 1, 1, 1, 1, 0, 0, 0, 0]
    # the summit's last days are future days of the same span
    future = table.design(pd.date_range("2020-01-10", "2020-01-13"))
    assert list(future["summit[in_progress]"]) == [1, 1, 1, 0]


def test_self_excitation_builders() -> None:
    events = ev(launches("2020-01-02", "2020-01-04"))
    table = fo.build_exposure(
        events,
        fo.Outcome("l", LAUNCH),
        start="2020-01-01",
        as_of="2020-01-09",
        observed_until="2020-12-31",
        covariates=[fo.DaysSinceLast(cut_days=(0, 1, 3)), fo.Excitation(decay_days=2.0)],
    )
    d = table.data.set_index("date")
    # day:      1  2  3  4  5  6  7  8 ; days since the last event strictly before: -,-,1,2,1,2,3,4
    assert list(d["since_last[1-1]"]) == [0, 0, 1, 0, 1, 0, 0, 0]
    assert list(d["since_last[2-3]"]) == [0, 0, 0, 1, 0, 1, 1, 0]
    q = np.exp(-1 / 2.0)
    expected = [0, 0, q, q**2, q**3 + q, q**4 + q**2, q**5 + q**3, q**6 + q**4]
    np.testing.assert_allclose(d["excitation[2d]"], expected)


def test_recent_rate_is_the_log_count_of_the_window() -> None:
    events = ev(launches("2020-01-02", "2020-01-04", "2020-01-05"))
    table = fo.build_exposure(
        events,
        fo.Outcome("l", LAUNCH),
        start="2020-01-01",
        as_of="2020-01-09",
        observed_until="2020-12-31",
        covariates=[fo.RecentRate(window_days=2)],
    )
    d = table.data.set_index("date")
    # day:              1  2  3  4  5  6  7  8 ; events on days 2, 4, 5; count in [d-2, d-1]
    counts = np.array([0, 0, 1, 1, 1, 2, 1, 0])
    np.testing.assert_allclose(d["recent[2d]"], np.log1p(counts))
    # the forecast's future days: old events drop out of the window, none come in
    future = table.design(pd.date_range("2020-01-09", "2020-01-10"))
    np.testing.assert_allclose(future["recent[2d]"], [0.0, 0.0])
    with pytest.raises(DataError, match="window_days must be a whole number ≥ 1, not 0"):
        fo.RecentRate(window_days=0)


def test_a_covariate_without_events_is_refused_unless_told_otherwise() -> None:
    events = ev(launches("2020-01-02", "2020-01-04"))
    kwargs = dict(
        start="2020-01-01",
        as_of="2020-01-09",
        observed_until="2020-12-31",
        covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))],
    )
    with pytest.raises(DataError, match="no plenary_meeting events"):
        fo.build_exposure(events, fo.Outcome("l", LAUNCH), **kwargs)
    table = fo.build_exposure(events, fo.Outcome("l", LAUNCH), check_covariates=False, **kwargs)
    assert (table.data["plenary_meeting[0-30]"] == 0).all()


def test_season_and_era() -> None:
    events = ev(launches("2020-03-31"))
    table = fo.build_exposure(
        events,
        fo.Outcome("l", LAUNCH),
        start="2020-03-30",
        as_of="2020-04-03",
        observed_until="2020-12-31",
        covariates=[fo.Season("quarter"), fo.Era("moratorium", "2020-04-01", "2020-04-30")],
    )
    d = table.data.set_index("date")
    assert list(d["quarter[Q2]"]) == [0, 0, 1, 1]
    assert list(d["moratorium"]) == [0, 0, 1, 1]


def test_outcome_filters_and_counting() -> None:
    frame = pd.DataFrame(
        [
            {
                "event_id": "a",
                "type": LAUNCH,
                "date": "2020-01-01",
                "subtype": "ICBM",
                "classes": "ICBM;SRBM",
                "count": 3,
                "source": "x",
            },
            {
                "event_id": "b",
                "type": LAUNCH,
                "date": "2020-01-02",
                "subtype": "SRBM",
                "classes": "SRBM",
                "count": "",
                "source": "x",
            },
            {"event_id": "c", "type": "balloon_launch", "date": "2020-01-02", "source": "x"},
            {"event_id": "d", "type": "balloon_launch", "date": "2020-01-02", "source": "x"},
        ]
    )
    events = fo.validate_events(frame)
    assert list(fo.Outcome("s", LAUNCH, subtype=["SRBM"]).daily_counts(events)) == [1, 1]
    assert list(fo.Outcome("i", LAUNCH, subtype=["ICBM"]).daily_counts(events)) == [1]
    assert list(fo.Outcome("m", LAUNCH, count="missiles").daily_counts(events)) == [3, 1]
    assert list(fo.Outcome("b", "balloon_launch", count="events").daily_counts(events)) == [2]
    assert list(fo.Outcome("b", "balloon_launch").daily_counts(events)) == [1]
    assert fo.Outcome("i", LAUNCH, subtype=["ICBM"]).describe() == (
        "missile_launch with class in ICBM, counted as days"
    )


def test_collapse_keeps_the_likelihood() -> None:
    events = fo.load_events()
    table = fo.build_exposure(
        events,
        fo.Outcome("any", LAUNCH),
        start="2014-01-01",
        as_of="2020-01-01",
        covariates=[
            fo.TriggerWindows("plenary_meeting", (0, 30, 90)),
            fo.Season("quarter"),
            fo.DaysSinceLast((0, 7, 30)),
        ],
    )
    collapsed = table.collapsed()
    assert len(collapsed) < 100 < len(table.data)
    assert collapsed["events"].sum() == table.data["events"].sum()
    assert collapsed["exposure"].sum() == len(table.data)
    names = table.covariate_names
    rng = np.random.default_rng(3)

    def loglik(frame: pd.DataFrame, lam0: float, beta: np.ndarray) -> float:
        mu = frame["exposure"].to_numpy() * lam0 * np.exp(frame[names].to_numpy() @ beta)
        y = frame["events"].to_numpy()
        return float(np.sum(y * np.log(mu) - mu))  # up to the parameter-free term

    diffs = [
        loglik(table.data, lam, beta) - loglik(collapsed, lam, beta)
        for lam, beta in ((rng.gamma(2, 0.02), rng.normal(0, 1, len(names))) for _ in range(5))
    ]
    np.testing.assert_allclose(diffs, diffs[0], atol=1e-8)


def test_covariate_specs_roundtrip() -> None:
    for cov in [
        fo.TriggerWindows("summit", (0, 7, 30), tags=("china",), overlap="any"),
        fo.Spans("military_exercise", lead_days=3),
        fo.DaysSinceLast(),
        fo.Excitation(10.0),
        fo.Season("month"),
        fo.Era("moratorium", "2018-04-21", "2019-12-31"),
    ]:
        assert covariate_from_spec(cov.spec()) == cov


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (
            lambda e: fo.build_exposure(
                e,
                fo.Outcome("icbm", LAUNCH, subtype=["ICBM"]),
                start="2018-06-01",
                as_of="2019-01-01",
            ),
            "outcome 'icbm' (missile_launch with class in ICBM, counted as days) matches no events "
            "between 2018-06-01 and 2018-12-31; check the type, subtype and filters, or widen the window.",
        ),
        (
            lambda e: fo.build_exposure(
                e, fo.Outcome("any", LAUNCH), start="2020-01-01", as_of="2019-01-01"
            ),
            "as_of 2019-01-01 is not after start 2020-01-01; the study window runs from start to the day before as_of.",
        ),
        (
            lambda e: fo.TriggerWindows("plenum_meeting"),
            "trigger windows 'plenum_meeting': unknown event type 'plenum_meeting' (did you mean "
            "'plenary_meeting'?); allowed: missile_launch, nuclear_test, satellite_launch, balloon_launch, "
            "summit, party_congress, plenary_meeting, politburo_meeting, military_exercise.",
        ),
        (
            lambda e: fo.build_exposure(
                e,
                fo.Outcome("any", LAUNCH),
                start="2014-01-01",
                as_of="2020-01-01",
                covariates=[fo.TriggerWindows("summit", tags=("france",))],
            ),
            "covariate 'summit|france': no summit events tagged france in the event history; check the type, tags and filters.",
        ),
        (
            lambda e: fo.TriggerWindows("summit", cut_days=(30, 7)),
            "summit: cut_days must be at least two increasing whole numbers of days (e.g. [0, 7, 30, 60, 90]), not [30, 7].",
        ),
        (
            lambda e: fo.Outcome("x", "missile_launch", subtype=["ICMB"]),
            "outcome 'x': unknown missile class 'ICMB' (did you mean 'ICBM'?); allowed: ICBM, IRBM, HGV, MRBM, SLBM, SRBM, cruise, MLRS, unknown.",
        ),
    ],
)
def test_bad_input(call, message: str) -> None:
    with pytest.raises(DataError) as info:
        call(fo.load_events())
    assert str(info.value) == message


def test_trend_is_centred_and_held_flat_beyond_the_data() -> None:
    events = fo.load_events()
    trend = fo.Trend("2012-01-01", "2019-12-31", df=4)
    table = fo.build_exposure(
        events,
        fo.Outcome("any", LAUNCH),
        start="2012-01-01",
        as_of="2020-01-01",
        covariates=[trend],
    )
    np.testing.assert_allclose(table.data[trend.columns()].mean(), 0.0, atol=1e-12)
    future = table.design(pd.date_range("2020-01-01", "2021-06-30"))
    last = table.data[trend.columns()].iloc[-1].to_numpy()
    np.testing.assert_allclose(future.to_numpy(), np.tile(last, (len(future), 1)))
    assert covariate_from_spec(trend.spec()) == trend
    with pytest.raises(DataError, match="trend: end 2012-01-01 must be after start 2019-12-31"):
        fo.Trend("2019-12-31", "2012-01-01")
