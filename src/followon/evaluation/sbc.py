r"""Simulation-based calibration (SBC) of :class:`~followon.PiecewiseHazard`.

Talts, Betancourt, Simpson, Vehtari & Gelman (2018): if :math:`\tilde\theta \sim p(\theta)`,
:math:`\tilde y \sim p(y \mid \tilde\theta)` and :math:`\theta_1, \dots, \theta_L` are draws
from the posterior :math:`p(\theta \mid \tilde y)` that the fitting code returns, then for any
test quantity :math:`f` the rank

.. math::

    r = \#\{\ell : f(\theta_\ell, \tilde y) < f(\tilde\theta, \tilde y)\} \in \{0, \dots, L\}

is uniform on :math:`\{0, \dots, L\}` — exactly when the sampler, the likelihood and the prior
agree. Deviations have shapes (a ∪ of ranks: posteriors too narrow; ∩: too wide; a slope:
biased).

Here the design (the covariates of each day) of an exposure table is held fixed. Each
replicate draws the parameters from the model's own prior — :math:`\lambda_0 \sim
\mathrm{Gamma}(a, b)`, :math:`\beta_j \sim \mathrm{Normal}(m_j, s_j)`, or for
``sampler="exact"`` an independent Gamma(a, b) rate per disjoint cell — with :math:`b` fixed by
the *original* table's empirical rate (the refits get it as ``baseline_mean``, so the prior
does not move with the simulated data); simulates daily counts
:math:`y_d \sim \mathrm{Poisson}(E_d \lambda_0 e^{x_d^\top\beta})`, the likelihood the model
fits (also for ``count="days"`` outcomes, whose 0/1 days the model treats as Poisson counts);
refits; and ranks

- the log baseline rate and each log hazard ratio,
- the log-likelihood :math:`\log p(\tilde y \mid \theta)` of the simulated data (a
  data-dependent test quantity, Modrák et al. 2023: sensitive to the joint posterior),
- :math:`P(\text{event within } H \text{ days after the table's end}) = 1 - \exp(-\sum_{h \le
  H} \lambda_0 e^{x_h^\top\beta})` on :meth:`PiecewiseHazard.future_design` of the table's
  end (DOMAIN.md: forecasts are what users read, so they are tested too).

Uniformity is checked two ways by :func:`sbc_uniformity`: a chi-square test on binned ranks,
and the ECDF difference with a simultaneous band (Säilynoja, Bürkner & Vehtari 2022): the
band's pointwise level is adjusted by simulating uniform ranks (seeded) so that the whole ECDF
of ``n_sims`` uniform ranks stays inside with probability ``prob``.

Self-excitation covariates keep the original history: the design is fixed, as SBC needs, even
though the simulated events would have excited differently.

Any other model (a registered :class:`~followon.HazardModel` with a daily likelihood) is
calibrated through the contract alone: its ``prior(table)`` and ``sample_prior`` give the
truth, :meth:`~followon.HazardModel.with_draws` makes a model holding it, its
``simulate_events`` draws the data (a self-exciting model feeds its events back), and the
ranked quantities are every scalar posterior variable, the log-likelihood (when the model
has one) and P(event within H days) from ``cumulative_hazard_draws``.
"""

from __future__ import annotations

import dataclasses
import functools
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from followon.errors import ConvergenceWarning, EvaluationError, ModelError
from followon.exposure.table import ExposureTable
from followon.hazard.base import HazardModel
from followon.hazard.piecewise import PiecewiseHazard

__all__ = ["SBCResult", "sbc_ecdf_difference", "sbc_uniformity", "simulation_based_calibration"]

BAND_SIMS = 5000
"""Uniform rank samples simulated to adjust the simultaneous ECDF band."""
MAX_ECDF_POINTS = 100
"""At most this many ECDF evaluation points (rank values ``k/(L+1)``)."""


