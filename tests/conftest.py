from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_SOURCES = REPO.parent / "shared" / "data-sources"


@pytest.fixture
def repo() -> Path:
    return REPO


@pytest.fixture(autouse=True)
def _empty_overlay(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Every test sees an empty local overlay, never the user's own (~/.local/share/followon)."""
    folder = tmp_path_factory.mktemp("followon-data")
    monkeypatch.setenv("FOLLOWON_DATA_DIR", str(folder))
    return folder
