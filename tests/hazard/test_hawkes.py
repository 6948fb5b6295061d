"""HawkesHazard: the recursion, the gradient, forecasts against closed forms, recovery, SBC."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.special import logit
from scipy.stats import chisquare

import followon as fo
from followon.errors import ModelError
from followon.hazard import hawkes
from followon.hazard.hawkes import HawkesHazard, _Data, excitation, log_posterior

TRUE = {"mu": 0.01, "eta": 0.5, "tau": 10.0, "hr": 3.0}


def simulate_hawkes(
    n_days: int,
    *,
    mu: float,
    eta: float,
    tau: float,
    hr: float = 1.0,
    trigger_every: int = 0,
    window: int = 30,
    seed: int = 0,
    start: str = "2000-01-01",
) -> pd.DataFrame:
    """Launch days from a known Hawkes hazard, plus plenary meetings every ``trigger_every``."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, periods=n_days, freq="D")
    r = np.exp(-1.0 / tau)
    K, rows = 0.0, []
    for i, day in enumerate(days):
        in_window = trigger_every and i >= trigger_every and (i % trigger_every) <= window
        rate = mu * (hr if in_window else 1.0) + eta * K
        event = rng.random() < -np.expm1(-rate)
        K = r * K + (1 - r) * event
        if event:
            rows.append({"event_id": f"L{i}", "type": "missile_launch", "date": f"{day:%Y-%m-%d}"})
        if trigger_every and i % trigger_every == 0 and i > 0:
            rows.append({"event_id": f"P{i}", "type": "plenary_meeting", "date": f"{day:%Y-%m-%d}"})
    frame = pd.DataFrame(rows).assign(source="sim")
    return fo.validate_events(frame)


def sim_table(events: pd.DataFrame, *, windows: bool = True) -> fo.ExposureTable:
    covs = [fo.TriggerWindows("plenary_meeting", (0, 30))] if windows else []
    return fo.build_exposure(
        events,
        fo.Outcome("any", "missile_launch"),
        start=events["date"].min(),
        as_of=events["date"].max() + pd.Timedelta(days=1),
        covariates=covs,
        observed_until=events["date"].max(),
    )


@pytest.fixture(scope="module")
def sim_events() -> pd.DataFrame:
    return simulate_hawkes(
        8000, mu=TRUE["mu"], eta=TRUE["eta"], tau=TRUE["tau"], hr=TRUE["hr"], trigger_every=200
    )


@pytest.fixture(scope="module")
def laplace_fit(sim_events: pd.DataFrame) -> HawkesHazard:
    return HawkesHazard(sampler="laplace", log_likelihood=False).fit(
        sim_table(sim_events), draws=500, chains=2, random_seed=1
    )


def test_excitation_recursion_equals_the_direct_sum() -> None:
    rng = np.random.default_rng(0)
    counts = (rng.random(300) < 0.05).astype(float)
    tau = 7.0
    direct = np.array(
        [
            sum(counts[k] * (1 - np.exp(-1 / tau)) * np.exp(-(d - k - 1) / tau) for k in range(d))
            for d in range(300)
        ]
    )
    np.testing.assert_allclose(excitation(counts, tau), direct, rtol=1e-12, atol=1e-15)


def test_kernel_sums_to_the_branching_ratio() -> None:
    # one event, no background: the expected number of offspring is eta
    counts = np.zeros(5000)
    counts[0] = 1
    assert excitation(counts, 30.0)[1:].sum() == pytest.approx(1.0, rel=1e-9)


