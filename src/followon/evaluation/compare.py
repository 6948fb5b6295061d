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
from scipy.special import gammaln
from scipy.special import logsumexp as _scipy_logsumexp

from followon._lazy import lazy_placeholders_hidden
from followon.hazard.probability import weighted_quantile

__all__ = [
    "WEIGHT_METHODS",
    "block_lpd",
    "mixture_probabilities",
    "model_weights",
    "pseudo_bma_weights",
    "psis_loo",
    "stacking_weights",
    "summarise_comparison",
]

WEIGHT_METHODS = ("stacking", "pseudo-bma+")
"""How the combined forecast weighs the compared hypotheses (``compare.weights``)."""

BOOTSTRAP_DRAWS = 200
"""Bayesian-bootstrap replicates behind the weights' intervals (and pseudo-BMA+)."""


def logsumexp(a: Any, **kwargs: Any) -> Any:
    """SciPy's ``logsumexp`` with ArviZ's lazy ``jax`` placeholder hidden while it runs.

    SciPy asks ``sys.modules`` whether its argument is a JAX array, and the placeholder answers
    by importing JAX (≈ 1 s, ≈ 120 MB; found in a run's leave-future-out block scores). See
    :func:`followon._lazy.lazy_placeholders_hidden`.
    """
    with lazy_placeholders_hidden():
        return _scipy_logsumexp(a, **kwargs)


def stacking_weights(lpd: np.ndarray, obs_weights: np.ndarray | None = None) -> np.ndarray:
    """Stacking weights maximising Σ_i v_i log Σ_m w_m exp(lpd[i, m]) over the simplex.

    ``obs_weights`` (v, default all 1) weigh the rows (blocks or days): a Bayesian-bootstrap
    replicate passes Dirichlet weights.
    """
    n_models = lpd.shape[1]
    if n_models == 1:
        return np.ones(1)
    v = np.ones(lpd.shape[0]) if obs_weights is None else np.asarray(obs_weights, dtype=float)

    def objective(z: np.ndarray) -> tuple[float, np.ndarray]:
        logw = z - logsumexp(z)
        row = logsumexp(lpd + logw, axis=1)
        resp = np.exp(lpd + logw - row[:, None])  # each row's share per model
        grad_logw = v @ resp
        # d/dz of Σ v log Σ exp(lpd + z − logsumexp z): softmax Jacobian
        grad = grad_logw - np.exp(logw) * v.sum()
        return -float(np.sum(v * row)), -grad

    res = minimize(objective, np.zeros(n_models), method="L-BFGS-B", jac=True)
    w = np.exp(res.x - logsumexp(res.x))
    return w / w.sum()


def _stacking_replicates(
    lpd: np.ndarray, obs_weights: np.ndarray, *, iterations: int = 5000
) -> np.ndarray:
    """Stacking weights for many row weightings at once (EM on the mixture proportions).

    Each replicate *r* maximises Σ_i v_ri log Σ_m w_rm exp(lpd[i, m]) — the objective of
    :func:`stacking_weights` — by the EM update w ← w ⊙ (Σ_i v_i p_im / Σ_j w_j p_ij) / Σ_i v_i,
    which increases it at every step; all replicates move together as one array operation.
    """
    p = np.exp(lpd - lpd.max(axis=1, keepdims=True))  # a row's scale cancels in the update
    w = np.full((len(obs_weights), lpd.shape[1]), 1.0 / lpd.shape[1])
    total = obs_weights.sum(axis=1, keepdims=True)
    for _ in range(iterations):
        new = w * ((obs_weights / (w @ p.T)) @ p) / total
        if np.max(np.abs(new - w)) < 1e-9:
            return new
        w = new
    return w


