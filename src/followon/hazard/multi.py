r"""Several follow-on actions in one fit: :class:`MultiActionHazard`.

Several outcomes *o* (ICBM, shorter-range launches, a nuclear test, balloon rounds) on the same
days and covariates, each a conditionally independent Poisson process:

.. math::

    \log \lambda_{o,d} = \log \lambda_{0,o} + x_{o,d}^\top \beta_o, \qquad
    \lambda_{0,o} \sim \mathrm{Gamma}(a, a / \hat r_o), \qquad
    \beta_{o,j} = \mu_j + \tau_j z_{o,j},

:math:`z_{o,j} \sim \mathcal N(0,1)`, :math:`\mu_j \sim \mathcal N(m_j, s_j)` (``beta_sd``,
``beta_priors``) and :math:`\tau_j \sim \mathrm{HalfNormal}(s_{\mathrm{pool}})` per covariate
*j*: each covariate's effect is pooled across outcomes, so a rare outcome (four nuclear tests)
borrows the trigger effects of the frequent ones. (Self-exciting covariates are computed from
each outcome's own history, so :math:`x_{o,d}` may differ by outcome; every other column is
the same for all.) With :math:`\Lambda_o(H) = \sum_{h \le H} \lambda_{o,h}` per posterior draw,

.. math::

    P(\text{any within } H) = 1 - \prod_o e^{-\Lambda_o(H)} .

**Which comes first** (daily time, closed form per draw): with :math:`q_{o,h} = 1 -
e^{-\lambda_{o,h}}` the chance that *o* happens on day *h*, :math:`\lambda_{\cdot,h} = \sum_o
\lambda_{o,h}` and :math:`S_{h} = \exp(-\sum_{k \le h} \lambda_{\cdot,k})` the chance that
nothing happens through day *h*,

.. math::

    P(o \text{ first}) = \sum_{h=1}^{H} S_{h-1}\, q_{o,h}\, e^{-(\lambda_{\cdot,h} -
    \lambda_{o,h})}, \qquad P(\text{none}) = S_H, \qquad
    P(\text{tie}) = 1 - P(\text{none}) - \sum_o P(o \text{ first}).

"*o* first" means *o*'s first day strictly precedes every other outcome's first day; two or
more outcomes whose first days coincide (the same Korean day, the resolution of the data) are
a **tie**, reported as its own row and not split. The three kinds of row sum to one.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from followon._version import __version__
from followon.errors import ConvergenceWarning, ModelError, did_you_mean
from followon.exposure.table import ExposureTable
from followon.hazard._sampling import sample_pymc_model
from followon.hazard.base import convergence_gate, draws_array, summarise_draws
from followon.hazard.glm import collapse_rows
from followon.hazard.piecewise import PiecewiseHazard
from followon.hazard.pooled import check_pooled_sampler
from followon.hazard.probability import check_horizons, horizon_probabilities, interval_bounds

__all__ = ["MultiActionHazard", "first_action_probabilities"]


@dataclasses.dataclass
class _MultiPrepared:
    """Outcomes' collapsed rows stacked, with prior constants."""

    outcomes: list[str]
    names: list[str]
    X: np.ndarray
    y: np.ndarray
    exposure: np.ndarray
    outcome_index: np.ndarray
    a: float
    b: np.ndarray
    mu: np.ndarray
    sd: np.ndarray


