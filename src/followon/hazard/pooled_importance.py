r"""The ``laplace-is`` path of the hierarchical model: a nested Laplace proposal and PSIS.

NumPy only. :class:`~followon.hazard.pooled.PooledHazard` is
:class:`~followon.hazard.piecewise.PiecewiseHazard`'s Poisson GLM with non-centred pooled
trigger effects. Its unconstrained parameters are, in this order,

.. math::

    \phi = (\eta_0,\ \beta_{\text{other}},\ \mu,\ h,\ z), \qquad h = \log\sigma,

with :math:`\eta_0 = \log\lambda_0` and the pooled columns' :math:`\beta_{t,k} = \mu_k +
\sigma z_{t,k}`. The log posterior (up to a constant, the Jacobian of :math:`h` included) is

.. math::

    \ell(\phi) = \sum_r \bigl(y_r \eta_r - E_r e^{\eta_r}\bigr)
        + a\eta_0 - b e^{\eta_0}
        - \tfrac12\sum_{j\in\text{other}}\Bigl(\frac{\beta_j - m_j}{s_j}\Bigr)^2
        - \tfrac12\sum_k \Bigl(\frac{\mu_k}{s_\beta}\Bigr)^2
        + h - \frac{e^{2h}}{2 s_{\text{pool}}^2} - \tfrac12\sum z^2,

:math:`\eta_r = \eta_0 + x_r^\top\beta` on the collapsed rows *r*: the density of the PyMC
model :meth:`PooledHazard.build_model` samples, on the same parameters.

Why a nested proposal
---------------------
A Student-t at the joint mode (the piecewise model's proposal) fits this posterior poorly:
:math:`\sigma` is barely identified by four trigger types, so :math:`(h, z)` form a funnel, and
on the real design :math:`\hat k` came out 0.56–0.99 over seeds (0.26–0.61 with the pooled
effects centred). But *given* :math:`h` the model is a Poisson GLM in
:math:`\psi = (\eta_0, \beta_{\text{other}}, \mu, z)` — :math:`\beta` is linear in
:math:`\psi` — with Normal priors: log-concave, and close to Gaussian
(:func:`followon.hazard.glm.poisson_mode` finds its mode). So, as in INLA (Rue, Martino &
Chopin 2009):

1. On a grid of :data:`GRID_CELLS` cells of :math:`h` (from :math:`\log s_{\text{pool}} - 8` to
   :math:`\log s_{\text{pool}} + 2.5`), the conditional mode :math:`\hat\psi(h)` and negative
   Hessian :math:`H(h)` at each cell's midpoint, and the Laplace approximation of the marginal
   :math:`\log \tilde p(h) = \ell(\hat\psi(h), h) - \tfrac12\log\det H(h)`.
2. Proposals of :math:`h`: with probability 1 − :data:`TAIL_WEIGHT` a cell by
   :math:`\tilde p` times its width, uniform within it; else from a Student-t (3 df) over the
   grid's mean and 1.5 times its sd, which covers the tails beyond the grid.
3. :math:`\psi \mid h` from a Student-t (:data:`~followon.hazard.importance.PROPOSAL_DF` df)
   at :math:`\hat\psi(h)` — linearly interpolated between midpoints — with the scale
   :math:`H^{-1}` of the nearest cell.
4. PSIS against :math:`\ell` and resampling, as for the other models
   (:func:`followon.hazard.importance.resample_proposals`).

The proposal's density is exact (each factor is a normalised density), so the weights correct
every approximation above; :math:`\hat k` says whether they could. Per-instance effects add a
second scale and dozens of :math:`w_i`; that case is left to NUTS.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln

from followon.hazard.glm import log_posterior, poisson_mode
from followon.hazard.importance import (
    MIN_PROPOSALS,
    PROPOSAL_DF,
    ImportanceDraws,
    resample_proposals,
)

__all__ = ["GRID_CELLS", "TAIL_WEIGHT", "PooledLayout", "log_density", "nested_importance"]

GRID_CELLS = 40
r"""Cells of the grid of :math:`h = \log\sigma` (width ≈ 0.26)."""
TAIL_WEIGHT = 0.1
r"""Share of the :math:`h` proposals from the wide Student-t rather than the grid."""


@dataclass(frozen=True)
class PooledLayout:
    r"""The collapsed rows, which columns are pooled into which pools, and the priors.

    ``X`` (rows, k) are the collapsed covariate patterns; ``trig`` and ``other`` index the pooled
    and independent columns; ``pool_index`` gives each pooled column's pool.
    """

    X: np.ndarray
    y: np.ndarray
    exposure: np.ndarray
    trig: np.ndarray
    other: np.ndarray
    pool_index: np.ndarray
    n_pools: int
    a: float
    b: float
    mu: np.ndarray
    sd: np.ndarray
    beta_sd: float
    pooling_sd: float

    @property
    def slices(self) -> dict[str, slice]:
        r"""Each block of :math:`\phi`: ``eta0, other, mu, log_sd, z``."""
        sizes = [
            ("eta0", 1),
            ("other", len(self.other)),
            ("mu", self.n_pools),
            ("log_sd", 1),
            ("z", len(self.trig)),
        ]
        out, start = {}, 0
        for name, size in sizes:
            out[name] = slice(start, start + size)
            start += size
        return out

    def unpack(self, phi: np.ndarray) -> dict[str, np.ndarray]:
        r"""``baseline_rate, beta, pool_mean, pool_sd`` of draws of :math:`\phi` (S, dim)."""
        phi = np.atleast_2d(phi)
        sl = self.slices
        sigma = np.exp(phi[:, sl["log_sd"]][:, 0])
        mu_k = phi[:, sl["mu"]]
        beta = np.empty((len(phi), self.X.shape[1]))
        beta[:, self.other] = phi[:, sl["other"]]
        beta[:, self.trig] = mu_k[:, self.pool_index] + sigma[:, None] * phi[:, sl["z"]]
        return {
            "baseline_rate": np.exp(phi[:, 0]),
            "beta": beta,
            "pool_mean": mu_k,
            "pool_sd": sigma,
        }

    def conditional_design(self, sigma: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        r"""Return the GLM design in :math:`\psi` given :math:`\sigma`, its prior means and sds.

        The design's columns are ``other, mu, z`` (:math:`\eta_0` is the GLM's intercept).
        """
        k = self.X.shape[1]
        n_o, n_t = len(self.other), len(self.trig)
        A = np.zeros((k, n_o + self.n_pools + n_t))
        A[self.other, np.arange(n_o)] = 1.0
        A[self.trig, n_o + self.pool_index] = 1.0
        A[self.trig, n_o + self.n_pools + np.arange(n_t)] = sigma
        mean = np.concatenate([self.mu[self.other], np.zeros(self.n_pools + n_t)])
        sd = np.concatenate(
            [self.sd[self.other], np.full(self.n_pools, self.beta_sd), np.ones(n_t)]
        )
        return self.X @ A, mean, sd


def log_density(layout: PooledLayout, phi: np.ndarray) -> np.ndarray:
    r"""Return :math:`\ell(\phi)` (module docstring) for draws (S, dim), shape (S,).

    The likelihood, the baseline's Gamma prior and the independent columns' Normal priors are
    :func:`followon.hazard.glm.log_posterior` on the implied :math:`(\eta_0, \beta)`; the
    hierarchical priors are added here.
    """
    phi = np.atleast_2d(np.asarray(phi, dtype=float))
    sl = layout.slices
    beta = layout.unpack(phi)["beta"]
    k = layout.X.shape[1]
    mean, sd = np.zeros(k), np.full(k, np.inf)  # the pooled columns' prior is added below
    mean[layout.other], sd[layout.other] = layout.mu[layout.other], layout.sd[layout.other]
    out = log_posterior(
        np.column_stack([phi[:, 0], beta]),
        np.column_stack([np.ones(len(layout.y)), layout.X]),
        layout.y,
        np.log(layout.exposure),
        a=layout.a,
        b=layout.b,
        mu=mean,
        sd=sd,
    )
    h = phi[:, sl["log_sd"]][:, 0]
    out -= 0.5 * np.sum((phi[:, sl["mu"]] / layout.beta_sd) ** 2, axis=1)
    out += h - 0.5 * (np.exp(h) / layout.pooling_sd) ** 2
    out -= 0.5 * np.sum(phi[:, sl["z"]] ** 2, axis=1)
    return np.where(np.isnan(out), -np.inf, out)


def _log_t(u: np.ndarray, df: float) -> np.ndarray:
    """Log density of a standard multivariate Student-t at rows ``u`` (normalised)."""
    d = u.shape[1]
    return (
        gammaln((df + d) / 2)
        - gammaln(df / 2)
        - 0.5 * d * np.log(df * np.pi)
        - 0.5 * (df + d) * np.log1p(np.sum(u * u, axis=1) / df)
    )


def nested_importance(
    layout: PooledLayout, *, n: int, rng: np.random.Generator, df: float = PROPOSAL_DF
) -> ImportanceDraws:
    r"""Draw ``n`` posterior draws of :math:`\phi` by PSIS from the nested proposal.

    Steps 1–4 of the module docstring; the draws are returned whatever :math:`\hat k` is (the
    caller decides, :attr:`ImportanceDraws.accepted`). Raises
    :class:`~followon.errors.ModelError` when a conditional mode does not exist.
    """
    edges = np.log(layout.pooling_sd) + np.linspace(-8.0, 2.5, GRID_CELLS + 1)
    mids = (edges[:-1] + edges[1:]) / 2
    width = np.diff(edges)
    modes, chols = [], []
    for h in mids:
        X_psi, mean, sd = layout.conditional_design(float(np.exp(h)))
        found = poisson_mode(
            X_psi, layout.y, layout.exposure, a=layout.a, b=layout.b, mu=mean, sd=sd
        )
        modes.append(found.theta)
        chols.append(np.linalg.cholesky(np.linalg.inv(found.neg_hessian)))
    mode_path, chol_cells = np.array(modes), np.array(chols)
    log_det = np.sum(np.log(np.diagonal(chol_cells, axis1=1, axis2=2)), axis=1)  # ½ log|H⁻¹|
    log_marginal = log_density(layout, _assemble(layout, mode_path, mids)) + log_det

    # 2. h: a grid cell by p̃ · width, uniform inside; or the wide Student-t
    size = max(n, MIN_PROPOSALS)
    cell_logp = log_marginal + np.log(width)
    cell_p = np.exp(cell_logp - cell_logp.max())
    cell_p /= cell_p.sum()
    centre = float(cell_p @ mids)
    spread = 1.5 * float(np.sqrt(cell_p @ (mids - centre) ** 2))
    from_tail = rng.uniform(size=size) < TAIL_WEIGHT
    cell = rng.choice(GRID_CELLS, size=size, p=cell_p)
    h = np.where(
        from_tail,
        centre + spread * rng.standard_t(3.0, size=size),
        edges[cell] + width[cell] * rng.uniform(size=size),
    )
    inside = (h >= edges[0]) & (h < edges[-1])
    at = np.clip(np.searchsorted(edges, h, side="right") - 1, 0, GRID_CELLS - 1)
    log_q_h = np.log(
        (1 - TAIL_WEIGHT) * np.where(inside, cell_p[at] / width[at], 0.0)
        + TAIL_WEIGHT * np.exp(_log_t(((h - centre) / spread)[:, None], 3.0)) / spread
    )

    # 3. ψ | h: Student-t at the interpolated conditional mode, the nearest cell's scale
    nearest = np.clip(np.rint((h - mids[0]) / width[0]).astype(int), 0, GRID_CELLS - 1)
    centre_psi = np.column_stack(
        [np.interp(h, mids, mode_path[:, i]) for i in range(mode_path.shape[1])]
    )
    d = mode_path.shape[1]
    z = rng.standard_normal((size, d))
    u = z * np.sqrt(df / rng.chisquare(df, size))[:, None]
    psi = centre_psi + np.einsum("sij,sj->si", chol_cells[nearest], u)
    log_q = log_q_h + _log_t(u, df) - log_det[nearest]

    phi = _assemble(layout, psi, h)
    return resample_proposals(phi, log_density(layout, phi) - log_q, n, rng)


def _assemble(layout: PooledLayout, psi: np.ndarray, h: np.ndarray) -> np.ndarray:
    r""":math:`\phi` from :math:`\psi = (\eta_0, \beta_{\text{other}}, \mu, z)` and :math:`h`."""
    sl = layout.slices
    phi = np.empty((len(psi), psi.shape[1] + 1))
    before = sl["log_sd"].start
    phi[:, :before] = psi[:, :before]
    phi[:, before] = h
    phi[:, before + 1 :] = psi[:, before:]
    return phi
