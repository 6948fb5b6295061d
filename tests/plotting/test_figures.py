"""Figures from a finished (exact-path) scenario result: artists, labels, scales, bytes."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import pytest
from matplotlib.collections import PolyCollection

import followon as fo
from followon.plotting import OKABE_ITO, save_figure, save_figures
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
    assert labels == ["steady", "politburo", "base rate"]
    bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
    assert len(bands) == 2 * 2  # 50% and 90% per hypothesis
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
    assert ax.get_xlabel() == "days after 19 Jan 2022" and not ax.get_title()
    plt.close(fig)


def test_hazard_ratio_and_comparison_plots(result: fo.ScenarioResult) -> None:
    fig, (a1, a2) = plt.subplots(1, 2)
    fo.plot_hazard_ratios(result, "any_missile", ax=a1)
    assert a1.get_xscale() == "log"
    assert any(ln.get_xdata()[0] == 1.0 for ln in a1.get_lines())  # the line at HR = 1
    labels = [t.get_text() for t in a1.get_yticklabels()]
    assert labels[0].startswith("politburo: politburo_meeting[0-30]\nP(HR > 1) = ")
    fo.plot_comparison(result, ax=a2)
    ticks = [t.get_text() for t in a2.get_yticklabels()]
    assert len(ticks) == 2 and all("(weight " in t for t in ticks)
    with pytest.raises(fo.ModelError, match=r"no outcome 'icbm'"):
        fo.plot_forecast(result, "icbm")
    plt.close(fig)


def test_same_input_same_pdf_bytes(result: fo.ScenarioResult, tmp_path: Path) -> None:
    def draw(stem: Path) -> bytes:
        with fo.paper_style("double"):
            fig, ax = plt.subplots()
            fo.plot_forecast(result, ax=ax)
            pdf, png = save_figure(fig, stem)
            plt.close(fig)
        assert png.exists()
        return pdf.read_bytes()

    first, second = draw(tmp_path / "a"), draw(tmp_path / "b")
    assert first == second
    assert b"/Type /Font" in first and b"Type3" not in first  # TrueType (fonttype 42)


def test_style_is_not_global(result: fo.ScenarioResult) -> None:
    before = mpl.rcParams["font.size"]
    with fo.paper_style():
        assert mpl.rcParams["font.size"] == 7
    assert mpl.rcParams["font.size"] == before


def test_results_folder_has_figures_in_the_report(
    result: fo.ScenarioResult, tmp_path: Path
) -> None:
    paths = save_figures(result, tmp_path / "figs")
    assert len(paths) == 3 * 2  # three figures per outcome, PDF and PNG
    out = fo.write_results(result, tmp_path / "res", save_models=False)
    report = (out / "report.md").read_text()
    assert "![forecast_any_missile](figures/forecast_any_missile.png)" in report
    assert (out / "figures" / "forecast_any_missile.pdf").exists()
