r"""Model comparison as functions: leave-future-out block scores, PSIS-LOO, stacking weights.

``lfo`` in a scenario is exact leave-future-out cross-validation (Bürkner, Gabry & Vehtari
2020): each hypothesis is refitted on the days before each block and scored on the block,
:math:`\mathrm{lpd}_k = \log \frac{1}{S} \sum_s \exp \sum_{d \in \text{block } k}
\log p(y_d \mid \lambda_{s,d})` (:func:`block_lpd`). ``elpd`` = Σ_k lpd_k, its ``se`` =
√K · sd(lpd_k); ``d_elpd`` and ``dse`` are against the best; ``weight`` are stacking weights
(Yao et al. 2018). :func:`psis_loo` uses ArviZ's PSIS-LOO on the per-day log-likelihood
(optimistic for time series).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from scipy.optimize import minimize
from scipy.special import gammaln, logsumexp

__all__ = ["block_lpd", "psis_loo", "stacking_weights", "summarise_comparison"]


def stacking_weights(lpd: np.ndarray) -> np.ndarray:
    """Stacking weights maximising Σ_i log Σ_m w_m exp(lpd[i, m]) over the simplex."""
    n_models = lpd.shape[1]
    if n_models == 1:
        return np.ones(1)

    def objective(z: np.ndarray) -> float:
        logw = z - logsumexp(z)
        return -float(np.sum(logsumexp(lpd + logw, axis=1)))

    res = minimize(objective, np.zeros(n_models), method="L-BFGS-B")
    w = np.exp(res.x - logsumexp(res.x))
    return w / w.sum()


def block_lpd(model: Any, rows: pd.DataFrame) -> float:
    """Log mean_s exp(Σ_d log p(y_d | λ_sd)) for the days in ``rows``."""
    lam = model.hazard(rows) * rows["exposure"].to_numpy()[None, :]
    y = rows["events"].to_numpy(dtype=float)
    ll = (y * np.log(lam) - lam - gammaln(y + 1.0)).sum(axis=1)
    return float(logsumexp(ll) - np.log(len(ll)))


def summarise_comparison(lpd: np.ndarray, ids: list[str]) -> pd.DataFrame:
    """elpd, its se, differences to the best (``d_elpd``, ``dse``) and stacking weights.

    ``lpd`` has one row per block (or observation) and one column per model, named ``ids``.
    """
    n = lpd.shape[0]
    elpd = lpd.sum(axis=0)
    se = np.sqrt(n) * lpd.std(axis=0, ddof=1) if n > 1 else np.full(len(ids), np.nan)
    best = int(np.argmax(elpd))
    diff = lpd[:, [best]] - lpd
    dse = np.sqrt(n) * diff.std(axis=0, ddof=1) if n > 1 else np.full(len(ids), np.nan)
    return pd.DataFrame(
        {
            "hypothesis": ids,
            "elpd": elpd,
            "se": se,
            "d_elpd": elpd[best] - elpd,
            "dse": dse,
            "weight": stacking_weights(lpd),
        }
    )


def psis_loo(models: dict[str, Any]) -> pd.DataFrame:
    """PSIS-LOO comparison of fitted models (their DataTrees' pointwise log-likelihood)."""
    import arviz as az

    loos = {h: az.loo(m.idata_, pointwise=True) for h, m in models.items()}
    pointwise = np.column_stack([np.asarray(loo.elpd_i) for loo in loos.values()])
    out = summarise_comparison(pointwise, list(models))
    out["se"] = [float(loo.se) for loo in loos.values()]
    # PSIS is unreliable where Pareto k > 0.7: say how many days that is (prefer lfo then)
    out["pareto_k_high"] = [int((np.asarray(loo.pareto_k) > 0.7).sum()) for loo in loos.values()]
    return out
