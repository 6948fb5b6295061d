"""The forecast record: register a past run, score it by hand, refuse edits and repeats (issue 19)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon.cli import main
from followon.errors import DataError, RecordError
from followon.record import read_external, read_ledger
from followon.record.ledger import resolved_forecasts
from tests.conftest import REPO

# As of 24 Jun 2025, the day after the 12th plenum ended. Launch days after it in the catalog:
# none until 22 Oct 2025 (+121 days). Missile launches are observed until 18 Apr 2026, so the
# 30-day window resolves to 0, the 150-day window to 1, and the 400-day one (ends 28 Jul 2026)
# is still pending.
SCENARIO = """\
name: ledger-test
question: A missile launch within 30, 150 or 400 days of the 12th plenum?
as_of: 2025-06-24
data: {catalog: dprk, start: 2014-01-01}
trigger: {event_id: WPK-CC8-P12}
outcomes:
  - {id: any_missile, type: missile_launch}
horizons_days: [30, 150, 400]
hypotheses:
  - id: steady
    sampler: exact
  - id: plenum
    triggers: [{type: plenary_meeting, cut_days: [0, 30, 90]}]
    sampler: exact
what_if:
  - id: drills
    spans: [{type: military_exercise, start: 2025-08-18, end: 2025-08-28}]
compare: {method: lfo, origins: 2, block_days: 120}
sampling: {draws: 400, chains: 2, random_seed: 3}
"""
EXAMPLE = REPO / "examples" / "external" / "csis-predata-2017.csv"


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A results folder written by the real runner and writer (exact samplers: seconds)."""
    folder = tmp_path_factory.mktemp("run")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FOLLOWON_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        path = folder / "s.yaml"
        path.write_text(SCENARIO, encoding="utf-8")
        result = fo.run_scenario(fo.load_scenario(path))
        return fo.write_results(result, folder / "out", save_models=False, figures=False)


def _ledger(tmp_path: Path, results: Path) -> fo.ForecastLedger:
    ledger = fo.ForecastLedger(tmp_path / "paper" / "forecasts.jsonl")
    ledger.register(results)
    return ledger


def test_register_then_score_matches_the_brier_score_by_hand(results: Path, tmp_path: Path) -> None:
    ledger = _ledger(tmp_path, results)
    frozen = pd.read_csv(results / "forecast.csv", keep_default_na=False)
    frozen = frozen[frozen["what_if"] == ""]
    lines = read_ledger(ledger.path)
    assert len(lines) == len(frozen) == 9  # steady, plenum, combined × 3 horizons; no what-ifs
    scores = ledger.score().set_index(["hypothesis", "horizon_days"])
    rate = json.loads((results / "forecast.json").read_text())["base_rate"]["any_missile"]
    for hyp in ("steady", "plenum", "combined"):
        p = frozen[frozen["hypothesis"] == hyp].set_index("horizon_days")["p_mean"]
        by_hand = {30: p[30] ** 2, 150: (1 - p[150]) ** 2}  # 0 by day 30, 1 by day 150
        for h, brier in by_hand.items():
            row = scores.loc[(hyp, h)]
            assert row["n_resolved"] == 1 and row["n_pending"] == 0
            assert row["brier"] == pytest.approx(brier, rel=1e-12)
            clim = 1 - math.exp(-rate * h)
            y = 0.0 if h == 30 else 1.0
            assert row["brier_skill"] == pytest.approx(1 - brier / (clim - y) ** 2, rel=1e-9)
        pending = scores.loc[(hyp, 400)]
        assert (pending["n_resolved"], pending["n_pending"]) == (0, 1)
        assert np.isnan(pending["brier"])  # pending: never scored as a miss
    clim_row = scores.loc[("climatology", 30)]
    assert clim_row["brier"] == pytest.approx((1 - math.exp(-rate * 30)) ** 2, rel=1e-12)


def test_the_window_and_provenance_are_registered(results: Path, tmp_path: Path) -> None:
    line = read_ledger(_ledger(tmp_path, results).path)[0]
    record = json.loads((results / "forecast.json").read_text())
    assert (line["as_of"], line["origin_date"]) == ("2025-06-24", "2025-06-23")
    assert (line["window_start"], line["window_end"]) == ("2025-06-24", "2025-07-23")
    assert line["scenario_sha256"] == record["scenario_sha256"]
    assert line["data_sha256"] == record["data_sha256"]
    assert line["outcome"] == {
        "id": "any_missile",
        "type": "missile_launch",
        "subtype": [],
        "where": {},
        "count": "days",
    }
    assert line["ledger_version"] == 1 and line["prev"] == ""


