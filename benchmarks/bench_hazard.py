"""Speed of PiecewiseHazard, as ratios against a plain hand-written PyMC model of the same data.

    python benchmarks/bench_hazard.py [--sampler pymc] [--repeats 3]

Measures, on the full DPRK record (any missile launch, 2012-01-01 to the CNS observed_until,
6 covariates: Politburo and plenum windows, exercise in progress, days since last launch):

- cold: a whole new process whose PyTensor compile cache (and numba / JAX caches) points at
  an empty folder, as on a new machine or in CI — time to the first fitted model;
- warm: the same in a process whose caches are filled;
- refit: a second fit in the same process on new data (as a backtest does);
- the conjugate path (no covariates) with and without the pointwise log-likelihood.

The baseline is the model a user would write by hand: the same Poisson GLM on the daily rows
(no collapsing), `pm.sample` with PyMC's own NUTS and the same draws and chains. Figures are
medians of ``--repeats`` runs; ratios compare runs made in this same invocation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHILD = Path(__file__).with_name("_fit_child.py")


def run_child(which: str, sampler: str, cache: str, refit: bool) -> dict[str, float]:
    """Run one fit in a new process whose compile caches live in ``cache``."""
    env = dict(os.environ)
    env["PYTENSOR_FLAGS"] = f"base_compiledir={cache}"
    env["NUMBA_CACHE_DIR"] = os.path.join(cache, "numba")
    env["MPLBACKEND"] = "Agg"
    t = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, str(CHILD), which, sampler, "1" if refit else "0"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    wall = time.perf_counter() - t
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT")), None)
    if line is None:
        raise RuntimeError(f"{which}/{sampler} failed:\n{proc.stderr[-2000:]}")
    out = json.loads(line[6:])
    out["wall"] = wall
    return out


def conjugate(repeats: int) -> dict[str, float]:
    """Median time of a warm conjugate-path fit, with and without the log-likelihood."""
    import followon as fo

    table = fo.build_exposure(
        fo.load_events(),
        fo.Outcome("any", "missile_launch"),
        start="2012-01-01",
        as_of="2026-04-19",
    )
    res = {}
    for ll in (False, True):
        model = fo.PiecewiseHazard(log_likelihood=ll)
        model.fit(table, random_seed=0)
        times = []
        for i in range(max(repeats, 5)):
            t = time.perf_counter()
            model.fit(table, random_seed=i)
            times.append(time.perf_counter() - t)
        res[f"conjugate_fit_loglik_{ll}"] = statistics.median(times)
    return res


def main() -> int:
    """Run every measurement and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sampler", default=None, help="MCMC backend (default: followon's)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    from followon.hazard.piecewise import DEFAULT_MCMC_SAMPLER

    sampler = args.sampler or DEFAULT_MCMC_SAMPLER
    print(f"python {sys.version.split()[0]}, sampler {sampler}, {os.cpu_count()} cores")
    results: dict[str, list[dict[str, float]]] = {}
    for which in ("followon", "plain"):
        for kind in ("cold", "warm"):
            runs = []
            backend = sampler if which == "followon" else "pymc"  # what a user would write
            with tempfile.TemporaryDirectory() as tmp:
                cache = str(Path(tmp) / "cache")
                if kind == "warm":
                    run_child(which, backend, cache, refit=False)  # fill the caches
                for _ in range(args.repeats):
                    if kind == "cold":
                        cache = tempfile.mkdtemp(dir=tmp)
                    runs.append(run_child(which, backend, cache, refit=kind == "warm"))
            results[f"{which}_{kind}"] = runs
    med = {k: {m: statistics.median(r[m] for r in v) for m in v[0]} for k, v in results.items()}
    f = med["followon_cold"]
    print(f"rows: {int(f['rows_daily'])} daily → {int(f['rows_collapsed'])} collapsed")
    print(f"{'':28}{'followon':>10}{'plain PyMC':>12}{'ratio':>8}   (followon: {sampler})")
    for label, key, field in [
        ("cold: first fit", "cold", "fit"),
        ("cold: whole process", "cold", "wall"),
        ("warm: fit", "warm", "fit"),
        ("warm: whole process", "warm", "wall"),
        ("refit on new data", "warm", "refit"),
    ]:
        a, b = med[f"followon_{key}"][field], med[f"plain_{key}"][field]
        print(f"{label:28}{a:>9.2f}s{b:>11.2f}s{a / b:>8.2f}")
    for k, v in conjugate(args.repeats).items():
        print(f"{k:36}{v * 1000:>9.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
