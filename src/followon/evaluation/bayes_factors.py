r"""Savage–Dickey Bayes factors for nested "effect vs no effect" hypotheses.

A hypothesis whose hazard reduces to the no-covariate ("steady") model when all its
coefficients β are 0 is nested in it, and

.. math:: \mathrm{BF}_{10} = \frac{p(\beta = 0)}{p(\beta = 0 \mid y)}

(Dickey 1971; Wagenmakers et al. 2010): the prior density at 0 over the posterior density at
0, jointly over the hypothesis' coefficients — in closed form for exact (conjugate) fits, and
for MCMC fits the Normal prior against a Gaussian approximation to the posterior draws.
Bayes factors move with the prior, so each is reported across prior widths: the prior sd of
the log hazard ratios scaled by 0.5, 1 and 2 (MCMC fits: ``beta_sd × s``; exact fits, whose
log hazard ratios have prior sd :math:`\approx \sqrt{2/a}`: ``baseline_shape / s²``). Read
on the Kass–Raftery scale: 1–3 not worth more than a bare mention, 3–20 positive, 20–150
strong, > 150 very strong.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import gammaln

from followon.hazard import PiecewiseHazard

__all__ = ["kass_raftery", "prior_sensitivity", "savage_dickey"]

PRIOR_SCALES = (0.5, 1.0, 2.0)


def kass_raftery(bf10: float) -> str:
    """Words for a Bayes factor on the Kass–Raftery (1995) scale, either direction."""
    bf = bf10 if bf10 >= 1 else 1.0 / bf10
    side = "for the effect" if bf10 >= 1 else "against the effect"
    if bf < 3:
        return "not worth more than a bare mention"
    if bf < 20:
        return f"positive evidence {side}"
    if bf < 150:
        return f"strong evidence {side}"
    return f"very strong evidence {side}"


def _exact_log_density_at_zero(shape: np.ndarray, rate: np.ndarray) -> float:
    r"""Log density at β = 0 of β_c = log(λ_c / λ_0), λ's independent Gamma(shape, rate).

    :math:`\int \prod_c p_c(x)\, x^k dx = \prod_c \frac{b_c^{a_c}}{\Gamma(a_c)}
    \frac{\Gamma(A)}{B^A}` with :math:`A = \sum a_c`, :math:`B = \sum b_c`, k + 1 cells.
    """
    big_a, big_b = shape.sum(), rate.sum()
    return float(
        np.sum(shape * np.log(rate) - gammaln(shape)) + gammaln(big_a) - big_a * np.log(big_b)
    )


def savage_dickey(model: PiecewiseHazard, names: Sequence[str] | None = None) -> float:
    """BF10 of a fitted model's coefficients against β = 0: all of them jointly, or ``names``.

    Exact fits: both densities in closed form (all coefficients only). MCMC fits: the prior's
    Normal density, and a Gaussian approximation to the posterior of β (fitted to the draws)
    at 0 — for ``names``, both marginal to those coefficients: the Bayes factor of the model
    against the one without them, the others left free (the priors are independent, so the
    Savage–Dickey condition holds).

    Raises
    ------
    ValueError
        ``names`` holds a name the model has no coefficient for, or is a part of an exact fit's.
    """
    all_names = list(model.table_.covariate_names)
    k = len(all_names)
    subset = all_names if names is None else list(names)
    unknown = [n for n in subset if n not in all_names]
    if unknown or not subset:
        raise ValueError(
            f"no coefficient {', '.join(unknown) or '(none given)'}; the model has "
            f"{', '.join(all_names) or 'none'}."
        )
    gamma = getattr(model, "posterior_gamma_", None)
    if model.method_ == "exact" and gamma:
        if len(subset) != k:
            raise ValueError("an exact fit gives the Bayes factor of all its coefficients only.")
        a = float(model.prior_["baseline_shape"])
        b = float(model.prior_["baseline_rate_param"])
        log_prior = _exact_log_density_at_zero(np.full(k + 1, a), np.full(k + 1, b))
        log_post = _exact_log_density_at_zero(np.asarray(gamma["shape"]), np.asarray(gamma["rate"]))
        return float(np.exp(log_prior - log_post))
    from scipy.stats import multivariate_normal  # here: scipy.stats takes ≈ 1 s to import

    idx = [all_names.index(n) for n in subset]
    draws = np.asarray(model.idata_["posterior"]["beta"].values).reshape(-1, k)[:, idx]
    mu = np.asarray(model.prior_["beta_mean"])[idx]
    sd = np.asarray(model.prior_["beta_sd"])[idx]
    zero = np.zeros(len(idx))
    log_prior = float(multivariate_normal(mean=mu, cov=np.diag(sd**2)).logpdf(zero))
    cov = np.atleast_2d(np.cov(draws, rowvar=False))
    log_post = float(multivariate_normal(mean=draws.mean(axis=0), cov=cov).logpdf(zero))
    return float(np.exp(log_prior - log_post))


def prior_sensitivity(
    model: PiecewiseHazard,
    names: Sequence[str] | None = None,
    *,
    scales: tuple[float, ...] = PRIOR_SCALES,
    draws: int = 1000,
    tune: int = 1000,
    chains: int = 4,
    random_seed: int | None = None,
) -> pd.DataFrame:
    """Refit ``model`` on its table with wider and narrower priors; BF10 for each.

    ``names``: the coefficients tested (:func:`savage_dickey`; default all).

    Returns
    -------
    pandas.DataFrame
        ``prior_scale, beta_prior_sd, bf10, log10_bf10, reading``.
    """
    rows = []
    exact = model.method_ == "exact"
    for s in scales:
        params = model.get_params()
        params["beta_priors"] = {k: tuple(v) for k, v in params["beta_priors"].items()} or None
        if exact:
            params["baseline_shape"] = model.baseline_shape / s**2
            params["sampler"] = "exact"
            prior_sd = float(np.sqrt(2.0 / params["baseline_shape"]))
        else:
            params["beta_sd"] = model.beta_sd * s
            prior_sd = params["beta_sd"]
        params["log_likelihood"] = False
        refit = (
            model
            if s == 1.0
            else PiecewiseHazard(**params).fit(
                model.table_,
                draws=draws,
                tune=tune,
                chains=chains,
                random_seed=random_seed,
                progressbar=False,
            )
        )
        bf = savage_dickey(refit, names)
        rows.append(
            {
                "prior_scale": s,
                "beta_prior_sd": prior_sd,
                "bf10": bf,
                "log10_bf10": float(np.log10(bf)) if np.isfinite(bf) and bf > 0 else float("nan"),
                "reading": kass_raftery(bf) if np.isfinite(bf) and bf > 0 else "undefined",
            }
        )
    return pd.DataFrame(rows)
