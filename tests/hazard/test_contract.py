"""One battery over every registered model (scikit-learn's check_estimator, for HazardModel).

Also: a toy model written here in ~60 lines, registered, runs through a scenario, a backtest
and simulation-based calibration without any other change to the package.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy.special import gammaln

import followon as fo
from followon.errors import DifferentDataError, ModelError
from followon.hazard.base import PosteriorSample, Sampling
from followon.hazard.registry import unregister_model


# ---------------------------------------------------------------------- the toy model
class ConstantRate(fo.HazardModel):
    """A constant daily rate with a conjugate Gamma prior: the smallest complete model."""

    name = "toy_constant"
    samplers = ("auto", "exact")
    options = ("rate_shape",)
    accepts_priors = False

    def __init__(
        self, *, rate_shape: float = 2.0, sampler: str = "auto", log_likelihood: bool = True
    ) -> None:
        self.rate_shape = rate_shape
        self.sampler = sampler
        self.log_likelihood = log_likelihood

    def check_params(self) -> None:
        super().check_params()
        if not (isinstance(self.rate_shape, int | float) and self.rate_shape > 0):
            raise ModelError(f"rate_shape must be a number > 0, not {self.rate_shape!r}.")

    def resolve_sampler(self, table: fo.ExposureTable) -> str:
        return "exact"

    def prior(self, table: fo.ExposureTable) -> dict[str, Any]:
        rate = max(float(table.data["events"].sum()), 0.5) / float(table.data["exposure"].sum())
        return {"a": float(self.rate_shape), "b": float(self.rate_shape) / rate}

    def sample_prior(
        self, draws: int, rng: np.random.Generator, prior: Mapping[str, Any] | None = None
    ) -> dict[str, np.ndarray]:
        p = self.prior_ if prior is None else prior
        return {"rate": rng.gamma(p["a"], 1.0 / p["b"], size=(1, draws))}

    def _sample_posterior(self, table: fo.ExposureTable, run: Sampling) -> PosteriorSample:
        self.prior_ = self.prior_for(table)
        a = self.prior_["a"] + float(table.data["events"].sum())
        b = self.prior_["b"] + float(table.data["exposure"].sum())
        return PosteriorSample({"rate": run.rng.gamma(a, 1.0 / b, size=(run.chains, run.draws))})

    def _pointwise_loglik(self, posterior: Mapping[str, np.ndarray]) -> np.ndarray:
        y = self.table_.data["events"].to_numpy(dtype=float)
        lam = posterior["rate"][..., None] * self.table_.data["exposure"].to_numpy(dtype=float)
        return y * np.log(lam) - lam - gammaln(y + 1.0)

    def _summary_quantities(self, ci_prob: float) -> list[tuple[str, str, np.ndarray]]:
        return [("rate", "rate_per_day", self.posterior_draws("rate"))]

    def future_design(self, origin, n_days, **future: Any) -> pd.DataFrame:  # fmt: skip
        self._check_fitted()
        start = pd.Timestamp(origin) + pd.Timedelta(days=1)
        return pd.DataFrame(index=pd.date_range(start, periods=n_days, freq="D", name="date"))

    def hazard(self, design: pd.DataFrame, *, group: str = "posterior") -> np.ndarray:
        rate = self.posterior_draws("rate", group)
        return np.repeat(rate[:, None], len(design), axis=1)


@pytest.fixture
def toy() -> Iterator[type[ConstantRate]]:
    fo.register_model(ConstantRate)
    yield ConstantRate
    unregister_model(ConstantRate.name)


# ---------------------------------------------------------------------- shared data
@pytest.fixture(scope="module")
def table() -> fo.ExposureTable:
    triggers = [
        fo.TriggerWindows("plenary_meeting", cut_days=(0, 30)),
        fo.TriggerWindows("politburo_meeting", cut_days=(0, 30)),
    ]
    return fo.build_exposure(
        fo.load_events(),
        fo.Outcome("any", "missile_launch"),
        start="2016-01-01",
        as_of="2024-07-02",
        covariates=triggers,
    )


def fast(cls: type[fo.HazardModel], table: fo.ExposureTable) -> fo.HazardModel:
    model = cls()
    sampler = cls.fast_sampler(table)
    return model.set_params(sampler=sampler) if sampler else model


CLASSES = [pytest.param(cls, id=name) for name, cls in fo.MODELS.items()]


# ---------------------------------------------------------------------- the battery
@pytest.mark.parametrize("cls", [c.values[0] for c in CLASSES], ids=list(fo.MODELS))
def test_params_round_trip_and_refuse_unknown_names(cls: type[fo.HazardModel]) -> None:
    model = cls()
    again = cls(**cls._params_from_json(model.get_params()))
    assert again.get_params() == model.get_params()
    assert list(model.get_params()) == cls.get_param_names()
    assert cls.samplers[0] == "auto"
    assert fo.get_model(cls.name) is cls
    with pytest.raises(ModelError, match="has no parameter 'samplr' \\(did you mean 'sampler'"):
        model.set_params(samplr="auto")
    with pytest.raises(ModelError, match="sampler 'nope'"):
        cls(sampler="nope").check_params()


@pytest.mark.parametrize("cls", [c.values[0] for c in CLASSES], ids=list(fo.MODELS))
def test_unfitted_model_refuses_results(cls: type[fo.HazardModel]) -> None:
    model = cls()
    for call in (model.summary, model.forecast, lambda: model.save("x.nc")):
        with pytest.raises(ModelError, match="is not fitted yet; call fit\\(table\\) first"):
            call()


@pytest.mark.parametrize("cls", CLASSES)
@pytest.mark.filterwarnings("ignore::followon.errors.ConvergenceWarning")  # 2 × 200 draws
def test_fit_forecast_save_load(
    cls: type[fo.HazardModel], table: fo.ExposureTable, tmp_path: Path
) -> None:
    model = fast(cls, table)
    fitted = model.fit(table, draws=200, tune=200, chains=2, random_seed=1, progressbar=False)
    assert fitted is model
    assert {"idata_", "table_", "method_", "diagnostics_"} <= set(vars(model))
    f = model.forecast(horizons_days=[10, 30, 90])
    assert list(f.columns) == fo.FORECAST_COLUMNS
    assert (np.diff(f["p_mean"]) >= 0).all() and f["p_mean"].between(0, 1).all()
    assert len(model.summary())
    path = model.save(tmp_path / "fit.nc")
    loaded = cls.load(path, table)
    assert loaded.get_params() == model.get_params()
    # the notebook display reads only what a saved fit keeps
    assert repr(loaded) == repr(model) and loaded._repr_html_() == model._repr_html_()
    assert repr(model).splitlines()[1].startswith(f"  fitted to any, {table.start:%Y-%m-%d} … ")
    pd.testing.assert_frame_equal(
        loaded.forecast(horizons_days=[10, 30, 90]), f, check_exact=False, rtol=1e-12
    )
    other = fo.build_exposure(
        fo.load_events(),
        fo.Outcome("any", "missile_launch"),
        start="2017-01-01",
        as_of="2024-07-02",
        covariates=table.covariates,
    )
    with pytest.raises(DifferentDataError, match="was fitted to exposure table"):
        cls.load(path, other)


@pytest.mark.parametrize("cls", [c.values[0] for c in CLASSES], ids=list(fo.MODELS))
def test_prior_samples_have_the_posterior_shape(
    cls: type[fo.HazardModel], table: fo.ExposureTable
) -> None:
    model = cls()
    try:
        prior = model.prior(table)
    except ModelError:
        pytest.skip(f"{cls.name} keeps its prior internal (its own SBC tests cover it)")
    draws = model.sample_prior(50, np.random.default_rng(0), prior)
    assert all(v.shape[:2] == (1, 50) for v in draws.values())


# ---------------------------------------------------------------------- the toy, end to end
TOY_SCENARIO = """\
name: toy
question: A constant rate, as any registered model would be used
as_of: 2024-07-02
data: {catalog: dprk, start: 2016-01-01}
trigger: {type: plenary_meeting, date: 2024-06-28}
outcomes:
  - {id: any_missile, type: missile_launch}
