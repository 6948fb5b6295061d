"""PooledHazard and MultiActionHazard.

Default tier (no MCMC): the pooled prior's log density against a hand computation, the
assignment of days to trigger instances on a hand-made calendar, forecasts and first-action
probabilities on fixed posterior draws against closed forms, error messages. The sampler is
replaced either by fixed draws or by draws through the real PyMC graph
(``sample_prior_predictive``, compiled in FAST_COMPILE mode so no C compiler runs).

Slow tier (``-m slow``, real numpyro NUTS): recovery with a rare trigger that borrows strength,
multi-action recovery, SBC of the pooled model (and that it flags a broken likelihood), and
the real catalog.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import followon as fo
from followon.errors import ConvergenceWarning, ModelError
from followon.exposure.instances import instance_assignment, trigger_pools
from followon.hazard import multi, pooled
from followon.hazard.metropolis import Mode, metropolis
from followon.hazard.multi import MultiActionHazard, first_action_probabilities
from followon.hazard.pooled import PooledHazard
from followon.hazard.pooled_importance import log_density, nested_importance

T = pd.Timestamp


def patch_sampler(monkeypatch: pytest.MonkeyPatch, sampler: object) -> None:
    """Replace the NUTS run of both hierarchical models (pooled and multi-action)."""
    monkeypatch.setattr(pooled, "sample_pymc_model", sampler)
    monkeypatch.setattr(multi, "sample_pymc_model", sampler)


OUT = fo.Outcome("l", "missile_launch")
TYPES = ("plenary_meeting", "politburo_meeting", "party_congress")


# ---------------------------------------------------------------------- simulated data
def simulate(
    n_days: int,
    lam0: float,
    triggers: dict[str, tuple[int, float]],
    *,
    window: int = 30,
    balloon: tuple[float, dict[str, float]] | None = None,
    seed: int = 0,
    start: str = "2000-01-01",
    instance_sd: float = 0.0,
) -> pd.DataFrame:
    """Launch days from a known hazard; trigger type t every ``every`` days with hazard ratio hr.

    ``triggers = {type: (every, hr)}``; one-day triggers at ``every/2 + k·every``; the hazard
    is multiplied by ``hr · exp(u_i)`` (u_i ~ N(0, instance_sd)) on days 0 … ``window`` after
    trigger i (a later trigger of the same type takes over, as ``overlap="latest"``).
    ``balloon = (rate, {type: hr})`` adds a second outcome (balloon_launch) with its own rate
    and trigger effects.
    """
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=n_days, freq="D")
    log_ratio = np.zeros(n_days)
    log_ratio_b = np.zeros(n_days)
    rows = []
    for t, (every, hr) in triggers.items():
        owner = np.zeros(n_days)
        u = np.zeros(n_days)
        for i in range(every // 2, n_days, every):
            rows.append(
                {"event_id": f"{t}-{i}", "type": t, "date": f"{days[i]:%Y-%m-%d}", "source": "s"}
            )
            owner[i : i + window + 1] = 1.0
            u[i : i + window + 1] = rng.normal(0.0, instance_sd) if instance_sd else 0.0
        log_ratio += owner * (np.log(hr) + u)
        if balloon is not None:
            log_ratio_b += owner * np.log(balloon[1].get(t, 1.0))
    outcomes = [("missile_launch", lam0 * np.exp(log_ratio))]
    if balloon is not None:
        outcomes.append(("balloon_launch", balloon[0] * np.exp(log_ratio_b)))
    for etype, lam in outcomes:
        hit = rng.random(n_days) < -np.expm1(-lam)
        rows += [
            {
                "event_id": f"{etype}-{i}",
                "type": etype,
                "date": f"{days[i]:%Y-%m-%d}",
                "source": "s",
            }
            for i in np.flatnonzero(hit)
        ]
    return fo.validate_events(pd.DataFrame(rows))


def windows(cut_days: tuple[int, ...] = (0, 30), types: tuple[str, ...] = TYPES) -> list:
    return [fo.TriggerWindows(t, cut_days=cut_days) for t in types]


def table_for(
    events: pd.DataFrame,
    covariates,
    outcome: fo.Outcome = OUT,
    *,
    start: str = "2000-01-01",
    as_of: str = "2008-01-01",
) -> fo.ExposureTable:
    return fo.build_exposure(
        events,
        outcome,
        start=start,
        as_of=as_of,
        covariates=covariates,
        observed_until="2030-01-01",
    )


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return simulate(
        3000,
        0.02,
        {
            "plenary_meeting": (120, 2.0),
            "politburo_meeting": (90, 1.5),
            "party_congress": (1400, 2.5),
        },
        balloon=(0.01, {"plenary_meeting": 3.0}),
        seed=3,
    )


# ---------------------------------------------------------------------- fake samplers
def graph_sampler(model, *, draws, chains, random_seed, var_names, **kwargs):
    """Draws through the real PyMC graph (from the prior): var names, dims, deterministics."""
    import pymc as pm

    idata = pm.sample_prior_predictive(
        draws * chains,
        model=model,
        random_seed=random_seed,
        var_names=list(var_names),
        compile_kwargs={"mode": "FAST_COMPILE"},
    )
    prior = idata["prior"].dataset
    out = {v: prior[v].values.reshape(chains, draws, *prior[v].shape[2:]) for v in var_names}
    return out, {"diverging": np.zeros((chains, draws), dtype=bool)}


def fixed_sampler(values: dict[str, np.ndarray]):
    def run(model, *, var_names, **kwargs):
        return {v: values[v] for v in var_names}, {}

    return run


# ---------------------------------------------------------------------- the pooled prior
def test_trigger_columns_pool_by_bin_label(events: pd.DataFrame) -> None:
    covs = [
        fo.TriggerWindows("plenary_meeting", cut_days=(0, 30, 90)),
        fo.Season("quarter"),
        fo.TriggerWindows("politburo_meeting", cut_days=(0, 30), during=True),
    ]
    table = table_for(events, covs)
    columns, pools, index = trigger_pools(table)
    assert columns == [
        "plenary_meeting[0-30]",
        "plenary_meeting[31-90]",
        "politburo_meeting[0-30]",
        "politburo_meeting[during]",
    ]
    assert pools == ["0-30", "31-90", "during"]
    assert index.tolist() == [0, 1, 0, 2]


def _hand_logp(table, point, *, instance: bool, pooling_sd=0.5, beta_sd=1.0, inst_sd=0.5):
    """Log posterior (no Jacobian) with the daily likelihood, from scratch."""
    names = table.covariate_names
    data = table.data
    y = data["events"].to_numpy(dtype=float)
    rate = y.sum() / len(y)
    lam0 = np.exp(point["baseline_rate_log__"])
    sigma = np.exp(point["pool_sd_log__"])
    mu, z = point["pool_mean"], point["pool_z"]
    beta = np.zeros(len(names))
    beta[[0, 1, 3]] = mu[0] + sigma * z  # plenary, politburo, congress [0-30] share pool 0
    beta[2] = point["beta_other"][0]  # the era, the one non-trigger column
    lp = stats.gamma.logpdf(lam0, 2.0, scale=rate / 2.0)
    lp += stats.norm.logpdf(mu, 0, beta_sd).sum() + stats.halfnorm.logpdf(sigma, scale=pooling_sd)
    lp += stats.norm.logpdf(z).sum() + stats.norm.logpdf(point["beta_other"], 0, 1).sum()
    eta = np.log(lam0) + data[names].to_numpy(dtype=float) @ beta
    if instance:
        s_u = np.exp(point["instance_sd_log__"])
        w = point["instance_z"]
        lp += stats.halfnorm.logpdf(s_u, scale=inst_sd) + stats.norm.logpdf(w).sum()
        Z, _ = instance_assignment(
            pd.DatetimeIndex(data["date"]), table.events, table.covariates, data[names]
        )
        eta = eta + Z @ (s_u * w)
    return lp + stats.poisson.logpmf(y, np.exp(eta)).sum()


def _random_point(rng: np.random.Generator, n_inst: int | None = None) -> dict:
    """A point of the pooled model's free variables (PyMC's names); instances if n_inst."""
    point = {
        "baseline_rate_log__": np.log(0.02) + rng.normal(0, 0.3),
        "pool_mean": rng.normal(0, 1, size=1),
        "pool_sd_log__": np.array(rng.normal(-1, 0.5)),
        "pool_z": rng.normal(0, 1, size=3),
        "beta_other": rng.normal(0, 1, size=1),
    }
    if n_inst is not None:
        point["instance_sd_log__"] = np.array(rng.normal(-1, 0.5))
        point["instance_z"] = rng.normal(0, 1, size=n_inst)
    return point


@pytest.mark.parametrize("instance", [False, True])
def test_log_density_matches_a_hand_computation(events: pd.DataFrame, instance: bool) -> None:
    covs = [*windows()[:2], fo.Era("moratorium", "2003-01-01", "2004-12-31"), windows()[2]]
    table = table_for(events, covs)
    model = PooledHazard(instance_effects=instance).build_model(table)
    free = {v.name for v in model.free_RVs}
    expected = {"baseline_rate", "pool_mean", "pool_sd", "pool_z", "beta_other"}
    assert free == expected | ({"instance_sd", "instance_z"} if instance else set())
    assert {v.name for v in model.deterministics} == {"beta"} | (
        {"instance_effect"} if instance else set()
    )
    logp = model.compile_logp(jacobian=False, mode="FAST_COMPILE")
    rng = np.random.default_rng(0)
    n_inst = len(model.coords["instance"])
    points = [_random_point(rng, n_inst if instance else None) for _ in range(2)]
    # the collapsed likelihood equals the daily one up to a parameter-free constant
    got = [float(logp(p)) for p in points]
    want = [_hand_logp(table, p, instance=instance) for p in points]
    assert got[0] - got[1] == pytest.approx(want[0] - want[1], rel=1e-9, abs=1e-8)
    if instance:
        # one effect per plenum, Politburo meeting and congress with window days in the table
        assert n_inst == table.events["type"].isin(TYPES).sum()


# ---------------------------------------------------------------------- instance assignment
def test_instance_assignment_on_a_hand_made_calendar() -> None:
    rows = [
        ("S1", "summit", "2019-12-20", "2019-12-21"),
        ("P1", "plenary_meeting", "2020-01-05", "2020-01-08"),
        ("S2", "summit", "2020-01-10", "2020-01-10"),
        ("P2", "plenary_meeting", "2020-01-20", "2020-01-20"),
        ("B1", "politburo_meeting", "2020-01-25", "2020-01-25"),
        ("L1", "missile_launch", "2020-01-22", "2020-01-22"),
    ]
    ev = fo.validate_events(
        pd.DataFrame(
            [
                {"event_id": i, "type": t, "date": d, "end_date": e, "source": "hand"}
                for i, t, d, e in rows
            ]
        )
    )
    covs = [
        fo.TriggerWindows("plenary_meeting", cut_days=(0, 30)),
        fo.TriggerWindows("plenary_meeting", cut_days=(0, 7), name="plenum_week"),
        fo.TriggerWindows("politburo_meeting", cut_days=(0, 7, 30)),
        fo.TriggerWindows("summit", cut_days=(0, 30), overlap="any"),
    ]
    table = table_for(ev, covs, start="2020-01-01", as_of="2020-04-01")
    days = pd.DatetimeIndex(table.data["date"])
    Z, inst = instance_assignment(days, table.events, table.covariates)
    assert inst["event_id"].tolist() == ["S1", "P1", "S2", "P2", "B1"]  # by end date
    assert inst.set_index("event_id").loc["P1", "trigger"] == "plenary_meeting;plenum_week"
    assert inst.set_index("event_id").loc["P1", "end_date"] == T("2020-01-08")

    def span(a: str, b: str) -> np.ndarray:
        return ((days >= T(a)) & (days <= T(b))).astype(float)

    expected = {
        "S1": span("2020-01-01", "2020-01-20"),  # end 21 Dec + 30 days, from the table start
        "P1": span("2020-01-08", "2020-01-19"),  # from its last day until P2 takes over
        "S2": span("2020-01-10", "2020-02-09"),  # overlap="any": alongside S1
        "P2": span("2020-01-20", "2020-02-19"),
        "B1": span("2020-01-25", "2020-02-24"),  # both politburo bins
    }
    for j, key in enumerate(inst["event_id"]):
        np.testing.assert_array_equal(Z[:, j], expected[key], err_msg=key)
    # the design is consistent with the events: same assignment when it is given
    Z2, _ = instance_assignment(
        days, table.events, table.covariates, table.data[table.covariate_names]
    )
    np.testing.assert_array_equal(Z, Z2)
    # an instance the events do not know (P2 missing): its window days past P1's are an
    # unknown instance, one per run of consecutive days
    known = table.events[table.events["event_id"] != "P2"]
    Z3, inst3 = instance_assignment(days, known, covs, table.data[table.covariate_names])
    keys = inst3["event_id"].tolist()
    assert "unknown:plenary_meeting@2020-02-08" in keys
    np.testing.assert_array_equal(Z3[:, keys.index("P1")], span("2020-01-08", "2020-02-07"))
    np.testing.assert_array_equal(
        Z3[:, keys.index("unknown:plenary_meeting@2020-02-08")], span("2020-02-08", "2020-02-19")
    )


# ---------------------------------------------------------------------- the fit pipeline
def test_pipeline_through_the_model_graph(
    events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    patch_sampler(monkeypatch, graph_sampler)
    table = table_for(events, [*windows(), fo.Season("quarter")])
    model = PooledHazard(instance_effects=True).fit(table, draws=500, chains=2, random_seed=1)
    post = model.idata_["posterior"]
    assert post["beta"].dims == ("chain", "draw", "covariate")
    assert list(post["beta"].coords["covariate"].values) == table.covariate_names
    assert post["pool_mean"].dims == ("chain", "draw", "pool")
    assert list(post["pool_mean"].coords["pool"].values) == ["0-30"]
    assert post["instance_effect"].dims == ("chain", "draw", "instance")
    assert set(model.idata_["prior"].data_vars) == set(post.data_vars)
    assert model.idata_["log_likelihood"]["events"].shape == (2, 500, len(table.data))
    # β of trigger types and the pool: the prior spread around the pool mean is pool_sd
    beta = post["beta"].values.reshape(-1, 6)[:, :3]
    mu = post["pool_mean"].values.reshape(-1)
    sd = post["pool_sd"].values.reshape(-1)
    zs = (beta - mu[:, None]) / sd[:, None]
    assert zs.std() == pytest.approx(1.0, abs=0.05)
    s = model.summary()
    assert {"pool_mean[0-30]", "pool_sd", "instance_sd"} <= set(s.index)
    assert s.loc["pool_mean[0-30]", "kind"] == "pooled_hazard_ratio"
    ie = model.instance_effects_
    assert list(ie.columns) == [
        "event_id",
        "trigger",
        "type",
        "date",
        "end_date",
        "days",
        "events",
        "mean",
        "median",
        "low",
        "high",
        "p_gt_0",
    ]
    assert len(ie) == post.sizes["instance"] and (ie["days"] > 0).all()
    assert ie["events"].sum() == pytest.approx(
        (model._Z_day * table.data["events"].to_numpy()[:, None]).sum()
    )
    # save, load: same summaries and forecasts, also for a new trigger instance
    params = model.get_params()
    assert (
        params["pooling_sd"] == 0.5 and params["instance_effects"] and params["instance_sd"] == 0.5
    )
    path = model.save(tmp_path / "pooled.nc")
    loaded = PooledHazard.load(path, table)
    pd.testing.assert_frame_equal(loaded.summary(), s)
    pd.testing.assert_frame_equal(loaded.instance_effects_, ie)
    trig = {"type": "plenary_meeting"}
    pd.testing.assert_frame_equal(
        loaded.forecast(table.end, [30], trigger=trig),
        model.forecast(table.end, [30], trigger=trig),
    )


def _fixed_draws(n_names: int, n_inst: int, *, chains=2, draws=1000, seed=0) -> dict:
    rng = np.random.default_rng(seed)
    shape = (chains, draws)
    return {
        "baseline_rate": rng.gamma(400.0, 0.02 / 400.0, size=shape),
        "beta": rng.normal(0.5, 0.1, size=(*shape, n_names)),
        "pool_mean": rng.normal(0.5, 0.1, size=(*shape, 1)),
        "pool_sd": np.abs(rng.normal(0.2, 0.02, size=shape)),
        "instance_sd": np.full(shape, 0.5),
        "instance_effect": np.zeros((*shape, n_inst)),
    }


def test_forecasts_use_fitted_and_new_instance_effects(
    events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = table_for(events, windows())
    Z, inst = instance_assignment(
        pd.DatetimeIndex(table.data["date"]), table.events, table.covariates
    )
    values = _fixed_draws(3, len(inst))
    last_plenum = inst[inst["type"] == "plenary_meeting"].iloc[-1]
    j = inst.index[inst["event_id"] == last_plenum["event_id"]][0]
    values["instance_effect"][..., j] = 1.0
    patch_sampler(monkeypatch, fixed_sampler(values))
    model = PooledHazard(instance_effects=True).fit(table, draws=1000, chains=2, random_seed=7)
    base = fo.PiecewiseHazard.hazard  # the hazard without instance effects
    # an origin inside the last plenum's window: its fitted u = 1 on the window's remaining days
    origin = last_plenum["end_date"] + pd.Timedelta(days=20)
    design = model.future_design(origin, 20)
    ratio = model.hazard(design) / base(model, design)
    in_window = design["plenary_meeting[0-30]"].to_numpy() == 1
    assert in_window.sum() == 10
    np.testing.assert_allclose(ratio[:, in_window], np.e)
    np.testing.assert_allclose(ratio[:, ~in_window], 1.0)
    # a `trigger=` repeating that plenum (same type and end date) is that plenum, not a new one
    again = {"type": "plenary_meeting", "end_date": last_plenum["end_date"]}
    design = model.future_design(origin, 20, trigger=again)
    np.testing.assert_allclose(model.hazard(design) / base(model, design), ratio)
    # a new plenum at the table's end: u ~ N(0, 0.5) per draw, the same u over its window
    trig = {"type": "plenary_meeting"}
    design = model.future_design(table.end, 40, trigger=trig)
    u = np.log(model.hazard(design) / base(model, design))
    assert design["plenary_meeting[0-30]"].sum() == 30  # days 1 … 30 after the origin
    np.testing.assert_allclose(u[:, :30], u[:, :1] * np.ones((1, 30)))
    np.testing.assert_allclose(u[:, 30:], 0.0, atol=1e-12)
    draws_u = u[:, 0] / 0.5
    assert abs(draws_u.mean()) < 4 / np.sqrt(len(draws_u))
    assert draws_u.std() == pytest.approx(1.0, abs=0.05)
    # forecasts integrate over it: mean of 1 − exp(−Σ hazard), reproducibly
    f = model.forecast(table.end, [30, 40], trigger=trig)
    cum = np.cumsum(model.hazard(design), axis=1)
    np.testing.assert_allclose(f["p_mean"], (1 - np.exp(-cum[:, [29, 39]])).mean(axis=0))
    pd.testing.assert_frame_equal(f, model.forecast(table.end, [30, 40], trigger=trig))
    # E[e^u] = e^{σ²/2} > 1: a new instance raises the mean hazard over u = 0
    assert np.exp(u[:, 0]).mean() == pytest.approx(np.exp(0.125), abs=0.03)
    # rows of a table (no attrs): instances matched by date; paths simulate with them
    rows = table.data.iloc[-200:]
    np.testing.assert_allclose(
        model.hazard(rows),
        base(model, rows) * np.exp(values["instance_effect"].reshape(2000, -1) @ Z[-200:].T),
    )
    paths = model.simulate_paths(50, 30, trigger=trig, random_seed=1)
    assert paths.attrs["n_paths"] == 50


# ---------------------------------------------------------------------- first action
def test_first_action_constant_hazards_closed_form() -> None:
    lam = np.array([0.01, 0.03, 0.002])
    H = 60
    p = first_action_probabilities(np.broadcast_to(lam[:, None, None], (3, 1, H)))
    L = lam.sum()
    q = -np.expm1(-lam)
    geometric = -np.expm1(-L * H) / -np.expm1(-L)  # Σ_{h=1}^{H} e^{−L(h−1)}
    alone = q * np.exp(-(L - lam))
    np.testing.assert_allclose(p["first"][:, 0], alone * geometric, rtol=1e-12)
    np.testing.assert_allclose(p["none"], np.exp(-L * H), rtol=1e-12)
    np.testing.assert_allclose(p["tie"], (-np.expm1(-L) - alone.sum()) * geometric, rtol=1e-9)
    assert p["first"].sum() + p["tie"][0] + p["none"][0] == pytest.approx(1.0, abs=1e-12)
    # continuous-time limit (small daily hazards, same total over the horizon)
    k = 1000
    fine = first_action_probabilities(np.broadcast_to(lam[:, None, None] / k, (3, 1, H * k)))
    np.testing.assert_allclose(fine["first"][:, 0], lam / L * -np.expm1(-L * H), rtol=2e-3)
    assert fine["tie"][0] < 1e-4


def test_first_action_matches_enumeration_with_varying_hazards() -> None:
    rng = np.random.default_rng(4)
    lam = rng.gamma(1.0, 0.5, size=(3, 2, 3))  # 3 outcomes, 2 draws, 3 days: large, many ties
    p = first_action_probabilities(lam)
    q = -np.expm1(-lam)
    for s in range(2):
        first = np.zeros(3)
        tie = none = 0.0
        for pattern in itertools.product([0, 1], repeat=9):  # did outcome o happen on day h
            x = np.array(pattern).reshape(3, 3)
            prob = np.prod(np.where(x == 1, q[:, s], 1 - q[:, s]))
            days = [np.flatnonzero(x[o])[0] if x[o].any() else np.inf for o in range(3)]
            d = min(days)
            if d == np.inf:
                none += prob
            elif days.count(d) > 1:
                tie += prob
            else:
                first[days.index(d)] += prob
        np.testing.assert_allclose(p["first"][:, s], first, rtol=1e-10)
        assert p["tie"][s] == pytest.approx(tie, rel=1e-10)
        assert p["none"][s] == pytest.approx(none, rel=1e-10)


# ---------------------------------------------------------------------- several actions
def multi_tables(events: pd.DataFrame, covariates=None) -> dict[str, fo.ExposureTable]:
    covariates = windows() if covariates is None else covariates
    return {
        "missile": table_for(events, covariates, fo.Outcome("missile", "missile_launch")),
        "balloon": table_for(events, covariates, fo.Outcome("balloon", "balloon_launch")),
    }


def test_multi_action_log_density_matches_a_hand_computation(events: pd.DataFrame) -> None:
    tables = multi_tables(events)
    model = MultiActionHazard().build_model(tables)
    logp = model.compile_logp(jacobian=False, mode="FAST_COMPILE")
    rng = np.random.default_rng(1)
    names = tables["missile"].covariate_names

    def hand(point: dict) -> float:
        lam0 = np.exp(point["baseline_rate_log__"])
        mu, tau = point["pool_mean"], np.exp(point["pool_sd_log__"])
        beta = mu[None, :] + tau[None, :] * point["beta_z"]
        lp = stats.norm.logpdf(mu, 0, 1).sum() + stats.halfnorm.logpdf(tau, scale=0.5).sum()
        lp += stats.norm.logpdf(point["beta_z"]).sum()
        for k, t in enumerate(tables.values()):
            y = t.data["events"].to_numpy(dtype=float)
            lp += stats.gamma.logpdf(lam0[k], 2.0, scale=y.mean() / 2.0)
            eta = np.log(lam0[k]) + t.data[names].to_numpy(dtype=float) @ beta[k]
            lp += stats.poisson.logpmf(y, np.exp(eta)).sum()
        return lp

    points = [
        {
            "baseline_rate_log__": np.log([0.02, 0.01]) + rng.normal(0, 0.3, 2),
            "pool_mean": rng.normal(0, 1, 3),
            "pool_sd_log__": rng.normal(-1, 0.5, 3),
            "beta_z": rng.normal(0, 1, (2, 3)),
        }
        for _ in range(2)
    ]
    got = [float(logp(p)) for p in points]
    want = [hand(p) for p in points]
    assert got[0] - got[1] == pytest.approx(want[0] - want[1], rel=1e-9, abs=1e-8)


def test_multi_action_forecasts_on_fixed_draws(
    events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    tables = multi_tables(events)
    rng = np.random.default_rng(2)
    shape = (2, 1000)
    values = {
        "baseline_rate": rng.gamma(400.0, 1 / 400.0, size=(*shape, 2)) * np.array([0.02, 0.01]),
        "beta": rng.normal([[0.7, 0.3, 0.5], [1.1, 0.0, 0.5]], 0.1, size=(*shape, 2, 3)),
        "pool_mean": rng.normal(0.5, 0.1, size=(*shape, 3)),
        "pool_sd": np.abs(rng.normal(0.3, 0.05, size=(*shape, 3))),
    }
    patch_sampler(monkeypatch, fixed_sampler(values))
    model = MultiActionHazard().fit(tables, draws=1000, chains=2, random_seed=3)
    trig = {"type": "plenary_meeting"}
    end = tables["missile"].end
    f = model.forecast(end, [30, 60], trigger=trig)
    assert f["outcome"].tolist() == ["missile", "missile", "balloon", "balloon", "any", "any"]
    hazards = []
    for k, o in enumerate(("missile", "balloon")):
        view = model.per_outcome(o)
        assert isinstance(view, fo.PiecewiseHazard) and view.table_ is tables[o]
        np.testing.assert_array_equal(
            view.idata_["posterior"]["baseline_rate"].values, values["baseline_rate"][..., k]
        )
        single = view.forecast(end, [30, 60], trigger=trig)
        np.testing.assert_allclose(f.loc[f["outcome"] == o, "p_mean"], single["p_mean"])
        hazards.append(view.hazard(view.future_design(end, 60, trigger=trig)))
    lam = np.stack(hazards)
    cum = np.cumsum(lam.sum(axis=0), axis=1)
    np.testing.assert_allclose(
        f.loc[f["outcome"] == "any", "p_mean"], (1 - np.exp(-cum[:, [29, 59]])).mean(axis=0)
    )
    # P(any) = 1 − Π(1 − p_o) per draw, hence ≥ each p_o
    assert (
        f.loc[f["outcome"] == "any", "p_mean"].to_numpy()
        >= f.loc[f["outcome"] == "missile", "p_mean"].to_numpy()
    ).all()
    first = model.first_action(end, 60, trigger=trig)
    assert first["first"].tolist() == ["missile", "balloon", "tie", "none"]
    closed = first_action_probabilities(lam)
    np.testing.assert_allclose(
        first["p_mean"],
        [*closed["first"].mean(axis=1), closed["tie"].mean(), closed["none"].mean()],
    )
    assert first["p_mean"].sum() == pytest.approx(1.0)
    assert first.loc[3, "p_mean"] == pytest.approx(
        1 - f.loc[(f["outcome"] == "any") & (f["horizon_days"] == 60), "p_mean"].iloc[0]
    )
    s = model.summary()
    assert set(s["outcome"]) == {"missile", "balloon", "pooled"}
    assert "pool_mean[plenary_meeting[0-30]]" in set(s["parameter"])
    assert model.get_params()["pooling_sd"] == 0.5


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"sampler": "exact"},
            "sampler='exact' is not available for this hierarchical prior (no conjugate or "
            "plain Laplace path); use one of auto, laplace-is, pymc, nutpie, numpyro.",
        ),
        (
            {"sampler": "laplace"},
            "sampler='laplace' is not available for this hierarchical prior (no conjugate or "
            "plain Laplace path); use one of auto, laplace-is, pymc, nutpie, numpyro.",
        ),
        (
            {"sampler": "laplace-is", "instance_effects": True},
            "sampler='laplace-is' does not fit instance effects (one more scale and an effect "
            "per meeting: too many dimensions for its proposal); use sampler='auto' (NUTS with "
            "instance effects) or instance_effects=False.",
        ),
        (
            {"sampler": "nuts"},
            "sampler 'nuts' (did you mean 'nutpie'?) is not one of auto, laplace-is, pymc, "
            "nutpie, numpyro.",
        ),
        ({"pooling_sd": 0.0}, "pooling_sd and instance_sd must be > 0."),
        (
            {"beta_priors": {"politburo_meeting[0-30]": (0.0, 1.0)}},
            "beta_priors['politburo_meeting[0-30]']: trigger-window effects are pooled in the "
            "pooled model (pool_mean ~ Normal(0, beta_sd), pool_sd ~ HalfNormal(pooling_sd)); "
            "set beta_sd or pooling_sd instead, or use PiecewiseHazard.",
        ),
        (
            {"beta_priors": {"quarter[Q5]": (0.0, 1.0)}},
            "beta_priors: no covariate 'quarter[Q5]' (did you mean 'quarter[Q4]'?); the table "
            "has plenary_meeting[0-30], politburo_meeting[0-30], party_congress[0-30], "
            "quarter[Q2], quarter[Q3], quarter[Q4].",
        ),
    ],
)
def test_pooled_errors(events: pd.DataFrame, kwargs: dict, message: str) -> None:
    table = table_for(events, [*windows(), fo.Season("quarter")])
    with pytest.raises(ModelError) as info:
        PooledHazard(**kwargs).fit(table)
    assert str(info.value) == message


def test_pooled_needs_trigger_windows_and_instance_effects(events: pd.DataFrame) -> None:
    with pytest.raises(ModelError) as info:
        PooledHazard().fit(table_for(events, [fo.Season("quarter")]))
    assert str(info.value) == (
        "the pooled model needs at least one TriggerWindows covariate, whose effects it pools; "
        "the table has quarter[Q2], quarter[Q3], quarter[Q4]. Use PiecewiseHazard for this "
        "design."
    )
    with pytest.raises(ModelError, match="not fitted yet; call fit"):
        PooledHazard().instance_summary()


def test_pooled_without_instance_effects_has_no_instance_summary(events: pd.DataFrame) -> None:
    table = table_for(events, windows())
    model = PooledHazard().fit(table, draws=300, chains=2, random_seed=0)  # laplace-is
    with pytest.raises(ModelError) as info:
        _ = model.instance_effects_
    assert str(info.value) == (
        "this PooledHazard has no instance effects; fit with instance_effects=True."
    )
    # no instance effects: the hazard is PiecewiseHazard's
    design = model.future_design(table.end, 10, trigger={"type": "summit"})
    np.testing.assert_array_equal(model.hazard(design), fo.PiecewiseHazard.hazard(model, design))


def test_multi_action_errors(events: pd.DataFrame) -> None:
    tables = multi_tables(events)

    def message(tables) -> str:
        with pytest.raises(ModelError) as info:
            MultiActionHazard().fit(tables)
        return str(info.value)

    assert message({"missile": tables["missile"]}) == (
        "MultiActionHazard needs at least two outcomes, not 1; for one use PiecewiseHazard or "
        "PooledHazard."
    )
    assert message([tables["missile"], tables["balloon"]]) == (
        "fit expects a mapping of outcome name to ExposureTable, not list."
    )
    other = table_for(events, windows()[:2], fo.Outcome("balloon", "balloon_launch"))
    assert message({"missile": tables["missile"], "balloon": other}) == (
        "outcome 'balloon': its table's covariates (plenary_meeting[0-30], "
        "politburo_meeting[0-30]) differ from outcome 'missile''s (plenary_meeting[0-30], "
        "politburo_meeting[0-30], party_congress[0-30]); build every table with the same "
        "covariates."
    )
    shorter = table_for(
        events, windows(), fo.Outcome("balloon", "balloon_launch"), as_of="2007-01-01"
    )
    assert message({"missile": tables["missile"], "balloon": shorter}) == (
        "outcome 'balloon': its table covers 2000-01-01..2006-12-31 (2557 days), not outcome "
        "'missile''s 2000-01-01..2007-12-31 (2922 days); build every table with the same "
        "start, as_of and observed_until."
    )
    fewer = events[
        events["event_id"] != events.loc[events["type"] == "plenary_meeting", "event_id"].iloc[3]
    ]
    moved = table_for(fewer, windows(), fo.Outcome("balloon", "balloon_launch"))
    assert message({"missile": tables["missile"], "balloon": moved}) == (
        "outcome 'balloon': covariate plenary_meeting[0-30] differs from outcome 'missile''s on "
        "some days; build every table from the same event table."
    )
    with pytest.raises(ModelError, match="not fitted yet; call fit"):
        MultiActionHazard().forecast()
    with pytest.raises(ModelError) as info:
        MultiActionHazard(sampler="exact").fit(tables)
    assert "sampler='exact' is not available" in str(info.value)


def test_per_outcome_unknown_name(events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch) -> None:
    tables = multi_tables(events, covariates=windows(types=("plenary_meeting",)))
    rng = np.random.default_rng(0)
    values = {
        "baseline_rate": rng.gamma(100.0, 0.0002, size=(1, 1000, 2)),
        "beta": rng.normal(0, 0.1, size=(1, 1000, 2, 1)),
        "pool_mean": rng.normal(0, 0.1, size=(1, 1000, 1)),
        "pool_sd": np.abs(rng.normal(0.1, 0.01, size=(1, 1000, 1))),
    }
    patch_sampler(monkeypatch, fixed_sampler(values))
    model = MultiActionHazard().fit(tables, draws=1000, chains=1)
    with pytest.raises(ModelError) as info:
        model.per_outcome("baloon")
    assert (
        str(info.value)
        == "no outcome 'baloon' (did you mean 'balloon'?); the fit has missile, balloon."
    )


# ====================================================================== slow: real NUTS
SLOW_TYPES = {
    "plenary_meeting": (110, 2.0),
    "politburo_meeting": (80, 2.0),
    "party_congress": (2000, 2.0),
}


@pytest.mark.slow
def test_rare_trigger_borrows_strength() -> None:
    """One party congress, many plenums and Politburo meetings, all with HR 2: the congress's
    posterior sits nearer the pooled mean, and is narrower, than under independent priors."""
    ev = simulate(4000, 0.02, SLOW_TYPES, seed=5)
    table = table_for(ev, windows(), as_of="2010-12-01")
    assert table.events["type"].eq("party_congress").sum() == 2
    with warnings.catch_warnings(record=True) as caught:  # checked last, after recovery
        warnings.simplefilter("always", ConvergenceWarning)
        model = PooledHazard(target_accept=0.99).fit(
            table, draws=1000, tune=1000, chains=2, random_seed=1, progressbar=False
        )
    s = model.summary(ci_prob=0.9)
    for t in ("plenary_meeting", "politburo_meeting"):
        row = s.loc[f"{t}[0-30]"]
        assert row["low"] < 2.0 < row["high"], (t, row.to_dict())
    assert s.loc["pool_mean[0-30]", "low"] < 2.0 < s.loc["pool_mean[0-30]", "high"]
    assert s.loc["baseline_rate", "low"] < 0.02 < s.loc["baseline_rate", "high"]
    # the same table with independent Normal(0, 1) priors (Laplace path: no compile)
    indep = (
        fo.PiecewiseHazard(sampler="laplace")
        .fit(table, draws=2000, chains=2, random_seed=1)
        .summary(ci_prob=0.9)
    )
    pool = np.log(s.loc["pool_mean[0-30]", "median"])
    rare = "party_congress[0-30]"
    assert abs(np.log(s.loc[rare, "median"]) - pool) < abs(np.log(indep.loc[rare, "median"]) - pool)
    width = np.log(s.loc[rare, "high"] / s.loc[rare, "low"])
    assert width < 0.8 * np.log(indep.loc[rare, "high"] / indep.loc[rare, "low"])
    assert not caught, [str(w.message) for w in caught]


@pytest.mark.slow
def test_instance_effects_recovered() -> None:
    """Instances with a large simulated deviation stand out; the spread σ_u is recovered."""
    ev = simulate(
        5000,
        0.03,
        {"plenary_meeting": (150, 2.0), "politburo_meeting": (100, 1.5)},
        seed=8,
        instance_sd=0.8,
    )
    table = table_for(
        ev, windows(types=("plenary_meeting", "politburo_meeting")), as_of="2013-01-01"
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # ESS of σ_u can dip below 400
        model = PooledHazard(instance_effects=True).fit(
            table, draws=1000, tune=1000, chains=2, random_seed=2, progressbar=False
        )
    s = model.summary(ci_prob=0.9)
    assert s.loc["baseline_rate", "low"] < 0.03 < s.loc["baseline_rate", "high"]
    assert s.loc["instance_sd", "low"] < 0.8 < s.loc["instance_sd", "high"]
    ie = model.instance_effects_
    # a day's window with many more launches than its type's rate predicts: P(u > 0) high
    expected = ie["days"] * 0.03 * np.where(ie["type"] == "plenary_meeting", 2.0, 1.5)
    busy = ie["events"] > expected + 3 * np.sqrt(expected)
    assert busy.any() and (ie.loc[busy, "p_gt_0"] > 0.8).all()


@pytest.mark.slow
def test_multi_action_recovery() -> None:
    ev = simulate(
        5000,
        0.02,
        {"plenary_meeting": (120, 2.5), "politburo_meeting": (90, 1.0)},
        balloon=(0.01, {"plenary_meeting": 2.5, "politburo_meeting": 1.0}),
        seed=12,
    )
    covs = windows(types=("plenary_meeting", "politburo_meeting"))
    tables = {
        "missile": table_for(ev, covs, fo.Outcome("missile", "missile_launch"), as_of="2013-01-01"),
        "balloon": table_for(ev, covs, fo.Outcome("balloon", "balloon_launch"), as_of="2013-01-01"),
    }
    with warnings.catch_warnings(record=True) as caught:  # checked last, after recovery
        warnings.simplefilter("always", ConvergenceWarning)
        model = MultiActionHazard(target_accept=0.99).fit(
            tables, draws=1000, tune=1000, chains=2, random_seed=3, progressbar=False
        )
    s = model.summary(ci_prob=0.9).set_index(["outcome", "parameter"])
    truth = {
        ("missile", "baseline_rate"): 0.02,
        ("balloon", "baseline_rate"): 0.01,
        ("missile", "plenary_meeting[0-30]"): 2.5,
        ("balloon", "plenary_meeting[0-30]"): 2.5,
        ("missile", "politburo_meeting[0-30]"): 1.0,
        ("balloon", "politburo_meeting[0-30]"): 1.0,
    }
    for key, value in truth.items():
        assert s.loc[key, "low"] < value < s.loc[key, "high"], (key, s.loc[key].to_dict())
    f = model.forecast(horizons_days=[30], trigger={"type": "plenary_meeting"})
    p = f.set_index("outcome")["p_mean"]
    assert max(p["missile"], p["balloon"]) < p["any"] < p["missile"] + p["balloon"]
    first = model.first_action(max_days=90).set_index("first")["p_mean"]
    assert first["missile"] > first["balloon"]  # twice the rate, the same trigger effects
    assert first.sum() == pytest.approx(1.0)
    assert not caught, [str(w.message) for w in caught]


def _sbc_quantities(X, y, future, lam, b, mu, sd) -> list[np.ndarray]:
    """log λ0, each β, the pool mean, log pool sd, log-likelihood, P(event ≤ 60 d) per draw."""
    eta = np.log(lam)[:, None] + b @ X.T
    loglik = (y[None, :] * eta - np.exp(eta)).sum(axis=1)
    cum = (lam[:, None] * np.exp(b @ future.T)).sum(axis=1)
    return [np.log(lam), *b.T, mu, np.log(sd), loglik, -np.expm1(-cum)]


def _sbc_pooled(table, n_sims: int, *, seed: int, draws: int = 200, tune: int = 200, thin: int = 2):
    """SBC of PooledHazard on a fixed design: prior draws, Poisson days, NUTS refits, ranks.

    The loop of :func:`followon.simulation_based_calibration`, with the pooled model's own
    prior draws (that function draws independent Normal β, the wrong prior here).
    """
    import dataclasses

    from followon.evaluation.sbc import SBCResult, _rank

    data = table.data
    names = table.covariate_names
    rate = data["events"].sum() / len(data)
    model = PooledHazard(baseline_mean=rate, log_likelihood=False)
    prep = model._prepare(table)
    X = data[names].to_numpy(dtype=float)
    future = None
    rng = np.random.default_rng(seed)
    ranks, seconds = [], []
    columns = [
        "log_baseline_rate",
        *names,
        "pool_mean[0-30]",
        "log_pool_sd",
        "log_likelihood",
        "p_event_60d",
    ]
    for _ in range(n_sims):
        truth = model._prior_sample(prep, 1, rng)
        lam0, beta = float(truth["baseline_rate"][0, 0]), truth["beta"][0, 0]
        y = rng.poisson(lam0 * np.exp(X @ beta))
        sim = dataclasses.replace(table, data=data.assign(events=y))
        started = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(
                sim,
                draws=draws,
                tune=tune,
                chains=1,
                random_seed=int(rng.integers(2**31)),
                progressbar=False,
            )
        seconds.append(time.perf_counter() - started)
        post = model.idata_["posterior"]
        lam_d = post["baseline_rate"].values.reshape(-1)[::thin]
        beta_d = post["beta"].values.reshape(-1, len(names))[::thin]
        mu_d = post["pool_mean"].values.reshape(-1)[::thin]
        sd_d = post["pool_sd"].values.reshape(-1)[::thin]
        if future is None:
            future = model.future_design(table.end, 60).to_numpy(dtype=float)

        true_q = _sbc_quantities(
            X,
            y,
            future,
            np.array([lam0]),
            beta[None, :],
            truth["pool_mean"][0, :, 0],
            truth["pool_sd"][0],
        )
        draw_q = _sbc_quantities(X, y, future, lam_d, beta_d, mu_d, sd_d)
        ranks.append([_rank(d, float(t[0]), rng) for d, t in zip(draw_q, true_q, strict=True)])
    index = pd.RangeIndex(n_sims, name="replicate")
    L = len(lam_d)
    return SBCResult(
        ranks=pd.DataFrame(ranks, index=index, columns=columns),
        L=L,
        truth=pd.DataFrame(index=index),
        diagnostics=pd.DataFrame({"seconds": seconds}, index=index),
        method=model.method_,
        horizon_days=60,
    )


@pytest.fixture(scope="module")
def sbc_table() -> fo.ExposureTable:
    ev = simulate(
        1500,
        0.03,
        {
            "plenary_meeting": (100, 2.0),
            "politburo_meeting": (70, 1.5),
            "party_congress": (700, 2.0),
        },
        seed=21,
    )
    return table_for(ev, windows(), as_of="2004-02-01")


@pytest.mark.slow
def test_sbc_pooled_is_calibrated(sbc_table: fo.ExposureTable) -> None:
    result = _sbc_pooled(sbc_table, 30, seed=31)
    test = result.test(prob=0.95)
    print(f"\nSBC, {result.L} draws ranked:\n{test.round(3).to_string()}")
    # 9 quantities each at 95%: allow one chance failure, none badly off
    assert (~test["inside_band"]).sum() <= 1, test
    assert (test["ecdf_p"] > 0.001).all(), test


@pytest.mark.slow
def test_sbc_pooled_flags_a_broken_likelihood(
    sbc_table: fo.ExposureTable, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pooled.collapse_rows

    def doubled_exposure(M, y, exposure):
        patterns, events, e = real(M, y, exposure)
        return patterns, events, 2.0 * e

    monkeypatch.setattr(pooled, "collapse_rows", doubled_exposure)
    monkeypatch.setattr(multi, "collapse_rows", doubled_exposure)
    test = _sbc_pooled(sbc_table, 12, seed=32).test(prob=0.95)
    print(f"\nSBC with the exposure doubled:\n{test.round(3).to_string()}")
    assert not test.loc["log_baseline_rate", "inside_band"], test
    assert test.loc["log_baseline_rate", "ecdf_p"] < 0.01


@pytest.mark.slow
def test_real_catalog_with_instance_effects() -> None:
    events = fo.load_events()
    types = ("plenary_meeting", "politburo_meeting", "party_congress", "summit")
    table = fo.build_exposure(
        events,
        fo.Outcome("missile", "missile_launch"),
        start="2012-01-01",
        as_of="2024-07-02",
        covariates=[fo.TriggerWindows(t, cut_days=(0, 30)) for t in types],
    )
    started = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ConvergenceWarning)
        model = PooledHazard(instance_effects=True).fit(
            table, draws=1000, tune=1000, chains=4, random_seed=1, progressbar=False
        )
    seconds = time.perf_counter() - started
    s = model.summary(ci_prob=0.9)
    ie = model.instance_effects_
    shown = ie.sort_values("p_gt_0").round({"mean": 3, "low": 3, "high": 3, "p_gt_0": 3})
    print(f"\nfit {seconds:.1f} s\n{s.round(3).to_string()}\n{shown.to_string()}")
    # a stray divergence or two in 4000 draws is tolerated; anything more is a finding
    assert model.diagnostics_.attrs["divergences"] <= 4, [str(w.message) for w in caught]
    assert (model.diagnostics_["r_hat"] < 1.01).all()
    assert (model.diagnostics_["ess_bulk"] > 400).all()
    assert set(ie["type"]) == set(types)
    # every plenum in the window has its own effect; the 2024-06-28 plenum is the last
    plenums = table.events[
        (table.events["type"] == "plenary_meeting") & (table.events["date"] >= "2011-12-01")
    ]
    assert set(plenums["event_id"]) <= set(ie["event_id"])
    assert 0 < s.loc["pool_sd", "median"] < 1.5


def test_released_pooled_model_keeps_its_draws_and_refits(
    events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A run frees the PyMC model a fit keeps for refits; results stay, a refit rebuilds it."""
    from followon.hazard._sampling import COMPILED_ATTRS, release_compiled_samplers

    table = table_for(events, windows())
    patch_sampler(monkeypatch, fixed_sampler(_fixed_draws(3, 0, draws=300)))
    model = PooledHazard(sampler="numpyro").fit(table, draws=300, chains=2, random_seed=0)
    assert "_pooled_model" in vars(model)
    design = model.future_design(table.end, 10, trigger={"type": "summit"})
    hazard = model.hazard(design)
    release_compiled_samplers([model])
    assert not set(COMPILED_ATTRS) & set(vars(model))
    np.testing.assert_array_equal(model.hazard(design), hazard)
    model.fit(table, draws=300, chains=2, random_seed=0)
    assert "_pooled_model" in vars(model)
    np.testing.assert_array_equal(model.hazard(design), hazard)


