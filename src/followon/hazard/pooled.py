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

MultiActionHazard
-----------------
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
import logging
import warnings
import zlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import xarray as xr
from scipy.special import gammaln

from followon._version import __version__
from followon.errors import ConvergenceWarning, ModelError, did_you_mean
from followon.exposure.covariates import TriggerWindows, _days_since_latest, _select
from followon.exposure.table import ExposureTable
from followon.forecasting.probability import _interval, check_horizons, horizon_probabilities
from followon.hazard.piecewise import (
    DEFAULT_MCMC_SAMPLER,
    ESS_MIN,
    RHAT_MAX,
    PiecewiseHazard,
    _draws_array,
    _enable_jax_cache,
    _trigger_frame,
    check_fit_args,
)

__all__ = ["POOLED_SAMPLERS", "MultiActionHazard", "PooledHazard", "first_action_probabilities"]

POOLED_SAMPLERS = ("auto", "pymc", "nutpie", "numpyro")
"""Samplers of the hierarchical models: MCMC only (no conjugate or Laplace path)."""

_INSTANCES_ATTR = "followon_instances"
"""``design.attrs`` key: ISO date → trigger instances whose window covers that day."""


# ---------------------------------------------------------------------- pooling structure
def _trigger_windows(table: ExposureTable) -> list[TriggerWindows]:
    return [c for c in table.covariates if isinstance(c, TriggerWindows)]


def trigger_pools(table: ExposureTable) -> tuple[list[str], list[str], np.ndarray]:
    """Return the trigger-window columns, the pool (bin) labels and each column's pool index.

    A column ``"{prefix}[{bin}]"`` of a :class:`TriggerWindows` covariate belongs to the pool
    named ``bin``; pools are listed in order of first appearance.
    """
    columns: list[str] = []
    labels: list[str] = []
    index: list[int] = []
    for cov in _trigger_windows(table):
        for col in cov.columns():
            label = col[len(cov.prefix) + 1 : -1]
            if label not in labels:
                labels.append(label)
            columns.append(col)
            index.append(labels.index(label))
    return columns, labels, np.asarray(index, dtype=int)


def _window_columns(cov: TriggerWindows) -> list[str]:
    return [c for c in cov.columns() if not c.endswith("[during]")]


def _instance_key(event_id: Any, cov: TriggerWindows, end: np.datetime64) -> str:
    if event_id is None or pd.isna(event_id) or str(event_id) == "":
        return f"{cov.type}@{pd.Timestamp(end):%Y-%m-%d}"
    return str(event_id)


