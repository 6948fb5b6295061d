"""One timed fit in a fresh process (run by bench_hazard.py): followon or a plain PyMC model.

python benchmarks/_fit_child.py {followon|plain} SAMPLER {0|1: also time a refit}
"""

from __future__ import annotations

import json
import sys
import time

t0 = time.perf_counter()

import numpy as np  # noqa: E402
import pymc as pm  # noqa: E402

import followon as fo  # noqa: E402

which, sampler, refit = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
events = fo.load_events()
COVARIATES = [
    fo.TriggerWindows("politburo_meeting", (0, 30, 60)),
    fo.TriggerWindows("plenary_meeting", (0, 30, 60)),
    fo.Spans("military_exercise"),
    fo.DaysSinceLast((0, 7, 30)),
]


def table(as_of: str) -> fo.ExposureTable:
    return fo.build_exposure(
        events,
        fo.Outcome("any", "missile_launch"),
        start="2012-01-01",
        as_of=as_of,
        covariates=COVARIATES,
    )


def plain(tab: fo.ExposureTable, seed: int) -> None:
    """Fit the model a user would write by hand: daily rows, no collapsing."""
    X = tab.data[tab.covariate_names].to_numpy(float)
    y = tab.data["events"].to_numpy()
    with pm.Model():
        a = pm.Normal("log_baseline", np.log(y.mean()), 1.0)
        b = pm.Normal("beta", 0, 1, shape=X.shape[1])
        pm.Poisson("events", pm.math.exp(a + pm.math.dot(X, b)), observed=y)
        pm.sample(
            1000,
            tune=1000,
            chains=4,
            random_seed=seed,
            progressbar=False,
            nuts_sampler=sampler,
            compute_convergence_checks=False,
        )


def timed(fn, *args) -> float:
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


tab = table("2026-04-19")
out: dict[str, float] = {"rows_daily": len(tab.data), "rows_collapsed": len(tab.collapsed())}
if which == "followon":
    model = fo.PiecewiseHazard(sampler=sampler, log_likelihood=False)
    out["fit"] = timed(lambda t: model.fit(t, random_seed=1, progressbar=False), tab)
    if refit:
        later = table("2025-01-01")
        out["refit"] = timed(lambda t: model.fit(t, random_seed=2, progressbar=False), later)
else:
    out["fit"] = timed(plain, tab, 1)
    if refit:
        out["refit"] = timed(plain, table("2025-01-01"), 2)
out["process"] = time.perf_counter() - t0
print("RESULT" + json.dumps(out))
