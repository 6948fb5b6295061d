r"""Time to the first outcome event after a trigger: Weibull and log-logistic survival models.

The classic survival view of the question (issue 7, item 4), a robustness check on the daily
hazard models: each trigger instance starts a *spell*, and the spell's length is the number of
days until the first outcome event after the trigger ended.

Spells
------
The trigger is the table's first :class:`~followon.exposure.covariates.TriggerWindows`
covariate (its ``type``, ``tags`` and ``where``; its ``cut_days`` play no part here). For each
trigger instance whose end :math:`e_i` (``end_date``, or ``date`` for one-day events) lies in
the table's window ``[start, end]``, the days at risk are :math:`e_i + 1, \dots, e_i + C_i` with

.. math:: C_i = \min(e_{i+1}, \mathrm{end}) - e_i ,

:math:`e_{i+1}` the end of the next trigger (ordered by end day; :math:`+\infty` for the last).
Every day belongs to at most one spell. With :math:`F_i` the first outcome day after
:math:`e_i`, the spell is an **event** at :math:`T_i = F_i - e_i \ge 1` when
:math:`T_i \le C_i`, else **censored** at :math:`T_i = C_i` — by the next trigger (an event on
the next trigger's last day still counts for this spell) or by the end of the data. A spell
with :math:`C_i = 0` (the next trigger ends the same day, or the trigger ends on the table's
last day) has no day at risk: it is dropped, and listed as dropped in ``spells_`` (see
:func:`trigger_spells`). Outcome events after ``end`` (the table's last observed day) are
never looked at.

Models
------
Both are log-location-scale families: with shape :math:`k > 0`, scale :math:`\sigma > 0` days
and :math:`z = k \log(t/\sigma)`, the cumulative hazard is :math:`H(t) = G(z)` and the survival
function :math:`S(t) = e^{-H(t)}`, with

=======================  ==========================  ====================================
model                    :math:`S(t)`                :math:`G(z)`
=======================  ==========================  ====================================
:class:`WeibullTTE`      :math:`\exp(-(t/\sigma)^k)`  :math:`e^{z}`
:class:`LogLogisticTTE`  :math:`1/(1 + (t/\sigma)^k)` :math:`\log(1 + e^{z})`
=======================  ==========================  ====================================

:math:`G` is the only thing the two classes define; everything else lives in
:class:`TimeToFirstEvent`. For both, :math:`k = 1` is the reference shape (Weibull: a constant
hazard, the exponential; log-logistic: a hazard that falls from the start). Weibull hazards are
monotone (rising for :math:`k > 1`, falling for :math:`k < 1`); log-logistic hazards with
:math:`k > 1` rise and then fall. The median time to the first event is
:math:`\sigma (\log 2)^{1/k}` (Weibull) and :math:`\sigma` (log-logistic).

Likelihood (discrete time)
--------------------------
Days are whole: an event on day :math:`t` means the continuous time fell in :math:`(t-1, t]`.
The likelihood is the exact discrete-time one,

.. math::

    L(k, \sigma) = \prod_{i:\ \text{event}} \bigl(S(T_i - 1) - S(T_i)\bigr)
                   \prod_{i:\ \text{censored}} S(T_i),

computed on the log scale as :math:`\log S(T-1) + \log\bigl(1 - e^{-(H(T) - H(T-1))}\bigr)`
for events. (The continuous density :math:`f(T)` would treat a day as a point; with a median
gap of two weeks between launch days and many first events within days of a trigger, the
rounding matters, and the discrete form costs nothing.)

Priors (explicit, overridable)
------------------------------
- :math:`k \sim \mathrm{LogNormal}(0, 0.5)` (``shape_prior=(0.0, 0.5)``, mean and sd of
  :math:`\log k`): centred on the reference shape :math:`k = 1`, with a 90% prior interval of
  0.44–2.28 — room for a hazard that falls after the trigger (act at once or not at all) or
  rises (a delayed response), while ruling out near-deterministic timing (:math:`k \gtrsim 5`)
  that a few dozen spells of day-rounded data could not support anyway.
- :math:`\sigma \sim \mathrm{LogNormal}(\log m, 1.5)` with :math:`m` = ``scale_median`` = 60
  days, a data-independent default, and ``scale_sd_log`` = 1.5: a 90% prior interval of about
  5–700 days for the typical delay, wide enough for responses within the week and for a
  response that in effect never comes within a year.

Inference: an exact grid posterior
----------------------------------
With two parameters the posterior is computed on a grid over :math:`(\log k, \log\sigma)`
(``method_ = "grid"``): the mode is found by BFGS, the negative Hessian there gives a first
box of ±8 sd per axis, and the box is then adapted until the log posterior at its edges is at
least 20 below the maximum (the box grows where mass touches an edge and shrinks to the region
above that level when the mass fills less than a third of it). The ``grid_size × grid_size``
cell values are normalised; ``draws × chains`` independent draws pick cells with those
probabilities and jitter uniformly within the cell. No MCMC, so no MCMC diagnostics.

Forecasts
---------
From a trigger's end, per posterior draw :math:`s`,
:math:`p_s(H) = P(T \le H) = 1 - S_s(H)`; after :math:`d` quiet days
:math:`p_s(H \mid d) = 1 - S_s(H)/S_s(d)`, with draws reweighted by :math:`S_s(d)` (Bayes'
rule), exactly as :func:`~followon.forecasting.probability.horizon_probabilities` does with the
cumulative hazard :math:`H_s = -\log S_s`. The model has no covariates: every trigger of the
fitted type looks alike, so the forecast does not depend on the calendar date of the origin,
and ``trigger``, ``future_events`` and ``covariate_path`` are accepted (for a common interface
with the daily hazard models) and ignored.
"""

