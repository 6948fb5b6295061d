"""Backtests: origins, tables cut at each origin, baselines by hand, censoring, executors, CLI."""

from __future__ import annotations

import dataclasses
import math
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.cli import main
from followon.scenarios import backtest_origins
from followon.scenarios.backtest import _cut
from followon.scenarios.build import covariates_from_spec
from tests.hazard.conftest import simulate_events

SCENARIO = """\
name: sim-backtest
question: Does a plenum raise the hazard of a launch within 30 days?
as_of: 2009-12-02
data: {{file: events.csv, start: 2000-01-01, observed_until: {observed_until}}}
trigger: {{type: plenary_meeting, date: 2009-12-01}}
outcomes:
  - {{id: launch, type: missile_launch}}
horizons_days: [10, 30]
hypotheses:
  - id: steady
  - id: plenum
    triggers: [{{type: plenary_meeting, cut_days: [0, 30]}}]
    sampler: exact
  - id: clustering
    self_excitation: {{decay_days: 10}}
"""


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    # a strong plenum effect: HR 8 for 30 days after each plenum (every 120 days)
    return simulate_events(4000, 0.005, trigger_every=120, window=30, hr_window=8.0, seed=4)


def scenario_file(folder: Path, events: pd.DataFrame, observed_until: str = "2010-12-13") -> Path:
    out = events.copy()
    for col in ("date", "end_date"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(folder / "events.csv", index=False)
    path = folder / "scenario.yaml"
    path.write_text(SCENARIO.format(observed_until=observed_until), encoding="utf-8")
    return path


def quiet_end(events: pd.DataFrame) -> str:
    """The last day before the simulation's end with no launch in the 40 days up to it."""
    launches = events[events["type"] == "missile_launch"]["date"]
    for day in pd.date_range("2010-12-13", periods=400, freq="-1D"):
        if not ((launches > day - pd.Timedelta(days=40)) & (launches <= day)).any():
            return f"{day:%Y-%m-%d}"
    raise AssertionError("no quiet stretch")


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, events: pd.DataFrame) -> fo.Scenario:
    folder = tmp_path_factory.mktemp("bt")
    return fo.load_scenario(scenario_file(folder, events, observed_until=quiet_end(events)))


@pytest.fixture(scope="module")
def result(scenario: fo.Scenario) -> fo.BacktestResult:
    return fo.backtest(scenario, every_days=45, n_jobs=1, progressbar=False, random_seed=3)


def test_origins_follow_triggers_and_the_calendar(
    scenario: fo.Scenario, events: pd.DataFrame
) -> None:
    plenums = events[events["type"] == "plenary_meeting"]
    only = backtest_origins(scenario, events)
    expected = plenums["date"] + pd.Timedelta(days=1)
    expected = expected[expected >= pd.Timestamp("2001-01-01")]  # a year of training first
    assert only["origin_date"].tolist() == expected.tolist()
    assert only["trigger"].tolist() == plenums["event_id"].iloc[-len(expected) :].tolist()
    grid = backtest_origins(
        scenario, events, every_days=7, at_triggers=False, start="2005-01-01", end="2005-02-01"
    )
    assert grid["origin_date"].dt.strftime("%m-%d").tolist() == [
        "01-01",
        "01-08",
        "01-15",
        "01-22",
        "01-29",
    ]
    assert (grid["trigger"] == "").all()
    # a calendar origin on a trigger's origin day is one row, labelled with the trigger
    day = expected.iloc[3]
    both = backtest_origins(scenario, events, origins=[day], start=day, end=day)
    label = plenums.loc[expected.index[3], "event_id"]
    assert both.to_dict("records") == [{"origin_date": day, "trigger": label}]
    with pytest.raises(fo.ScenarioError, match="no backtest origins"):
        backtest_origins(scenario, events, at_triggers=False)


@pytest.mark.parametrize("origin", ["2003-05-17", "2008-02-29", "2010-12-14"])
def test_cut_table_equals_a_table_built_at_the_origin(
    scenario: fo.Scenario, events: pd.DataFrame, origin: str
) -> None:
    o = pd.Timestamp(origin)
    covs = [
        fo.TriggerWindows("plenary_meeting", cut_days=(0, 7, 30), overlap="any"),
        fo.Excitation(10.0),
        fo.DaysSinceLast((0, 7, 30)),
        fo.Season("quarter"),
        fo.Era("late", "2006-01-01", "2007-06-30"),
        *covariates_from_spec(scenario.hypotheses[1], scenario),
    ]
    covs[-1] = dataclasses.replace(covs[-1], name="plenum_b")
    kw = {"start": "2000-01-01", "observed_until": "2010-12-13", "require_events": False}
    out = fo.Outcome("launch", "missile_launch")
    full = fo.build_exposure(events, out, as_of="2011-01-01", covariates=covs, **kw)
    built = fo.build_exposure(events, out, as_of=o, covariates=covs, **kw)
    cut = _cut(full, o)
    pd.testing.assert_frame_equal(cut.data, built.data)
    pd.testing.assert_frame_equal(cut.events, built.events)
    assert (cut.end, cut.as_of) == (built.end, built.as_of)
    pd.testing.assert_series_equal(cut.history, built.history)


