"""Samplers: PyMC's NUTS backends and numpyro NUTS with one compiled model per structure.

``sample_glm`` samples the piecewise model's Poisson GLM (one PyMC model per covariate list,
with data and priors set into it, so refits and prior-sensitivity refits reuse it and its
compiled numpyro sampler); ``sample_pymc_model`` samples any built PyMC
model, by ``pm.sample`` or, for numpyro, by :class:`JaxRunner`, which keeps one compiled
sampler per data shape so refits on new data cost the sampling only.
"""

from __future__ import annotations

import gc
import logging
import os
import sys
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import numpy as np

from followon._lazy import jax_loaded
from followon._memory import release_freed_memory

__all__ = [
    "DEFAULT_MCMC_SAMPLER",
    "JaxRunner",
    "enable_jax_cache",
    "glm_model",
    "numpyro_nuts",
    "release_compiled_samplers",
    "release_sampling_loops",
    "sample_glm",
    "sample_pymc_model",
]

DEFAULT_MCMC_SAMPLER = "numpyro"
"""The backend ``sampler="auto"`` uses when MCMC is needed: numpyro (JAX) compiles a model in
about 5 s on a fresh machine where PyMC's C backend and nutpie's numba take about 50 s
(docs/samplers.md has the measurements)."""


def enable_jax_cache() -> None:
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


GLM_MODELS: OrderedDict[tuple[str, ...], Any] = OrderedDict()
"""The piecewise model's PyMC models, one per covariate list (most recently used last).

Data *and* priors are ``pm.Data``, so every fit with the same covariates — a refit on new
data, a leave-future-out block, a prior-sensitivity refit, another model instance — sets new
values into one model; the numpyro path then reuses the sampler compiled for it
(:func:`numpyro_nuts`)."""
GLM_MODELS_KEPT = 8
"""How many covariate lists :data:`GLM_MODELS` keeps (older ones are dropped)."""
PAD_LOG_EXPOSURE = -300.0
"""Log exposure of the rows the numpyro path pads with: with ``y = 0`` and ``x = 0`` such a
row adds ``-λ0·e⁻³⁰⁰`` (≈ 1e-131) to the log density, below one ulp of it."""


