"""Posterior predictive checks: p-values with teeth, artists in the shared key, bytes, errors.

Every fit is exact (conjugate) or Laplace; the clustered data come from a discrete-day Hawkes
process, a hawkes model is given its true draws (``with_draws``), never sampled.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PolyCollection

import followon as fo
from followon.plotting import save_figure
from followon.plotting.keys import PALETTE
from tests.hazard.conftest import simulate_events
from tests.scenarios.test_scenarios import GOOD, write

OUT = fo.Outcome("any", "missile_launch")
SPAN = {"start": "2000-01-01", "as_of": "2008-03-01"}
FIT = {"draws": 500, "chains": 2, "random_seed": 1, "progressbar": False}


def clustered(n_days: int, mu: float, eta: float, tau: float, seed: int) -> pd.DataFrame:
    """Launch days of a discrete-day Hawkes process: hazard μ + η K, K ← r K + (1 − r) y."""
    rng = np.random.default_rng(seed)
    r = np.exp(-1.0 / tau)
    k, rows = 0.0, []
    for i, day in enumerate(pd.date_range(SPAN["start"], periods=n_days, freq="D")):
        hit = rng.random() < -np.expm1(-(mu + eta * k))
        k = r * k + (1 - r) * hit
        if hit:
            rows.append({"event_id": f"L{i}", "type": "missile_launch", "date": f"{day:%Y-%m-%d}"})
    return fo.validate_events(pd.DataFrame(rows).assign(source="sim"))


def fit(events: pd.DataFrame, *covariates: object) -> fo.PiecewiseHazard:
    table = fo.build_exposure(events, OUT, covariates=list(covariates), **SPAN)
    sampler = "laplace" if covariates else "exact"
    return fo.PiecewiseHazard(sampler=sampler).fit(table, **FIT)


@pytest.fixture(scope="module")
def steady_data() -> pd.DataFrame:
    return simulate_events(3000, 0.03, seed=1)


@pytest.fixture(scope="module")
def bursts() -> pd.DataFrame:
    return clustered(3000, mu=0.01, eta=0.85, tau=10.0, seed=1)


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> fo.ScenarioResult:
    path = write(tmp_path_factory.mktemp("ppc"), GOOD)
    return fo.run_scenario(fo.load_scenario(path))


def ppp(frame: pd.DataFrame, hypothesis: str, statistic: str) -> float:
    row = frame[(frame["hypothesis"] == hypothesis) & (frame["statistic"] == statistic)]
    return float(row["ppp"].iloc[0])


def test_steady_data_steady_model_is_not_extreme(steady_data: pd.DataFrame) -> None:
    frame = fo.posterior_predictive_check({"steady": fit(steady_data)})
    assert list(frame.columns) == [
        "hypothesis",
        "statistic",
        "x",
        "observed",
        "pred_median",
        "pred_low50",
        "pred_high50",
        "pred_low",
        "pred_high",
        "ppp",
    ]
    for statistic in ("dispersion", "share_gaps_within"):
        assert 0.05 < ppp(frame, "steady", statistic) < 0.95
    assert frame.attrs == {
        "outcome": "any",
        "draws": 400,
        "gap_days": 14,
        "random_seed": 0,
        "one_step": False,
    }


def test_observed_statistics_are_the_data(steady_data: pd.DataFrame) -> None:
    model = fit(steady_data)
    frame = fo.posterior_predictive_check({"steady": model}, gap_days=30)
    data = model.table_.data
    days = pd.DatetimeIndex(data["date"])
    hits = days[data["events"].to_numpy() > 0]
    quarters = frame[frame["statistic"] == "event_days_per_quarter"]
    counts = pd.Series(1, index=hits.to_period("Q")).groupby(level=0).sum()
    want = counts.reindex(pd.PeriodIndex(quarters["x"], freq="Q"), fill_value=0)
    assert quarters["observed"].tolist() == want.astype(float).tolist()
    assert (days.min(), days.max()) == (pd.Timestamp("2000-01-01"), pd.Timestamp("2008-02-29"))
    full = want.iloc[:-1]  # 2008Q1 is covered in part: left out of the dispersion
    (disp,) = frame.loc[frame["statistic"] == "dispersion", "observed"]
    assert disp == pytest.approx(full.var(ddof=1) / full.mean())
    gaps = np.diff(hits.to_numpy()).astype("timedelta64[D]").astype(int)
    (share,) = frame.loc[frame["statistic"] == "share_gaps_within", "observed"]
    assert share == pytest.approx(np.mean(gaps <= 30))
    ecdf = frame[frame["statistic"] == "gap_ecdf"]
    assert ecdf["x"].iloc[0] == 1 and np.all(np.diff(ecdf["observed"].to_numpy(float)) >= 0)
    bands = frame[frame["statistic"] != "dispersion"]
    assert (bands["pred_low"] <= bands["pred_low50"]).all()
    assert (bands["pred_low50"] <= bands["pred_median"]).all()
    assert (bands["pred_high50"] <= bands["pred_high"]).all()


def test_the_check_has_teeth_on_clustered_data(bursts: pd.DataFrame) -> None:
    models = {"steady": fit(bursts), "excitation": fit(bursts, fo.Excitation(decay_days=10))}
    frame = fo.posterior_predictive_check(models)
    assert ppp(frame, "steady", "dispersion") < 0.05
    assert ppp(frame, "steady", "share_gaps_within") < 0.05
    assert 0.05 < ppp(frame, "excitation", "dispersion") < 0.95
    assert 0.05 < ppp(frame, "excitation", "share_gaps_within") < 0.95


def test_one_step_replicates_understate_clustering_even_for_the_truth(
    bursts: pd.DataFrame,
) -> None:
    """A hawkes model given the process' true parameters passes only when events feed back."""
    table = fo.build_exposure(bursts, OUT, **SPAN)
    n = 400
    truth = fo.HawkesHazard().with_draws(
        table,
        {
            "baseline_rate": np.full((1, n), 0.01),
            "beta": np.zeros((1, n, 0)),
            "branching_ratio": np.full((1, n), 0.85),
            "decay_days": np.full((1, n), 10.0),
            "alpha": np.full((1, n), 0.85 * np.expm1(0.1)),
        },
    )
    fed_back = fo.posterior_predictive_check({"truth": truth})
    one_step = fo.posterior_predictive_check({"truth": truth}, one_step=True)
    assert 0.05 < ppp(fed_back, "truth", "dispersion") < 0.95
    assert ppp(one_step, "truth", "dispersion") < 0.05
    # without self-exciting covariates the two replications are the same draws
    steady = {"steady": fit(bursts)}
    pd.testing.assert_frame_equal(
        fo.posterior_predictive_check(steady),
        fo.posterior_predictive_check(steady, one_step=True),
        check_like=True,
        check_exact=True,
    )


