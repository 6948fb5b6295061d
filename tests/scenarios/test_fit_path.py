"""A scenario's diagnostics and report say which path each fit took (``laplace-is``: k̂)."""

from __future__ import annotations

from pathlib import Path

import followon as fo
from followon.reports.scenario import render_report

SCENARIO = """\
name: paths
question: A launch within 30 or 60 days of the June 2025 plenum?
as_of: 2025-06-24
data: {catalog: dprk, start: 2016-06-01}
trigger: {event_id: WPK-CC8-P12}
outcomes:
  - {id: any_missile, type: missile_launch}
horizons_days: [30, 60]
compare: {method: lfo, origins: 2, block_days: 180}
sampling: {draws: 400, chains: 2, random_seed: 3}
hypotheses:
  - id: plenum
    sampler: laplace-is
    triggers: [{type: plenary_meeting, cut_days: [0, 30, 90]}]
  - id: plain
    sampler: exact
"""


def test_fit_paths_are_in_the_diagnostics_and_the_report(tmp_path: Path) -> None:
    path = tmp_path / "paths.yaml"
    path.write_text(SCENARIO, encoding="utf-8")
    result = fo.run_scenario(fo.load_scenario(path))
    d = result.diagnostics.set_index("hypothesis")
    record = result.models[("any_missile", "plenum")].importance_
    assert d.loc["plenum", "method"] == "laplace-is" and record["pareto_k"] < 0.7
    assert d.loc["plenum", "fit_path"] == f"laplace-is ({record['reason']})"
    assert d.loc["plain", "fit_path"] == d.loc["plain", "method"] == "exact"
    report = render_report(result)
    assert "| outcome | hypothesis | method | fit path |" in report
    assert f"| any_missile | plenum | laplace-is | laplace-is ({record['reason']}) |" in report
    assert "| any_missile | plain | exact | exact |" in report