# ---------------------------------------------------------------------- the laplace-is path
def test_laplace_is_log_density_matches_a_hand_computation(events: pd.DataFrame) -> None:
    """ℓ(φ) of the nested path is the PyMC model's density plus the log-scale Jacobians."""
    covs = [*windows()[:2], fo.Era("moratorium", "2003-01-01", "2004-12-31"), windows()[2]]
    table = table_for(events, covs)
    model = PooledHazard()
    layout = model._layout_of(model._prepare(table))
    assert layout.other.tolist() == [2] and layout.trig.tolist() == [0, 1, 3]
    rng = np.random.default_rng(4)
    diffs = []
    for _ in range(3):
        point = _random_point(rng)
        phi = np.concatenate(
            [
                [point["baseline_rate_log__"]],
                point["beta_other"],
                point["pool_mean"],
                [point["pool_sd_log__"]],
                point["pool_z"],
            ]
        )
        jacobians = point["baseline_rate_log__"] + point["pool_sd_log__"]
        got = log_density(layout, phi)[0]
        diffs.append(got - _hand_logp(table, point, instance=False) - jacobians)
        unpacked = layout.unpack(phi)
        assert unpacked["pool_sd"][0] == pytest.approx(np.exp(point["pool_sd_log__"]))
        np.testing.assert_allclose(
            unpacked["beta"][0, [0, 1, 3]],
            point["pool_mean"][0] + np.exp(point["pool_sd_log__"]) * point["pool_z"],
        )
    assert np.ptp(diffs) < 1e-8 * abs(diffs[0]) + 1e-8