from __future__ import annotations

import math
import numbers
import warnings
from abc import abstractmethod
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import numpy as np
import pandas as pd
import xarray as xr
from scipy import optimize

from followon.errors import ConvergenceWarning, ModelError, did_you_mean
from followon.exposure.covariates import TriggerWindows, select_events
from followon.exposure.table import ExposureTable
from followon.hazard.base import HazardModel, PosteriorSample, Sampling

__all__ = [
    "SURVIVAL_SAMPLERS",
    "LogLogisticTTE",
    "TimeToFirstEvent",
    "WeibullTTE",
    "trigger_spells",
]

SURVIVAL_SAMPLERS = ("auto", "grid")
EDGE_LOG_DENSITY = -20.0
"""The grid box is adapted until the log posterior on its edges is this far below the mode."""
MAX_GRID_ROUNDS = 12
"""Rounds of growing or zooming the grid box before giving up (with a ConvergenceWarning)."""
SPELL_COLUMNS = ["event_id", "end_date", "T", "event", "reason", "kept"]


# ---------------------------------------------------------------------- spells
def _first_trigger(table: ExposureTable, model: str) -> TriggerWindows:
    for cov in table.covariates:
        if isinstance(cov, TriggerWindows):
            return cov
    raise ModelError(
        f"{model} needs a trigger: give the hypothesis one triggers entry "
        "(e.g. {type: plenary_meeting})."
    )