def test_many_proposals_at_once_equal_one_at_a_time(sim_events: pd.DataFrame) -> None:
    """The vectorised log posterior of ``laplace-is`` (kernel from the event days only)."""
    table = sim_table(sim_events)
    data = _Data(table)
    prior = HawkesHazard().prior(table)
    rng = np.random.default_rng(3)
    mode = hawkes.posterior_mode_of(data, prior)
    theta = rng.multivariate_normal(mode.theta, 9 * mode.covariance, size=300)
    theta[0, -1] = 13.0  # log τ out of bounds: −∞ in both
    one = np.array([log_posterior(t, data, prior, gradient=False)[0] for t in theta])
    many = hawkes.log_posterior_many(theta, data, prior)
    assert np.isneginf(one[0]) and np.isneginf(many[0])
    np.testing.assert_allclose(many[1:], one[1:], rtol=1e-11, atol=1e-8)
    # a table with history before its first row (the kernel starts from earlier events)
    late = fo.build_exposure(
        sim_events,
        fo.Outcome("launch", "missile_launch"),
        start="2003-06-01",
        as_of="2006-06-01",
        observed_until="2030-01-01",
    )
    d2, p2 = _Data(late), HawkesHazard().prior(late)
    th2 = np.column_stack([np.full(50, np.log(0.01)), rng.normal(0, 2, 50), rng.normal(2.5, 1, 50)])
    expected = [log_posterior(t, d2, p2, gradient=False)[0] for t in th2]
    np.testing.assert_allclose(hawkes.log_posterior_many(th2, d2, p2), expected, rtol=1e-11)


def test_auto_is_laplace_is_and_records_its_path(sim_events: pd.DataFrame) -> None:
    table = sim_table(sim_events)
    assert HawkesHazard().resolve_sampler(table) == "laplace-is"
    model = HawkesHazard(log_likelihood=False).fit(table, draws=500, chains=2, random_seed=4)
    record = model.importance_
    assert model.method_ == "laplace-is" and record["path"] == "laplace-is"
    assert record["pareto_k"] < 0.7 and record["proposals"] == 2200 and record["draws"] == 1000
    assert model.diagnostics_.attrs["fit_path"].startswith("laplace-is (k̂ = ")
    assert model.idata_["posterior"]["branching_ratio"].shape == (2, 500)


def test_laplace_is_falls_back_to_metropolis_above_0_7(
    sim_events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = hawkes.importance_draws

    def bad_khat(*args, **kwargs):  # type: ignore[no-untyped-def]
        found = real(*args, **kwargs)
        return type(found)(found.theta, 0.9, found.ess, found.proposals, found.distinct)

    calls: list[str] = []

    def fake_metropolis(data, prior, *, method, draws, tune, chains, rng, mode):  # type: ignore[no-untyped-def]
        calls.append(method)
        noise = np.random.default_rng(0).normal(0.0, 0.01, (chains, draws, len(mode.theta)))
        theta = mode.theta + noise  # independent draws: R-hat ≈ 1, ESS ≈ chains × draws
        return theta, {"accept_independence": np.ones((chains, draws))}, mode

    monkeypatch.setattr(hawkes, "importance_draws", bad_khat)
    monkeypatch.setattr(hawkes, "sample_posterior", fake_metropolis)
    model = HawkesHazard(log_likelihood=False).fit(
        sim_table(sim_events), draws=400, chains=2, random_seed=5
    )
    assert calls == ["metropolis"] and model.method_ == "metropolis"
    assert model.importance_["path"] == "metropolis"
    assert model.importance_["reason"] == (
        "laplace-is fell back to Metropolis–Hastings: k̂ = 0.90 > 0.7, the Laplace proposal "
        "is too far from the posterior"
    )


@pytest.mark.slow
def test_laplace_is_agrees_with_metropolis_on_the_real_record() -> None:
    table = fo.build_exposure(
        fo.load_events(),
        fo.Outcome("any", "missile_launch"),
        start="2012-01-01",
        as_of="2024-07-02",
        covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))],
    )
    fits = {
        s: HawkesHazard(sampler=s, log_likelihood=False).fit(
            table, draws=1000, tune=1000, chains=4, random_seed=1
        )
        for s in ("laplace-is", "metropolis")
    }
    assert fits["laplace-is"].method_ == "laplace-is"
    p = {s: m.forecast(horizons_days=[30, 60, 90])["p_mean"].to_numpy() for s, m in fits.items()}
    # measured 0.793 / 0.887 / 0.924 against 0.792 / 0.886 / 0.924 (1 Dec 2026)
    np.testing.assert_allclose(p["laplace-is"], p["metropolis"], atol=0.01)


