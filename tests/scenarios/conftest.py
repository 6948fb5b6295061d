from __future__ import annotations

import pandas as pd
import pytest

from tests.hazard.conftest import simulate_events


@pytest.fixture(scope="session")
def simulated_events() -> pd.DataFrame:
    return simulate_events(4000, 0.02, trigger_every=180, window=30, hr_window=3.0, seed=11)