def trigger_spells(table: ExposureTable, *, model: str = "time-to-event") -> pd.DataFrame:
    """Spells from each trigger's end to the first outcome event (see the module docstring).

    Parameters
    ----------
    table : ExposureTable
        Its first :class:`~followon.exposure.covariates.TriggerWindows` covariate defines the
        trigger; its events, outcome, ``start`` and ``end`` the spells.
    model : str
        Name used in the error message.

    Returns
    -------
    pandas.DataFrame
        One row per trigger ending in ``[start, end]``, in order of end day:
        ``event_id, end_date, T, event, reason, kept``. ``T`` is the day of the first event
        (``event`` = 1) or the days at risk before censoring (``event`` = 0); ``reason`` is
        ``event``, ``next_trigger`` (cut by the next trigger's end), ``data_end`` (cut by the
        table's last day) or ``zero_days`` (no day at risk: dropped, ``kept`` False).
        ``attrs["trigger"]``: the trigger's column prefix.

    Raises
    ------
    ModelError
        The table has no ``TriggerWindows`` covariate.
    """
    trigger = _first_trigger(table, model)
    chosen = select_events(table.events, trigger.type, tuple(trigger.tags), trigger.where)
    ends = chosen["end_date"].fillna(chosen["date"]).astype("datetime64[ns]")
    frame = pd.DataFrame(
        {
            "event_id": chosen["event_id"].astype(str).to_numpy(),
            "date": chosen["date"].astype("datetime64[ns]").to_numpy(),
            "end_date": ends.to_numpy(),
        }
    )
    frame = frame[(frame["end_date"] >= table.start) & (frame["end_date"] <= table.end)]
    frame = frame.sort_values(["end_date", "date", "event_id"], kind="stable")
    end_day = frame["end_date"].to_numpy(dtype="datetime64[D]")
    last = np.datetime64(table.end, "D")
    next_end = np.append(end_day[1:], np.datetime64("NaT", "D"))
    has_next = ~np.isnat(next_end)
    cut = np.where(has_next & (next_end <= last), next_end, last)
    at_risk = (cut - end_day).astype(int)
    history = table.history
    event_days = np.sort(history.index[history.to_numpy() > 0].to_numpy(dtype="datetime64[D]"))
    idx = np.searchsorted(event_days, end_day, side="right")
    found = idx < len(event_days)
    first = np.full(len(end_day), np.iinfo(np.int64).max)
    first[found] = (event_days[idx[found]] - end_day[found]).astype(int)
    event = (at_risk > 0) & (first <= at_risk)
    reason = np.where(
        at_risk == 0,
        "zero_days",
        np.where(
            event, "event", np.where(has_next & (next_end <= last), "next_trigger", "data_end")
        ),
    )
    out = pd.DataFrame(
        {
            "event_id": frame["event_id"].to_numpy(),
            "end_date": frame["end_date"].to_numpy(),
            "T": np.where(event, first, at_risk).astype("int64"),
            "event": event.astype("int64"),
            "reason": reason.astype(object),
            "kept": at_risk > 0,
        },
        columns=SPELL_COLUMNS,
    )
    out.attrs["trigger"] = trigger.prefix
    return out


# ---------------------------------------------------------------------- the grid posterior
def _hessian(f: Callable[[np.ndarray], float], x: np.ndarray, step: float = 1e-3) -> np.ndarray:
    """Central-difference Hessian of a scalar function of two variables."""
    n = len(x)
    h = np.zeros((n, n))
    e = np.eye(n) * step
    for i in range(n):
        for j in range(i, n):
            h[i, j] = h[j, i] = (
                f(x + e[i] + e[j]) - f(x + e[i] - e[j]) - f(x - e[i] + e[j]) + f(x - e[i] - e[j])
            ) / (4 * step * step)
    return h


def _grid_posterior(
    log_post: Callable[[np.ndarray, np.ndarray], np.ndarray],
    mode: np.ndarray,
    sd: np.ndarray,
    size: int,
    max_rounds: int | None = None,
) -> tuple[list[np.ndarray], np.ndarray, float]:
    """Adapt a box until the log posterior on its edges is below the mode by ``EDGE_LOG_DENSITY``.

    Returns the two axes (cell centres), the normalised log probability of each cell
    (``size × size``) and the largest edge log density relative to the maximum.
    """
    bounds = [[m - 8 * s, m + 8 * s] for m, s in zip(mode, sd, strict=True)]
    edge = 0.0
    for _ in range(MAX_GRID_ROUNDS if max_rounds is None else max_rounds):
        axes = [np.linspace(lo, hi, size) for lo, hi in bounds]
        lp = log_post(axes[0][:, None], axes[1][None, :])
        lp = np.where(np.isfinite(lp), lp, -np.inf) - np.max(lp)
        changed = False
        edge = -np.inf
        for axis in (0, 1):
            profile = lp.max(axis=1 - axis)  # the best value over the other axis
            width = bounds[axis][1] - bounds[axis][0]
            edge = max(edge, profile[0], profile[-1])
            if profile[0] > EDGE_LOG_DENSITY or profile[-1] > EDGE_LOG_DENSITY:
                # mass touches an edge: grow the box on that side
                bounds[axis][0] -= width / 2 if profile[0] > EDGE_LOG_DENSITY else 0.0
                bounds[axis][1] += width / 2 if profile[-1] > EDGE_LOG_DENSITY else 0.0
                changed = True
                continue
            inside = np.flatnonzero(profile > EDGE_LOG_DENSITY)
            lo = axes[axis][max(inside[0] - 1, 0)]
            hi = axes[axis][min(inside[-1] + 1, size - 1)]
            if hi - lo < width / 3:  # the mass fills a small part of the box: zoom in
                pad = (hi - lo) * 0.1
                bounds[axis] = [lo - pad, hi + pad]
                changed = True
        if not changed:
            break
    log_p = lp - np.log(np.exp(lp).sum())
    return axes, log_p, float(edge)