def test_forecast_rows_and_baselines_by_hand(
    result: fo.BacktestResult, events: pd.DataFrame
) -> None:
    f = result.forecasts
    assert list(f.columns) == list(fo.evaluation.BACKTEST_COLUMNS)
    hyps = ["steady", "plenum", "ml:plenum", "clustering", "ml:clustering"]
    assert list(dict.fromkeys(f["hypothesis"])) == [
        *hyps,
        "climatology",
        "recent_rate",
        "combined",
    ]
    assert len(f) == result.meta["origins"] * 8 * 2
    # climatology: the daily rate of launch days before the origin, as 1 − exp(−r H)
    origin = pd.Timestamp(f["origin_date"].unique()[40])
    row = f[(f["origin_date"] == origin) & (f["hypothesis"] == "climatology")]
    days = pd.date_range("2000-01-01", origin - pd.Timedelta(days=1))
    launch_days = events[(events["type"] == "missile_launch") & (events["date"] < origin)]
    rate = launch_days["date"].nunique() / len(days)
    np.testing.assert_allclose(row["p_mean"], -np.expm1(-rate * np.array([10, 30])), rtol=1e-12)
    recent = launch_days[launch_days["date"] >= origin - pd.Timedelta(days=365)]["date"].nunique()
    rr = f[(f["origin_date"] == origin) & (f["hypothesis"] == "recent_rate")]
    np.testing.assert_allclose(rr["p_mean"], -np.expm1(-recent / 365 * np.array([10, 30])))
    assert rr["p_low"].isna().all()
    # observed: any launch on days origin … origin + H − 1
    for h, obs in zip(row["horizon_days"], row["observed"], strict=True):
        hit = events[
            (events["type"] == "missile_launch")
            & (events["date"] >= origin)
            & (events["date"] < origin + pd.Timedelta(days=int(h)))
        ]
        assert obs == float(len(hit) > 0), h
    # the Bayesian hypotheses have intervals around their means
    bayes = f[f["hypothesis"].isin(["steady", "plenum", "clustering"])]
    assert ((bayes["p_low"] <= bayes["p_mean"]) & (bayes["p_mean"] <= bayes["p_high"])).all()


def test_censored_windows_are_left_out_not_counted_as_quiet(
    result: fo.BacktestResult, events: pd.DataFrame
) -> None:
    f = result.forecasts
    end = pd.Timestamp(quiet_end(events))
    assert f["origin_date"].max() <= end + pd.Timedelta(days=1)
    steady = f[f["hypothesis"] == "steady"]
    # a window that runs past the data end with no launch before it is unknown, not quiet
    open_ = steady["origin_date"] + pd.to_timedelta(steady["horizon_days"] - 1, unit="D") > end
    assert steady.loc[open_, "observed"].isna().all() and open_.sum() > 0
    assert steady.loc[~open_, "observed"].notna().all()
    s = result.scores.set_index(["hypothesis", "horizon_days"])
    for h in (10, 30):
        n_open = int(open_[steady["horizon_days"] == h].sum())
        assert s.loc[("steady", h), "n_censored"] == n_open
        assert s.loc[("steady", h), "n"] + n_open == result.meta["origins"]


def test_a_real_trigger_effect_beats_climatology(result: fo.BacktestResult) -> None:
    s = result.scores.set_index(["hypothesis", "horizon_days"])
    assert s.loc[("plenum", 30), "brier_skill"] > 0.05
    assert s.loc[("plenum", 30), "brier"] < s.loc[("steady", 30), "brier"]
    # the steady hypothesis is climatology with a prior: no skill either way
    assert abs(s.loc[("steady", 30), "brier_skill"]) < 0.01


