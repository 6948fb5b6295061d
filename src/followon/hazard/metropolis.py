r"""Posterior mode, Laplace covariance and Metropolis–Hastings for small smooth posteriors.

NumPy/SciPy only, for models whose log posterior is cheap to evaluate but awkward to write as a
PyMC graph (the Hawkes model's O(n) excitation recursion is a linear filter, not a tensor
expression). The parameters live on an unconstrained scale.

- :func:`posterior_mode` maximises the log posterior with L-BFGS on an analytic gradient and
  returns the negative Hessian there (central differences of the gradient).
- :func:`metropolis` runs chains that alternate two Metropolis–Hastings kernels, each leaving
  the posterior invariant (so their composition does too, Tierney 1994):

  1. an *independence* proposal from a multivariate Student-t (5 d.o.f.) centred at the mode
     with the inverse negative Hessian as scale: near-independent draws when the posterior is
     close to its Laplace approximation;
  2. a *random-walk* proposal :math:`\mathcal N(\theta, 2.38^2/k\,\Sigma)` (Roberts, Gelman &
     Gilks 1997), which keeps the chain moving where the posterior is not Gaussian.

  During the first half of tuning the proposals use the Laplace covariance; afterwards both
  are re-centred and re-scaled on the tuning draws of all chains. Tuning draws are discarded.
  R-hat and ESS are computed by ArviZ on the result like for any MCMC fit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import minimize

from followon.errors import ModelError

__all__ = ["Mode", "metropolis", "posterior_mode"]

LogDensity = Callable[[np.ndarray], float]
LogDensityGrad = Callable[[np.ndarray], tuple[float, np.ndarray]]


@dataclass(frozen=True)
class Mode:
    """The posterior mode on the unconstrained scale and the negative Hessian there."""

    theta: np.ndarray
    neg_hessian: np.ndarray
    log_density: float

    @property
    def covariance(self) -> np.ndarray:
        """Inverse negative Hessian (the Laplace covariance), symmetrised."""
        cov = np.linalg.inv(self.neg_hessian)
        return (cov + cov.T) / 2


def posterior_mode(logp_grad: LogDensityGrad, theta0: np.ndarray, *, what: str = "model") -> Mode:
    """Maximise ``logp_grad`` (returning the log density and its gradient) from ``theta0``.

    Raises
    ------
    ModelError
        The optimiser did not converge or the Hessian at the optimum is not negative definite.
    """

    def negative(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, grad = logp_grad(theta)
        if not np.isfinite(value):
            return np.inf, np.zeros_like(theta)
        return -value, -grad

    res = minimize(negative, np.asarray(theta0, float), jac=True, method="L-BFGS-B")
    if not np.isfinite(res.fun):
        raise ModelError(f"{what}: no finite posterior mode found; check the data and priors.")
    theta = res.x
    k = len(theta)
    hessian = np.zeros((k, k))
    for j in range(k):
        step = 1e-5 * max(1.0, abs(theta[j]))
        e = np.zeros(k)
        e[j] = step
        hessian[:, j] = (logp_grad(theta + e)[1] - logp_grad(theta - e)[1]) / (2 * step)
    neg_h = -(hessian + hessian.T) / 2
    try:
        np.linalg.cholesky(neg_h)
    except np.linalg.LinAlgError:
        raise ModelError(
            f"{what}: the log posterior is not concave at its mode (a flat direction); "
            "tighten the priors or add data."
        ) from None
    return Mode(theta=theta, neg_hessian=neg_h, log_density=-float(res.fun))


def _mvt_logpdf(x: np.ndarray, mean: np.ndarray, chol: np.ndarray, df: float) -> np.ndarray:
    z = np.linalg.solve(chol, (x - mean).T).T
    return -0.5 * (df + len(mean)) * np.log1p(np.sum(z**2, axis=-1) / df)


def metropolis(
    logp: LogDensity,
    mode: Mode,
    *,
    draws: int,
    tune: int,
    chains: int,
    rng: np.random.Generator,
    df: float = 5.0,
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Sample ``chains`` chains of ``draws`` after ``tune`` tuning steps (see the module doc).

    Returns
    -------
    theta : ndarray, shape (chains, draws, k)
    stats : dict
        ``accept_independence`` and ``accept_walk`` (chain, draw) booleans.
    """
    k = len(mode.theta)
    mean, cov = mode.theta.copy(), mode.covariance
    chol = np.linalg.cholesky(cov)
    walk = np.linalg.cholesky(cov * 2.38**2 / k)
    current = mean + (walk @ rng.standard_normal((k, chains))).T * 0.5
    current_lp = np.array([logp(t) for t in current])
    total = tune + draws
    out = np.zeros((chains, total, k))
    acc_i = np.zeros((chains, total), dtype=bool)
    acc_w = np.zeros((chains, total), dtype=bool)
    for step in range(total):
        if step == tune // 2 and tune >= 100:
            sample = out[:, tune // 4 : step].reshape(-1, k)
            emp = np.cov(sample, rowvar=False) + 1e-9 * np.eye(k)
            mean, cov = sample.mean(axis=0), emp
            chol = np.linalg.cholesky(cov)
            walk = np.linalg.cholesky(cov * 2.38**2 / k)
        # 1. independence Student-t proposal
        g = rng.chisquare(df, size=chains) / df
        prop = mean + (chol @ rng.standard_normal((k, chains))).T / np.sqrt(g)[:, None]
        prop_lp = np.array([logp(t) for t in prop])
        log_ratio = (
            prop_lp
            - current_lp
            + _mvt_logpdf(current, mean, chol, df)
            - _mvt_logpdf(prop, mean, chol, df)
        )
        ok = np.log(rng.random(chains)) < log_ratio
        current[ok], current_lp[ok] = prop[ok], prop_lp[ok]
        acc_i[:, step] = ok
        # 2. random-walk proposal
        prop = current + (walk @ rng.standard_normal((k, chains))).T
        prop_lp = np.array([logp(t) for t in prop])
        ok = np.log(rng.random(chains)) < prop_lp - current_lp
        current[ok], current_lp[ok] = prop[ok], prop_lp[ok]
        acc_w[:, step] = ok
        out[:, step] = current
    if not np.isfinite(current_lp).all():
        raise ModelError("metropolis: a chain ended outside the posterior's support.")
    return out[:, tune:], {
        "accept_independence": acc_i[:, tune:],
        "accept_walk": acc_w[:, tune:],
    }
