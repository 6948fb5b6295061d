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
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import tempfile
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import gammaln

from followon._version import __version__
from followon.errors import (
    ConvergenceWarning,
    DifferentDataError,
    DifferentModelError,
    ModelError,
    did_you_mean,
)
from followon.exposure.table import ExposureTable
from followon.forecasting.probability import (
    check_horizons,
    delay_summary,
    horizon_probabilities,
)
from followon.hazard.glm import laplace_draws, poisson_mode

__all__ = ["SAMPLERS", "PiecewiseHazard"]

SAMPLERS = ("auto", "exact", "laplace", "pymc", "nutpie", "numpyro")
DEFAULT_MCMC_SAMPLER = "numpyro"
"""The backend ``sampler="auto"`` uses when MCMC is needed: numpyro (JAX) compiles a model in
about 5 s on a fresh machine where PyMC's C backend and nutpie's numba take about 50 s
(docs/samplers.md has the measurements)."""

RHAT_MAX = 1.01
ESS_MIN = 400


def _draws_array(posterior: xr.Dataset, name: str) -> np.ndarray:
    """Stack chain and draw into one leading axis."""
    values = posterior[name].values
    return values.reshape(-1, *values.shape[2:])


class PiecewiseHazard:
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
    sampler : {"auto", "exact", "laplace", "pymc", "nutpie", "numpyro"}
        ``auto`` (default): the exact conjugate draw when there are no covariates, else
        :data:`DEFAULT_MCMC_SAMPLER`. ``exact`` also covers disjoint 0/1 indicators.
        ``laplace``: independent draws from the Gaussian approximation at the posterior mode
        (milliseconds; for backtests with hundreds of refits — see the module docstring).
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
        ``exact`` or the MCMC backend used.
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

    # ------------------------------------------------------------------ parameters
    def get_params(self) -> dict[str, Any]:
        """Return the constructor parameters (JSON-able)."""
        return {
            "baseline_shape": self.baseline_shape,
            "baseline_mean": self.baseline_mean,
            "beta_sd": self.beta_sd,
            "beta_priors": {k: list(v) for k, v in (self.beta_priors or {}).items()},
            "sampler": self.sampler,
            "target_accept": self.target_accept,
            "log_likelihood": self.log_likelihood,
        }

    def _check_params(self, names: Sequence[str]) -> None:
        if self.sampler not in SAMPLERS:
            raise ModelError(
                f"sampler '{self.sampler}'{did_you_mean(self.sampler, SAMPLERS)} is not one of "
                f"{', '.join(SAMPLERS)}."
            )
        if not self.baseline_shape > 0 or not self.beta_sd > 0:
            raise ModelError("baseline_shape and beta_sd must be > 0.")
        if self.baseline_mean is not None and not self.baseline_mean > 0:
            raise ModelError("baseline_mean must be > 0.")
        for key, value in (self.beta_priors or {}).items():
            if key not in names:
                raise ModelError(
                    f"beta_priors: no covariate '{key}'{did_you_mean(key, names)}; the table "
                    f"has {', '.join(names) or 'no covariates'}."
                )
            if len(value) != 2 or not value[1] > 0:
                raise ModelError(f"beta_priors['{key}'] must be (mean, sd) with sd > 0.")

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

    # ------------------------------------------------------------------ fitting
    def fit(
        self,
        table: ExposureTable,
        *,
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        random_seed: int | None = None,
        progressbar: bool = True,
    ) -> PiecewiseHazard:
        """Fit to an exposure table; return ``self``.

        Parameters
        ----------
        table : ExposureTable
            From :func:`followon.build_exposure`.
        draws, tune, chains : int
            Posterior draws per chain, tuning steps, chains (exact path: ``draws × chains``
            independent draws).
        random_seed : int, optional
        progressbar : bool

        Raises
        ------
        ModelError
            Bad parameters, or ``sampler="exact"`` with covariates that are not disjoint 0/1
            indicators.

        Warns
        -----
        ConvergenceWarning
            R-hat > 1.01, bulk ESS < 400 or any divergence, naming the parameters.
        """
        check_fit_args(table, draws=draws, tune=tune, chains=chains)
        names = table.covariate_names
        self._check_params(names)
        collapsed = table.collapsed()
        y = collapsed["events"].to_numpy(dtype=float)
        exposure = collapsed["exposure"].to_numpy(dtype=float)
        X = collapsed[names].to_numpy(dtype=float) if names else np.zeros((len(y), 0))
        # with no event yet (a leave-future-out training window) centre on half an event
        rate = max(y.sum(), 0.5) / exposure.sum()
        a, b, mu, sd = self._priors(names, rate)
        method = self.sampler
        if method == "auto":
            method = "exact" if not names else DEFAULT_MCMC_SAMPLER
        rng = np.random.default_rng(random_seed)
        sample_stats: dict[str, np.ndarray] = {}
        self.posterior_gamma_: dict[str, list[float]] | None = None
        if method == "exact":
            posterior, prior, self.posterior_gamma_ = _exact(
                X, y, exposure, a, b, names, draws, chains, rng
            )
        elif method == "laplace":
            mode = poisson_mode(X, y, exposure, a=a, b=b, mu=mu, sd=sd)
            lam0, beta = laplace_draws(mode, draws * chains, rng)
            posterior = {
                "baseline_rate": lam0.reshape(chains, draws),
                "beta": beta.reshape(chains, draws, len(names)),
            }
            prior = _prior_draws(a, b, mu, sd, draws, rng)
        else:
            posterior, sample_stats = _run_sampler(
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
                cache=self.__dict__,
            )
            prior = _prior_draws(a, b, mu, sd, draws, rng)
        self.table_ = table
        self.method_ = method
        self.prior_: dict[str, Any] = {
            "baseline_shape": a,
            "baseline_rate_param": b,
            "beta_mean": mu,
            "beta_sd": sd,
        }
        self.idata_ = self._assemble(posterior, prior, sample_stats, names)
        self.diagnostics_ = self._diagnose(names)
        return self

    def _assemble(
        self,
        posterior: dict[str, np.ndarray],
        prior: dict[str, np.ndarray],
        sample_stats: dict[str, np.ndarray],
        names: Sequence[str],
        *,
        dims: Mapping[str, list[str]] | None = None,
        coords: Mapping[str, Any] | None = None,
        attrs: Mapping[str, Any] | None = None,
    ) -> xr.DataTree:
        """Return the fit as a DataTree.

        Subclasses pass extra ``dims``, ``coords`` and ``attrs`` and override
        :meth:`_pointwise_loglik`.
        """
        import arviz as az

        table = self.table_
        groups: dict[str, dict[str, np.ndarray]] = {"posterior": posterior, "prior": prior}
        if sample_stats:
            groups["sample_stats"] = sample_stats
        groups["observed_data"] = {"events": table.data["events"].to_numpy()}
        if self.log_likelihood:
            groups["log_likelihood"] = {"events": self._pointwise_loglik(posterior, names)}
        all_dims = {"beta": ["covariate"], "events": ["day"], **(dims or {})}
        all_coords = {
            "covariate": list(names),
            "day": table.data["date"].to_numpy(),
            **(coords or {}),
        }
        if not names:
            for g in ("posterior", "prior"):
                groups[g] = {k: v for k, v in groups[g].items() if k != "beta"}
        idata = az.from_dict(groups, dims=all_dims, coords=all_coords)
        idata.attrs.update(
            {
                "followon_version": __version__,
                "model_class": type(self).__name__,
                "method": self.method_,
                "outcome": table.outcome.id,
                **(attrs or {}),
            }
        )
        return idata

    def _pointwise_loglik(
        self, posterior: Mapping[str, np.ndarray], names: Sequence[str]
    ) -> np.ndarray:
        """Log-likelihood of each day under each draw, shape (chain, draw, day)."""
        return _pointwise_loglik(posterior, self.table_, names)

    def _diagnose(self, names: Sequence[str]) -> pd.DataFrame:
        if self.method_ in ("exact", "laplace"):
            diag = pd.DataFrame(columns=["r_hat", "ess_bulk", "ess_tail"], dtype=float)
            diag.attrs["divergences"] = 0
            diag.attrs["note"] = (
                "exact conjugate draws: independent, no MCMC diagnostics"
                if self.method_ == "exact"
                else "independent draws from the Laplace approximation, no MCMC diagnostics"
            )
            return diag
        import arviz as az

        summary = az.summary(self.idata_, kind="diagnostics", round_to="none")
        diag = summary[["r_hat", "ess_bulk", "ess_tail"]].astype(float)
        divergences = 0
        if "sample_stats" in self.idata_.children and "diverging" in self.idata_["sample_stats"]:
            divergences = int(np.asarray(self.idata_["sample_stats"]["diverging"]).sum())
        diag.attrs["divergences"] = divergences
        bad_rhat = diag.index[diag["r_hat"] > RHAT_MAX].tolist()
        bad_ess = diag.index[diag["ess_bulk"] < ESS_MIN].tolist()
        problems = []
        if bad_rhat:
            problems.append(f"R-hat > {RHAT_MAX} for {', '.join(bad_rhat)}")
        if bad_ess:
            problems.append(f"bulk ESS < {ESS_MIN} for {', '.join(bad_ess)}")
        if divergences:
            problems.append(f"{divergences} divergent transitions")
        if problems:
            warnings.warn(
                f"{type(self).__name__} ({self.table_.outcome.id}): {'; '.join(problems)}. "
                "Run more draws/tune or reparametrise before trusting the results.",
                ConvergenceWarning,
                stacklevel=3,
            )
        return diag

    # ------------------------------------------------------------------ results
    def _check_fitted(self) -> None:
        if not hasattr(self, "idata_"):
            raise ModelError(
                f"this {type(self).__name__} is not fitted yet; call fit(table) first."
            )

    def _draws(self, group: str = "posterior") -> tuple[np.ndarray, np.ndarray]:
        if group not in ("posterior", "prior"):
            raise ModelError(f"group must be 'posterior' or 'prior', not '{group}'.")
        post = self.idata_[group].dataset
        lam0 = _draws_array(post, "baseline_rate")
        names = self.table_.covariate_names
        beta = _draws_array(post, "beta") if names else np.zeros((len(lam0), 0))
        return lam0, beta

    def summary(self, ci_prob: float = 0.9) -> pd.DataFrame:
        """Baseline rate and hazard ratios with equal-tailed intervals.

        Returns
        -------
        pandas.DataFrame
            Index ``parameter`` (``baseline_rate`` per day, then each covariate); columns
            ``kind, mean, median, low, high, p_gt_1`` (P(HR > 1)) and, for MCMC fits,
            ``r_hat, ess_bulk``.
        """
        self._check_fitted()
        if not 0 < ci_prob < 1:
            raise ModelError(f"ci_prob must be between 0 and 1, not {ci_prob}.")
        lo, hi = (1 - ci_prob) / 2, 1 - (1 - ci_prob) / 2
        lam0, beta = self._draws()
        rows = [("baseline_rate", "rate_per_day", lam0)]
        rows += [
            (n, "hazard_ratio", np.exp(beta[:, j]))
            for j, n in enumerate(self.table_.covariate_names)
        ]
        out = pd.DataFrame(
            [
                {
                    "parameter": name,
                    "kind": kind,
                    "mean": v.mean(),
                    "median": np.median(v),
                    "low": np.quantile(v, lo),
                    "high": np.quantile(v, hi),
                    "p_gt_1": (v > 1).mean() if kind == "hazard_ratio" else np.nan,
                }
                for name, kind, v in rows
            ]
        ).set_index("parameter")
        if len(self.diagnostics_):
            diag = self.diagnostics_.rename(
                index=lambda s: (
                    s.removeprefix("beta[").removesuffix("]") if s.startswith("beta[") else s
                )
            )
            out["r_hat"] = diag["r_hat"].reindex(out.index)
            out["ess_bulk"] = diag["ess_bulk"].reindex(out.index)
        out.attrs["ci_prob"] = ci_prob
        return out

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
        extra = [_trigger_frame(trigger, origin)] if trigger is not None else []
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

    def _cumhaz(
        self, origin: pd.Timestamp | None, n_days: int, group: str = "posterior", **kwargs: Any
    ) -> np.ndarray:
        origin = self.table_.end if origin is None else pd.Timestamp(origin)
        if origin > self.table_.end + pd.Timedelta(days=1):
            warnings.warn(
                f"origin {origin:%Y-%m-%d} is after the last observed day "
                f"{self.table_.end:%Y-%m-%d}: events in between are unknown, and "
                "self-excitation decays from the last observed event.",
                UserWarning,
                stacklevel=3,
            )
        design = self.future_design(origin, n_days, **kwargs)
        self._last_design = design
        return np.cumsum(self.hazard(design, group=group), axis=1)

    def _exact_p_mean(
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

    def forecast(
        self,
        trigger_date: str | pd.Timestamp | None = None,
        horizons_days: Sequence[int] | int = (30, 60, 90),
        *,
        trigger: Mapping[str, Any] | pd.DataFrame | None = None,
        future_events: pd.DataFrame | None = None,
        covariate_path: pd.DataFrame | None = None,
        elapsed_days: int = 0,
        ci_prob: float = 0.9,
        group: str = "posterior",
    ) -> pd.DataFrame:
        """P(≥ 1 outcome event in (t0, t0 + H]) for each horizon H, with an interval.

        Parameters
        ----------
        trigger_date : date-like, optional
            The origin t0 (default: the last day of the fitted table).
        horizons_days : int or sequence of int
        trigger : mapping or DataFrame, optional
            A trigger event not in the history (e.g. ``{"type": "plenary_meeting",
            "end_date": "2024-07-01", "tags": "military"}``; ``date`` defaults to t0).
        future_events : DataFrame, optional
            Known future events such as a planned exercise span.
        covariate_path : DataFrame, optional
            Covariate values to impose on future days.
        elapsed_days : int
            Live update: days already passed since t0 without an event.
        ci_prob : float
        group : {"posterior", "prior"}
            ``prior``: what the priors alone say (a prior-predictive check).

        Returns
        -------
        pandas.DataFrame
            ``outcome, horizon_days, p_mean, p_low, p_high, p_median, origin_date,
            elapsed_days``.
        """
        horizons = check_horizons(horizons_days)
        cumhaz = self._cumhaz(
            None if trigger_date is None else pd.Timestamp(trigger_date),
            max(horizons),
            trigger=trigger,
            future_events=future_events,
            covariate_path=covariate_path,
            group=group,
        )
        out = horizon_probabilities(cumhaz, horizons, ci_prob=ci_prob, elapsed_days=elapsed_days)
        exact = self._exact_p_mean(self._last_design, out["horizon_days"].tolist(), elapsed_days)
        if exact is not None and group == "posterior":
            out["p_mean"] = exact
        origin = self.table_.end if trigger_date is None else pd.Timestamp(trigger_date)
        out.insert(0, "outcome", self.table_.outcome.id)
        out["origin_date"] = origin
        out["elapsed_days"] = elapsed_days
        out.attrs["ci_prob"] = ci_prob
        return out[
            [
                "outcome",
                "horizon_days",
                "p_mean",
                "p_low",
                "p_high",
                "p_median",
                "origin_date",
                "elapsed_days",
            ]
        ]

    def forecast_curve(
        self, trigger_date: str | pd.Timestamp | None = None, max_days: int = 365, **kwargs: Any
    ) -> pd.DataFrame:
        """:meth:`forecast` for every horizon 1 … ``max_days``."""
        return self.forecast(
            trigger_date, list(range(1, check_horizons(max_days)[0] + 1)), **kwargs
        )

    def median_delay(
        self,
        trigger_date: str | pd.Timestamp | None = None,
        max_days: int = 365,
        *,
        ci_prob: float = 0.9,
        **kwargs: Any,
    ) -> dict[str, float]:
        """Posterior of the day by which P(event) reaches 1/2 (``inf`` beyond ``max_days``)."""
        cumhaz = self._cumhaz(
            None if trigger_date is None else pd.Timestamp(trigger_date),
            check_horizons(max_days)[0],
            **kwargs,
        )
        return delay_summary(cumhaz, ci_prob=ci_prob)

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
        from followon.forecasting.simulate import simulate_paths

        self._check_fitted()
        origin = self.table_.end if trigger_date is None else pd.Timestamp(trigger_date)
        design = self.future_design(origin, check_horizons(days)[0], **kwargs)
        lam0, beta = self._draws()
        return simulate_paths(
            self.table_, design, lam0, beta, n=n, origin=origin, random_seed=random_seed
        )

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path, *, include_log_likelihood: bool = False) -> Path:
        """Write the fit to netCDF (atomically): the DataTree plus identity attributes.

        ``attrs``: followon version, model class, parameters (JSON), method, the exposure
        table's sha256 and definition. The pointwise log-likelihood is left out unless asked
        (it is one value per day and draw).
        """
        self._check_fitted()
        path = Path(path)
        tree = self.idata_.copy()
        if not include_log_likelihood and "log_likelihood" in tree.children:
            tree = tree.drop_nodes("log_likelihood")
        tree.attrs.update(
            {
                "followon_version": __version__,
                "model_class": type(self).__name__,
                "params": json.dumps(self.get_params()),
                "method": self.method_,
                "table_sha256": self.table_.sha256(),
                "table_spec": json.dumps(self.table_.spec()),
                "posterior_gamma": json.dumps(getattr(self, "posterior_gamma_", None)),
            }
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".nc.tmp")
        os.close(fd)
        try:
            tree.to_netcdf(tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return path

    @classmethod
    def load(cls, path: str | Path, table: ExposureTable) -> PiecewiseHazard:
        """Load a fit saved by :meth:`save`, checking it belongs to this class and table.

        Raises
        ------
        DifferentModelError
            The file holds a fit of another model class.
        DifferentDataError
            ``table`` is not the exposure table the fit was made on.
        """
        tree, params = open_fit(cls, path, table)
        attrs = tree.attrs
        params["beta_priors"] = {k: tuple(v) for k, v in params["beta_priors"].items()} or None
        model = cls(**params)
        model.idata_ = tree
        model.table_ = table
        model.method_ = str(attrs["method"])
        model.posterior_gamma_ = json.loads(attrs.get("posterior_gamma", "null"))
        model.diagnostics_ = model._diagnose(table.covariate_names)
        return model


# ---------------------------------------------------------------------- helpers
def check_fit_args(table: object, *, draws: int = 1, tune: int = 0, chains: int = 1) -> None:
    """Refuse what no model can fit: not an ExposureTable, or no draws or chains."""
    if not isinstance(table, ExposureTable):
        raise ModelError(
            f"fit expects an ExposureTable (fo.build_exposure), not {type(table).__name__}."
        )
    if draws < 1 or chains < 1 or tune < 0:
        raise ModelError("draws and chains must be ≥ 1 and tune ≥ 0.")


def open_fit(
    cls: type, path: str | Path, table: ExposureTable
) -> tuple[xr.DataTree, dict[str, Any]]:
    """Read a saved fit; check it is a ``cls`` fit of ``table``; return it and its parameters.

    Raises
    ------
    DifferentModelError
        The file holds a fit of another model class.
    DifferentDataError
        ``table`` is not the exposure table the fit was made on.
    """
    with xr.open_datatree(path) as opened:
        tree = opened.load()
    attrs = tree.attrs
    if attrs.get("model_class") != cls.__name__:
        raise DifferentModelError(
            f"{path}: holds a {attrs.get('model_class', 'non-followon')} fit, not a "
            f"{cls.__name__}; load it with that class."
        )
    if attrs.get("table_sha256") != table.sha256():
        raise DifferentDataError(
            f"{path}: was fitted to exposure table {str(attrs.get('table_sha256'))[:12]}…, "
            f"not this one ({table.sha256()[:12]}…): the events, window or covariates "
            "differ. Refit, or rebuild the table the fit was made on "
            f"({attrs.get('table_spec')})."
        )
    return tree, json.loads(attrs["params"])


def _pointwise_loglik(
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


def _trigger_frame(trigger: Mapping[str, Any] | pd.DataFrame, origin: pd.Timestamp) -> pd.DataFrame:
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
    if k:
        binary = np.isin(X, (0.0, 1.0)).all()
        if not binary or (X.sum(axis=1) > 1).any():
            raise ModelError(
                "sampler='exact' needs no covariates or only disjoint 0/1 indicators (each day "
                f"in at most one of {', '.join(names)}); use an MCMC sampler for this design."
            )
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


def _enable_jax_cache() -> None:
    """Turn on JAX's persistent compilation cache unless the user configured or refused one.

    JAX keeps compiled programs only in memory by default, so every new process recompiles
    the sampler (≈ 3 s here); with the cache a warm process fits in about half the time
    (docs/samplers.md). The cache lives in ``$XDG_CACHE_HOME/followon/jax`` (or
    ``~/.cache/followon/jax``); ``FOLLOWON_JAX_CACHE=0`` opts out.
    """
    import jax

    if os.environ.get("FOLLOWON_JAX_CACHE", "1") == "0":
        return
    if jax.config.jax_compilation_cache_dir or os.environ.get("JAX_COMPILATION_CACHE_DIR"):
        return
    root = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    jax.config.update("jax_compilation_cache_dir", os.path.join(root, "followon", "jax"))
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.0)


def _run_sampler(
    X: np.ndarray,
    y: np.ndarray,
    exposure: np.ndarray,
    a: float,
    b: float,
    mu: np.ndarray,
    sd: np.ndarray,
    names: Sequence[str],
    *,
    method: str,
    draws: int,
    tune: int,
    chains: int,
    random_seed: int | None,
    progressbar: bool,
    target_accept: float,
    cache: dict[str, Any],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Sample the Poisson GLM with PyMC; the compiled model is reused across refits."""
    import pymc as pm

    if method == "numpyro":
        _enable_jax_cache()
    key = (tuple(names), float(a), tuple(mu), tuple(sd))  # b follows the data: set, not rebuilt
    model = cache.get("_pm_model") if cache.get("_pm_key") == key else None
    rows = np.arange(len(y))
    if model is None:
        coords = {"covariate": list(names), "row": rows}
        with pm.Model(coords=coords) as model:
            log_e = pm.Data("log_exposure", np.log(exposure), dims="row")
            yd = pm.Data("y", y, dims="row")
            b_data = pm.Data("baseline_prior_rate", float(b))
            lam0 = pm.Gamma("baseline_rate", alpha=a, beta=b_data)
            eta = pm.math.log(lam0) + log_e
            if len(names):
                Xd = pm.Data("X", X, dims=("row", "covariate"))
                beta = pm.Normal("beta", mu=mu, sigma=sd, dims="covariate")
                eta = eta + pm.math.dot(Xd, beta)
            pm.Poisson("events", mu=pm.math.exp(eta), observed=yd, dims="row")
        cache["_pm_model"], cache["_pm_key"] = model, key
    else:
        with model:
            new = {"log_exposure": np.log(exposure), "y": y, "baseline_prior_rate": float(b)}
            if len(names):
                new["X"] = X
            pm.set_data(new, coords={"row": rows})
    kwargs: dict[str, Any] = {"target_accept": target_accept}
    logger = logging.getLogger("pymc")
    level = logger.level
    if not progressbar:
        logger.setLevel(logging.WARNING)  # no "NUTS[numpyro]: [...]" lines when asked to be quiet
    try:
        with model:
            idata = pm.sample(
                draws=draws,
                tune=tune,
                chains=chains,
                random_seed=random_seed,
                progressbar=progressbar,
                nuts_sampler=method,
                compute_convergence_checks=False,
                **kwargs,
            )
    finally:
        logger.setLevel(level)
    post = idata["posterior"].dataset
    posterior = {"baseline_rate": post["baseline_rate"].values}
    posterior["beta"] = post["beta"].values if len(names) else np.zeros((chains, draws, 0))
    stats = {}
    if "sample_stats" in idata.children and "diverging" in idata["sample_stats"]:
        stats["diverging"] = np.asarray(idata["sample_stats"]["diverging"].values, dtype=bool)
    return posterior, stats
