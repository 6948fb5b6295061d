"""Notebook display: short reprs, small escaped HTML that parses, no "nan" for missing values."""

from __future__ import annotations

import warnings
from html.parser import HTMLParser
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import followon as fo
from followon._display import MISSING, html_card, html_table, pct_interval
from followon.errors import ConvergenceWarning
from followon.hazard.base import convergence_gate
from followon.hazard.display import convergence_status
from tests.hazard.conftest import simulate_events

EVIL = "<script>alert('x')</script>"

SCENARIO = """\
name: display-test
question: "Launch within 30 days of a plenum? <img src=x onerror=alert(1)> & more"
as_of: 2010-05-26
data: {file: events.csv, start: 2000-01-01, observed_until: 2010-12-13}
trigger: {type: plenary_meeting, date: 2010-05-25}
outcomes:
  - {id: launch, type: missile_launch}
horizons_days: [10, 30]
hypotheses:
  - id: steady
    sampler: exact
  - id: "EVIL"
    description: "EVIL"
    triggers: [{type: plenary_meeting, cut_days: [0, 30]}]
    sampler: exact
compare: {method: lfo, origins: 2, block_days: 90, weights: pseudo-bma+}
sampling: {draws: 300, chains: 2, random_seed: 1}
"""


class _Checker(HTMLParser):
    """Collect tags, text and attributes; fail on a tag left open or closed out of turn."""

    VOID = frozenset({"br", "img", "hr", "meta", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.stack: list[str] = []
        self.tags: set[str] = set()
        self.attrs: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs += [name for name, _ in attrs]
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.stack and self.stack[-1] == tag, f"</{tag}> closes {self.stack[-1:]}"
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse(html: str) -> _Checker:
    """Parse ``html``; it must be balanced, without script, style element or event handler."""
    checker = _Checker()
    checker.feed(html)
    checker.close()
    assert checker.stack == []
    assert not checker.tags & {"script", "style", "img", "link", "iframe"}
    assert set(checker.attrs) <= {"style"}
    return checker


def text_of(html: str) -> str:
    return " ".join(parse(html).text)


@pytest.fixture(scope="module")
def events() -> pd.DataFrame:
    return simulate_events(3900, 0.01, trigger_every=120, window=30, hr_window=4.0, seed=4)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory, events: pd.DataFrame) -> fo.Scenario:
    folder = tmp_path_factory.mktemp("display")
    out = events.copy()
    for col in ("date", "end_date"):
        out[col] = out[col].dt.strftime("%Y-%m-%d")
    out.to_csv(folder / "events.csv", index=False)
    text = SCENARIO.replace("EVIL", EVIL)
    (folder / "s.yaml").write_text(text, encoding="utf-8")
    return fo.load_scenario(folder / "s.yaml")


@pytest.fixture(scope="module")
def result(scenario: fo.Scenario) -> fo.ScenarioResult:
    return fo.run_scenario(scenario)


@pytest.fixture(scope="module")
def model(events: pd.DataFrame) -> fo.PiecewiseHazard:
    table = fo.build_exposure(
        events,
        fo.Outcome("launch", "missile_launch"),
        covariates=[fo.TriggerWindows("plenary_meeting", cut_days=(0, 30))],
        start="2000-01-01",
        as_of="2005-01-01",
    )
    return fo.PiecewiseHazard(sampler="exact", beta_sd=0.5).fit(table, draws=200, chains=2)


def test_html_helpers_escape_every_cell_and_show_missing_as_a_dash() -> None:
    html = html_card(
        EVIL,
        facts=[(EVIL, EVIL), ("none", None)],
        tables=[html_table([EVIL, "p"], [[EVIL, np.nan], [pd.NaT, pd.NA], [None, 0.123456]])],
        notes=[EVIL],
    )
    checker = parse(html)
    assert "<script" not in html and html.count("&lt;script&gt;") == 6
    assert "".join(checker.text).count(EVIL) == 6
    assert "nan" not in html.lower() and "NaT" not in html and "None" not in html
    assert html.count(MISSING) == 5 and "0.123" in html
    assert pct_interval(0.2, np.nan, np.nan) == "20%"
    assert pct_interval(0.234, 0.1, 0.5) == "23% (10–50%)"
    assert pct_interval(np.nan, np.nan, np.nan) == MISSING


def test_an_unfitted_model_shows_only_its_changed_parameters() -> None:
    assert repr(fo.PiecewiseHazard()) == "PiecewiseHazard()"
    assert repr(fo.PiecewiseHazard(beta_sd=0.5, sampler="exact")) == (
        "PiecewiseHazard(beta_sd=0.5, sampler='exact')"
    )
    html = fo.PiecewiseHazard(beta_sd=0.5)._repr_html_()
    text = text_of(html)
    assert "PiecewiseHazard (not fitted)" in text and "beta_sd" in text and "0.5" in text


def test_a_fitted_model_shows_data_method_draws_and_convergence(
    model: fo.PiecewiseHazard,
) -> None:
    table = model.table_
    first, last = table.data["date"].min(), table.data["date"].max()
    events = int(table.data["events"].sum())
    lines = repr(model).splitlines()
    assert lines == [
        "PiecewiseHazard(beta_sd=0.5, sampler='exact')",
        f"  fitted to launch, {first:%Y-%m-%d} … {last:%Y-%m-%d} ({len(table.data)} days, "
        f"{events} events); exact, 2 × 200 draws; exact conjugate draws: independent, no MCMC "
        "diagnostics",
    ]
    html = model._repr_html_()
    assert len(html) < 1500
    text = text_of(html)
    summary = model.summary(ci_prob=0.9)
    hr = summary.loc["plenary_meeting[0-30]"]
    assert f"{hr['mean']:.3g}" in text and f"{hr['low']:.3g} – {hr['high']:.3g}" in text
    assert "method: exact" in text and "draws: 2 × 200" in text and "events: " + str(events) in text


def test_convergence_status_reads_the_gate() -> None:
    import arviz as az

    rng = np.random.default_rng(0)
    good = az.from_dict({"posterior": {"mu": rng.normal(size=(4, 500))}})
    bad = az.from_dict({"posterior": {"mu": rng.normal(size=(4, 500)) + np.arange(4)[:, None]}})
    ok = convergence_status(SimpleNamespace(diagnostics_=convergence_gate(good, "good")))
    assert ok.startswith("converged (max R-hat 1.0") and "0 divergences" in ok
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        diag = convergence_gate(bad, "bad")
    assert convergence_status(SimpleNamespace(diagnostics_=diag)).startswith("NOT converged")


def test_scenario_result_shows_the_answer_not_a_dump(result: fo.ScenarioResult) -> None:
    text = repr(result)
    lines = text.splitlines()
    assert len(lines) == 2 and len(text) < 400
    assert lines[0] == (
        "ScenarioResult('display-test': 2 hypotheses × 1 outcome(s), origin "
        f"{result.origin:%Y-%m-%d}, 0 warning(s))"
    )
    combined = result.forecast.query("hypothesis == 'combined' and what_if == ''")
    r30 = combined[combined["horizon_days"] == 30].iloc[0]
    p30 = f"{100 * r30.p_mean:.0f}% ({100 * r30.p_low:.0f}–{100 * r30.p_high:.0f}%) ≤30d"
    assert lines[1].startswith("  launch (combined): ") and p30 in lines[1]

    html = result._repr_html_()
    assert len(html) < 3000
    assert EVIL not in html and "onerror=alert(1)>" not in html
    body = text_of(html)
    assert EVIL in body  # shown, escaped
    assert "<img src=x onerror=alert(1)> & more" in body
    plain = result.forecast[result.forecast["what_if"] == ""]
    assert set(plain["hypothesis"]) == {"combined", "steady", EVIL}
    for r in plain.itertuples():
        assert pct_interval(r.p_mean, r.p_low, r.p_high) in body
    comp = result.comparison.set_index("hypothesis")
    assert f"{comp.loc[EVIL, 'weight']:.2f} ({comp.loc[EVIL, 'weight_low']:.2f}–" in body
    assert "warnings: 0" in body and "nan" not in html.lower()


def test_scenario_result_counts_and_lists_warnings(result: fo.ScenarioResult) -> None:
    diag = result.diagnostics.copy()
    diag["warning"] = [f"R-hat > 1.01 for beta {EVIL}", ""]
    noisy = fo.ScenarioResult(**{**result.__dict__, "diagnostics": diag})
    assert ", 1 warning(s))" in repr(noisy).splitlines()[0]
    body = text_of(noisy._repr_html_())
    assert "warnings: 1" in body and f"launch / steady: R-hat > 1.01 for beta {EVIL}" in body


def test_backtest_result_shows_the_score_table(scenario: fo.Scenario) -> None:
    bt = fo.backtest(
        scenario,
        every_days=365,
        at_triggers=False,
        start="2004-01-01",
        n_jobs=1,
        progressbar=False,
        random_seed=1,
    )
    text = repr(bt)
    lines = text.splitlines()
    assert len(lines) == 2 and len(text) < 400
    m = bt.meta
    assert lines[0].startswith(
        f"BacktestResult('display-test': {m['origins']} origins {m['first_origin']} … "
    )
    s = bt.scores
    best = s.loc[s[(s["horizon_days"] == 10)]["brier"].idxmin()]
    assert f"launch 10d: {best['hypothesis']} ({best['brier']:.3f})" in lines[1]
    html = bt._repr_html_()
    assert len(html) < 4000 and EVIL not in html
    body = text_of(html)
    assert f"ml:{EVIL}" in body and "climatology" in body
    assert f"{s['brier'].iloc[0]:.3g}" in body
    # baselines have no interval: coverage is missing, shown as a dash, never "nan"
    assert MISSING in body and "nan" not in html.lower()


def test_catalog_summary_is_what_the_cli_prints(capsys: pytest.CaptureFixture[str]) -> None:
    from followon.cli import main

    summary = fo.catalog_summary(start_year=2015)
    assert main(["data", "summary", "--from-year", "2015"]) == 0
    assert capsys.readouterr().out == summary.to_text() + "\n"
    text = repr(summary)
    assert len(text.splitlines()) == 2 and len(text) < 200
    assert f"{summary.n_events} events" in text
    days = sorted(summary.observed_until.values())
    assert f"observed until {days[0]:%Y-%m-%d} … {days[-1]:%Y-%m-%d}" in text
    html = summary._repr_html_()
    assert len(html) < 6000
    body = text_of(html)
    launches = summary.per_year.loc["missile_launch"]
    assert " ".join(str(v) for v in launches) in " ".join(body.split())
    assert "2015" in body and "nan" not in html.lower()


def test_catalog_summary_escapes_an_overlay_name(tmp_path: Path) -> None:
    summary = fo.catalog_summary()
    evil = fo.CatalogSummary(
        **{**summary.__dict__, "overlay": [{"name": EVIL, "rows": 1, "observed_until": "x"}]}
    )
    html = evil._repr_html_()
    assert EVIL not in html and EVIL in text_of(html)
