"""Prior-predictive check of a scenario: what the priors alone say P(action within H days) is."""

from __future__ import annotations

import numpy as np
import pandas as pd

from followon.hazard import FORECAST_COLUMNS
from followon.scenarios.backtest import fast_model
from followon.scenarios.build import hypothesis_table, load_scenario_events, resolve_trigger
from followon.scenarios.schema import Scenario

__all__ = ["prior_predictive"]


def prior_predictive(
    scenario: Scenario,
    events: pd.DataFrame | None = None,
    *,
    draws: int = 4000,
    ci_prob: float = 0.9,
    random_seed: int | None = None,
) -> pd.DataFrame:
    r"""P(≥ 1 outcome event within each horizon of the scenario's trigger) under the priors.

    For each hypothesis and outcome the model's priors are set up exactly as a fit would
    (the baseline prior is centred on the table's empirical rate, so the check shows what the
    *hazard-ratio* priors do to a forecast), the trigger's future covariates are built, and
    :math:`p_s(H) = 1 - e^{-\Lambda_s(H)}` is summarised over prior draws *s*. A prior that
    puts most of its mass on probabilities near 0 or 1 — or far from ``base_rate``, the
    climatological :math:`1 - e^{-\hat r H}` — says more than the analyst meant.

    Returns
    -------
    pandas.DataFrame
        ``hypothesis, outcome, horizon_days, p_mean, p_low, p_high, p_median, base_rate``.
    """
    if events is None:
        events, _ = load_scenario_events(scenario)
    origin, hypothetical, _ = resolve_trigger(scenario, events)
    frames = []
    for o_spec in scenario.outcomes:
        outcome = o_spec.build()
        for h in scenario.hypotheses:
            table = hypothesis_table(
                scenario, events, outcome, h, as_of=pd.Timestamp(str(scenario.as_of))
            )
            # the prior group does not depend on the sampler: use the cheapest exact fit
            model = fast_model(h, table).fit(
                table, draws=draws, chains=1, random_seed=random_seed, progressbar=False
            )
            f = model.forecast(
                origin, scenario.horizons_days, trigger=hypothetical, ci_prob=ci_prob, group="prior"
            )
            rate = table.data["events"].sum() / table.data["exposure"].sum()
            f["base_rate"] = -np.expm1(-rate * f["horizon_days"].to_numpy(dtype=float))
            f.insert(0, "hypothesis", h.id)
            frames.append(f[["hypothesis", *FORECAST_COLUMNS[:6], "base_rate"]])
    out = pd.concat(frames, ignore_index=True)
    out.attrs["ci_prob"] = ci_prob
    return out