def instance_assignment(
    days: pd.DatetimeIndex,
    events: pd.DataFrame,
    covariates: Sequence[Any],
    design: pd.DataFrame | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """Which trigger instance's window each day is in.

    Parameters
    ----------
    days : DatetimeIndex
    events : DataFrame
        Events known (the trigger instances are picked from it with each
        :class:`TriggerWindows` covariate's type, tags and filters).
    covariates : sequence of Covariate
        The table's builders; only :class:`TriggerWindows` ones matter.
    design : DataFrame, optional
        The covariate values on ``days`` (same rows). When given it decides whether a day is
        in a window at all; a window day no known instance explains (a trigger after the
        fitted history, an imposed covariate path) goes to an ``unknown:`` instance, one per
        covariate and run of consecutive days.

    Returns
    -------
    Z : ndarray, shape (days, instances)
        1 on the days of each instance's window (days ``lo … hi`` after its end, ``lo`` and
        ``hi`` the first and last cut; ``overlap="latest"``: only the latest trigger's).
    instances : DataFrame
        One row per instance with at least one day: ``event_id, trigger`` (covariate
        prefixes, ``;``-joined), ``type, date, end_date``.
    """
    d = days.values.astype("datetime64[D]")
    member_of: dict[str, np.ndarray] = {}
    meta: dict[str, dict[str, Any]] = {}

    def add(key: str, rows: np.ndarray, info: dict[str, Any], prefix: str) -> None:
        if not rows.any():
            return
        if key in member_of:
            member_of[key] |= rows
            if prefix not in meta[key]["trigger"].split(";"):
                meta[key]["trigger"] += f";{prefix}"
        else:
            member_of[key] = rows.copy()
            meta[key] = {"event_id": key, "trigger": prefix, **info}

    for cov in covariates:
        if not isinstance(cov, TriggerWindows):
            continue
        trig = _select(events, cov.type, cov.tags, cov.where)
        ends = (
            trig["end_date"]
            .fillna(trig["date"])
            .to_numpy(dtype="datetime64[ns]")
            .astype("datetime64[D]")
        )
        starts = trig["date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        ids = trig["event_id"].tolist() if "event_id" in trig.columns else [None] * len(trig)
        named = np.array([not (i is None or pd.isna(i) or str(i) == "") for i in ids], dtype=bool)
        # a trigger without an id on the end date of a known one (a forecast's `trigger=`
        # repeating a meeting in the history) is that meeting, not a second instance
        keep = named | ~np.isin(ends, ends[named])
        ends, starts, named = ends[keep], starts[keep], named[keep]
        ids = [i for i, k in zip(ids, keep, strict=True) if k]
        keys = [_instance_key(i, cov, e) for i, e in zip(ids, ends, strict=True)]
        lo, hi = float(cov.cut_days[0]), float(cov.cut_days[-1])
        if cov.overlap == "latest":
            lags = _days_since_latest(days, ends)
            inside = (lags >= lo) & (lags <= hi)
            anchor = np.full(len(d), np.datetime64("NaT", "D"))
            anchor[inside] = d[inside] - lags[inside].astype("timedelta64[D]")
            owner = {e: j for j, e in enumerate(ends)}  # the last listed of equal ends
            member = np.zeros((len(d), len(keys)), dtype=bool)
            for e, j in owner.items():
                member[:, j] = inside & (anchor == e)
        else:
            lag = (d[:, None] - ends[None, :]).astype(float)
            member = (lag >= lo) & (lag <= hi)
        if design is not None:
            in_window = design[_window_columns(cov)].to_numpy(dtype=float).max(axis=1) > 0
            member &= in_window[:, None]
            unknown = in_window & ~member.any(axis=1)
            run_start = unknown & ~np.r_[False, unknown[:-1]]
            run_id = np.cumsum(run_start) * unknown
            for r in range(1, int(run_id.max(initial=0)) + 1):
                rows = run_id == r
                first = pd.Timestamp(days[np.flatnonzero(rows)[0]])
                key = f"unknown:{cov.prefix}@{first:%Y-%m-%d}"
                info = {"type": cov.type, "date": pd.NaT, "end_date": pd.NaT}
                add(key, rows, info, cov.prefix)
        for j, key in enumerate(keys):
            info = {
                "type": cov.type,
                "date": pd.Timestamp(starts[j]),
                "end_date": pd.Timestamp(ends[j]),
            }
            add(key, member[:, j], info, cov.prefix)

    def when(k: str) -> tuple[bool, pd.Timestamp, str]:
        end = meta[k]["end_date"]
        return (bool(pd.isna(end)), pd.Timestamp.max if pd.isna(end) else end, k)

    order = sorted(meta, key=when)
    Z = (
        np.column_stack([member_of[k] for k in order]).astype(float)
        if order
        else np.zeros((len(d), 0))
    )
    instances = pd.DataFrame(
        [meta[k] for k in order], columns=["event_id", "trigger", "type", "date", "end_date"]
    )
    return Z, instances


def _collapse(
    M: np.ndarray, y: np.ndarray, exposure: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sum events and exposure per distinct row of ``M`` (covariates, instance indicators)."""
    if M.shape[1] == 0:
        return np.zeros((1, 0)), np.array([y.sum()], dtype=float), np.array([exposure.sum()])
    patterns, inverse = np.unique(M, axis=0, return_inverse=True)
    inverse = inverse.ravel()
    n = len(patterns)
    return (
        patterns,
        np.bincount(inverse, weights=y, minlength=n),
        np.bincount(inverse, weights=exposure, minlength=n),
    )


def _poisson_loglik(
    log_lam0: np.ndarray, coef: np.ndarray, M: np.ndarray, y: np.ndarray, log_e: np.ndarray
) -> np.ndarray:
    """Per-row Poisson log-likelihood, shape (draws, rows), one linear predictor per pattern."""
    if M.shape[1]:
        patterns, inverse = np.unique(M, axis=0, return_inverse=True)
        eta_p = log_lam0[:, None] + coef @ patterns.T
        eta = eta_p[:, inverse.ravel()] + log_e[None, :]
    else:
        eta = log_lam0[:, None] + log_e[None, :]
    return y[None, :] * eta - np.exp(eta) - gammaln(y + 1.0)[None, :]


def _sample(
    model: Any,
    *,
    method: str,
    draws: int,
    tune: int,
    chains: int,
    random_seed: int | None,
    progressbar: bool,
    target_accept: float,
    var_names: Sequence[str],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Run ``pm.sample`` on a built model; return posterior arrays (chain, draw, ...) and stats."""
    import pymc as pm

    if method == "numpyro":
        _enable_jax_cache()
    logger = logging.getLogger("pymc")
    level = logger.level
    if not progressbar:
        logger.setLevel(logging.WARNING)
    if method == "numpyro":
        return _numpyro_nuts(
            model,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            progressbar=progressbar,
            target_accept=target_accept,
            var_names=var_names,
        )
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
                target_accept=target_accept,
            )
    finally:
        logger.setLevel(level)
    post = idata["posterior"].dataset
    posterior = {name: np.asarray(post[name].values) for name in var_names}
    stats: dict[str, np.ndarray] = {}
    if "sample_stats" in idata.children and "diverging" in idata["sample_stats"]:
        stats["diverging"] = np.asarray(idata["sample_stats"]["diverging"].values, dtype=bool)
    return posterior, stats


class _JaxRunner:
    """numpyro NUTS on a PyMC model's log density, with the data as *arguments*.

    ``pm.sample(nuts_sampler="numpyro")`` bakes ``pm.Data`` values into the JAX program as
    constants, so every refit on new data (an SBC replicate, a backtest origin) recompiles it
    (≈ 3 s). Here the data variables are replaced by symbolic inputs of the same log density
    (PyMC's own ``model.logp()``, Jacobians included, jaxified by PyMC), and numpyro's
    ``jit_model_args`` keeps one compiled sampler per data shape: a refit costs the sampling.
    """

    def __init__(
        self, model: Any, *, draws: int, tune: int, chains: int, target_accept: float
    ) -> None:
        import numpyro  # type: ignore[import-untyped]
        import numpyro.distributions as dist  # type: ignore[import-untyped]
        import pytensor.tensor as pt
        from numpyro.infer import MCMC, NUTS  # type: ignore[import-untyped]
        from pymc.sampling.jax import get_jaxified_graph
        from pytensor.graph.replace import graph_replace

        self.model = model
        self.data_vars = list(model.data_vars)
        symbolic = [
            pt.tensor(name=d.name, dtype=d.dtype, shape=(None,) * d.ndim) for d in self.data_vars
        ]
        logp = graph_replace(
            model.logp(), dict(zip(self.data_vars, symbolic, strict=True)), strict=False
        )
        self.value_vars = list(model.value_vars)
        logp_fn = get_jaxified_graph(inputs=[*self.value_vars, *symbolic], outputs=[logp])
        point = model.initial_point()
        shapes = [tuple(np.shape(point[v.name])) for v in self.value_vars]
        names = [v.name for v in self.value_vars]

        def numpyro_model(data: tuple[Any, ...]) -> None:
            values = [
                numpyro.sample(n, dist.ImproperUniform(dist.constraints.real, (), shape))
                for n, shape in zip(names, shapes, strict=True)
            ]
            numpyro.factor("logp", logp_fn(*values, *data)[0])

        self.mcmc = MCMC(
            NUTS(numpyro_model, target_accept_prob=target_accept),
            num_warmup=tune,
            num_samples=draws,
            num_chains=chains,
            chain_method="sequential",
            progress_bar=False,
            jit_model_args=True,
        )
        self._outputs: dict[tuple[str, ...], Any] = {}

    def outputs(self, var_names: Sequence[str]) -> Any:
        """Jaxified map from the value variables to the named variables (constrained)."""
        key = tuple(var_names)
        if key not in self._outputs:
            from pymc.sampling.jax import get_jaxified_graph

            graphs = self.model.replace_rvs_by_values([self.model[v] for v in var_names])
            self._outputs[key] = get_jaxified_graph(inputs=self.value_vars, outputs=graphs)
        return self._outputs[key]

    def run(
        self, *, random_seed: int | None, progressbar: bool, var_names: Sequence[str]
    ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        import jax

        seed = int(np.random.default_rng(random_seed).integers(2**31 - 1))
        self.mcmc.progress_bar = progressbar
        data = tuple(np.asarray(d.get_value()) for d in self.data_vars)
        self.mcmc.run(jax.random.PRNGKey(seed), data, extra_fields=("diverging",))
        samples = self.mcmc.get_samples(group_by_chain=True)
        values = [samples[v.name] for v in self.value_vars]
        out = jax.vmap(jax.vmap(self.outputs(var_names)))(*values)
        posterior = {n: np.asarray(v) for n, v in zip(var_names, out, strict=True)}
        diverging = self.mcmc.get_extra_fields(group_by_chain=True)["diverging"]
        return posterior, {"diverging": np.asarray(diverging, dtype=bool)}


def _numpyro_nuts(
    model: Any,
    *,
    draws: int,
    tune: int,
    chains: int,
    random_seed: int | None,
    progressbar: bool,
    target_accept: float,
    var_names: Sequence[str],
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Sample ``model`` by numpyro NUTS, reusing the compiled sampler the model carries."""
    import pymc.sampling.jax  # noqa: F401 - turns on JAX float64 as PyMC does

    _enable_jax_cache()
    key = (draws, tune, chains, float(target_accept))
    cached = getattr(model, "_followon_runner", None)
    if cached is None or cached[0] != key:
        runner = _JaxRunner(
            model, draws=draws, tune=tune, chains=chains, target_accept=target_accept
        )
        model._followon_runner = (key, runner)
    else:
        runner = cached[1]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "There are not enough devices", UserWarning)
        return runner.run(random_seed=random_seed, progressbar=progressbar, var_names=var_names)


def _new_instance_rng(seed: int, key: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(key.encode())])


def _check_sampler(sampler: str) -> str:
    if sampler in ("exact", "laplace"):
        raise ModelError(
            f"sampler='{sampler}' is not available for the hierarchical prior (no conjugate or "
            f"Laplace path); use one of {', '.join(POOLED_SAMPLERS)}."
        )
    if sampler not in POOLED_SAMPLERS:
        raise ModelError(
            f"sampler '{sampler}'{did_you_mean(sampler, POOLED_SAMPLERS)} is not one of "
            f"{', '.join(POOLED_SAMPLERS)}."
        )
    return DEFAULT_MCMC_SAMPLER if sampler == "auto" else sampler


def _convergence(
    idata: xr.DataTree, who: str
) -> pd.DataFrame:  # the gates of PiecewiseHazard._diagnose
    import arviz as az

    summary = az.summary(idata, kind="diagnostics", round_to="none")
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
            stacklevel=4,
        )
    return diag


def _summarise(values: np.ndarray, ci_prob: float) -> dict[str, float]:
    lo, hi = _interval(ci_prob)
    return {
        "mean": float(values.mean()),
        "median": float(np.median(values)),
        "low": float(np.quantile(values, lo)),
        "high": float(np.quantile(values, hi)),
    }


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
    sampler : {"auto", "pymc", "nutpie", "numpyro"}
        ``auto`` (default): :data:`~followon.hazard.piecewise.DEFAULT_MCMC_SAMPLER` (numpyro).
        ``exact`` and ``laplace`` do not exist for the hierarchical prior.
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
    >>> model = fo.hazard.pooled.PooledHazard(instance_effects=True).fit(
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

    def get_params(self) -> dict[str, Any]:
        """Return the constructor parameters (JSON-able)."""
        return {
            **super().get_params(),
            "pooling_sd": self.pooling_sd,
            "instance_effects": self.instance_effects,
            "instance_sd": self.instance_sd,
        }

    def _check_params(self, names: Sequence[str]) -> None:
        _check_sampler(self.sampler)
        if not self.pooling_sd > 0 or not self.instance_sd > 0:
            raise ModelError("pooling_sd and instance_sd must be > 0.")
        if not isinstance(self.instance_effects, bool):
            raise ModelError(
                f"instance_effects must be True or False, not {self.instance_effects!r}."
            )
        saved, self.sampler = self.sampler, "pymc"  # the parent knows no pooled-only sampler
        try:
            super()._check_params(names)
        finally:
            self.sampler = saved

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
    ) -> PooledHazard:
        """Fit to an exposure table by NUTS; return ``self``.

        Parameters
        ----------
        table : ExposureTable
            With at least one :class:`~followon.TriggerWindows` covariate.
        draws, tune, chains : int
        random_seed : int, optional
            Seeds the sampler, the prior draws and the instance effects of new triggers in
            forecasts.
        progressbar : bool

        Raises
        ------
        ModelError
            See the class docstring.

        Warns
        -----
        ConvergenceWarning
            R-hat > 1.01, bulk ESS < 400 or any divergence, naming the parameters.
        """
        prep = self._prepare(table)
        if draws < 1 or chains < 1 or tune < 0:
            raise ModelError("draws and chains must be ≥ 1 and tune ≥ 0.")
        method = _check_sampler(self.sampler)
        model = self._model(prep)
        structure = prep.structure
        var_names = ["baseline_rate", "beta", "pool_mean", "pool_sd"]
        if self.instance_effects:
            var_names += ["instance_sd", "instance_effect"]
        posterior, stats = _sample(
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
        prior = self._prior_sample(prep, draws, rng)
        self.table_ = table
        self.method_ = method
        self.posterior_gamma_ = None
        self.prior_ = {
            "baseline_shape": prep.a,
            "baseline_rate_param": prep.b,
            "beta_mean": prep.mu,
            "beta_sd": prep.sd,
            "pooling_sd": float(self.pooling_sd),
            "instance_sd": float(self.instance_sd),
        }
        self._structure = structure
        self._instances = prep.instances
        self._Z_day = prep.Z_day
        self._seed = 0 if random_seed is None else int(random_seed)
        self.idata_ = self._assemble(posterior, prior, stats, structure.names)
        self.diagnostics_ = self._diagnose(structure.names)
        return self

    def _prepare(self, table: ExposureTable) -> _Prepared:
        """Check the table and parameters; collapse the days; set the priors."""
        check_fit_args(table)
        names = table.covariate_names
        self._check_params(names)
        trig_cols, pools, pool_index = trigger_pools(table)
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
        data = table.data
        if self.instance_effects:
            Z_day, instances = instance_assignment(
                pd.DatetimeIndex(data["date"]), table.events, table.covariates, design=data[names]
            )
        else:
            Z_day, instances = np.zeros((len(data), 0)), pd.DataFrame()
        patterns, y, exposure = _collapse(
            np.hstack([data[names].to_numpy(dtype=float), Z_day]),
            data["events"].to_numpy(dtype=float),
            data["exposure"].to_numpy(dtype=float),
        )
        rate = max(y.sum(), 0.5) / exposure.sum()
        a, b, mu, sd = self._priors(names, rate)
        structure = _Structure(
            names=list(names),
            trig=[names.index(c) for c in trig_cols],
            other=[j for j, n in enumerate(names) if n not in trig_cols],
            pools=pools,
            pool_index=pool_index,
            instances=instances["event_id"].tolist() if len(instances) else [],
        )
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

    def _assemble(
        self,
        posterior: dict[str, np.ndarray],
        prior: dict[str, np.ndarray],
        sample_stats: dict[str, np.ndarray],
        names: Sequence[str],
        **_: Any,
    ) -> xr.DataTree:
        s = self._structure
        return super()._assemble(
            posterior,
            prior,
            sample_stats,
            names,
            dims={"pool_mean": ["pool"], "instance_effect": ["instance"]},
            coords={"pool": list(s.pools), "instance": list(s.instances)},
            attrs={"new_instance_seed": self._seed},
        )

    def _pointwise_loglik(
        self, posterior: Mapping[str, np.ndarray], names: Sequence[str]
    ) -> np.ndarray:
        """Per-day log-likelihood with the instance effects on their window days."""
        table = self.table_
        lam0 = posterior["baseline_rate"].reshape(-1)
        coef = posterior["beta"].reshape(-1, len(names))
        M = table.data[list(names)].to_numpy(dtype=float)
        if self.instance_effects:
            n_inst = len(self._structure.instances)
            coef = np.hstack([coef, posterior["instance_effect"].reshape(-1, n_inst)])
            M = np.hstack([M, self._Z_day])
        ll = _poisson_loglik(
            np.log(lam0),
            coef,
            M,
            table.data["events"].to_numpy(dtype=float),
            np.log(table.data["exposure"].to_numpy(dtype=float)),
        )
        chains = posterior["baseline_rate"].shape[0]
        return ll.reshape(chains, -1, ll.shape[-1])

    @classmethod
    def load(cls, path: str | Path, table: ExposureTable) -> PooledHazard:
        """Load a fit saved by :meth:`save` (see :meth:`PiecewiseHazard.load`)."""
        model = super().load(path, table)
        assert isinstance(model, PooledHazard)
        names = table.covariate_names
        trig_cols, pools, pool_index = trigger_pools(table)
        if model.instance_effects:
            Z_day, instances = instance_assignment(
                pd.DatetimeIndex(table.data["date"]),
                table.events,
                table.covariates,
                design=table.data[names],
            )
        else:
            Z_day, instances = np.zeros((len(table.data), 0)), pd.DataFrame()
        model._structure = _Structure(
            names=list(names),
            trig=[names.index(c) for c in trig_cols],
            other=[j for j, n in enumerate(names) if n not in trig_cols],
            pools=pools,
            pool_index=pool_index,
            instances=instances["event_id"].tolist() if len(instances) else [],
        )
        model._instances, model._Z_day = instances, Z_day
        model._seed = int(model.idata_.attrs.get("new_instance_seed", 0))
        return model

    # ------------------------------------------------------------------ instance effects
    def _instance_draws(self, keys: Sequence[str], group: str) -> np.ndarray:
        """Draws (draws, len(keys)) of u: fitted instances' own, new ones from N(0, σ_u)."""
        post = self.idata_[group].dataset
        sd_u = _draws_array(post, "instance_sd")
        fitted = _draws_array(post, "instance_effect")
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
        by_date = design.attrs.get(_INSTANCES_ATTR)
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
            frames.append(_trigger_frame(trigger, origin))
        if future_events is not None:
            frames.append(future_events)
        events = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
        Z, instances = instance_assignment(
            pd.DatetimeIndex(design.index), events, table.covariates, design=design
        )
        keys = instances["event_id"].tolist() if len(instances) else []
        design.attrs[_INSTANCES_ATTR] = {
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
        from followon.forecasting.simulate import simulate_paths

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
    def summary(self, ci_prob: float = 0.9) -> pd.DataFrame:
        r"""Return :meth:`PiecewiseHazard.summary` plus the pooled quantities.

        Extra rows: ``pool_mean[<bin>]`` (kind ``pooled_hazard_ratio``: :math:`e^{\mu_k}`,
        the hazard ratio of a typical trigger type), ``pool_sd`` and, with instance effects,
        ``instance_sd`` (kind ``sd``).
        """
        out = super().summary(ci_prob)
        post = self.idata_["posterior"].dataset
        rows = []
        mu = _draws_array(post, "pool_mean")
        for k, label in enumerate(self._structure.pools):
            rows.append((f"pool_mean[{label}]", "pooled_hazard_ratio", np.exp(mu[:, k])))
        rows.append(("pool_sd", "sd", _draws_array(post, "pool_sd")))
        if self.instance_effects:
            rows.append(("instance_sd", "sd", _draws_array(post, "instance_sd")))
        extra = pd.DataFrame(
            [
                {
                    "parameter": name,
                    "kind": kind,
                    **_summarise(v, ci_prob),
                    "p_gt_1": float((v > 1).mean()) if kind != "sd" else np.nan,
                }
                for name, kind, v in rows
            ]
        ).set_index("parameter")
        if "r_hat" in out.columns:
            extra["r_hat"] = self.diagnostics_["r_hat"].reindex(extra.index)
            extra["ess_bulk"] = self.diagnostics_["ess_bulk"].reindex(extra.index)
        out = pd.concat([out, extra])
        out.attrs["ci_prob"] = ci_prob
        return out

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
        _interval(ci_prob)
        u = _draws_array(self.idata_["posterior"].dataset, "instance_effect")
        out = self._instances.copy()
        out["days"] = self._Z_day.sum(axis=0).astype(int)
        out["events"] = (self._Z_day * self.table_.data["events"].to_numpy()[:, None]).sum(axis=0)
        stats = pd.DataFrame([_summarise(np.exp(u[:, j]), ci_prob) for j in range(u.shape[1])])
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


# ---------------------------------------------------------------------- several actions
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


def first_action_probabilities(hazards: np.ndarray) -> dict[str, np.ndarray]:
    r"""P(each outcome is the first action), P(tie), P(none) per draw, in closed form.

    Parameters
    ----------
    hazards : ndarray, shape (outcomes, draws, days)
        Daily hazards :math:`\lambda_{o,h}` on days 1 … H after the origin.

    Returns
    -------
    dict
        ``first`` (outcomes, draws): P(*o*'s first day is strictly before every other
        outcome's, within H); ``tie`` (draws): P(the first action day within H has two or more
        outcomes); ``none`` (draws): P(no outcome within H). They sum to one per draw (see the
        module docstring for the formulae).
    """
    lam = np.asarray(hazards, dtype=float)
    if lam.ndim != 3 or lam.shape[2] < 1:
        raise ModelError("hazards must have shape (outcomes, draws, days) with days ≥ 1.")
    total = lam.sum(axis=0)  # (draws, days)
    cum = np.cumsum(total, axis=1)
    before = np.exp(-np.concatenate([np.zeros((len(total), 1)), cum[:, :-1]], axis=1))
    q = -np.expm1(-lam)  # P(o on day h)
    alone = q * np.exp(-(total[None] - lam))  # o on day h, no other outcome that day
    first = (before[None] * alone).sum(axis=2)
    any_day = -np.expm1(-total)
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
        NUTS target acceptance (0.95, as :class:`PooledHazard`).
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
        target_accept: float = 0.95,
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
        import arviz as az

        prep = self._prepare(tables)
        method = _check_sampler(self.sampler)
        if draws < 1 or chains < 1 or tune < 0:
            raise ModelError("draws and chains must be ≥ 1 and tune ≥ 0.")
        outcomes, names, first = prep.outcomes, prep.names, tables[prep.outcomes[0]]
        a, b, mu, sd = prep.a, prep.b, prep.mu, prep.sd
        model = self._model(prep)
        var_names = ["baseline_rate", *(["pool_mean", "pool_sd", "beta"] if names else [])]
        posterior, stats = _sample(
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
        idata = az.from_dict(
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
        self.diagnostics_ = _convergence(idata, f"{type(self).__name__} ({', '.join(outcomes)})")
        return self

    def _prepare(self, tables: Mapping[str, ExposureTable]) -> _MultiPrepared:
        """Check tables and parameters; stack the outcomes' collapsed rows; set the priors."""
        outcomes = self._check_tables(tables)
        _check_sampler(self.sampler)
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
            X, y, e = _collapse(
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
                n: np.asarray(v.values) for n, v in self.idata_["sample_stats"].dataset.items()
            }
        view.idata_ = view._assemble(groups["posterior"], groups["prior"], stats, names)
        view.idata_.attrs["view_of"] = f"{type(self).__name__}:{outcome}"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # the joint fit warned already
            view.diagnostics_ = view._diagnose(names)
        self._views[outcome] = view
        return view

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
        _interval(ci_prob)
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
        lo, hi = _interval(ci_prob)
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
        _interval(ci_prob)
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
            mu, tau = _draws_array(post, "pool_mean"), _draws_array(post, "pool_sd")
            rows = []
            for j, n in enumerate(names):
                hr = np.exp(mu[:, j])
                rows.append(
                    {
                        "outcome": "pooled",
                        "parameter": f"pool_mean[{n}]",
                        "kind": "pooled_hazard_ratio",
                        **_summarise(hr, ci_prob),
                        "p_gt_1": float((hr > 1).mean()),
                    }
                )
                rows.append(
                    {
                        "outcome": "pooled",
                        "parameter": f"pool_sd[{n}]",
                        "kind": "sd",
                        **_summarise(tau[:, j], ci_prob),
                        "p_gt_1": np.nan,
                    }
                )
            frames.append(pd.DataFrame(rows))
        out = pd.concat(frames, ignore_index=True)
        out.attrs["ci_prob"] = ci_prob
        return out
