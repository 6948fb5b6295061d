"""Speed of fo.backtest against the naive loop a user would write, in the same process.

    python benchmarks/bench_backtest.py [--every-days 14] [--sample 12] [--jobs 2]

Scenario: scenarios/plenum-2025-06.yaml (any missile launch day; hypotheses steady, plenum,
clustering), origins every ``--every-days`` days from 2014-01-01 plus the day after every
plenum, to the data end.

- followon: ``fo.backtest`` — tables built once and cut per origin, exact/Laplace refits,
  origins in chunks over a process pool of ``--jobs`` workers;
- naive (fast inference): per origin and hypothesis, ``build_exposure(as_of=origin)`` and a new
  model (exact or Laplace), serially — isolates the table reuse and the pool;
- naive (the scenario's own samplers): the same loop with each hypothesis' own sampler
  (``clustering`` → NUTS, numpyro, 4 chains × 1000) and a new model per origin — what a user
  gets from calling ``run_scenario``'s machinery in a loop.

The naive loops run on ``--sample`` evenly spaced origins and are scaled to the full count
(their cost per origin grows only with the table length, which the sample spans).
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
import pandas as pd

import followon as fo
from followon.scenarios.backtest import backtest_origins, fast_model
from followon.scenarios.build import covariates_from_spec, hypothesis_model


def naive(scenario: fo.Scenario, origins: list[pd.Timestamp], inference: str) -> float:
    """Seconds for the rebuild-and-refit-per-origin loop over ``origins``."""
    events = fo.load_events()
    outcome = scenario.outcomes[0].build()
    tic = time.perf_counter()
    for origin in origins:
        for h in scenario.hypotheses:
            try:
                table = fo.build_exposure(
                    events,
                    outcome,
                    start=f"{scenario.data.start}",
                    as_of=origin,
                    covariates=covariates_from_spec(h, scenario),
                    require_events=False,
                )
            except fo.DataError:  # e.g. no plenum yet at an early origin: skipped (cheaper)
                continue
            if inference == "fast":
                model = fast_model(h, table)
                sampling = {"draws": 1000, "chains": 1}
            else:
                model = hypothesis_model(h, log_likelihood=False)
                sampling = scenario.sampling.model_dump()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", fo.ConvergenceWarning)
                model.fit(table, progressbar=False, **sampling)
            model.forecast(origin - pd.Timedelta(days=1), scenario.horizons_days)
    return time.perf_counter() - tic


def main() -> None:
    """Run the benchmark and print a table of seconds and ratios."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--every-days", type=int, default=14)
    parser.add_argument("--sample", type=int, default=12)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--skip-mcmc", action="store_true")
    args = parser.parse_args()
    scenario = fo.load_scenario(fo.bundled_scenarios()["plenum-2025-06"])
    tic = time.perf_counter()
    result = fo.backtest(
        scenario,
        every_days=args.every_days,
        start="2014-01-01",
        n_jobs=args.jobs,
        progressbar=False,
        random_seed=1,
    )
    ours = time.perf_counter() - tic
    n = result.meta["origins"]
    frame = backtest_origins(
        scenario, fo.load_events(), every_days=args.every_days, start="2014-01-01"
    )
    frame = frame[frame["origin_date"] <= result.meta["last_origin"]]
    pick = np.linspace(0, len(frame) - 1, args.sample).round().astype(int)
    sample = [pd.Timestamp(d) for d in frame["origin_date"].iloc[pick]]
    fast = naive(scenario, sample, "fast") / len(sample) * n
    rows = [
        ("followon backtest", ours, 1.0),
        ("naive, fast inference", fast, fast / ours),
    ]
    if not args.skip_mcmc:
        naive(scenario, sample[:1], "scenario")  # compile once: a user pays it only once too
        mcmc = naive(scenario, sample, "scenario") / len(sample) * n
        rows.append(("naive, scenario samplers", mcmc, mcmc / ours))
    hyps = len(scenario.hypotheses)
    print(f"{n} origins × {hyps} hypotheses × 1 outcome, {args.jobs} workers for followon")
    print(f"{'':<28}{'seconds':>10}{'× followon':>12}")
    for name, sec, ratio in rows:
        print(f"{name:<28}{sec:>10.1f}{ratio:>12.1f}")


if __name__ == "__main__":
    main()