def test_gradient_matches_finite_differences(sim_events: pd.DataFrame) -> None:
    table = sim_table(sim_events)
    data = _Data(table)
    model = HawkesHazard()
    prior = {**model.prior(table), "b": 2.0 / 0.02}
    theta = np.array([np.log(0.012), 0.7, logit(0.4), np.log(12.0)])
    _, grad = log_posterior(theta, data, prior)
    eps = 1e-6
    numeric = [
        (log_posterior(theta + e, data, prior)[0] - log_posterior(theta - e, data, prior)[0])
        / (2 * eps)
        for e in np.eye(4) * eps
    ]
    np.testing.assert_allclose(grad, numeric, rtol=1e-5)


def test_log_posterior_is_poisson_likelihood_plus_priors() -> None:
    y = np.array([0, 1, 0, 0, 2, 0, 0, 0.0])
    data = _Data.arrays(y)
    prior = {
        "a": 2.0,
        "b": 100.0,
        "mu": np.zeros(0),
        "sd": np.ones(0),
        "branching": (2.0, 2.0),
        "log_decay_mean": np.log(14.0),
        "log_decay_sd": 1.0,
    }
    lam0, eta, tau = 0.1, 0.3, 5.0
    r = np.exp(-1 / tau)
    K = np.array([sum(y[k] * (1 - r) * r ** (d - k - 1) for k in range(d)) for d in range(len(y))])
    lam = lam0 + eta * K
    expected = (
        np.sum(y * np.log(lam) - lam)
        + 2 * np.log(lam0)
        - 100 * lam0
        + 2 * np.log(eta)
        + 2 * np.log(1 - eta)
        - 0.5 * (np.log(tau) - np.log(14)) ** 2
    )
    value, _ = log_posterior(np.array([np.log(lam0), logit(eta), np.log(tau)]), data, prior)
    assert value == pytest.approx(expected, rel=1e-12)


def test_forecast_matches_the_closed_form_per_draw(laplace_fit: HawkesHazard) -> None:
    model = laplace_fit
    table = model.table_
    origin = table.end
    lam0, beta = model._draws()
    eta, tau = model._excitation_draws()
    r = np.exp(-1 / tau)
    hist = table.history[table.history > 0]
    lag = (origin - hist.index).days.to_numpy(dtype=float)  # ≥ 0
    K1 = ((1 - r)[:, None] * r[:, None] ** lag[None, :] * hist.to_numpy()[None, :]).sum(axis=1)
    design = model.future_design(origin, 60)
    x = design.to_numpy()
    h = np.arange(1, 61)
    lam = lam0[:, None] * np.exp(beta @ x.T) + eta[:, None] * r[:, None] ** (h - 1) * K1[:, None]
    expected = 1 - np.exp(-lam.sum(axis=1))
    got = model.forecast(None, [60])
    assert got["p_mean"].iloc[0] == pytest.approx(expected.mean(), rel=1e-10)


def test_simulation_agrees_with_the_forecast(laplace_fit: HawkesHazard) -> None:
    p = laplace_fit.forecast(None, [30])["p_mean"].iloc[0]
    paths = laplace_fit.simulate_paths(4000, 30, random_seed=3)
    share = paths["path"].nunique() / 4000
    assert share == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / 4000))


def test_simulated_events_excite_later_days(laplace_fit: HawkesHazard) -> None:
    paths = laplace_fit.simulate_paths(4000, 120, random_seed=4)
    per_path = paths.groupby("path").size().reindex(range(4000), fill_value=0)
    # without feedback the count would be Poisson-like with mean ≈ Σ hazard; with it, overdispersed
    assert per_path.var() > 1.2 * per_path.mean()


def test_one_step_ahead_hazard_uses_observed_rows(laplace_fit: HawkesHazard) -> None:
    table = laplace_fit.table_
    rows = table.data.iloc[-50:].copy()
    rows.loc[rows.index[10], "events"] = 1  # an event inside the block excites the next days
    with_event = laplace_fit.hazard(rows)
    rows.loc[rows.index[10], "events"] = 0
    without = laplace_fit.hazard(rows)
    np.testing.assert_allclose(with_event[:, :11], without[:, :11])
    assert (with_event[:, 11] > without[:, 11]).all()