def first_action_probabilities(
    hazards: np.ndarray, *, by_day: bool = False
) -> dict[str, np.ndarray]:
    r"""P(each outcome is the first action), P(tie), P(none) per draw, in closed form.

    Parameters
    ----------
    hazards : ndarray, shape (outcomes, draws, days)
        Daily hazards :math:`\lambda_{o,h}` on days 1 … H after the origin.
    by_day : bool
        Return every horizon 1 … H at once (a trailing ``days`` axis: the cumulative incidence
        of each kind of first action), not only H.

    Returns
    -------
    dict
        ``first`` (outcomes, draws): P(*o*'s first day is strictly before every other
        outcome's, within H); ``tie`` (draws): P(the first action day within H has two or more
        outcomes); ``none`` (draws): P(no outcome within H). They sum to one per draw (see the
        module docstring for the formulae), at every horizon with ``by_day``.
    """
    lam = np.asarray(hazards, dtype=float)
    if lam.ndim != 3 or lam.shape[2] < 1:
        raise ModelError("hazards must have shape (outcomes, draws, days) with days ≥ 1.")
    total = lam.sum(axis=0)  # (draws, days)
    cum = np.cumsum(total, axis=1)
    before = np.exp(-np.concatenate([np.zeros((len(total), 1)), cum[:, :-1]], axis=1))
    q = -np.expm1(-lam)  # P(o on day h)
    alone = q * np.exp(-(total[None] - lam))  # o on day h, no other outcome that day
    any_day = -np.expm1(-total)
    if by_day:
        first = np.cumsum(before[None] * alone, axis=2)
        tie = np.cumsum(before * (any_day - alone.sum(axis=0)), axis=1)
        return {"first": first, "tie": np.clip(tie, 0.0, None), "none": np.exp(-cum)}
    first = (before[None] * alone).sum(axis=2)
    tie = (before * (any_day - alone.sum(axis=0))).sum(axis=1)
    none = np.exp(-cum[:, -1])
    return {"first": first, "tie": np.clip(tie, 0.0, None), "none": none}


