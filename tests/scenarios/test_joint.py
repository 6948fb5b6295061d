"""A scenario's joint question: the schema's errors, the censoring, joint.csv against closed forms.

Default tier: the joint fits' NUTS run is replaced by fixed draws (the single-outcome fits are
exact); joint.csv is checked against the day-discrete closed forms of constant hazards and
against a direct loop over the fitted daily hazards. Slow tier: the shipped joint scenario.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.cli import main
from followon.errors import ScenarioError
from followon.evaluation import compare
from followon.hazard import multi
from followon.plotting import plot_first_action
from followon.scenarios.build import check_scenario
from followon.scenarios.joint import first_action_draws, joint_observed
from tests.scenarios.test_scenarios import write

JOINT = """\
name: test-joint
question: After the June 2024 plenum, a missile, a balloon round or a nuclear test - which first?
as_of: 2024-07-02
data: {catalog: dprk, start: 2016-01-01}
trigger: {event_id: WPK-CC8-P10}
outcomes:
  - {id: any_missile, type: missile_launch}
  - {id: balloon_round, type: balloon_launch}
  - {id: nuclear_test, type: nuclear_test}
horizons_days: [30, 90]
hypotheses:
  - id: steady
  - id: plenum
    triggers: [{type: plenary_meeting, cut_days: [0, 30, 90]}]
    sampler: exact
  - id: pooled_meetings
    model: pooled
    triggers:
      - {type: plenary_meeting, cut_days: [0, 30]}
      - {type: politburo_meeting, cut_days: [0, 30]}
joint: {outcomes: [any_missile, balloon_round, nuclear_test], hypotheses: [steady, plenum]}
compare: {method: lfo, origins: 2, block_days: 180}
sampling: {draws: 300, chains: 2, random_seed: 1}
"""

POOLED = """\
  - id: pooled_meetings
    model: pooled
    triggers:
      - {type: plenary_meeting, cut_days: [0, 30]}
      - {type: politburo_meeting, cut_days: [0, 30]}
"""
assert POOLED in JOINT
RUN = JOINT.replace(POOLED, "")  # no NUTS in the default tier: the pooled model only errs here

RATES = np.array([0.03, 0.01, 0.002])


def fixed_joint_sampler(seed: int = 0):
    """Replace the joint fit's NUTS run: baselines near RATES, effects near log 2 and 0."""

    def run(model, *, var_names, draws, chains, **kwargs):
        rng = np.random.default_rng(seed)
        n_o = len(model.coords["outcome"])
        k = len(model.coords.get("covariate") or ())
        values = {
            "baseline_rate": rng.gamma(100.0, 1 / 100.0, (chains, draws, n_o)) * RATES[:n_o],
            "pool_mean": rng.normal(0.3, 0.1, (chains, draws, k)),
            "pool_sd": np.abs(rng.normal(0.2, 0.05, (chains, draws, k))),
        }
        values["beta"] = values["pool_mean"][:, :, None, :] + rng.normal(
            0, 0.1, (chains, draws, n_o, k)
        )
        return {v: values[v] for v in var_names}, {}

    return run


@pytest.fixture(scope="module")
def joint_result(tmp_path_factory: pytest.TempPathFactory) -> fo.ScenarioResult:
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(multi, "sample_pymc_model", fixed_joint_sampler())
        mp.setattr(compare, "BOOTSTRAP_DRAWS", 20)  # the weights' interval is not tested here
        path = write(tmp_path_factory.mktemp("joint"), RUN)
        return fo.run_scenario(fo.load_scenario(path))


