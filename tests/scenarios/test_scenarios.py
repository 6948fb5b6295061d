"""Scenario files: one exact error per kind of bad input, the run, the results folder, the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.cli import main
from followon.errors import ScenarioError
from followon.scenarios import runner, stacking_weights
from tests.conftest import REPO

SHIPPED = sorted((REPO / "scenarios").glob("*.yaml"))

GOOD = """\
name: test-politburo
question: ICBM within 30/60 days of the 19 Jan 2022 Politburo meeting?
as_of: 2022-01-20
data: {catalog: dprk, start: 2014-01-01}
trigger: {event_id: WPK-CC8-PB6}
outcomes:
  - {id: any_missile, type: missile_launch}
horizons_days: [60, 30]
hypotheses:
  - id: steady
  - id: politburo
    triggers: [{type: politburo_meeting, cut_days: [0, 30, 60]}]
    sampler: exact
what_if:
  - id: drills
    spans: [{type: military_exercise, start: 2022-03-07, end: 2022-03-17}]
compare: {method: lfo, origins: 3, block_days: 120}
sampling: {draws: 500, chains: 2, random_seed: 1}
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_validate(path: Path) -> None:
    scenario = fo.load_scenario(path)
    assert scenario.name == path.stem
    assert scenario.source_sha256


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "horizons_days: [60, 30]",
            "horizon_days: [60, 30]",
            "horizon_days: unknown key 'horizon_days' (did you mean 'horizons_days'?); allowed: name, "
            "question, as_of, data, trigger, outcomes, horizons_days, hypotheses, background, what_if, "
            "compare, "
            "sampling, joint, labels (and 1 more problem).",
        ),
        (
            "cut_days: [0, 30, 60]",
            "cut_days: [30, 0]",
            "hypotheses[1].triggers[0].cut_days: must be at least two increasing whole numbers of "
            "days, e.g. [0, 30, 60].",
        ),
        (
            "cut_days: [0, 30, 60]}]",
            "cut_days: [0, 30, 60], overlap: lastest}]",
            "hypotheses[1].triggers[0].overlap: 'lastest' is not allowed (did you mean 'latest'?); "
            "expected 'latest' or 'any'.",
        ),
        (
            "as_of: 2022-01-20",
            "as_of: 2022-01-32",
            "as_of: Input should be a valid date or datetime, day value is outside expected range.",
        ),
        (
            "horizons_days: [60, 30]",
            "horizons_days: [60, 0]",
            "horizons_days: horizons must be whole numbers of days ≥ 1, not 0.",
        ),
        (
            "  - id: politburo",
            "  - id: steady",
            "hypotheses: id 'steady' is used twice; ids must be unique.",
        ),
        (
            "  - id: steady\n",
            "  - id: steady\n    model: piecwise\n",
            "hypotheses[0].model: unknown model 'piecwise' (did you mean 'piecewise'?); registered: "
            f"{', '.join(fo.scenarios.MODELS)}.",
        ),
        (
            "  - id: steady\n",
            "  - id: steady\n    model: hawkes\n    sampler: exact\n",
            "hypotheses[0]: sampler 'exact' is not available for model hawkes; use one of auto, "
            "metropolis, laplace, laplace-is.",
        ),
        (
            "  - id: steady\n",
            "  - id: steady\n    model: hawkes\n    options: {decay_mediam: 10}\n",
            "hypotheses[0]: options: 'decay_mediam' (did you mean 'decay_median'?) is not a setting "
            "of model hawkes; allowed: branching_prior, decay_median, decay_sd_log.",
        ),
        (
            "  - id: steady\n",
            "  - id: steady\n    model: hawkes\n    self_excitation: {decay_days: 14}\n",
            "hypotheses[0]: the hawkes model fits its own self-excitation (branching ratio and "
            "decay); remove self_excitation from this hypothesis.",
        ),
        (
            "    sampler: exact\n",
            "    model: pooled\n",
            "hypotheses[1]: the pooled model pools the window effects of several trigger types; "
            "give at least two triggers entries (e.g. plenary_meeting and politburo_meeting).",
        ),
        (
            "  - id: steady\n",
            "  - id: steady\n    model: weibull\n",
            "hypotheses[0]: the weibull model times the first outcome after each trigger; give one "
            "triggers entry, e.g. triggers: [{type: plenary_meeting}].",
        ),
        (
            "type: missile_launch}",
            "type: missile_lanch}",
            "outcomes[0].type: 'missile_lanch' is not allowed (did you mean 'missile_launch'?); "
            "expected 'missile_launch', 'nuclear_test', 'satellite_launch', 'balloon_launch', "
            "'summit', 'party_congress', 'plenary_meeting', 'politburo_meeting' or "
            "'military_exercise'.",
        ),
        (
            "question: ICBM within 30/60 days of the 19 Jan 2022 Politburo meeting?\n",
            "",
            "question: missing; this key is required.",
        ),
    ],
)
def test_bad_scenarios(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError) as info:
        fo.load_scenario(path)
    assert str(info.value) == f"{path}: {message}"


