from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import followon as fo


def simulate_events(
    n_days: int,
    lam0: float,
    *,
    trigger_every: int = 0,
    window: int = 30,
    hr_window: float = 1.0,
    excitation_decay: float | None = None,
    hr_excitation: float = 1.0,
    seed: int = 0,
    start: str = "2000-01-01",
) -> pd.DataFrame:
    """Simulate daily launch days from a known hazard: baseline × window HR × excitation HR."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=n_days, freq="D")
    rows = []
    x = 0.0
    prev = 0.0
    for i, day in enumerate(days):
        if excitation_decay is not None and i > 0:
            x = np.exp(-1.0 / excitation_decay) * (x + prev)
        in_window = trigger_every and (i % trigger_every) <= window and i >= trigger_every
        rate = lam0 * (hr_window if in_window else 1.0) * (hr_excitation**x)
        event = rng.random() < -np.expm1(-rate)
        prev = float(event)
        if event:
            rows.append(
                {
                    "event_id": f"L{i}",
                    "type": "missile_launch",
                    "date": f"{day:%Y-%m-%d}",
                    "source": "sim",
                }
            )
        if trigger_every and i % trigger_every == 0 and i > 0:
            rows.append(
                {
                    "event_id": f"P{i}",
                    "type": "plenary_meeting",
                    "date": f"{day:%Y-%m-%d}",
                    "source": "sim",
                }
            )
    return fo.validate_events(pd.DataFrame(rows))


@pytest.fixture(scope="session")
def simulated() -> pd.DataFrame:
    return simulate_events(4000, 0.02, trigger_every=180, window=30, hr_window=3.0, seed=11)
