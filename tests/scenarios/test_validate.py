"""`followon scenario validate` does everything `run` does short of fitting, and they agree."""

from __future__ import annotations

from pathlib import Path

import pytest

import followon as fo
from followon.cli import main
from followon.errors import ScenarioError
from followon.scenarios import runner
from followon.scenarios.build import check_scenario
from tests.scenarios.test_scenarios import GOOD, write

SUMMIT = GOOD.replace(
    "  - id: politburo\n    triggers: [{type: politburo_meeting, cut_days: [0, 30, 60]}]\n",
    "  - id: summit\n    triggers: [{type: summit, cut_days: [0, 30, 60]}]\n",
).replace(
    "compare: {method: lfo, origins: 3, block_days: 120}",
    "compare: {method: lfo, origins: 6, block_days: 365}",
)

BAD = {
    "unknown-event-id": (
        GOOD.replace("WPK-CC8-PB6", "WPK-CC8-PB66"),
        "trigger.event_id: 'WPK-CC8-PB66' is not in the event history (did you mean "
        "'WPK-CC8-PB6'?).",
    ),
    "missing-data-file": (
        GOOD.replace(
            "{catalog: dprk, start: 2014-01-01}",
            "{file: gone.csv, start: 2014-01-01, observed_until: 2022-01-19}",
        ),
        "data.file: {folder}/gone.csv does not exist; give a CSV or Parquet event file (a "
        "relative path is read from the scenario's folder).",
    ),
    "data-file-is-a-folder": (
        GOOD.replace(
            "{catalog: dprk, start: 2014-01-01}",
            "{file: ., start: 2014-01-01, observed_until: 2022-01-19}",
        ),
        "data.file: {folder} is a folder; give a CSV or Parquet event file (a relative path is "
        "read from the scenario's folder).",
    ),
    "data-file-without-observed-until": (
        GOOD.replace("{catalog: dprk, start: 2014-01-01}", "{file: gone.csv, start: 2014-01-01}"),
        "data: a data file needs observed_until: the last day its events are complete for "
        "(e.g. observed_until: 2025-12-31); later days are not fitted.",
    ),
    "exact-with-a-trend": (
        GOOD.replace("    sampler: exact\n", "    sampler: exact\n    trend_df: 2\n"),
        "outcome 'any_missile', hypothesis 'politburo' (model piecewise): sampler='exact' needs "
        "no covariates or only disjoint 0/1 indicators (each day in at most one of "
        "politburo_meeting[0-30], politburo_meeting[31-60], politburo_meeting[uncatalogued], "
        "trend[1], trend[2]); use an MCMC sampler for this design.",
    ),
    "live-after-observed-until": (
        GOOD.replace("as_of: 2022-01-20", "as_of: 2026-05-01"),
        "as_of 2026-05-01: outcome 'any_missile' (missile_launch) is observed only until "
        "2026-04-18, but a question asked as of 2026-05-01 needs every day up to 2026-04-30. "
        "Set as_of to 2026-04-19 or earlier, or add the missing days (`followon data add "
        "FILE`; docs/data-updates.md).",
    ),
    "no-trigger-after-observed-until": (
        GOOD.replace("as_of: 2022-01-20", "as_of: 2026-04-20").replace(
            "trigger: {event_id: WPK-CC8-PB6}\n", ""
        ),
        "as_of 2026-04-20: outcome 'any_missile' (missile_launch) is observed only until "
        "2026-04-18, but a question asked as of 2026-04-20 needs every day up to 2026-04-19. "
        "Set as_of to 2026-04-19 or earlier, or add the missing days (`followon data add "
        "FILE`; docs/data-updates.md).",
    ),
    "live-after-given-observed-until": (
        GOOD.replace("as_of: 2022-01-20", "as_of: 2022-03-01").replace(
            "start: 2014-01-01}", "start: 2014-01-01, observed_until: 2022-02-01}"
        ),
        "as_of 2022-03-01: outcome 'any_missile' (missile_launch) is observed only until "
        "2022-02-01, but a question asked as of 2022-03-01 needs every day up to 2022-02-28. "
        "Set as_of to 2022-02-02 or earlier, or add the missing days (`followon data add "
        "FILE`; docs/data-updates.md).",
    ),
    "summit-before-2018": (
        SUMMIT,
        "outcome 'any_missile', hypothesis 'summit', comparison block from 2016-01-22: the "
        "refit on the days before it fails: covariate 'summit': no summit events in the event "
        "history; check the type, tags and filters. Lower compare.origins or "
        "compare.block_days so that every block starts after the first such event.",
    ),
    "outcome-matching-nothing": (
        GOOD.replace(
            "{id: any_missile, type: missile_launch}",
            "{id: nuke, type: nuclear_test, where: {outcome: [failure]}}",
        ),
        "outcome 'nuke', hypothesis 'steady': outcome 'nuke' (nuclear_test, outcome in failure, "
        "counted as days) matches no events between 2014-01-01 and 2022-01-19; check the type, "
        "subtype and filters, or widen the window.",
    ),
    "too-little-history": (
        GOOD.replace("start: 2014-01-01", "start: 2021-01-01"),
        "compare: not enough history for 3 leave-future-out blocks of 120 days after a year "
        "of training data; lower compare.origins or compare.block_days.",
    ),
    "unknown-filter-column": (
        GOOD.replace(
            "{id: any_missile, type: missile_launch}",
            "{id: any_missile, type: missile_launch, where: {colour: [red]}}",
        ),
        "outcome 'any_missile', hypothesis 'steady': outcome 'any_missile': no column "
        "'colour' to filter on.",
    ),
}


