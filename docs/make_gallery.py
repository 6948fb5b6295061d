"""Draw the gallery in docs/gallery/ from the shipped scenarios (quick mode).

Run: python docs/make_gallery.py [--full]

Each scenario's results folder is written under docs/gallery/<name>/ (figures and report only);
the PNGs are what docs/gallery.md shows.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import warnings
from pathlib import Path

import followon as fo

HERE = Path(__file__).resolve().parent
quick = "--full" not in sys.argv
warnings.simplefilter("ignore", fo.ConvergenceWarning)
for name, path in fo.bundled_scenarios().items():
    result = fo.run_scenario(fo.load_scenario(path), quick=quick)
    with tempfile.TemporaryDirectory() as tmp:
        out = fo.write_results(result, Path(tmp) / name, save_models=False)
        target = HERE / "gallery" / name
        shutil.rmtree(target, ignore_errors=True)
        (target / "figures").mkdir(parents=True)
        for png in (out / "figures").glob("*.png"):
            shutil.copyfile(png, target / "figures" / png.name)
        shutil.copyfile(out / "report.md", target / "report.md")
    print(f"{name}: {target}")
