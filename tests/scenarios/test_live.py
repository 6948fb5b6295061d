"""Questions asked as of a date: no trigger, the live update after a past trigger, observed rows."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.cli import main
from followon.hazard.probability import weighted_quantile
from followon.reports.scenario import render_report
from followon.scenarios.build import check_scenario
from followon.scenarios.live import ForecastWindow, forecast_window, live_probability_draws
from tests.scenarios.test_scenarios import GOOD, write


@pytest.fixture(autouse=True)
def few_bootstrap_replicates(monkeypatch: pytest.MonkeyPatch) -> None:
    """The weights' bootstrap intervals are not under test here; 200 refits of them are slow."""
    monkeypatch.setattr("followon.evaluation.compare.BOOTSTRAP_DRAWS", 5)


# the simulated history (tests/scenarios/conftest.py): plenums every 180 days; after P2340
# (2006-05-29) the next launch day is 119 days later, after P900 (2002-06-19) 40 days later
SIMULATED = """\
name: simulated-live
question: A launch within H days?
as_of: {as_of}
data: {{file: events.csv, start: 2000-01-01, observed_until: 2010-12-31}}
{trigger}outcomes:
  - {{id: launch, type: missile_launch}}
horizons_days: {horizons}
hypotheses:
  - {{id: steady, sampler: exact}}
  - {{id: plenum, triggers: [{{type: plenary_meeting, cut_days: [0, 30, 90]}}], sampler: exact}}
compare: {{method: lfo, origins: 2, block_days: 180}}
sampling: {{draws: 500, chains: 2, random_seed: 3}}
"""


def _scenario(
    tmp_path: Path,
    events: pd.DataFrame,
    as_of: str,
    trigger: str = "",
    horizons: str = "[30, 60, 90]",
) -> fo.Scenario:
    events.to_csv(tmp_path / "events.csv", index=False)
    text = SIMULATED.format(as_of=as_of, trigger=trigger, horizons=horizons)
    return fo.load_scenario(write(tmp_path, text))


def _gamma_survival(model: fo.PiecewiseHazard, days: int) -> float:
    """E[exp(−λ days)] under the steady model's exact Gamma(a, b) posterior."""
    gamma = model.posterior_gamma_
    assert gamma is not None
    (a,), (b,) = gamma["shape"], gamma["rate"]
    return float((b / (b + days)) ** a)


def test_live_update_is_the_hazard_of_the_remaining_days(
    simulated_events: pd.DataFrame, tmp_path: Path
) -> None:
    # trigger P2340 ended 2006-05-29; as of 2006-07-09, 40 quiet days of each window are known
    scenario = _scenario(tmp_path, simulated_events, "2006-07-09", "trigger: {event_id: P2340}\n")
    result = fo.run_scenario(scenario)
    f = result.forecast.set_index(["hypothesis", "horizon_days"])
    model = result.models[("launch", "steady")]
    assert model.table_.end == pd.Timestamp("2006-07-08")  # the fit holds the quiet days
    lam = model.posterior_draws("baseline_rate")
    draws = live_probability_draws(model, _window(result), 90)
    for h, remaining in ((60, 20), (90, 50)):
        p = -np.expm1(-lam * remaining)  # per draw: 1 − exp(−λ · remaining days)
        np.testing.assert_allclose(draws[:, h - 1], p, rtol=1e-12)
        row = f.loc[("steady", h)]
        assert row["status"] == "forecast"
        assert row["p_mean"] == pytest.approx(1 - _gamma_survival(model, remaining), rel=1e-12)
        low, high = weighted_quantile(p, np.ones_like(p), (0.05, 0.95))
        assert (row["p_low"], row["p_high"]) == pytest.approx((low, high), rel=1e-12)
    # the plenum model: the remaining days 41 … H after the trigger all fall in its 31–90-day
    # cell, so P = 1 − (b / (b + n))^a with that cell's exact Gamma(a, b) posterior
    plenum = result.models[("launch", "plenum")]
    assert plenum.table_.covariate_names == ["plenary_meeting[0-30]", "plenary_meeting[31-90]"]
    gamma = plenum.posterior_gamma_
    assert gamma is not None
    a, b = gamma["shape"][2], gamma["rate"][2]
    for h, remaining in ((60, 20), (90, 50)):
        expected = 1 - (b / (b + remaining)) ** a
        assert f.loc[("plenum", h), "p_mean"] == pytest.approx(expected, rel=1e-12)
    # combined mixes the members' live forecasts by the run's weights
    w = result.comparison.set_index("hypothesis")["weight"]
    for h in (60, 90):
        mixed = sum(w[m] * f.loc[(m, h), "p_mean"] for m in ("steady", "plenum"))
        assert f.loc[("combined", h), "p_mean"] == pytest.approx(mixed, rel=1e-12)
    # the 30-day window closed quietly before as_of: known, p = 0, for every hypothesis
    closed = result.forecast[result.forecast["horizon_days"] == 30]
    assert set(closed["hypothesis"]) == {"steady", "plenum", "combined"}
    assert (closed["status"] == "observed").all() and (closed["p_mean"] == 0).all()
    assert (closed["p_low"] == 0).all() and (closed["p_high"] == 0).all()
    assert (result.forecast["origin_date"] == pd.Timestamp("2006-05-29")).all()


