"""Backtests on a Dask cluster: the same forecasts as a serial run, and the CLI's --dask."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import followon as fo
from followon.cli import main
from followon.scenarios import dask_executor
from followon.scenarios.cluster import DASK_MISSING
from tests.evaluation.test_backtest import scenario_file
from tests.hazard.conftest import simulate_events

ORIGINS = ["2003-03-01", "2005-07-10", "2008-01-20", "2010-02-01"]
KW = {"origins": ORIGINS, "at_triggers": False, "progressbar": False, "random_seed": 5}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> fo.Scenario:
    events = simulate_events(4000, 0.005, trigger_every=120, window=30, hr_window=8.0, seed=4)
    return fo.load_scenario(scenario_file(tmp_path_factory.mktemp("dask"), events))


def test_a_local_dask_cluster_gives_the_serial_forecasts(scenario: fo.Scenario) -> None:
    pytest.importorskip("distributed")
    tic = time.perf_counter()
    serial = fo.backtest(scenario, n_jobs=1, **KW)
    serial_s = time.perf_counter() - tic
    with dask_executor(n_workers=2, processes=False) as dask:
        assert dask.workers == 2 and dask.address.startswith("inproc://")
        tic = time.perf_counter()
        clustered = fo.backtest(scenario, executor=dask.executor, n_jobs=dask.workers, **KW)
        dask_s = time.perf_counter() - tic
    assert clustered.meta["origins"] == len(ORIGINS) and clustered.meta["workers"] == 2
    assert set(serial.forecasts["hypothesis"]) >= {"plenum", "clustering", "climatology"}
    pd.testing.assert_frame_equal(clustered.forecasts, serial.forecasts)
    pd.testing.assert_frame_equal(clustered.scores, serial.scores)
    print(f"serial {serial_s:.2f} s, LocalCluster (2 threads) {dask_s:.2f} s")


def test_cli_dask_runs_on_a_local_cluster(
    tmp_path: Path, scenario: fo.Scenario, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    distributed = pytest.importorskip("distributed")
    started: list[dict[str, object]] = []
    real = distributed.LocalCluster

    def local(**kwargs: object) -> object:  # threads, not processes: quick to start in a test
        started.append(kwargs)
        return real(**{**kwargs, "processes": False})

    monkeypatch.setattr(distributed, "LocalCluster", local)
    written: list[fo.BacktestResult] = []

    def write(result: fo.BacktestResult, out: Path, *, force: bool = False) -> Path:
        written.append(result)  # the report and its figures are tested in test_backtest.py
        return Path(out)

    monkeypatch.setattr("followon.reports.write_backtest", write)
    out = tmp_path / "res"
    args = ["backtest", str(scenario.source_path), "--out", str(out), "--from", "2009-01-01"]
    args += [
        "--every-days",
        "300",
        "--no-triggers",
        "--quiet",
        "--seed",
        "5",
        "--jobs",
        "2",
        "--dask",
    ]
    assert main(args) == 0
    assert "3 origins (2009-01-01 … 2010-08-24)" in capsys.readouterr().out
    assert started == [
        {
            "n_workers": 2,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": None,
            "silence_logs": 40,
        }
    ]
    [result] = written
    assert result.meta["workers"] == 2 and result.meta["origins"] == 3
    kw = {"every_days": 300, "at_triggers": False, "start": "2009-01-01", "random_seed": 5}
    serial = fo.backtest(scenario, progressbar=False, n_jobs=1, **kw)
    pd.testing.assert_frame_equal(result.forecasts, serial.forecasts)


def test_cli_dask_without_distributed_says_what_to_install(
    tmp_path: Path, scenario: fo.Scenario, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # `import distributed` fails
    out = tmp_path / "res"
    args = ["backtest", str(scenario.source_path), "--out", str(out), "--quiet", "--dask"]
    assert main(args) == 1
    err = capsys.readouterr().err
    assert err == f"followon: error: {DASK_MISSING}\n"
    assert "pip install 'followon[dask]'" in err
    assert not out.exists()


def test_cli_dask_refuses_a_bad_address(scenario: fo.Scenario, capsys) -> None:
    for bad in ("s.yaml", "tcp://scheduler", "not an address"):
        with pytest.raises(SystemExit) as exc:
            main(["backtest", str(scenario.source_path), "--out", "x", "--dask", bad])
        assert exc.value.code == 2
        assert (
            f"argument --dask: '{bad}' is not a Dask scheduler address: give tcp://HOST:PORT, "
            "or --dask alone (after the scenario file) for a cluster on this machine"
        ) in capsys.readouterr().err
