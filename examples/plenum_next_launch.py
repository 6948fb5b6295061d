"""Days from the end of each 8th-CC plenary meeting to the next missile launch day.

Run: python examples/plenum_next_launch.py

A first look at the question followon's hazard models answer with uncertainty: how long after
a plenum does the next launch come? (Predictive, not causal: meetings are scheduled and
launches planned.)
"""

from __future__ import annotations

import followon as fo

events = fo.load_events()
launches = events[events["type"] == "missile_launch"]["date"]
plenums = events[(events["type"] == "plenary_meeting") & (events["cc_term"] == "8")]
observed_until = fo.observed_until("missile_launch")  # later days are unobserved

print(f"{'plenum':<41}{'ended':<12}{'next launch':<13}days")
for _, p in plenums.iterrows():
    after = launches[launches > p["end_date"]]
    if after.empty or after.iloc[0] > observed_until:
        print(f"{p['label']:<41}{p['end_date']:%Y-%m-%d}  (none by {observed_until:%Y-%m-%d})")
        continue
    nxt = after.iloc[0]
    days = (nxt - p["end_date"]).days
    print(f"{p['label']:<41}{p['end_date']:%Y-%m-%d}  {nxt:%Y-%m-%d}   {days}")