@pytest.fixture
def no_fitting(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> list[str]:
        raise AssertionError("a bad scenario reached fitting")

    monkeypatch.setattr(runner, "_fit", refuse)


@pytest.mark.usefixtures("no_fitting")
@pytest.mark.parametrize("case", sorted(BAD))
def test_validate_and_run_refuse_alike(
    case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, message = BAD[case]
    path = write(tmp_path, text)
    expected = f"followon: error: {path}: {message.format(folder=tmp_path.resolve())}\n"
    assert main(["scenario", "validate", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err == expected and "ok" not in captured.out
    out = tmp_path / "results"
    assert main(["run", str(path), "--out", str(out)]) == 2
    captured = capsys.readouterr()
    assert captured.err == expected
    assert not out.exists()
    with pytest.raises(ScenarioError) as info:  # the library: check_scenario and run_scenario
        check_scenario(fo.load_scenario(path))
    assert f"followon: error: {info.value}\n" == expected


def test_validate_reports_what_it_built(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, GOOD)
    assert main(["scenario", "validate", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"{path}: ok, 1 outcome(s) × 2 hypothesis(es), horizons 30, 60 days; trigger "
        "WPK-CC8-PB6 ends 2022-01-19; 2 table(s) and 3 comparison block(s) built\n"
    )


def test_quick_plan_checks_the_last_two_blocks(tmp_path: Path) -> None:
    scenario = fo.load_scenario(write(tmp_path, SUMMIT))
    plan = check_scenario(scenario, quick=True)  # the two latest blocks follow the 2018 summits
    assert [f"{s:%Y-%m-%d}" for s in plan.blocks["any_missile"]] == ["2020-01-21", "2021-01-20"]
    assert set(plan.tables) == {("any_missile", "steady"), ("any_missile", "summit")}
    assert f"{plan.origin:%Y-%m-%d}" == "2022-01-19" and plan.hypothetical is None


def test_data_file_errors_name_the_scenario_first(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "events.csv").write_text("when,what\n2020-01-01,x\n", encoding="utf-8")
    path = write(
        tmp_path,
        GOOD.replace(
            "{catalog: dprk, start: 2014-01-01}",
            "{file: events.csv, start: 2014-01-01, observed_until: 2022-01-19}",
        ),
    )
    assert main(["scenario", "validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"followon: error: {path}: data: ") and err.count("\n") == 1
    assert "events.csv" in err
