"""Event study (issue 17): Kaplan–Meier of past triggers' aftermath against each model's curve."""

from __future__ import annotations

from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import followon as fo
from followon.evaluation.event_study import implied_incidence, kaplan_meier, trigger_durations
from followon.plotting import save_figure
from tests.scenarios.test_scenarios import GOOD, write

OUT = fo.Outcome("l", "missile_launch")


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> fo.ScenarioResult:
    path = write(tmp_path_factory.mktemp("es"), GOOD)  # steady and politburo windows, exact
    return fo.run_scenario(fo.load_scenario(path))


# ------------------------------------------------------------------------- Kaplan–Meier
def test_kaplan_meier_by_hand() -> None:
    km = kaplan_meier([2, 3, 3, 5, 8], [1, 1, 0, 1, 0])
    assert km["day"].tolist() == [0, 2, 3, 5, 8]
    assert km["at_risk"].tolist() == [5, 5, 4, 2, 1]
    assert km["events"].tolist() == [0, 1, 1, 1, 0]
    assert km["censored"].tolist() == [0, 0, 1, 0, 1]
    # S = 4/5, then × 3/4, then × 1/2
    np.testing.assert_allclose(km["incidence"], [0, 0.2, 0.4, 0.7, 0.7])
    # Greenwood at day 5: Σ d/(n(n−d)) = 1/20 + 1/12 + 1/2; log(−log) interval
    s, green = 0.3, 1 / 20 + 1 / 12 + 1 / 2
    sigma = np.sqrt(green) / abs(np.log(s))
    z = stats.norm.ppf(0.95)
    row = km[km["day"] == 5].iloc[0]
    assert row["low"] == pytest.approx(1 - s ** np.exp(-z * sigma))
    assert row["high"] == pytest.approx(1 - s ** np.exp(z * sigma))
    assert row["low"] < 0.7 < row["high"]
    assert km.loc[0, ["low", "high"]].tolist() == [0.0, 0.0]


def test_kaplan_meier_interval_covers_the_truth() -> None:
    """Exponential waits (mean 20 d) censored at uniform times: the 90% band covers S(15)."""
    rng = np.random.default_rng(3)
    truth = 1 - np.exp(-15 / 20)
    hits = 0
    for _ in range(400):
        wait, stop = rng.exponential(20, 40).round() + 1, rng.uniform(5, 80, 40).round()
        km = kaplan_meier(np.minimum(wait, stop), wait <= stop)
        row = km[km["day"] <= 15].iloc[-1]
        hits += row["low"] <= truth <= row["high"]
    assert 0.85 <= hits / 400 <= 0.95


@pytest.mark.parametrize(
    ("durations", "observed", "message"),
    [
        ([1, 2], [1], r"durations and observed must be 1-d of one length, not \(2,\) and \(1,\)"),
        ([], [], "kaplan_meier needs at least one duration"),
        ([1, -2], [1, 1], "durations must be finite and ≥ 0 days"),
        ([1, 2], [1, 2], r"observed must be 0/1 \(or booleans\)"),
    ],
)
def test_kaplan_meier_bad_input(durations: list, observed: list, message: str) -> None:
    with pytest.raises(fo.ModelError, match=message):
        kaplan_meier(durations, observed)


# --------------------------------------------------------------------- past triggers
def _events(rows: list[tuple[str, str, str | None]]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [
            {
                "event_id": f"e{i}",
                "type": t,
                "date": pd.Timestamp(d),
                "end_date": pd.Timestamp(e) if e else pd.NaT,
                "source": "test",
            }
            for i, (t, d, e) in enumerate(rows)
        ]
    )
    return fo.validate_events(frame) if hasattr(fo, "validate_events") else frame


def test_trigger_durations_by_hand() -> None:
    events = _events(
        [
            ("plenary_meeting", "2020-01-01", "2020-01-03"),  # ends 3 Jan: launch 10 Jan → 7 d
            ("missile_launch", "2020-01-02", None),  # during the meeting: not after its end
            ("missile_launch", "2020-01-10", None),
            ("plenary_meeting", "2020-03-01", None),  # launch 1 Apr → 31 d
            ("missile_launch", "2020-04-01", None),
            ("plenary_meeting", "2020-05-01", None),  # nothing after: censored at 30 Jun → 60 d
            ("plenary_meeting", "2019-06-01", None),  # before the table starts: left out
        ]
    )
    table = fo.build_exposure(
        events, OUT, start="2020-01-01", as_of="2020-07-01", observed_until="2030-01-01"
    )
    got = trigger_durations(table, "plenary_meeting")
    assert got["event_id"].tolist() == ["e0", "e3", "e5"]
    assert got["duration_days"].tolist() == [7, 31, 60]
    assert got["observed"].tolist() == [1, 1, 0]
    with pytest.raises(fo.ModelError, match="no summit trigger between 2020-01-01 and 2020-06-30"):
        trigger_durations(table, "summit")