@dataclasses.dataclass
class SBCResult:
    """Ranks of the true test quantities among posterior draws, one row per replicate.

    Attributes
    ----------
    ranks : pandas.DataFrame
        Index ``replicate``; columns ``log_baseline_rate``, one per covariate (its log hazard
        ratio), ``log_likelihood``, ``p_event_<H>d``; integer ranks in 0 … ``L``.
    L : int
        Posterior draws each truth is ranked among (ranks take ``L + 1`` values).
    truth : pandas.DataFrame
        The true value of each test quantity per replicate (same shape as ``ranks``).
    diagnostics : pandas.DataFrame
        Per replicate: ``seed`` of the fit, simulated ``events``, fit ``seconds`` and the
        ``warning`` text of a failed MCMC convergence gate (empty if none).
    method : str
        The fitting path tested (``exact``, ``laplace`` or an MCMC backend).
    horizon_days : int
    """

    ranks: pd.DataFrame
    L: int
    truth: pd.DataFrame
    diagnostics: pd.DataFrame
    method: str
    horizon_days: int

    def test(
        self, *, prob: float = 0.95, bins: int | None = None, random_seed: int = 0
    ) -> pd.DataFrame:
        """Uniformity of each quantity's ranks: :func:`sbc_uniformity` of :attr:`ranks`."""
        return sbc_uniformity(self.ranks, self.L, prob=prob, bins=bins, random_seed=random_seed)

    def ecdf_difference(self, *, prob: float = 0.95, random_seed: int = 0) -> pd.DataFrame:
        """ECDF minus uniform CDF with the simultaneous band: :func:`sbc_ecdf_difference`."""
        return sbc_ecdf_difference(self.ranks, self.L, prob=prob, random_seed=random_seed)


# ---------------------------------------------------------------------- uniformity checks
def _check_ranks(ranks: pd.DataFrame, L: int) -> np.ndarray:
    if not isinstance(ranks, pd.DataFrame) or ranks.empty:
        raise EvaluationError("ranks must be a non-empty DataFrame, one column per quantity.")
    if int(L) != L or L < 1:
        raise EvaluationError(f"L (posterior draws ranked) must be an integer ≥ 1, not {L}.")
    values = ranks.to_numpy(dtype=float)
    if np.isnan(values).any() or (values != np.round(values)).any():
        raise EvaluationError("ranks must be whole numbers without missing values.")
    if (values < 0).any() or (values > L).any():
        raise EvaluationError(f"ranks must lie in 0 … L = {L}.")
    return values.astype(int)


def _ecdf_points(L: int) -> np.ndarray:
    """Rank thresholds k (ECDF at k / (L + 1)): all 1 … L, or an even subset of them."""
    if L <= MAX_ECDF_POINTS:
        return np.arange(1, L + 1)
    return np.unique(np.round(np.linspace(1, L, MAX_ECDF_POINTS)).astype(int))


def _tail_probability(counts: np.ndarray, n: int, z: np.ndarray) -> np.ndarray:
    """Two-sided binomial tail probability of each ECDF count ``n F(z)`` under uniformity."""
    from scipy import stats  # here: scipy.stats takes ≈ 1 s to import

    lower = stats.binom.cdf(counts, n, z)
    upper = stats.binom.sf(counts - 1, n, z)
    return np.minimum(1.0, 2.0 * np.minimum(lower, upper))


@functools.lru_cache(maxsize=32)
def _band_level(n: int, L: int, prob: float, random_seed: int) -> np.ndarray:
    """Sorted minima over z of the pointwise tail probabilities for uniform rank samples."""
    rng = np.random.default_rng(random_seed)
    k = _ecdf_points(L)
    counts = rng.multinomial(n, np.full(L + 1, 1.0 / (L + 1)), size=BAND_SIMS)
    cum = np.cumsum(counts, axis=1)[:, k - 1]  # ranks < k  ⇔  ECDF at k / (L + 1)
    return np.sort(_tail_probability(cum, n, k / (L + 1)).min(axis=1))


def _simultaneous(
    values: np.ndarray, L: int, prob: float, random_seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float, np.ndarray]:
    """Return evaluation points, ECDF counts, per-column min tail prob., level, null minima."""
    n = values.shape[0]
    k = _ecdf_points(L)
    z = k / (L + 1)
    null = _band_level(n, L, prob, random_seed)
    gamma = float(np.quantile(null, 1.0 - prob, method="lower"))
    counts = (values[:, :, None] < k[None, None, :]).sum(axis=0)  # (quantity, point)
    tail = _tail_probability(counts, n, z[None, :]).min(axis=1)
    return z, counts, tail, gamma, null


