"""Time-to-first-event models: closed forms, spells, the grid posterior, recovery and SBC."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import optimize, stats

import followon as fo
from followon.errors import ConvergenceWarning, ModelError
from followon.evaluation import sbc_uniformity
from followon.exposure import TriggerWindows
from followon.hazard import survival
from followon.hazard.survival import LogLogisticTTE, TimeToFirstEvent, WeibullTTE, trigger_spells

OUT = fo.Outcome("l", "missile_launch")
MODELS = [WeibullTTE, LogLogisticTTE]
CLOSED_FORMS = {
    WeibullTTE: lambda t, k, s: np.exp(-((t / s) ** k)),
    LogLogisticTTE: lambda t, k, s: 1.0 / (1.0 + (t / s) ** k),
}
SBC_PROB = 0.99
"""Band level per quantity: three quantities at 0.99 keep a correct model's family-wise false
alarm near 3%; the broken likelihood leaves the band by far."""


# ---------------------------------------------------------------------- helpers
def _events(rows: list[dict[str, Any]]) -> pd.DataFrame:
    return fo.validate_events(pd.DataFrame([{"source": "test", **r} for r in rows]))


def _plenum(event_id: str, date: str, end: str | None = None, tags: str = "") -> dict[str, Any]:
    return {"event_id": event_id, "type": "plenary_meeting", "date": date, "end_date": end or date,
            "tags": tags}  # fmt: skip


def _launch(date: str) -> dict[str, Any]:
    return {"event_id": f"L{date}", "type": "missile_launch", "date": date}


def _table(events: pd.DataFrame, trigger: TriggerWindows | None, **kwargs: Any) -> fo.ExposureTable:
    params: dict[str, Any] = {
        "start": "2000-01-01",
        "as_of": "2040-01-01",
        "observed_until": "2100-01-01",
        "covariates": [trigger] if trigger else [],
        "require_events": False,
    }
    return fo.build_exposure(events, OUT, **(params | kwargs))


PLENUM = TriggerWindows("plenary_meeting", (0, 30))


class SpellDesign:
    """Triggers at fixed days; simulated first events placed so the spells come out as drawn.

    Spell *i* runs from trigger end ``e_i`` for ``C_i`` days (to the next trigger's end, or the
    data end for the last). A first event drawn at ``T_i ≤ C_i`` becomes a launch on day
    ``e_i + T_i``; a later one is censored (no launch in the spell, none leaking into the next).
    """

    def __init__(self, gaps: np.ndarray, tail_days: int) -> None:
        start = pd.Timestamp("2000-01-01")
        self.ends = start + pd.to_timedelta(np.cumsum(gaps), unit="D")
        self.censor = np.append(np.asarray(gaps[1:]), tail_days)
        rows = [_plenum(f"P{i:04d}", f"{e:%Y-%m-%d}") for i, e in enumerate(self.ends)]
        as_of = self.ends[-1] + pd.Timedelta(days=tail_days + 1)
        self.table = _table(_events(rows), PLENUM, as_of=as_of)
        self.triggers = self.table.events

    def table_for(self, T: np.ndarray) -> fo.ExposureTable:
        hit = self.censor >= T
        days = self.ends[hit] + pd.to_timedelta(T[hit], unit="D")
        launches = pd.DataFrame(
            {
                "event_id": [f"L{i}" for i in range(int(hit.sum()))],
                "type": "missile_launch",
                "date": days.astype("datetime64[ns]"),
            }
        )
        return dataclasses.replace(
            self.table, events=pd.concat([self.triggers, launches], ignore_index=True)
        )


def _simulate_T(cls: type[TimeToFirstEvent], shape: float, scale: float, u: np.ndarray) -> Any:
    """Day of the first event: the ceiling of the continuous time (P(T = t) = S(t−1) − S(t))."""
    return np.maximum(np.ceil(cls.quantile(u, shape, scale)), 1).astype(int)


class IgnoresCensoring(WeibullTTE):
    """A broken likelihood: censored spells contribute nothing (as if they were not there)."""

    def _loglik_terms(self, t: Any, event: Any, shape: Any, scale: Any) -> np.ndarray:
        terms = super()._loglik_terms(t, event, shape, scale)
        return np.where(np.asarray(event) > 0, terms, 0.0)


# ---------------------------------------------------------------------- closed forms
@pytest.mark.parametrize("cls", MODELS)
def test_survival_matches_closed_forms(cls: type[TimeToFirstEvent]) -> None:
    t = np.array([0.0, 0.5, 1.0, 7.0, 30.0, 60.0, 365.0])[:, None]
    k = np.array([0.4, 1.0, 2.5])[None, :]
    s = 45.0
    np.testing.assert_allclose(cls.survival(t, k, s), CLOSED_FORMS[cls](t, k, s), rtol=1e-12)
    assert np.all(cls.cumulative_hazard(0.0, k, s) == 0.0)
    # the quantile inverts S; the median has its textbook form
    q = np.array([0.1, 0.5, 0.9])
    np.testing.assert_allclose(1 - cls.survival(cls.quantile(q, 1.7, s), 1.7, s), q, rtol=1e-12)
    median = s * np.log(2) ** (1 / 1.7) if cls is WeibullTTE else s
    assert cls.quantile(0.5, 1.7, s) == pytest.approx(median, rel=1e-12)
    # the discrete likelihood is a distribution on days 1, 2, ...
    model = cls()
    days = np.arange(1.0, 2001.0)
    log_p = model._loglik_terms(days, np.ones_like(days), 1.3, 20.0)
    assert np.exp(log_p).sum() == pytest.approx(1 - cls.survival(2000.0, 1.3, 20.0), abs=1e-12)
    np.testing.assert_allclose(
        np.exp(log_p[:3]), -np.diff(cls.survival(np.arange(0.0, 4.0), 1.3, 20.0)), rtol=1e-12
    )
    censored = model._loglik_terms(days[:3], np.zeros(3), 1.3, 20.0)
    np.testing.assert_allclose(censored, np.log(cls.survival(days[:3], 1.3, 20.0)), rtol=1e-12)


# ---------------------------------------------------------------------- spells
@pytest.fixture(scope="module")
def hand_made() -> pd.DataFrame:
    return _events(
        [
            _plenum("P0", "2019-12-20"),  # ends before the window
            _launch("2020-01-05"),  # before any trigger in the window
            _plenum("P1", "2020-01-10", tags="military"),
            _launch("2020-01-20"),  # P1: first event on day 10
            _launch("2020-01-25"),  # a second event: not the first
            _plenum("P2", "2020-02-01", "2020-02-03"),
            _launch("2020-03-01"),  # P2: on the next trigger's end day, still P2's (day 27)
            _plenum("P3", "2020-03-01"),  # ends with P4: no day at risk
            _plenum("P4", "2020-03-01"),
            _plenum("P5", "2020-04-15", tags="military"),  # P4 censored here after 45 days
            _plenum("P6", "2020-05-20"),  # ends on the table's last day: no day at risk
            _launch("2020-05-25"),  # after observed_until: never looked at
            _plenum("P7", "2020-05-30", "2020-06-02"),  # ends after the table's last day
        ]
    )


def test_spells_from_a_hand_made_history(hand_made: pd.DataFrame) -> None:
    table = _table(
        hand_made, PLENUM, start="2020-01-01", as_of="2020-06-01", observed_until="2020-05-20"
    )
    spells = trigger_spells(table)
    expected = pd.DataFrame(
        {
            "event_id": ["P1", "P2", "P3", "P4", "P5", "P6"],
            "end_date": pd.to_datetime(
                ["2020-01-10", "2020-02-03", "2020-03-01", "2020-03-01", "2020-04-15", "2020-05-20"]
            ),
            "T": [10, 27, 0, 45, 35, 0],
            "event": [1, 1, 0, 0, 0, 0],
            # P5: P6 ends on the table's last day; the next trigger is named as the cut
            "reason": ["event", "event", "zero_days", "next_trigger", "next_trigger", "zero_days"],
            "kept": [True, True, False, True, True, False],
        }
    )
    pd.testing.assert_frame_equal(spells, expected, check_dtype=False)
    assert spells.attrs["trigger"] == "plenary_meeting"
    # the model keeps the same frame and fits the kept spells only
    model = WeibullTTE().fit(table, draws=50, chains=2, random_seed=0)
    pd.testing.assert_frame_equal(model.spells_, spells)
    observed = model.idata_["observed_data"]
    assert list(observed["spell"].values) == ["P1", "P2", "P4", "P5"]
    assert observed["T"].values.tolist() == [10, 27, 45, 35]
    assert observed["event"].values.tolist() == [1, 1, 0, 0]
    # tags select the trigger: P1 then P5 (P1's spell now runs to P5's end)
    tagged = _table(
        hand_made,
        TriggerWindows("plenary_meeting", (0, 30), tags=("military",)),
        start="2020-01-01",
        as_of="2020-06-01",
        observed_until="2020-05-20",
    )
    spells = trigger_spells(tagged)
    assert spells[["event_id", "T", "reason"]].values.tolist() == [
        ["P1", 10, "event"],
        ["P5", 35, "data_end"],
    ]


@pytest.mark.parametrize(
    ("cls", "name"), [(WeibullTTE, "weibull"), (LogLogisticTTE, "loglogistic")]
)
def test_a_table_without_trigger_is_refused(
    hand_made: pd.DataFrame, cls: type[TimeToFirstEvent], name: str
) -> None:
    table = _table(hand_made, None, start="2020-01-01", as_of="2020-06-01")
    with pytest.raises(ModelError) as err:
        cls().fit(table)
    assert str(err.value) == (
        f"{name} needs a trigger: give the hypothesis one triggers entry "
        "(e.g. {type: plenary_meeting})."
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"shape_prior": (0.0, 0.0)}, "weibull: shape_prior must be (mean, sd) of log shape "
         "with sd > 0, not (0.0, 0.0)."),
        ({"shape_prior": (0.0,)}, "weibull: shape_prior must be (mean, sd) of log shape with "
         "sd > 0, not (0.0,)."),
        ({"scale_median": -1}, "weibull: scale_median must be a number of days > 0, not -1."),
        ({"scale_median": "60"}, "weibull: scale_median must be a number of days > 0, not '60'."),
        ({"scale_sd_log": float("inf")}, "weibull: scale_sd_log must be a number > 0, not inf."),
        ({"grid_size": 5}, "weibull: grid_size must be a whole number ≥ 20, not 5."),
        ({"sampler": "gird"}, "weibull: sampler 'gird' (did you mean 'grid'?) is not one of auto, grid."),
    ],
)  # fmt: skip
def test_bad_hyperparameters_are_refused(
    hand_made: pd.DataFrame, params: dict[str, Any], message: str
) -> None:
    table = _table(hand_made, PLENUM, start="2020-01-01", as_of="2020-06-01")
    with pytest.raises(ModelError) as err:
        WeibullTTE(**params).fit(table)
    assert str(err.value) == message


def test_bad_calls_are_refused(hand_made: pd.DataFrame) -> None:
    table = _table(hand_made, PLENUM, start="2020-01-01", as_of="2020-06-01")
    with pytest.raises(ModelError, match="not fitted yet; call fit"):
        WeibullTTE().forecast()
    with pytest.raises(ModelError, match="fit expects an ExposureTable"):
        WeibullTTE().fit(table.data)  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="draws and chains must be ≥ 1"):
        WeibullTTE().fit(table, draws=0)
    model = WeibullTTE().fit(table, draws=20, chains=1, random_seed=0)
    with pytest.raises(ModelError, match="horizon 0 is not a whole number"):
        model.forecast(horizons_days=[0])
    with pytest.raises(ModelError, match="group must be 'posterior' or 'prior'"):
        model.forecast(group="likelihood")
    with pytest.raises(ModelError, match="ci_prob must be between 0 and 1"):
        model.summary(ci_prob=1.5)


# ---------------------------------------------------------------------- the grid posterior
def test_save_and_load_round_trip(small_design: SpellDesign, tmp_path: Any) -> None:
    table = small_design.table_for(np.arange(1, 26) * 3)
    model = WeibullTTE().fit(table, draws=200, chains=2, random_seed=3)
    path = model.save(tmp_path / "fit.nc")
    loaded = WeibullTTE.load(path, table)
    assert loaded.get_params() == model.get_params()
    pd.testing.assert_frame_equal(loaded.forecast(None, [30, 60]), model.forecast(None, [30, 60]))
    with pytest.raises(fo.DifferentModelError):
        LogLogisticTTE.load(path, table)


@pytest.fixture(scope="module")
def small_design() -> SpellDesign:
    gaps = np.random.default_rng(5).integers(15, 120, 25)
    return SpellDesign(gaps, tail_days=60)


@pytest.mark.parametrize("cls", MODELS)
def test_flat_prior_mode_is_the_maximum_likelihood_estimate(
    cls: type[TimeToFirstEvent], small_design: SpellDesign
) -> None:
    u = np.random.default_rng(2).random(25)
    table = small_design.table_for(_simulate_T(cls, 1.4, 30.0, u))
    spells = trigger_spells(table)
    spells = spells[spells["kept"]]
    t, d = spells["T"].to_numpy(float), spells["event"].to_numpy(bool)
    assert 0 < (~d).sum() < len(d)  # both kinds of spell

    def negative_loglik(x: np.ndarray) -> float:  # written out again, independently
        k, s = np.exp(x)
        surv = CLOSED_FORMS[cls]
        return -float(
            np.log(surv(t[d] - 1, k, s) - surv(t[d], k, s)).sum() + np.log(surv(t[~d], k, s)).sum()
        )

    mle = optimize.minimize(negative_loglik, [0.0, 3.0], method="Nelder-Mead",
                            options={"xatol": 1e-8, "fatol": 1e-10}).x  # fmt: skip
    model = cls(shape_prior=(0.0, 1000.0), scale_sd_log=1000.0).fit(
        table, draws=100, chains=1, random_seed=0
    )
    grid = model.posterior_grid_
    i, j = np.unravel_index(np.argmax(grid["log_prob"]), grid["log_prob"].shape)
    step = [np.diff(grid["log_shape"][:2])[0], np.diff(grid["log_scale"][:2])[0]]
    assert abs(grid["log_shape"][i] - mle[0]) <= step[0]
    assert abs(grid["log_scale"][j] - mle[1]) <= step[1]
    assert model.diagnostics_.attrs["grid_edge_log_density"] <= -20


@pytest.mark.parametrize("cls", MODELS)
def test_posterior_draws_match_brute_force_integration(
    cls: type[TimeToFirstEvent], small_design: SpellDesign
) -> None:
    u = np.random.default_rng(3).random(25)
    table = small_design.table_for(_simulate_T(cls, 0.8, 50.0, u))
    spells = trigger_spells(table)
    spells = spells[spells["kept"]]
    t, d = spells["T"].to_numpy(float), spells["event"].to_numpy(bool)
    # the default prior, on a fixed wide box, 500 × 500, with the closed-form S
    lk, ls = np.meshgrid(np.linspace(-3, 2, 500), np.linspace(0, 9, 500), indexing="ij")
    k, s = np.exp(lk)[..., None], np.exp(ls)[..., None]
    surv = CLOSED_FORMS[cls]
    with np.errstate(divide="ignore"):
        ll = np.log(surv(t[d] - 1, k, s) - surv(t[d], k, s)).sum(-1) + np.log(
            surv(t[~d], k, s)
        ).sum(-1)
    lp = ll + stats.norm.logpdf(lk, 0, 0.5) + stats.norm.logpdf(ls, np.log(60), 1.5)
    w = np.exp(lp - lp.max())
    w /= w.sum()
    truth = {name: ((w * v).sum(), np.sqrt((w * v**2).sum() - (w * v).sum() ** 2))
             for name, v in (("shape", lk), ("scale", ls))}  # fmt: skip
    model = cls().fit(table, draws=2000, chains=2, random_seed=1)
    for name, (mean, sd) in truth.items():
        draws = np.log(model.idata_["posterior"][name].values.ravel())
        assert draws.mean() == pytest.approx(mean, abs=4 * sd / np.sqrt(4000))
        assert draws.std() == pytest.approx(sd, rel=0.06)


# ---------------------------------------------------------------------- forecasts
@pytest.mark.parametrize("cls", MODELS)
def test_forecast_of_a_point_mass_posterior_is_one_minus_survival(
    cls: type[TimeToFirstEvent], small_design: SpellDesign
) -> None:
    table = small_design.table_for(np.full(25, 10))
    # priors so tight that the data cannot move them: the posterior is (k, σ) = (1.5, 40)
    model = cls(shape_prior=(np.log(1.5), 1e-7), scale_median=40.0, scale_sd_log=1e-7).fit(
        table, draws=200, chains=2, random_seed=0
    )
    horizons = [1, 7, 30, 60, 90]
    f = model.forecast("2030-01-01", horizons)
    p = 1 - CLOSED_FORMS[cls](np.array(horizons, float), 1.5, 40.0)
    for col in ("p_mean", "p_low", "p_high", "p_median"):
        np.testing.assert_allclose(f[col], p, atol=1e-5)
    assert list(f.columns) == ["outcome", "horizon_days", "p_mean", "p_low", "p_high",
                               "p_median", "origin_date", "elapsed_days"]  # fmt: skip
    assert (f["origin_date"] == pd.Timestamp("2030-01-01")).all() and (f["outcome"] == "l").all()
    # ignored arguments change nothing
    same = model.forecast("2030-01-01", horizons, trigger={"type": "summit"}, future_events=None)
    pd.testing.assert_frame_equal(f, same)
    # 20 quiet days: 1 − S(H)/S(20)
    live = model.forecast(horizons_days=[10, 30, 90], elapsed_days=20)
    assert live["horizon_days"].tolist() == [30, 90]
    surv = CLOSED_FORMS[cls]
    np.testing.assert_allclose(
        live["p_mean"],
        1 - surv(np.array([30.0, 90.0]), 1.5, 40.0) / surv(20.0, 1.5, 40.0),
        atol=1e-5,
    )
    assert (live["origin_date"] == table.end).all()
    # the curve is every horizon, increasing; the hazard is 1 − S(t)/S(t−1)
    curve = model.forecast_curve("2030-01-01", 120)
    assert curve["horizon_days"].tolist() == list(range(1, 121))
    assert np.all(np.diff(curve["p_mean"]) > 0)
    design = model.future_design(pd.Timestamp("2030-01-01"), 5, trigger={"type": "summit"})
    assert design.shape == (5, 0) and design.index[0] == pd.Timestamp("2030-01-02")
    h = model.hazard(design)
    assert h.shape == (400, 5)
    days = np.arange(0.0, 6.0)
    np.testing.assert_allclose(h[0], 1 - surv(days[1:], 1.5, 40.0) / surv(days[:-1], 1.5, 40.0),
                               rtol=1e-5)  # fmt: skip
    summary = model.summary()
    assert summary.index.tolist() == ["shape", "scale", "median_days"]
    assert summary.loc["median_days", "median"] == pytest.approx(cls.quantile(0.5, 1.5, 40.0))


def test_fitted_state_and_refit(small_design: SpellDesign) -> None:
    table = small_design.table_for(np.arange(1, 26) * 3)
    model = LogLogisticTTE()
    assert model.get_params() == {"shape_prior": [0.0, 0.5], "scale_median": 60.0,
                                  "scale_sd_log": 1.5, "sampler": "auto", "grid_size": 200}  # fmt: skip
    model.fit(table, draws=300, chains=3, random_seed=7, tune=5, progressbar=False)
    assert model.method_ == "grid" and model.table_ is table
    idata = model.idata_
    assert {"posterior", "prior", "log_likelihood", "observed_data"} <= set(idata.children)
    assert idata["posterior"]["shape"].shape == (3, 300)
    assert idata["prior"]["scale"].shape == (1, 300)
    assert idata.attrs["model_class"] == "LogLogisticTTE" and idata.attrs["method"] == "grid"
    assert idata["log_likelihood"]["T"].shape == (3, 300, int(model.spells_["kept"].sum()))
    diag = model.diagnostics_
    assert diag.empty and list(diag.columns) == ["r_hat", "ess_bulk", "ess_tail"]
    assert diag.attrs["divergences"] == 0
    first = model.idata_["posterior"]["scale"].values.copy()
    model.fit(table, draws=300, chains=3, random_seed=7)
    np.testing.assert_array_equal(model.idata_["posterior"]["scale"].values, first)
    prior = model.forecast(horizons_days=60, group="prior")
    assert 0 < prior["p_low"].iloc[0] < prior["p_mean"].iloc[0] < prior["p_high"].iloc[0] < 1


def test_a_grid_that_cannot_hold_the_mass_warns(
    small_design: SpellDesign, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = small_design.table_for(np.full(25, 10))
    # a ±8 sd box has its edges about 32 below the mode: asked for 50, with one round only
    monkeypatch.setattr(survival, "EDGE_LOG_DENSITY", -50.0)
    monkeypatch.setattr(survival, "MAX_GRID_ROUNDS", 1)
    with pytest.warns(ConvergenceWarning, match="the grid posterior's edge is only"):
        WeibullTTE(grid_size=20).fit(table, draws=10, chains=1, random_seed=0)


def test_no_spell_at_risk_leaves_the_prior(hand_made: pd.DataFrame) -> None:
    table = _table(hand_made, PLENUM, start="2020-05-01", as_of="2020-05-21")
    model = WeibullTTE().fit(table, draws=2000, chains=2, random_seed=0)
    assert model.spells_["reason"].tolist() == ["zero_days"]
    assert model.idata_["observed_data"]["T"].size == 0
    log_k = np.log(model.idata_["posterior"]["shape"].values)
    log_s = np.log(model.idata_["posterior"]["scale"].values)
    assert log_k.mean() == pytest.approx(0.0, abs=0.03) and log_k.std() == pytest.approx(
        0.5, rel=0.05
    )
    assert log_s.mean() == pytest.approx(np.log(60), abs=0.08)
    assert log_s.std() == pytest.approx(1.5, rel=0.05)


# ---------------------------------------------------------------------- slow: recovery, SBC
@pytest.fixture(scope="module")
def recovery_design() -> SpellDesign:
    gaps = np.random.default_rng(11).integers(10, 150, 400)  # about 27% censored
    return SpellDesign(gaps, tail_days=100)


@pytest.mark.slow
@pytest.mark.parametrize(("cls", "shape", "scale"), [(WeibullTTE, 1.3, 50.0),
                                                     (LogLogisticTTE, 1.8, 35.0)])  # fmt: skip
def test_parameter_recovery(
    recovery_design: SpellDesign, cls: type[TimeToFirstEvent], shape: float, scale: float
) -> None:
    u = np.random.default_rng(1).random(400)
    table = recovery_design.table_for(_simulate_T(cls, shape, scale, u))
    model = cls().fit(table, random_seed=13)
    censored = (model.spells_["event"] == 0).mean()
    assert 0.1 < censored < 0.5  # censoring that matters
    s = model.summary(ci_prob=0.9)
    assert s.loc["shape", "low"] < shape < s.loc["shape", "high"], s
    assert s.loc["scale", "low"] < scale < s.loc["scale", "high"], s


@pytest.mark.slow
def test_recovery_fails_when_the_likelihood_ignores_censoring(recovery_design: SpellDesign) -> None:
    u = np.random.default_rng(1).random(400)
    table = recovery_design.table_for(_simulate_T(WeibullTTE, 1.3, 50.0, u))
    s = IgnoresCensoring().fit(table, random_seed=13).summary(ci_prob=0.9)
    assert s.loc["scale", "high"] < 50.0, s  # the censored long spells are lost: σ too small


def _sbc_ranks(
    cls: type[TimeToFirstEvent], n_sims: int, seed: int, horizon_days: int = 60
) -> pd.DataFrame:
    """Ranks of log k, log σ and P(T ≤ H) among 99 posterior draws, one row per replicate."""
    rng = np.random.default_rng(seed)
    design = SpellDesign(rng.integers(20, 250, 40), tail_days=120)
    rows = []
    for _ in range(n_sims):
        shape, scale = np.exp(rng.normal(0.0, 0.5)), np.exp(rng.normal(np.log(60), 1.5))
        table = design.table_for(_simulate_T(cls, shape, scale, rng.random(40)))
        model = cls(grid_size=100).fit(
            table, draws=99, chains=1, random_seed=int(rng.integers(2**31))
        )
        k = model.idata_["posterior"]["shape"].values.ravel()
        s = model.idata_["posterior"]["scale"].values.ravel()
        truth = [np.log(shape), np.log(scale), 1 - cls.survival(horizon_days, shape, scale)]
        draws = [np.log(k), np.log(s), 1 - cls.survival(horizon_days, k, s)]
        rows.append([int((d < t).sum()) for d, t in zip(draws, truth, strict=True)])
    return pd.DataFrame(rows, columns=["log_shape", "log_scale", f"p_event_{horizon_days}d"])


@pytest.mark.slow
@pytest.mark.parametrize("cls", MODELS)
def test_simulation_based_calibration(cls: type[TimeToFirstEvent]) -> None:
    ranks = _sbc_ranks(cls, n_sims=150, seed=21)
    test = sbc_uniformity(ranks, 99, prob=SBC_PROB)
    assert test["inside_band"].all(), test
    assert (test["chi2_p"] > 0.001).all(), test


@pytest.mark.slow
def test_simulation_based_calibration_fails_when_the_likelihood_ignores_censoring() -> None:
    ranks = _sbc_ranks(IgnoresCensoring, n_sims=60, seed=22)
    test = sbc_uniformity(ranks, 99, prob=SBC_PROB)
    for q in ("log_scale", "p_event_60d"):
        assert not test.loc[q, "inside_band"] and test.loc[q, "ecdf_p"] < 1e-3, test


# ---------------------------------------------------------------------- slow: the real record
@pytest.mark.slow
def test_real_catalog_plenums_to_first_launch() -> None:
    table = fo.build_exposure(
        fo.load_events(),
        fo.Outcome("any", "missile_launch"),
        start="2012-01-01",
        as_of="2024-07-02",
        covariates=[TriggerWindows("plenary_meeting", (0, 30))],
    )
    for cls in MODELS:
        model = cls().fit(table, random_seed=1)
        spells = model.spells_
        assert spells["kept"].sum() == len(spells) - 1  # the June 2024 plenum ends on the last day
        assert spells.iloc[-1]["reason"] == "zero_days"
        s = model.summary()
        assert 5 < s.loc["median_days", "median"] < 100, s
        f = model.forecast(horizons_days=[30, 60, 90])
        assert np.all(np.diff(f["p_mean"]) > 0) and f["p_mean"].between(0.2, 0.95).all(), f
        assert model.diagnostics_.attrs["grid_edge_log_density"] <= -20