def test_laplace_is_agrees_with_metropolis_on_the_same_density(events: pd.DataFrame) -> None:
    """PSIS from the nested proposal and a Metropolis chain give the same posterior."""
    table = table_for(events, windows())
    model = PooledHazard()
    layout = model._layout_of(model._prepare(table))
    found = nested_importance(layout, n=4000, rng=np.random.default_rng(1))
    assert found.accepted and found.ess > 1500, (found.pareto_k, found.ess)
    cov = np.cov(found.theta, rowvar=False)
    mode = Mode(found.theta.mean(axis=0), np.linalg.inv(cov), 0.0)
    chain, _ = metropolis(
        lambda t: float(log_density(layout, t)[0]),
        mode,
        draws=3000,
        tune=600,
        chains=2,
        rng=np.random.default_rng(2),
    )
    chain = chain.reshape(-1, chain.shape[-1])
    sd = np.sqrt(np.diag(cov))
    # means within 0.12 posterior sd. Spreads within 0.25 sd only: the random walk mixes
    # slowly along the (log σ, z) funnel; on this table its sd of μ came out 0.31 where
    # 16 000 NUTS draws give 0.255 and PSIS 0.25 (the slow test against NUTS is tighter)
    np.testing.assert_array_less(np.abs(found.theta.mean(axis=0) - chain.mean(axis=0)), 0.12 * sd)
    np.testing.assert_array_less(np.abs(found.theta.std(axis=0) - chain.std(axis=0)), 0.25 * sd)