def test_pending_windows_resolve_when_the_type_is_observed_through_their_end(
    results: Path, tmp_path: Path
) -> None:
    ledger = _ledger(tmp_path, results)
    now = ledger.forecasts()
    late = now[now["horizon_days"] == 400]
    assert set(late["status"]) == {"pending"} and late["observed"].isna().all()
    assert set(late["observed_until"]) == {"2026-04-18"}
    events = fo.load_events()
    events.attrs["observed_until"] = {"missile_launch": "2026-07-28"}  # the window's last day
    later = ledger.forecasts(events=events)
    assert set(later.loc[later["horizon_days"] == 400, "observed"]) == {1.0}


def test_a_hypothetical_trigger_that_did_not_happen_voids_its_forecasts(
    results: Path, tmp_path: Path
) -> None:
    lines = read_ledger(_ledger(tmp_path, results).path)
    plenum = {"type": "plenary_meeting", "date": "2025-09-01", "hypothetical": True}
    imagined = [{**line, "trigger": plenum} for line in lines]
    assert set(resolved_forecasts(imagined)["status"]) == {"void"}
    not_yet = {**plenum, "date": "2026-12-26"}  # after plenary_meeting's observed_until
    assert set(resolved_forecasts([{**lines[0], "trigger": not_yet}])["status"]) == {"pending"}


def test_registering_a_run_twice_is_refused(results: Path, tmp_path: Path) -> None:
    ledger = _ledger(tmp_path, results)
    registration = read_ledger(ledger.path)[0]["registration"]
    with pytest.raises(RecordError) as err:
        ledger.register(results)
    assert str(err.value).startswith(
        f"{results}: this run is registered already (registration {registration}, "
    )
    assert len(read_ledger(ledger.path)) == 9


def test_an_edited_line_is_detected_with_file_and_line(results: Path, tmp_path: Path) -> None:
    ledger = _ledger(tmp_path, results)
    text = ledger.path.read_text().splitlines()
    line = json.loads(text[1])
    line["p_mean"] = 0.5
    text[1] = json.dumps(line)
    ledger.path.write_text("\n".join(text) + "\n")
    with pytest.raises(DataError) as err:
        ledger.score()
    assert str(err.value) == (
        f"{ledger.path}:2: the line was edited after it was registered (its sha256 does not "
        "match its content); a ledger line is never rewritten: restore the ledger from a copy "
        "(a backup, or your repository's history)."
    )


def test_a_removed_line_breaks_the_chain(results: Path, tmp_path: Path) -> None:
    ledger = _ledger(tmp_path, results)
    text = ledger.path.read_text().splitlines()
    ledger.path.write_text("\n".join(text[:2] + text[3:]) + "\n")
    with pytest.raises(DataError, match=r"forecasts.jsonl:3: does not follow line 2 \(its prev"):
        read_ledger(ledger.path)


def test_a_ledger_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    import hashlib

    line = {"ledger_version": 2, "prev": ""}
    body = json.dumps(line, sort_keys=True, separators=(",", ":")).encode()
    line["sha256"] = hashlib.sha256(body).hexdigest()
    path = tmp_path / "new.jsonl"
    path.write_text(json.dumps(line) + "\n")
    with pytest.raises(DataError) as err:
        fo.ForecastLedger(path).score()
    assert str(err.value) == (
        f"{path}:1: was written by a newer followon (ledger_version 2; followon "
        f"{fo.__version__} reads up to 1); upgrade followon to read this ledger. It is left "
        "untouched."
    )


def test_the_2017_csis_predata_series_scores_on_the_catalog(tmp_path: Path) -> None:
    forecasts = fo.ForecastLedger(tmp_path / "none.jsonl").forecasts(external=EXAMPLE)
    assert set(forecasts["status"]) == {"resolved"}
    assert set(forecasts["observed"]) == {1.0}  # every window had a launch (catalog, 2017)
    table = fo.ForecastLedger(tmp_path / "none.jsonl").score(external=EXAMPLE)
    row = table.set_index(["hypothesis", "horizon_days"])
    p14 = np.array([0.34, 0.22, 0.58, 0.69])
    p30 = np.array([0.51, 0.50, 0.84, 0.85])
    assert row.loc[("CSIS/Predata", 14), "brier"] == pytest.approx(np.mean((1 - p14) ** 2))
    assert row.loc[("CSIS/Predata", 30), "brier"] == pytest.approx(np.mean((1 - p30) ** 2))


