"""A whole scenario run, cold and warm, as a ratio to one hand-written PyMC model's cold fit.

    python benchmarks/bench_scenario.py [--scenario scenarios/plenum-2025-06.yaml] [--quick]

Each measurement is a new process with its own ``HOME`` (a new empty folder for "cold", as on
a new machine or in CI: no PyTensor compiledir, no numba cache, no JAX persistent cache, which
followon keeps in ``~/.cache/followon/jax``); "warm" is a second process in the HOME the cold
scenario run has just filled.

- scenario: ``run_scenario`` on the scenario (default ``plenum-2025-06``: 3 hypotheses × 1
  outcome, full sampling, leave-future-out comparison with 4 blocks) and ``write_results``
  (report, tables, figures; no saved models), as ``followon run --no-models`` does;
- plain: the model a user would write by hand for the scenario's richest hypothesis (most
  covariates; for ``plenum-2025-06`` ``plenum``: trend, self-excitation and plenum windows) on
  the same daily rows — a Poisson GLM with ``pm.sample`` (PyMC's own NUTS) and the scenario's
  draws, tune and chains — fitted once, cold. It answers one hypothesis' posterior; the
  scenario answers three, with forecasts, comparison refits and a report.

Prints seconds (the fit, the whole process, the process' CPU time: user + system, its figure
workers' included, which a busy machine inflates far less than the wall clock), the peak RSS of
each process (``getrusage`` in the child: the larger of its own and its figure workers') and
the ratios scenario / plain from this same invocation. On a shared machine read the ratios.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "plenum-2025-06.yaml"


def child_scenario(path: str, quick: bool, out: str) -> dict[str, float]:
    """Run the scenario and write its results (no models), timing each part."""
    t = time.perf_counter()
    from followon.reports import write_results
    from followon.scenarios import load_scenario, run_scenario

    scenario = load_scenario(path)
    res: dict[str, float] = {"import_s": time.perf_counter() - t}
    t = time.perf_counter()
    result = run_scenario(scenario, quick=quick)
    res["fit_s"] = time.perf_counter() - t
    t = time.perf_counter()
    write_results(result, out, save_models=False)
    res["write_s"] = time.perf_counter() - t
    return res


def child_plain(path: str) -> dict[str, float]:
    """Fit the scenario's richest hypothesis by hand: daily rows, PyMC's NUTS, no collapsing."""
    t = time.perf_counter()
    import numpy as np
    import pymc as pm

    from followon.scenarios import load_scenario
    from followon.scenarios.build import check_scenario

    scenario = load_scenario(path)
    plan = check_scenario(scenario)
    outcome = scenario.outcomes[0].id
    table = max(
        (plan.tables[(outcome, h.id)] for h in scenario.hypotheses),
        key=lambda tab: len(tab.covariate_names),
    )
    X = table.data[table.covariate_names].to_numpy(float)
    y = table.data["events"].to_numpy()
    log_e = np.log(table.data["exposure"].to_numpy(float))
    s = scenario.sampling
    res: dict[str, float] = {"import_s": time.perf_counter() - t, "covariates": X.shape[1]}
    t = time.perf_counter()
    with pm.Model():
        a = pm.Normal("log_baseline", np.log(y.sum() / np.exp(log_e).sum()), 1.0)
        b = pm.Normal("beta", 0, 1, shape=X.shape[1])
        pm.Poisson("events", pm.math.exp(a + log_e + pm.math.dot(X, b)), observed=y)
        pm.sample(
            s.draws,
            tune=s.tune,
            chains=s.chains,
            random_seed=s.random_seed,
            progressbar=False,
            compute_convergence_checks=False,
        )
    res["fit_s"] = time.perf_counter() - t
    res["rows"] = len(y)
    return res


def run_child(which: str, home: str, scenario: str, quick: bool) -> dict[str, float]:
    """One new process with ``HOME=home`` and every compile cache under it."""
    env = {k: v for k, v in os.environ.items() if k not in ("XDG_CACHE_HOME", "PYTENSOR_FLAGS")}
    for k in ("JAX_COMPILATION_CACHE_DIR", "FOLLOWON_JAX_CACHE", "NUMBA_CACHE_DIR"):
        env.pop(k, None)
    env["HOME"] = home
    env["MPLBACKEND"] = "Agg"
    args = [sys.executable, __file__, "--child", which, "--scenario", scenario]
    if quick:
        args.append("--quick")
    start = time.perf_counter()
    proc = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    if line is None:
        raise RuntimeError(f"{which} failed:\n{proc.stderr[-3000:]}")
    out: dict[str, float] = json.loads(line[6:])
    out["process_s"] = wall
    return out


def main() -> int:
    """Run scenario cold, scenario warm and plain cold; print the table and the ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(SCENARIO))
    parser.add_argument("--quick", action="store_true", help="the scenario's quick mode")
    parser.add_argument("--child", choices=["scenario", "plain"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        import resource

        with tempfile.TemporaryDirectory() as out:
            res = (
                child_scenario(args.scenario, args.quick, str(Path(out) / "results"))
                if args.child == "scenario"
                else child_plain(args.scenario)
            )
        usage = resource.getrusage(resource.RUSAGE_SELF)
        workers = resource.getrusage(resource.RUSAGE_CHILDREN)  # the figure workers
        res["peak_rss_mb"] = max(usage.ru_maxrss, workers.ru_maxrss) / 1024
        res["cpu_s"] = sum(u.ru_utime + u.ru_stime for u in (usage, workers))
        print("RESULT" + json.dumps(res))
        return 0
    load = os.getloadavg()[0]
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} cores, load {load:.1f}")
    print(f"scenario {Path(args.scenario).name}{' --quick' if args.quick else ''}")
    with tempfile.TemporaryDirectory() as tmp:
        home_s, home_p = str(Path(tmp) / "home-scenario"), str(Path(tmp) / "home-plain")
        os.makedirs(home_s)
        os.makedirs(home_p)
        runs = {
            "scenario, cold": run_child("scenario", home_s, args.scenario, args.quick),
            "scenario, warm": run_child("scenario", home_s, args.scenario, args.quick),
            "plain model, cold": run_child("plain", home_p, args.scenario, args.quick),
        }
    plain = runs["plain model, cold"]
    print(
        f"plain model: {int(plain['covariates'])} covariates, {int(plain['rows'])} daily rows, "
        f"PyMC NUTS"
    )
    print(
        f"{'':20}{'fit s':>8}{'process s':>11}{'CPU s':>8}{'peak RSS MB':>13}"
        f"{'fit ratio':>11}{'process ratio':>15}{'CPU ratio':>11}"
    )
    for label, r in runs.items():
        print(
            f"{label:20}{r['fit_s']:>8.1f}{r['process_s']:>11.1f}{r['cpu_s']:>8.1f}"
            f"{r['peak_rss_mb']:>13.0f}{r['fit_s'] / plain['fit_s']:>11.2f}"
            f"{r['process_s'] / plain['process_s']:>15.2f}{r['cpu_s'] / plain['cpu_s']:>11.2f}"
        )
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (at the start {load:.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