def padded_rows(n: int) -> int:
    """Return the rows the numpyro path pads ``n`` rows to (one compiled shape for many sizes).

    The next multiple of a quarter of n's leading power of two, at least 8: tables that grow by
    a few comparison blocks share one shape, at most a quarter more rows.
    """
    step = max(8, 2 ** (max(n, 1).bit_length() - 3))
    return -(-n // step) * step


def glm_model(names: Sequence[str], data: dict[str, Any]) -> Any:
    """Return the cached PyMC Poisson GLM for covariates ``names`` with ``data`` set into it."""
    import pymc as pm

    key = tuple(names)
    rows = np.arange(len(data["y"]))
    model = GLM_MODELS.get(key)
    if model is None:
        coords = {"covariate": list(names), "row": rows}
        with pm.Model(coords=coords) as model:
            log_e = pm.Data("log_exposure", data["log_exposure"], dims="row")
            yd = pm.Data("y", data["y"], dims="row")
            a_data = pm.Data("baseline_prior_shape", data["baseline_prior_shape"])
            b_data = pm.Data("baseline_prior_rate", data["baseline_prior_rate"])
            lam0 = pm.Gamma("baseline_rate", alpha=a_data, beta=b_data)
            eta = pm.math.log(lam0) + log_e
            if len(names):
                Xd = pm.Data("X", data["X"], dims=("row", "covariate"))
                mu = pm.Data("beta_mean", data["beta_mean"], dims="covariate")
                sd = pm.Data("beta_sd", data["beta_sd"], dims="covariate")
                beta = pm.Normal("beta", mu=mu, sigma=sd, dims="covariate")
                eta = eta + pm.math.dot(Xd, beta)
            pm.Poisson("events", mu=pm.math.exp(eta), observed=yd, dims="row")
        GLM_MODELS[key] = model
        while len(GLM_MODELS) > GLM_MODELS_KEPT:
            GLM_MODELS.popitem(last=False)
    else:
        GLM_MODELS.move_to_end(key)
        with model:
            pm.set_data(data, coords={"row": rows})
    return model


def sample_glm(
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
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """Sample the Poisson GLM; one PyMC model (and numpyro sampler) per covariate list.

    numpyro: the rows are padded to :func:`padded_rows` with rows that add nothing, so refits
    on tables of nearby sizes run the sampler compiled once (the result depends on the table
    and the seed only, not on what was fitted before).
    """
    log_e = np.log(exposure)
    if method == "numpyro":
        pad = padded_rows(len(y)) - len(y)
        y = np.concatenate([y, np.zeros(pad)])
        log_e = np.concatenate([log_e, np.full(pad, PAD_LOG_EXPOSURE)])
        X = np.vstack([X, np.zeros((pad, X.shape[1]))])
    data: dict[str, Any] = {
        "log_exposure": log_e,
        "y": y,
        "baseline_prior_shape": float(a),
        "baseline_prior_rate": float(b),
    }
    if len(names):
        data.update(X=X, beta_mean=np.asarray(mu, float), beta_sd=np.asarray(sd, float))
    model = glm_model(names, data)
    var_names = ["baseline_rate", "beta"] if len(names) else ["baseline_rate"]
    posterior, stats = sample_pymc_model(
        model,
        method=method,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        progressbar=progressbar,
        target_accept=target_accept,
        var_names=var_names,
    )
    if not len(names):
        posterior["beta"] = np.zeros((chains, draws, 0))
    return posterior, stats


def sample_pymc_model(
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
    if method == "numpyro":  # numpyro_nuts turns on the JAX cache itself
        return numpyro_nuts(
            model,
            draws=draws,
            tune=tune,
            chains=chains,
            random_seed=random_seed,
            progressbar=progressbar,
            target_accept=target_accept,
            var_names=var_names,
        )
    post, stats = _pm_sample(
        model,
        method=method,
        draws=draws,
        tune=tune,
        chains=chains,
        random_seed=random_seed,
        progressbar=progressbar,
        target_accept=target_accept,
    )
    return {name: np.asarray(post[name].values) for name in var_names}, stats


def _pm_sample(
    model: Any,
    *,
    method: str,
    draws: int,
    tune: int,
    chains: int,
    random_seed: int | None,
    progressbar: bool,
    target_accept: float,
) -> tuple[Any, dict[str, np.ndarray]]:
    """``pm.sample`` quietly (no PyMC log lines unless a progress bar is asked for).

    Returns the posterior dataset and ``{"diverging": ...}`` when the sampler reports it.
    """
    import pymc as pm

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
                target_accept=target_accept,
            )
    finally:
        logger.setLevel(level)
    stats: dict[str, np.ndarray] = {}
    if "sample_stats" in idata.children and "diverging" in idata["sample_stats"]:
        stats["diverging"] = np.asarray(idata["sample_stats"]["diverging"].values, dtype=bool)
    return idata["posterior"].dataset, stats


class JaxRunner:
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
        try:
            self.mcmc.run(jax.random.PRNGKey(seed), data, extra_fields=("diverging",))
        finally:
            release_sampling_loops()
            release_freed_memory()  # the compiler's freed heap back to the OS
        samples = self.mcmc.get_samples(group_by_chain=True)
        values = [samples[v.name] for v in self.value_vars]
        out = jax.vmap(jax.vmap(self.outputs(var_names)))(*values)
        posterior = {n: np.asarray(v) for n, v in zip(var_names, out, strict=True)}
        diverging = self.mcmc.get_extra_fields(group_by_chain=True)["diverging"]
        return posterior, {"diverging": np.asarray(diverging, dtype=bool)}


def release_sampling_loops() -> None:
    """Drop the executables of numpyro's sampling loop, which every ``MCMC.run`` compiles anew.

    numpyro jits ``_fori_collect_loop`` with its loop body as a *static* argument, and that body
    is a new jitted object on every run, so each run compiles the loop again (a fraction of a
    second; the NUTS step it calls stays compiled) and JAX's cache keeps every old executable.
    Each holds a few hundred memory mappings: a process with a few hundred refits (a test
    session, an SBC study, a notebook running several scenarios) reached Linux's 65 530-mapping
    limit and crashed inside the XLA compiler. Clearing only this function's cache keeps the
    mappings flat at the same refit speed (measured: 4 pooled refits, +460 mappings each
    before, +0 after, 3–4 s each both ways); ``jax.clear_caches()`` would also drop the compiled
    NUTS step and make each refit 14 s.
    """
    import jax
    from numpyro.util import _fori_collect_loop  # type: ignore[import-untyped]

    loop: Any = jax.jit(_fori_collect_loop, static_argnums=(0, 1), donate_argnums=3)
    loop.clear_cache()


COMPILED_ATTRS = ("_pooled_model", "_pooled_key", "_multi_model", "_multi_key")
"""Attributes in which a fitted model keeps its PyMC model (and numpyro sampler) for refits."""


def release_compiled_samplers(models: Sequence[Any] = ()) -> None:
    """Drop the PyMC models and compiled samplers kept for refits, and give the memory back.

    A scenario run keeps them while it refits (comparison blocks, prior sensitivity); once its
    fits are done they only hold memory (≈ 60–150 MB per model structure, XLA executables and
    PyTensor graphs) while the report is written. ``models``: fitted models whose own cached
    PyMC model (:data:`COMPILED_ATTRS`) goes too; their draws and results stay, and a later
    refit builds the model again. Also empties :data:`GLM_MODELS` and JAX's caches.
    """
    for model in models:
        for name in COMPILED_ATTRS:
            vars(model).pop(name, None)
    GLM_MODELS.clear()
    if jax_loaded():
        sys.modules["jax"].clear_caches()
    gc.collect()
    release_freed_memory()


def numpyro_nuts(
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

    enable_jax_cache()
    key = (draws, tune, chains, float(target_accept))
    cached = getattr(model, "_followon_runner", None)
    if cached is None or cached[0] != key:
        runner = JaxRunner(
            model, draws=draws, tune=tune, chains=chains, target_accept=target_accept
        )
        model._followon_runner = (key, runner)
    else:
        runner = cached[1]
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "There are not enough devices", UserWarning)
        return runner.run(random_seed=random_seed, progressbar=progressbar, var_names=var_names)
