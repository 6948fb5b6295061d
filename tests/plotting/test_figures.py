"""Figures from a finished (exact-path) scenario result: artists, labels, scales, bytes."""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import matplotlib as mpl
import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import EventCollection, PolyCollection

import followon as fo
from followon.plotting import OKABE_ITO, save_figure, save_figures
from followon.reports.scenario import render_report
from tests.scenarios.test_scenarios import GOOD, write


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> fo.ScenarioResult:
    path = write(tmp_path_factory.mktemp("fig"), GOOD)
    return fo.run_scenario(fo.load_scenario(path))


def test_forecast_plot(result: fo.ScenarioResult) -> None:
    with fo.paper_style():
        fig, ax = plt.subplots()
        fo.plot_forecast(result, ax=ax)
        assert fig.get_size_inches()[0] == pytest.approx(89 / 25.4)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == [
        "steady",
        "politburo",
        "combined",
        "base rate (events ÷ days at risk)",
        "50% credible interval",
        "90% credible interval",
    ]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 3 * 2  # 50% and 90% per hypothesis (and the combined forecast)
    lines = [ln for ln in ax.get_lines() if ln.get_label() in ("steady", "politburo")]
    assert [ln.get_color() for ln in lines] == list(OKABE_ITO[:2])
    assert lines[0].get_linestyle() != lines[1].get_linestyle()  # grayscale-safe
    assert ax.get_xlim() == (0.0, 60.0) and ax.get_ylim()[0] == 0.0
    assert result.curves["p_high"].max() <= ax.get_ylim()[1] <= 1.0
    verticals = [ln for ln in ax.get_lines() if ln.get_xdata()[0] == ln.get_xdata()[-1]]
    assert sorted({float(ln.get_xdata()[0]) for ln in verticals}) == [
        6.0,
        30.0,
        60.0,
    ]  # observed: day 6 (25 Jan, CSIS)
    assert ax.get_xlabel() == "days H after 19 Jan 2022" and not ax.get_title()
    assert ax.get_ylabel() == "P(missile launch within H days)"
    line = next(ln for ln in ax.get_lines() if ln.get_label() == "politburo")
    assert list(line.get_markevery()) == [29, 59]  # markers on days 30 and 60, the horizons
    plt.close(fig)


def test_hazard_ratio_and_comparison_plots(result: fo.ScenarioResult) -> None:
    fig, (a1, a2) = plt.subplots(1, 2)
    fo.plot_hazard_ratios(result, "any_missile", ax=a1)
    assert a1.get_xscale() == "log"
    assert any(ln.get_xdata()[0] == 1.0 for ln in a1.get_lines())  # the line at HR = 1
    labels = [t.get_text() for t in a1.get_yticklabels()]
    assert labels[0].startswith("Politburo meeting, days 0–30\n")
    assert "], P(HR > 1) = " in labels[0]
    ticks = [t for t in a1.get_xticks() if a1.get_xlim()[0] <= t <= a1.get_xlim()[1]]
    assert len(ticks) >= 3  # the size of a hazard ratio can be read
    fo.plot_comparison(result, ax=a2)
    ticks = [t.get_text() for t in a2.get_yticklabels()]
    assert len(ticks) == 2 and all("\nweight " in t for t in ticks)
    assert a2.get_xlim()[0] <= -4.5  # a small difference does not fill the axis
    with pytest.raises(fo.ModelError, match=r"no outcome 'icbm'"):
        fo.plot_forecast(result, "icbm")
    plt.close(fig)


@pytest.mark.parametrize("figure", ["forecast", "hazard", "hazard_ratio", "timeline"])
def test_same_input_same_pdf_bytes(result: fo.ScenarioResult, tmp_path: Path, figure: str) -> None:
    def draw(stem: Path) -> bytes:
        with fo.paper_style("double"):
            fig, ax = plt.subplots()
            if figure == "forecast":
                fo.plot_forecast(result, ax=ax)
            elif figure == "timeline":
                fo.plot_scenario_timeline(result, ax=ax)
            else:
                fo.plot_hazard(result, ax=ax, ratio=figure == "hazard_ratio")
            pdf, png = save_figure(fig, stem)
            plt.close(fig)
        assert png.exists()
        return pdf.read_bytes()

    first, second = draw(tmp_path / "a"), draw(tmp_path / "b")
    assert first == second
    assert b"/Type /Font" in first and b"Type3" not in first  # TrueType (fonttype 42)


