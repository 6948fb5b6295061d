from __future__ import annotations

import os
from pathlib import Path

import pytest

# No persistent JAX compilation cache in the test session: a fresh CI HOME starts it empty, so
# it saves little here, and a CI run crashed (segfault) reading an entry back inside JAX's
# cache (jax/_src/compilation_cache.py) during a pooled-model refit. Users keep the cache
# (followon.hazard._sampling.enable_jax_cache).
os.environ.setdefault("FOLLOWON_JAX_CACHE", "0")

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
