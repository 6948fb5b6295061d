"""The committed gallery is drawn from the current scenarios and plotting code."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GALLERY = ROOT / "docs" / "gallery"


def _hashes(patterns: list[str]) -> dict[str, str]:
    files = sorted({p for pattern in patterns for p in ROOT.glob(pattern) if p.is_file()})
    return {
        p.relative_to(ROOT).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in files
    }


def test_gallery_is_not_older_than_what_draws_it() -> None:
    manifest_path = GALLERY / "manifest.json"
    if not (ROOT / "scenarios").is_dir():
        pytest.skip("not a checkout: no scenarios/ folder")
    assert manifest_path.exists(), "docs/gallery/manifest.json is missing: run `make gallery`"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    assert "src/followon/plotting/*.py" in manifest["inputs"]
    assert "scenarios/*.yaml" in manifest["inputs"]
    now = _hashes(manifest["inputs"])
    changed = sorted(
        k for k in now.keys() | manifest["sha256"].keys() if now.get(k) != manifest["sha256"].get(k)
    )
    assert not changed, (
        "docs/gallery is stale: changed since it was drawn: "
        + ", ".join(changed)
        + "; run `make gallery` and commit docs/gallery."
    )


def test_gallery_ships_pdf_and_png_of_every_figure() -> None:
    for folder in sorted(p for p in GALLERY.iterdir() if (p / "figures").is_dir()):
        pngs = {p.stem for p in (folder / "figures").glob("*.png")}
        pdfs = {p.stem for p in (folder / "figures").glob("*.pdf")}
        if folder.name.startswith("backtest"):
            continue  # drawn by `followon backtest`, not by make gallery
        assert pngs and pngs == pdfs, folder.name
