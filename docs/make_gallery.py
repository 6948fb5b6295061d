"""Draw the gallery in docs/gallery/ from the shipped scenarios (quick mode) and write gallery.md.

Run: make gallery (python docs/make_gallery.py [--full])

Every figure is shipped as PNG and PDF. ``docs/gallery/manifest.json`` records the sha256 of
every input that drew the gallery (the shipped scenarios, the plotting and report code, this
script); tests/plotting/test_gallery.py fails when one of them changed since.

Each scenario's results folder is written under docs/gallery/<name>/ (figures and report only,
plus the results marker ``.followon-results``: a folder there without it is not replaced),
plus ``timeline_last_year.png``: the scenario's timeline over the year before its trigger. The
figures are listed in docs/gallery.md in the order the report embeds them.
"""

from __future__ import annotations

import hashlib
import json
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
from followon.plotting.folder import TIMELINE_HEIGHT_MM
from followon.plotting.timeline import grow_for_key

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
INPUTS = (
    "scenarios/*.yaml",
    "src/followon/plotting/*.py",
    "src/followon/reports/scenario.py",
    "docs/make_gallery.py",
)
"""What draws the gallery: a change to any of these files makes it stale."""
HEADER = """\
# Gallery

Figures from the shipped scenarios, drawn by `make gallery` (`python docs/make_gallery.py`;
quick mode: 2 chains × 1000 draws, every figure stamped "quick run – not for publication";
`--full` for the real run), which also writes this page and `gallery/manifest.json` (the
sha256 of every input: a test fails when the gallery is older than the scenarios or the
plotting code). Each folder holds the run's `report.md` and every figure as PNG and PDF. Every
figure is a `plot_*` function applied to a finished `ScenarioResult` inside `fo.paper_style()`
(89 mm wide, or 183 mm; every text 7 pt). One hypothesis has one colour, line style and marker
in every figure of a result (scenario order; `combined` black; `styles=` overrides), and the
scenario's `labels:` section names outcomes, hypotheses and covariates:

- `timeline`: `plot_scenario_timeline` — launch days, nuclear tests, satellite launches and
  balloon rounds by row, party meetings labelled over their ticks where the label fits (the
  scenario's trigger in vermillion), summits named on their own row, US–ROK exercises shaded,
  the as-of line, the hatched forecast window and days not yet observed in grey;
  `timeline_last_year` is the same over the year before the trigger.
- `forecast_*`: `plot_forecast` — P(outcome within H days) with named 50% and 90% credible
  bands, markers on the horizons, the base rate dotted; what happened is written on the figure
  (the first event's day, or "no … within 90 d (next: day 121)").
- `hazard_*`: `plot_hazard` — the posterior daily hazard, stepped, with 50% and 90% bands (a
  labelled log axis with decade ticks when a burst of self-excitation spans more than a factor
  30).
- `hazard_ratios_*`: `plot_hazard_ratios` — grouped by hypothesis, "median [90% interval]" and
  P(HR > 1) per row. `comparison_*`: `plot_comparison` — ELPD differences ± 2 se with each
  stacking weight and its bootstrap interval, |Δ| < 4 shaded, ties marked †, convergence
  warnings ‡, models left out listed with the reason.
- `at_a_glance_*`: `plot_at_a_glance` — 30/60/90-day bars with intervals, in words;
  `combined_*`: `plot_combined` — the stacked forecast with its weighted members;
  `event_study_*`: `plot_event_study` — the Kaplan–Meier share of past triggers followed by
  the outcome within d days (with those still waiting), against each hypothesis' implied curve;
  `ppc_*`: `plot_posterior_predictive` — launch days per quarter and the gaps between them,
  observed against each hypothesis' replicates, with posterior predictive p-values;
  `paper_figure`: `plot_paper_figure` — timeline, forecast and hazard ratios with one key,
  183 mm wide.
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
        subject = "quick run – not for publication" if quick else None
        target = HERE / "gallery" / name
        # written whole or not at all, and only over a gallery folder (it carries the marker)
        with tempfile.TemporaryDirectory() as tmp, atomic_folder(target, kind="gallery") as new:
            out = fo.write_results(result, Path(tmp) / name, save_models=False)
            (new / "figures").mkdir()
            names = _figure_names(out / "report.md")
            for png in names:
                for suffix in (".png", ".pdf"):
                    f = Path(png).with_suffix(suffix).name
                    shutil.copyfile(out / "figures" / f, new / "figures" / f)
            shutil.copyfile(out / "report.md", new / "report.md")
            with fo.paper_style("double", height_mm=TIMELINE_HEIGHT_MM):
                fig, ax = plt.subplots()
                start = result.origin - pd.Timedelta(days=365)
                fo.plot_scenario_timeline(result, start=start, ax=ax)
                grow_for_key(fig, ax)
                save_figure(fig, new / "figures" / "timeline_last_year", subject=subject)
                plt.close(fig)
            with fo.paper_style("double", height_mm=120):
                fig = fo.plot_paper_figure(result)
                save_figure(fig, new / "figures" / "paper_figure", subject=subject)
                plt.close(fig)
        names.insert(1, "timeline_last_year.png")
        names.append("paper_figure.png")
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
    manifest = {"quick": quick, "inputs": list(INPUTS), "sha256": input_hashes()}
    (HERE / "gallery" / "manifest.json").write_text(
        json.dumps(manifest, indent=2) + "\n", encoding="utf-8"
    )


def input_hashes(root: Path = ROOT, patterns: tuple[str, ...] = INPUTS) -> dict[str, str]:
    """Return ``path → sha256`` of every file matching ``patterns`` under ``root``."""
    files = sorted({p for pattern in patterns for p in root.glob(pattern) if p.is_file()})
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
    }


if __name__ == "__main__":
    main(quick="--full" not in sys.argv)
