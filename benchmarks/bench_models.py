"""Fit time of each registered model on the full DPRK record, in one process.

    python benchmarks/bench_models.py [--models piecewise,hawkes,...]

Data: any missile launch day from 2012-01-01 to the catalog's end (``observed_until``); 4
chains × (1 000 tune + 1 000 draws) for the MCMC samplers. Each model is fitted twice: the
first fit includes compiling (PyMC graph → JAX for NUTS); the second is a refit in the same
process. The baseline is the piecewise model with a plenum window, so ratios compare a model
with it on this machine and in this process.
"""

from __future__ import annotations

import argparse
import inspect
import time
import warnings

import pandas as pd

import followon as fo
from followon.hazard import get_model as model_class

TRIGGERS = ("plenary_meeting", "politburo_meeting", "party_congress", "summit")


def setups() -> dict[str, tuple[str, dict, list]]:
    """Model name → (registered model, constructor kwargs, covariates)."""
    plenum = [fo.TriggerWindows("plenary_meeting", (0, 30, 90))]
    pooled = [fo.TriggerWindows(t, (0, 30)) for t in TRIGGERS]
    return {
        "piecewise": ("piecewise", {}, plenum),
        "hawkes (metropolis)": ("hawkes", {}, plenum),
        "hawkes (laplace)": ("hawkes", {"sampler": "laplace"}, plenum),
        "pooled": ("pooled", {}, pooled),
        "pooled + instance effects": ("pooled", {"instance_effects": True}, pooled),
        "weibull": ("weibull", {}, [fo.TriggerWindows("plenary_meeting", (0, 30))]),
        "loglogistic": ("loglogistic", {}, [fo.TriggerWindows("plenary_meeting", (0, 30))]),
    }


def main() -> None:
    """Fit each model twice and print the times."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--models", default=",".join(setups()))
    args = parser.parse_args()
    events = fo.load_events()
    outcome = fo.Outcome("any", "missile_launch")
    as_of = events["date"].max() + pd.Timedelta(days=1)  # days stop at the outcome's data end
    rows = []
    for label in args.models.split(","):
        name, kwargs, covariates = setups()[label]
        table = fo.build_exposure(
            events, outcome, start="2012-01-01", as_of=as_of, covariates=covariates
        )
        times = []
        for seed in (1, 2):
            cls = model_class(name)
            params = inspect.signature(cls).parameters
            quiet = {"log_likelihood": False} if "log_likelihood" in params else {}
            model = cls(**quiet, **kwargs)
            tic = time.perf_counter()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                model.fit(
                    table, draws=1000, tune=1000, chains=4, random_seed=seed, progressbar=False
                )
            times.append(time.perf_counter() - tic)
        rows.append(
            {
                "model": label,
                "method": model.method_,
                "days": len(table.data),
                "first_fit_s": times[0],
                "refit_s": times[1],
            }
        )
        print(f"{label:28s} {model.method_:10s} first {times[0]:7.2f}s  refit {times[1]:7.2f}s")
    out = pd.DataFrame(rows)
    base = out.loc[out["model"] == "piecewise", "refit_s"]
    if len(base):
        out["refit_vs_piecewise"] = out["refit_s"] / float(base.iloc[0])
    print(out.to_string(index=False, float_format=lambda v: f"{v:.2f}"))


if __name__ == "__main__":
    main()