def _texts(fig: plt.Figure) -> list[mpl.text.Text]:
    fig.canvas.draw()
    return [t for t in fig.findobj(mpl.text.Text) if t.get_visible() and t.get_text().strip()]


def test_figure_artists_styles_and_labels(result: fo.ScenarioResult) -> None:
    scenario = result.scenario.model_copy(
        update={"labels": {"any_missile": "any missile launch", "politburo": "Politburo window"}}
    )
    named = dataclasses.replace(result, scenario=scenario)
    with fo.paper_style("double", height_mm=90):
        fig = fo.plot_posterior_predictive(named)
        small = [(t.get_text(), t.get_fontsize()) for t in _texts(fig) if t.get_fontsize() < 7]
    assert small == []
    assert len(fig.axes) == 4  # two statistics × two hypotheses
    top, bottom = fig.axes[:2], fig.axes[2:]
    titles = [ax.get_title() for ax in top]
    assert titles[0].startswith("steady\nvar/mean ") and "p " in titles[0]
    assert titles[1].startswith("Politburo window\nvar/mean ")
    assert all(ax.get_title().startswith("gaps ≤ 14 d: ") for ax in bottom)
    assert top[0].get_ylabel() == "any missile launch days\nper quarter"
    assert bottom[0].get_xscale() == "log" and bottom[0].get_ylim() == (0.0, 1.0)
    for j, ax in enumerate(top + bottom):
        colour = PALETTE[j % 2]
        bands = [c for c in ax.collections if isinstance(c, PolyCollection)]
        assert len(bands) == 2  # 50% and 90%, in the hypothesis' colour
        assert all(mpl.colors.to_hex(c.get_facecolor()[0]) == colour.lower() for c in bands)
        colours = [ln.get_color() for ln in ax.get_lines()]
        assert colours.count(colour) == 1 and colours.count("black") == 1  # median, observed
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend == [
        "observed",
        "steady: replicated median",
        "Politburo window: replicated median",
        "50% predictive interval",
        "90% predictive interval",
    ]
    styles = [ln.get_linestyle() for ln in fig.legends[0].get_lines()[1:3]]
    assert styles[0] != styles[1]  # grayscale-safe
    plt.close(fig)


