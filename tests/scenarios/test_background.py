"""A scenario's shared ``background:``: merged into every hypothesis, refused where it cannot go."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import followon as fo
from followon.errors import ScenarioError
from followon.reports.scenario import render_report
from followon.scenarios.build import check_scenario

HEAD = """\
name: bg
question: A launch within 30 or 60 days of the June 2025 plenum?
as_of: 2025-06-24
data: {catalog: dprk, start: 2014-01-01}
trigger: {event_id: WPK-CC8-P12}
outcomes:
  - {id: any_missile, type: missile_launch}
horizons_days: [30, 60]
compare: {method: lfo, origins: 2, block_days: 180}
sampling: {draws: 400, chains: 2, random_seed: 3}
"""

SHARED = """\
background:
  trend_df: 3
  self_excitation: {decay_days: 14}
  triggers: [{type: politburo_meeting, cut_days: [0, 30]}]
hypotheses:
  - id: steady
    sampler: laplace
  - id: plenum
    sampler: laplace
    triggers: [{type: plenary_meeting, cut_days: [0, 30, 90]}]
  - id: plain
    sampler: exact
    background: false
"""

SPELLED_OUT = """\
hypotheses:
  - id: steady
    sampler: laplace
    trend_df: 3
    self_excitation: {decay_days: 14}
    triggers: [{type: politburo_meeting, cut_days: [0, 30]}]
  - id: plenum
    sampler: laplace
    trend_df: 3
    self_excitation: {decay_days: 14}
    triggers:
      - {type: politburo_meeting, cut_days: [0, 30]}
      - {type: plenary_meeting, cut_days: [0, 30, 90]}
  - id: plain
    sampler: exact