def test_not_yaml(tmp_path: Path) -> None:
    path = write(tmp_path, "name: [unclosed\n  question: x")
    with pytest.raises(
        ScenarioError,
        match=r"s\.yaml: not a YAML file \(line \d+\); a scenario is a YAML mapping\.",
    ):
        fo.load_scenario(path)
    path = write(tmp_path, "- a list\n")
    with pytest.raises(ScenarioError, match="a scenario is a YAML mapping of keys"):
        fo.load_scenario(path)


def test_unknown_trigger_event(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("WPK-CC8-PB6", "WPK-CC8-PB66"))
    with pytest.raises(ScenarioError) as info:
        fo.run_scenario(fo.load_scenario(path))
    assert str(info.value) == (
        f"{path}: trigger.event_id: 'WPK-CC8-PB66' is not in the event history "
        "(did you mean 'WPK-CC8-PB6'?)."
    )


def test_outcome_matching_nothing(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD.replace(
            "{id: any_missile, type: missile_launch}",
            "{id: nuke, type: nuclear_test, where: {outcome: [failure]}}",
        ),
    )
    with pytest.raises(
        ScenarioError,
        match=r"outcome 'nuke', hypothesis 'steady': outcome 'nuke' .* matches no events",
    ):
        fo.run_scenario(fo.load_scenario(path))


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> fo.ScenarioResult:
    path = write(tmp_path_factory.mktemp("scen"), GOOD)
    return fo.run_scenario(fo.load_scenario(path))


def test_run_forecasts_and_compares(result: fo.ScenarioResult) -> None:
    f = result.forecast
    assert list(f.columns[:7]) == [
        "hypothesis",
        "outcome",
        "what_if",
        "horizon_days",
        "p_mean",
        "p_low",
        "p_high",
    ]
    assert len(f) == 3 * 2 * 2  # (hypotheses + combined) × what-ifs (none, drills) × horizons
    base = f[(f["what_if"] == "") & (f["hypothesis"] == "steady")].set_index("horizon_days")
    assert base.loc[30, "p_mean"] < base.loc[60, "p_mean"]
    assert (f["p_low"] <= f["p_mean"]).all() and (f["p_mean"] <= f["p_high"]).all()
    assert set(f["observed"]) == {1.0}  # launches on 27 and 30 Jan 2022
    assert result.origin == pd.Timestamp("2022-01-19")
    c = result.comparison
    assert list(c["hypothesis"]) == ["steady", "politburo"]
    assert c["weight"].sum() == pytest.approx(1.0)
    assert c["d_elpd"].min() == 0.0
    assert c["blocks"].iloc[0].count(",") == 2  # three leave-future-out blocks
    assert set(result.diagnostics["method"]) == {"exact"}
    # the stacking optimiser stops within ~1e-5 of a corner (0.99999 vs the bootstrap's 1.0)
    assert (c["weight_low"] <= c["weight"] + 1e-4).all()
    assert (c["weight"] <= c["weight_high"] + 1e-4).all()


