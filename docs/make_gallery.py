"""Draw the gallery in docs/gallery/ from the shipped scenarios (quick mode) and write gallery.md.

Run: python docs/make_gallery.py [--full]

Each scenario's results folder is written under docs/gallery/<name>/ (figures and report only,
plus the results marker ``.followon-results``: a folder there without it is not replaced),
plus ``timeline_last_year.png``: the scenario's timeline over the year before its trigger. The
figures are listed in docs/gallery.md in the order the report embeds them.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd

import followon as fo
from followon._io import atomic_folder
from followon.plotting import save_figure
from followon.plotting.figures import TIMELINE_HEIGHT_MM

HERE = Path(__file__).resolve().parent
HEADER = """\
# Gallery

Figures from the shipped scenarios, drawn by `python docs/make_gallery.py` (quick mode:
2 chains × 1000 draws; `--full` for the real run), which also writes this page. Each folder also
holds the run's `report.md`. Every figure is a `plot_*` function applied to a finished
`ScenarioResult` inside `fo.paper_style()` (89 mm wide, or 183 mm for the timeline; 7 pt,
Okabe–Ito colours paired with line styles):

- `timeline`: `plot_scenario_timeline` — launch days, nuclear tests, satellite launches and
  balloon rounds by row, party meetings labelled where the label fits (the scenario's trigger in
  vermillion), summits (green) and US–ROK exercises (grey) shaded, the as-of line and the hatched
  forecast window; `timeline_last_year` is the same over the year before the trigger.
- `forecast_*`: `plot_forecast` — P(outcome within H days), 50% and 90% bands, the base rate in
  grey, dotted lines for what-ifs that change a hypothesis' forecast (none here: the shipped
  what-ifs add an exercise, and no shipped hypothesis has an exercise covariate).
- `hazard_*`: `plot_hazard` — the posterior daily hazard after the trigger, stepped, with 50% and
  90% bands (a log axis when a burst of self-excitation spans more than a factor 30);
  `plot_hazard(result, ratio=True)` gives the ratio to each hypothesis' baseline instead.
- `hazard_ratios_*`, `comparison_*`: `plot_hazard_ratios`, `plot_comparison`.
"""


def _figure_names(report: Path) -> list[str]:
    """PNG names in the order report.md embeds them."""
    lines = report.read_text(encoding="utf-8").splitlines()
    return [ln.split("(figures/")[1].rstrip(")") for ln in lines if ln.startswith("![")]


def main(quick: bool) -> None:
    """Run every shipped scenario, copy its figures and report, write gallery.md."""
    warnings.simplefilter("ignore", fo.ConvergenceWarning)
    sections = [HEADER]
    for name, path in fo.bundled_scenarios().items():
        result = fo.run_scenario(fo.load_scenario(path), quick=quick)
        target = HERE / "gallery" / name
        # written whole or not at all, and only over a gallery folder (it carries the marker)
        with tempfile.TemporaryDirectory() as tmp, atomic_folder(target, kind="gallery") as new:
            out = fo.write_results(result, Path(tmp) / name, save_models=False)
            (new / "figures").mkdir()
            names = _figure_names(out / "report.md")
            for png in names:
                shutil.copyfile(out / "figures" / png, new / "figures" / png)
            shutil.copyfile(out / "report.md", new / "report.md")
            with fo.paper_style("double", height_mm=TIMELINE_HEIGHT_MM):
                fig, ax = plt.subplots()
                start = result.origin - pd.Timedelta(days=365)
                fo.plot_scenario_timeline(result, start=start, ax=ax)
                pdf, _ = save_figure(fig, new / "figures" / "timeline_last_year")
                pdf.unlink()
                plt.close(fig)
        names.insert(1, "timeline_last_year.png")
        sections += [
            f"## {name}",
            "",
            f"[report](gallery/{name}/report.md)",
            "",
            *[f"![{png[:-4]}](gallery/{name}/figures/{png})" for png in names],
            "",
        ]
        print(f"{name}: {target}")
    (HERE / "gallery.md").write_text("\n".join(sections), encoding="utf-8")


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