def test_a_steady_models_curve_is_its_forecast(result: fo.ScenarioResult) -> None:
    """Without covariates every origin gives the same P(d): the curve equals the forecast."""
    model = result.models[("any_missile", "steady")]
    origins = ["2019-01-01", "2020-06-01"]
    curve = implied_incidence(model, origins, 60)
    forecast = model.forecast("2019-01-01", [30, 60])
    got = curve.set_index("day").loc[[30, 60], "p_mean"].to_numpy()
    np.testing.assert_allclose(got, forecast["p_mean"], atol=0.005)  # draws vs closed form
    assert curve["p_mean"].iloc[0] == 0.0 and curve["p_mean"].is_monotonic_increasing
    assert (curve["p_low"] <= curve["p_mean"]).all() and (curve["p_mean"] <= curve["p_high"]).all()


def test_event_study_of_a_result(result: fo.ScenarioResult) -> None:
    study = fo.event_study(result)
    assert study.trigger_type == "politburo_meeting" and study.max_days == 60
    d = study.durations
    assert (d["origin_date"] < result.origin).all() and len(d) >= 3
    assert set(study.implied["hypothesis"]) == {"steady", "politburo"} and not study.skipped
    # the Kaplan–Meier curve is the durations' empirical CDF when nothing is censored
    if d["observed"].all():
        at30 = study.km[study.km["day"] <= 30]["incidence"].iloc[-1]
        assert at30 == pytest.approx((d["duration_days"] <= 30).mean())
    assert repr(study).startswith(f"EventStudy(any_missile after {len(d)} politburo_meeting")
    with pytest.raises(fo.ModelError, match=r"outcome 'icbm' is not in the result"):
        fo.event_study(result, "icbm")
    with pytest.raises(fo.ModelError, match="hypothesis 'nope' has no fit for any_missile"):
        fo.event_study(result, hypotheses=["nope"])
    no_trigger = type("R", (), {"models": result.models, "trigger": {}, "scenario": None})()
    with pytest.raises(fo.ModelError, match="the scenario has no trigger: pass trigger_type="):
        fo.event_study(no_trigger)
    no_models = type("R", (), {"models": {}})()
    with pytest.raises(fo.ModelError, match="the result has no fitted models"):
        fo.event_study(no_models)


def test_event_study_figure(result: fo.ScenarioResult, tmp_path: Path) -> None:
    from followon.plotting.keys import PALETTE

    def draw(stem: Path) -> tuple[bytes, plt.Figure, plt.Axes]:
        with fo.paper_style():
            fig, ax = plt.subplots()
            fo.plot_event_study(result, ax=ax, labels={"politburo": "Politburo window"})
            pdf, _png = save_figure(fig, stem)
        return pdf.read_bytes(), fig, ax

    first, fig, ax = draw(tmp_path / "a")
    assert first == draw(tmp_path / "b")[0]
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    n = len(fo.event_study(result).durations)
    assert names == [
        f"past Politburo meetings (n = {n}), Kaplan–Meier",
        "its 90% interval",
        "steady",
        "Politburo window",
    ]
    colours = [mpl.colors.to_hex(ln.get_color()) for ln in ax.get_lines() if ln.get_xdata()[0] == 0]
    assert colours[:3] == ["#000000", PALETTE[0].lower(), PALETTE[1].lower()]
    assert ax.get_xlabel().startswith("days d after a past Politburo meeting ended\n")
    assert f"{n} at 0 d" in ax.get_xlabel()
    fig.canvas.draw()
    small = [
        t.get_text() for t in fig.findobj(mpl.text.Text) if t.get_text() and t.get_fontsize() < 7
    ]
    assert small == []
    box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    assert not box.overlaps(ax.get_window_extent())
    plt.close("all")
