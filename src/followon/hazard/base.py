r"""The one contract every hazard model implements: :class:`HazardModel`.

A model is a Bayesian model of the daily outcome hazard fitted to one
:class:`~followon.exposure.ExposureTable`. The base class writes once what every model does
(parameters, the ``fit`` template, the DataTree, the convergence gate, ``summary``,
``save``/``load``, forecasts); a model writes only its maths:

=============================  ===================================================================
hook                           what the model writes
=============================  ===================================================================
``check_params()``             refuse bad constructor values (``ModelError``), no table needed
``validate(table)``            refuse a table the model cannot fit (``ModelError``)
``resolve_sampler(table)``     the method ``sampler="auto"`` means for this table
``_sample_posterior(...)``     posterior (and prior) draws; may set its own fitted attributes
``_summary_quantities()``      ``(parameter, kind, draws)`` rows for :meth:`summary`
``future_design(origin, n)``   the covariates of the days after ``origin``
``hazard(design)``             draws × rows of the daily hazard
``cumulative_hazard(design)``  optional: default ``cumsum(hazard)``
``exact_survival(...)``        optional closed form of the forecast's posterior mean
=============================  ===================================================================

Class attributes tell the rest of the house what a model can do, so no code outside the model
tests its name: ``name`` (the registry key, :data:`followon.MODELS`), ``samplers`` (accepted
``sampler`` values, ``"auto"`` first), ``options`` (model-specific constructor settings a
scenario may set), ``accepts_priors`` (the baseline/β prior keys), ``daily_likelihood`` (False:
left out of LFO/PSIS-LOO), ``min_trigger_windows``, ``fits_own_excitation`` and
``takes_covariates`` (structure the scenario schema checks), ``fast_sampler`` (the
backtest's fast path) and ``savage_dickey`` (Bayes factors by the Savage–Dickey ratio).
"""

from __future__ import annotations

import inspect
import json
import os
import tempfile
import warnings
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Self

import numpy as np
import pandas as pd
import xarray as xr

from followon._version import __version__
from followon.errors import (
    ConvergenceWarning,
    FollowonError,
    ModelError,
    did_you_mean,
)
from followon.exposure.table import ExposureTable
from followon.hazard.display import model_html, model_repr
from followon.hazard.fitfile import damaged_fit, one_line, open_fit
from followon.hazard.probability import (
    check_horizons,
    delay_summary,
    horizon_probabilities,
    interval_bounds,
)

__all__ = [
    "ESS_MIN",
    "FORECAST_COLUMNS",
    "RHAT_MAX",
    "HazardModel",
    "PosteriorSample",
    "Sampling",
    "check_fit_args",
    "convergence_gate",
    "draws_array",
    "open_fit",
    "summarise_draws",
]

RHAT_MAX = 1.01
ESS_MIN = 400

FORECAST_COLUMNS = [
    "outcome",
    "horizon_days",
    "p_mean",
    "p_low",
    "p_high",
    "p_median",
    "origin_date",
    "elapsed_days",
]
"""Columns of every model's :meth:`HazardModel.forecast` (one constant, read by tests too)."""


def draws_array(posterior: xr.Dataset, name: str) -> np.ndarray:
    """Stack chain and draw of variable ``name`` into one leading axis."""
    values = posterior[name].values
    return values.reshape(-1, *values.shape[2:])


def check_fit_args(table: object, *, draws: int = 1, tune: int = 0, chains: int = 1) -> None:
    """Refuse what no model can fit: not an ExposureTable, or no draws or chains."""
    if not isinstance(table, ExposureTable):
        raise ModelError(
            f"fit expects an ExposureTable (fo.build_exposure), not {type(table).__name__}."
        )
    if draws < 1 or chains < 1 or tune < 0:
        raise ModelError("draws and chains must be ≥ 1 and tune ≥ 0.")