def test_excitation_share_by_hand(laplace_fit: HawkesHazard) -> None:
    share = laplace_fit.excitation_share()
    assert 0 < share["low"] < share["mean"] < share["high"] < 1
    # the share of events the truth attributes to excitation, for reference
    data = _Data(laplace_fit.table_)
    K = excitation(data.c, TRUE["tau"])[data.pos]
    lam = TRUE["mu"] + TRUE["eta"] * K  # windows ignored: a rough reference
    truth = float(np.sum(data.y * TRUE["eta"] * K / lam) / data.y.sum())
    assert share["low"] - 0.1 < truth < share["high"] + 0.1


def test_laplace_recovers_the_parameters(laplace_fit: HawkesHazard) -> None:
    summary = laplace_fit.summary()
    for name, truth in (
        ("baseline_rate", TRUE["mu"]),
        ("plenary_meeting[0-30]", TRUE["hr"]),
        ("branching_ratio", TRUE["eta"]),
        ("decay_days", TRUE["tau"]),
    ):
        row = summary.loc[name]
        assert row["low"] < truth < row["high"], (name, row.to_dict())


def test_recovery_fails_with_a_broken_likelihood(
    sim_events: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = hawkes.log_posterior

    def broken(theta, data, prior, *, gradient=True):  # type: ignore[no-untyped-def]
        doubled = _Data.arrays(data.y, data.X)
        doubled.E, doubled.c, doubled.pos = 2 * data.E, data.c, data.pos
        return real(theta, doubled, prior, gradient=gradient)

    monkeypatch.setattr(hawkes, "log_posterior", broken)
    model = HawkesHazard(sampler="laplace", log_likelihood=False).fit(
        sim_table(sim_events), draws=500, chains=2, random_seed=1
    )
    row = model.summary().loc["baseline_rate"]
    assert not row["low"] < TRUE["mu"] < row["high"]


def test_refuses_a_table_with_its_own_excitation(sim_events: pd.DataFrame) -> None:
    table = fo.build_exposure(
        sim_events,
        fo.Outcome("any", "missile_launch"),
        start="2000-01-01",
        as_of="2010-01-01",
        covariates=[fo.Excitation(14)],
        observed_until="2009-12-31",
    )
    with pytest.raises(ModelError) as err:
        HawkesHazard().fit(table)
    assert str(err.value) == (
        "the hawkes model fits its own self-excitation; the table already has "
        "excitation[14d]. Drop self_excitation from the hypothesis."
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"sampler": "numpyro"},
            "sampler 'numpyro' is not one of auto, metropolis, laplace, laplace-is (the hawkes model).",
        ),
        (
            {"branching_prior": (0.0, 2.0)},
            "branching_prior must be (p, q) of a Beta prior, both > 0.",
        ),
        ({"decay_median": -1.0}, "decay_median and decay_sd_log must be > 0."),
    ],
)
def test_bad_parameters(sim_events: pd.DataFrame, kwargs: dict, message: str) -> None:
    with pytest.raises(ModelError) as err:
        HawkesHazard(**kwargs).fit(sim_table(sim_events, windows=False))
    assert str(err.value) == message


def test_prior_group_forecast(laplace_fit: HawkesHazard) -> None:
    prior = laplace_fit.forecast(None, [30], group="prior")
    post = laplace_fit.forecast(None, [30])
    assert prior["p_high"].iloc[0] - prior["p_low"].iloc[0] > (
        post["p_high"].iloc[0] - post["p_low"].iloc[0]
    )


