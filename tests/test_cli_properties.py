"""The CLI contract under mutated input (Hypothesis): a result, or one short error — never more.

For any mutation of a valid scenario or event file, `followon scenario validate`, `followon data
validate` and `followon run` either succeed (exit 0; `run` leaves a complete results folder) or
refuse with the documented status (2 for a bad scenario, 1 for a bad event file: `followon.cli`)
and at most 4 lines on stderr naming the file — no traceback, no folder left behind — within a
time bound.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followon.cli import main

EVENTS = """\
event_id,type,date,end_date,source,source_url
PL-1,plenary_meeting,2019-04-10,2019-04-11,test,https://example.org/1
PL-2,plenary_meeting,2019-12-28,2019-12-31,test,https://example.org/2
PL-3,plenary_meeting,2020-08-19,2020-08-19,test,https://example.org/3
ML-1,missile_launch,2019-05-04,,test,https://example.org/4
ML-2,missile_launch,2019-07-25,,test,https://example.org/5
ML-3,missile_launch,2019-10-02,,test,https://example.org/6
ML-4,missile_launch,2020-03-02,,test,https://example.org/7
ML-5,missile_launch,2020-03-21,,test,https://example.org/8
ML-6,missile_launch,2020-09-01,,test,https://example.org/9
"""

SCENARIO = """\
name: prop
question: Does a plenum raise the hazard of a launch within 30 days?
as_of: 2020-08-20
data: {file: events.csv, start: 2019-01-01, observed_until: 2020-12-31}
trigger: {event_id: PL-3}
outcomes:
  - {id: launch, type: missile_launch}
horizons_days: [30, 60]
hypotheses:
  - id: steady
  - id: plenum
    triggers: [{type: plenary_meeting, cut_days: [0, 30]}]
    sampler: exact
compare: {method: lfo, origins: 2, block_days: 60}
sampling: {draws: 200, chains: 1, random_seed: 1}
"""

TOKENS = [
    "",
    "0",
    "-1",
    "030",
    "1e400",
    "9999-99-99",
    "1000-01-01",
    "9999-01-01",
    "NaN",
    "null",
    "~",
    "[",
    "{",
    "'",
    '"',
    ":",
    "- x",
    "&a [1]",
    "*a",
    "!!python/object:os.system ls",
    "é",
    "\t",
    "2020-02-30",
    "piecewise",
    "hawkes",
    "plenary_meeting",
    "summit",
    "9" * 25,
]


@st.composite
def mutated(draw: st.DrawFn, text: str) -> str:
    """``text`` with one to three edits: a token replaced, a line dropped or doubled."""
    lines = text.splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(st.sampled_from(["replace", "drop", "double", "insert"]))
        if kind == "drop" and len(lines) > 1:
            del lines[i]
        elif kind == "double":
            lines.insert(i, lines[i])
        elif kind == "insert":
            lines.insert(i, draw(st.sampled_from(TOKENS)))
        else:
            words = lines[i].replace(",", " , ").replace(":", " : ").split(" ")
            j = draw(st.integers(0, max(len(words) - 1, 0)))
            words[j] = draw(st.sampled_from(TOKENS))
            lines[i] = " ".join(words).replace(" , ", ",").replace(" : ", ": ")
    return "\n".join(lines) + "\n"


def _check_contract(code: int, err: str, path: Path, seconds: float, refusal: int) -> None:
    assert code in (0, refusal), (code, err)
    assert "Traceback" not in err, err
    if code == refusal:
        lines = [line for line in err.splitlines() if line.strip()]
        assert 1 <= len(lines) <= 4, err
        assert path.name in err, err
    assert seconds < 60, seconds


SETTINGS = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,
)


@SETTINGS
@given(text=mutated(SCENARIO))
def test_scenario_validate_contract(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "events.csv").write_text(EVENTS, encoding="utf-8")
    path = tmp_path / "s.yaml"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    code = main(["scenario", "validate", str(path)])
    err = capsys.readouterr().err
    _check_contract(code, err, path, time.perf_counter() - started, refusal=2)


@SETTINGS
@given(text=mutated(EVENTS))
def test_data_validate_contract(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "events.csv"
    path.write_text(text, encoding="utf-8")
    started = time.perf_counter()
    code = main(["data", "validate", str(path)])
    err = capsys.readouterr().err
    _check_contract(code, err, path, time.perf_counter() - started, refusal=1)


@settings(SETTINGS, max_examples=12)
@given(scenario=mutated(SCENARIO), events=mutated(EVENTS))
def test_run_contract(
    scenario: str,
    events: str,
    tmp_path_factory: pytest.TempPathFactory,
    capsys: pytest.CaptureFixture[str],
) -> None:
    folder = tmp_path_factory.mktemp("run")
    (folder / "events.csv").write_text(events, encoding="utf-8")
    path = folder / "s.yaml"
    path.write_text(scenario, encoding="utf-8")
    out = folder / "results"
    started = time.perf_counter()
    code = main(["run", str(path), "--out", str(out), "--quick", "--no-models", "--quiet"])
    err = capsys.readouterr().err
    seconds = time.perf_counter() - started
    assert code in (0, 1, 2), (code, err)  # 1: the events file, 2: the scenario
    assert "Traceback" not in err, err
    if code == 0:
        results = (
            next(out.iterdir()) if out.exists() and not (out / "forecast.csv").exists() else out
        )
        assert (results / "forecast.csv").exists() and (results / "report.md").exists()
    else:
        lines = [line for line in err.splitlines() if line.strip()]
        assert 1 <= len(lines) <= 4, err
        assert "s.yaml" in err or "events.csv" in err, err
        leftovers = [p.name for p in folder.iterdir() if p.name not in ("events.csv", "s.yaml")]
        assert leftovers == [], leftovers  # no half-written folder
    assert seconds < 120, seconds