def pseudo_bma_weights(lpd: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Pseudo-BMA+ weights: exp(elpd) weights averaged over Bayesian-bootstrap replicates.

    Yao et al. (2018): each replicate draws Dirichlet(1, …, 1) weights α over the rows and
    weighs the models by exp(n Σ_i α_i lpd_i); the average over replicates tempers the weights
    by the uncertainty of the elpd differences.
    """
    n = lpd.shape[0]
    alpha = rng.dirichlet(np.ones(n), size=BOOTSTRAP_DRAWS)
    z = n * alpha @ lpd  # (replicates, models)
    w = np.exp(z - logsumexp(z, axis=1, keepdims=True))
    return np.asarray(w.mean(axis=0))


def model_weights(
    lpd: np.ndarray, method: str = "stacking", *, ci_prob: float = 0.9, random_seed: int = 0
) -> pd.DataFrame:
    """Weights of the compared models with a Bayesian-bootstrap interval over the rows.

    Parameters
    ----------
    lpd : ndarray, shape (rows, models)
        Per-block (leave-future-out) or per-day (PSIS-LOO) log predictive densities.
    method : {"stacking", "pseudo-bma+"}
    ci_prob : float
        Width of the interval (``weight_low``, ``weight_high``): quantiles of the weights
        recomputed on Dirichlet(1, …, 1)-weighted rows. Few blocks make it wide, as it should be:
        weights of 1.00 / 0.00 from four blocks are not a verdict.

    Returns
    -------
    pandas.DataFrame
        One row per model: ``weight, weight_low, weight_high``.
    """
    if method not in WEIGHT_METHODS:
        raise ValueError(f"weights must be one of {', '.join(WEIGHT_METHODS)}, not '{method}'.")
    rng = np.random.default_rng(random_seed)
    n = lpd.shape[0]
    if method == "stacking":
        weight = stacking_weights(lpd)
        alphas = rng.dirichlet(np.ones(n), size=BOOTSTRAP_DRAWS) * n
        boot = _stacking_replicates(lpd, alphas)
    else:
        weight = pseudo_bma_weights(lpd, rng)
        alpha = rng.dirichlet(np.ones(n), size=BOOTSTRAP_DRAWS)
        z = n * alpha @ lpd
        boot = np.exp(z - logsumexp(z, axis=1, keepdims=True))
    lo, hi = (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2
    # the point weight comes from L-BFGS on a softmax, which never reaches 0 (1e-5, say), the
    # replicates from EM, which does (1e-54): the same zero, so the interval takes the point in
    return pd.DataFrame(
        {
            "weight": weight,
            "weight_low": np.minimum(np.quantile(boot, lo, axis=0), weight),
            "weight_high": np.maximum(np.quantile(boot, hi, axis=0), weight),
        }
    )


def mixture_probabilities(
    p_draws: list[np.ndarray],
    weights: np.ndarray,
    horizons: list[int],
    *,
    p_means: list[np.ndarray] | None = None,
    ci_prob: float = 0.9,
) -> pd.DataFrame:
    r"""P(event within H) of a weighted mixture of models' posterior predictive draws.

    Model *m* contributes its draws :math:`p_{m,s}(H)` with weight :math:`w_m / S_m` each, so
    the mixture's mean is :math:`\sum_m w_m \bar p_m(H)` and its interval the weighted
    quantiles of all draws.

    Parameters
    ----------
    p_draws : list of ndarray, shape (draws_m, days)
        Each model's P(event within h days) per draw, h = 1 … days.
    weights : ndarray
        One weight per model, summing to 1.
    horizons : list of int
        Days (1-based) to report.
    p_means : list of ndarray, optional
        Each model's own mean per horizon (e.g. a closed form), used for ``p_mean``.
    ci_prob : float

    Returns
    -------
    pandas.DataFrame
        ``horizon_days, p_mean, p_low, p_high, p_median``.
    """
    w = np.asarray(weights, dtype=float)
    keep = [i for i in range(len(p_draws)) if w[i] > 0]
    idx = np.asarray(horizons, dtype=int) - 1
    values = np.concatenate([p_draws[i][:, idx] for i in keep], axis=0)
    draw_w = np.concatenate([np.full(len(p_draws[i]), w[i] / len(p_draws[i])) for i in keep])
    if p_means is not None:
        mean = sum(w[i] * np.asarray(p_means[i], dtype=float) for i in keep)
    else:
        mean = draw_w @ values / draw_w.sum()
    lo, hi = (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2
    q = np.array([weighted_quantile(values[:, j], draw_w, [lo, hi, 0.5]) for j in range(len(idx))])
    return pd.DataFrame(
        {
            "horizon_days": list(horizons),
            "p_mean": np.asarray(mean, dtype=float),
            "p_low": q[:, 0],
            "p_high": q[:, 1],
            "p_median": q[:, 2],
        }
    )


def block_lpd(model: Any, rows: pd.DataFrame) -> float:
    """Log mean_s exp(Σ_d log p(y_d | λ_sd)) for the days in ``rows``."""
    lam = model.hazard(rows) * rows["exposure"].to_numpy()[None, :]
    y = rows["events"].to_numpy(dtype=float)
    ll = (y * np.log(lam) - lam - gammaln(y + 1.0)).sum(axis=1)
    return float(logsumexp(ll) - np.log(len(ll)))


def summarise_comparison(
    lpd: np.ndarray, ids: list[str], *, weights: str = "stacking"
) -> pd.DataFrame:
    """elpd, its se, differences to the best (``d_elpd``, ``dse``) and the models' weights.

    ``lpd`` has one row per block (or observation) and one column per model, named ``ids``;
    ``weight`` (stacking or pseudo-BMA+) comes with a Bayesian-bootstrap interval
    (``weight_low``, ``weight_high``, 90%; :func:`model_weights`).
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
            **model_weights(lpd, weights).to_dict("list"),
        }
    )


def psis_loo(models: dict[str, Any], *, weights: str = "stacking") -> pd.DataFrame:
    """PSIS-LOO comparison of fitted models (their DataTrees' pointwise log-likelihood)."""
    from arviz_stats import loo as arviz_loo  # not arviz: it imports arviz_plots (≈ 1 s)

    loos = {h: arviz_loo(m.idata_, pointwise=True) for h, m in models.items()}
    pointwise = np.column_stack([np.asarray(loo.elpd_i) for loo in loos.values()])
    out = summarise_comparison(pointwise, list(models), weights=weights)
    out["se"] = [float(loo.se) for loo in loos.values()]
    # PSIS is unreliable where Pareto k > 0.7: say how many days that is (prefer lfo then)
    out["pareto_k_high"] = [int((np.asarray(loo.pareto_k) > 0.7).sum()) for loo in loos.values()]
    return out
