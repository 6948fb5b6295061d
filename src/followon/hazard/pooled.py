r"""Hierarchical trigger effects (``pooled``) and several follow-on actions in one fit.

PooledHazard
------------
The likelihood is :class:`~followon.hazard.piecewise.PiecewiseHazard`'s Poisson GLM; only the
prior on the trigger-window effects changes. For Korean day *d*

.. math::

    \lambda_d = \lambda_0 \exp\Big(x_d^\top \beta + \sum_i Z_{d,i}\, u_i\Big), \qquad
    y_d \sim \mathrm{Poisson}(E_d \lambda_d),

where the :class:`~followon.exposure.covariates.TriggerWindows` columns are named
``"{trigger}[{bin}]"`` (``plenary_meeting[0-30]``, ``summit[0-30]``, ...). Their effects are
grouped **by bin label**: all trigger types' ``[0-30]`` columns form one pool, all ``[31-90]``
columns another, and ``[during]`` columns a third. With *t* a trigger type and *k* a bin label,

.. math::

    \beta_{t,k} = \mu_k + \sigma\, z_{t,k}, \qquad z_{t,k} \sim \mathcal N(0, 1), \qquad
    \mu_k \sim \mathcal N(0, s_\beta), \qquad \sigma \sim \mathrm{HalfNormal}(s_{\mathrm{pool}})

(non-centred; :math:`s_\beta` = ``beta_sd`` = 1, :math:`s_{\mathrm{pool}}` = ``pooling_sd`` =
0.5). Grouping by bin label rather than by position keeps like with like when trigger types
have different cuts: a type with its own bins simply forms pools of one. A rarely seen trigger
(one party congress) has little data on its :math:`z`, so its :math:`\beta` stays near
:math:`\mu_k`, learnt from the frequent ones — it borrows strength. One :math:`\sigma` serves
every bin: with four trigger types a per-bin spread would be barely identified.

*Why* ``pooling_sd = 0.5``: a HalfNormal(0.5) puts the median of :math:`\sigma` at 0.34 and 95%
of its mass below 0.98, so two trigger types' hazard ratios a priori differ by a factor of
about :math:`e^{0.34\sqrt 2} \approx 1.6` typically and rarely by more than 4 — wide enough for
the contrasts the literature debates (summits lowering, plenums raising launch rates), narrow
enough to shrink a type seen once or twice. The implied marginal prior of one
:math:`\beta_{t,k}` has sd :math:`\sqrt{1 + E\sigma^2} \approx 1.1`, close to the independent
Normal(0, 1) of ``PiecewiseHazard``, so the two models' single hazard ratios start alike.

Every other covariate (spans, self-excitation, season, eras, trend) keeps its independent
:math:`\mathcal N(m_j, s_j)` prior (``beta_sd`` / ``beta_priors``). The baseline prior is
``PiecewiseHazard``'s :math:`\lambda_0 \sim \mathrm{Gamma}(a, a/\hat r)`.

**Instance effects** (``instance_effects=True``): each trigger *instance* *i* (one meeting, one
summit: an event row with an ``event_id``) gets its own deviation

.. math:: u_i = \sigma_u w_i, \qquad w_i \sim \mathcal N(0, 1), \qquad
    \sigma_u \sim \mathrm{HalfNormal}(s_u), \quad s_u = \text{instance\_sd} = 0.5,

added on the days of its window: :math:`Z_{d,i} = 1` when day *d* lies between the first and
the last cut after the instance's end (``lo ≤ d − end ≤ hi``, ``[during]`` days excluded).
With ``overlap="latest"`` a day belongs only to the latest trigger of that covariate (the one
whose bin it is in); with ``overlap="any"`` to every covering one. Windows of different
covariates add (a day after both a plenum and a Politburo meeting carries both :math:`u`).
:math:`e^{u_i}` answers "was this plenum unusual?": the hazard ratio of that meeting relative to
a typical one of its type (:attr:`PooledHazard.instance_effects_`). A forecast after an
instance in the fitted history uses its fitted :math:`u_i`; a new instance (``trigger=``)
integrates over :math:`u \sim \mathcal N(0, \sigma_u)`, one :math:`u` per posterior draw
(seeded by the fit's ``random_seed``, so forecasts are reproducible).

"""