def test_auto_is_laplace_is_without_instance_effects(events: pd.DataFrame) -> None:
    table = table_for(events, windows())
    assert PooledHazard().resolve_sampler(table) == "laplace-is"
    assert PooledHazard(instance_effects=True).resolve_sampler(table) == "numpyro"
    model = PooledHazard().fit(table, draws=500, chains=2, random_seed=3)
    assert model.method_ == "laplace-is"
    assert model.importance_["pareto_k"] <= 0.7
    assert model.diagnostics_.attrs["fit_path"].startswith("laplace-is (k̂ = ")
    assert set(model.idata_["posterior"].data_vars) >= {
        "baseline_rate",
        "beta",
        "pool_mean",
        "pool_sd",
    }
    assert model.idata_["posterior"]["beta"].dims == ("chain", "draw", "covariate")


def test_laplace_is_falls_back_to_nuts(
    events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """k̂ > 0.7: the fit samples with NUTS and says why."""
    table = table_for(events, windows())
    real = pooled.nested_importance

    def poor(layout, *, n, rng):
        return dataclasses.replace(real(layout, n=n, rng=rng), pareto_k=0.9)

    monkeypatch.setattr(pooled, "nested_importance", poor)
    patch_sampler(monkeypatch, fixed_sampler(_fixed_draws(3, 0, draws=300)))
    model = PooledHazard().fit(table, draws=300, chains=2, random_seed=0)
    assert model.method_ == "numpyro"
    assert model.diagnostics_.attrs["fit_path"] == (
        "numpyro (laplace-is fell back to NUTS: k̂ = 0.90 > 0.7, the Laplace proposal is too "
        "far from the posterior)"
    )


@pytest.mark.slow
@pytest.mark.parametrize("outcome", ["missile_launch", "balloon_launch"])
def test_laplace_is_matches_nuts_on_the_real_catalog(outcome: str) -> None:
    """The demo's pooled_meetings design: the nested PSIS path against 8 000 NUTS draws."""
    types = ("plenary_meeting", "politburo_meeting", "party_congress", "summit")
    table = fo.build_exposure(
        fo.load_events(),
        fo.Outcome("any", outcome),
        start="2012-01-01",
        as_of="2024-07-02",
        covariates=[fo.TriggerWindows(t, cut_days=(0, 30)) for t in types],
    )
    with warnings.catch_warnings():  # NUTS has a stray divergence or two on balloon rounds
        warnings.simplefilter("ignore", ConvergenceWarning)
        fits = {
            s: PooledHazard(sampler=s).fit(
                table, draws=2000, tune=1000, chains=4, random_seed=5, progressbar=False
            )
            for s in ("laplace-is", "numpyro")
        }
    assert fits["laplace-is"].method_ == "laplace-is"
    assert fits["laplace-is"].importance_["pareto_k"] <= 0.5
    summaries = {s: m.summary(ci_prob=0.9) for s, m in fits.items()}
    for s in summaries.values():
        print(s[["median", "low", "high"]].round(3).to_string())
    a, b = summaries["laplace-is"], summaries["numpyro"]
    for name in a.index:
        scale = np.log(b.loc[name, "high"] / b.loc[name, "low"])  # 90% width, log scale
        for col in ("median", "low", "high"):
            assert abs(np.log(a.loc[name, col] / b.loc[name, col])) < 0.1 * scale, (name, col)
    fa, fb = (
        m.forecast("2024-07-01", (30, 60, 90), trigger={"type": "plenary_meeting"})
        for m in fits.values()
    )
    np.testing.assert_allclose(fa["p_mean"], fb["p_mean"], atol=0.01)