def test_combined_forecast_is_the_weighted_mixture(result: fo.ScenarioResult) -> None:
    """`combined` = Σ_h w_h p_h(H) in the mean; its interval spans the members' draws."""
    f = result.forecast.set_index(["hypothesis", "what_if", "horizon_days"])
    w = result.comparison.set_index("hypothesis")["weight"]
    for what_if in ("", "drills"):
        for horizon in (30, 60):
            expected = sum(w[h] * f.loc[(h, what_if, horizon), "p_mean"] for h in w.index)
            row = f.loc[("combined", what_if, horizon)]
            assert row["p_mean"] == pytest.approx(expected, rel=1e-12)
            low = min(f.loc[(h, what_if, horizon), "p_low"] for h in w.index)
            high = max(f.loc[(h, what_if, horizon), "p_high"] for h in w.index)
            assert low - 1e-12 <= row["p_low"] <= row["p_mean"] <= row["p_high"] <= high + 1e-12
    curve = result.curves[(result.curves["hypothesis"] == "combined")]
    assert len(curve) == 2 * 60  # what-ifs × days
    assert (np.diff(curve[curve["what_if"] == ""]["p_mean"]) >= 0).all()


def test_results_folder(result: fo.ScenarioResult, tmp_path: Path) -> None:
    out = fo.write_results(result, tmp_path / "res")
    names = {p.name for p in out.iterdir()}
    assert names == {
        "forecast.csv",
        "comparison.csv",
        "curves.csv",
        "hazard_curves.csv",
        "diagnostics.csv",
        "forecast.json",
        "report.md",
        "scenario.yaml",
        "models",
        "bayes_factors.csv",
        "parameters.csv",
        "figures",
        ".followon-results",
    }
    marker = json.loads((out / ".followon-results").read_text())
    assert marker["kind"] == "scenario" and marker["followon_version"] == fo.__version__
    assert marker["created"].endswith("Z")
    record = json.loads((out / "forecast.json").read_text())
    assert record["question"].startswith("ICBM within") and record["as_of"] == "2022-01-20"
    assert record["followon_version"] == fo.__version__
    assert len(record["scenario_sha256"]) == 64 and len(record["data_sha256"]) == 64
    assert len(record["forecasts"]) == len(result.forecast)
    assert record["base_rate"] == result.meta["base_rate"]  # the climatology's daily rate
    report = (out / "report.md").read_text()
    assert "| steady |" in report and "leave-future-out" in report
    loaded = fo.PiecewiseHazard.load(
        out / "models" / "any_missile__politburo.nc",
        result.models[("any_missile", "politburo")].table_,
    )
    assert loaded.method_ == "exact"
    assert list(tmp_path.iterdir()) == [out]  # no temporary folders left


