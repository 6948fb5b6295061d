"""Forecast against outcome at past triggers: numbers by hand, artists, bytes, errors, folder."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.lines import Line2D
from matplotlib.text import Text

import followon as fo
from followon.errors import EvaluationError
from followon.evaluation.skill import skill_table
from followon.plotting import save_figure
from followon.plotting.keys import result_styles
from followon.plotting.trigger_record import plot_trigger_record, trigger_record

SCENARIO = """\
name: sim-record
question: Does a plenum raise the hazard of a launch within 30 days?
as_of: 2009-12-02
data: {file: events.csv, start: 2000-01-01, observed_until: 2009-12-31}
trigger: {type: plenary_meeting, date: 2009-12-01}
outcomes:
  - {id: launch, type: missile_launch}
horizons_days: [10, 30]
hypotheses:
  - id: steady
  - id: plenum
    triggers: [{type: plenary_meeting, cut_days: [0, 30]}]
labels:
  plenum: plenum window
  launch: test launch
"""

# four trigger origins (the day after each plenum) and one calendar origin (no trigger)
ORIGINS = ["2009-01-11", "2009-04-02", "2009-07-01", "2009-10-01", "2009-12-20"]
TRIGGERS = ["P1", "P2", "P3", "", "P4"]
# a launch on day 5 after P1, day 20 after P2, day 45 after P3, none after P4 (data end 12-31)
LAUNCHES = ["2009-01-15", "2009-04-21", "2009-08-14"]
OBSERVED = {10: [1.0, 0.0, 0.0, 0.0, np.nan], 30: [1.0, 1.0, 0.0, 0.0, np.nan]}
P = {  # hypothesis → horizon → p_mean per origin
    "steady": {10: [0.1, 0.1, 0.1, 0.1, 0.1], 30: [0.3, 0.3, 0.3, 0.3, 0.3]},
    "plenum": {10: [0.4, 0.2, 0.3, 0.1, 0.5], 30: [0.5, 0.2, 0.1, 0.3, 0.9]},
    "climatology": {10: [0.12, 0.12, 0.11, 0.11, 0.1], 30: [0.3, 0.31, 0.3, 0.3, 0.29]},
}


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def events() -> pd.DataFrame:
    rows = [("P1", "plenary_meeting", "2009-01-10"), ("P2", "plenary_meeting", "2009-04-01")]
    rows += [("P3", "plenary_meeting", "2009-06-30"), ("P4", "plenary_meeting", "2009-12-19")]
    rows += [(f"L{i}", "missile_launch", d) for i, d in enumerate(LAUNCHES)]
    frame = pd.DataFrame(rows, columns=["event_id", "type", "date"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["end_date"] = pd.NaT
    return frame


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> fo.Scenario:
    folder = tmp_path_factory.mktemp("record")
    ev = events().assign(date=lambda f: f["date"].dt.strftime("%Y-%m-%d"), end_date="")
    ev.to_csv(folder / "events.csv", index=False)
    (folder / "scenario.yaml").write_text(SCENARIO, encoding="utf-8")
    return fo.load_scenario(folder / "scenario.yaml")


def forecasts(triggers: list[str] = TRIGGERS) -> pd.DataFrame:
    rows = []
    for i, (origin, trigger) in enumerate(zip(ORIGINS, triggers, strict=True)):
        for hyp, by_h in P.items():
            for h in (10, 30):
                p = by_h[h][i]
                interval = (np.nan, np.nan) if hyp == "climatology" else (p / 2, min(1, p * 1.5))
                rows.append((pd.Timestamp(origin), trigger, hyp, "launch", h, p, *interval))
    frame = pd.DataFrame(
        rows,
        columns=[
            "origin_date",
            "trigger",
            "hypothesis",
            "outcome",
            "horizon_days",
            "p_mean",
            "p_low",
            "p_high",
        ],
    )
    index = frame["origin_date"].map({pd.Timestamp(o): i for i, o in enumerate(ORIGINS)})
    frame["observed"] = [OBSERVED[h][i] for h, i in zip(frame["horizon_days"], index, strict=True)]
    return frame


def backtest_result(scenario: fo.Scenario, triggers: list[str] = TRIGGERS) -> fo.BacktestResult:
    f = forecasts(triggers)
    return fo.BacktestResult(
        scenario=scenario,
        forecasts=f,
        scores=skill_table(f, n_boot=20, random_seed=0),
        meta={
            "origins": len(ORIGINS),
            "first_origin": ORIGINS[0],
            "last_origin": ORIGINS[-1],
            "trigger_origins": sum(t != "" for t in triggers),
            "inference": "fast",
            "seconds": 0.0,
            "workers": 1,
            "observed_until": {"launch": "2009-12-31"},
        },
    )


def test_numbers_by_hand(scenario: fo.Scenario) -> None:
    rec = trigger_record(backtest_result(scenario), "launch", 30, events=events())
    f = rec.forecasts
    # the calendar origin (no trigger) is left out; scenario order, then climatology
    assert list(dict.fromkeys(f["hypothesis"])) == ["steady", "plenum", "climatology"]
    assert list(f["trigger"].unique()) == ["P1", "P2", "P3", "P4"]
    assert list(f["trigger_date"].dt.strftime("%Y-%m-%d").unique()) == [
        "2009-01-10",
        "2009-04-01",
        "2009-06-30",
        "2009-12-19",
    ]
    plenum = f[f["hypothesis"] == "plenum"]
    assert plenum["p_mean"].tolist() == [0.5, 0.2, 0.1, 0.9]
    assert plenum["result"].tolist() == ["hit", "hit", "miss", "censored"]
    # days from the plenum's (last) day to the next launch; none observed after P4
    np.testing.assert_array_equal(plenum["first_event_day"], [5.0, 20.0, 45.0, np.nan])
    s = rec.scores.set_index("hypothesis")
    assert s.loc["plenum", ["n", "hits", "misses", "censored"]].tolist() == [3, 2, 1, 1]
    # Brier = mean (p − y)², the censored P4 row (p 0.9) left out
    assert s.loc["plenum", "brier"] == pytest.approx(((0.5 - 1) ** 2 + (0.2 - 1) ** 2 + 0.1**2) / 3)
    assert s.loc["steady", "brier"] == pytest.approx((0.7**2 + 0.7**2 + 0.3**2) / 3)
    assert s.loc["climatology", "brier"] == pytest.approx((0.7**2 + 0.69**2 + 0.3**2) / 3)
    assert f.loc[f["hypothesis"] == "climatology", ["p_low", "p_high"]].isna().all().all()
    # without events the day is unknown, not guessed
    assert (
        trigger_record(backtest_result(scenario), "launch", 30)
        .forecasts["first_event_day"]
        .isna()
        .all()
    )


def test_artists(scenario: fo.Scenario) -> None:
    result = backtest_result(scenario)
    colours = result_styles(result)
    with fo.paper_style("double", height_mm=120):
        fig = plot_trigger_record(result, "launch", 10, events=events())
    (ax,) = fig.axes
    by_gid = {ln.get_gid(): ln for ln in ax.get_lines() if ln.get_gid()}
    # one series per hypothesis in its style-map colour; hits filled, misses open, counted
    # at horizon 10: P1 hit, P2 and P3 miss, P4 censored
    for hyp in ("steady", "plenum"):
        hit, miss, cens = (by_gid[f"{hyp}:{r}"] for r in ("hit", "miss", "censored"))
        for line in (hit, miss, cens):
            assert line.get_color() == colours[hyp].color
            assert line.get_marker() == colours[hyp].marker
        assert len(hit.get_xdata()) == 1 and len(miss.get_xdata()) == 2
        assert len(cens.get_xdata()) == 1
        assert hit.get_markerfacecolor() == colours[hyp].color
        assert miss.get_markerfacecolor() == "white"
        assert cens.get_alpha() < 1
        assert list(hit.get_ydata()) == [P[hyp][10][0]]
    assert colours["steady"].color != colours["plenum"].color
    # the base rate: a point forecast, dark grey dotted through the four triggers
    base = [ln for ln in ax.get_lines() if ln.get_linestyle() == ":"]
    assert len(base) == 1 and base[0].get_color() == "0.3"
    assert list(base[0].get_ydata()) == [0.12, 0.12, 0.11, 0.1]
    # the outcome strip: one mark per trigger, hit and miss in different markers
    assert len(by_gid["strip:hit"].get_xdata()) == 1
    assert len(by_gid["strip:miss"].get_xdata()) == 2
    assert len(by_gid["strip:censored"].get_xdata()) == 1
    assert by_gid["strip:miss"].get_markerfacecolor() != by_gid["strip:hit"].get_markerfacecolor()
    assert by_gid["strip:censored"].get_marker() != by_gid["strip:hit"].get_marker()
    # words from the scenario's labels; Brier per hypothesis in the heading
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[:3] == ["steady", "plenum window", "base rate"]
    assert "hit" in legend[3] and "miss" in legend[4] and "censored" in legend[5]
    title = ax.get_title(loc="left")
    assert "within 10 days: 1 hits, 2 misses, 1 censored (not scored)" in title
    assert f"plenum window {((0.4 - 1) ** 2 + 0.2**2 + 0.3**2) / 3:.3f}" in title
    assert "test launch" in ax.get_xlabel() and "plenums" in ax.get_xlabel()
    ticks = [t.get_text() for t in ax.get_xticklabels()]
    assert ticks == ["2009-01-10 · 5", "2009-04-01 · 20", "2009-06-30 · 45", "2009-12-19"]
    # no text under 7 pt at the final size
    fig.canvas.draw()
    sizes = [t.get_fontsize() for t in fig.findobj(Text) if t.get_text() and t.get_visible()]
    assert sizes and min(sizes) >= 7


def test_one_panel_per_horizon_sharing_the_triggers(scenario: fo.Scenario) -> None:
    fig = plot_trigger_record(backtest_result(scenario))
    assert len(fig.axes) == 2
    assert [ax.get_ylabel() for ax in fig.axes] == ["P(within 10 d)", "P(within 30 d)"]
    strip = {ln.get_gid(): len(ln.get_xdata()) for ln in fig.axes[1].get_lines() if ln.get_gid()}
    assert (strip["strip:hit"], strip["strip:miss"], strip["strip:censored"]) == (2, 1, 1)
    assert isinstance(fig.legends[0].legend_handles[0], Line2D)


def test_same_inputs_same_pdf_bytes(scenario: fo.Scenario, tmp_path: Path) -> None:
    out = []
    for name in ("a", "b"):
        with fo.paper_style("double", height_mm=150):
            fig = plot_trigger_record(backtest_result(scenario), events=events())
            out.append(save_figure(fig, tmp_path / name)[0].read_bytes())
    assert out[0] == out[1]


def test_bad_input_gets_one_clear_error(scenario: fo.Scenario) -> None:
    no_triggers = backtest_result(scenario, [""] * len(ORIGINS))
    with pytest.raises(EvaluationError) as err:
        plot_trigger_record(no_triggers)
    assert str(err.value) == (
        "the backtest has no trigger origins (every 'trigger' is empty): run it with trigger "
        "origins — followon.backtest(scenario, at_triggers=True), the default, or `followon "
        "backtest` without --no-triggers."
    )
    result = backtest_result(scenario)
    with pytest.raises(EvaluationError) as err:
        trigger_record(result, "lanch")
    assert str(err.value) == "no outcome 'lanch' (did you mean 'launch'?); the backtest has launch."
    with pytest.raises(EvaluationError) as err:
        plot_trigger_record(result, "launch", 45)
    assert str(err.value) == "no horizon 45 days; the backtest has 10, 30 (horizon_days=)."
    with pytest.raises(EvaluationError) as err:
        trigger_record(result, hypotheses=["plenumm"])
    assert "no hypothesis 'plenumm' (did you mean 'plenum'?)" in str(err.value)
    _, ax = plt.subplots()
    with pytest.raises(EvaluationError, match="ax= draws one horizon; the backtest has 10, 30"):
        plot_trigger_record(result, ax=ax)


def test_backtest_folder_has_the_figure_only_with_trigger_origins(
    scenario: fo.Scenario, tmp_path: Path
) -> None:
    out = fo.write_backtest(backtest_result(scenario), tmp_path / "bt")
    names = sorted(p.name for p in (out / "figures").glob("trigger_record_*"))
    assert names == [
        "trigger_record_launch_10d.pdf",
        "trigger_record_launch_10d.png",
        "trigger_record_launch_30d.pdf",
        "trigger_record_launch_30d.png",
    ]
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "## Forecasts at past triggers" in report
    assert "[trigger_record_launch_30d](figures/trigger_record_launch_30d.png)" in report
    bare = fo.write_backtest(backtest_result(scenario, [""] * len(ORIGINS)), tmp_path / "none")
    assert not list((bare / "figures").glob("trigger_record_*"))
    assert "past triggers" not in (bare / "report.md").read_text(encoding="utf-8")