def sbc_uniformity(
    ranks: pd.DataFrame,
    L: int,
    *,
    prob: float = 0.95,
    bins: int | None = None,
    random_seed: int = 0,
) -> pd.DataFrame:
    r"""Test each column of SBC ranks for uniformity on ``0 … L``.

    Two tests per quantity:

    - **chi-square** on ``bins`` equal-width bins of the ranks (the expected count of a bin is
      ``n`` × its share of the ``L + 1`` rank values, so any ``L`` works); default
      ``min(20, L + 1, n // 5)`` bins (at least 2), about five expected ranks per bin or more.
    - **simultaneous ECDF band** (Säilynoja et al. 2022): the ECDF :math:`F_n(z)` of the ranks
      at :math:`z = k/(L+1)` is :math:`\mathrm{Binomial}(n, z)/n` under uniformity; each point
      gets the two-sided binomial tail probability, and the smallest over :math:`z` is
      compared with its distribution under uniformity, simulated from 5000 uniform rank
      samples seeded by ``random_seed``. ``ecdf_p`` is that simulated p-value; ``inside_band``
      says whether the ECDF stays inside the ``prob`` simultaneous band (``ecdf_p`` > 1 −
      ``prob``).

    Parameters
    ----------
    ranks : pandas.DataFrame
        One column per test quantity, one row per replicate (:attr:`SBCResult.ranks`).
    L : int
        Posterior draws ranked.
    prob : float
        Coverage of the simultaneous band (0.95). Each quantity is tested at this level; with
        several quantities, the chance that some correct one leaves its band is larger.
    bins : int, optional
    random_seed : int
        Seed of the band simulation (fixed by default, so results are reproducible).

    Returns
    -------
    pandas.DataFrame
        Index ``quantity``; columns ``chi2, chi2_df, chi2_p, ecdf_p, max_abs_diff,
        inside_band``. ``attrs``: ``n_sims``, ``L``, ``bins``, ``prob``.

    Raises
    ------
    EvaluationError
        Ranks missing, not whole numbers or outside ``0 … L``; ``prob`` outside (0, 1).
    """
    from scipy import stats  # here: scipy.stats takes ≈ 1 s to import

    values = _check_ranks(ranks, L)
    if not 0 < prob < 1:
        raise EvaluationError(f"prob must be between 0 and 1, not {prob}.")
    n = values.shape[0]
    if bins is None:
        bins = int(max(2, min(20, L + 1, n // 5)))
    if not 2 <= bins <= L + 1:
        raise EvaluationError(f"bins must be between 2 and L + 1 = {L + 1}, not {bins}.")
    which = np.arange(L + 1) * bins // (L + 1)  # bin of each rank value
    expected = n * np.bincount(which, minlength=bins) / (L + 1)
    observed = np.stack([np.bincount(which[v], minlength=bins) for v in values.T])
    chi2 = ((observed - expected) ** 2 / expected).sum(axis=1)
    z, counts, tail, gamma, null = _simultaneous(values, L, prob, random_seed)
    ecdf_p = np.searchsorted(null, tail, side="right") / len(null)
    out = pd.DataFrame(
        {
            "chi2": chi2,
            "chi2_df": bins - 1,
            "chi2_p": stats.chi2.sf(chi2, bins - 1),
            "ecdf_p": ecdf_p,
            "max_abs_diff": np.abs(counts / n - z[None, :]).max(axis=1),
            "inside_band": tail > gamma,
        },
        index=pd.Index(ranks.columns, name="quantity"),
    )
    out.attrs.update({"n_sims": n, "L": int(L), "bins": bins, "prob": prob})
    return out


def sbc_ecdf_difference(
    ranks: pd.DataFrame, L: int, *, prob: float = 0.95, random_seed: int = 0
) -> pd.DataFrame:
    """ECDF of each quantity's ranks minus the uniform CDF, with the simultaneous band.

    Returns
    -------
    pandas.DataFrame
        Index ``z`` (fractional rank ``k / (L + 1)``); columns ``lower``, ``upper`` (the
        ``prob`` simultaneous band for ECDF − z, see :func:`sbc_uniformity`) and one per
        quantity (its ECDF − z). ``attrs``: ``n_sims``, ``L``, ``prob``.
    """
    from scipy import stats  # here: scipy.stats takes ≈ 1 s to import

    values = _check_ranks(ranks, L)
    if not 0 < prob < 1:
        raise EvaluationError(f"prob must be between 0 and 1, not {prob}.")
    n = values.shape[0]
    z, counts, _, gamma, _ = _simultaneous(values, L, prob, random_seed)
    # the band: counts whose two-sided tail probability exceeds the adjusted level γ
    lower = stats.binom.ppf(gamma / 2, n, z)
    upper = stats.binom.isf(gamma / 2, n, z)
    lower = np.where(_tail_probability(lower, n, z) > gamma, lower, lower + 1)
    upper = np.where(_tail_probability(upper, n, z) > gamma, upper, upper - 1)
    data: dict[str, Any] = {"lower": lower / n - z, "upper": upper / n - z}
    for j, name in enumerate(ranks.columns):
        data[str(name)] = counts[j] / n - z
    out = pd.DataFrame(data, index=pd.Index(z, name="z"))
    out.attrs.update({"n_sims": n, "L": int(L), "prob": prob})
    return out


# ---------------------------------------------------------------------- the SBC loop
def _warn_failed_gates(diagnostics: pd.DataFrame, n_sims: int, *, stacklevel: int) -> None:
    """One ConvergenceWarning counting the replicates whose MCMC fit failed the gates."""
    n_warned = int((diagnostics["warning"] != "").sum())
    if n_warned:
        warnings.warn(
            f"SBC: {n_warned} of {n_sims} replicates failed the MCMC convergence gates "
            "(result.diagnostics['warning']); their ranks may reflect the sampler, not the "
            "model. Run more draws or tune.",
            ConvergenceWarning,
            stacklevel=stacklevel,
        )


def _rank(draws: np.ndarray, truth: float, rng: np.random.Generator) -> int:
    """Count the draws below the truth, splitting ties at random."""
    below = int(np.sum(draws < truth))
    ties = int(np.sum(draws == truth))
    return below + (int(rng.integers(0, ties + 1)) if ties else 0)


def _quantities(
    lam: np.ndarray,
    beta: np.ndarray,
    patterns: np.ndarray,
    log_exposure: np.ndarray,
    y: np.ndarray,
    future: np.ndarray,
) -> list[np.ndarray]:
    """Test quantities per draw: log λ0, each β, log-likelihood (no constant), P(event ≤ H)."""
    log_lam = np.log(lam)
    eta = log_lam[:, None] + beta @ patterns.T + log_exposure[None, :]
    loglik = (y[None, :] * eta - np.exp(eta)).sum(axis=1)
    cumhaz = (lam[:, None] * np.exp(beta @ future.T)).sum(axis=1)
    return [log_lam, *beta.T, loglik, -np.expm1(-cumhaz)]


def simulation_based_calibration(
    table: ExposureTable,
    model_factory: Callable[[], HazardModel],
    *,
    n_sims: int = 100,
    draws: int = 1000,
    chains: int = 1,
    tune: int = 1000,
    random_seed: int | None = None,
    horizon_days: int = 60,
    thin: int | None = None,
) -> SBCResult:
    """Simulation-based calibration of a :class:`~followon.PiecewiseHazard` on a fixed design.

    See the module docstring for the procedure and the test quantities.

    Parameters
    ----------
    table : ExposureTable
        From :func:`followon.build_exposure`; its days and covariates are the fixed design,
        its empirical event rate fixes the baseline prior's mean (unless the model sets
        ``baseline_mean``).
    model_factory : callable
        Returns a new, unfitted model; its ``sampler`` and priors define the model under test.
        Called once: that model gives the prior and is refitted for every replicate (a refit
        equals a fresh fit; MCMC reuses its compiled model). SBC sets ``baseline_mean`` (when
        ``None``) and turns off the pointwise log-likelihood.
    n_sims : int
        Replicates.
    draws, chains, tune : int
        Passed to ``fit`` (exact and Laplace paths: ``draws × chains`` independent draws).
    random_seed : int, optional
        Seeds the prior draws, the simulated events and each fit.
    horizon_days : int
        Horizon of the test quantity P(event within H days after the table's end).
    thin : int, optional
        Keep every ``thin``-th posterior draw (chains stacked). Default: 1 for the exact and
        Laplace paths (independent draws); for MCMC, as much as leaves at least 99 draws, so
        the ranked draws are closer to independent.

    Returns
    -------
    SBCResult

    Raises
    ------
    EvaluationError
        Bad arguments, or a factory that does not return an unfitted ``PiecewiseHazard``.

    Warns
    -----
    ConvergenceWarning
        Once, naming how many replicates' MCMC fits failed the convergence gates.

    Examples
    --------
    >>> import followon as fo
    >>> table = fo.build_exposure(fo.load_events(), fo.Outcome("any", "missile_launch"),
    ...                           start="2012-01-01", as_of="2022-01-20")
    >>> result = fo.simulation_based_calibration(
    ...     table, lambda: fo.PiecewiseHazard(sampler="exact"), n_sims=20, random_seed=1)
    >>> list(result.ranks.columns)
    ['log_baseline_rate', 'log_likelihood', 'p_event_60d']
    """
    if not isinstance(table, ExposureTable):
        raise EvaluationError(
            f"SBC expects an ExposureTable (fo.build_exposure), not {type(table).__name__}."
        )
    for name, value, low in (
        ("n_sims", n_sims, 1),
        ("draws", draws, 1),
        ("chains", chains, 1),
        ("tune", tune, 0),
        ("horizon_days", horizon_days, 1),
    ):
        if int(value) != value or value < low:
            raise EvaluationError(f"{name} must be an integer ≥ {low}, not {value}.")
    if thin is not None and (int(thin) != thin or thin < 1):
        raise EvaluationError(f"thin must be an integer ≥ 1, not {thin}.")

    names = table.covariate_names
    data = table.data
    n_events = float(data["events"].sum())
    exposure = data["exposure"].to_numpy(dtype=float)
    rate = max(n_events, 0.5) / exposure.sum()  # as PiecewiseHazard.fit centres the prior
    model = model_factory()
    if not isinstance(model, HazardModel):
        raise EvaluationError(
            f"model_factory must return a HazardModel (e.g. fo.PiecewiseHazard), not "
            f"{type(model).__name__}."
        )
    if hasattr(model, "idata_"):
        raise EvaluationError("model_factory must return a new, unfitted model.")
    if not (isinstance(model, PiecewiseHazard) and model.name == "piecewise"):
        return _contract_sbc(
            table,
            model,
            n_sims=n_sims,
            draws=draws,
            chains=chains,
            tune=tune,
            random_seed=random_seed,
            horizon_days=horizon_days,
            thin=thin,
        )
    if model.baseline_mean is None:
        model.baseline_mean = rate
    model.log_likelihood = False
    try:
        model.check_params()
        model.validate(table)
    except ModelError as exc:
        raise EvaluationError(str(exc)) from None
    prior = model.prior(table)
    a, b = prior["baseline_shape"], prior["baseline_rate_param"]
    mu, sd = prior["beta_mean"], prior["beta_sd"]
    X = data[names].to_numpy(dtype=float) if names else np.zeros((len(data), 0))
    exact = model.sampler == "exact" or (model.sampler == "auto" and not names)
    if exact and names and (not np.isin(X, (0.0, 1.0)).all() or (X.sum(axis=1) > 1).any()):
        raise EvaluationError(
            "sampler='exact' needs no covariates or disjoint 0/1 indicators; this table "
            f"has {', '.join(names)}."
        )
    # the collapsed design: SBC's likelihood test quantity works on covariate patterns
    patterns, day_pattern = (
        np.unique(X, axis=0, return_inverse=True)
        if names
        else (np.zeros((1, 0)), np.zeros(len(X), dtype=int))
    )
    day_pattern = day_pattern.ravel()
    log_pattern_exposure = np.log(
        np.bincount(day_pattern, weights=exposure, minlength=len(patterns))
    )
    future: np.ndarray | None = None
    quantity = f"p_event_{horizon_days}d"
    columns = ["log_baseline_rate", *names, "log_likelihood", quantity]

    rng = np.random.default_rng(random_seed)
    rank_rows: list[list[int]] = []
    truth_rows: list[list[float]] = []
    diag_rows: list[dict[str, Any]] = []
    method = ""
    L = 0
    for _ in range(n_sims):
        # 1. parameters from the prior
        if exact:
            cell_rates = rng.gamma(a, 1.0 / b, size=len(names) + 1)
            lam0 = float(cell_rates[0])
            beta = np.log(cell_rates[1:] / cell_rates[0])
        else:
            lam0 = float(rng.gamma(a, 1.0 / b))
            beta = rng.normal(mu, sd)
        # 2. daily counts from the likelihood the model fits
        mean = exposure * lam0 * np.exp(X @ beta)
        y = rng.poisson(mean)
        sim = dataclasses.replace(table, data=data.assign(events=y.astype(data["events"].dtype)))
        # 3. fit
        seed = int(rng.integers(2**31 - 1))
        started = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(
                sim, draws=draws, tune=tune, chains=chains, random_seed=seed, progressbar=False
            )
        seconds = time.perf_counter() - started
        for w in caught:
            if not issubclass(w.category, ConvergenceWarning):
                warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
        warned = "; ".join(str(w.message) for w in caught if w.category is ConvergenceWarning)
        method = model.method_
        lam_draws = model.posterior_draws("baseline_rate")
        beta_draws = model.posterior_draws("beta") if names else np.zeros((len(lam_draws), 0))
        step = thin
        if step is None:
            step = 1 if method in ("exact", "laplace") else max(1, len(lam_draws) // 99)
        lam_draws, beta_draws = lam_draws[::step], beta_draws[::step]
        L = len(lam_draws)
        # 4. test quantities, true and per draw
        if future is None:
            future = model.future_design(table.end, horizon_days)[names].to_numpy(dtype=float)
        y_pattern = np.bincount(day_pattern, weights=y, minlength=len(patterns))
        design = (patterns, log_pattern_exposure, y_pattern, future)
        true_q = [float(q[0]) for q in _quantities(np.array([lam0]), beta[None, :], *design)]
        draw_q = _quantities(lam_draws, beta_draws, *design)
        rank_rows.append([_rank(d, t, rng) for d, t in zip(draw_q, true_q, strict=True)])
        truth_rows.append(true_q)
        diag_rows.append(
            {"seed": seed, "events": int(y.sum()), "seconds": seconds, "warning": warned}
        )

    index = pd.RangeIndex(n_sims, name="replicate")
    diagnostics = pd.DataFrame(diag_rows, index=index)
    _warn_failed_gates(diagnostics, n_sims, stacklevel=3)
    return SBCResult(
        ranks=pd.DataFrame(rank_rows, index=index, columns=columns),
        L=L,
        truth=pd.DataFrame(truth_rows, index=index, columns=columns),
        diagnostics=diagnostics,
        method=method,
        horizon_days=int(horizon_days),
    )


def _scalar_quantities(posterior: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Every scalar of every variable, per draw: ``name`` or ``name[i]`` → (draws,)."""
    out: dict[str, np.ndarray] = {}
    for name, values in posterior.items():
        flat = np.asarray(values).reshape(values.shape[0], -1)
        if flat.shape[1] == 1:
            out[name] = flat[:, 0]
        else:
            for i in range(flat.shape[1]):
                out[f"{name}[{i}]"] = flat[:, i]
    return out


def _model_quantities(
    model: HazardModel, table: ExposureTable, horizon_days: int, thin: int
) -> dict[str, np.ndarray]:
    """Return the contract's test quantities of a fitted model, per (thinned) draw."""
    post = model.idata_["posterior"].dataset
    values = {str(n): np.asarray(v.values).reshape(-1, *v.shape[2:]) for n, v in post.items()}
    out = _scalar_quantities(values)
    loglik = model.pointwise_loglik({str(n): np.asarray(v.values) for n, v in post.items()})
    if loglik is not None:
        out["log_likelihood"] = np.asarray(loglik).reshape(-1, loglik.shape[-1]).sum(axis=1)
    design = model.future_design(table.end, horizon_days)
    cumhaz = model.cumulative_hazard_draws(design)
    out[f"p_event_{horizon_days}d"] = -np.expm1(-cumhaz[:, horizon_days - 1])
    return {k: v[::thin] for k, v in out.items()}


def _simulated_table(table: ExposureTable, y: np.ndarray, *, with_history: bool) -> ExposureTable:
    """``table`` with simulated daily counts ``y``; for a self-exciting model its history too.

    A model that fits its own excitation reads the outcome's history from the table's events,
    so the outcome's events are replaced by ones on the simulated days (a copy of one real
    outcome row per day, or per event for ``count="events"``).
    """
    data = table.data
    events = pd.Series(y, index=data.index).astype(data["events"].dtype)
    sim = dataclasses.replace(table, data=data.assign(events=events))
    if not with_history:
        return sim
    outcome = table.outcome
    chosen = outcome.select(table.events)
    if chosen.empty:
        raise EvaluationError(
            f"SBC: the table has no {outcome.id} event to copy onto the simulated days."
        )
    hit = np.flatnonzero(np.asarray(y) > 0)
    per_day = (
        np.asarray(y)[hit].astype(int) if outcome.count == "events" else np.ones(len(hit), int)
    )
    rows = chosen.iloc[np.zeros(int(per_day.sum()), dtype=int)].copy()
    days = np.repeat(data["date"].to_numpy()[hit], per_day)
    rows["date"] = days
    rows["end_date"] = days
    rows["event_id"] = [f"sbc-{i}" for i in range(len(rows))]
    if outcome.count == "missiles":
        rows["count"] = np.asarray(y)[hit].astype(float)
    others = table.events.drop(index=chosen.index)
    merged = pd.concat([others, rows], ignore_index=True).sort_values("date", kind="stable")
    return dataclasses.replace(sim, events=merged.reset_index(drop=True))


def _contract_sbc(
    table: ExposureTable,
    model: HazardModel,
    *,
    n_sims: int,
    draws: int,
    chains: int,
    tune: int,
    random_seed: int | None,
    horizon_days: int,
    thin: int | None,
) -> SBCResult:
    """SBC of any registered model through its public contract (module docstring)."""
    name = type(model).__name__
    if not model.daily_likelihood:
        raise EvaluationError(
            f"{name} has no daily likelihood to simulate days from; calibrate it with its own "
            "spells (tests/hazard/test_survival.py shows how)."
        )
    try:
        model.check_params()
        model.validate(table)
        prior = model.prior(table)
    except ModelError as exc:
        raise EvaluationError(f"SBC of {name}: {exc}") from None
    if "log_likelihood" in model.get_param_names():
        model.set_params(log_likelihood=False)
    model.log_likelihood = False
    model.fix_prior(prior)  # refits keep the original table's prior (as baseline_mean)
    rng = np.random.default_rng(random_seed)
    rank_rows: list[list[int]] = []
    truth_rows: list[list[float]] = []
    diag_rows: list[dict[str, Any]] = []
    columns: list[str] = []
    method, L = "", 0
    for _ in range(n_sims):
        theta = model.sample_prior(1, rng, prior)
        truth = model.with_draws(table, theta)
        y = np.asarray(truth.simulate_events(table, rng))
        sim = _simulated_table(table, y, with_history=model.fits_own_excitation)
        truth = model.with_draws(sim, theta)
        seed = int(rng.integers(2**31 - 1))
        started = time.perf_counter()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ConvergenceWarning)
            model.fit(
                sim, draws=draws, tune=tune, chains=chains, random_seed=seed, progressbar=False
            )
        seconds = time.perf_counter() - started
        warned = "; ".join(str(w.message) for w in caught if w.category is ConvergenceWarning)
        method = model.method_
        n_draws = draws * chains
        step = thin or (1 if model.method_ not in model.mcmc_methods else max(1, n_draws // 99))
        drawn = _model_quantities(model, sim, horizon_days, step)
        true_q = _model_quantities(truth, sim, horizon_days, 1)
        columns = list(true_q)
        L = len(next(iter(drawn.values())))
        rank_rows.append([_rank(drawn[c], float(true_q[c][0]), rng) for c in columns])
        truth_rows.append([float(true_q[c][0]) for c in columns])
        diag_rows.append(
            {"seed": seed, "events": int(y.sum()), "seconds": seconds, "warning": warned}
        )
    index = pd.RangeIndex(n_sims, name="replicate")
    diagnostics = pd.DataFrame(diag_rows, index=index)
    _warn_failed_gates(diagnostics, n_sims, stacklevel=4)
    return SBCResult(
        ranks=pd.DataFrame(rank_rows, index=index, columns=columns),
        L=L,
        truth=pd.DataFrame(truth_rows, index=index, columns=columns),
        diagnostics=diagnostics,
        method=method,
        horizon_days=int(horizon_days),
    )