def test_failed_write_leaves_no_folder_and_keeps_the_old_one(
    result: fo.ScenarioResult, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "res"
    fo.write_results(result, out, save_models=False)
    before = (out / "forecast.csv").read_text()

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(fo.PiecewiseHazard, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        fo.write_results(result, out)
    assert (out / "forecast.csv").read_text() == before
    with pytest.raises(OSError):
        fo.write_results(result, tmp_path / "new")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_write_results_refuses_a_folder_it_did_not_write(
    result: fo.ScenarioResult, tmp_path: Path
) -> None:
    thesis = tmp_path / "thesis"
    thesis.mkdir()
    (thesis / "thesis.tex").write_text("\\documentclass{book}", encoding="utf-8")
    with pytest.raises(fo.OutputError) as exc:
        fo.write_results(result, thesis, save_models=False)
    assert str(exc.value) == (
        f"{thesis}: is a folder followon did not write (no .followon-results marker in it); it "
        "is left untouched. Choose another --out folder, or pass --force to replace it and "
        "everything in it."
    )
    assert [p.name for p in thesis.iterdir()] == ["thesis.tex"]
    assert (thesis / "thesis.tex").read_text(encoding="utf-8") == "\\documentclass{book}"
    # a file is refused and unchanged
    notes = tmp_path / "notes.txt"
    notes.write_text("keep me", encoding="utf-8")
    with pytest.raises(fo.OutputError, match=r"notes.txt: is a file, not a results folder; it"):
        fo.write_results(result, notes, save_models=False)
    assert notes.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "thesis"]
    # force replaces either
    fo.write_results(result, thesis, save_models=False, force=True)
    assert not (thesis / "thesis.tex").exists() and (thesis / "report.md").exists()
    fo.write_results(result, notes, save_models=False, force=True)
    assert (notes / "forecast.csv").exists()
    # a results folder (marked) is replaced whole; an empty folder is written into
    (thesis / "stale.csv").write_text("old", encoding="utf-8")
    fo.write_results(result, thesis, save_models=False)
    assert not (thesis / "stale.csv").exists() and (thesis / ".followon-results").exists()
    empty = tmp_path / "empty"
    empty.mkdir()
    fo.write_results(result, empty, save_models=False)
    assert (empty / "forecast.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "notes.txt", "thesis"]


def test_cli_exit_codes_and_no_folder_on_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = write(tmp_path, GOOD, "good.yaml")
    bad = write(tmp_path, GOOD.replace("as_of", "asof"), "bad.yaml")
    assert main(["scenario", "validate", str(good)]) == 0
    assert "good.yaml: ok, 1 outcome(s) × 2 hypothesis(es)" in capsys.readouterr().out
    out = tmp_path / "results"
    assert main(["run", str(good), str(bad), "--out", str(out), "--quick"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        f"followon: error: {bad}: asof: unknown key 'asof' (did you mean 'as_of'?)"
    )
    assert not out.exists()  # every file is checked before anything is fitted


def test_cli_run_writes_the_folder(tmp_path: Path) -> None:
    good = write(tmp_path, GOOD, "good.yaml")
    out = tmp_path / "results"
    exe = Path(sys.executable).parent / "followon"
    proc = subprocess.run(
        [str(exe), "run", str(good), "--out", str(out), "--no-models"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert f"report at {out / 'report.md'}" in proc.stdout
    assert (out / "forecast.csv").exists() and not (out / "models").exists()


def test_stacking_weights() -> None:
    rng = np.random.default_rng(0)
    dominant = np.column_stack([np.zeros(10), np.full(10, -3.0)])
    assert stacking_weights(dominant)[0] > 0.99
    # two models each best on half the points: both get weight
    mixed = np.column_stack(
        [np.r_[np.zeros(5), np.full(5, -5.0)], np.r_[np.full(5, -5.0), np.zeros(5)]]
    )
    w = stacking_weights(mixed + rng.normal(0, 0.01, mixed.shape))
    assert w == pytest.approx([0.5, 0.5], abs=0.05)


@pytest.mark.slow
@pytest.mark.filterwarnings("ignore::followon.errors.ConvergenceWarning")  # quick: in diagnostics
@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_shipped_scenarios_run_in_quick_mode(
    path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / path.stem
    kept: dict = {}
    real_run_joint = runner.run_joint

    def keep(*args, **kwargs):  # the joint fits, to check joint.csv against their hazards
        kept.update(origin=args[3], trigger=args[4], result=real_run_joint(*args, **kwargs))
        return kept["result"]

    monkeypatch.setattr(runner, "run_joint", keep)
    assert main(["run", str(path), "--out", str(out), "--quick", "--no-models"]) == 0
    forecast = pd.read_csv(out / "forecast.csv")
    scenario = fo.load_scenario(path)
    compared = [h.id for h in scenario.hypotheses if fo.get_model(h.model).daily_likelihood]
    combined = {"combined"} if len(compared) >= 2 else set()
    assert set(forecast["hypothesis"]) == {h.id for h in scenario.hypotheses} | combined
    assert set(forecast["horizon_days"]) == set(scenario.horizons_days)
    assert forecast["p_mean"].between(0, 1).all()
    comparison = pd.read_csv(out / "comparison.csv")
    for _, group in comparison.groupby("outcome"):
        assert group["weight"].sum() == pytest.approx(1.0)
    assert (out / "report.md").read_text().startswith(f"# {scenario.name}")
    if scenario.joint is not None:
        from tests.scenarios.test_joint import assert_matches_the_fitted_hazards

        joint = pd.read_csv(out / "joint.csv", keep_default_na=False, na_values=[""])
        assert set(joint["hypothesis"]) == {*scenario.joint.hypotheses, "combined"}
        for h, model in kept["result"].models.items():
            assert_matches_the_fitted_hazards(joint, model, h, kept["origin"], kept["trigger"])
        assert (out / "figures" / "first_action_combined.pdf").is_file()


def test_savage_dickey_matches_the_closed_form_for_an_exact_fit(
    simulated_events: pd.DataFrame,
) -> None:
    from scipy.special import gammaln

    from followon.evaluation.bayes_factors import kass_raftery, savage_dickey

    table = fo.build_exposure(
        simulated_events,
        fo.Outcome("l", "missile_launch"),
        start="2000-01-01",
        as_of="2010-12-01",
        covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))],
        observed_until="2030-01-01",
    )
    model = fo.PiecewiseHazard(sampler="exact").fit(table, draws=5000, chains=4, random_seed=1)
    a = model.baseline_shape
    (a0, a1), (b0, b1) = model.posterior_gamma_["shape"], model.posterior_gamma_["rate"]
    # prior: β = log of a ratio of iid Gamma(a, ·): density at 0 = Γ(2a) / (Γ(a)² 4^a)
    prior0 = np.exp(gammaln(2 * a) - 2 * gammaln(a) - a * np.log(4))
    # posterior density of log(λ1/λ0) at 0 = ∫ x Gamma(x; a1, b1) Gamma(x; a0, b0) dx
    post0 = np.exp(
        a1 * np.log(b1)
        + a0 * np.log(b0)
        + gammaln(a1 + a0)
        - gammaln(a1)
        - gammaln(a0)
        - (a1 + a0) * np.log(b1 + b0)
    )
    assert savage_dickey(model) == pytest.approx(prior0 / post0, rel=1e-9)
    # a Monte Carlo check from the posterior draws: density of β at 0 by a Gaussian KDE
    from scipy.stats import gaussian_kde

    draws = model.idata_["posterior"]["beta"].values.reshape(-1)
    assert gaussian_kde(draws)(0.0)[0] == pytest.approx(post0, rel=0.25)
    assert kass_raftery(25.0) == "strong evidence for the effect"
    assert kass_raftery(1 / 200) == "very strong evidence against the effect"
    assert kass_raftery(2.0) == "not worth more than a bare mention"


def test_savage_dickey_for_mcmc_draws(
    simulated_events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scipy.stats import norm

    from followon.evaluation.bayes_factors import savage_dickey
    from followon.hazard import piecewise

    def fake(X, y, exposure, a, b, mu, sd, names, *, draws, chains, random_seed, **kwargs):
        rng = np.random.default_rng(random_seed)
        return (
            {
                "baseline_rate": rng.gamma(400.0, 0.02 / 400.0, size=(chains, draws)),
                "beta": rng.normal(0.8, 0.3, size=(chains, draws, 1)),
            },
            {"diverging": np.zeros((chains, draws), bool)},
        )

    monkeypatch.setattr(piecewise, "sample_glm", fake)
    table = fo.build_exposure(
        simulated_events,
        fo.Outcome("l", "missile_launch"),
        start="2000-01-01",
        as_of="2010-12-01",
        covariates=[fo.Excitation(7.0)],
        observed_until="2030-01-01",
    )
    model = fo.PiecewiseHazard(beta_sd=2.0, sampler="numpyro").fit(
        table, draws=4000, chains=2, random_seed=2
    )
    expected = norm(0, 2.0).pdf(0) / norm(0.8, 0.3).pdf(0)
    assert savage_dickey(model) == pytest.approx(expected, rel=0.1)


def test_bayes_factors_in_the_result(result: fo.ScenarioResult) -> None:
    bf = result.bayes_factors
    assert list(bf["hypothesis"].unique()) == ["politburo"] and set(bf["versus"]) == {"steady"}
    assert list(bf["prior_scale"]) == [0.5, 1.0, 2.0]
    assert bf["beta_prior_sd"].is_monotonic_increasing
    assert (bf["bf10"] > 0).all()


def test_psis_loo_comparison(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD.replace(
            "compare: {method: lfo, origins: 3, block_days: 120}", "compare: {method: psis-loo}"
        ),
    )
    result = fo.run_scenario(fo.load_scenario(path))
    c = result.comparison
    assert set(c["method"]) == {"psis-loo"} and c["weight"].sum() == pytest.approx(1.0)
    assert (c["se"] > 0).all() and c["d_elpd"].min() == 0.0
    assert (c["pareto_k_high"] >= 0).all()
    # every model kept its per-day log-likelihood for LOO
    model = result.models[("any_missile", "steady")]
    assert model.idata_["log_likelihood"]["events"].shape[-1] == len(model.table_.data)


def test_bundled_scenarios_are_the_shipped_files() -> None:
    assert sorted(fo.bundled_scenarios()) == sorted(p.stem for p in SHIPPED)


def _answer_of(weights: list[float], d_elpd: list[float], dse: list[float]) -> str:
    """The report's answer lines for three hypotheses with these comparison figures."""
    from types import SimpleNamespace

    from followon.reports.scenario import _answer

    names = ["a", "b", "c"]
    forecast = pd.DataFrame(
        [
            {"outcome": "launch", "hypothesis": h, "what_if": "", "horizon_days": hz,
             "status": "forecast", "p_mean": p, "p_low": p - 0.05, "p_high": p + 0.05}
            for h, p30 in zip([*names, "combined"], [0.5, 0.6, 0.7, 0.5], strict=True)
            for hz, p in ((30, p30), (60, p30 + 0.2))
        ]
    )  # fmt: skip
    comparison = pd.DataFrame(
        {"outcome": "launch", "hypothesis": names, "weight": weights, "d_elpd": d_elpd,
         "dse": dse, "weight_low": 0.0, "weight_high": 1.0, "weights": "stacking",
         "method": "lfo", "blocks": "2023-07-08, 2024-01-04"}
    )  # fmt: skip
    return "\n".join(_answer(SimpleNamespace(forecast=forecast, comparison=comparison)))


def test_answer_cautions_when_the_weights_pick_one_of_hypotheses_not_told_apart() -> None:
    text = _answer_of([1.0, 0.0, 0.0], [0.0, 1.3, 9.0], [0.0, 2.0, 1.0])
    assert text.startswith(
        "**Answer (launch).** 50% (45%–55%) within 30 days; 70% (65%–75%) within 60 days — the "
        "combined forecast: the compared hypotheses mixed by their stacking weights (a 1.00 "
        "(0.00–1.00), b 0.00 (0.00–1.00), c 0.00 (0.00–1.00); 90% bootstrap intervals). Wide "
        "weight intervals mean the comparison cannot choose.\n"
    )
    # c is clearly worse (9.0 ± 1.0), so only b is in the caution and its range
    assert (
        "**Caution (launch).** The weights give a 1.00, but the comparison cannot tell it from b "
        "(elpd differences under 4 or within 2 standard errors): this answer is one hypothesis' "
        "forecast, chosen on 2 held-out blocks, and its interval leaves out the doubt about "
        "which hypothesis is right. Those "
        "hypotheses forecast 50%–60% within 30 days; 70%–80% within 60 days (posterior means). "
        "`compare: {weights: pseudo-bma+}` mixes them by weights averaged over that doubt."
    ) in text
    # no caution when the weights are spread, or when every other hypothesis is clearly worse
    assert "Caution" not in _answer_of([0.9, 0.1, 0.0], [0.0, 1.3, 9.0], [0.0, 2.0, 1.0])
    assert "Caution" not in _answer_of([1.0, 0.0, 0.0], [0.0, 5.0, 9.0], [0.0, 2.0, 1.0])


def test_savage_dickey_of_some_coefficients_is_their_marginal_ratio() -> None:
    from types import SimpleNamespace

    from scipy.stats import multivariate_normal, norm

    from followon.evaluation.bayes_factors import savage_dickey

    rng = np.random.default_rng(11)
    cov = np.array([[0.09, 0.05], [0.05, 0.16]])
    draws = rng.multivariate_normal([0.8, -0.2], cov, size=200_000)
    model = SimpleNamespace(
        table_=SimpleNamespace(covariate_names=["a", "b"]),
        method_="numpyro",
        idata_={"posterior": {"beta": SimpleNamespace(values=draws.reshape(2, -1, 2))}},
        prior_={"beta_mean": np.array([0.0, 0.1]), "beta_sd": np.array([1.0, 2.0])},
    )
    # the coefficient b alone: its prior and posterior marginals at 0
    expected_b = norm(0.1, 2.0).pdf(0) / norm(-0.2, 0.4).pdf(0)
    assert savage_dickey(model, ["b"]) == pytest.approx(expected_b, rel=0.01)
    both = multivariate_normal([0.0, 0.1], np.diag([1.0, 4.0])).pdf([0, 0])
    joint = both / multivariate_normal([0.8, -0.2], cov).pdf([0, 0])
    assert savage_dickey(model) == pytest.approx(joint, rel=0.02)
    assert savage_dickey(model, ["a", "b"]) == savage_dickey(model)
    with pytest.raises(ValueError, match=r"^no coefficient c; the model has a, b\.$"):
        savage_dickey(model, ["c"])