def _window(result: fo.ScenarioResult) -> ForecastWindow:
    counts = {"launch": fo.Outcome("launch", "missile_launch").daily_counts(result.events)}
    return forecast_window(result.origin, pd.Timestamp(result.scenario.as_of), counts)


def test_rows_of_windows_with_an_event_before_as_of_say_observed(
    simulated_events: pd.DataFrame, tmp_path: Path
) -> None:
    # trigger P900 ended 2002-06-19, first launch 40 days later; as of 2002-08-09 (50 days in)
    scenario = _scenario(
        tmp_path, simulated_events, "2002-08-09", "trigger: {event_id: P900}\n", "[30, 45, 60]"
    )
    result = fo.run_scenario(scenario)
    f = result.forecast
    assert (f["status"] == "observed").all()
    expected = {30: 0.0, 45: 1.0, 60: 1.0}
    for col in ("p_mean", "p_low", "p_high", "p_median", "observed"):
        assert f[col].tolist() == [expected[h] for h in f["horizon_days"]], col
    combined = result.curves[result.curves["hypothesis"] == "combined"]
    assert combined["p_mean"].tolist() == [float(d >= 40) for d in range(1, 61)]
    assert result.hazard_curves.empty  # no day of any window is still to come
    report = render_report(result)
    assert (
        "**Answer (launch).** no event within 30 days (observed); an event within 45 days "
        "(observed); an event within 60 days (observed)"
    ) in report
    assert "| steady | observed: no | observed: yes | observed: yes |" in report
    assert "observed: no ≤30d, observed: yes ≤45d, observed: yes ≤60d" in repr(result)
    # the figure's base rate counts only the days from as_of on (50 days into each window)
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    fo.plot_forecast(result, ax=ax)
    base = next(ln for ln in ax.get_lines() if ln.get_label().startswith("base rate"))
    x, y = base.get_xdata(), base.get_ydata()
    rate = result.meta["base_rate"]["launch"]
    assert (y[x <= 50] == 0).all() and y[x == 60][0] == pytest.approx(-np.expm1(-rate * 10))
    plt.close(fig)


def test_without_a_trigger_windows_start_on_as_of(
    simulated_events: pd.DataFrame, tmp_path: Path
) -> None:
    scenario = _scenario(tmp_path, simulated_events, "2006-07-09")
    result = fo.run_scenario(scenario)
    assert result.origin == pd.Timestamp("2006-07-08") and result.trigger == {}
    model = result.models[("launch", "steady")]
    assert model.table_.end == pd.Timestamp("2006-07-08")
    steady = result.forecast[result.forecast["hypothesis"] == "steady"]
    for row in steady.itertuples():
        assert row.p_mean == pytest.approx(1 - _gamma_survival(model, row.horizon_days))
    assert (result.forecast["status"] == "forecast").all()
    direct = result.models[("launch", "plenum")].forecast("2006-07-08", [30, 60, 90])
    plenum = result.forecast[result.forecast["hypothesis"] == "plenum"]
    np.testing.assert_allclose(plenum["p_mean"], direct["p_mean"], rtol=1e-12)
    result.meta["run_date"] = "2011-03-01"
    report = render_report(result)
    assert (
        "As of 2006-07-09 (nothing on or after this date was used to fit). No trigger: each "
        "window runs from as_of, 2006-07-09, for H days (days after 2006-07-08). Outcome data "
        "observed: launch (missile_launch) until 2010-12-31, after as_of (later days only show "
        "what happened) and 60 days before the run (2011-03-01). The data are 60 days old."
    ) in report