def test_parallel_and_custom_executors_give_the_same_forecasts(
    scenario: fo.Scenario, result: fo.BacktestResult
) -> None:
    kw = {"every_days": 45, "progressbar": False, "random_seed": 3, "end": "2003-01-01"}
    serial = result.forecasts[result.forecasts["origin_date"] <= "2003-01-01"]
    serial = serial.reset_index(drop=True)
    assert serial["origin_date"].nunique() >= 10
    with ThreadPoolExecutor(2) as pool:
        threaded = fo.backtest(scenario, executor=pool, **kw)
    pd.testing.assert_frame_equal(threaded.forecasts, serial)
    pooled = fo.backtest(scenario, n_jobs=2, **kw)
    pd.testing.assert_frame_equal(pooled.forecasts, serial)


def test_write_backtest_is_atomic(
    result: fo.BacktestResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = fo.write_backtest(result, tmp_path / "bt")
    assert sorted(p.name for p in out.iterdir()) == [
        ".followon-results",
        "backtest.csv",
        "backtest.json",
        "figures",
        "report.md",
        "scores.csv",
    ]
    assert len(list((out / "figures").glob("reliability_launch_*d.pdf"))) == 2
    back = pd.read_csv(out / "backtest.csv")
    assert len(back) == len(result.forecasts)
    report = (out / "report.md").read_text()
    assert "## launch, 30 days" in report and "censored" in report

    def boom(*args: object, **kwargs: object) -> list[str]:
        raise RuntimeError("disk full")

    monkeypatch.setattr("followon.reports.backtest._figures", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        fo.write_backtest(result, tmp_path / "new")
    assert not (tmp_path / "new").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["bt"]


def test_cli_backtest(tmp_path: Path, events: pd.DataFrame, capsys: pytest.CaptureFixture) -> None:
    path = scenario_file(tmp_path, events)
    out = tmp_path / "res"
    args = ["backtest", str(path), "--out", str(out), "--from", "2008-01-01", "--jobs", "1"]
    assert main([*args, "--every-days", "60", "--quiet"]) == 0
    assert "origins (2008-01-" in capsys.readouterr().out
    assert (out / "scores.csv").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text(path.read_text().replace("horizons_days", "horizon_days"))
    assert main(["backtest", str(bad), "--out", str(tmp_path / "x")]) == 2
    assert "horizon_days: unknown key" in capsys.readouterr().err
    assert not (tmp_path / "x").exists()
    with pytest.raises(SystemExit) as exc:
        main([*args, "--from", "2008-13-01"])
    assert exc.value.code == 2
    assert "'2008-13-01' is not a date" in capsys.readouterr().err
    for flag, value, message in [
        ("--jobs", "0", "argument --jobs: '0' is not a number of worker processes: give a whole "),
        ("--seed", "-1", "argument --seed: '-1' is not a random seed: give a whole number from 0 "),
        ("--every-days", "0", "argument --every-days: '0' is not a number of days: give a "),
        ("--placebo", "-1", "argument --placebo: '-1' is not a number of placebo runs: give a "),
    ]:
        with pytest.raises(SystemExit) as exc:
            main([*args, flag, value])
        assert exc.value.code == 2
        assert message in capsys.readouterr().err


def test_cli_backtest_refuses_a_foreign_folder_before_refitting(
    tmp_path: Path,
    events: pd.DataFrame,
    capsys: pytest.CaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = scenario_file(tmp_path, events)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.tex").write_text("chapter 1", encoding="utf-8")

    def no_refits(*args: object, **kwargs: object) -> None:
        raise AssertionError("refitted before checking --out")

    monkeypatch.setattr("followon.scenarios.backtest", no_refits)
    assert main(["backtest", str(path), "--out", str(mine)]) == 2
    assert capsys.readouterr().err == (
        f"followon: error: {mine}: is a folder followon did not write (no .followon-results "
        "marker in it); it is left untouched. Choose another --out folder, or pass --force to "
        "replace it and everything in it.\n"
    )
    assert [p.name for p in mine.iterdir()] == ["thesis.tex"]


def test_combined_weights_come_only_from_forecasts_resolved_before_the_origin() -> None:
    """Equal weights until MIN_RESOLVED past windows have closed; then stacking on their scores."""
    from followon.scenarios.backtest import MIN_RESOLVED, combined_forecasts

    origins = pd.date_range("2020-01-01", periods=40, freq="14D")
    rows = []
    for i, origin in enumerate(origins):
        observed = float(i % 2)  # 'right' always forecasts what happens, 'wrong' the opposite
        for hyp, p in (("right", 0.9 if observed else 0.1), ("wrong", 0.1 if observed else 0.9)):
            rows.append(
                {
                    "origin_date": origin,
                    "trigger": "",
                    "hypothesis": hyp,
                    "outcome": "launch",
                    "horizon_days": 30,
                    "p_mean": p,
                    "p_low": np.nan,
                    "p_high": np.nan,
                    "observed": observed,
                }
            )
    out = combined_forecasts(pd.DataFrame(rows), ["right", "wrong"]).set_index("origin_date")
    # a 30-day window from an origin 14 days apart closes 3 origins later
    early = out.index[: MIN_RESOLVED + 2]
    assert out.loc[early, "p_mean"].tolist() == pytest.approx([0.5] * len(early))
    late = out.iloc[-1]
    assert late["p_mean"] == pytest.approx(0.9 if late["observed"] else 0.1, abs=1e-3)
    assert out["p_low"].isna().all() and set(out["hypothesis"]) == {"combined"}


def test_combined_interval_is_the_mixture_of_the_members_spread() -> None:
    """With members' quantiles kept (``_q``), combined's interval is the weighted mixture's."""
    from followon.scenarios.backtest import QUANTILES, combined_forecasts

    levels = np.asarray(QUANTILES)
    rows = [
        {
            "origin_date": pd.Timestamp("2020-01-01"),
            "trigger": "",
            "hypothesis": hyp,
            "outcome": "launch",
            "horizon_days": 30,
            "p_mean": mean,
            "p_low": np.nan,
            "p_high": np.nan,
            "observed": 1.0,
            "_q": mean + 0.1 * (levels - 0.5),  # uniform on mean ± 0.05
        }
        for hyp, mean in (("low", 0.2), ("high", 0.8))
    ]
    # a joint question's "any" outcome has point forecasts only (no _q): it keeps no interval,
    # and must not take the other outcome's away
    any_rows = [{**r, "outcome": "any: launch, test", "_q": None} for r in rows]
    both = combined_forecasts(pd.DataFrame(rows + any_rows), ["low", "high"])
    assert both.set_index("outcome")["p_low"].isna().to_dict() == {
        "launch": False,
        "any: launch, test": True,
    }
    out = both.iloc[0]
    assert out["p_mean"] == pytest.approx(0.5)  # equal weights: nothing has resolved
    # a 50/50 mixture of U(0.15, 0.25) and U(0.75, 0.85): 5% and 95% quantiles 0.16 and 0.84
    assert out["p_low"] == pytest.approx(0.16, abs=2e-3)
    assert out["p_high"] == pytest.approx(0.84, abs=2e-3)


def test_a_window_open_at_the_data_end_is_censored_even_with_an_event() -> None:
    from followon.scenarios.backtest import resolve

    counts = pd.Series([1], index=pd.to_datetime(["2020-01-05"]))
    t0, until = pd.Timestamp("2020-01-01"), pd.Timestamp("2020-01-20")
    assert resolve(counts, t0, 10, until) == 1.0  # days 2 … 11 Jan: closed, with the event
    later = t0 + pd.Timedelta(days=10)
    assert resolve(counts, later, 9, until) == 0.0  # days 12 … 20 Jan: closes on `until`, quiet
    assert math.isnan(resolve(counts, later, 10, until))  # … 21 Jan: open, quiet so far
    # open at the data end with an event already in it: still unknown for the score
    assert resolve(counts, t0, 19, until) == 1.0  # days 2 … 20 Jan: closed
    assert math.isnan(resolve(counts, t0, 20, until))  # days 2 … 21 Jan: open
    assert math.isnan(resolve(counts, t0, 30, until))


def test_ml_baseline_without_events_is_zero_and_failures_say_where(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import importlib
    from types import SimpleNamespace

    from followon.errors import ModelError

    bt = importlib.import_module("followon.scenarios.backtest")  # the module, not the function

    # before an outcome's first event (balloon rounds before May 2024) the ML rate is 0: P = 0,
    # where the flat-prior mode has no finite value
    empty = pd.DataFrame({"x": [0.0, 1.0], "events": [0, 0], "exposure": [300.0, 20.0]})
    table = SimpleNamespace(collapsed=lambda: empty, covariate_names=["x"])
    design = pd.DataFrame({"x": np.zeros(30)})
    assert bt._ml_p(table, design, [10, 30]).tolist() == [0.0, 0.0]

    def fail(job: object, origins: object, where: list[str]) -> list[dict[str, object]]:
        where[:] = ["origin 2023-01-01", "outcome 'balloon_round'", "hypothesis 'plenum'"]
        raise ModelError("no finite mode.")

    monkeypatch.setattr(bt, "_run_origins", fail)
    with pytest.raises(ModelError) as err:
        bt._run_chunk(None, [])  # type: ignore[arg-type]
    assert str(err.value) == (
        "backtest at origin 2023-01-01, outcome 'balloon_round', hypothesis 'plenum': "
        "no finite mode."
    )
