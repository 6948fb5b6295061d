from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED_SOURCES = REPO.parent / "shared" / "data-sources"


@pytest.fixture
def repo() -> Path:
    return REPO
