"""P(ICBM launch within 30/60/90 days) after the 19 Jan 2022 Politburo meeting.

Run: python examples/politburo_2022_icbm.py [--mcmc]

Fits, on 2012-01-01 … 2022-01-19 (as of 20 Jan 2022), a piecewise-exponential hazard of ICBM
launch days with Politburo-meeting windows (0–30, 31–60 days after a meeting), and forecasts
from the meeting. The exact conjugate path is used by default (disjoint window indicators);
``--mcmc`` fits the same model with NUTS and Normal(0, 1) priors on the log hazard ratios.
What happened: a failed Hwasong-17 on 16 Mar (+56 days) and the first ICBM since 2017 on
24 Mar (+64 days).
"""

from __future__ import annotations

import sys

import followon as fo

events = fo.load_events()
table = fo.build_exposure(
    events,
    fo.Outcome("icbm", "missile_launch", subtype=["ICBM"]),
    start="2012-01-01",
    as_of="2022-01-20",
    covariates=[fo.TriggerWindows("politburo_meeting", cut_days=(0, 30, 60))],
)
print(table)
P = {"p_mean": 3, "p_low": 3, "p_high": 3, "p_median": 3}
sampler = "pymc" if "--mcmc" in sys.argv else "exact"
model = fo.PiecewiseHazard(sampler=sampler).fit(table, random_seed=2022, progressbar=False)
print("\nHazard ratios (90% intervals):")
print(model.summary(ci_prob=0.9).round(4).to_string())
print("\nForecast from the meeting (19 Jan 2022):")
print(model.forecast("2022-01-19", [30, 60, 90], ci_prob=0.9).round(P).to_string(index=False))
print("\nLive update after 40 quiet days:")
print(model.forecast("2022-01-19", [60, 90], elapsed_days=40).round(P).to_string(index=False))