def _normal_logpdf(x: np.ndarray, mean: float, sd: float) -> np.ndarray:
    return -0.5 * ((x - mean) / sd) ** 2 - math.log(sd) - 0.5 * math.log(2 * math.pi)


# ---------------------------------------------------------------------- the models
class TimeToFirstEvent(HazardModel):
    r"""Parametric time from a trigger's end to the first outcome event (module docstring).

    Subclasses define :meth:`_G` (the cumulative hazard in :math:`z = k\log(t/\sigma)`) and
    its inverse :meth:`_G_inv`; nothing else differs between them.

    Parameters
    ----------
    shape_prior : (float, float)
        Mean and sd of :math:`\log k` (default ``(0.0, 0.5)``: k ~ LogNormal(0, 0.5)).
    scale_median : float
        Prior median of the scale :math:`\sigma` in days (default 60).
    scale_sd_log : float
        Prior sd of :math:`\log\sigma` (default 1.5).
    sampler : {"auto", "grid"}
        The exact grid posterior (the only one; ``auto`` is ``grid``).
    grid_size : int
        Grid points per axis (default 200: 40,000 cells).

    Attributes
    ----------
    idata_ : xarray.DataTree
        Groups ``posterior`` (``shape``, ``scale``), ``prior``, ``log_likelihood`` (``T``
        per ``spell``), ``observed_data`` (``T``, ``event`` per ``spell``, the kept spells).
    table_ : ExposureTable
    spells_ : pandas.DataFrame
        Every spell, kept or dropped (:func:`trigger_spells`).
    method_ : str
        ``"grid"``.
    diagnostics_ : pandas.DataFrame
        Empty ``r_hat, ess_bulk, ess_tail`` (independent draws); ``attrs["divergences"]`` = 0,
        ``attrs["grid_edge_log_density"]``: the largest log posterior on the grid's edge
        relative to the mode (≤ −20 when the grid holds the mass; else a
        :class:`~followon.errors.ConvergenceWarning`).
    posterior_grid_ : dict
        ``log_shape``, ``log_scale`` (cell centres) and ``log_prob`` (normalised, per cell).
    """

    name: ClassVar[str] = "time-to-event"
    samplers: ClassVar[tuple[str, ...]] = SURVIVAL_SAMPLERS
    options = ("shape_prior", "scale_median", "scale_sd_log", "grid_size")
    accepts_priors = False
    daily_likelihood = False
    """No daily event likelihood: scenario comparisons (LFO, PSIS-LOO) leave these models out."""
    min_trigger_windows = 1
    takes_covariates = False
    log_likelihood = True

    def __init__(
        self,
        *,
        shape_prior: tuple[float, float] = (0.0, 0.5),
        scale_median: float = 60.0,
        scale_sd_log: float = 1.5,
        sampler: str = "auto",
        grid_size: int = 200,
    ) -> None:
        self.shape_prior = shape_prior
        self.scale_median = scale_median
        self.scale_sd_log = scale_sd_log
        self.sampler = sampler
        self.grid_size = grid_size

    # ------------------------------------------------------------------ the one difference
    @staticmethod
    @abstractmethod
    def _G(z: np.ndarray) -> np.ndarray:
        """Cumulative hazard as a function of ``z = shape · log(t / scale)``."""

    @staticmethod
    @abstractmethod
    def _G_inv(h: np.ndarray) -> np.ndarray:
        """Inverse of :meth:`_G`."""

    # ------------------------------------------------------------------ maths (NumPy)
    @classmethod
    def cumulative_hazard(cls, t: Any, shape: Any, scale: Any) -> np.ndarray:
        r""":math:`H(t) = G(k \log(t/\sigma))`, broadcast over the arguments (H(0) = 0)."""
        t, shape, scale = np.asarray(t, float), np.asarray(shape, float), np.asarray(scale, float)
        with np.errstate(divide="ignore"):
            z = shape * (np.log(t) - np.log(scale))
        return cls._G(z)

    @classmethod
    def survival(cls, t: Any, shape: Any, scale: Any) -> np.ndarray:
        """:math:`S(t) = P(T > t) = e^{-H(t)}`."""
        return np.exp(-cls.cumulative_hazard(t, shape, scale))

    @classmethod
    def quantile(cls, q: Any, shape: Any, scale: Any) -> np.ndarray:
        """Continuous time by which the probability of an event is ``q`` (day: its ceiling)."""
        q, shape, scale = np.asarray(q, float), np.asarray(shape, float), np.asarray(scale, float)
        return scale * np.exp(cls._G_inv(-np.log1p(-q)) / shape)

    def _loglik_terms(
        self, t: np.ndarray, event: np.ndarray, shape: np.ndarray, scale: np.ndarray
    ) -> np.ndarray:
        """Per-spell log-likelihood: log(S(T−1) − S(T)) for events, log S(T) if censored."""
        h_t = self.cumulative_hazard(t, shape, scale)
        h_prev = self.cumulative_hazard(t - 1.0, shape, scale)
        with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
            log_event = -h_prev + np.log(-np.expm1(h_prev - h_t))
        return np.where(event > 0, log_event, -h_t)

    # ------------------------------------------------------------------ parameters
    @classmethod
    def _params_from_json(cls, params: dict[str, Any]) -> dict[str, Any]:
        return {**params, "shape_prior": tuple(params["shape_prior"])}

    def check_params(self) -> None:
        """Refuse a sampler other than the grid and bad prior settings."""
        self._check_params()

    def prior(self, table: ExposureTable) -> dict[str, Any]:
        """Return the prior's constants: Normal means and sds of log shape and log scale."""
        mu_k, sd_k, mu_s, sd_s = self._check_params()
        return {
            "log_shape_mean": mu_k,
            "log_shape_sd": sd_k,
            "log_scale_mean": mu_s,
            "log_scale_sd": sd_s,
        }

    def sample_prior(
        self, draws: int, rng: np.random.Generator, prior: Mapping[str, Any] | None = None
    ) -> dict[str, np.ndarray]:
        """Return draws (1, draws) of ``shape`` and ``scale`` from the prior."""
        p = self.prior_ if prior is None else prior
        with np.errstate(over="ignore"):  # a deliberately flat prior may overflow: inf
            return {
                "shape": np.exp(
                    rng.normal(p["log_shape_mean"], p["log_shape_sd"], size=(1, draws))
                ),
                "scale": np.exp(
                    rng.normal(p["log_scale_mean"], p["log_scale_sd"], size=(1, draws))
                ),
            }

    def resolve_sampler(self, table: ExposureTable) -> str:
        """Return the exact grid posterior."""
        return "grid"

    def validate(self, table: ExposureTable) -> None:
        """Refuse a table without a trigger (its first TriggerWindows covariate)."""
        _first_trigger(table, self.name)

    def _check_params(self) -> tuple[float, float, float, float]:
        name = self.name
        if self.sampler not in SURVIVAL_SAMPLERS:
            raise ModelError(
                f"{name}: sampler '{self.sampler}'"
                f"{did_you_mean(str(self.sampler), SURVIVAL_SAMPLERS)} is not one of "
                f"{', '.join(SURVIVAL_SAMPLERS)}."
            )
        try:
            mean, sd = (float(v) for v in self.shape_prior)
        except (TypeError, ValueError):
            mean, sd = math.nan, math.nan
        if not (math.isfinite(mean) and math.isfinite(sd) and sd > 0):
            raise ModelError(
                f"{name}: shape_prior must be (mean, sd) of log shape with sd > 0, "
                f"not {self.shape_prior!r}."
            )
        for label, value in (
            ("scale_median", self.scale_median),
            ("scale_sd_log", self.scale_sd_log),
        ):
            if (
                isinstance(value, bool)
                or not isinstance(value, numbers.Real)
                or not (math.isfinite(value) and value > 0)
            ):
                unit = " of days" if label == "scale_median" else ""
                raise ModelError(f"{name}: {label} must be a number{unit} > 0, not {value!r}.")
        if (
            isinstance(self.grid_size, bool)
            or not isinstance(self.grid_size, int)
            or self.grid_size < 20
        ):
            raise ModelError(
                f"{name}: grid_size must be a whole number ≥ 20, not {self.grid_size!r}."
            )
        return mean, sd, math.log(self.scale_median), float(self.scale_sd_log)

    # ------------------------------------------------------------------ fitting
    def _sample_posterior(self, table: ExposureTable, run: Sampling) -> PosteriorSample:
        """Build the trigger spells of ``table`` and draw from the exact grid posterior.

        The first ``TriggerWindows`` covariate defines the trigger; other covariates are not
        used. ``draws × chains`` independent draws are stored as ``chains`` chains; ``tune``
        and ``progressbar`` are not used.
        """
        draws, chains, rng = run.draws, run.chains, run.rng
        mu_k, sd_k, mu_s, sd_s = self._check_params()
        spells = trigger_spells(table, model=self.name)
        kept = spells[spells["kept"]]
        t_obs = kept["T"].to_numpy(dtype=float)
        e_obs = kept["event"].to_numpy(dtype=float)
        # sufficient statistics: identical (T, event) pairs share a term
        pairs, weight = (
            np.unique(np.column_stack([t_obs, e_obs]), axis=0, return_counts=True)
            if len(t_obs)
            else (np.zeros((0, 2)), np.zeros(0, dtype=int))
        )
        t_u, e_u, w_u = pairs[:, 0], pairs[:, 1], weight.astype(float)

        def log_post(log_k: np.ndarray, log_s: np.ndarray) -> np.ndarray:
            log_k, log_s = np.broadcast_arrays(np.asarray(log_k, float), np.asarray(log_s, float))
            out = _normal_logpdf(log_k, mu_k, sd_k) + _normal_logpdf(log_s, mu_s, sd_s)
            if len(t_u):
                flat_k, flat_s = log_k.reshape(-1, 1), log_s.reshape(-1, 1)
                ll = np.empty(flat_k.shape[0])
                for i in range(0, len(ll), 4096):  # chunks keep memory small
                    terms = self._loglik_terms(
                        t_u, e_u, np.exp(flat_k[i : i + 4096]), np.exp(flat_s[i : i + 4096])
                    )
                    ll[i : i + 4096] = terms @ w_u
                out = out + ll.reshape(log_k.shape)
            return np.where(np.isnan(out), -np.inf, out)

        def negative(x: np.ndarray) -> float:
            value = float(log_post(np.array(x[0]), np.array(x[1])))
            return -value if math.isfinite(value) else 1e300

        # start from the better of the prior centre and the exponential fit to the spells
        starts = [np.array([mu_k, mu_s])]
        if e_obs.sum() > 0:
            starts.append(np.array([0.0, math.log(t_obs.sum() / e_obs.sum())]))
        x0 = min(starts, key=negative)
        res = optimize.minimize(negative, x0, method="BFGS")
        mode = res.x if negative(res.x) <= negative(x0) else x0
        hess = _hessian(negative, mode)
        sd = np.array([sd_k, sd_s])
        if np.all(np.isfinite(hess)):
            try:
                cov = np.linalg.inv(hess)
                if np.all(np.linalg.eigvalsh(cov) > 0):
                    sd = np.sqrt(np.diag(cov))
            except np.linalg.LinAlgError:
                pass
        axes, log_p, edge = _grid_posterior(log_post, mode, sd, self.grid_size)

        n = draws * chains
        cells = rng.choice(log_p.size, size=n, p=np.exp(log_p.ravel()))
        i, j = np.unravel_index(cells, log_p.shape)
        step = [ax[1] - ax[0] for ax in axes]
        log_k = axes[0][i] + rng.uniform(-0.5, 0.5, n) * step[0]
        log_s = axes[1][j] + rng.uniform(-0.5, 0.5, n) * step[1]
        posterior = {
            "shape": np.exp(log_k).reshape(chains, draws),
            "scale": np.exp(log_s).reshape(chains, draws),
        }
        self.prior_ = self.prior(table)
        prior = self.sample_prior(draws, rng)
        self.spells_ = spells
        self.posterior_grid_ = {"log_shape": axes[0], "log_scale": axes[1], "log_prob": log_p}
        self._grid_edge = edge
        return PosteriorSample(posterior, prior)

    def _diagnostic_note(self) -> str:
        return "independent draws from the exact grid posterior, no MCMC diagnostics"

    def _diagnose(self) -> pd.DataFrame:
        diag = super()._diagnose()
        edge = getattr(self, "_grid_edge", None)
        if edge is None:  # a loaded fit: the grid is not kept
            return diag
        diag.attrs["grid_edge_log_density"] = edge
        if edge > EDGE_LOG_DENSITY:
            warnings.warn(
                f"{type(self).__name__} ({self.table_.outcome.id}): the grid posterior's edge is "
                f"only {-edge:.1f} below the mode after {MAX_GRID_ROUNDS} rounds; the posterior "
                "may be cut off. Check posterior_grid_ or tighten the priors.",
                ConvergenceWarning,
                stacklevel=4,
            )
        return diag

    def _kept_spells(self) -> pd.DataFrame:
        return self.spells_[self.spells_["kept"]]

    def _observed_data(self) -> dict[str, np.ndarray]:
        kept = self._kept_spells()
        return {
            "T": kept["T"].to_numpy(dtype="int64"),
            "event": kept["event"].to_numpy(dtype="int64"),
        }

    def _pointwise_loglik(self, posterior: Mapping[str, np.ndarray]) -> np.ndarray | None:
        kept = self._kept_spells()
        return self._loglik_terms(
            kept["T"].to_numpy(dtype=float),
            kept["event"].to_numpy(dtype=float),
            posterior["shape"][..., None],
            posterior["scale"][..., None],
        )

    def _idata_dims(self) -> tuple[dict[str, list[str]], dict[str, Any]]:
        kept = self._kept_spells()
        return {"T": ["spell"], "event": ["spell"]}, {"spell": kept["event_id"].to_numpy(dtype=str)}

    def _idata_attrs(self) -> dict[str, Any]:
        return {"trigger": str(self.spells_.attrs["trigger"])}

    def _restore(self, tree: xr.DataTree, table: ExposureTable) -> None:
        self.spells_ = trigger_spells(table, model=self.name)

    def _prepare_given(self, table: ExposureTable) -> None:
        self.spells_ = trigger_spells(table, model=self.name)

    # ------------------------------------------------------------------ results
    def _draws(self, group: str = "posterior") -> tuple[np.ndarray, np.ndarray]:
        """Shape and scale draws, chains stacked."""
        self._check_fitted()
        if group not in ("posterior", "prior"):
            raise ModelError(f"group must be 'posterior' or 'prior', not '{group}'.")
        data = self.idata_[group].dataset
        return data["shape"].values.reshape(-1), data["scale"].values.reshape(-1)

    def _summary_quantities(self, ci_prob: float) -> list[tuple[str, str, np.ndarray]]:
        """Shape, scale (days) and ``median_days`` (the continuous median, :meth:`quantile`)."""
        shape, scale = self._draws()
        return [
            ("shape", "shape", shape),
            ("scale", "days", scale),
            ("median_days", "days", self.quantile(0.5, shape, scale)),
        ]

    def future_design(self, origin: pd.Timestamp, n_days: int, **kwargs: Any) -> pd.DataFrame:
        """Days ``origin + 1 … origin + n_days`` as a frame without columns.

        The model has no covariates; keyword arguments such as ``trigger`` are accepted and
        ignored.
        """
        self._check_fitted()
        days = pd.date_range(
            pd.Timestamp(origin) + pd.Timedelta(days=1), periods=n_days, freq="D", name="date"
        )
        return pd.DataFrame(index=days)

    def _cumhaz(self, n_days: int, group: str) -> np.ndarray:
        """H(t) for t = 1 … n_days, per draw: shape (draws, n_days)."""
        shape, scale = self._draws(group)
        t = np.arange(1, n_days + 1, dtype=float)
        return self.cumulative_hazard(t[None, :], shape[:, None], scale[:, None])

    def cumulative_hazard_draws(
        self, design: pd.DataFrame, *, group: str = "posterior"
    ) -> np.ndarray:
        """H(t) on days t = 1 … len(design) after the trigger's end, per draw."""
        return self._cumhaz(len(design), group)

    def _forecast_origin(self, origin: str | pd.Timestamp | None) -> pd.Timestamp:
        """Return the trigger's end (default: the table's last day); it does not move the answer."""
        self._check_fitted()
        return self.table_.end if origin is None else pd.Timestamp(origin)

    def hazard(self, design: pd.DataFrame, *, group: str = "posterior") -> np.ndarray:
        """Discrete daily hazard :math:`h(t) = 1 - S(t)/S(t-1)` on days t = 1 … len(design).

        Rows of ``design`` are the days after a trigger's end (only their number is used).
        Returns an array of shape (draws, rows).
        """
        cumhaz = self._cumhaz(len(design), group)
        previous = np.zeros_like(cumhaz)
        previous[:, 1:] = cumhaz[:, :-1]
        return -np.expm1(previous - cumhaz)