def test_figures_drawn_in_two_processes_are_the_files_drawn_in_one(tmp_path: Path) -> None:
    """In a fresh interpreter (no JAX, which must not be forked): same files from 1 and 2."""
    import subprocess
    import sys

    scenario = write(tmp_path, GOOD)
    code = f"""
import followon as fo, followon._lazy as lazy
from followon.plotting import folder
result = fo.run_scenario(fo.load_scenario({str(scenario)!r}))
print(folder.figure_jobs(), lazy.jax_loaded())
folder.save_figures(result, {str(tmp_path / "one")!r}, jobs=1)
folder.save_figures(result, {str(tmp_path / "two")!r}, jobs=2)
"""
    env = {**os.environ, "MPLBACKEND": "Agg", "FOLLOWON_FIGURE_JOBS": "2"}
    run = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=600
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["2", "False"]  # two workers did draw
    one = sorted((tmp_path / "one").iterdir())
    two = sorted((tmp_path / "two").iterdir())
    assert [p.name for p in one] == [p.name for p in two] and len(one) == 2 * 9
    for a, b in zip(one, two, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_no_figure_workers_once_jax_is_loaded(
    result: fo.ScenarioResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import concurrent.futures

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("forked with JAX loaded")

    monkeypatch.setattr("followon._lazy.jax_loaded", lambda: True)
    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", no_pool)
    paths = save_figures(result, tmp_path, jobs=2)
    assert len(paths) == 2 * 9


def test_figure_jobs_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    from followon.errors import OutputError
    from followon.plotting import folder

    monkeypatch.setenv("FOLLOWON_FIGURE_JOBS", "3")
    monkeypatch.setattr("followon._lazy.jax_loaded", lambda: False)
    assert folder.figure_jobs() == 3
    monkeypatch.setattr("followon._lazy.jax_loaded", lambda: True)  # JAX: never fork
    assert folder.figure_jobs() == 1
    monkeypatch.setenv("FOLLOWON_FIGURE_JOBS", "two")
    with pytest.raises(OutputError) as info:
        folder.figure_jobs()
    assert str(info.value) == (
        "FOLLOWON_FIGURE_JOBS='two': give the number of processes that draw the figures, a "
        "whole number ≥ 1 (1: one after another), or unset it."
    )


def test_style_is_not_global(result: fo.ScenarioResult) -> None:
    before = mpl.rcParams["font.size"]
    with fo.paper_style():
        assert mpl.rcParams["font.size"] == 7
    assert mpl.rcParams["font.size"] == before


def test_results_folder_has_figures_in_the_report(
    result: fo.ScenarioResult, tmp_path: Path
) -> None:
    paths = save_figures(result, tmp_path / "figs")
    assert [p.name for p in paths[::2]] == [
        "timeline.pdf",  # one per result, then four per outcome; PDF and PNG each
        "forecast_any_missile.pdf",
        "hazard_any_missile.pdf",
        "hazard_ratios_any_missile.pdf",
        "comparison_any_missile.pdf",
        "at_a_glance_any_missile.pdf",
        "combined_any_missile.pdf",
        "event_study_any_missile.pdf",  # the trigger is a Politburo meeting, with past ones
        "ppc_any_missile.pdf",
    ]
    assert len(paths) == 2 * 9 and all(p.exists() for p in paths)
    out = fo.write_results(result, tmp_path / "res", save_models=False)
    report = (out / "report.md").read_text()
    assert "![forecast_any_missile](figures/forecast_any_missile.png)" in report
    assert "![hazard_any_missile](figures/hazard_any_missile.png)" in report
    assert "![timeline](figures/timeline.png)" in report
    assert (out / "figures" / "forecast_any_missile.pdf").exists()
    assert (out / "figures" / "timeline.pdf").exists()
    saved = pd.read_csv(out / "hazard_curves.csv")
    pd.testing.assert_frame_equal(saved, result.hazard_curves, check_dtype=False)
    curves = pd.read_csv(out / "curves.csv", keep_default_na=False)
    assert set(curves["what_if"]) == {"", "drills"}


# --- what-if lines, hazard over time, timeline -------------------------------------------------


def test_runner_stores_what_if_curves_hazard_curves_and_events(
    result: fo.ScenarioResult,
) -> None:
    c = result.curves
    assert list(c.columns[:4]) == ["hypothesis", "outcome", "what_if", "horizon_days"]
    assert c.groupby(["hypothesis", "what_if"]).size().to_dict() == {
        ("combined", ""): 60,
        ("combined", "drills"): 60,
        ("politburo", ""): 60,
        ("politburo", "drills"): 60,
        ("steady", ""): 60,
        ("steady", "drills"): 60,
    }
    h = result.hazard_curves
    assert list(h.columns) == [
        "hypothesis",
        "outcome",
        "day",
        "hazard_mean",
        "hazard_low",
        "hazard_high",
        "hazard_low50",
        "hazard_high50",
        "ratio_mean",
        "ratio_low",
        "ratio_high",
    ]
    assert h.groupby("hypothesis")["day"].agg(["min", "max", "size"]).to_dict("list") == {
        "min": [1, 1],
        "max": [60, 60],
        "size": [60, 60],
    }
    assert (h["hazard_low"] <= h["hazard_low50"]).all()
    assert (h["hazard_low50"] <= h["hazard_high50"]).all()
    assert (h["hazard_high50"] <= h["hazard_high"]).all()
    steady = h[h["hypothesis"] == "steady"]
    assert np.allclose(steady[["ratio_mean", "ratio_low", "ratio_high"]], 1.0)  # no covariates
    # politburo: the ratio on day 45 is the posterior mean of the 31–60 day hazard ratio
    pb = h[h["hypothesis"] == "politburo"].set_index("day")
    hr = result.models[("any_missile", "politburo")].summary().loc["politburo_meeting[31-60]"]
    assert pb.loc[45, "ratio_mean"] == pytest.approx(hr["mean"], rel=1e-9)
    assert pb.loc[10, "ratio_mean"] != pytest.approx(pb.loc[45, "ratio_mean"])
    assert result.events is not None and "WPK-CC8-PB6" in set(result.events["event_id"])


def _with_distinct_what_if(result: fo.ScenarioResult) -> fo.ScenarioResult:
    c = result.curves.copy()
    rows = (c["hypothesis"] == "politburo") & (c["what_if"] == "drills")
    c.loc[rows, "p_mean"] *= 0.8
    return dataclasses.replace(result, curves=c)


def test_forecast_plot_draws_what_if_lines_that_differ(result: fo.ScenarioResult) -> None:
    # in the fixture the drills change no covariate, so no line is added (test_forecast_plot)
    fig, (a1, a2) = plt.subplots(1, 2)
    fo.plot_forecast(_with_distinct_what_if(result), ax=a1)
    labels = [t.get_text() for t in a1.get_legend().get_texts()]
    assert labels[:4] == ["steady", "politburo", "politburo · drills", "combined"]
    (line,) = [ln for ln in a1.get_lines() if ln.get_label() == "politburo · drills"]
    assert line.get_color() == OKABE_ITO[1] and line.get_linestyle() == ":"
    assert line.get_marker() not in ("o", "s", "None")
    assert len([c for c in a1.collections if isinstance(c, PolyCollection)]) == 3 * 2  # no bands
    fo.plot_forecast(_with_distinct_what_if(result), ax=a2, what_ifs=False)
    assert "politburo · drills" not in [ln.get_label() for ln in a2.get_lines()]
    plt.close(fig)


def test_hazard_plot(result: fo.ScenarioResult) -> None:
    fig, ax = plt.subplots()
    fo.plot_hazard(result, ax=ax)
    steps = [ln for ln in ax.get_lines() if ln.get_drawstyle() == "steps-post"]
    assert [ln.get_label() for ln in steps] == ["steady", "politburo"]
    assert [ln.get_color() for ln in steps] == list(OKABE_ITO[:2])
    assert steps[0].get_linestyle() != steps[1].get_linestyle()
    x, y = steps[1].get_xdata(), steps[1].get_ydata()
    assert x[0] == 0 and x[-1] == 60 and len(x) == 61 and y[-1] == y[-2]
    pb = result.hazard_curves.query("hypothesis == 'politburo'")
    assert np.allclose(y[:-1], pb["hazard_mean"])  # value over (d - 1, d] is day d's hazard
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2 * 2  # 90% and 50% per hypothesis
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "steady",
        "politburo",
        "base rate (events ÷ days at risk)",
        "50% credible interval",
        "90% credible interval",
    ]
    assert ax.get_xlim() == (0.0, 60.0) and ax.get_ylim()[0] == 0.0
    assert result.hazard_curves["hazard_high"].max() <= ax.get_ylim()[1]
    assert ax.get_yscale() == "linear" and not ax.get_title()
    assert ax.get_ylabel() == "daily hazard, per day\n(missile launch)"
    assert ax.get_xlabel() == "days H after 19 Jan 2022"
    plt.close(fig)


def test_hazard_plot_goes_log_when_a_burst_would_flatten_the_rest(
    result: fo.ScenarioResult,
) -> None:
    h = result.hazard_curves.copy()
    burst = (h["hypothesis"] == "politburo") & (h["day"] <= 3)
    h.loc[burst, ["hazard_mean", "hazard_low50", "hazard_high50", "hazard_high"]] *= 100
    spiky = dataclasses.replace(result, hazard_curves=h)
    fig, (a1, a2) = plt.subplots(1, 2)
    fo.plot_hazard(spiky, ax=a1)
    assert a1.get_yscale() == "log"
    lo, hi = a1.get_ylim()
    assert lo < h["hazard_low"].min() and h["hazard_high"].max() < hi
    fo.plot_hazard(spiky, ax=a2, log=False)
    assert a2.get_yscale() == "linear" and a2.get_ylim()[0] == 0.0
    plt.close(fig)


def test_hazard_ratio_over_time_plot(result: fo.ScenarioResult) -> None:
    fig, ax = plt.subplots()
    fo.plot_hazard(result, "any_missile", ax=ax, ratio=True)
    assert ax.get_yscale() == "log"
    ones = [ln for ln in ax.get_lines() if list(ln.get_ydata()) == [1.0, 1.0]]
    assert len(ones) == 1 and ones[0].get_drawstyle() == "default"  # the line at 1
    steps = [ln for ln in ax.get_lines() if ln.get_drawstyle() == "steps-post"]
    assert len(steps) == 2 and np.allclose(steps[0].get_ydata(), 1.0)
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 2  # 90% only
    lo, hi = ax.get_ylim()
    h = result.hazard_curves
    assert lo < h["ratio_low"].min() and h["ratio_high"].max() < hi
    assert not any(str(ln.get_label()).startswith("base rate") for ln in ax.get_lines())
    assert ax.get_ylabel() == "hazard ratio to baseline\n(missile launch; log scale)"
    with pytest.raises(fo.ModelError, match=r"no outcome 'icbm'"):
        fo.plot_hazard(result, "icbm", ax=ax)
    with pytest.raises(fo.ModelError, match=r"no hazard_curves"):
        fo.plot_hazard(dataclasses.replace(result, hazard_curves=pd.DataFrame()), ax=ax)
    plt.close(fig)


def _events() -> pd.DataFrame:
    rows = [
        ("ML-1", "missile_launch", "2023-11-02", None, None),
        ("ML-2", "missile_launch", "2024-01-14", None, None),
        ("ML-3", "missile_launch", "2024-05-30", None, None),
        ("NT-1", "nuclear_test", "2024-02-01", None, None),
        ("NT-0", "nuclear_test", "2017-09-03", None, None),  # outside the window
        ("SAT-0", "satellite_launch", "2016-02-07", None, None),  # outside the window
        ("P9", "plenary_meeting", "2023-12-26", "2023-12-30", "8th CC, 9th plenary meeting"),
        ("PB20", "politburo_meeting", "2024-05-24", "2024-05-24", "8th CC, 20th Politburo meeting"),
        ("P10", "plenary_meeting", "2024-06-28", "2024-07-01", "8th CC, 10th plenary meeting"),
        ("FS", "military_exercise", "2024-03-04", "2024-03-14", "Freedom Shield 2024"),
        ("UFS", "military_exercise", "2024-08-19", "2024-08-29", "Ulchi Freedom Shield 2024"),
        ("PUTIN", "summit", "2024-06-19", "2024-06-19", "Kim Jong Un – Vladimir Putin"),
    ]
    frame = pd.DataFrame(rows, columns=["event_id", "type", "date", "end_date", "label"])
    frame["date"] = pd.to_datetime(frame["date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return frame


def _num(day: str) -> float:
    return float(mdates.date2num(pd.Timestamp(day)))


def test_timeline_rows_spans_as_of_and_labels() -> None:
    with fo.paper_style("double", height_mm=60):
        _fig, ax = plt.subplots()
        fo.plot_timeline(
            _events(),
            start="2023-10-01",
            end="2024-09-30",
            as_of="2024-07-02",
            forecast_days=90,
            origin="2024-07-01",
            highlight=["P10"],
            ax=ax,
        )
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "missile launch day",
        "nuclear test",
        "party meetings",
        "summits",
    ]  # only the types with events shown, triggers on top, summits named at the bottom
    ticks = [
        (mpl.colors.to_hex(np.asarray(c.get_color()).reshape(-1, 4)[0]), c.get_lineoffset())
        for c in ax.collections
        if isinstance(c, EventCollection)
        for _ in c.get_positions()
    ]
    assert ticks.count((OKABE_ITO[0].lower(), 2.0)) == 3  # missile launch days, top point row
    assert ticks.count((OKABE_ITO[1].lower(), 1.0)) == 1  # the one nuclear test in the window
    assert sum(y == 3.0 for _, y in ticks) == 3 and len(ticks) == 3 + 1 + 3  # meetings on top
    hatched = [p for p in ax.patches if p.get_hatch()]
    shaded = [p for p in ax.patches if not p.get_hatch()]
    assert len(shaded) == 3  # two exercises and a summit
    assert len(hatched) == 1
    x0 = hatched[0].get_x()
    assert x0 == _num("2024-07-02") and x0 + hatched[0].get_width() == _num("2024-09-30")
    as_of = [ln for ln in ax.get_lines() if ln.get_label() == "as of 02 Jul 2024"]
    assert len(as_of) == 1 and as_of[0].get_xdata()[0] == _num("2024-07-02")
    assert ax.get_xlim() == (_num("2023-10-01"), _num("2024-10-01"))
    texts = {t.get_text(): t for t in ax.texts}
    assert set(texts) == {"CC8 P9", "CC8 PB20", "CC8 P10", "Putin 19 Jun"}  # every label fits
    assert all(t.get_fontsize() >= 7 for t in ax.texts)
    assert texts["CC8 P10"].get_color() == OKABE_ITO[1]
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["US–ROK exercise", "summit"]
    assert "forecast window (90 d)" in legend and "as of 02 Jul 2024" in legend
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    ax.figure.canvas.draw()
    months = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert months[:4] == ["Oct 2023", "Nov", "Dec", "2024"]  # every month has its year
    assert not ax.get_title()
    with pytest.raises(fo.DataError, match=r"no event type 'missle_launch' \(did you mean"):
        fo.plot_timeline(_events(), start="2024-01-01", end="2024-02-01", types=["missle_launch"])
    plt.close("all")


def test_timeline_over_fifteen_years_labels_only_what_fits() -> None:
    events = fo.load_events()
    with fo.paper_style("double", height_mm=60):
        fig, ax = plt.subplots()
        fo.plot_timeline(events, start="2012-01-01", end="2026-06-30", as_of="2026-01-01", ax=ax)
        fig.canvas.draw()
    formatter = ax.xaxis.get_major_formatter()
    assert isinstance(formatter, mdates.DateFormatter) and formatter.fmt == "%Y"
    labels = [t.get_text() for t in ax.get_xticklabels() if t.get_text()]
    assert labels[0] == "2012" and len(labels) == 15  # one per year, none skipped or doubled
    meetings = events[
        events["type"].isin(["party_congress", "plenary_meeting", "politburo_meeting"])
    ]
    meetings = meetings[(meetings["date"] >= "2012-01-01") & (meetings["date"] <= "2026-06-30")]
    assert 10 <= len(ax.texts) < len(meetings) / 2  # not every meeting is labelled
    renderer = fig.canvas.get_renderer()
    boxes = [t.get_window_extent(renderer) for t in ax.texts]
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            assert not a.overlaps(b)
    assert all(ax.bbox.x0 <= b.x0 and b.x1 <= ax.bbox.x1 for b in boxes)
    point_rows = [t.get_text() for t in ax.get_yticklabels()]
    assert point_rows == [
        "missile launch day",
        "nuclear test",
        "satellite launch",
        "balloon round",
        "party meetings",
        "summits",
    ]
    plt.close(fig)


def test_scenario_timeline(result: fo.ScenarioResult) -> None:
    _fig, ax = plt.subplots()
    fo.plot_scenario_timeline(result, ax=ax)
    assert ax.get_xlim() == (_num("2014-01-01"), _num("2022-03-21"))  # data.start … origin + 60 d
    (window,) = [p for p in ax.patches if p.get_label() == "forecast window (60 d)"]
    assert window.get_x() == _num("2022-01-20") and window.get_width() == 60
    highlighted = [t for t in ax.texts if t.get_color() == OKABE_ITO[1]]
    assert [t.get_text() for t in highlighted] == ["CC8 PB6"]
    hypothetical = dataclasses.replace(
        result,
        trigger={
            "event_id": None,
            "type": "plenary_meeting",
            "date": "2022-01-15",
            "end_date": "2022-01-18",
            "hypothetical": True,
        },
        origin=pd.Timestamp("2022-01-18"),
    )
    _fig2, ax2 = plt.subplots()
    fo.plot_scenario_timeline(hypothetical, ax=ax2)
    assert [t.get_text() for t in ax2.texts if t.get_color() == OKABE_ITO[1]] == ["plenum?"]
    with pytest.raises(fo.ModelError, match=r"keeps no events"):
        fo.plot_scenario_timeline(dataclasses.replace(result, events=None))
    plt.close("all")


# --- one key per result, labels, misses, quick runs, text sizes (issue 17) ---------------------


def _texts(fig: plt.Figure) -> list[mpl.text.Text]:
    fig.canvas.draw()
    return [t for t in fig.findobj(mpl.text.Text) if t.get_visible() and t.get_text().strip()]


def test_one_hypothesis_one_look_in_every_figure(result: fo.ScenarioResult) -> None:
    from followon.plotting.keys import PALETTE

    with fo.paper_style():
        fig, axes = plt.subplots(2, 2)
        fo.plot_forecast(result, ax=axes[0, 0])
        fo.plot_hazard(result, ax=axes[0, 1])
        fo.plot_hazard_ratios(result, ax=axes[1, 0])
        fo.plot_comparison(result, ax=axes[1, 1])

    def look(ln: mpl.lines.Line2D) -> tuple[str, str]:
        return mpl.colors.to_hex(ln.get_color()), ln.get_marker()

    named = [ln for ax in axes[0] for ln in ax.get_lines() if ln.get_label() == "politburo"]
    forest = [ln for ln in axes[1, 0].get_lines() if ln.get_marker() not in ("None", "")]
    # in the comparison the best (steady) is the top row: politburo is the lower marker
    (ranked,) = [ln for ln in axes[1, 1].get_lines() if ln.get_marker() == "s"]
    # politburo is the scenario's second hypothesis: vermillion squares everywhere, also in
    # the forest plot, where it is the only hypothesis with hazard ratios
    assert {look(ln) for ln in [*named, *forest, ranked]} == {(PALETTE[1].lower(), "s")}
    # two windows and the days before Politburo meetings were catalogued (data from 2014)
    assert len(named) == 2 and len(forest) == 3
    combined = next(ln for ln in axes[0, 0].get_lines() if ln.get_label().startswith("combined"))
    assert combined.get_color() == "black" and combined.get_linestyle() == "-"
    plt.close(fig)


def test_style_map_palette_and_overrides() -> None:
    from followon.plotting.keys import PALETTE, style_map

    names = [f"h{i}" for i in range(8)]
    key = style_map([*names, "combined"])
    pairs = {(s.color, str(s.linestyle), s.marker) for s in key.values()}
    assert len(pairs) == 9  # no two share colour and style
    assert len({(str(key[n].linestyle), key[n].marker) for n in names}) == 8  # style alone
    assert "#F0E442" not in PALETTE and key["combined"].color == "black"
    assert key["h6"].color == PALETTE[0] and key["h6"].linestyle != key["h0"].linestyle
    mine = style_map(names, {"h1": "#000000", "h2": {"linestyle": ":"}})
    assert mine["h1"].color == "#000000" and mine["h2"].linestyle == ":"
    assert mine["h3"] == key["h3"]  # the others keep their place
    with pytest.raises(ValueError, match=r"styles\['h1'\]: unknown key\(s\) colr"):
        style_map(names, {"h1": {"colr": "red"}})


def test_labels_from_the_scenario_reach_figures_and_report(
    result: fo.ScenarioResult, tmp_path: Path
) -> None:
    scenario = result.scenario.model_copy(
        update={
            "labels": {
                "any_missile": "any missile launch",
                "politburo": "Politburo window",
                "politburo_meeting": "PB meeting",
            }
        }
    )
    named = dataclasses.replace(result, scenario=scenario)
    fig, (a1, a2, a3) = plt.subplots(1, 3)
    fo.plot_forecast(named, ax=a1)
    assert a1.get_ylabel() == "P(any missile launch within H days)"
    assert "Politburo window" in [t.get_text() for t in a1.get_legend().get_texts()]
    fo.plot_hazard_ratios(named, ax=a2)
    assert a2.get_yticklabels()[0].get_text().startswith("PB meeting, days 0–30\n")
    assert "Politburo window" in [t.get_text() for t in a2.texts]  # the group header
    fo.plot_hazard_ratios(named, ax=a3, labels={"politburo": "PB"})  # an argument wins
    assert "PB" in [t.get_text() for t in a3.texts]
    plt.close(fig)
    report = render_report(named)
    assert "### any missile launch (any_missile)" in report
    assert "| Politburo window (politburo) |" in report


def test_labels_section_is_checked(tmp_path: Path) -> None:
    from tests.scenarios.test_scenarios import GOOD, write

    ok = write(tmp_path, GOOD + 'labels: {any_missile: "any missile launch", summit: "summit"}\n')
    assert fo.load_scenario(ok).labels["any_missile"] == "any missile launch"
    bad = write(tmp_path, GOOD + "labels: {any_misile: x}\n", "bad.yaml")
    with pytest.raises(fo.ScenarioError, match=r"labels: 'any_misile' names no outcome"):
        fo.load_scenario(bad)


def test_a_miss_is_written_on_the_forecast(result: fo.ScenarioResult) -> None:
    meta = {**result.meta, "first_event_day": {"any_missile": 121}, "observed_until": "2023-01-01"}
    missed = dataclasses.replace(result, meta=meta)
    _fig, ax = plt.subplots()
    fo.plot_forecast(missed, ax=ax)
    texts = [t.get_text() for t in ax.texts]
    assert "no missile launch within 60 d\n(next: day 121) →" in texts
    assert not any(t.startswith("observed") for t in texts)
    partly = dataclasses.replace(result, meta={**meta, "observed_until": "2022-02-28"})
    _fig2, ax2 = plt.subplots()
    fo.plot_forecast(partly, ax=ax2)
    assert "no missile launch in the 40 days observed →" in [t.get_text() for t in ax2.texts]
    plt.close("all")


def test_text_size_legend_placement_and_quick_stamp(
    result: fo.ScenarioResult, tmp_path: Path
) -> None:
    from followon.plotting.figures import QUICK_NOTE

    quick = dataclasses.replace(result, quick=True)
    paths = save_figures(quick, tmp_path)
    assert b"/Subject" in paths[2].read_bytes()  # the forecast PDF: "quick run – not for …"
    for draw in (fo.plot_forecast, fo.plot_hazard, fo.plot_hazard_ratios, fo.plot_comparison):
        with fo.paper_style():
            fig, ax = plt.subplots()
            draw(quick, ax=ax)
            small = [(t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < 7]
            assert small == [], draw.__name__
            assert ax.get_title(loc="right") == QUICK_NOTE
            legend = ax.get_legend()
            if legend is not None:  # never over the data
                box = legend.get_window_extent(fig.canvas.get_renderer())
                assert not box.overlaps(ax.get_window_extent()), draw.__name__
            plt.close(fig)


def test_probabilities_never_print_certainty(result: fo.ScenarioResult) -> None:
    from followon.plotting.keys import fmt_prob

    assert [fmt_prob(p) for p in (0.999, 0.004, 0.5)] == ["> 0.99", "< 0.01", "0.50"]
    params = result.parameters.copy()
    params.loc[params["kind"] == "hazard_ratio", "p_gt_1"] = 0.9996
    fig, ax = plt.subplots()
    fo.plot_hazard_ratios(dataclasses.replace(result, parameters=params), ax=ax)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert all(t.endswith("P(HR > 1) > 0.99") for t in labels) and "1.00" not in "".join(labels)
    plt.close(fig)


def test_comparison_marks_ties_and_lists_what_was_left_out(result: fo.ScenarioResult) -> None:
    comp = result.comparison.copy()
    extra = comp.iloc[[0]].assign(
        hypothesis="first_after",
        elpd=np.nan,
        blocks="not compared: time to first event, no daily likelihood",
    )
    comp = pd.concat([comp, extra], ignore_index=True)
    r = dataclasses.replace(result, comparison=comp)
    fig, ax = plt.subplots()
    fo.plot_comparison(r, ax=ax)
    (note,) = [t.get_text() for t in ax.texts]
    assert "not compared: first after (time to first event, no daily likelihood)" in note
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert any("†" in t for t in ticks) and "not distinguishable" in note
    assert all("[" in t and "–" in t for t in ticks)  # weight with its bootstrap interval
    plt.close(fig)
    report = render_report(r)
    assert "*first_after*: not compared (time to first event, no daily likelihood)." in report
    assert "nan" not in report


def test_paper_style_font() -> None:
    with fo.paper_style(font="DejaVu Sans"):
        assert mpl.rcParams["font.sans-serif"][0] == "DejaVu Sans"
    with (
        pytest.raises(ValueError, match=r"font 'No Such Font' is not installed"),
        fo.paper_style(font="No Such Font"),
    ):
        pass


@pytest.mark.parametrize("figure", ["comparison", "hazard_ratios"])
def test_same_input_same_pdf_bytes_for_the_rest(
    result: fo.ScenarioResult, tmp_path: Path, figure: str
) -> None:
    def draw(stem: Path) -> bytes:
        with fo.paper_style():
            fig, ax = plt.subplots()
            getattr(fo, f"plot_{figure}")(result, ax=ax)
            pdf, _ = save_figure(fig, stem)
            plt.close(fig)
        return pdf.read_bytes()

    assert draw(tmp_path / "a") == draw(tmp_path / "b")


# --- summary figures and plots of library-fitted models ----------------------------------------


def test_at_a_glance_and_combined(result: fo.ScenarioResult) -> None:
    _fig, (a1, a2) = plt.subplots(1, 2)
    fo.plot_at_a_glance(result, ax=a1)
    bars = [p for p in a1.patches if isinstance(p, mpl.patches.Rectangle)]
    assert len(bars) == 3 * 2  # combined, steady, politburo × 30 and 60 days
    f = result.forecast.query("hypothesis == 'combined' and what_if == '' and horizon_days == 30")
    assert bars[0].get_width() == pytest.approx(float(f["p_mean"].iloc[0]))
    texts = [t.get_text() for t in a1.texts]
    assert "within 30 days" in texts and "within 60 days" in texts
    row = f.iloc[0]
    assert f"{100 * row.p_mean:.0f}% ({100 * row.p_low:.0f}%–{100 * row.p_high:.0f}%)" in texts
    from followon.plotting.summary import _pct_interval

    assert _pct_interval(0.95, 0.82, 0.999) == "95% (82% to >99%)"
    assert _pct_interval(0.003, 0.0001, 0.02) == "<1% (<1% to 2%)"
    assert [t.get_text() for t in a1.get_yticklabels()][:3] == [
        "combined",
        "steady",
        "politburo",
    ]
    fo.plot_combined(result, ax=a2)
    legend = [t.get_text() for t in a2.get_legend().get_texts()]
    assert legend[0].startswith("steady: weight ") and "combined" in legend
    no_mix = dataclasses.replace(result, curves=result.curves.query("hypothesis != 'combined'"))
    with pytest.raises(fo.ModelError, match=r"no combined forecast for 'any_missile'"):
        fo.plot_combined(no_mix, ax=a2)
    plt.close("all")


def test_paper_figure_has_three_panels_and_one_key(result: fo.ScenarioResult) -> None:
    with fo.paper_style("double"):
        fig = fo.plot_paper_figure(result)
    assert fig.get_size_inches()[0] == pytest.approx(183 / 25.4)
    axes = [ax for ax in fig.axes if ax.get_title(loc="left")]
    assert [ax.get_title(loc="left") for ax in axes] == ["a", "b", "c"]
    assert axes[1].get_legend() is None and len(fig.legends) == 1
    keys = [t.get_text() for t in fig.legends[0].get_texts()]
    assert keys[:2] == ["steady", "politburo"] and "90% credible interval" in keys
    assert all(t.get_fontsize() >= 7 for t in _texts(fig))
    plt.close(fig)


def test_plots_of_library_fitted_models(result: fo.ScenarioResult) -> None:
    model = result.models[("any_missile", "politburo")]
    curve = model.forecast_curve(result.origin, 60)
    points = model.forecast(result.origin, [30, 60])
    fig, (a1, a2, a3) = plt.subplots(1, 3)
    fo.plot_model_forecast({"politburo": curve, "at 30/60": points}, ax=a1, horizons=[30, 60])
    (line,) = [ln for ln in a1.get_lines() if ln.get_label() == "politburo"]
    np.testing.assert_array_equal(line.get_ydata(), curve["p_mean"])
    assert [t.get_text() for t in a1.get_legend().get_texts()] == ["politburo", "at 30/60"]
    with pytest.raises(fo.ModelError, match=r"forecast table 'model' has no column\(s\) p_low"):
        fo.plot_model_forecast(curve.drop(columns=["p_low"]), ax=a1)
    fo.plot_model_summary(model.summary(), ax=a2, name="politburo")
    labels = [t.get_text() for t in a2.get_yticklabels()]
    assert labels[0].startswith("Politburo meeting, days 0–30\n") and len(labels) == 3
    assert labels[2].startswith("before the Politburo meeting catalogue\n")
    with pytest.raises(fo.ModelError, match=r"no column\(s\) p_gt_1"):
        fo.plot_model_summary(model.summary().drop(columns=["p_gt_1"]), ax=a3)
    plt.close(fig)


def test_timeline_hatches_what_is_not_catalogued_and_fades_provisional_days() -> None:
    events = fo.load_events(overlay=False)
    with fo.paper_style("double", height_mm=62):
        fig, ax = plt.subplots()
        fo.plot_timeline(events, start="2012-01-01", end="2026-08-31", ax=ax)
    rows = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    gaps = [p for p in ax.patches if p.get_hatch() and not p.get_label().startswith("forecast")]
    spans = sorted(
        (round(p.get_y() + p.get_height() / 2, 6), p.get_x(), p.get_x() + p.get_width())
        for p in gaps
    )
    meetings, balloons = rows["party meetings"], rows["balloon round"]
    assert spans == sorted(
        [
            (meetings, _num("2012-01-01"), _num("2016-05-06")),  # plenums and Politburo
            (meetings, _num("2016-05-06"), _num("2021-01-05")),  # Politburo only
            (balloons, _num("2012-01-01"), _num("2024-05-28")),
        ]
    )
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert {
        "not catalogued",
        "not catalogued: plenum, Politburo",
        "not catalogued: Politburo",
        "after observed-until (provisional)",
    } <= set(legend)
    # launch days after the missile table's observed-until (18 Apr 2026) are faded
    faded = [
        c
        for c in ax.collections
        if isinstance(c, EventCollection) and c.get_alpha() is not None and c.get_alpha() < 1
    ]
    (late,) = faded
    launches = events[(events["type"] == "missile_launch") & (events["date"] > "2026-04-18")]
    assert len(late.get_positions()) == len(launches) > 0
    # the key is no wider than the axes
    renderer = fig.canvas.get_renderer()
    assert ax.get_legend().get_window_extent(renderer).width <= ax.bbox.width
    _fig, bare = plt.subplots()
    fo.plot_timeline(events, start="2012-01-01", end="2026-08-31", ax=bare, coverage=None)
    assert not [p for p in bare.patches if p.get_hatch()]
    assert all(c.get_alpha() in (None, 1.0) for c in bare.collections)
    with pytest.raises(fo.DataError, match=r"^coverage\['missile_launch'\]: 'soon' is not a date"):
        fo.plot_timeline(
            events,
            start="2020-01-01",
            end="2021-01-01",
            coverage={"missile_launch": ("soon", None)},
        )
    with pytest.raises(fo.DataError, match=r"^coverage: 'bundled' is not 'catalog'"):
        fo.plot_timeline(events, start="2020-01-01", end="2021-01-01", coverage="bundled")
    plt.close("all")


def test_timeline_marks_the_outcomes_a_row_contains() -> None:
    events = fo.load_events(overlay=False)
    icbm = fo.Outcome("icbm", "missile_launch", subtype=("ICBM",))
    anything = fo.Outcome("any_missile", "missile_launch")
    _fig, ax = plt.subplots()
    fo.plot_timeline(
        events,
        start="2017-01-01",
        end="2017-12-31",
        outcomes=[anything, icbm],
        labels={"icbm": "ICBM launch"},
        ax=ax,
    )
    (marks,) = [ln for ln in ax.get_lines() if ln.get_label() == "ICBM launch"]
    days = icbm.select(events)
    days = days[(days["date"] >= "2017-01-01") & (days["date"] <= "2017-12-31")]
    assert len(days) == 3  # 4 Jul, 28 Jul, 29 Nov 2017
    np.testing.assert_array_equal(marks.get_xdata(), mdates.date2num(days["date"]) + 0.5)
    assert "ICBM launch" in [t.get_text() for t in ax.get_legend().get_texts()]
    assert "any missile" not in [ln.get_label() for ln in ax.get_lines()]  # the whole row
    plt.close("all")


def test_the_forest_plot_leaves_out_a_trends_spline_terms() -> None:
    from followon.plotting.figures import shown_ratios

    params = pd.DataFrame(
        {
            "outcome": ["o"] * 4 + ["p"],
            "kind": ["hazard_ratio"] * 3 + ["baseline", "hazard_ratio"],
            "parameter": ["trend[1]", "plenary_meeting[0-30]", "trend[2]", "rate", "x"],
        }
    )
    assert shown_ratios(params, "o")["parameter"].tolist() == ["plenary_meeting[0-30]"]


def test_summit_labels_name_the_counterpart_by_family_name() -> None:
    from followon.plotting.timeline import _summit_label

    def label(text: str, long: bool = True) -> str:
        return _summit_label({"label": text, "date": "2025-10-09"}, long)

    assert label("Kim Jong Un – Vladimir Putin", long=False) == "Putin 9 Oct"
    assert label("Kim Jong Un – Xi Jinping (Beijing)") == "Xi Oct 2025"
    # a family name that reads as an English word is spelt out
    assert label("Kim Jong Un – To Lam, Pyongyang") == "To Lam Oct 2025"