"""


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> tuple[fo.Scenario, object, object]:
    folder = tmp_path_factory.mktemp("bg")
    shared = fo.load_scenario(write(folder, HEAD + SHARED, "shared.yaml"))
    spelled = fo.load_scenario(write(folder, HEAD + SPELLED_OUT, "spelled.yaml"))
    return shared, check_scenario(shared), check_scenario(spelled)


def test_background_is_the_same_as_spelling_it_out(plans: tuple) -> None:
    _, shared, spelled = plans
    assert shared.tables.keys() == spelled.tables.keys()
    for key, table in shared.tables.items():
        other = spelled.tables[key]
        assert table.covariate_names == other.covariate_names, key
        np.testing.assert_array_equal(
            table.data[table.covariate_names].to_numpy(),
            other.data[other.covariate_names].to_numpy(),
        )
    names = shared.tables[("any_missile", "plenum")].covariate_names
    assert any(n.startswith("plenary_meeting") for n in names)
    assert any(n.startswith("politburo_meeting") for n in names)
    assert any("excitation" in n for n in names)
    assert any("trend" in n for n in names)
    assert shared.tables[("any_missile", "plain")].covariate_names == []


def test_a_hypothesis_key_replaces_the_background_key(tmp_path: Path) -> None:
    text = HEAD + SHARED.replace(
        "  - id: plain\n",
        "  - id: own\n    sampler: laplace\n    trend_df: 5\n"
        "    triggers: [{type: politburo_meeting, cut_days: [0, 60, 90]}]\n  - id: plain\n",
    )
    scenario = fo.load_scenario(write(tmp_path, text))
    merged = scenario.hypotheses[2].with_background(scenario.background)
    assert merged.trend_df == 5
    assert merged.self_excitation is not None and merged.self_excitation.decay_days == 14
    assert [t.cut_days for t in merged.triggers] == [[0, 60, 90]]


@pytest.mark.parametrize(
    ("hypothesis", "message"),
    [
        (
            "  - id: hk\n    model: hawkes\n",
            "hypotheses[1] 'hk' (model hawkes): the hawkes model fits its own self-excitation, "
            "so it cannot take the background's self_excitation; add `background: false` to this "
            "hypothesis and state the rest of the background in it.",
        ),
        (
            "  - id: wb\n    model: weibull\n    triggers: [{type: plenary_meeting}]\n",
            "hypotheses[1] 'wb' (model weibull): the weibull model has no covariates, so it "
            "cannot take the scenario's background; add `background: false` to this hypothesis.",
        ),
    ],
)
def test_a_background_a_model_cannot_take_is_refused(
    tmp_path: Path, hypothesis: str, message: str
) -> None:
    text = HEAD + (
        "background: {self_excitation: {decay_days: 14}}\n"
        "hypotheses:\n  - id: steady\n" + hypothesis
    )
    path = write(tmp_path, text)
    with pytest.raises(ScenarioError) as err:
        fo.load_scenario(path)
    assert str(err.value).startswith(f"{path}: {message}")


def test_the_background_triggers_count_towards_a_pooled_model(tmp_path: Path) -> None:
    pooled = "  - {id: pooled, model: pooled, triggers: [{type: plenary_meeting}]}\n"
    text = HEAD + SHARED.split("hypotheses:")[0] + "hypotheses:\n  - id: steady\n" + pooled
    scenario = fo.load_scenario(write(tmp_path, text))
    merged = scenario.hypotheses[1].with_background(scenario.background)
    assert [t.type for t in merged.triggers] == ["politburo_meeting", "plenary_meeting"]
    # without the background's trigger (or with background: false) one entry is too few
    for alone in (
        HEAD + "hypotheses:\n  - id: steady\n" + pooled,
        text.replace("model: pooled,", "model: pooled, background: false,"),
    ):
        with pytest.raises(ScenarioError, match=r"hypotheses\[1\]: the pooled model pools"):
            fo.load_scenario(write(tmp_path, alone))
    # a background entry of the same type is replaced, and the merged hypothesis has one
    same = text.replace("{type: plenary_meeting}", "{type: politburo_meeting}")
    with pytest.raises(
        ScenarioError,
        match=r"hypotheses\[1\] 'pooled' \(model pooled\): with the scenario's background: "
        r"the pooled model pools",
    ):
        fo.load_scenario(write(tmp_path, same))


def test_unknown_background_key(tmp_path: Path) -> None:
    path = write(tmp_path, HEAD + "background: {trend: 3}\nhypotheses:\n  - id: steady\n")
    with pytest.raises(
        ScenarioError, match=r"background.trend: unknown key 'trend' \(did you mean 'trend_df'"
    ):
        fo.load_scenario(path)


def test_background_is_in_the_report(tmp_path: Path) -> None:
    text = HEAD + (
        "background: {triggers: [{type: politburo_meeting, cut_days: [0, 30]}]}\n"
        "hypotheses:\n  - id: steady\n    sampler: exact\n"
        "  - id: plain\n    sampler: exact\n    background: false\n"
    )
    result = fo.run_scenario(fo.load_scenario(write(tmp_path, text)))
    report = render_report(result)
    assert (
        "**Background.** Every hypothesis includes politburo_meeting windows, except plain "
        "(`background: false`); each hypothesis' own covariates are added to it." in report
    )
    assert result.models[("any_missile", "steady")].table_.covariate_names == [
        "politburo_meeting[0-30]",
        "politburo_meeting[uncatalogued]",  # data from 2014, Politburo meetings from 2021
    ]
    assert result.models[("any_missile", "plain")].table_.covariate_names == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "background: [trend_df]\nhypotheses:\n  - id: steady\n",
            "background: expected a mapping of keys (triggers, spans, self_excitation, season, "
            "eras, trend_df), e.g. {key: value}; not ['trend_df'].",
        ),
        (
            "background: {self_excitation: 14}\nhypotheses:\n  - id: steady\n",
            "background.self_excitation: expected a mapping of keys (decay_days, cut_days, "
            "recent_days), e.g. {key: value}; not 14.",
        ),
        (
            "background: {triggers: {type: plenary_meeting}}\nhypotheses:\n  - id: steady\n",
            "background.triggers: expected a list, e.g. [a, b] or one `- item` per line; not "
            "{'type': 'plenary_meeting'}.",
        ),
        (
            "hypotheses:\n  - {id: steady, background: no_thanks}\n",
            "hypotheses[0].background: expected true or false; not no_thanks.",
        ),
    ],
)
def test_a_background_of_the_wrong_shape_says_what_is_expected(
    tmp_path: Path, text: str, message: str
) -> None:
    path = write(tmp_path, HEAD + text)
    with pytest.raises(ScenarioError) as err:
        fo.load_scenario(path)
    assert str(err.value) == f"{path}: {message}"


def test_bayes_factors_test_a_hypothesis_against_the_largest_one_nested_in_it(
    plans: tuple,
) -> None:
    import dataclasses

    from followon.scenarios.runner import nested_null

    _, shared, _ = plans
    tables = {h: t for (_, h), t in shared.tables.items()}
    fitted = {h: fo.PiecewiseHazard() for h in tables}
    for h, m in fitted.items():
        m.method_ = "exact" if h == "plain" else "laplace-is"
    plenum = tables["plenum"].covariate_names
    added = [c for c in plenum if c not in tables["steady"].covariate_names]
    assert added and all(c.startswith("plenary_meeting") for c in added)
    # plenum = background (here named steady) + its windows: tested on the windows alone
    assert nested_null("plenum", fitted, tables) == ("steady", added)
    # the background-only hypothesis against the one without covariates: every coefficient
    assert nested_null("steady", fitted, tables) == ("plain", None)
    assert nested_null("plain", fitted, tables) == (None, None)
    # a covariate of the same name but other values (a trend of other df, say) is not nested
    other = tables["steady"].data.copy()
    other[tables["steady"].covariate_names[0]] += 1.0
    changed = {**tables, "steady": dataclasses.replace(tables["steady"], data=other)}
    assert nested_null("plenum", fitted, changed) == ("plain", None)
    # an exact fit is tested only against a hypothesis without covariates
    fitted["plenum"].method_ = "exact"
    assert nested_null("plenum", fitted, tables) == ("plain", None)
