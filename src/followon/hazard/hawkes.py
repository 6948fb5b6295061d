r"""Self-exciting (Hawkes) hazard: a covariate background plus excitation by past outcome events.

Model
-----
On Korean day *d* at risk, with background covariates :math:`x_d` (trigger windows, spans,
season, eras — as in :class:`~followon.hazard.PiecewiseHazard`) and outcome counts
:math:`c_k` on earlier days :math:`t_k < d`,

.. math::

    \lambda_d = \underbrace{\lambda_0 \exp(x_d^\top\beta)}_{\mu_d\ \text{(background)}}
        + \eta \sum_{t_k < d} c_k\, g(d - t_k), \qquad
    g(j) = (1 - e^{-1/\tau})\, e^{-(j - 1)/\tau}, \quad j = 1, 2, \dots

    y_d \sim \mathrm{Poisson}(E_d \lambda_d).

The kernel is the exponential :math:`\alpha e^{-(d - t_k)/\tau}` with
:math:`\alpha = \eta\,(e^{1/\tau} - 1)`, written so that :math:`\sum_{j \ge 1} g(j) = 1`:
:math:`\eta` is the **branching ratio** (expected number of follow-on events each event
triggers) and :math:`\tau` the decay in days. :math:`0 < \eta < 1` keeps the process
stationary (it does not explode). The excitation :math:`K_d = \sum_{t_k<d} c_k g(d - t_k)`
follows the O(n) recursion

.. math:: K_{d+1} = e^{-1/\tau} K_d + (1 - e^{-1/\tau})\, c_d ,

run as a linear filter (``scipy.signal.lfilter``) over the whole outcome history (events before
the table's first day excite it too). The log-likelihood is
:math:`\sum_d y_d \log(E_d\lambda_d) - E_d\lambda_d` (up to a constant); its gradient in
:math:`\tau` comes from the same kind of recursion, :math:`\partial K_{d+1} / \partial r =
K_d - c_d + r\, \partial K_d / \partial r` with :math:`r = e^{-1/\tau}`.

Priors (explicit, overridable)
------------------------------
- :math:`\lambda_0 \sim \mathrm{Gamma}(a, a/\hat r)` and :math:`\beta_j \sim
  \mathrm{Normal}(0, 1)`, as in :class:`~followon.hazard.PiecewiseHazard` (the background
  prior is centred on the table's whole rate, which over-states the background by the factor
  :math:`1/(1-\eta)`; shape 2 leaves ample room).
- :math:`\eta \sim \mathrm{Beta}(2, 2)` (``branching_prior``): mean 1/2, 90% between 0.14 and
  0.86; Lewis et al. (2012) found 37–50% of Iraq violence triggered.
- :math:`\tau \sim \mathrm{LogNormal}(\log 14, 1)` (``decay_median``, ``decay_sd_log``):
  median two weeks, 90% between about 3 and 72 days (Lewis et al.: 2–6 weeks).

Inference
---------
On :math:`\theta = (\log\lambda_0, \beta, \operatorname{logit}\eta, \log\tau)` with analytic
gradients: ``sampler="laplace-is"`` (default) reweights Student-t proposals at the posterior mode
to the exact posterior by Pareto-smoothed importance sampling (:mod:`followon.hazard.importance`;
the log posterior of every proposal at once by :func:`log_posterior_many`) and falls back to
``metropolis`` when :math:`\hat k` > 0.7; ``sampler="metropolis"`` runs Metropolis–Hastings
chains started from the posterior mode (:mod:`followon.hazard.metropolis`, MCMC diagnostics as
usual); ``sampler="laplace"`` draws from the Gaussian at the mode (milliseconds, for backtests).

Forecasts
---------
Until the first new event the intensity is deterministic: from origin :math:`o`,
:math:`\lambda_{o+h} = \mu_{o+h} + \eta\, r^{h-1} K_{o+1}`, so
:math:`P(\ge 1 \text{ event in } (o, o+H]) = 1 - \exp(-\sum_{h \le H} \lambda_{o+h})` exactly,
per posterior draw, with the excitation left by the history up to the origin.
:meth:`HawkesHazard.simulate_paths` feeds simulated events back into the excitation.
:meth:`HawkesHazard.excitation_share` attributes each observed event to background or
excitation (:math:`\eta K_d / \lambda_d`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy.special import expit, gammaln, logit

from followon.errors import ModelError
from followon.exposure.table import ExposureTable
from followon.hazard.base import PosteriorSample, Sampling
from followon.hazard.glm import LOG_POSTERIOR_CELLS
from followon.hazard.importance import ImportanceDraws, importance_resample
from followon.hazard.metropolis import Mode, metropolis, posterior_mode
from followon.hazard.piecewise import PiecewiseHazard, importance_record

__all__ = ["HAWKES_SAMPLERS", "HawkesHazard"]

HAWKES_SAMPLERS = ("auto", "metropolis", "laplace", "laplace-is")


def excitation(counts: np.ndarray, decay_days: float) -> np.ndarray:
    r"""Normalised excitation :math:`K_d` on a daily grid of outcome ``counts`` (O(n)).

    ``K[0] = 0``; ``K[d+1] = r K[d] + (1 - r) counts[d]`` with ``r = exp(-1/decay_days)``.
    """
    from scipy.signal import lfilter  # here: scipy.signal loads scipy.stats (≈ 1 s)

    r = np.exp(-1.0 / decay_days)
    return lfilter([0.0, 1.0 - r], [1.0, -r], np.asarray(counts, dtype=float))


class _Data:
    """Arrays of one fit: days at risk on a daily grid that starts with the first event.

    ``y, E, X`` per day at risk; ``c`` outcome counts on the grid; ``pos`` each day's grid
    position. :meth:`arrays` builds one from arrays alone (simulation studies).
    """

    y: np.ndarray
    E: np.ndarray
    X: np.ndarray
    c: np.ndarray
    pos: np.ndarray

    @classmethod
    def arrays(cls, y: np.ndarray, X: np.ndarray | None = None) -> _Data:
        """Days 0 … n−1 all at risk with one day of exposure each, no earlier history."""
        out = cls.__new__(cls)
        out.y = np.asarray(y, dtype=float)
        out.E = np.ones(len(out.y))
        out.X = np.zeros((len(out.y), 0)) if X is None else np.asarray(X, dtype=float)
        out.c = out.y
        out.pos = np.arange(len(out.y))
        return out

    def __init__(self, table: ExposureTable) -> None:
        names = table.covariate_names
        data = table.data
        self.y = data["events"].to_numpy(dtype=float)
        self.E = data["exposure"].to_numpy(dtype=float)
        self.X = data[names].to_numpy(dtype=float) if names else np.zeros((len(data), 0))
        history = table.history
        history = history[history > 0]
        first = min(history.index.min(), table.start) if len(history) else table.start
        grid = pd.date_range(first, table.end, freq="D")
        self.c = history.reindex(grid, fill_value=0).to_numpy(dtype=float)
        self.pos = grid.get_indexer(pd.DatetimeIndex(data["date"]))


def _unpack(theta: np.ndarray, k: int) -> tuple[float, np.ndarray, float, float]:
    return float(theta[0]), theta[1 : 1 + k], float(theta[-2]), float(theta[-1])


def _in_support(eta0: Any, u: Any, v: Any) -> Any:
    """Where θ is inside the box both log posteriors evaluate (elsewhere: −∞)."""
    return (v > -50) & (v < 12) & (np.abs(u) < 40) & (eta0 < 10)


def _log_prior(eta0: Any, beta: np.ndarray, u: Any, v: Any, prior: Mapping[str, Any]) -> Any:
    """Log prior of θ (up to a constant), Jacobians included; vectorised over leading axes."""
    n = expit(u)
    p, q = prior["branching"]
    m_v, s_v = prior["log_decay_mean"], prior["log_decay_sd"]
    return (
        prior["a"] * eta0
        - prior["b"] * np.exp(eta0)
        - 0.5 * np.sum(((beta - prior["mu"]) / prior["sd"]) ** 2, axis=-1)
        + p * np.log(n)
        + q * np.log1p(-n)
        - 0.5 * ((v - m_v) / s_v) ** 2
    )


def log_posterior(
    theta: np.ndarray,
    d: _Data,
    prior: Mapping[str, Any],
    *,
    gradient: bool = True,
) -> tuple[float, np.ndarray]:
    r"""Log posterior (up to a constant) and its gradient on the unconstrained scale.

    ``theta`` = (log λ0, β…, logit η, log τ); ``prior`` has ``a, b, mu, sd, branching,
    log_decay_mean, log_decay_sd``.
    """
    from scipy.signal import lfilter

    k = d.X.shape[1]
    eta0, beta, u, v = _unpack(theta, k)
    if not _in_support(eta0, u, v):
        return -np.inf, np.zeros_like(theta)
    n = expit(u)
    tau = np.exp(v)
    r = np.exp(-1.0 / tau)
    K_grid = lfilter([0.0, 1.0 - r], [1.0, -r], d.c)
    K = K_grid[d.pos]
    mu = np.exp(eta0 + d.X @ beta) if k else np.full(len(d.y), np.exp(eta0))
    lam = mu + n * K
    if np.any(lam <= 0):
        return -np.inf, np.zeros_like(theta)
    ll = float(d.y @ np.log(d.E * lam) - d.E @ lam)
    lp = ll + float(_log_prior(eta0, beta, u, v, prior))
    if not gradient:
        return lp, np.empty(0)
    a, b = prior["a"], prior["b"]
    p, q = prior["branching"]
    m_v, s_v = prior["log_decay_mean"], prior["log_decay_sd"]
    w = d.y / lam - d.E
    wm = w * mu
    grad = np.empty_like(theta)
    grad[0] = wm.sum() + a - b * np.exp(eta0)
    if k:
        grad[1 : 1 + k] = d.X.T @ wm - (beta - prior["mu"]) / prior["sd"] ** 2
    # dK/dr by the recursion G[d+1] = r G[d] + K[d] - c[d]
    G = lfilter([0.0, 1.0], [1.0, -r], K_grid - d.c)[d.pos]
    grad[-2] = float(w @ K) * n * (1 - n) + p * (1 - n) - q * n
    grad[-1] = n * float(w @ G) * r / tau - (v - m_v) / s_v**2
    return lp, grad


def log_posterior_many(theta: np.ndarray, d: _Data, prior: Mapping[str, Any]) -> np.ndarray:
    r""":func:`log_posterior` (without the gradient) of many θ at once, shape (S,).

    The kernel is not filtered day by day: between two event days it only decays, so with
    :math:`S_e = \sum_{j \le e} c_j r^{e-j}` on the event days (a recursion over events) the
    kernel on day *p* is :math:`(1-r)\,r^{p-1-e}\,S_e`, *e* the last event day before *p*.
    """
    theta = np.atleast_2d(np.asarray(theta, dtype=float))
    k = d.X.shape[1]
    eta0, beta, u, v = theta[:, 0], theta[:, 1 : 1 + k], theta[:, -2], theta[:, -1]
    out = np.full(len(theta), -np.inf)
    ok = np.flatnonzero(_in_support(eta0, u, v))
    events = np.flatnonzero(d.c > 0)
    last = np.searchsorted(events, d.pos - 1, side="right") - 1  # last event day before a row
    seen = last >= 0
    lag = (d.pos[seen] - 1 - events[last[seen]]).astype(float)
    hit = d.y > 0
    step = max(1, LOG_POSTERIOR_CELLS // max(len(d.y), 1))
    for start in range(0, len(ok), step):
        i = ok[start : start + step]
        n = expit(u[i])
        rate = np.exp(-v[i])  # 1/τ: r = e^{-1/τ}, r^lag = e^{-lag/τ}
        r = np.exp(-rate)
        S = np.zeros((len(i), len(events)))
        level = np.zeros(len(i))
        for j, e in enumerate(events):
            gap = e - events[j - 1] if j else 0
            level = d.c[e] + (r**gap) * level
            S[:, j] = level
        K = np.zeros((len(i), len(d.y)))
        K[:, seen] = (1 - r)[:, None] * np.exp(-rate[:, None] * lag[None, :]) * S[:, last[seen]]
        mu = np.exp(eta0[i, None] + beta[i] @ d.X.T) if k else np.exp(eta0[i])[:, None]
        lam = mu + n[:, None] * K
        ll = np.log(d.E[hit] * lam[:, hit]) @ d.y[hit] - lam @ d.E
        out[i] = ll + _log_prior(eta0[i], beta[i], u[i], v[i], prior)
    return out


def posterior_mode_of(data: _Data, prior: Mapping[str, Any]) -> Mode:
    """Find the posterior mode of θ on the unconstrained scale and the negative Hessian there."""
    rate = max(data.y.sum(), 0.5) / data.E.sum()
    theta0 = np.concatenate([[np.log(rate / 2)], prior["mu"], [0.0, prior["log_decay_mean"]]])
    return posterior_mode(
        lambda t: log_posterior(t, data, prior), theta0, what="hawkes (the posterior mode)"
    )


def importance_draws(
    data: _Data, prior: Mapping[str, Any], mode: Mode, n: int, rng: np.random.Generator
) -> ImportanceDraws:
    """PSIS from the Student-t at ``mode`` to the exact log posterior (``laplace-is``)."""
    return importance_resample(mode, lambda t: log_posterior_many(t, data, prior), n=n, rng=rng)


def sample_posterior(
    data: _Data,
    prior: Mapping[str, Any],
    *,
    method: str,
    draws: int,
    tune: int,
    chains: int,
    rng: np.random.Generator,
    mode: Mode | None = None,
) -> tuple[np.ndarray, dict[str, np.ndarray], Mode]:
    """Posterior draws of θ (chains, draws, k + 3) by ``metropolis`` or ``laplace``.

    ``mode``: the posterior mode when it is already known (else it is found here).
    """
    if mode is None:
        mode = posterior_mode_of(data, prior)
    if method == "laplace":
        theta = rng.multivariate_normal(mode.theta, mode.covariance, size=(chains, draws))
        return theta, {}, mode
    theta, stats = metropolis(
        lambda t: log_posterior(t, data, prior, gradient=False)[0],
        mode,
        draws=draws,
        tune=tune,
        chains=chains,
        rng=rng,
    )
    return theta, {"accept_independence": stats["accept_independence"]}, mode


class HawkesHazard(PiecewiseHazard):
    """Self-exciting hazard (see the module docstring for the maths and priors).

    Parameters
    ----------
    baseline_shape, baseline_mean, beta_sd, beta_priors
        Background priors, as in :class:`~followon.hazard.PiecewiseHazard`.
    branching_prior : (float, float)
        Beta(p, q) prior on the branching ratio η (default (2, 2)).
    decay_median : float
        Prior median of the decay τ in days (default 14).
    decay_sd_log : float
        Prior sd of log τ (default 1).
    sampler : {"auto", "metropolis", "laplace", "laplace-is"}
        ``auto`` = ``laplace-is``: the Laplace proposal corrected by Pareto-smoothed
        importance sampling (as in :class:`~followon.hazard.PiecewiseHazard`), falling back
        to ``metropolis`` when k̂ > 0.7 (``importance_`` and ``diagnostics_.attrs["fit_path"]``
        say which path a fit took).
    log_likelihood : bool
        Store the per-day log-likelihood (for PSIS-LOO).

    Attributes
    ----------
    idata_ : xarray.DataTree
        ``posterior`` holds ``baseline_rate``, ``beta``, ``branching_ratio``, ``decay_days``
        and ``alpha`` (the jump in the daily hazard one day after an event).
    mode_ : followon.hazard.metropolis.Mode
        The posterior mode on the unconstrained scale.

    Examples
    --------
    >>> import followon as fo
    >>> table = fo.build_exposure(fo.load_events(), fo.Outcome("any", "missile_launch"),
    ...                           start="2012-01-01", as_of="2024-07-02")
    >>> model = fo.HawkesHazard(sampler="laplace").fit(table, random_seed=1)
    >>> bool(0 < model.summary().loc["branching_ratio", "mean"] < 1)
    True
    """

    def __init__(
        self,
        *,
        baseline_shape: float = 2.0,
        baseline_mean: float | None = None,
        beta_sd: float = 1.0,
        beta_priors: Mapping[str, tuple[float, float]] | None = None,
        branching_prior: tuple[float, float] = (2.0, 2.0),
        decay_median: float = 14.0,
        decay_sd_log: float = 1.0,
        sampler: str = "auto",
        log_likelihood: bool = True,
    ) -> None:
        super().__init__(
            baseline_shape=baseline_shape,
            baseline_mean=baseline_mean,
            beta_sd=beta_sd,
            beta_priors=beta_priors,
            sampler=sampler,
            log_likelihood=log_likelihood,
        )
        self.branching_prior = branching_prior
        self.decay_median = decay_median
        self.decay_sd_log = decay_sd_log

    name = "hawkes"
    samplers: ClassVar[tuple[str, ...]] = HAWKES_SAMPLERS
    options = ("branching_prior", "decay_median", "decay_sd_log")
    fits_own_excitation = True
    savage_dickey = False
    multi_outcome = False  # its fitted self-excitation is not in MultiActionHazard
    mcmc_methods: ClassVar[tuple[str, ...]] = ("metropolis",)

    @classmethod
    def fast_sampler(cls, table: ExposureTable, requested: str = "auto") -> str | None:
        """Return the Laplace approximation (milliseconds per refit)."""
        return "laplace"

    def check_params(self) -> None:
        """Refuse a sampler the hawkes model lacks and bad prior settings."""
        super().check_params()
        p = tuple(self.branching_prior)
        if len(p) != 2 or not (p[0] > 0 and p[1] > 0):
            raise ModelError("branching_prior must be (p, q) of a Beta prior, both > 0.")
        if not self.decay_median > 0 or not self.decay_sd_log > 0:
            raise ModelError("decay_median and decay_sd_log must be > 0.")

    def validate(self, table: ExposureTable) -> None:
        """Refuse a table that already has a self-exciting covariate (and bad ``beta_priors``)."""
        super().validate(table)
        exciting = [c for cov in table.covariates if cov.self_exciting for c in cov.columns()]
        if exciting:
            raise ModelError(
                f"the hawkes model fits its own self-excitation; the table already has "
                f"{', '.join(exciting)}. Drop self_excitation from the hypothesis."
            )

    def resolve_sampler(self, table: ExposureTable) -> str:
        """``auto``: ``laplace-is`` (Metropolis–Hastings when its k̂ > 0.7)."""
        return "laplace-is" if self.sampler == "auto" else str(self.sampler)

    def prior(self, table: ExposureTable) -> dict[str, Any]:
        """Background priors as in piecewise plus Beta(p, q) on η and LogNormal on τ."""
        data = _Data(table)
        rate = max(data.y.sum(), 0.5) / data.E.sum()
        a, b, mu, sd = self._priors(table.covariate_names, rate)
        return {
            "a": a,
            "b": b,
            "mu": mu,
            "sd": sd,
            "branching": tuple(float(x) for x in self.branching_prior),
            "log_decay_mean": float(np.log(self.decay_median)),
            "log_decay_sd": float(self.decay_sd_log),
        }

    def sample_prior(
        self, draws: int, rng: np.random.Generator, prior: Mapping[str, Any] | None = None
    ) -> dict[str, np.ndarray]:
        """Draws (1, draws, ...) of every posterior variable from the prior."""
        return _prior_sample(self.prior_ if prior is None else prior, draws, rng)

    # ------------------------------------------------------------------ fitting
    def _sample_posterior(self, table: ExposureTable, run: Sampling) -> PosteriorSample:
        method, draws, tune, chains, rng = run.method, run.draws, run.tune, run.chains, run.rng
        data = _Data(table)
        self.prior_ = self.prior_for(table)
        self.posterior_gamma_ = None
        self.importance_ = None
        k = len(table.covariate_names)
        mode = fallback = None
        if method == "laplace-is":
            mode = posterior_mode_of(data, self.prior_)
            found = importance_draws(data, self.prior_, mode, draws * chains, rng)
            self.importance_ = importance_record(found, draws * chains, "metropolis")
            if found.accepted:
                self.mode_ = mode
                theta = found.theta.reshape(chains, draws, -1)
                return PosteriorSample(_constrain(theta, k))
            method = fallback = "metropolis"
        theta, sample_stats, mode = sample_posterior(
            data,
            self.prior_,
            method=method,
            draws=draws,
            tune=tune,
            chains=chains,
            rng=rng,
            mode=mode,
        )
        self.mode_ = mode
        return PosteriorSample(_constrain(theta, k), None, sample_stats, method=fallback)

    def _diagnostic_note(self) -> str:
        if self.method_ == "laplace-is":
            return "Laplace proposals resampled by PSIS weights, no MCMC diagnostics"
        return "independent draws from the Laplace approximation, no MCMC diagnostics"

    def _pointwise_loglik(self, posterior: Mapping[str, np.ndarray]) -> np.ndarray | None:
        return _pointwise(posterior, _Data(self.table_))

    # ------------------------------------------------------------------ results
    def _excitation_draws(self, group: str = "posterior") -> tuple[np.ndarray, np.ndarray]:
        """(branching ratio η, decay τ) draws."""
        return (
            self.posterior_draws("branching_ratio", group),
            self.posterior_draws("decay_days", group),
        )

    def _counts(self, extra: pd.DataFrame | None = None) -> pd.Series:
        history = self.table_.history
        if extra is not None and "events" in extra.columns:
            observed = pd.Series(
                extra["events"].to_numpy(dtype=float), index=pd.DatetimeIndex(extra["date"])
            )
            history = pd.concat([history[history.index < observed.index.min()], observed])
        return history[history > 0].sort_index()

    def _kernel_path(
        self, dates: pd.DatetimeIndex, group: str, observed: pd.DataFrame | None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(η draws, r = e^{-1/τ} draws, K on ``dates`` per draw)."""
        n, tau = self._excitation_draws(group)
        r = np.exp(-1.0 / tau)
        dates = pd.DatetimeIndex(dates)
        if len(dates) == 0:
            return n, r, np.zeros((len(n), 0))
        first = dates.min()
        counts = self._counts(observed)
        if observed is None:  # the future: only what is known before its first day
            counts = counts[counts.index < first]
        before = counts[counts.index < first]
        lag = (first - pd.DatetimeIndex(before.index)).days.to_numpy(dtype=float)
        K = ((1 - r)[:, None] * r[:, None] ** (lag[None, :] - 1) * before.to_numpy()[None, :]).sum(
            axis=1
        )
        grid = pd.date_range(first, dates.max(), freq="D")
        c = counts.reindex(grid, fill_value=0.0).to_numpy(dtype=float)
        out = np.empty((len(n), len(grid)))
        for i in range(len(grid)):
            out[:, i] = K
            K = r * K + (1 - r) * c[i]
        return n, r, out[:, grid.get_indexer(dates)]

    def excitation_path(
        self,
        dates: pd.DatetimeIndex,
        *,
        group: str = "posterior",
        observed: pd.DataFrame | None = None,
    ) -> np.ndarray:
        r"""Draws × days of the excitation hazard :math:`\eta K_d` on ``dates``.

        Without ``observed``, only events before the first of ``dates`` count (the future
        given no new event: the excitation decays). With ``observed`` rows (``date, events``,
        e.g. a leave-future-out block), the fitted history before them plus their own events
        drive :math:`K` (one-step-ahead hazards).
        """
        n, _, K = self._kernel_path(dates, group, observed)
        return n[:, None] * K

    def hazard(self, design: pd.DataFrame, *, group: str = "posterior") -> np.ndarray:
        """Draws × rows of the daily hazard (background + excitation) on ``design``'s days.

        ``design`` is indexed by date (as :meth:`future_design` returns) or has a ``date``
        column (rows of an exposure table); an ``events`` column counts as observed events.
        """
        background = super().hazard(design, group=group)
        dates = (
            pd.DatetimeIndex(design["date"])
            if "date" in design.columns
            else pd.DatetimeIndex(design.index)
        )
        observed = design if "events" in design.columns else None
        return background + self.excitation_path(dates, group=group, observed=observed)

    def background_hazard(self, design: pd.DataFrame, *, group: str = "posterior") -> np.ndarray:
        """Draws × rows of the background hazard alone."""
        return super().hazard(design, group=group)

    def excitation_share(self, ci_prob: float = 0.9) -> dict[str, float]:
        r"""Share of the observed events attributed to self-excitation, with an interval.

        Per draw, :math:`\sum_d y_d\, \eta K_d / \lambda_d \big/ \sum_d y_d` (each event split
        between background and excitation in proportion to their hazards; Zhuang, Ogata &
        Vere-Jones 2002). ``branching_ratio`` is the long-run share the model implies.
        """
        self._check_fitted()
        lo, hi = (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2
        data = _Data(self.table_)
        lam0, beta = self._draws()
        n, tau = self._excitation_draws()
        hit = data.y > 0
        mu = lam0[:, None] * np.exp(beta @ data.X[hit].T)
        share = np.empty(len(n))
        for s in range(len(n)):
            K = excitation(data.c, tau[s])[data.pos][hit]
            share[s] = np.sum(data.y[hit] * n[s] * K / (mu[s] + n[s] * K)) / data.y[hit].sum()
        return {
            "mean": float(share.mean()),
            "low": float(np.quantile(share, lo)),
            "high": float(np.quantile(share, hi)),
            "events": float(data.y.sum()),
        }

    def _summary_quantities(self, ci_prob: float) -> list[tuple[str, str, np.ndarray]]:
        rows = super()._summary_quantities(ci_prob)
        for name in ("branching_ratio", "decay_days", "alpha"):
            rows.append((name, "self_excitation", self.posterior_draws(name)))
        return rows

    def summary(self, ci_prob: float = 0.9) -> pd.DataFrame:
        """Baseline, hazard ratios and the self-excitation parameters.

        :meth:`PiecewiseHazard.summary` plus ``branching_ratio``, ``decay_days``, ``alpha`` and
        ``excitation_share`` (kind ``self_excitation``).
        """
        out = super().summary(ci_prob)
        share = self.excitation_share(ci_prob)
        row = pd.DataFrame(
            {
                "kind": ["self_excitation"],
                "mean": [share["mean"]],
                "median": [np.nan],
                "low": [share["low"]],
                "high": [share["high"]],
                "p_gt_1": [np.nan],
            },
            index=pd.Index(["excitation_share"], name="parameter"),
        )
        out = pd.concat([out, row])
        out.attrs["ci_prob"] = ci_prob
        return out

    def simulate_events(self, table: ExposureTable, rng: np.random.Generator) -> np.ndarray:
        """Daily counts on ``table``'s days from the first draw, each event exciting the next.

        No history before the table's first day (simulation-based calibration replaces the
        outcome's history with the simulated days).
        """
        data = _Data(table)
        lam0 = self.posterior_draws("baseline_rate")[0]
        beta = self._draws()[1][0]
        eta = float(self.posterior_draws("branching_ratio")[0])
        r = float(np.exp(-1.0 / self.posterior_draws("decay_days")[0]))
        mu = lam0 * np.exp(data.X @ beta) if data.X.shape[1] else np.full(len(data.y), lam0)
        days = pd.DatetimeIndex(table.data["date"])
        y = np.zeros(len(days))
        days_only = table.outcome.count == "days"  # the history counts launch days, not events
        K, previous = 0.0, days[0]
        for i, day in enumerate(days):
            gap = (day - previous).days
            K *= r ** max(gap - 1, 0) if i else 1.0
            y[i] = rng.poisson(data.E[i] * (mu[i] + eta * K))
            K = r * K + (1 - r) * (min(y[i], 1.0) if days_only else y[i])
            previous = day
        return y

    def simulate_paths(
        self,
        n: int,
        days: int,
        *,
        trigger_date: str | pd.Timestamp | None = None,
        random_seed: int | None = None,
        **kwargs: Any,
    ) -> pd.DataFrame:
        r"""Future event days from the posterior predictive, excitation fed back.

        Each path takes one posterior draw; on each day the hazard is the background plus
        :math:`\eta K`, and simulated events enter :math:`K` the next day. Returns ``path,
        day, date, events`` for days with events (``attrs["n_paths"]``).
        """
        if n < 1:
            raise ModelError(f"n must be ≥ 1, not {n}.")
        self._check_fitted()
        origin = self.table_.end if trigger_date is None else pd.Timestamp(trigger_date)
        design = self.future_design(origin, days, **kwargs)
        rng = np.random.default_rng(random_seed)
        background = super().hazard(design)
        eta, r, K = self._kernel_path(pd.DatetimeIndex(design.index), "posterior", None)
        pick = rng.integers(0, len(eta), size=n)
        mu, K, r, eta = background[pick], K[pick], r[pick], eta[pick]
        count_days = self.table_.outcome.count == "days"
        extra = np.zeros(n)  # excitation from simulated events
        rows: list[tuple[int, int, pd.Timestamp, int]] = []
        for h in range(len(design)):
            rate = mu[:, h] + eta * (K[:, h] + extra)
            events = (
                (rng.random(n) < -np.expm1(-rate)).astype(int) if count_days else rng.poisson(rate)
            )
            rows.extend(
                (int(p), h + 1, design.index[h], int(events[p])) for p in np.flatnonzero(events)
            )
            extra = r * extra + (1 - r) * events
        out = pd.DataFrame(rows, columns=["path", "day", "date", "events"])
        out.attrs["n_paths"] = n
        out.attrs["days"] = len(design)
        return out


# ---------------------------------------------------------------------- helpers
def _constrain(theta: np.ndarray, k: int) -> dict[str, np.ndarray]:
    eta = expit(theta[..., -2])
    tau = np.exp(theta[..., -1])
    return {
        "baseline_rate": np.exp(theta[..., 0]),
        "beta": theta[..., 1 : 1 + k],
        "branching_ratio": eta,
        "decay_days": tau,
        "alpha": eta * np.expm1(1.0 / tau),
    }


def _prior_sample(prior: Mapping[str, Any], draws: int, rng: np.random.Generator) -> dict[str, Any]:
    k = len(prior["mu"])
    theta = np.empty((1, draws, k + 3))
    theta[..., 0] = np.log(rng.gamma(prior["a"], 1.0 / prior["b"], size=(1, draws)))
    theta[..., 1 : 1 + k] = rng.normal(prior["mu"], prior["sd"], size=(1, draws, k))
    theta[..., -2] = logit(rng.beta(prior["branching"][0], prior["branching"][1], size=(1, draws)))
    theta[..., -1] = rng.normal(prior["log_decay_mean"], prior["log_decay_sd"], size=(1, draws))
    return _constrain(theta, k)


def _pointwise(posterior: Mapping[str, np.ndarray], data: _Data) -> np.ndarray:
    """Poisson log-likelihood of each day under each draw, shape (chain, draw, day)."""
    lam0 = posterior["baseline_rate"]
    chains, draws = lam0.shape
    out = np.empty((chains, draws, len(data.y)))
    for c in range(chains):
        for s in range(draws):
            beta = posterior["beta"][c, s]
            mu = lam0[c, s] * np.exp(data.X @ beta) if data.X.shape[1] else lam0[c, s]
            K = excitation(data.c, posterior["decay_days"][c, s])[data.pos]
            lam = data.E * (mu + posterior["branching_ratio"][c, s] * K)
            out[c, s] = data.y * np.log(lam) - lam - gammaln(data.y + 1.0)
    return out
