"""Placebo triggers: dates away from real events, and a p-value that separates real effects."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.scenarios.placebo import placebo_events, placebo_p_value, placebo_summary
from tests.hazard.conftest import simulate_events

SCENARIO = """\
name: sim-placebo
question: Does a plenum raise the hazard of a launch within 30 days?
as_of: 2006-07-01
data: {file: events.csv, start: 2000-01-01, observed_until: 2006-07-01}
trigger: {type: plenary_meeting, date: 2006-06-01}
outcomes:
  - {id: launch, type: missile_launch}
horizons_days: [30]
hypotheses:
  - id: plenum
    triggers: [{type: plenary_meeting, cut_days: [0, 30]}]
    sampler: exact
  - id: politburo
    triggers: [{type: politburo_meeting, cut_days: [0, 30]}]
    sampler: exact
"""


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    # plenums every 120 days raise the hazard eightfold for 30 days; politburo meetings at
    # random days change nothing
    sim = simulate_events(2375, 0.006, trigger_every=120, window=30, hr_window=8.0, seed=21)
    rng = np.random.default_rng(5)
    days = np.sort(rng.choice(pd.date_range("2000-02-01", "2006-05-01"), 18, replace=False))
    decoy = pd.DataFrame(
        {
            "event_id": [f"B{i}" for i in range(len(days))],
            "type": "politburo_meeting",
            "date": days,
            "end_date": days + np.timedelta64(1, "D"),
            "source": "sim",
        }
    )
    return fo.validate_events(pd.concat([sim, decoy], ignore_index=True))


def test_placebo_dates_avoid_real_events_and_keep_count_and_duration(
    events: pd.DataFrame,
) -> None:
    start, end = pd.Timestamp("2000-01-01"), pd.Timestamp("2006-07-01")
    rng = np.random.default_rng(0)
    moved = placebo_events(
        events, ["politburo_meeting"], gap_days=30, start=start, end=end, rng=rng
    )
    real = events[events["type"] == "politburo_meeting"]
    fake = moved[moved["type"] == "politburo_meeting"]
    assert len(fake) == len(real) and fake["date"].is_unique
    assert ((fake["end_date"] - fake["date"]) == pd.Timedelta(days=1)).all()
    assert (fake["date"] >= start).all() and (fake["end_date"] <= end).all()
    for a, b in zip(fake["date"], fake["end_date"], strict=True):
        gap_after = (a - real["end_date"]).dt.days
        gap_before = (real["date"] - b).dt.days
        assert ((gap_after > 30) | (gap_before > 30)).all()
    others = moved[moved["type"] != "politburo_meeting"].reset_index(drop=True)
    keep = events[events["type"] != "politburo_meeting"].sort_values("date", kind="stable")
    pd.testing.assert_frame_equal(others, keep.reset_index(drop=True))
    again = placebo_events(
        events,
        ["politburo_meeting"],
        gap_days=30,
        start=start,
        end=end,
        rng=np.random.default_rng(0),
    )
    pd.testing.assert_frame_equal(moved, again)


def test_placebo_refuses_a_record_without_room(events: pd.DataFrame) -> None:
    with pytest.raises(
        fo.ScenarioError,
        match=r"^placebo: only 0 day\(s\) between 2000-01-01 and 2006-07-01 lie 120 days from "
        r"every real 'plenary_meeting' event, too few to place its 19 event\(s\); use a longer "
        r"record or shorter windows\.$",
    ):
        placebo_events(
            events,
            ["plenary_meeting"],
            gap_days=120,
            start=pd.Timestamp("2000-01-01"),
            end=pd.Timestamp("2006-07-01"),
            rng=np.random.default_rng(0),
        )


def test_placebo_p_value() -> None:
    assert placebo_p_value(0.2, np.array([0.1, 0.0, -0.1])) == 0.25
    assert placebo_p_value(0.0, np.array([0.1, 0.0, -0.1])) == 0.75
    assert placebo_p_value(0.05, np.array([0.1, np.nan, 0.0])) == 2 / 3
    runs = pd.DataFrame(
        {
            "hypothesis": "h",
            "outcome": "o",
            "horizon_days": 30,
            "replicate": range(4),
            "brier_skill": [0.0, 0.1, 0.2, 0.3],
            "log_skill": [0.0, 0.0, 0.0, 0.5],
        }
    )
    scores = pd.DataFrame(
        {
            "hypothesis": ["h"],
            "outcome": ["o"],
            "horizon_days": [30],
            "brier_skill": [0.25],
            "log_skill": [0.0],
        }
    )
    s = placebo_summary(runs, scores).set_index("score")
    assert s.loc["brier_skill", "p_value"] == 2 / 5 and s.loc["log_skill", "p_value"] == 1.0
    assert s.loc["brier_skill", "placebo_median"] == pytest.approx(0.15)
    assert s.loc["brier_skill", "placebo_high"] == pytest.approx(0.285)
    assert (s["n_placebo"] == 4).all()


def load(folder: Path, events: pd.DataFrame) -> fo.Scenario:
    out = events.copy()
    for col in ("date", "end_date"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(folder / "events.csv", index=False)
    (folder / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    return fo.load_scenario(folder / "scenario.yaml")


def test_placebo_runs_reach_the_result_and_the_report(tmp_path: Path, events: pd.DataFrame) -> None:
    scenario = load(tmp_path, events)
    origins = ["2003-01-01", "2004-01-01", "2005-01-01"]
    kw = {"n_jobs": 1, "progressbar": False, "draws": 100, "baselines": ("climatology",)}
    result = fo.backtest(
        scenario, origins=origins, at_triggers=False, random_seed=1, placebo=2, n_boot=50, **kw
    )
    runs = result.placebo
    assert list(runs.columns) == [
        "hypothesis",
        "outcome",
        "horizon_days",
        "replicate",
        "brier_skill",
        "log_skill",
    ]
    assert runs[["hypothesis", "replicate"]].values.tolist() == [
        ["plenum", 0],
        ["plenum", 1],
        ["politburo", 0],
        ["politburo", 1],
    ]
    summary = result.placebo_summary
    assert len(summary) == 4 and set(summary["score"]) == {"brier_skill", "log_skill"}
    assert summary["p_value"].isin([1 / 3, 2 / 3, 1.0]).all()
    real = result.scores.set_index("hypothesis").loc["plenum"]
    first = summary.set_index(["hypothesis", "score"]).loc[("plenum", "brier_skill")]
    assert first["real"] == real["brier_skill"]
    out = fo.write_backtest(result, tmp_path / "bt", figures=False)
    report = (out / "report.md").read_text()
    assert "## Placebo test" in report and "| plenum | launch | 30 d | brier skill |" in report
    assert len(pd.read_csv(out / "placebo.csv")) == 4
    record = json.loads((out / "backtest.json").read_text())
    assert record["placebo"]["n"] == 2 and len(record["placebo_summary"]) == 4
    assert {"brier_skill_low", "log_skill_high"} <= set(record["scores"][0])
    with pytest.raises(
        fo.ScenarioError, match=r"^placebo must be a whole number of replicates ≥ 0, not -1\.$"
    ):
        fo.backtest(scenario, origins=origins, at_triggers=False, placebo=-1, **kw)
    none = fo.backtest(scenario, origins=origins, at_triggers=False, **kw)
    assert none.placebo.empty and "placebo" not in none.meta


@pytest.mark.slow
def test_a_real_trigger_beats_its_placebos_and_a_decoy_does_not(
    tmp_path: Path, events: pd.DataFrame
) -> None:
    # about 300 exact refits: a minute on an idle core
    scenario = load(tmp_path, events)
    kw = {"n_jobs": 1, "progressbar": False, "draws": 200, "baselines": ("climatology",)}
    result = fo.backtest(scenario, random_seed=2, placebo=9, **kw)
    assert result.meta["origins"] == 16
    s = result.placebo_summary.set_index(["hypothesis", "score"])
    assert set(result.placebo["replicate"]) == set(range(9))
    # the plenum window beats every placebo: p = 1 / (1 + 9), the smallest possible
    assert s.loc[("plenum", "brier_skill"), "p_value"] == pytest.approx(0.1)
    assert (
        s.loc[("plenum", "brier_skill"), "real"] > s.loc[("plenum", "brier_skill"), "placebo_high"]
    )
    # random politburo meetings: the real dates are one placebo among others (p is uniform on
    # 0.1, 0.2, …, 1 under no effect; this seed gives 0.2: not the smallest value)
    assert s.loc[("politburo", "brier_skill"), "p_value"] >= 0.2
    meta = result.meta["placebo"]
    assert meta["hypotheses"] == ["plenum", "politburo"] and meta["gap_days"]["plenum"] == 30
    report = fo.write_backtest(result, tmp_path / "bt", figures=False) / "report.md"
    assert "## Placebo test" in report.read_text()