# ---------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "[any_missile, balloon_round, nuclear_test]",
            "[any_missile, balloon_rounds]",
            "joint.outcomes[1]: no outcome 'balloon_rounds' (did you mean 'balloon_round'?); "
            "the scenario's outcomes are any_missile, balloon_round, nuclear_test.",
        ),
        (
            "[any_missile, balloon_round, nuclear_test]",
            "[any_missile]",
            "joint.outcomes: name at least two of the scenario's outcomes (any_missile, "
            "balloon_round, nuclear_test).",
        ),
        (
            "[any_missile, balloon_round, nuclear_test]",
            "[any_missile, nuclear_test, any_missile]",
            "joint.outcomes[2]: 'any_missile' is named twice.",
        ),
        (
            "hypotheses: [steady, plenum]",
            "hypotheses: [steady, plenm]",
            "joint.hypotheses[1]: no hypothesis 'plenm' (did you mean 'plenum'?); the "
            "scenario's hypotheses are steady, plenum, pooled_meetings.",
        ),
        (
            "hypotheses: [steady, plenum]",
            "hypotheses: []",
            "joint.hypotheses: name at least one of the scenario's hypotheses (steady, plenum, "
            "pooled_meetings).",
        ),
        (
            "hypotheses: [steady, plenum]",
            "hypotheses: [steady, pooled_meetings]",
            "joint.hypotheses[1]: hypothesis 'pooled_meetings' uses the pooled model, which "
            "cannot fit several outcomes at once; name hypotheses whose model can (piecewise).",
        ),
        (
            "    sampler: exact\n",
            "    sampler: exact\n    priors: {baseline_mean: 0.01}\n",
            "joint.hypotheses[1]: hypothesis 'plenum' sets priors.baseline_mean, one baseline "
            "rate for every outcome; the joint fit centres each outcome's baseline on its own "
            "rate, so remove baseline_mean or leave this hypothesis out of joint.",
        ),
        (
            "joint: {outcomes",
            "joint: {outcome",
            "joint.outcome: unknown key 'outcome' (did you mean 'outcomes'?); allowed: outcomes, "
            "hypotheses (and 1 more problem).",
        ),
    ],
)
def test_bad_joint_sections(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in JOINT
    path = write(tmp_path, JOINT.replace(old, new, 1))
    with pytest.raises(ScenarioError) as info:
        fo.load_scenario(path)
    assert str(info.value) == f"{path}: {message}"
    assert main(["scenario", "validate", str(path)]) == 2


def test_registry_says_which_models_fit_several_outcomes() -> None:
    assert [n for n, c in fo.MODELS.items() if c.multi_outcome] == ["piecewise"]
    from followon.hazard.registry import multi_outcome_model

    assert multi_outcome_model("piecewise") is fo.MultiActionHazard
    with pytest.raises(fo.ModelError) as info:
        multi_outcome_model("hawkes")
    assert str(info.value) == (
        "the hawkes model cannot fit several outcomes at once; models that can: piecewise."
    )


def test_outcomes_observed_until_different_days_are_censored_at_the_earliest(
    tmp_path: Path,
) -> None:
    # ICBMs (missile_launch) and nuclear tests are observed until different days in the catalog
    text = RUN.replace("[any_missile, balloon_round, nuclear_test]", "[any_missile, nuclear_test]")
    plan = check_scenario(fo.load_scenario(write(tmp_path, text)))
    own = {o: plan.tables[(o, "steady")].observed_until for o in ("any_missile", "nuclear_test")}
    assert own["any_missile"] != own["nuclear_test"]
    earliest = min(own.values())
    assert plan.joint is not None and plan.joint.observed_until == earliest
    assert plan.joint.censored == {o: d for o, d in own.items() if d > earliest}
    for tables in plan.joint.tables.values():
        assert {t.observed_until for t in tables.values()} == {earliest}


# ---------------------------------------------------------------------- the run
def test_joint_csv_matches_the_closed_forms_of_constant_hazards(
    joint_result: fo.ScenarioResult,
) -> None:
    joint = joint_result.joint
    assert joint is not None
    model = joint.models["steady"]  # no covariates: each draw's hazards are constant
    lam = model.idata_["posterior"]["baseline_rate"].values.reshape(-1, 3).T  # (outcomes, draws)
    total = lam.sum(axis=0)
    alone = -np.expm1(-lam) * np.exp(-(total - lam))  # o on a day, no other outcome that day
    t = joint.table[joint.table["hypothesis"] == "steady"].set_index(["quantity", "outcome"])
    for H in (30, 90):
        geometric = -np.expm1(-H * total) / -np.expm1(-total)  # Σ_{h=1}^{H} e^{−Λ(h−1)}
        at = t[t["horizon_days"] == H]
        for k, o in enumerate(joint.outcomes):
            want = (alone[k] * geometric).mean()
            assert at.loc[("first", o), "p_mean"] == pytest.approx(want, rel=1e-10)
        tie = ((-np.expm1(-total) - alone.sum(axis=0)) * geometric).mean()
        assert at.loc[("tie", ""), "p_mean"] == pytest.approx(tie, rel=1e-8)
        assert at.loc[("none", ""), "p_mean"] == pytest.approx(np.exp(-H * total).mean())
        assert at.loc[("any", ""), "p_mean"] == pytest.approx(-np.expm1(-H * total).mean())
        # first over the outcomes + tie + none = 1 (in the means)
        parts = at.loc[at.index.get_level_values(0) != "any", "p_mean"]
        assert parts.sum() == pytest.approx(1.0, abs=1e-12)
        # continuous-time approximation λ_A/Λ (1 − e^{−HΛ}) is close but not what is reported
        approx = (lam[0] / total * -np.expm1(-H * total)).mean()
        assert at.loc[("first", "any_missile"), "p_mean"] != pytest.approx(approx, rel=1e-6)
        assert at.loc[("first", "any_missile"), "p_mean"] == pytest.approx(approx, rel=0.05)


def assert_matches_the_fitted_hazards(
    table: pd.DataFrame,
    model: fo.MultiActionHazard,
    hypothesis: str,
    origin: pd.Timestamp,
    trigger: dict | None = None,
) -> None:
    """joint.csv rows of one hypothesis against a day-by-day loop over its fitted hazards.

    With :math:`p_{o,d} = 1 - e^{-\\lambda_{o,d}}` each draw's chance of *o* on day *d*: *o* is
    first on day *d* if nothing happened before, *o* happens and no other outcome does.
    """
    horizons = sorted(int(h) for h in table["horizon_days"].unique())
    _, lam = model.daily_hazards(origin, max(horizons), trigger=trigger)
    n_o, S, _ = lam.shape
    outcomes = list(model.outcomes_)
    t = table[table["hypothesis"] == hypothesis].fillna({"outcome": ""})
    t = t.set_index(["quantity", "outcome"])
    first = np.zeros((n_o, S))
    tie = np.zeros(S)
    nothing_yet = np.ones(S)
    for d in range(max(horizons)):
        p_day = -np.expm1(-lam[:, :, d])  # P(o on day d), independent given the draw
        alone = np.array(
            [p_day[o] * np.prod(np.delete(1 - p_day, o, axis=0), axis=0) for o in range(n_o)]
        )
        any_day = 1 - np.prod(1 - p_day, axis=0)
        first += nothing_yet * alone
        tie += nothing_yet * (any_day - alone.sum(axis=0))
        nothing_yet = nothing_yet * (1 - any_day)
        if d + 1 not in horizons:
            continue
        at = t[t["horizon_days"] == d + 1]
        for k, o in enumerate(outcomes):
            assert at.loc[("first", o), "p_mean"] == pytest.approx(first[k].mean(), rel=1e-9)
            lo, hi = np.quantile(first[k], [0.05, 0.95])
            assert at.loc[("first", o), "p_low"] == pytest.approx(lo, rel=1e-9, abs=1e-15)
            assert at.loc[("first", o), "p_high"] == pytest.approx(hi, rel=1e-9)
        assert at.loc[("tie", ""), "p_mean"] == pytest.approx(tie.mean(), rel=1e-8, abs=1e-15)
        assert at.loc[("none", ""), "p_mean"] == pytest.approx(nothing_yet.mean(), rel=1e-9)
        assert at.loc[("any", ""), "p_mean"] == pytest.approx(1 - nothing_yet.mean(), rel=1e-9)
        # per draw: first + tie + none = 1; and in the means
        np.testing.assert_allclose(first.sum(axis=0) + tie + nothing_yet, 1.0, atol=1e-12)
        assert at.loc[at.index.get_level_values(0) != "any", "p_mean"].sum() == pytest.approx(
            1.0, abs=1e-9
        )


def test_joint_csv_matches_a_loop_over_the_fitted_hazards(
    joint_result: fo.ScenarioResult,
) -> None:
    joint = joint_result.joint
    assert joint is not None
    model = joint.models["plenum"]  # trigger windows: hazards change with the day
    assert_matches_the_fitted_hazards(joint.table, model, "plenum", joint_result.origin)
    # P(any) agrees with MultiActionHazard.forecast
    f = model.forecast(joint_result.origin, [30, 90])
    np.testing.assert_allclose(
        joint.table.query("hypothesis == 'plenum' and quantity == 'any'")["p_mean"],
        f.loc[f["outcome"] == "any", "p_mean"],
        rtol=1e-12,
    )


def test_first_action_draws_sum_to_one_per_draw_and_day() -> None:
    rng = np.random.default_rng(3)
    lam = rng.gamma(0.5, 0.05, size=(3, 40, 25))
    d = first_action_draws(lam, ["a", "b", "c"])
    total = d[("first", "a")] + d[("first", "b")] + d[("first", "c")] + d[("tie", "")]
    np.testing.assert_allclose(total + d[("none", "")], 1.0, atol=1e-12)
    np.testing.assert_allclose(d[("any", "")], 1 - d[("none", "")], atol=1e-12)
    # the last day equals the single-horizon closed form
    one = multi.first_action_probabilities(lam)
    np.testing.assert_allclose(d[("first", "b")][:, -1], one["first"][1], rtol=1e-12)


def test_what_happened() -> None:
    origin, until = pd.Timestamp("2024-07-01"), pd.Timestamp("2024-12-31")
    first = {"a": 5, "b": 5, "c": None}
    assert joint_observed(first, origin, until, 3) == {
        ("any", ""): 0.0,
        ("first", "a"): 0.0,
        ("first", "b"): 0.0,
        ("first", "c"): 0.0,
        ("tie", ""): 0.0,
        ("none", ""): 1.0,
    }
    at5 = joint_observed(first, origin, until, 5)
    assert at5[("tie", "")] == 1.0 and at5[("first", "a")] == 0.0 and at5[("any", "")] == 1.0
    alone = joint_observed({"a": 9, "b": None}, origin, until, 30)
    assert alone[("first", "a")] == 1.0 and alone[("tie", "")] == 0.0
    # a quiet window still open at observed_until is unknown, not "none"
    assert np.isnan(joint_observed({"a": None}, origin, until, 400)[("none", "")])


def test_combined_joint_forecast_and_results_folder(
    joint_result: fo.ScenarioResult, tmp_path: Path
) -> None:
    joint = joint_result.joint
    assert joint is not None and joint.weights is not None
    assert joint.weights.sum() == pytest.approx(1.0)
    t = joint.table
    combined = t[(t["hypothesis"] == "combined") & (t["quantity"] == "any")]
    members = [t[(t["hypothesis"] == h) & (t["quantity"] == "any")] for h in ("steady", "plenum")]
    np.testing.assert_allclose(
        combined["p_mean"].to_numpy(),
        sum(w * m["p_mean"].to_numpy() for w, m in zip(joint.weights, members, strict=True)),
    )
    for _, g in t[t["quantity"] != "any"].groupby(["hypothesis", "horizon_days"]):
        assert g["p_mean"].sum() == pytest.approx(1.0, abs=1e-9)
    # the stacked curves end at P(any)
    c = joint.curves
    top = c[(c["hypothesis"] == "plenum") & (c["kind"] == "tie") & (c["day"] == 90)]
    any90 = t[(t["hypothesis"] == "plenum") & (t["quantity"] == "any") & (t["horizon_days"] == 90)]
    assert float(top["stack_mean"].iloc[0]) == pytest.approx(float(any90["p_mean"].iloc[0]))
    out = tmp_path / "res"
    fo.write_results(joint_result, out, save_models=False)
    written = pd.read_csv(out / "joint.csv", keep_default_na=False, na_values=[""])
    assert list(written.columns) == list(t.columns)
    np.testing.assert_allclose(written["p_mean"], t["p_mean"])
    assert (out / "joint_parameters.csv").is_file()
    assert {p.name for p in (out / "figures").glob("first_action*")} == {
        f"first_action_{h}.{ext}"
        for h in ("steady", "plenum", "combined")
        for ext in ("pdf", "png")
    }
    report = (out / "report.md").read_text()
    assert "## Several actions: any of them, and which comes first" in report
    assert "censored at the earliest" in report
    diag = joint_result.diagnostics
    assert set(diag.loc[diag["outcome"].str.startswith("any:"), "hypothesis"]) == {
        "steady",
        "plenum",
    }


# ---------------------------------------------------------------------- backtest
def test_backtest_scores_p_any_from_the_per_outcome_forecasts(tmp_path: Path) -> None:
    scenario = fo.load_scenario(write(tmp_path, RUN))
    result = fo.backtest(
        scenario,
        origins=["2024-06-10", "2024-07-02", "2024-08-01"],  # balloon rounds began in May 2024
        at_triggers=False,
        n_jobs=1,
        progressbar=False,
        draws=200,
        random_seed=1,
    )
    f = result.forecasts
    label = "any:any_missile+balloon_round+nuclear_test"
    keys = ["origin_date", "hypothesis", "horizon_days"]
    joint_rows = f[f["outcome"] == label].set_index(keys)
    singles = f[f["outcome"].isin(["any_missile", "balloon_round", "nuclear_test"])]
    want = 1 - singles.groupby(keys)["p_mean"].agg(lambda p: np.prod(1 - p.to_numpy()))
    want = want.reindex(joint_rows.index)
    assert set(joint_rows.index.get_level_values("hypothesis")) >= {
        "steady",
        "plenum",
        "climatology",
        "combined",
    }
    members = joint_rows.index.get_level_values("hypothesis") != "combined"
    np.testing.assert_allclose(joint_rows["p_mean"][members], want[members], rtol=1e-12)
    assert joint_rows["p_low"].isna().all()
    # resolved like the others: 1 if any outcome happened, censored while a window is open
    seen = singles.groupby(keys)["observed"].agg(
        lambda y: 1.0 if (y == 1).any() else (0.0 if (y == 0).all() else np.nan)
    )
    np.testing.assert_array_equal(
        joint_rows["observed"][members].to_numpy(), seen.reindex(joint_rows.index)[members]
    )
    scores = result.scores
    assert label in set(scores["outcome"])


def test_first_action_figure_names_a_bad_hypothesis(joint_result: fo.ScenarioResult) -> None:
    with pytest.raises(fo.ModelError) as info:
        plot_first_action(joint_result, "plenm")
    assert str(info.value) == (
        "no joint hypothesis 'plenm' (did you mean 'plenum'?); the joint question has steady, "
        "plenum, combined."
    )


def test_first_action_figure_uses_labels_and_keeps_the_legend_off_the_data(
    joint_result: fo.ScenarioResult,
) -> None:
    import matplotlib.pyplot as plt

    with fo.paper_style():
        fig, ax = plt.subplots()
        plot_first_action(
            joint_result, ax=ax, labels={"balloon_round": "trash balloons", "combined": "all"}
        )
        fig.canvas.draw()
    names = [t.get_text() for t in ax.get_legend().get_texts()]
    assert names == [
        "missile launch first",  # the outcome's default words, not its id any_missile
        "trash balloons first",
        "nuclear test first",
        "same-day tie",
    ]
    assert ax.get_title(loc="left") == "all"
    assert ax.get_ylabel() == "P(first action by day H)\n(top of the stack: P(any))"
    box = ax.get_legend().get_window_extent(fig.canvas.get_renderer())
    assert not box.overlaps(ax.get_window_extent())
    plt.close(fig)