horizons_days: [30, 60]
hypotheses:
  - id: steady
  - id: toy
    model: toy_constant
    options: {rate_shape: 3.0}
compare: {method: lfo, origins: 2, block_days: 90}
sampling: {draws: 300, chains: 2, random_seed: 1}
"""


def test_a_registered_toy_model_validates_runs_backtests_and_calibrates(
    toy: type[ConstantRate], table: fo.ExposureTable, tmp_path: Path
) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(TOY_SCENARIO, encoding="utf-8")
    scenario = fo.load_scenario(path)
    result = fo.run_scenario(scenario, quick=True)
    toy_p = result.forecast.query("hypothesis == 'toy'")["p_mean"].to_numpy()
    steady_p = result.forecast.query("hypothesis == 'steady'")["p_mean"].to_numpy()
    assert toy_p == pytest.approx(steady_p, abs=0.03)  # the same model, written twice
    assert set(result.comparison["hypothesis"]) == {"steady", "toy"}
    bt = fo.backtest(scenario, every_days=180, start="2022-01-01", n_jobs=1, progressbar=False)
    assert "toy" in set(bt.forecasts["hypothesis"])
    sbc = fo.simulation_based_calibration(table, ConstantRate, n_sims=40, random_seed=2)
    assert list(sbc.ranks.columns) == ["rate", "log_likelihood", "p_event_60d"]
    assert (sbc.test()["chi2_p"] > 0.001).all() and sbc.test()["inside_band"].all()
    bad = TOY_SCENARIO.replace("rate_shape: 3.0", "rate_shape: big")
    path.write_text(bad, encoding="utf-8")
    with pytest.raises(fo.ScenarioError, match="rate_shape must be a number > 0, not 'big'"):
        fo.load_scenario(path)
    path.write_text(TOY_SCENARIO.replace("    model: toy_constant\n", "    model: toy_constnt\n"))
    with pytest.raises(fo.ScenarioError, match="did you mean 'toy_constant'"):
        fo.load_scenario(path)


def test_the_docs_model_table_matches_the_registry() -> None:
    """docs/scenarios.md lists every registered model with its samplers and options."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "scenarios.md").read_text("utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| `")]
    documented: dict[str, tuple[set[str], set[str]]] = {}
    for row in rows:
        cells = [c.strip() for c in row.strip("|").split("|")]
        if len(cells) != 4 or not cells[2].startswith("auto"):
            continue  # another table
        samplers = {s.split(" ")[0] for s in cells[2].split(", ")}
        options = set() if cells[3] == "—" else set(cells[3].split(", "))
        for name in cells[0].replace("`", "").split(", "):
            documented[name] = (samplers, options)
    assert set(documented) == set(fo.MODELS)
    for name, cls in fo.MODELS.items():
        assert documented[name] == (set(cls.samplers), set(cls.options)), name