def convergence_gate(idata: xr.DataTree, who: str) -> pd.DataFrame:
    """R-hat, bulk and tail ESS per parameter of an MCMC fit; warn past the gates.

    Warns with a :class:`~followon.errors.ConvergenceWarning` naming ``who`` and the
    parameters when R-hat > :data:`RHAT_MAX`, bulk ESS < :data:`ESS_MIN` or any transition
    diverged; ``attrs["divergences"]`` counts those.
    """
    from arviz_stats import summary as az_summary  # not arviz: it imports arviz_plots

    summary = az_summary(idata, kind="diagnostics", round_to="none")
    diag = summary[["r_hat", "ess_bulk", "ess_tail"]].astype(float)
    divergences = 0
    if "sample_stats" in idata.children and "diverging" in idata["sample_stats"]:
        divergences = int(np.asarray(idata["sample_stats"]["diverging"]).sum())
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
            f"{who}: {'; '.join(problems)}. Run more draws/tune or reparametrise before "
            "trusting the results.",
            ConvergenceWarning,
            stacklevel=5,
        )
    return diag


def summarise_draws(values: np.ndarray, ci_prob: float) -> dict[str, float]:
    """Mean, median and the equal-tailed ``ci_prob`` interval (``low``, ``high``) of draws."""
    lo, hi = interval_bounds(ci_prob)
    return {
        "mean": float(values.mean()),
        "median": float(np.median(values)),
        "low": float(np.quantile(values, lo)),
        "high": float(np.quantile(values, hi)),
    }