def test_an_external_csv_missing_a_column_names_the_file_and_column(tmp_path: Path) -> None:
    path = tmp_path / "ext.csv"
    pd.read_csv(EXAMPLE).drop(columns=["horizon_days"]).to_csv(path, index=False)
    with pytest.raises(DataError) as err:
        read_external(path)
    assert str(err.value) == (
        f"{path}: no column 'horizon_days'; an external-forecast CSV needs the columns "
        "forecaster, made_on, question, outcome_types, horizon_days, probability, source "
        "(docs/forecast-record.md)."
    )


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("probability", "34%", "line 3: probability '34%' is not a number from 0 to 1"),
        ("made_on", "20/03/2017", "line 3: made_on '20/03/2017' is not a date"),
        ("outcome_types", "missle_launch", "unknown event type 'missle_launch' (did you mean"),
        ("horizon_days", "0", "line 3: horizon_days '0' is not a whole number of days ≥ 1."),
    ],
)
def test_bad_external_rows(tmp_path: Path, column: str, value: str, message: str) -> None:
    frame = pd.read_csv(EXAMPLE, dtype=str)
    frame.loc[1, column] = value
    path = tmp_path / "ext.csv"
    frame.to_csv(path, index=False)
    with pytest.raises(DataError, match=message.replace("(", r"\(")):
        read_external(path)


def test_a_repeated_external_row_is_refused(tmp_path: Path) -> None:
    frame = pd.read_csv(EXAMPLE, dtype=str)
    path = tmp_path / "ext.csv"
    pd.concat([frame, frame.iloc[[0]]]).to_csv(path, index=False)
    with pytest.raises(DataError, match=r"ext.csv: line 10: repeats line 2 "):
        read_external(path)


def test_cli_register_and_score(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "f.jsonl"
    assert main(["register", str(results), "--ledger", str(ledger)]) == 0
    assert "registered 9 forecast(s) of 'ledger-test' (as of 2025-06-24" in capsys.readouterr().out
    assert main(["register", str(results), "--ledger", str(ledger)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "this run is registered already" in err
    out = tmp_path / "scores"
    assert main(["score", "--ledger", str(ledger), "--out", str(out)]) == 0
    assert "9 forecast(s): 6 resolved, 3 pending" in capsys.readouterr().out
    scores = pd.read_csv(out / "scores.csv")
    assert list(scores.columns) == list(fo.record.SCORE_COLUMNS)
    assert (out / "report.md").is_file() and (out / ".followon-results").is_file()
    assert sorted(p.name for p in (out / "figures").glob("*.png")) == [
        "reliability_any_missile_150d.png",
        "reliability_any_missile_30d.png",
    ]


def test_cli_bad_input_is_one_line_with_the_documented_status(
    results: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ledger = tmp_path / "f.jsonl"
    assert main(["register", str(tmp_path), "--ledger", str(ledger)]) == 2  # not a results dir
    assert capsys.readouterr().err == (
        f"followon: error: {tmp_path}: is not a results folder (no .followon-results in it); "
        "give the folder `followon run --out` wrote.\n"
    )
    assert main(["score", "--ledger", str(ledger)]) == 2  # named, does not exist
    assert capsys.readouterr().err.count("\n") == 1
    main(["register", str(results), "--ledger", str(ledger)])
    ledger.write_text(ledger.read_text().replace('"p_mean":', '"p_mean":0.1,"x":', 1))
    assert main(["score", "--ledger", str(ledger)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"followon: error: {ledger}:1: ") and err.count("\n") == 1
    bad = tmp_path / "ext.csv"
    bad.write_text("forecaster,made_on\nX,2017-03-20\n")
    assert main(["score", "--external", str(bad)]) == 1  # the default ledger: none yet
    assert capsys.readouterr().err.startswith(f"followon: error: {bad}: no column 'question'")


def test_a_live_question_registers_the_rest_of_each_open_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As of 15 Aug 2025 (52 quiet days after the plenum): the 30-day window is decided (not
    registered); the others are registered from as_of on, with the climatology of those days."""
    monkeypatch.setenv("FOLLOWON_DATA_DIR", str(tmp_path / "data"))
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.replace("as_of: 2025-06-24", "as_of: 2025-08-15"), encoding="utf-8")
    result = fo.run_scenario(fo.load_scenario(path))
    folder = fo.write_results(result, tmp_path / "out", save_models=False, figures=False)
    ledger = fo.ForecastLedger(tmp_path / "ledger.jsonl")
    ledger.register(folder)
    lines = read_ledger(ledger.path)
    record = json.loads((folder / "forecast.json").read_text())
    assert {line["horizon_days"] for line in lines} == {150, 400}
    line = next(x for x in lines if x["horizon_days"] == 150 and x["hypothesis"] == "steady")
    assert (line["window_start"], line["window_end"]) == ("2025-08-15", "2025-11-20")
    rate = record["base_rate"]["any_missile"]
    assert line["climatology"] == pytest.approx(-np.expm1(-rate * (150 - 52)), rel=1e-12)
