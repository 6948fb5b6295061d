"""Prior-predictive check: closed form for the conjugate prior, the CLI."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import followon as fo
from followon.cli import main
from tests.evaluation.test_backtest import scenario_file
from tests.hazard.conftest import simulate_events


@pytest.fixture(scope="module")
def path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    events = simulate_events(4000, 0.005, trigger_every=120, window=30, hr_window=8.0, seed=4)
    return scenario_file(tmp_path_factory.mktemp("prior"), events)


def test_prior_predictive_matches_the_gamma_closed_form(path: Path) -> None:
    scenario = fo.load_scenario(path)
    out = fo.scenarios.prior_predictive(scenario, draws=20_000, random_seed=1)
    assert list(out.columns) == [
        "hypothesis",
        "outcome",
        "horizon_days",
        "p_mean",
        "p_low",
        "p_high",
        "p_median",
        "base_rate",
    ]
    assert out["hypothesis"].tolist() == ["steady"] * 2 + ["plenum"] * 2 + ["clustering"] * 2
    steady = out[out["hypothesis"] == "steady"]
    # λ ~ Gamma(a = 2, b = a / r̂) a priori: E[1 − e^{−λH}] = 1 − (b / (b + H))^a
    r = steady["base_rate"].to_numpy()
    h = steady["horizon_days"].to_numpy(dtype=float)
    rate = -np.log1p(-r) / h
    b = 2.0 / rate
    np.testing.assert_allclose(steady["p_mean"], 1 - (b / (b + h)) ** 2, rtol=0.02)
    assert (out["p_low"] < out["p_median"]).all() and (out["p_median"] < out["p_high"]).all()
    # a prior check is not the posterior: the prior interval is far wider
    events = fo.read_events(path.with_name("events.csv"))
    table = fo.build_exposure(
        events,
        fo.Outcome("launch", "missile_launch"),
        start="2000-01-01",
        as_of=scenario.as_of,
        observed_until="2030-01-01",
    )
    post = fo.PiecewiseHazard().fit(table, random_seed=1).forecast("2009-12-01", [10, 30])
    prior_width = (steady["p_high"] - steady["p_low"]).to_numpy()
    assert (prior_width > 3 * (post["p_high"] - post["p_low"]).to_numpy()).all()


def test_prior_check_cli(path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["scenario", "prior-check", str(path), "--seed", "2"]) == 0
    out = capsys.readouterr().out
    assert "under the priors alone" in out and "clustering" in out
    bad = path.with_name("bad.yaml")
    bad.write_text(
        path.read_text().replace("type: plenary_meeting, cut", "type: plenary_meting, cut")
    )
    assert main(["scenario", "prior-check", str(bad)]) == 2
    assert "(did you mean 'plenary_meeting'?)" in capsys.readouterr().err