def test_same_input_same_pdf_bytes(result: fo.ScenarioResult, tmp_path: Path) -> None:
    def draw(stem: Path) -> bytes:
        with fo.paper_style("double"):
            fig = fo.plot_posterior_predictive(result, "any_missile", draws=200)
            pdf, png = save_figure(fig, stem)
            plt.close(fig)
        assert png.exists()
        return pdf.read_bytes()

    first, second = draw(tmp_path / "a"), draw(tmp_path / "b")
    assert first == second
    assert b"/Type /Font" in first and b"Type3" not in first


def test_bad_input_names_the_thing_and_what_to_do(
    result: fo.ScenarioResult, steady_data: pd.DataFrame
) -> None:
    with pytest.raises(
        fo.EvaluationError,
        match=r"^no outcome 'any_misile' \(did you mean 'any_missile'\?\); the result has "
        r"any_missile: pass one of them as outcome=\.$",
    ):
        fo.plot_posterior_predictive(result, "any_misile")
    with pytest.raises(fo.EvaluationError, match=r"^no hypothesis 'stedy' \(did you mean"):
        fo.posterior_predictive_check(result, hypotheses=["stedy"])
    with pytest.raises(fo.EvaluationError, match=r"model 'wb' \(PiecewiseHazard\) is not fitted"):
        fo.posterior_predictive_check({"wb": fo.PiecewiseHazard()})
    events = simulate_events(2000, 0.02, trigger_every=180, seed=3)
    table = fo.build_exposure(
        events, OUT, covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))], **SPAN
    )
    tte = fo.WeibullTTE().fit(table, **FIT)
    with pytest.raises(
        fo.EvaluationError,
        match=r"^model 'weibull' \(WeibullTTE\) has no daily posterior predictive: its hazard "
        r"runs in time since one trigger, not over the days of the table; leave it out of the "
        r"check \(hypotheses=\[\.\.\.\]\)\.$",
    ):
        fo.plot_posterior_predictive({"steady": fit(steady_data), "weibull": tte})
    # from a result, a model without one is left out unless named
    mixed = dataclasses.replace(result, models={**result.models, ("any_missile", "wb"): tte})
    frame = fo.posterior_predictive_check(mixed)
    assert list(dict.fromkeys(frame["hypothesis"])) == ["steady", "politburo"]
    with pytest.raises(fo.EvaluationError, match=r"^model 'wb' \(WeibullTTE\) has no daily"):
        fo.posterior_predictive_check(mixed, hypotheses=["steady", "wb"])
    with pytest.raises(fo.EvaluationError, match=r"draws and gap_days must be ≥ 1"):
        fo.posterior_predictive_check({"steady": fit(steady_data)}, draws=0)
    assert plt.get_fignums() == []  # a refused input leaves no empty figure