class MultiActionHazard:
    r"""Several follow-on actions in one fit, trigger effects pooled across them.

    See the module docstring for the model, P(any) and the first-action probabilities.

    Parameters
    ----------
    baseline_shape : float
        Shape *a* of each outcome's Gamma baseline prior (mean: that outcome's empirical rate).
    beta_sd : float
        Prior sd of each covariate's pooled mean effect :math:`\mu_j` (1).
    beta_priors : mapping, optional
        Per-covariate ``(mean, sd)`` of :math:`\mu_j`.
    pooling_sd : float
        Scale of the HalfNormal prior on :math:`\tau_j`, the spread of outcomes' effects of
        covariate *j* around :math:`\mu_j` (0.5).
    sampler : {"auto", "pymc", "nutpie", "numpyro"}
    target_accept : float
        NUTS target acceptance, 0.99: the effects pooled across outcomes form a funnel in
        which 0.95 left a divergence in 4 000 draws on the shipped joint scenario
        (``plenum-2024-06-joint``, full sampling); 0.99 left none at the same run time.
    log_likelihood : bool
        Give :meth:`per_outcome` views the pointwise log-likelihood (one value per day and
        draw: ask for it when comparing by PSIS-LOO; default False).

    Attributes
    ----------
    idata_ : xarray.DataTree
        ``posterior``: ``baseline_rate`` (outcome), ``beta`` (outcome, covariate),
        ``pool_mean`` and ``pool_sd`` (covariate); ``prior``; ``observed_data`` (``events``
        per outcome and day); ``sample_stats``.
    tables_ : dict of str to ExposureTable
    outcomes_ : list of str
        The mapping's keys, in order.
    method_ : str
    diagnostics_ : pandas.DataFrame

    Examples
    --------
    >>> import followon as fo
    >>> events = fo.load_events()
    >>> covs = [fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))]
    >>> tables = {o.id: fo.build_exposure(events, o, start="2016-01-01", as_of="2024-07-02",
    ...                                   covariates=covs)
    ...           for o in (fo.Outcome("missile", "missile_launch"),
    ...                     fo.Outcome("satellite", "satellite_launch"))}
    >>> model = MultiActionHazard().fit(tables, random_seed=1)  # doctest: +SKIP
    >>> model.first_action(max_days=60)  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        baseline_shape: float = 2.0,
        beta_sd: float = 1.0,
        beta_priors: Mapping[str, tuple[float, float]] | None = None,
        pooling_sd: float = 0.5,
        sampler: str = "auto",
        target_accept: float = 0.99,
        log_likelihood: bool = False,
    ) -> None:
        self.baseline_shape = baseline_shape
        self.beta_sd = beta_sd
        self.beta_priors = beta_priors
        self.pooling_sd = pooling_sd
        self.sampler = sampler
        self.target_accept = target_accept
        self.log_likelihood = log_likelihood

    def get_params(self) -> dict[str, Any]:
        """Return the constructor parameters (JSON-able)."""
        return {
            "baseline_shape": self.baseline_shape,
            "beta_sd": self.beta_sd,
            "beta_priors": {k: list(v) for k, v in (self.beta_priors or {}).items()},
            "pooling_sd": self.pooling_sd,
            "sampler": self.sampler,
            "target_accept": self.target_accept,
            "log_likelihood": self.log_likelihood,
        }

    def _view_params(self) -> PiecewiseHazard:
        return PiecewiseHazard(
            baseline_shape=self.baseline_shape,
            beta_sd=self.beta_sd,
            beta_priors={k: (v[0], v[1]) for k, v in (self.beta_priors or {}).items()} or None,
            sampler="pymc",
            target_accept=self.target_accept,
            log_likelihood=self.log_likelihood,
        )

    @staticmethod
    def _check_tables(tables: Mapping[str, ExposureTable]) -> list[str]:
        if not isinstance(tables, Mapping):
            raise ModelError(
                "fit expects a mapping of outcome name to ExposureTable, not "
                f"{type(tables).__name__}."
            )
        outcomes = [str(k) for k in tables]
        if len(outcomes) < 2:
            raise ModelError(
                f"MultiActionHazard needs at least two outcomes, not {len(outcomes)}; for one "
                "use PiecewiseHazard or PooledHazard."
            )
        for o, t in tables.items():
            if not isinstance(t, ExposureTable):
                raise ModelError(
                    f"outcome '{o}': expected an ExposureTable (fo.build_exposure), not "
                    f"{type(t).__name__}."
                )
        first_o, first = outcomes[0], tables[outcomes[0]]
        specs = [c.spec() for c in first.covariates]
        dates = first.data["date"].to_numpy()
        fixed = [
            c for cov in first.covariates if not cov.self_exciting for c in cov.columns()
        ]  # columns that cannot depend on the outcome
        for o in outcomes[1:]:
            t = tables[o]
            if [c.spec() for c in t.covariates] != specs:
                raise ModelError(
                    f"outcome '{o}': its table's covariates "
                    f"({', '.join(t.covariate_names) or 'none'}) differ from outcome '{first_o}''s "
                    f"({', '.join(first.covariate_names) or 'none'}); build every table with the "
                    "same covariates."
                )
            if len(t.data) != len(dates) or (t.data["date"].to_numpy() != dates).any():
                raise ModelError(
                    f"outcome '{o}': its table covers {t.start:%Y-%m-%d}..{t.end:%Y-%m-%d} "
                    f"({len(t.data)} days), not outcome '{first_o}''s "
                    f"{first.start:%Y-%m-%d}..{first.end:%Y-%m-%d} ({len(dates)} days); build "
                    "every table with the same start, as_of and observed_until."
                )
            differ = [
                c
                for c in fixed
                if not np.array_equal(t.data[c].to_numpy(), first.data[c].to_numpy())
            ]
            if differ:
                raise ModelError(
                    f"outcome '{o}': covariate {differ[0]} differs from outcome '{first_o}''s "
                    "on some days; build every table from the same event table."
                )
        return outcomes

    def fit(
        self,
        tables: Mapping[str, ExposureTable],
        *,
        draws: int = 1000,
        tune: int = 1000,
        chains: int = 4,
        random_seed: int | None = None,
        progressbar: bool = True,
    ) -> MultiActionHazard:
        """Fit all outcomes in one PyMC model (numpyro NUTS by default); return ``self``.

        Parameters
        ----------
        tables : mapping of str to ExposureTable
            One table per outcome, all built with the same covariates over the same days.
        draws, tune, chains : int
        random_seed : int, optional
        progressbar : bool

        Raises
        ------
        ModelError
            Fewer than two outcomes; tables with different covariates, days or (non
            self-exciting) covariate values, naming the outcome; bad parameters.

        Warns
        -----
        ConvergenceWarning
        """
        from arviz_base import from_dict  # not arviz: it imports arviz_plots (≈ 1 s)

        prep = self._prepare(tables)
        method = check_pooled_sampler(self.sampler)
        if draws < 1 or chains < 1 or tune < 0:
            raise ModelError("draws and chains must be ≥ 1 and tune ≥ 0.")
        outcomes, names, first = prep.outcomes, prep.names, tables[prep.outcomes[0]]
        a, b, mu, sd = prep.a, prep.b, prep.mu, prep.sd
        model = self._model(prep)
        var_names = ["baseline_rate", *(["pool_mean", "pool_sd", "beta"] if names else [])]
        posterior, stats = sample_pymc_model(
            model,
            method=method,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            progressbar=progressbar,
            target_accept=self.target_accept,
            var_names=var_names,
        )
        rng = np.random.default_rng(random_seed)
        n_o, k = len(outcomes), len(names)
        pm_ = rng.normal(mu, sd, size=(1, draws, k))
        ps_ = np.abs(rng.normal(0.0, self.pooling_sd, size=(1, draws, k)))
        prior = {
            "baseline_rate": rng.gamma(a, 1.0 / np.array(b), size=(1, draws, n_o)),
            "pool_mean": pm_,
            "pool_sd": ps_,
            "beta": pm_[:, :, None, :] + ps_[:, :, None, :] * rng.normal(size=(1, draws, n_o, k)),
        }
        if not names:
            for g in (posterior, prior):
                for v in ("pool_mean", "pool_sd", "beta"):
                    g.pop(v, None)
        groups: dict[str, dict[str, np.ndarray]] = {"posterior": posterior, "prior": prior}
        if stats:
            groups["sample_stats"] = stats
        groups["observed_data"] = {
            "events": np.stack([tables[o].data["events"].to_numpy() for o in outcomes])
        }
        idata = from_dict(
            groups,
            dims={
                "baseline_rate": ["outcome"],
                "beta": ["outcome", "covariate"],
                "pool_mean": ["covariate"],
                "pool_sd": ["covariate"],
                "events": ["outcome", "day"],
            },
            coords={
                "outcome": outcomes,
                "covariate": list(names),
                "day": first.data["date"].to_numpy(),
            },
        )
        idata.attrs.update(
            {
                "followon_version": __version__,
                "model_class": type(self).__name__,
                "method": method,
                "outcomes": ",".join(outcomes),
            }
        )
        self.tables_ = dict(tables)
        self.outcomes_ = outcomes
        self.method_ = method
        self.prior_ = {"baseline_shape": a, "baseline_rate_param": np.array(b)}
        self.idata_ = idata
        self._views: dict[str, PiecewiseHazard] = {}
        self.diagnostics_ = convergence_gate(
            idata, f"{type(self).__name__} ({', '.join(outcomes)})"
        )
        return self

    def _prepare(self, tables: Mapping[str, ExposureTable]) -> _MultiPrepared:
        """Check tables and parameters; stack the outcomes' collapsed rows; set the priors."""
        outcomes = self._check_tables(tables)
        check_pooled_sampler(self.sampler)
        if not self.baseline_shape > 0 or not self.beta_sd > 0 or not self.pooling_sd > 0:
            raise ModelError("baseline_shape, beta_sd and pooling_sd must be > 0.")
        names = tables[outcomes[0]].covariate_names
        for key, value in (self.beta_priors or {}).items():
            if key not in names:
                raise ModelError(
                    f"beta_priors: no covariate '{key}'{did_you_mean(key, names)}; the tables "
                    f"have {', '.join(names) or 'no covariates'}."
                )
            if len(value) != 2 or not value[1] > 0:
                raise ModelError(f"beta_priors['{key}'] must be (mean, sd) with sd > 0.")
        mu = np.zeros(len(names))
        sd = np.full(len(names), float(self.beta_sd))
        for j, n in enumerate(names):
            if self.beta_priors and n in self.beta_priors:
                mu[j], sd[j] = self.beta_priors[n]
        a = float(self.baseline_shape)
        Xs, ys, es, idx, b = [], [], [], [], []
        for k, o in enumerate(outcomes):
            t = tables[o]
            X, y, e = collapse_rows(
                t.data[names].to_numpy(dtype=float),
                t.data["events"].to_numpy(dtype=float),
                t.data["exposure"].to_numpy(dtype=float),
            )
            Xs.append(X)
            ys.append(y)
            es.append(e)
            idx.append(np.full(len(y), k))
            b.append(a / (max(y.sum(), 0.5) / e.sum()))
        return _MultiPrepared(
            outcomes=outcomes,
            names=names,
            X=np.vstack(Xs),
            y=np.concatenate(ys),
            exposure=np.concatenate(es),
            outcome_index=np.concatenate(idx),
            a=a,
            b=np.array(b),
            mu=mu,
            sd=sd,
        )

    def validate(self, tables: Mapping[str, ExposureTable]) -> MultiActionHazard:
        """Check tables and parameters as :meth:`fit` does, without building or sampling.

        Raises
        ------
        ModelError
            As :meth:`fit`.
        """
        self._prepare(tables)
        return self

    def build_model(self, tables: Mapping[str, ExposureTable]) -> Any:
        """Return the PyMC model :meth:`fit` samples, without sampling.

        Rows are each outcome's collapsed covariate patterns, stacked (``outcome_index``);
        ``beta`` is the deterministic ``pool_mean + pool_sd * beta_z``.
        """
        return self._model(self._prepare(tables))

    def _model(self, prep: _MultiPrepared) -> Any:
        import pymc as pm

        outcomes, names, X, y = prep.outcomes, prep.names, prep.X, prep.y
        exposure, outcome_index, a, b = prep.exposure, prep.outcome_index, prep.a, prep.b
        mu, sd = prep.mu, prep.sd

        key = (tuple(outcomes), tuple(names), a, tuple(mu), tuple(sd), float(self.pooling_sd))
        rows = np.arange(len(y))
        cached = self.__dict__.get("_multi_model")
        if cached is not None and self.__dict__.get("_multi_key") == key:
            with cached:
                pm.set_data(
                    {
                        "log_exposure": np.log(exposure),
                        "y": y,
                        "X": X,
                        "outcome_index": outcome_index,
                        "baseline_prior_rate": b,
                    },
                    coords={"row": rows},
                )
            return cached
        coords = {"outcome": outcomes, "covariate": names, "row": rows}
        with pm.Model(coords=coords) as model:
            log_e = pm.Data("log_exposure", np.log(exposure), dims="row")
            yd = pm.Data("y", y, dims="row")
            oi = pm.Data("outcome_index", outcome_index, dims="row")
            b_data = pm.Data("baseline_prior_rate", b, dims="outcome")
            lam0 = pm.Gamma("baseline_rate", alpha=a, beta=b_data, dims="outcome")
            eta = pm.math.log(lam0)[oi] + log_e
            if names:
                Xd = pm.Data("X", X, dims=("row", "covariate"))
                pool_mean = pm.Normal("pool_mean", mu=mu, sigma=sd, dims="covariate")
                pool_sd = pm.HalfNormal("pool_sd", sigma=float(self.pooling_sd), dims="covariate")
                z = pm.Normal("beta_z", 0.0, 1.0, dims=("outcome", "covariate"))
                beta = pm.Deterministic(
                    "beta", pool_mean[None, :] + pool_sd[None, :] * z, dims=("outcome", "covariate")
                )
                eta = eta + (Xd * beta[oi]).sum(axis=1)
            else:
                pm.Data("X", X)
            pm.Poisson("events", mu=pm.math.exp(eta), observed=yd, dims="row")
        self.__dict__["_multi_model"], self.__dict__["_multi_key"] = model, key
        return model

    # ------------------------------------------------------------------ results
    def _check_fitted(self) -> None:
        if not hasattr(self, "idata_"):
            raise ModelError(
                f"this {type(self).__name__} is not fitted yet; call fit(tables) first."
            )

    def per_outcome(self, outcome: str) -> PiecewiseHazard:
        """Return the fit seen from one outcome: a fitted :class:`PiecewiseHazard`.

        The view has the single-outcome interface (``forecast``, ``forecast_curve``,
        ``hazard``, ``future_design``, ``summary``, ``idata_``, ``table_``, ``method_``,
        ``diagnostics_``); its posterior is this joint fit's marginal for the outcome (draws in
        the same order for every outcome). Refitting the view fits that outcome alone.
        """
        self._check_fitted()
        if outcome not in self.outcomes_:
            raise ModelError(
                f"no outcome '{outcome}'{did_you_mean(outcome, self.outcomes_)}; the fit has "
                f"{', '.join(self.outcomes_)}."
            )
        if outcome in self._views:
            return self._views[outcome]
        k = self.outcomes_.index(outcome)
        table = self.tables_[outcome]
        names = table.covariate_names
        view = self._view_params()
        view.table_ = table
        view.method_ = self.method_
        view.posterior_gamma_ = None
        groups: dict[str, dict[str, np.ndarray]] = {}
        for g in ("posterior", "prior"):
            ds = self.idata_[g].dataset
            groups[g] = {"baseline_rate": ds["baseline_rate"].values[..., k]}
            if names:
                groups[g]["beta"] = ds["beta"].values[..., k, :]
        stats: dict[str, np.ndarray] = {}
        if "sample_stats" in self.idata_.children:
            stats = {
                str(n): np.asarray(v.values) for n, v in self.idata_["sample_stats"].dataset.items()
            }
        view.idata_ = view._assemble(groups["posterior"], groups["prior"], stats)
        view.idata_.attrs["view_of"] = f"{type(self).__name__}:{outcome}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the joint fit warned already
            view.diagnostics_ = view._diagnose()
        self._views[outcome] = view
        return view

    def daily_hazards(
        self,
        trigger_date: str | pd.Timestamp | None,
        n_days: int,
        *,
        trigger: Mapping[str, Any] | pd.DataFrame | None = None,
        future_events: pd.DataFrame | None = None,
    ) -> tuple[pd.Timestamp, np.ndarray]:
        """Return the origin and the daily hazards (outcomes, draws, days 1 … ``n_days``).

        Each outcome's hazards are its :meth:`per_outcome` view's, on the same draws; feed them
        to :func:`first_action_probabilities` or sum them for P(any).
        """
        return self._cumhaz_all(trigger_date, n_days, trigger, future_events)

    def _cumhaz_all(
        self,
        trigger_date: str | pd.Timestamp | None,
        n_days: int,
        trigger: Mapping[str, Any] | pd.DataFrame | None,
        future_events: pd.DataFrame | None,
    ) -> tuple[pd.Timestamp, np.ndarray]:
        """Daily hazards (outcomes, draws, days) after the origin."""
        self._check_fitted()
        origin = (
            self.tables_[self.outcomes_[0]].end
            if trigger_date is None
            else pd.Timestamp(trigger_date)
        )
        hazards = []
        for o in self.outcomes_:
            view = self.per_outcome(o)
            design = view.future_design(
                origin, n_days, trigger=trigger, future_events=future_events
            )
            hazards.append(view.hazard(design))
        return origin, np.stack(hazards)

    def forecast(
        self,
        trigger_date: str | pd.Timestamp | None = None,
        horizons_days: Sequence[int] | int = (30, 60, 90),
        *,
        trigger: Mapping[str, Any] | pd.DataFrame | None = None,
        future_events: pd.DataFrame | None = None,
        ci_prob: float = 0.9,
    ) -> pd.DataFrame:
        """P(each action within H) and P(at least one of them), per horizon.

        Parameters
        ----------
        trigger_date : date-like, optional
            The origin (default: the tables' last day).
        horizons_days : int or sequence of int
        trigger, future_events
            As :meth:`PiecewiseHazard.forecast`.
        ci_prob : float

        Returns
        -------
        pandas.DataFrame
            ``outcome`` (each outcome, then ``any``), ``horizon_days, p_mean, p_low, p_high,
            p_median, origin_date``.
        """
        horizons = check_horizons(horizons_days)
        interval_bounds(ci_prob)
        origin, lam = self._cumhaz_all(trigger_date, max(horizons), trigger, future_events)
        cum = np.cumsum(lam, axis=2)
        frames = []
        for label, c in [*zip(self.outcomes_, cum, strict=True), ("any", cum.sum(axis=0))]:
            f = horizon_probabilities(c, horizons, ci_prob=ci_prob)
            f.insert(0, "outcome", label)
            frames.append(f)
        out = pd.concat(frames, ignore_index=True)
        out["origin_date"] = origin
        out.attrs["ci_prob"] = ci_prob
        return out[
            ["outcome", "horizon_days", "p_mean", "p_low", "p_high", "p_median", "origin_date"]
        ]

    def first_action(
        self,
        trigger_date: str | pd.Timestamp | None = None,
        max_days: int = 90,
        *,
        trigger: Mapping[str, Any] | pd.DataFrame | None = None,
        future_events: pd.DataFrame | None = None,
        ci_prob: float = 0.9,
    ) -> pd.DataFrame:
        """Which action comes first within ``max_days`` (closed form per draw, no simulation).

        Returns
        -------
        pandas.DataFrame
            One row per outcome (P(it is strictly first)), then ``tie`` (two or more outcomes
            first on the same day) and ``none`` (nothing within ``max_days``): ``first,
            p_mean, p_low, p_high, p_median, max_days, origin_date``. ``p_mean`` sums to 1.
        """
        h = check_horizons(max_days)[0]
        lo, hi = interval_bounds(ci_prob)
        origin, lam = self._cumhaz_all(trigger_date, h, trigger, future_events)
        p = first_action_probabilities(lam)
        rows = [(o, p["first"][k]) for k, o in enumerate(self.outcomes_)]
        rows += [("tie", p["tie"]), ("none", p["none"])]
        out = pd.DataFrame(
            [
                {
                    "first": label,
                    "p_mean": float(v.mean()),
                    "p_low": float(np.quantile(v, lo)),
                    "p_high": float(np.quantile(v, hi)),
                    "p_median": float(np.median(v)),
                }
                for label, v in rows
            ]
        )
        out["max_days"] = h
        out["origin_date"] = origin
        out.attrs["ci_prob"] = ci_prob
        return out

    def summary(self, ci_prob: float = 0.9) -> pd.DataFrame:
        r"""Per-outcome summaries (:meth:`PiecewiseHazard.summary`) and the pooled effects.

        Returns
        -------
        pandas.DataFrame
            Columns ``outcome, parameter, kind, mean, median, low, high, p_gt_1``; the pooled
            rows have outcome ``pooled``: ``pool_mean[<covariate>]`` (kind
            ``pooled_hazard_ratio``, :math:`e^{\mu_j}`) and ``pool_sd[<covariate>]`` (``sd``).
        """
        self._check_fitted()
        interval_bounds(ci_prob)
        frames = []
        for o in self.outcomes_:
            s = self.per_outcome(o).summary(ci_prob).reset_index()
            s.insert(0, "outcome", o)
            frames.append(
                s[["outcome", "parameter", "kind", "mean", "median", "low", "high", "p_gt_1"]]
            )
        names = self.tables_[self.outcomes_[0]].covariate_names
        if names:
            post = self.idata_["posterior"].dataset
            mu, tau = draws_array(post, "pool_mean"), draws_array(post, "pool_sd")
            rows = []
            for j, n in enumerate(names):
                hr = np.exp(mu[:, j])
                rows.append(
                    {
                        "outcome": "pooled",
                        "parameter": f"pool_mean[{n}]",
                        "kind": "pooled_hazard_ratio",
                        **summarise_draws(hr, ci_prob),
                        "p_gt_1": float((hr > 1).mean()),
                    }
                )
                rows.append(
                    {
                        "outcome": "pooled",
                        "parameter": f"pool_sd[{n}]",
                        "kind": "sd",
                        **summarise_draws(tau[:, j], ci_prob),
                        "p_gt_1": np.nan,
                    }
                )
            frames.append(pd.DataFrame(rows))
        out = pd.concat(frames, ignore_index=True)
        out.attrs["ci_prob"] = ci_prob
        return out