from __future__ import annotations

import dataclasses
import zlib
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr

from followon.errors import ModelError, did_you_mean
from followon.exposure.instances import INSTANCES_ATTR, instance_assignment, trigger_pools
from followon.exposure.table import ExposureTable
from followon.hazard._sampling import DEFAULT_MCMC_SAMPLER, sample_pymc_model
from followon.hazard.base import (
    PosteriorSample,
    Sampling,
    check_fit_args,
    draws_array,
    summarise_draws,
)
from followon.hazard.glm import collapse_rows, poisson_loglik_rows
from followon.hazard.importance import ImportanceDraws
from followon.hazard.piecewise import PiecewiseHazard, importance_record, trigger_frame
from followon.hazard.pooled_importance import PooledLayout, nested_importance
from followon.hazard.probability import check_horizons, interval_bounds
from followon.hazard.simulate import simulate_paths

__all__ = ["MCMC_SAMPLERS", "POOLED_SAMPLERS", "PooledHazard", "check_pooled_sampler"]

MCMC_SAMPLERS = ("auto", "pymc", "nutpie", "numpyro")
"""Samplers of the several-outcome model: MCMC only (no conjugate or Laplace path)."""
POOLED_SAMPLERS = ("auto", "laplace-is", "pymc", "nutpie", "numpyro")
"""Samplers of :class:`PooledHazard`: ``laplace-is`` (what ``auto`` means) or MCMC."""