def test_a_past_hypothetical_trigger_gives_the_forecast_days_their_windows(
    simulated_events: pd.DataFrame, tmp_path: Path
) -> None:
    # a plenum the data lack on 2006-07-28 (P2340 + 60; quiet until 2006-09-25), as of 21 days on
    trigger = "trigger: {type: plenary_meeting, date: 2006-07-28}\n"
    scenario = _scenario(tmp_path, simulated_events, "2006-08-18", trigger, "[60]")
    plan = check_scenario(scenario)
    assert plan.hypothetical is None and plan.trigger["hypothetical"]
    table = plan.tables[("launch", "plenum")]
    window_col = next(c for c in table.covariate_names if c.endswith("[0-30]"))
    after = table.data[table.data["date"] > pd.Timestamp("2006-07-28")]
    assert len(after) == 20 and (after[window_col] == 1).all()  # the fit sees its window
    result = fo.run_scenario(scenario)
    model = result.models[("launch", "plenum")]
    assert "hypothetical-plenary_meeting-2006-07-28" in set(result.events["event_id"])
    # the remaining days 2006-08-18 … 2006-09-26, with the covariates a table built later gives
    later = fo.build_exposure(
        result.events,
        model.table_.outcome,
        start="2000-01-01",
        as_of="2006-09-27",
        covariates=model.table_.covariates,
        observed_until="2010-12-31",
    )
    rows = later.data[later.data["date"] >= pd.Timestamp("2006-08-18")]
    assert len(rows) == 40
    hazard = model.hazard(rows.drop(columns=["date", "events", "exposure"]))
    p = -np.expm1(-hazard.sum(axis=1))
    row = result.forecast[result.forecast["hypothesis"] == "plenum"].iloc[0]
    assert row["status"] == "forecast"
    low, high = weighted_quantile(p, np.ones_like(p), (0.05, 0.95))
    assert (row["p_low"], row["p_high"]) == pytest.approx((low, high), rel=1e-9)


def test_a_live_question_past_a_files_observed_until_is_refused(
    simulated_events: pd.DataFrame, tmp_path: Path
) -> None:
    scenario = _scenario(tmp_path, simulated_events, "2011-01-05")
    with pytest.raises(fo.ScenarioError) as info:
        check_scenario(scenario)
    assert str(info.value) == (
        f"{scenario.source_path}: as_of 2011-01-05: outcome 'launch' (missile_launch) is "
        "observed only until 2010-12-31, but a question asked as of 2011-01-05 needs every day "
        "up to 2011-01-04. Set as_of to 2011-01-01 or earlier, or extend events.csv and its "
        "data.observed_until."
    )
    assert check_scenario(_scenario(tmp_path, simulated_events, "2011-01-01")).tables


LIVE = GOOD.replace("as_of: 2022-01-20", "as_of: 2022-02-10")
"""The politburo scenario asked 22 days after the meeting (a launch on 2022-01-27)."""


def test_validate_accepts_what_run_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, LIVE)
    assert main(["scenario", "validate", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"{path}: ok, 1 outcome(s) × 2 hypothesis(es), horizons 30, 60 days; trigger "
        "WPK-CC8-PB6 ends 2022-01-19; 2 table(s) and 3 comparison block(s) built\n"
    )
    result = fo.run_scenario(fo.load_scenario(path), quick=True)
    f = result.forecast[result.forecast["what_if"] == ""]
    assert set(f["status"]) == {"observed"} and (f["p_mean"] == 1).all()
    no_trigger = write(tmp_path, LIVE.replace("trigger: {event_id: WPK-CC8-PB6}\n", ""), "n.yaml")
    assert main(["scenario", "validate", str(no_trigger)]) == 0
    assert capsys.readouterr().out == (
        f"{no_trigger}: ok, 1 outcome(s) × 2 hypothesis(es), horizons 30, 60 days; no trigger, "
        "windows start the day after 2022-02-09; 2 table(s) and 3 comparison block(s) built\n"
    )
    assert (
        fo.run_scenario(fo.load_scenario(no_trigger), quick=True).forecast["status"] == "forecast"
    ).all()
