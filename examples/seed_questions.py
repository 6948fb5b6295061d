"""Answer each shipped scenario's question with the library API (quick mode).

Run: python examples/seed_questions.py [--full]

For every file in scenarios/: load it, run it (quick: 2 chains × 1 000 draws unless --full),
print the 60-day probabilities per hypothesis and the comparison's verdict, and save each
outcome's probability-by-horizon figure (PDF, single column) to results/examples/.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib.pyplot as plt

import followon as fo
from followon.plotting import save_figure

quick = "--full" not in sys.argv
figures = Path(__file__).resolve().parents[1] / "results" / "examples"
warnings.simplefilter("ignore", fo.ConvergenceWarning)  # listed in each result's diagnostics
for path in sorted((Path(__file__).resolve().parents[1] / "scenarios").glob("*.yaml")):
    scenario = fo.load_scenario(path)
    result = fo.run_scenario(scenario, quick=quick)
    print(f"\n{scenario.name}: {scenario.question}")
    f = result.forecast[
        (result.forecast["what_if"] == "") & (result.forecast["horizon_days"] == 60)
    ]
    for row in f.itertuples():
        print(
            f"  {row.outcome:<14} {row.hypothesis:<15} P(within 60 d) = {row.p_mean:.2f}"
            f"  [{row.p_low:.2f}, {row.p_high:.2f}]"
        )
    for outcome, comp in result.comparison.groupby("outcome", sort=False):
        best = comp.sort_values("elpd", ascending=False).iloc[0]
        print(
            f"  {outcome}: best held-out fit '{best['hypothesis']}' (weight {best['weight']:.2f})"
        )
    for outcome in result.curves["outcome"].unique():
        with fo.paper_style("single"):
            fig, ax = plt.subplots()
            fo.plot_forecast(result, outcome, ax=ax)
            paths = save_figure(fig, figures / f"{scenario.name}_{outcome}")
            plt.close(fig)
        print(f"  figure: {paths[0]}")
