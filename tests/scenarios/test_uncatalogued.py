"""Days before a trigger type is catalogued are unknown, not quiet: an era of their own."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.events.catalog import catalog_path
from followon.scenarios.build import covariates_from_spec, uncatalogued_eras
from tests.hazard.conftest import simulate_events

ROOT_SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"


def test_catalogued_from_comes_from_the_manifest_for_every_bundled_type() -> None:
    manifest = json.loads(catalog_path().joinpath("manifest.json").read_text(encoding="utf-8"))
    first = fo.catalogued_from()
    for table in manifest["tables"]:
        for t in table["types"]:
            assert first[t] == pd.Timestamp(table["catalogued_from"][t])
            assert first[t] <= fo.observed_until(t, overlay=False)
    assert set(first) == set(fo.observed_until(overlay=False))
    assert first["plenary_meeting"] == pd.Timestamp("2016-05-06")  # the 7th Congress
    assert first["politburo_meeting"] == pd.Timestamp("2021-01-05")  # the 8th Congress
    assert first["balloon_launch"] == pd.Timestamp("2024-05-28")
    events = fo.load_events(overlay=False)
    plenums = events[events["type"] == "plenary_meeting"]
    assert plenums["date"].min() >= first["plenary_meeting"]


def _hypotheses(name: str) -> dict[str, list[fo.Era]]:
    scenario = fo.load_scenario(f"{ROOT_SCENARIOS}/{name}.yaml")
    events = fo.load_events(overlay=False)
    return {
        h.id: [c for c in covariates_from_spec(h, scenario, events) if isinstance(c, fo.Era)]
        for h in scenario.hypotheses
    }


def test_trigger_hypotheses_get_an_era_for_the_uncatalogued_days() -> None:
    eras = _hypotheses("politburo-2022-01")  # data from 2012, Politburo meetings from 2021
    (era,) = eras["politburo"]
    # the 7th CC's 22nd Politburo meeting (29 Dec 2020) is in the table: the era ends before it
    assert (era.name, era.start, era.end) == (
        "politburo_meeting[uncatalogued]",
        "2012-01-01",
        "2020-12-28",
    )
    assert eras["background"] == [] and eras["steady"] == []  # no trigger windows, no era
    pooled = _hypotheses("plenum-2024-06")["pooled_meetings"]
    assert [(e.name, e.end) for e in pooled] == [
        ("plenary_meeting[uncatalogued]", "2016-05-05"),
        ("politburo_meeting[uncatalogued]", "2020-12-28"),
    ]  # congresses (none 1980-2016) and summits (none before 2018) are complete
    joint = _hypotheses("plenum-2024-06-joint")["plenum"]  # data from 2016-01-01
    assert [(e.start, e.end) for e in joint] == [("2016-01-01", "2016-05-05")]


def test_no_era_when_the_data_start_after_the_catalogue_or_come_from_a_file() -> None:
    scenario = fo.load_scenario(f"{ROOT_SCENARIOS}/politburo-2022-01.yaml")
    later = scenario.model_copy(
        update={"data": scenario.data.model_copy(update={"start": "2021-01-05"})}
    )
    assert uncatalogued_eras(["politburo_meeting"], later) == []
    earlier = scenario.model_copy(
        update={"data": scenario.data.model_copy(update={"start": "2021-01-04"})}
    )
    (era,) = uncatalogued_eras(["politburo_meeting"], earlier)
    assert (era.start, era.end) == ("2021-01-04", "2021-01-04")
    own = scenario.model_copy(
        update={"data": scenario.data.model_copy(update={"catalog": None, "file": "x.csv"})}
    )
    assert uncatalogued_eras(["politburo_meeting"], own) == []


@pytest.mark.parametrize("with_era", [True, False])
def test_the_era_recovers_a_window_effect_the_gap_would_dilute(with_era: bool) -> None:
    # true hazard: 0.02 a day, ×3 in the 30 days after each meeting (every 60 days), 20 years;
    # the catalogue keeps only the meetings from 2010 on
    events = simulate_events(20 * 365, 0.02, trigger_every=60, window=30, hr_window=3.0, seed=4)
    events["date"] = pd.to_datetime(events["date"])
    events = events[(events["type"] != "plenary_meeting") | (events["date"] >= "2010-01-01")]
    covariates: list[fo.Covariate] = [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))]
    if with_era:
        covariates.append(fo.Era("plenary_meeting[uncatalogued]", "2000-01-01", "2009-12-31"))
    table = fo.build_exposure(
        events,
        fo.Outcome("l", "missile_launch"),
        start="2000-01-01",
        as_of="2019-12-01",
        observed_until="2030-01-01",
        covariates=covariates,
    )
    model = fo.PiecewiseHazard(sampler="exact").fit(table, random_seed=1)
    s = model.summary()
    hr = s.loc["plenary_meeting[0-30]"]
    if with_era:
        assert hr["low"] < 3.0 < hr["high"]  # recovered
        # the era's level is the average over windows and gaps: (1 + 31/60 · 2) ≈ 2.0× the
        # rate outside windows
        era = s.loc["plenary_meeting[uncatalogued]"]
        assert era["low"] < 1 + 31 / 60 * 2 < era["high"]
    else:
        assert hr["high"] < 2.5  # the uncatalogued windows count as quiet: diluted
    assert np.isfinite(hr["median"])