def _jsonable(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


@dataclass(frozen=True)
class Sampling:
    """How ``fit`` asked for draws: what a model's ``_sample_posterior`` receives."""

    method: str
    draws: int
    tune: int
    chains: int
    rng: np.random.Generator
    random_seed: int | None
    progressbar: bool


@dataclass
class PosteriorSample:
    """What a model's ``_sample_posterior`` returns to the ``fit`` template.

    ``posterior`` and ``prior`` map variable names to arrays shaped (chain, draw, ...) and
    (1, draw, ...); ``prior`` None asks the template for :meth:`HazardModel.sample_prior`.
    ``method``: the method that made the draws when it is not the one asked for (a path that
    fell back to MCMC); it becomes ``method_``.
    """

    posterior: dict[str, np.ndarray]
    prior: dict[str, np.ndarray] | None = None
    sample_stats: dict[str, np.ndarray] = field(default_factory=dict)
    method: str | None = None


class HazardModel(ABC):
    """A Bayesian model of the daily outcome hazard, fitted to one exposure table.

    Subclasses store their constructor's keyword arguments as attributes of the same name
    (scikit-learn's estimator rule: ``__init__`` validates nothing and computes nothing) and
    write the hooks listed in the module docstring. Fitted attributes end in ``_`` and are set
    only by :meth:`fit` and :meth:`load`: ``idata_``, ``table_``, ``method_``, ``prior_``,
    ``diagnostics_``.
    """

    name: ClassVar[str]
    samplers: ClassVar[tuple[str, ...]] = ("auto",)
    options: ClassVar[tuple[str, ...]] = ()
    accepts_priors: ClassVar[bool] = True
    daily_likelihood: ClassVar[bool] = True
    min_trigger_windows: ClassVar[int] = 0
    fits_own_excitation: ClassVar[bool] = False
    takes_covariates: ClassVar[bool] = True
    """False for models that read only the trigger (a scenario's ``background`` is refused)."""
    savage_dickey: ClassVar[bool] = False
    multi_outcome: ClassVar[bool] = False
    """Several outcomes can be fitted at once under this model's covariates and priors (a
    scenario's ``joint`` section): see :func:`followon.hazard.registry.multi_outcome_model`."""
    mcmc_methods: ClassVar[tuple[str, ...]] = ()
    """Methods whose draws are MCMC chains: these go through the convergence gate."""

    log_likelihood: bool = True

    # ------------------------------------------------------------------ parameters
    @classmethod
    def get_param_names(cls) -> list[str]:
        """Names of the constructor's keyword parameters, in signature order."""
        sig = inspect.signature(cls.__init__)
        return [
            p.name
            for p in sig.parameters.values()
            if p.name != "self" and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]

    def get_params(self) -> dict[str, Any]:
        """Return the constructor parameters (JSON-able: tuples become lists)."""
        return {n: _jsonable(getattr(self, n)) for n in self.get_param_names()}

    def set_params(self, **params: Any) -> Self:
        """Set constructor parameters by name; return ``self``.

        Raises
        ------
        ModelError
            For a name the constructor does not take (with a "did you mean").
        """
        names = self.get_param_names()
        for key, value in params.items():
            if key not in names:
                raise ModelError(
                    f"{type(self).__name__} has no parameter '{key}'{did_you_mean(key, names)}; "
                    f"its parameters: {', '.join(names)}."
                )
            setattr(self, key, value)
        return self

    @classmethod
    def _params_from_json(cls, params: dict[str, Any]) -> dict[str, Any]:
        """Turn saved (JSON) parameters back into constructor arguments."""
        return params

    def __repr__(self) -> str:
        """Class and changed parameters; when fitted, a second line: data, method, convergence."""
        return model_repr(self)

    def _repr_html_(self) -> str:
        """Return a small HTML card for notebooks (:mod:`followon.hazard.display`)."""
        return model_html(self)

    def check_params(self) -> None:
        """Refuse bad constructor values with a :class:`ModelError` (no table needed)."""
        if self.sampler not in self.samplers:  # type: ignore[attr-defined]
            sampler = str(self.sampler)  # type: ignore[attr-defined]
            raise ModelError(
                f"sampler '{sampler}'{did_you_mean(sampler, self.samplers)} is not one of "
                f"{', '.join(self.samplers)} (the {self.name} model)."
            )

    def validate(self, table: ExposureTable) -> None:
        """Refuse a table this model cannot fit (:class:`ModelError`); default: none."""
        return None

    def resolve_sampler(self, table: ExposureTable) -> str:
        """Return the method ``fit`` uses on ``table`` (what ``sampler="auto"`` means)."""
        return str(self.sampler)  # type: ignore[attr-defined]

    @classmethod
    def fast_sampler(cls, table: ExposureTable, requested: str = "auto") -> str | None:
        """Return the sampler backtests use with ``inference="fast"`` (None: the model's own)."""
        return None

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
    ) -> Self:
        """Fit to an exposure table; return ``self``.

        Parameters
        ----------
        table : ExposureTable
            From :func:`followon.build_exposure`.
        draws, tune, chains : int
            Posterior draws per chain, tuning steps, chains (independent-draw paths: ``draws ×
            chains`` draws stored as ``chains`` chains; ``tune`` unused there).
        random_seed : int, optional
        progressbar : bool

        Raises
        ------
        ModelError
            Bad parameters, or a table the model cannot fit.

        Warns
        -----
        ConvergenceWarning
            MCMC fits: R-hat > 1.01, bulk ESS < 400 or any divergence, naming the parameters.
        """
        check_fit_args(table, draws=draws, tune=tune, chains=chains)
        self.check_params()
        self.validate(table)
        method = self.resolve_sampler(table)
        rng = np.random.default_rng(random_seed)
        run = Sampling(method, draws, tune, chains, rng, random_seed, progressbar)
        sample = self._sample_posterior(table, run)
        prior = sample.prior if sample.prior is not None else self.sample_prior(draws, rng)
        self.table_ = table
        self.method_ = sample.method or method
        self.idata_ = self._assemble(sample.posterior, prior, sample.sample_stats)
        self.diagnostics_ = self._diagnose()
        return self

    @abstractmethod
    def _sample_posterior(self, table: ExposureTable, run: Sampling) -> PosteriorSample:
        """Draw from the posterior on ``table`` (set ``self.prior_`` and model attributes)."""

    def prior(self, table: ExposureTable) -> dict[str, Any]:
        """Return the prior's constants on ``table`` (what ``fit`` stores as ``prior_``)."""
        raise ModelError(f"{type(self).__name__} has no public prior (no prior(table)).")

    def sample_prior(
        self, draws: int, rng: np.random.Generator, prior: Mapping[str, Any] | None = None
    ) -> dict[str, np.ndarray]:
        """Draws (1, draws, ...) of the posterior's variables from the prior.

        ``prior`` defaults to the one the last fit used (``prior_``).
        """
        raise ModelError(f"{type(self).__name__} has no prior sampler.")

    def fix_prior(self, prior: Mapping[str, Any] | None) -> Self:
        """Fit every later table with this prior instead of one centred on that table.

        Simulation-based calibration needs the prior of the truth to stay put while the data
        move; ``None`` goes back to :meth:`prior` of each table.
        """
        self._fixed_prior = None if prior is None else dict(prior)
        return self

    def prior_for(self, table: ExposureTable) -> dict[str, Any]:
        """Return the prior a fit on ``table`` uses: the fixed one (:meth:`fix_prior`)/its own."""
        fixed = getattr(self, "_fixed_prior", None)
        return dict(fixed) if fixed is not None else self.prior(table)

    # ------------------------------------------------------------------ the DataTree
    def _observed_data(self) -> dict[str, np.ndarray]:
        return {"events": self.table_.data["events"].to_numpy()}

    def _pointwise_loglik(self, posterior: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """Log-likelihood of each observation under each draw, (chain, draw, obs); or None."""
        return None

    def pointwise_loglik(self, posterior: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """Log-likelihood of each observation under each of ``posterior``'s draws, or None.

        ``posterior`` maps variable names to arrays shaped (chain, draw, ...); the result is
        (chain, draw, observation). None for a model without one.
        """
        self._check_fitted()
        return self._pointwise_loglik(posterior)

    def _idata_dims(self) -> tuple[dict[str, list[str]], dict[str, Any]]:
        """Dims and coords of the DataTree's variables."""
        return {"events": ["day"]}, {"day": self.table_.data["date"].to_numpy()}

    def _idata_attrs(self) -> dict[str, Any]:
        return {}

    def _assemble(
        self,
        posterior: dict[str, np.ndarray],
        prior: dict[str, np.ndarray],
        sample_stats: dict[str, np.ndarray],
    ) -> xr.DataTree:
        """Return the fit as a DataTree (ArviZ groups), identity in ``attrs``."""
        from arviz_base import from_dict  # not arviz: it imports arviz_plots (≈ 1 s)

        groups: dict[str, dict[str, np.ndarray]] = {"posterior": posterior, "prior": prior}
        if sample_stats:
            groups["sample_stats"] = sample_stats
        groups["observed_data"] = self._observed_data()
        if self.log_likelihood:
            loglik = self._pointwise_loglik(posterior)
            if loglik is not None:
                name = next(iter(groups["observed_data"]))
                groups["log_likelihood"] = {name: loglik}
        dims, coords = self._idata_dims()
        idata = from_dict(groups, dims=dims, coords=coords)
        idata.attrs.update(
            {
                "followon_version": __version__,
                "model_class": type(self).__name__,
                "method": self.method_,
                "outcome": self.table_.outcome.id,
                **self._idata_attrs(),
            }
        )
        return idata

    def _diagnostic_note(self) -> str:
        return f"independent draws ({self.method_}), no MCMC diagnostics"

    def _fit_path(self) -> str:
        """One line on how the fit got its draws (default: the method)."""
        return str(self.method_)

    def _diagnose(self) -> pd.DataFrame:
        """Return the convergence gate: R-hat, bulk ESS and divergences of MCMC fits (warns).

        ``attrs["fit_path"]`` says how the fit got its draws (:meth:`_fit_path`).
        """
        if self.method_ not in self.mcmc_methods:
            diag = pd.DataFrame(columns=["r_hat", "ess_bulk", "ess_tail"], dtype=float)
            diag.attrs["divergences"] = 0
            diag.attrs["note"] = self._diagnostic_note()
        else:
            who = f"{type(self).__name__} ({self.table_.outcome.id})"
            diag = convergence_gate(self.idata_, who)
        diag.attrs["fit_path"] = self._fit_path()
        return diag

    # ------------------------------------------------------------------ results
    def _check_fitted(self) -> None:
        if not hasattr(self, "idata_"):
            raise ModelError(
                f"this {type(self).__name__} is not fitted yet; call fit(table) first."
            )

    def posterior_draws(self, name: str, group: str = "posterior") -> np.ndarray:
        """Draws of variable ``name`` (chains stacked) from ``group`` (posterior or prior)."""
        self._check_fitted()
        if group not in ("posterior", "prior"):
            raise ModelError(f"group must be 'posterior' or 'prior', not '{group}'.")
        data = self.idata_[group].dataset
        if name not in data:
            raise ModelError(
                f"{type(self).__name__} has no variable '{name}'"
                f"{did_you_mean(name, [str(v) for v in data.data_vars])}; it has "
                f"{', '.join(map(str, data.data_vars))}."
            )
        return draws_array(data, name)

    @abstractmethod
    def _summary_quantities(self, ci_prob: float) -> list[tuple[str, str, np.ndarray]]:
        """``(parameter, kind, draws)`` rows of :meth:`summary`."""

    def summary(self, ci_prob: float = 0.9) -> pd.DataFrame:
        """Posterior summary of the model's parameters with equal-tailed intervals.

        Returns
        -------
        pandas.DataFrame
            Index ``parameter``; columns ``kind, mean, median, low, high, p_gt_1`` (P(> 1), for
            hazard ratios) and, for MCMC fits, ``r_hat, ess_bulk``.
        """
        self._check_fitted()
        lo, hi = interval_bounds(ci_prob)
        rows = self._summary_quantities(ci_prob)
        out = pd.DataFrame(
            [
                {
                    "parameter": name,
                    "kind": kind,
                    "mean": float(np.mean(v)),
                    "median": float(np.median(v)),
                    "low": float(np.quantile(v, lo)),
                    "high": float(np.quantile(v, hi)),
                    "p_gt_1": float((v > 1).mean())
                    if kind in ("hazard_ratio", "pooled_hazard_ratio")
                    else np.nan,
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

    # ------------------------------------------------------------------ prediction
    @abstractmethod
    def future_design(
        self,
        origin: pd.Timestamp,
        n_days: int,
        *,
        trigger: Mapping[str, Any] | pd.DataFrame | None = None,
        future_events: pd.DataFrame | None = None,
        covariate_path: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Covariates of days ``origin + 1 … origin + n_days`` as the future would have them."""

    @abstractmethod
    def hazard(self, design: pd.DataFrame, *, group: str = "posterior") -> np.ndarray:
        """Draws of the daily hazard on ``design``'s rows, shape (draws, rows)."""

    def cumulative_hazard_draws(
        self, design: pd.DataFrame, *, group: str = "posterior"
    ) -> np.ndarray:
        """Draws × days of the cumulative hazard over ``design``'s days (default: a cumsum)."""
        return np.cumsum(self.hazard(design, group=group), axis=1)

    def exact_survival(
        self, design: pd.DataFrame, horizons: Sequence[int], elapsed_days: int
    ) -> list[float] | None:
        """Closed-form posterior mean of P(event within each horizon), or None (default)."""
        return None

    def _forecast_origin(self, origin: str | pd.Timestamp | None) -> pd.Timestamp:
        self._check_fitted()
        origin = self.table_.end if origin is None else pd.Timestamp(origin)
        if origin > self.table_.end + pd.Timedelta(days=1):
            warnings.warn(
                f"origin {origin:%Y-%m-%d} is after the last observed day "
                f"{self.table_.end:%Y-%m-%d}: events in between are unknown, and "
                "self-excitation decays from the last observed event.",
                UserWarning,
                stacklevel=4,
            )
        return origin

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
            :data:`FORECAST_COLUMNS`: ``outcome, horizon_days, p_mean, p_low, p_high,
            p_median, origin_date, elapsed_days``.
        """
        horizons = check_horizons(horizons_days)
        if elapsed_days < 0:
            raise ModelError(f"elapsed_days must be ≥ 0, not {elapsed_days}.")
        origin = self._forecast_origin(trigger_date)
        design = self.future_design(
            origin,
            max(*horizons, elapsed_days),
            trigger=trigger,
            future_events=future_events,
            covariate_path=covariate_path,
        )
        cumhaz = self.cumulative_hazard_draws(design, group=group)
        out = horizon_probabilities(cumhaz, horizons, ci_prob=ci_prob, elapsed_days=elapsed_days)
        if group == "posterior":
            exact = self.exact_survival(design, out["horizon_days"].tolist(), elapsed_days)
            if exact is not None:
                out["p_mean"] = exact
        out.insert(0, "outcome", self.table_.outcome.id)
        out["origin_date"] = origin
        out["elapsed_days"] = elapsed_days
        out.attrs["ci_prob"] = ci_prob
        return out[FORECAST_COLUMNS]

    def probability_draws(
        self,
        trigger_date: str | pd.Timestamp | None = None,
        max_days: int = 365,
        *,
        group: str = "posterior",
        **future: Any,
    ) -> np.ndarray:
        """Draws × days of P(≥ 1 outcome event within h days), h = 1 … ``max_days``.

        The posterior predictive behind :meth:`forecast`, per draw (``future``: ``trigger``,
        ``future_events``, ``covariate_path``); a combined forecast mixes these across models.
        """
        origin = self._forecast_origin(trigger_date)
        design = self.future_design(origin, check_horizons(max_days)[0], **future)
        return -np.expm1(-self.cumulative_hazard_draws(design, group=group))

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
        group: str = "posterior",
        **future: Any,
    ) -> dict[str, float]:
        """Posterior of the day by which P(event) reaches 1/2 (``inf`` beyond ``max_days``)."""
        origin = self._forecast_origin(trigger_date)
        design = self.future_design(origin, check_horizons(max_days)[0], **future)
        return delay_summary(self.cumulative_hazard_draws(design, group=group), ci_prob=ci_prob)

    # ------------------------------------------------------------------ persistence
    def _save_attrs(self) -> dict[str, Any]:
        """Extra attributes a model keeps in its saved file."""
        return {}

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
                **self._save_attrs(),
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
    def load(cls, path: str | Path, table: ExposureTable) -> Self:
        """Load a fit saved by :meth:`save`, checking it belongs to this class and table.

        Raises
        ------
        DifferentModelError
            The file holds a fit of another model class.
        DifferentDataError
            ``table`` is not the exposure table the fit was made on.
        ModelError
            The file is missing, not a followon fit, or damaged (see :func:`open_fit`).
        """
        tree, params = open_fit(cls, path, table)
        try:
            model = cls(**cls._params_from_json(params))
        except FollowonError as exc:
            raise damaged_fit(path, f"its parameters are refused ({exc})") from None
        except (TypeError, ValueError, KeyError) as exc:
            what = f"its parameters do not fit {cls.__name__} ({one_line(exc, 100)})"
            raise damaged_fit(path, what) from None
        model.idata_ = tree
        model.table_ = table
        model.method_ = str(tree.attrs["method"])
        try:
            model._restore(tree, table)
            model.diagnostics_ = model._diagnose()
        except FollowonError:
            raise
        except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
            reason = one_line(f"{type(exc).__name__}: {exc}", 100)
            raise damaged_fit(path, f"its contents do not fit {cls.__name__} ({reason})") from None
        return model

    def _restore(self, tree: xr.DataTree, table: ExposureTable) -> None:
        """Rebuild what a model keeps beside its DataTree after :meth:`load` (default: none)."""
        return None

    # ------------------------------------------------------------------ simulation (SBC)
    def simulate_events(self, table: ExposureTable, rng: np.random.Generator) -> np.ndarray:
        """Daily event counts on ``table``'s days drawn from the first posterior draw.

        Simulation-based calibration fits a model whose single draw is the truth and calls
        this to simulate data (default: Poisson counts from :meth:`hazard` on the table's
        rows; a self-exciting model overrides it to feed events back).
        """
        rows = table.data.drop(columns=["events"])
        lam = self.hazard(rows)[0] * table.data["exposure"].to_numpy(dtype=float)
        return rng.poisson(lam)

    def with_draws(self, table: ExposureTable, posterior: Mapping[str, np.ndarray]) -> Self:
        """Return a copy of this (unfitted) model "fitted" to ``posterior`` draws given outright.

        For the truth in simulation-based calibration and for what-if draws; the draws are
        arrays shaped (chain, draw, ...) named as the model's posterior variables.
        """
        model = type(self)(**self._params_from_json(self.get_params()))
        model.log_likelihood = False
        model.validate(table)
        model.table_ = table
        model.method_ = "given"
        post = {k: np.asarray(v) for k, v in posterior.items()}
        model._prepare_given(table)
        model.idata_ = model._assemble(post, post, {})
        model.diagnostics_ = model._diagnose()
        return model

    def _prepare_given(self, table: ExposureTable) -> None:
        """Set what :meth:`hazard` needs besides the draws for :meth:`with_draws`."""
        return None
