"""CORP reliability diagram: curves, diagonal, bands, sharpness histogram, legend, limits."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.lines import Line2D
from matplotlib.patches import Polygon, Rectangle

import followon as fo
from followon.errors import EvaluationError
from followon.evaluation import corp_decomposition, reliability_curve
from followon.plotting import OKABE_ITO, save_figure
from followon.plotting.reliability import plot_reliability
from tests.evaluation.test_scores import backtest_frame

SEED = 11


@pytest.fixture(autouse=True)
def _close_figures() -> Iterator[None]:
    yield
    plt.close("all")


def forecasts(n: int = 200) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(SEED)
    p = rng.beta(1.5, 4, size=n)
    y = (rng.random(n) < p).astype(float)
    return p, y


def is_diagonal(line: Line2D) -> bool:
    return list(line.get_xdata()) == [0, 1] and list(line.get_ydata()) == [0, 1]


def curves(ax: Axes) -> list[Line2D]:
    return [ln for ln in ax.get_lines() if not is_diagonal(ln)]


def bands(ax: Axes) -> list[PolyCollection]:
    return [c for c in ax.collections if isinstance(c, PolyCollection)]


def test_single_forecaster_from_arrays() -> None:
    p, y = forecasts()
    with fo.paper_style():
        fig, ax = plt.subplots()
        out = plot_reliability(p, y, ax=ax, random_seed=SEED)
        assert fig.get_size_inches()[0] == pytest.approx(89 / 25.4)
    assert out is ax
    assert sum(is_diagonal(ln) for ln in ax.get_lines()) == 1
    (curve,) = curves(ax)
    expected = reliability_curve(p, y, random_seed=np.random.default_rng(SEED))
    np.testing.assert_array_equal(curve.get_xdata(), expected["p"])
    np.testing.assert_array_equal(curve.get_ydata(), expected["p_recal"])
    assert curve.get_drawstyle() == "steps-post"
    assert curve.get_color() == OKABE_ITO[0]
    (band,) = bands(ax)
    ys = band.get_paths()[0].vertices[:, 1]
    assert ys.min() == pytest.approx(expected["low"].min())
    assert ys.max() == pytest.approx(expected["high"].max())
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0)
    assert ax.get_legend() is None and not ax.get_title()
    assert ax.get_xlabel() == "forecast probability"
    # sharpness histogram: 20 bars in an inset, every forecast counted once
    (hax,) = ax.child_axes
    bars = [r for r in hax.patches if isinstance(r, Rectangle)]
    assert len(bars) == 20
    assert sum(b.get_height() for b in bars) == len(p)
    assert hax.get_xlim() == (0.0, 1.0)
    # MCB / DSC / UNC, as computed by the scores
    d = corp_decomposition(p, y)
    (note,) = ax.texts
    assert note.get_text() == (
        f"{len(p)} forecasts\nshaded: 90% consistency band\n"
        f"MCB {d['reliability']:.3f}, DSC {d['resolution']:.3f}, UNC {d['uncertainty']:.3f}"
    )


def test_name_gives_a_legend_and_switches_are_honoured() -> None:
    p, y = forecasts()
    ax = plot_reliability(p, y, hypothesis="politburo", histogram=False, annotate=False)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["politburo"]
    assert len(ax.child_axes) == 0 and "MCB" not in ax.texts[0].get_text()
    assert isinstance(ax, Axes)


def test_same_seed_same_band_other_seed_other_band() -> None:
    p, y = forecasts()
    first, second = plot_reliability(p, y), plot_reliability(p, y)  # default seed: reproducible
    other = plot_reliability(p, y, random_seed=SEED + 1)

    def vertices(ax: Axes) -> np.ndarray:
        return bands(ax)[0].get_paths()[0].vertices

    np.testing.assert_array_equal(vertices(first), vertices(second))
    assert not np.array_equal(vertices(first), vertices(other))


def test_several_hypotheses_from_a_backtest_frame() -> None:
    frame = backtest_frame()
    with fo.paper_style():
        fig, ax = plt.subplots()
        plot_reliability(frame, ax=ax, horizon_days=30)
        assert fig.get_size_inches()[0] == pytest.approx(89 / 25.4)
    lines = curves(ax)
    assert len(lines) == 3
    assert [ln.get_label() for ln in lines] == ["politburo", "steady", "climatology"]
    # each in its place of the style map; climatology, the baseline, dark grey and dotted
    assert [ln.get_color() for ln in lines] == [*OKABE_ITO[:2], "0.3"]
    assert len({str(ln.get_linestyle()) for ln in lines}) == 3  # grayscale-safe
    assert len({ln.get_marker() for ln in lines}) == 3
    assert len(bands(ax)) == 3
    assert sum(is_diagonal(ln) for ln in ax.get_lines()) == 1
    assert [t.get_text() for t in ax.get_legend().get_texts()] == [
        "politburo",
        "steady",
        "climatology",
    ]
    assert ax.get_xlim() == (0.0, 1.0) and ax.get_ylim() == (0.0, 1.0) and not ax.get_title()
    # one outlined histogram per hypothesis, in its colour
    (hax,) = ax.child_axes
    outlines = [q for q in hax.patches if isinstance(q, Polygon)]
    assert len(outlines) == 3
    assert [q.get_edgecolor()[:3] for q in outlines] == [
        *(
            pytest.approx(tuple(int(c[i : i + 2], 16) / 255 for i in (1, 3, 5)))
            for c in OKABE_ITO[:2]
        ),
        pytest.approx((0.3, 0.3, 0.3)),
    ]
    # terms: one line per hypothesis, UNC once (same cases), censored origin left out
    (note,) = ax.texts
    lines_of_text = note.get_text().split("\n")
    y30 = [1, 0, 0, 1, 0]
    d = corp_decomposition([0.6, 0.2, 0.1, 0.5, 0.3], y30)
    assert lines_of_text[0] == ("5 forecasts with overlapping windows")
    assert lines_of_text[1:3] == [
        "shaded: 90% consistency band",
        "(assumes independent forecasts: too narrow here)",
    ]
    assert lines_of_text[3] == (f"politburo: MCB {d['reliability']:.3f}, DSC {d['resolution']:.3f}")
    assert lines_of_text[-1] == f"UNC {0.4 * 0.6:.3f}" and len(lines_of_text) == 7
    # square axes: the diagonal at 45°, legend and scores below
    assert ax.get_box_aspect() == 1
    fig.canvas.draw()
    box = ax.get_window_extent()
    assert box.width == pytest.approx(box.height, rel=1e-6)
    legend = ax.get_legend().get_window_extent()
    assert legend.y1 < box.y0
    assert all(t.get_fontsize() >= 7 for t in [*ax.texts, *ax.get_xticklabels()])


def test_censored_rows_are_not_drawn() -> None:
    frame = backtest_frame()
    ax = plot_reliability(frame, hypothesis="politburo", horizon_days=60)
    (curve,) = curves(ax)
    # origins 4 and 5 are censored at 60 days: four forecasts remain
    np.testing.assert_array_equal(curve.get_xdata(), [0.3, 0.5, 0.7, 0.8])
    bars = [r for r in ax.child_axes[0].patches if isinstance(r, Rectangle)]
    assert sum(b.get_height() for b in bars) == 4


def test_hypothesis_subset_keeps_the_order_asked_for() -> None:
    ax = plot_reliability(backtest_frame(), hypothesis=["steady", "politburo"], horizon_days=30)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["steady", "politburo"]


def test_same_input_same_pdf_bytes(tmp_path: Path) -> None:
    def draw(stem: Path) -> bytes:
        with fo.paper_style():
            fig, ax = plt.subplots()
            plot_reliability(backtest_frame(), ax=ax, horizon_days=60)
            pdf, _ = save_figure(fig, stem)
        return pdf.read_bytes()

    assert draw(tmp_path / "a") == draw(tmp_path / "b")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {},
            r"^the frame has several horizon_days values \(30, 60\); choose one with "
            r"horizon_days=\.$",
        ),
        ({"horizon_days": 90}, r"^no horizon_days 90; the frame has 30, 60\.$"),
        (
            {"horizon_days": 30, "outcome": "any_misile"},
            r"^no outcome 'any_misile' \(did you mean 'any_missile'\?\); the frame has "
            r"any_missile\.$",
        ),
        (
            {"horizon_days": 30, "hypothesis": "politbureau"},
            r"^no hypothesis 'politbureau' \(did you mean 'politburo'\?\); the frame has "
            r"politburo, steady, climatology\.$",
        ),
    ],
)
def test_choosing_from_the_frame(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(EvaluationError, match=message):
        plot_reliability(backtest_frame(), **kwargs)  # type: ignore[arg-type]
    assert plt.get_fignums() == []  # nothing drawn before the error


def test_bad_input_messages() -> None:
    frame = backtest_frame()
    with pytest.raises(
        EvaluationError,
        match=r"^the backtest frame has no column\(s\) 'observed'; a reliability diagram needs "
        r"hypothesis, outcome, horizon_days, p_mean, observed\.$",
    ):
        plot_reliability(frame.drop(columns="observed"))
    with pytest.raises(EvaluationError, match=r"^y is taken from the frame's 'observed' column"):
        plot_reliability(frame, [0, 1])
    with pytest.raises(EvaluationError, match=r"^y \(the observed 0/1 outcomes\) is needed"):
        plot_reliability([0.1, 0.2])
    censored = frame.copy()
    censored.loc[censored["hypothesis"] == "steady", "observed"] = np.nan
    with pytest.raises(
        EvaluationError,
        match=r"^hypothesis 'steady' has no uncensored forecasts to draw \(every observed is NaN\)\.$",
    ):
        plot_reliability(censored, horizon_days=30)
    wrong = frame.copy()
    wrong.loc[0, "p_mean"] = 1.4
    with pytest.raises(
        EvaluationError,
        match=r"^hypothesis 'politburo': p must be probabilities in \[0, 1\]; 1 value\(s\) are not, "
        r"the first 1\.4 at position 0\.$",
    ):
        plot_reliability(wrong, horizon_days=30)
    with pytest.raises(EvaluationError, match=r"^y must be 0 or 1"):
        plot_reliability([0.1, 0.2], [0, 2])
    assert plt.get_fignums() == []


def test_exported() -> None:
    assert fo.plot_reliability is plot_reliability