class WeibullTTE(TimeToFirstEvent):
    r"""Weibull time to the first outcome event after a trigger.

    .. math::

        S(t) = \exp\bigl(-(t/\sigma)^k\bigr), \qquad H(t) = (t/\sigma)^k, \qquad
        h_{\text{cont}}(t) = \frac{k}{\sigma}\Bigl(\frac{t}{\sigma}\Bigr)^{k-1},

    with the discrete-time likelihood, the priors :math:`k \sim \mathrm{LogNormal}(0, 0.5)`,
    :math:`\sigma \sim \mathrm{LogNormal}(\log 60, 1.5)` and the grid posterior described in
    :mod:`followon.hazard.survival`. Median time to the first event :math:`\sigma(\log 2)^{1/k}`.

    Parameters
    ----------
    shape_prior : (float, float)
        Mean and sd of :math:`\log k` (default ``(0.0, 0.5)``).
    scale_median : float
        Prior median of :math:`\sigma`, days (default 60).
    scale_sd_log : float
        Prior sd of :math:`\log\sigma` (default 1.5).
    sampler : {"grid"}
    grid_size : int
        Grid points per axis (default 200).

    Examples
    --------
    >>> import followon as fo
    >>> from followon.exposure import TriggerWindows
    >>> from followon.hazard.survival import WeibullTTE
    >>> table = fo.build_exposure(
    ...     fo.load_events(), fo.Outcome("any", "missile_launch"), start="2012-01-01",
    ...     as_of="2024-07-02", covariates=[TriggerWindows("plenary_meeting", (0, 30))])
    >>> model = WeibullTTE().fit(table, random_seed=1)
    >>> model.method_
    'grid'
    """

    name: ClassVar[str] = "weibull"

    @staticmethod
    def _G(z: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return np.exp(z)

    @staticmethod
    def _G_inv(h: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(h)


class LogLogisticTTE(TimeToFirstEvent):
    r"""Log-logistic time to the first outcome event after a trigger.

    .. math::

        S(t) = \frac{1}{1 + (t/\sigma)^k}, \qquad H(t) = \log\bigl(1 + (t/\sigma)^k\bigr),
        \qquad h_{\text{cont}}(t) = \frac{(k/\sigma)(t/\sigma)^{k-1}}{1 + (t/\sigma)^k},

    with the discrete-time likelihood, the priors :math:`k \sim \mathrm{LogNormal}(0, 0.5)`,
    :math:`\sigma \sim \mathrm{LogNormal}(\log 60, 1.5)` and the grid posterior described in
    :mod:`followon.hazard.survival`. The median time to the first event is :math:`\sigma`; the
    hazard rises then falls when :math:`k > 1` (a response that, if it has not come by a few
    weeks, becomes ever less likely).

    Parameters
    ----------
    shape_prior : (float, float)
        Mean and sd of :math:`\log k` (default ``(0.0, 0.5)``).
    scale_median : float
        Prior median of :math:`\sigma`, days (default 60).
    scale_sd_log : float
        Prior sd of :math:`\log\sigma` (default 1.5).
    sampler : {"grid"}
    grid_size : int
        Grid points per axis (default 200).
    """

    name: ClassVar[str] = "loglogistic"

    @staticmethod
    def _G(z: np.ndarray) -> np.ndarray:
        return np.logaddexp(0.0, z)

    @staticmethod
    def _G_inv(h: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return np.log(np.expm1(h))