def _new_instance_rng(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


def check_pooled_sampler(sampler: str, samplers: Sequence[str] = MCMC_SAMPLERS) -> str:
    """Return a hierarchical model's sampler (``auto``: numpyro); refuse one not in ``samplers``.

    ``samplers``: :data:`MCMC_SAMPLERS` (the several-outcome model) or :data:`POOLED_SAMPLERS`.
    """
    if sampler in ("exact", "laplace", "laplace-is") and sampler not in samplers:
        raise ModelError(
            f"sampler='{sampler}' is not available for this hierarchical prior (no conjugate or "
            f"plain Laplace path); use one of {', '.join(samplers)}."
        )
    if sampler not in samplers:
        raise ModelError(
            f"sampler '{sampler}'{did_you_mean(sampler, samplers)} is not one of "
            f"{', '.join(samplers)}."
        )
    return DEFAULT_MCMC_SAMPLER if sampler == "auto" else sampler


# ---------------------------------------------------------------------- PooledHazard
class PooledHazard(PiecewiseHazard):
    r"""Piecewise-exponential hazard with partially pooled trigger effects (module docstring).

    Fitting, forecasts, future designs, summaries and save/load are those of
    :class:`~followon.hazard.piecewise.PiecewiseHazard`; the posterior keeps ``beta`` over
    ``covariate`` (so everything downstream works) and adds ``pool_mean`` (over ``pool``, the
    bin labels), ``pool_sd`` and, with instance effects, ``instance_sd`` and
    ``instance_effect`` (over ``instance``, the event ids).

    Parameters
    ----------
    baseline_shape, baseline_mean, beta_sd, log_likelihood
        As :class:`PiecewiseHazard`; ``beta_sd`` is also the prior sd of each pool mean.
    target_accept : float
        NUTS target acceptance, 0.95 (not 0.9): hierarchical posteriors have narrow necks
        where a smaller step avoids divergences.
    beta_priors : mapping, optional
        ``(mean, sd)`` of non-trigger covariates' log hazard ratios. Trigger-window columns are
        pooled and cannot be given one.
    sampler : {"auto", "laplace-is", "pymc", "nutpie", "numpyro"}
        ``auto`` (default): ``laplace-is`` — importance sampling from a nested Laplace
        proposal (:mod:`followon.hazard.pooled_importance`), which falls back to
        :data:`~followon.hazard.piecewise.DEFAULT_MCMC_SAMPLER` (numpyro NUTS) by itself when
        :math:`\hat k` > 0.7; with instance effects, numpyro NUTS. ``exact`` and ``laplace``
        do not exist for the hierarchical prior.
    pooling_sd : float
        Scale of the HalfNormal prior on the spread :math:`\sigma` of trigger types' effects
        around their pool mean (0.5; the module docstring says why).
    instance_effects : bool
        One random effect per trigger instance (default False).
    instance_sd : float
        Scale of the HalfNormal prior on the instance effects' sd :math:`\sigma_u` (0.5).

    Attributes
    ----------
    idata_, table_, method_, diagnostics_
        As :class:`PiecewiseHazard`.
    instance_effects_ : pandas.DataFrame
        With ``instance_effects=True``: one row per trigger instance in the table
        (:meth:`instance_summary` at ``ci_prob`` 0.9).

    Raises
    ------
    ModelError
        From :meth:`fit`: no trigger-window covariate, ``exact``/``laplace`` sampler, a
        ``beta_priors`` entry for a pooled column, non-positive scales.

    Examples
    --------
    >>> import followon as fo
    >>> triggers = [fo.TriggerWindows(t, cut_days=(0, 30)) for t in
    ...             ("plenary_meeting", "politburo_meeting", "party_congress", "summit")]
    >>> table = fo.build_exposure(fo.load_events(), fo.Outcome("any", "missile_launch"),
    ...                           start="2012-01-01", as_of="2024-07-02", covariates=triggers)
    >>> model = fo.PooledHazard(instance_effects=True).fit(
    ...     table, random_seed=1, progressbar=False)  # doctest: +SKIP
    >>> model.instance_effects_.sort_values("p_gt_0").tail(3)  # doctest: +SKIP
    """

    def __init__(
        self,
        *,
        baseline_shape: float = 2.0,
        baseline_mean: float | None = None,
        beta_sd: float = 1.0,
        beta_priors: Mapping[str, tuple[float, float]] | None = None,
        sampler: str = "auto",
        target_accept: float = 0.95,
        log_likelihood: bool = True,
        pooling_sd: float = 0.5,
        instance_effects: bool = False,
        instance_sd: float = 0.5,
    ) -> None:
        super().__init__(
            baseline_shape=baseline_shape,
            baseline_mean=baseline_mean,
            beta_sd=beta_sd,
            beta_priors=beta_priors,
            sampler=sampler,
            target_accept=target_accept,
            log_likelihood=log_likelihood,
        )
        self.pooling_sd = pooling_sd
        self.instance_effects = instance_effects
        self.instance_sd = instance_sd

    name = "pooled"
    samplers: ClassVar[tuple[str, ...]] = POOLED_SAMPLERS
    options = ("pooling_sd", "instance_effects", "instance_sd")
    min_trigger_windows = 2
    savage_dickey = False
    multi_outcome = False  # its pooling across trigger types is not MultiActionHazard's
    mcmc_methods: ClassVar[tuple[str, ...]] = ("pymc", "nutpie", "numpyro")

    @classmethod
    def fast_sampler(cls, table: ExposureTable, requested: str = "auto") -> str | None:
        """Return None: the hierarchical prior has no conjugate or plain Laplace path."""
        return None

    def check_params(self) -> None:
        """Refuse a sampler the hierarchical prior lacks and bad scales."""
        check_pooled_sampler(self.sampler, POOLED_SAMPLERS)
        if self.sampler == "laplace-is" and self.instance_effects is True:
            raise ModelError(
                "sampler='laplace-is' does not fit instance effects (one more scale and an "
                "effect per meeting: too many dimensions for its proposal); use sampler='auto' "
                "(NUTS with instance effects) or instance_effects=False."
            )
        self._check_prior_scales()
        if not self.pooling_sd > 0 or not self.instance_sd > 0:
            raise ModelError("pooling_sd and instance_sd must be > 0.")
        if not isinstance(self.instance_effects, bool):
            raise ModelError(
                f"instance_effects must be True or False, not {self.instance_effects!r}."
            )

    def validate(self, table: ExposureTable) -> None:
        """Refuse a table without trigger windows to pool, and priors on pooled columns."""
        super().validate(table)
        names = table.covariate_names
        trig_cols, _, _ = trigger_pools(table)
        if not trig_cols:
            raise ModelError(
                "the pooled model needs at least one TriggerWindows covariate, whose effects it "
                f"pools; the table has {', '.join(names) or 'no covariates'}. Use "
                "PiecewiseHazard for this design."
            )
        for key in self.beta_priors or {}:
            if key in trig_cols:
                raise ModelError(
                    f"beta_priors['{key}']: trigger-window effects are pooled in the pooled "
                    "model (pool_mean ~ Normal(0, beta_sd), pool_sd ~ HalfNormal(pooling_sd)); "
                    "set beta_sd or pooling_sd instead, or use PiecewiseHazard."
                )

    def resolve_sampler(self, table: ExposureTable) -> str:
        """``auto``: ``laplace-is`` (numpyro NUTS with instance effects).

        ``laplace-is`` falls back to numpyro NUTS by itself when k̂ > 0.7.
        """
        if self.sampler == "auto" and not self.instance_effects:
            return "laplace-is"
        return check_pooled_sampler(self.sampler, POOLED_SAMPLERS)

    # ------------------------------------------------------------------ fitting
    def _sample_posterior(self, table: ExposureTable, run: Sampling) -> PosteriorSample:
        method, draws, tune, chains = run.method, run.draws, run.tune, run.chains
        rng, random_seed, progressbar = run.rng, run.random_seed, run.progressbar
        prep = self._prepare(table)
        self.posterior_gamma_ = None
        self.importance_ = None
        self.prior_ = {
            "baseline_shape": prep.a,
            "baseline_rate_param": prep.b,
            "beta_mean": prep.mu,
            "beta_sd": prep.sd,
            "pooling_sd": float(self.pooling_sd),
            "instance_sd": float(self.instance_sd),
        }
        self._structure = prep.structure
        self._instances = prep.instances
        self._Z_day = prep.Z_day
        self._seed = 0 if random_seed is None else int(random_seed)
        fallback = None
        if method == "laplace-is":
            found = self._importance(prep, draws * chains, rng)
            if found is not None and found.accepted:
                posterior = {
                    k: v.reshape(chains, draws, *v.shape[1:])
                    for k, v in self._layout_of(prep).unpack(found.theta).items()
                }
                return PosteriorSample(posterior, self._prior_sample(prep, draws, rng))
            method = fallback = DEFAULT_MCMC_SAMPLER
        model = self._model(prep)
        var_names = ["baseline_rate", "beta", "pool_mean", "pool_sd"]
        if self.instance_effects:
            var_names += ["instance_sd", "instance_effect"]
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
        prior = self._prior_sample(prep, draws, rng)
        return PosteriorSample(posterior, prior, stats, method=fallback)

    def _layout_of(self, prep: _Prepared) -> PooledLayout:
        """Return the rows, pools and priors of the ``laplace-is`` path."""
        s = prep.structure
        return PooledLayout(
            X=prep.X,
            y=prep.y,
            exposure=prep.exposure,
            trig=np.asarray(s.trig, dtype=int),
            other=np.asarray(s.other, dtype=int),
            pool_index=np.asarray(s.pool_index, dtype=int),
            n_pools=len(s.pools),
            a=float(prep.a),
            b=float(prep.b),
            mu=np.asarray(prep.mu, dtype=float),
            sd=np.asarray(prep.sd, dtype=float),
            beta_sd=float(self.beta_sd),
            pooling_sd=float(self.pooling_sd),
        )

    def _importance(
        self, prep: _Prepared, n: int, rng: np.random.Generator
    ) -> ImportanceDraws | None:
        """PSIS from the nested Laplace proposal; None (reason kept) when it has no mode."""
        try:
            found = nested_importance(self._layout_of(prep), n=n, rng=rng)
        except ModelError as err:
            self.importance_ = {
                "path": DEFAULT_MCMC_SAMPLER,
                "reason": f"laplace-is fell back to NUTS: {str(err).rstrip('.')}",
            }
            return None
        self.importance_ = importance_record(found, n)
        return found

    def _layout(self, table: ExposureTable) -> tuple[_Structure, np.ndarray, pd.DataFrame]:
        """Which columns are pooled into which pools; each day's trigger instances."""
        names = table.covariate_names
        trig_cols, pools, pool_index = trigger_pools(table)
        data = table.data
        if self.instance_effects:
            Z_day, instances = instance_assignment(
                pd.DatetimeIndex(data["date"]), table.events, table.covariates, design=data[names]
            )
        else:
            Z_day, instances = np.zeros((len(data), 0)), pd.DataFrame()
        structure = _Structure(
            names=list(names),
            trig=[names.index(c) for c in trig_cols],
            other=[j for j, n in enumerate(names) if n not in trig_cols],
            pools=pools,
            pool_index=pool_index,
            instances=instances["event_id"].tolist() if len(instances) else [],
        )
        return structure, Z_day, instances

    def _prepare(self, table: ExposureTable) -> _Prepared:
        """Check the table and parameters; collapse the days; set the priors."""
        check_fit_args(table)
        self.check_params()
        self.validate(table)
        names = table.covariate_names
        data = table.data
        structure, Z_day, instances = self._layout(table)
        patterns, y, exposure = collapse_rows(
            np.hstack([data[names].to_numpy(dtype=float), Z_day]),
            data["events"].to_numpy(dtype=float),
            data["exposure"].to_numpy(dtype=float),
        )
        rate = max(y.sum(), 0.5) / exposure.sum()
        a, b, mu, sd = self._priors(names, rate)
        return _Prepared(
            structure=structure,
            X=patterns[:, : len(names)],
            Z=patterns[:, len(names) :],
            y=y,
            exposure=exposure,
            a=a,
            b=b,
            mu=mu,
            sd=sd,
            Z_day=Z_day,
            instances=instances,
        )

    def build_model(self, table: ExposureTable) -> Any:
        """Return the PyMC model :meth:`fit` samples, without sampling.

        For prior checks, graphs (``pm.model_to_graphviz``) and log densities
        (``model.compile_logp()``). Its rows are the collapsed covariate (and instance)
        patterns; ``beta`` is a deterministic of ``pool_mean``, ``pool_sd``, ``pool_z`` and
        ``beta_other``; ``instance_effect`` of ``instance_sd`` and ``instance_z``.
        """
        return self._model(self._prepare(table))

    def _model(self, prep: _Prepared) -> Any:
        """Build (or reuse, with new data) the PyMC model on collapsed rows."""
        import pymc as pm
        import pytensor.tensor as pt

        s, X, Z, y, exposure = prep.structure, prep.X, prep.Z, prep.y, prep.exposure
        a, b, mu, sd = prep.a, prep.b, prep.mu, prep.sd

        key = (
            tuple(s.names),
            tuple(s.pools),
            tuple(s.pool_index),
            float(a),
            tuple(mu),
            tuple(sd),
            float(self.beta_sd),
            float(self.pooling_sd),
            bool(self.instance_effects),
            float(self.instance_sd),
            tuple(s.instances),
        )
        rows = np.arange(len(y))
        cached = self.__dict__.get("_pooled_model")
        if cached is not None and self.__dict__.get("_pooled_key") == key:
            with cached:
                new: dict[str, Any] = {
                    "log_exposure": np.log(exposure),
                    "y": y,
                    "baseline_prior_rate": float(b),
                    "X": X,
                }
                if self.instance_effects:
                    new["Z"] = Z
                pm.set_data(new, coords={"row": rows})
            return cached
        coords = {
            "covariate": s.names,
            "pool": s.pools,
            "trigger_column": [s.names[j] for j in s.trig],
            "other_covariate": [s.names[j] for j in s.other],
            "instance": s.instances,
            "row": rows,
        }
        # β in covariate order from [β_trigger, β_other]
        order = np.argsort(np.array(s.trig + s.other))
        with pm.Model(coords=coords) as model:
            log_e = pm.Data("log_exposure", np.log(exposure), dims="row")
            yd = pm.Data("y", y, dims="row")
            b_data = pm.Data("baseline_prior_rate", float(b))
            Xd = pm.Data("X", X, dims=("row", "covariate"))
            lam0 = pm.Gamma("baseline_rate", alpha=a, beta=b_data)
            pool_mean = pm.Normal("pool_mean", mu=0.0, sigma=float(self.beta_sd), dims="pool")
            pool_sd = pm.HalfNormal("pool_sd", sigma=float(self.pooling_sd))
            z = pm.Normal("pool_z", mu=0.0, sigma=1.0, dims="trigger_column")
            parts = [pool_mean[s.pool_index] + pool_sd * z]
            if s.other:
                parts.append(
                    pm.Normal(
                        "beta_other", mu=mu[s.other], sigma=sd[s.other], dims="other_covariate"
                    )
                )
            beta = pm.Deterministic("beta", pt.concatenate(parts)[order], dims="covariate")
            eta = pm.math.log(lam0) + log_e + pm.math.dot(Xd, beta)
            if self.instance_effects:
                Zd = pm.Data("Z", Z, dims=("row", "instance"))
                inst_sd = pm.HalfNormal("instance_sd", sigma=float(self.instance_sd))
                w = pm.Normal("instance_z", mu=0.0, sigma=1.0, dims="instance")
                u = pm.Deterministic("instance_effect", inst_sd * w, dims="instance")
                eta = eta + pm.math.dot(Zd, u)
            pm.Poisson("events", mu=pm.math.exp(eta), observed=yd, dims="row")
        self.__dict__["_pooled_model"], self.__dict__["_pooled_key"] = model, key
        return model

    def _prior_sample(
        self, prep: _Prepared, draws: int, rng: np.random.Generator
    ) -> dict[str, np.ndarray]:
        """Draws (1, draws, ...) from the hierarchical prior."""
        s, a, b, mu, sd = prep.structure, prep.a, prep.b, prep.mu, prep.sd
        lam0 = rng.gamma(a, 1.0 / b, size=(1, draws))
        pool_mean = rng.normal(0.0, self.beta_sd, size=(1, draws, len(s.pools)))
        pool_sd = np.abs(rng.normal(0.0, self.pooling_sd, size=(1, draws)))
        beta = np.empty((1, draws, len(s.names)))
        z = rng.normal(size=(1, draws, len(s.trig)))
        beta[..., s.trig] = pool_mean[..., s.pool_index] + pool_sd[..., None] * z
        beta[..., s.other] = rng.normal(mu[s.other], sd[s.other], size=(1, draws, len(s.other)))
        out = {"baseline_rate": lam0, "beta": beta, "pool_mean": pool_mean, "pool_sd": pool_sd}
        if self.instance_effects:
            inst_sd = np.abs(rng.normal(0.0, self.instance_sd, size=(1, draws)))
            out["instance_sd"] = inst_sd
            out["instance_effect"] = inst_sd[..., None] * rng.normal(
                size=(1, draws, len(s.instances))
            )
        return out

    def _idata_dims(self) -> tuple[dict[str, list[str]], dict[str, Any]]:
        dims, coords = super()._idata_dims()
        s = self._structure
        dims.update({"pool_mean": ["pool"], "instance_effect": ["instance"]})
        coords.update({"pool": list(s.pools), "instance": list(s.instances)})
        return dims, coords

    def _idata_attrs(self) -> dict[str, Any]:
        return {"new_instance_seed": self._seed}

    def _pointwise_loglik(self, posterior: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """Per-day log-likelihood with the instance effects on their window days."""
        table = self.table_
        names = table.covariate_names
        lam0 = posterior["baseline_rate"].reshape(-1)
        coef = posterior["beta"].reshape(-1, len(names))
        M = table.data[list(names)].to_numpy(dtype=float)
        if self.instance_effects:
            n_inst = len(self._structure.instances)
            coef = np.hstack([coef, posterior["instance_effect"].reshape(-1, n_inst)])
            M = np.hstack([M, self._Z_day])
        ll = poisson_loglik_rows(
            np.log(lam0),
            coef,
            M,
            table.data["events"].to_numpy(dtype=float),
            np.log(table.data["exposure"].to_numpy(dtype=float)),
        )
        chains = posterior["baseline_rate"].shape[0]
        return ll.reshape(chains, -1, ll.shape[-1])

    def _restore(self, tree: xr.DataTree, table: ExposureTable) -> None:
        """Rebuild the pooling structure and instance indicators of a loaded fit."""
        super()._restore(tree, table)
        self._structure, self._Z_day, self._instances = self._layout(table)
        self._seed = int(tree.attrs.get("new_instance_seed", 0))

    # ------------------------------------------------------------------ instance effects
    def _instance_draws(self, keys: Sequence[str], group: str) -> np.ndarray:
        """Draws (draws, len(keys)) of u: fitted instances' own, new ones from N(0, σ_u)."""
        post = self.idata_[group].dataset
        sd_u = draws_array(post, "instance_sd")
        fitted = draws_array(post, "instance_effect")
        known = {k: j for j, k in enumerate(self._structure.instances)}
        out = np.empty((len(sd_u), len(keys)))
        for c, key in enumerate(keys):
            if key in known:
                out[:, c] = fitted[:, known[key]]
            else:
                out[:, c] = sd_u * _new_instance_rng(self._seed, key).standard_normal(len(sd_u))
        return out

    def _design_instances(self, design: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
        """Instance indicators of a design's rows and their keys."""
        by_date = design.attrs.get(INSTANCES_ATTR)
        if isinstance(design.index, pd.DatetimeIndex):
            dates = design.index
        elif "date" in design.columns:
            dates = pd.DatetimeIndex(design["date"])
        else:
            raise ModelError(
                "with instance_effects the design needs its dates (a DatetimeIndex or a 'date' "
                "column) to tell which trigger instance each day belongs to."
            )
        if by_date is not None:
            per_row = [by_date.get(f"{d:%Y-%m-%d}", []) for d in dates]
            keys = list(dict.fromkeys(k for row in per_row for k in row))
            Z = np.zeros((len(dates), len(keys)))
            for r, row in enumerate(per_row):
                for k in row:
                    Z[r, keys.index(k)] = 1.0
            return Z, keys
        Z, instances = instance_assignment(
            dates, self.table_.events, self.table_.covariates, design=design
        )
        return Z, instances["event_id"].tolist() if len(instances) else []

    def hazard(self, design: pd.DataFrame, *, group: str = "posterior") -> np.ndarray:
        r"""Draws of the daily hazard on ``design``'s rows, shape (draws, rows).

        With instance effects, each row also gets the :math:`u` of the trigger instance(s)
        whose window it is in: fitted ones for instances in the history, a draw from
        :math:`\mathcal N(0, \sigma_u)` per posterior draw for new ones. Designs from
        :meth:`future_design` carry the instances in ``attrs``; other designs (e.g. rows of a
        later exposure table) are matched to the fitted table's events by date.
        """
        base = super().hazard(design, group=group)
        if not self.instance_effects:
            return base
        Z, keys = self._design_instances(design)
        if not keys:
            return base
        return base * np.exp(self._instance_draws(keys, group) @ Z.T)

    def future_design(
        self,
        origin: pd.Timestamp,
        n_days: int,
        *,
        trigger: Mapping[str, Any] | pd.DataFrame | None = None,
        future_events: pd.DataFrame | None = None,
        covariate_path: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Covariates of the days after ``origin`` (:meth:`PiecewiseHazard.future_design`).

        With instance effects, ``attrs["followon_instances"]`` maps each window day (ISO date)
        to its trigger instances; a ``trigger`` without an ``event_id`` is keyed by its type
        and end date (``plenary_meeting@2024-07-01``), a new instance for :meth:`hazard`.
        """
        design = super().future_design(
            origin,
            n_days,
            trigger=trigger,
            future_events=future_events,
            covariate_path=covariate_path,
        )
        if not self.instance_effects:
            return design
        table = self.table_
        frames = [table.events[table.events["date"] <= origin]]
        if trigger is not None:
            frames.append(trigger_frame(trigger, origin))
        if future_events is not None:
            frames.append(future_events)
        events = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        Z, instances = instance_assignment(
            pd.DatetimeIndex(design.index), events, table.covariates, design=design
        )
        keys = instances["event_id"].tolist() if len(instances) else []
        design.attrs[INSTANCES_ATTR] = {
            f"{d:%Y-%m-%d}": [keys[j] for j in np.flatnonzero(Z[r])]
            for r, d in enumerate(design.index)
            if Z[r].any()
        }
        return design

    def simulate_paths(
        self,
        n: int,
        days: int,
        *,
        trigger_date: str | pd.Timestamp | None = None,
        random_seed: int | None = None,
        **kwargs: Any,
    ) -> pd.DataFrame:
        """:meth:`PiecewiseHazard.simulate_paths`, with each path's instance effects."""
        if not self.instance_effects:
            return super().simulate_paths(
                n, days, trigger_date=trigger_date, random_seed=random_seed, **kwargs
            )
        self._check_fitted()
        origin = self.table_.end if trigger_date is None else pd.Timestamp(trigger_date)
        design = self.future_design(origin, check_horizons(days)[0], **kwargs)
        lam0, beta = self._draws()
        Z, keys = self._design_instances(design)
        if keys:  # the instance indicators as extra covariates, u as their coefficients
            extra = pd.DataFrame(Z, index=design.index, columns=[f"instance[{k}]" for k in keys])
            design = pd.concat([design, extra], axis=1)
            beta = np.hstack([beta, self._instance_draws(keys, "posterior")])
        return simulate_paths(
            self.table_, design, lam0, beta, n=n, origin=origin, random_seed=random_seed
        )

    # ------------------------------------------------------------------ results
    def _summary_quantities(self, ci_prob: float) -> list[tuple[str, str, np.ndarray]]:
        r"""Return piecewise rows plus the pooled quantities.

        ``pool_mean[<bin>]`` (kind ``pooled_hazard_ratio``:
        :math:`e^{\mu_k}`), ``pool_sd`` and, with instance effects, ``instance_sd`` (kind ``sd``).
        """
        rows = super()._summary_quantities(ci_prob)
        mu = self.posterior_draws("pool_mean")
        for k, label in enumerate(self._structure.pools):
            rows.append((f"pool_mean[{label}]", "pooled_hazard_ratio", np.exp(mu[:, k])))
        rows.append(("pool_sd", "sd", self.posterior_draws("pool_sd")))
        if self.instance_effects:
            rows.append(("instance_sd", "sd", self.posterior_draws("instance_sd")))
        return rows

    def instance_summary(self, ci_prob: float = 0.9) -> pd.DataFrame:
        """Each trigger instance's own hazard ratio, to tell whether a meeting was unusual.

        Returns
        -------
        pandas.DataFrame
            One row per instance with window days in the table, by end date: ``event_id,
            trigger, type, date, end_date, days`` (its window days in the table), ``events``
            (outcome events on them), ``mean, median, low, high`` of :math:`e^{u_i}` and
            ``p_gt_0`` = P(:math:`u_i` > 0), the chance that this instance raised the hazard
            above a typical one of its type.
        """
        self._check_fitted()
        if not self.instance_effects:
            raise ModelError(
                "this PooledHazard has no instance effects; fit with instance_effects=True."
            )
        interval_bounds(ci_prob)
        u = draws_array(self.idata_["posterior"].dataset, "instance_effect")
        out = self._instances.copy()
        out["days"] = self._Z_day.sum(axis=0).astype(int)
        out["events"] = (self._Z_day * self.table_.data["events"].to_numpy()[:, None]).sum(axis=0)
        stats = pd.DataFrame([summarise_draws(np.exp(u[:, j]), ci_prob) for j in range(u.shape[1])])
        out = pd.concat([out.reset_index(drop=True), stats], axis=1)
        out["p_gt_0"] = (u > 0).mean(axis=0)
        out.attrs["ci_prob"] = ci_prob
        return out

    @property
    def instance_effects_(self) -> pd.DataFrame:
        """:meth:`instance_summary` at ``ci_prob`` = 0.9."""
        return self.instance_summary(0.9)


@dataclasses.dataclass
class _Structure:
    """Which β are pooled, into which pools, and the instances with effects."""

    names: list[str]
    trig: list[int]
    other: list[int]
    pools: list[str]
    pool_index: np.ndarray
    instances: list[str]


@dataclasses.dataclass
class _Prepared:
    """A table made ready for the pooled model: collapsed rows and prior constants."""

    structure: _Structure
    X: np.ndarray
    Z: np.ndarray
    y: np.ndarray
    exposure: np.ndarray
    a: float
    b: float
    mu: np.ndarray
    sd: np.ndarray
    Z_day: np.ndarray
    instances: pd.DataFrame


_MOVED = {
    "MultiActionHazard": "followon.hazard.multi",
    "first_action_probabilities": "followon.hazard.multi",
    "instance_assignment": "followon.exposure.instances",
    "trigger_pools": "followon.exposure.instances",
}


def __getattr__(name: str) -> Any:
    """Names that moved out of this module keep working for one release (with a warning)."""
    if name in _MOVED:
        import importlib
        import warnings

        warnings.warn(
            f"followon.hazard.pooled.{name} moved to {_MOVED[name]}; the old path goes in the "
            "next release.",
            DeprecationWarning,
            stacklevel=2,
        )
        return getattr(importlib.import_module(_MOVED[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