def test_save_and_load_round_trip(laplace_fit: HawkesHazard, tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = laplace_fit.save(tmp_path / "fit.nc")
    loaded = HawkesHazard.load(path, laplace_fit.table_)
    assert loaded.get_params() == laplace_fit.get_params()
    pd.testing.assert_frame_equal(
        loaded.forecast(None, [30, 90]), laplace_fit.forecast(None, [30, 90])
    )
    with pytest.raises(fo.DifferentModelError):
        fo.PiecewiseHazard.load(path, laplace_fit.table_)


# ---------------------------------------------------------------------- slow: MCMC
@pytest.mark.slow
def test_metropolis_recovers_the_parameters(sim_events: pd.DataFrame) -> None:
    model = HawkesHazard(sampler="metropolis", log_likelihood=False).fit(
        sim_table(sim_events), draws=1000, tune=1000, chains=4, random_seed=2
    )
    assert model.method_ == "metropolis"
    summary = model.summary()
    assert (model.diagnostics_["r_hat"] < 1.01).all()
    assert (model.diagnostics_["ess_bulk"] > 400).all()
    for name, truth in (
        ("baseline_rate", TRUE["mu"]),
        ("plenary_meeting[0-30]", TRUE["hr"]),
        ("branching_ratio", TRUE["eta"]),
        ("decay_days", TRUE["tau"]),
    ):
        row = summary.loc[name]
        assert row["low"] < truth < row["high"], (name, row.to_dict())


def _p60(y: np.ndarray, lam0: np.ndarray, eta: np.ndarray, tau: np.ndarray) -> np.ndarray:
    """P(≥ 1 event in the 60 days after the data), per parameter draw (closed form)."""
    r = np.exp(-1 / tau)
    lags = np.arange(len(y))[::-1]
    K_end = (1 - r) * np.sum(y[None, :] * r[:, None] ** lags[None, :], axis=1)
    h = np.arange(60)
    return 1 - np.exp(-(60 * lam0 + eta * K_end * np.sum(r[:, None] ** h, axis=1)))


def _sbc_ranks(n_sims: int, *, broken: bool, seed: int) -> tuple[np.ndarray, int]:
    """Ranks of (log λ0, η, log τ, P(event ≤ 60 d)) among posterior draws (Talts et al. 2018)."""
    rng = np.random.default_rng(seed)
    prior = {
        "a": 4.0,
        "b": 4.0 / 0.01,
        "mu": np.zeros(0),
        "sd": np.ones(0),
        "branching": (2.0, 2.0),
        "log_decay_mean": np.log(14.0),
        "log_decay_sd": 0.5,
    }
    n_days, draws = 3000, 100
    ranks = []
    for _ in range(n_sims):
        truth = hawkes._prior_sample(prior, 1, rng)
        lam0, eta, tau = (
            float(truth[k].ravel()[0]) for k in ("baseline_rate", "branching_ratio", "decay_days")
        )
        r, K, y = np.exp(-1 / tau), 0.0, np.zeros(n_days)
        for d in range(n_days):
            y[d] = rng.poisson(lam0 + eta * K)
            K = r * K + (1 - r) * y[d]
        data = _Data.arrays(y)
        if broken:
            data.E = 0.5 * data.E
        theta, _, _ = hawkes.sample_posterior(
            data, prior, method="metropolis", draws=draws, tune=200, chains=2, rng=rng
        )
        theta = theta[:, ::2].reshape(-1, 3)  # thin against autocorrelation

        post = np.column_stack([theta[:, 0], theta[:, 1], theta[:, 2]])
        true = np.array([np.log(lam0), logit(eta), np.log(tau)])
        q_post = _p60(y, np.exp(theta[:, 0]), 1 / (1 + np.exp(-theta[:, 1])), np.exp(theta[:, 2]))
        q_true = _p60(y, np.array([lam0]), np.array([eta]), np.array([tau]))[0]
        ranks.append([*(post < true).sum(axis=0), (q_post < q_true).sum()])
    return np.array(ranks), len(theta)


@pytest.mark.slow
def test_sbc_passes_and_catches_a_broken_likelihood() -> None:
    ranks, n = _sbc_ranks(60, broken=False, seed=5)
    bins = 5
    for j in range(ranks.shape[1]):
        counts = np.bincount(ranks[:, j] * bins // (n + 1), minlength=bins)
        assert chisquare(counts).pvalue > 0.001, (j, counts)
    ranks, n = _sbc_ranks(30, broken=True, seed=6)
    counts = np.bincount(ranks[:, 0] * bins // (n + 1), minlength=bins)
    assert chisquare(counts).pvalue < 0.001, counts
