r"""Piecewise-exponential hazard with time-varying covariates (a Poisson GLM), in PyMC.

Model
-----
For Korean day *d* at risk with covariates :math:`x_d` (trigger windows, spans, self-excitation,
season, eras) the hazard of the outcome is

.. math::

    \lambda_d = \lambda_0 \exp(x_d^\top \beta), \qquad
    y_d \sim \mathrm{Poisson}(E_d \lambda_d),

with :math:`E_d = 1` day of exposure (or the summed exposure of a collapsed covariate pattern:
rows with identical :math:`x` add up their events and exposure with the same likelihood up to
a constant). :math:`e^{\beta_j}` is the hazard ratio of covariate *j*.

Priors (explicit, overridable)
------------------------------
- :math:`\lambda_0 \sim \mathrm{Gamma}(a, a / \hat r)`: mean :math:`\hat r`, the empirical daily
  rate of the table (or ``baseline_mean``; half an event over the exposure when the table has
  none), shape ``baseline_shape`` = 2 (weakly informative: a 90% prior interval of about
  0.18–2.4 × :math:`\hat r`).
- :math:`\beta_j \sim \mathrm{Normal}(0, 1)` on each log hazard ratio (``beta_sd``; per
  covariate ``beta_priors={name: (mean, sd)}``): hazard ratios between about 0.2 and 5 a priori.

Exact path
----------
With no covariates, :math:`\lambda_0 \mid y \sim \mathrm{Gamma}(a + \sum y, a/\hat r + \sum E)`
— drawn exactly, no MCMC (``sampler="auto"`` does this). With only disjoint 0/1 indicators
(e.g. one trigger's window bins, ``overlap="latest"``) ``sampler="exact"`` gives each cell its
own rate :math:`\lambda_c \sim \mathrm{Gamma}(a, a/\hat r)` a priori, conjugate per cell, and
reports :math:`\beta_c = \log(\lambda_c / \lambda_0)`; that prior on a log hazard ratio has
sd :math:`\sqrt{2\,\psi_1(a)} \approx 1.14` for a = 2, close to the Normal(0, 1) of the MCMC
path.

Laplace path
------------
``sampler="laplace"`` finds the posterior mode of :math:`(\log\lambda_0, \beta)` by Newton's
method and draws from :math:`\mathcal N(\hat\theta, H^{-1})`, :math:`H` the negative Hessian
there (:mod:`followon.hazard.glm`). The log posterior is concave and, with tens of events, close
to Gaussian; ``tests/hazard/test_glm.py`` checks it against NUTS on the real record.

Importance-corrected Laplace path
---------------------------------
``sampler="laplace-is"`` reweights proposals from a Student-t at the mode (scale
:math:`H^{-1}`) to the exact posterior by Pareto-smoothed importance sampling and resamples
them (:mod:`followon.hazard.importance`); this removes the Laplace path's lean. When the
weights' Pareto :math:`\hat k` exceeds 0.7 the proposal is not close enough and the fit falls
back to NUTS (:data:`DEFAULT_MCMC_SAMPLER`): ``method_`` says which path gave the draws,
``importance_`` holds :math:`\hat k`, the weights' ESS and the reason, and
``diagnostics_.attrs["fit_path"]`` says both in one line.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import gammaln

from followon.errors import ModelError, did_you_mean
from followon.exposure.table import ExposureTable
from followon.hazard._sampling import DEFAULT_MCMC_SAMPLER, sample_glm
from followon.hazard.base import HazardModel, PosteriorSample, Sampling, draws_array
from followon.hazard.glm import laplace_draws, poisson_mode
from followon.hazard.importance import KHAT_MAX, ImportanceDraws, laplace_importance
from followon.hazard.probability import check_horizons
from followon.hazard.simulate import simulate_paths

__all__ = ["SAMPLERS", "PiecewiseHazard", "pointwise_loglik", "trigger_frame"]

SAMPLERS = ("auto", "exact", "laplace", "laplace-is", "pymc", "nutpie", "numpyro")


class PiecewiseHazard(HazardModel):
    """Piecewise-exponential hazard model (see the module docstring for the maths).

    Parameters
    ----------
    baseline_shape : float
        Shape *a* of the Gamma prior on the baseline daily rate (default 2).
    baseline_mean : float, optional
        Prior mean of the baseline daily rate; default: the table's empirical rate.
    beta_sd : float
        Prior sd of each log hazard ratio (default 1).
    beta_priors : mapping, optional
        Per-covariate ``(mean, sd)`` of the log hazard ratio, overriding ``beta_sd``.
    sampler : {"auto", "exact", "laplace", "laplace-is", "pymc", "nutpie", "numpyro"}
        ``auto`` (default): the exact conjugate draw when there are no covariates, else
        ``laplace-is`` (which falls back to :data:`DEFAULT_MCMC_SAMPLER` by itself when its
        k̂ > 0.7). ``exact`` also covers disjoint 0/1 indicators.
        ``laplace``: independent draws from the Gaussian approximation at the posterior mode
        (milliseconds; for backtests with hundreds of refits — see the module docstring).
        ``laplace-is``: the Laplace proposal corrected by Pareto-smoothed importance
        sampling, NUTS when k̂ > 0.7.
    target_accept : float
        NUTS target acceptance (0.9).
    log_likelihood : bool
        Store the pointwise (per day) log-likelihood for LOO/LFO comparisons (default True).

    Attributes
    ----------
    idata_ : xarray.DataTree
        Groups ``posterior`` (``baseline_rate``, ``beta``), ``prior``, ``log_likelihood``
        (``events`` per ``day``), ``observed_data``, ``sample_stats`` (MCMC).
    table_ : ExposureTable
    method_ : str
        ``exact``, ``laplace``, ``laplace-is`` or the MCMC backend used (also when
        ``laplace-is`` fell back to it).
    importance_ : dict or None
        ``laplace-is`` fits: ``pareto_k``, ``ess`` (of the smoothed weights), ``proposals``,
        ``draws``, ``distinct`` (proposals among the draws), ``path`` and ``reason``.
    diagnostics_ : pandas.DataFrame
        Per parameter ``r_hat, ess_bulk, ess_tail``; ``attrs["divergences"]``.

    Examples
    --------
    >>> import followon as fo
    >>> table = fo.build_exposure(fo.load_events(), fo.Outcome("any", "missile_launch"),
    ...                           start="2012-01-01", as_of="2022-01-20")
    >>> model = fo.PiecewiseHazard().fit(table, random_seed=1, progressbar=False)
    >>> model.method_
    'exact'
    """

    def __init__(
        self,
        *,
        baseline_shape: float = 2.0,
        baseline_mean: float | None = None,
        beta_sd: float = 1.0,
        beta_priors: Mapping[str, tuple[float, float]] | None = None,
        sampler: str = "auto",
        target_accept: float = 0.9,
        log_likelihood: bool = True,
    ) -> None:
        self.baseline_shape = baseline_shape
        self.baseline_mean = baseline_mean
        self.beta_sd = beta_sd
        self.beta_priors = beta_priors
        self.sampler = sampler
        self.target_accept = target_accept
        self.log_likelihood = log_likelihood

    name = "piecewise"
    samplers: ClassVar[tuple[str, ...]] = SAMPLERS
    savage_dickey = True
    multi_outcome = True  # MultiActionHazard is this model over several outcomes (subclasses:
    # say False unless MultiActionHazard fits their own structure too)
    mcmc_methods: ClassVar[tuple[str, ...]] = ("pymc", "nutpie", "numpyro")

    # ------------------------------------------------------------------ parameters
    @classmethod
    def _params_from_json(cls, params: dict[str, Any]) -> dict[str, Any]:
        params = dict(params)
        priors = params.get("beta_priors") or {}
        params["beta_priors"] = {k: tuple(v) for k, v in priors.items()} or None
        return params

    def get_params(self) -> dict[str, Any]:
        """Return the constructor parameters (JSON-able; no ``beta_priors`` is ``{}``)."""
        params = super().get_params()
        params["beta_priors"] = params["beta_priors"] or {}
        return params

    def check_params(self) -> None:
        """Refuse a sampler this model does not have and non-positive prior scales."""
        super().check_params()
        self._check_prior_scales()

    def _check_prior_scales(self) -> None:
        if not self.baseline_shape > 0 or not self.beta_sd > 0:
            raise ModelError("baseline_shape and beta_sd must be > 0.")
        if self.baseline_mean is not None and not self.baseline_mean > 0:
            raise ModelError("baseline_mean must be > 0.")

    def validate(self, table: ExposureTable) -> None:
        """Refuse ``beta_priors`` the table cannot take, and a design ``sampler='exact'`` cannot.

        Checked here so that ``followon scenario validate`` refuses it, not the fit.
        """
        names = table.covariate_names
        if self.sampler == "exact" and names:
            _check_exact_design(table.data[list(names)].to_numpy(dtype=float), names)
        for key, value in (self.beta_priors or {}).items():
            if key not in names:
                raise ModelError(
                    f"beta_priors: no covariate '{key}'{did_you_mean(key, names)}; the table "
                    f"has {', '.join(names) or 'no covariates'}."
                )
            if len(value) != 2 or not value[1] > 0:
                raise ModelError(f"beta_priors['{key}'] must be (mean, sd) with sd > 0.")

    def resolve_sampler(self, table: ExposureTable) -> str:
        """``auto``: the exact conjugate draw without covariates, else ``laplace-is``.

        ``laplace-is`` falls back to NUTS (numpyro) by itself when k̂ > 0.7.
        """
        if self.sampler == "auto":
            return "exact" if not table.covariate_names else "laplace-is"
        return str(self.sampler)

    @classmethod
    def fast_sampler(cls, table: ExposureTable, requested: str = "auto") -> str | None:
        """Exact without covariates (or when asked), else the Laplace approximation."""
        return "exact" if not table.covariate_names or requested == "exact" else "laplace"

    def _priors(
        self, names: Sequence[str], rate: float
    ) -> tuple[float, float, np.ndarray, np.ndarray]:
        a = float(self.baseline_shape)
        b = a / float(self.baseline_mean if self.baseline_mean is not None else rate)
        mu = np.zeros(len(names))
        sd = np.full(len(names), float(self.beta_sd))
        for i, n in enumerate(names):
            if self.beta_priors and n in self.beta_priors:
                mu[i], sd[i] = self.beta_priors[n]
        return a, b, mu, sd

    def prior(self, table: ExposureTable) -> dict[str, Any]:
        """Return the prior's constants on ``table``: Gamma(a, b) baseline, Normal(mu, sd) β.

        ``b`` centres the baseline on the table's empirical rate (half an event over the
        exposure when it has none) unless ``baseline_mean`` is set.
        """
        data = table.data
        rate = max(float(data["events"].sum()), 0.5) / float(data["exposure"].sum())
        a, b, mu, sd = self._priors(table.covariate_names, rate)
        return {"baseline_shape": a, "baseline_rate_param": b, "beta_mean": mu, "beta_sd": sd}

    def sample_prior(
        self, draws: int, rng: np.random.Generator, prior: Mapping[str, Any] | None = None
    ) -> dict[str, np.ndarray]:
        """Draws (1, draws, ...) of ``baseline_rate`` and ``beta`` from the prior."""
        p = self.prior_ if prior is None else prior
        return _prior_draws(
            p["baseline_shape"], p["baseline_rate_param"], p["beta_mean"], p["beta_sd"], draws, rng
        )

    # ------------------------------------------------------------------ fitting
    def _sample_posterior(self, table: ExposureTable, run: Sampling) -> PosteriorSample:
        method, draws, tune, chains = run.method, run.draws, run.tune, run.chains
        rng, random_seed, progressbar = run.rng, run.random_seed, run.progressbar
        names = table.covariate_names
        collapsed = table.collapsed()
        y = collapsed["events"].to_numpy(dtype=float)
        exposure = collapsed["exposure"].to_numpy(dtype=float)
        X = collapsed[names].to_numpy(dtype=float) if names else np.zeros((len(y), 0))
        self.prior_ = self.prior_for(table)
        a, b = self.prior_["baseline_shape"], self.prior_["baseline_rate_param"]
        mu, sd = self.prior_["beta_mean"], self.prior_["beta_sd"]
        self.posterior_gamma_: dict[str, list[float]] | None = None
        self.importance_: dict[str, Any] | None = None
        if method == "exact":
            posterior, prior, self.posterior_gamma_ = _exact(
                X, y, exposure, a, b, names, draws, chains, rng
            )
            return PosteriorSample(posterior, prior)
        if method == "laplace":
            mode = poisson_mode(X, y, exposure, a=a, b=b, mu=mu, sd=sd)
            lam0, beta = laplace_draws(mode, draws * chains, rng)
            posterior = {
                "baseline_rate": lam0.reshape(chains, draws),
                "beta": beta.reshape(chains, draws, len(names)),
            }
            return PosteriorSample(posterior)
        fallback = None
        if method == "laplace-is":
            mode = poisson_mode(X, y, exposure, a=a, b=b, mu=mu, sd=sd)
            found = laplace_importance(
                mode, X, y, exposure, a=a, b=b, mu=mu, sd=sd, n=draws * chains, rng=rng
            )
            self.importance_ = importance_record(found, draws * chains)
            if found.accepted:
                posterior = {
                    "baseline_rate": np.exp(found.theta[:, 0]).reshape(chains, draws),
                    "beta": found.theta[:, 1:].reshape(chains, draws, len(names)),
                }
                return PosteriorSample(posterior)
            method = fallback = DEFAULT_MCMC_SAMPLER
        posterior, sample_stats = sample_glm(
            X,
            y,
            exposure,
            a,
            b,
            mu,
            sd,
            names,
            method=method,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            progressbar=progressbar,
            target_accept=self.target_accept,
        )
        return PosteriorSample(posterior, sample_stats=sample_stats, method=fallback)

    def _assemble(
        self,
        posterior: dict[str, np.ndarray],
        prior: dict[str, np.ndarray],
        sample_stats: dict[str, np.ndarray],
    ) -> xr.DataTree:
        if not self.table_.covariate_names:  # no covariates: no β in the DataTree
            posterior = {k: v for k, v in posterior.items() if k != "beta"}
            prior = {k: v for k, v in prior.items() if k != "beta"}
        return super()._assemble(posterior, prior, sample_stats)

    def _idata_dims(self) -> tuple[dict[str, list[str]], dict[str, Any]]:
        dims, coords = super()._idata_dims()
        return {"beta": ["covariate"], **dims}, {
            "covariate": list(self.table_.covariate_names),
            **coords,
        }

    def _pointwise_loglik(self, posterior: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """Log-likelihood of each day under each draw, shape (chain, draw, day)."""
        return pointwise_loglik(posterior, self.table_, self.table_.covariate_names)

    def _diagnostic_note(self) -> str:
        if self.method_ == "exact":
            return "exact conjugate draws: independent, no MCMC diagnostics"
        if self.method_ == "laplace-is":
            return "Laplace proposals resampled by PSIS weights, no MCMC diagnostics"
        return "independent draws from the Laplace approximation, no MCMC diagnostics"

    def _fit_path(self) -> str:
        """``laplace-is`` fits: the path taken, k̂, the weights' ESS, and why."""
        record = getattr(self, "importance_", None)
        if not record:
            return str(self.method_)
        return f"{record['path']} ({record['reason']})"

    def _save_attrs(self) -> dict[str, Any]:
        return {
            "posterior_gamma": json.dumps(getattr(self, "posterior_gamma_", None)),
            "importance": json.dumps(getattr(self, "importance_", None)),
        }

    def _restore(self, tree: xr.DataTree, table: ExposureTable) -> None:
        self.posterior_gamma_ = json.loads(tree.attrs.get("posterior_gamma", "null"))
        self.importance_ = json.loads(tree.attrs.get("importance", "null"))

    def _prepare_given(self, table: ExposureTable) -> None:
        self.posterior_gamma_ = None
        self.importance_ = None

    # ------------------------------------------------------------------ results
    def _draws(self, group: str = "posterior") -> tuple[np.ndarray, np.ndarray]:
        """(baseline rate, β) draws, chains stacked; β has zero columns without covariates."""
        lam0 = self.posterior_draws("baseline_rate", group)
        names = self.table_.covariate_names
        beta = draws_array(self.idata_[group].dataset, "beta") if names else None
        return lam0, beta if beta is not None else np.zeros((len(lam0), 0))

    def _summary_quantities(self, ci_prob: float) -> list[tuple[str, str, np.ndarray]]:
        lam0, beta = self._draws()
        rows = [("baseline_rate", "rate_per_day", lam0)]
        rows += [
            (n, "hazard_ratio", np.exp(beta[:, j]))
            for j, n in enumerate(self.table_.covariate_names)
        ]
        return rows

    def hazard(self, design: pd.DataFrame, *, group: str = "posterior") -> np.ndarray:
        """Posterior (or ``group="prior"``) draws of the daily hazard on ``design``'s rows.

        Returns an array of shape (draws, rows).
        """
        self._check_fitted()
        lam0, beta = self._draws(group)
        names = self.table_.covariate_names
        X = design[names].to_numpy(dtype=float) if names else np.zeros((len(design), 0))
        return lam0[:, None] * np.exp(beta @ X.T)

    def future_design(
        self,
        origin: pd.Timestamp,
        n_days: int,
        *,
        trigger: Mapping[str, Any] | pd.DataFrame | None = None,
        future_events: pd.DataFrame | None = None,
        covariate_path: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Covariates of days ``origin + 1 … origin + n_days`` as the future would have them.

        Events after ``origin`` are not known at ``origin`` and are ignored; trigger windows
        follow from ``trigger`` (added as an event), spans from ``future_events`` (e.g. a
        planned exercise), self-excitation decays from the outcome history up to ``origin``.
        ``covariate_path`` (indexed by date or by day 1 … n) overrides columns outright.
        """
        self._check_fitted()
        table = self.table_
        if origin < table.start:
            raise ModelError(
                f"origin {origin:%Y-%m-%d} is before the table's start {table.start:%Y-%m-%d}."
            )
        extra = [trigger_frame(trigger, origin)] if trigger is not None else []
        if future_events is not None:
            extra.append(future_events)
        known = table.events[table.events["date"] <= origin]
        history = table.history
        history = history[history.index <= origin]
        days = pd.date_range(origin + pd.Timedelta(days=1), periods=n_days, freq="D", name="date")
        design = dataclasses.replace(table, events=known).design(
            days,
            extra_events=pd.concat(extra, ignore_index=True) if extra else None,
            history=history,
        )
        if covariate_path is not None:
            design = _apply_path(design, covariate_path)
        return design

    def exact_survival(
        self, design: pd.DataFrame, horizons: Sequence[int], elapsed_days: int
    ) -> list[float] | None:
        r"""Closed-form posterior mean of p for conjugate fits, None otherwise.

        With independent cell rates :math:`\lambda_c \sim \mathrm{Gamma}(a_c, b_c)` and
        :math:`n_c(H)` future days in cell *c*, :math:`E[e^{-\Lambda(H)}] = \prod_c
        (b_c / (b_c + n_c(H)))^{a_c}`; given *d* quiet days, :math:`p = 1 - E[e^{-\Lambda(H)}]
        / E[e^{-\Lambda(d)}]`.
        """
        gamma = getattr(self, "posterior_gamma_", None)
        if not gamma:
            return None
        X = design.to_numpy(dtype=float)
        if X.shape[1] and (not np.isin(X, (0.0, 1.0)).all() or (X.sum(axis=1) > 1).any()):
            return None  # an imposed covariate path left the disjoint cells
        cell = (X.argmax(axis=1) + 1) * (X.sum(axis=1) > 0) if X.shape[1] else np.zeros(len(X), int)
        shape, rate = np.asarray(gamma["shape"]), np.asarray(gamma["rate"])

        def survival(h: int) -> float:
            n_c = np.bincount(cell[:h], minlength=len(shape))
            return float(np.exp(np.sum(shape * (np.log(rate) - np.log(rate + n_c)))))

        base = survival(elapsed_days) if elapsed_days else 1.0
        return [1.0 - survival(h) / base for h in horizons]

    def simulate_paths(
        self,
        n: int,
        days: int,
        *,
        trigger_date: str | pd.Timestamp | None = None,
        random_seed: int | None = None,
        **kwargs: Any,
    ) -> pd.DataFrame:
        """Draw future event days from the posterior predictive.

        Each path takes one posterior draw and steps day by day; self-excitation covariates
        are updated as simulated events occur. Returns one row per simulated event day:
        ``path, day, date, events`` (``attrs["n_paths"]`` = n).
        """
        self._check_fitted()
        origin = self.table_.end if trigger_date is None else pd.Timestamp(trigger_date)
        design = self.future_design(origin, check_horizons(days)[0], **kwargs)
        lam0, beta = self._draws()
        return simulate_paths(
            self.table_, design, lam0, beta, n=n, origin=origin, random_seed=random_seed
        )


# ---------------------------------------------------------------------- helpers
def importance_record(
    found: ImportanceDraws, draws: int, fallback: str = DEFAULT_MCMC_SAMPLER
) -> dict[str, Any]:
    """Return what a ``laplace-is`` fit keeps of its weights, and the path it took.

    ``fallback``: the MCMC method the fit takes when k̂ > 0.7.
    """
    k, ess, s = found.pareto_k, found.ess, found.proposals
    k_text = f"{k:.2f}".replace("-0.00", "0.00")  # k̂ may be slightly negative
    if found.accepted:
        path = "laplace-is"
        reason = f"k̂ = {k_text} ≤ {KHAT_MAX}; weights' ESS {ess:.0f} of {s} proposals"
    else:
        path = fallback
        name = "Metropolis–Hastings" if fallback == "metropolis" else "NUTS"
        reason = (
            f"laplace-is fell back to {name}: k̂ = {k_text} > {KHAT_MAX}, the Laplace proposal "
            "is too far from the posterior"
        )
    return {
        "pareto_k": float(k),
        "ess": float(ess),
        "proposals": int(s),
        "draws": int(draws),
        "distinct": int(found.distinct),
        "path": path,
        "reason": reason,
    }


def pointwise_loglik(
    posterior: Mapping[str, np.ndarray], table: ExposureTable, names: Sequence[str]
) -> np.ndarray:
    """Poisson log-likelihood of each day under each draw, shape (chain, draw, day).

    The linear predictor is computed once per distinct covariate pattern and gathered per day.
    """
    y = table.data["events"].to_numpy(dtype=float)
    log_e = np.log(table.data["exposure"].to_numpy(dtype=float))
    log_lam0 = np.log(posterior["baseline_rate"])[..., None]
    if names:
        patterns, day_pattern = np.unique(
            table.data[list(names)].to_numpy(dtype=float), axis=0, return_inverse=True
        )
        eta_p = log_lam0 + np.einsum("cdk,mk->cdm", posterior["beta"], patterns)
    else:
        day_pattern = np.zeros(len(y), dtype=int)
        eta_p = log_lam0
    eta = eta_p[..., day_pattern.ravel()] + log_e
    return y * eta - np.exp(eta) - gammaln(y + 1.0)


def trigger_frame(trigger: Mapping[str, Any] | pd.DataFrame, origin: pd.Timestamp) -> pd.DataFrame:
    """Return a forecast's ``trigger=`` as event rows (``date`` defaults to the origin)."""
    frame = trigger.copy() if isinstance(trigger, pd.DataFrame) else pd.DataFrame([dict(trigger)])
    if "type" not in frame.columns:
        raise ModelError("trigger needs a 'type' (e.g. plenary_meeting).")
    if "date" not in frame.columns:
        frame["date"] = origin
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame["end_date"] = pd.to_datetime(frame.get("end_date", frame["date"])).astype(
        "datetime64[ns]"
    )
    if "tags" not in frame.columns:
        frame["tags"] = ""
    return frame


def _apply_path(design: pd.DataFrame, path: pd.DataFrame) -> pd.DataFrame:
    unknown = [c for c in path.columns if c not in design.columns]
    if unknown:
        raise ModelError(
            f"covariate_path: no covariate '{unknown[0]}'"
            f"{did_you_mean(unknown[0], design.columns)}; the model has "
            f"{', '.join(design.columns) or 'no covariates'}."
        )
    out = design.copy()
    if isinstance(path.index, pd.DatetimeIndex):
        rows = out.index.intersection(path.index)
        out.loc[rows, list(path.columns)] = path.loc[rows].to_numpy(dtype=float)
    else:
        positions = np.asarray(path.index, dtype=int) - 1
        if (positions < 0).any() or (positions >= len(out)).any():
            raise ModelError(f"covariate_path: day numbers must be 1 … {len(out)}.")
        cols = [list(out.columns).index(c) for c in path.columns]
        values = out.to_numpy(dtype=float, copy=True)
        values[np.ix_(positions, cols)] = path.to_numpy(dtype=float)
        out = pd.DataFrame(values, index=out.index, columns=out.columns)
    return out


def _prior_draws(
    a: float, b: float, mu: np.ndarray, sd: np.ndarray, draws: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    return {
        "baseline_rate": rng.gamma(a, 1.0 / b, size=(1, draws)),
        "beta": rng.normal(mu, sd, size=(1, draws, len(mu))),
    }


def _check_exact_design(X: np.ndarray, names: Sequence[str]) -> None:
    """Refuse a design the exact conjugate draw cannot take: not disjoint 0/1 indicators."""
    if X.shape[1] and (not np.isin(X, (0.0, 1.0)).all() or (X.sum(axis=1) > 1).any()):
        raise ModelError(
            "sampler='exact' needs no covariates or only disjoint 0/1 indicators (each day "
            f"in at most one of {', '.join(names)}); use an MCMC sampler for this design."
        )


def _exact(
    X: np.ndarray,
    y: np.ndarray,
    exposure: np.ndarray,
    a: float,
    b: float,
    names: Sequence[str],
    draws: int,
    chains: int,
    rng: np.random.Generator,
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], dict[str, list[float]]]:
    """Draw cell rates from their Gamma posteriors; also return the posteriors' parameters."""
    k = X.shape[1]
    _check_exact_design(X, names)
    cell = X.argmax(axis=1) + 1 if k else np.zeros(len(y), dtype=int)
    cell[X.sum(axis=1) == 0] = 0
    d = np.bincount(cell, weights=y, minlength=k + 1)
    e = np.bincount(cell, weights=exposure, minlength=k + 1)
    post_rates = rng.gamma(a + d, 1.0 / (b + e), size=(chains, draws, k + 1))
    prior_rates = rng.gamma(a, 1.0 / b, size=(1, draws, k + 1))
    posterior = {
        "baseline_rate": post_rates[..., 0],
        "beta": np.log(post_rates[..., 1:] / post_rates[..., :1]),
    }
    prior = {
        "baseline_rate": prior_rates[..., 0],
        "beta": np.log(prior_rates[..., 1:] / prior_rates[..., :1]),
    }
    gamma = {"shape": (a + d).tolist(), "rate": (b + e).tolist()}
    return posterior, prior, gamma
