"""What a hazard model shows in a notebook: its parameters, or its fit in two lines / one card.

An unfitted model shows as its class and the parameters that differ from the defaults
(scikit-learn's ``print_changed_only``); a fitted one adds the data it was fitted to, the
method, the draws and the convergence gate's verdict.
"""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np

from followon._display import cell, html_card, html_table

__all__ = ["convergence_status", "model_html", "model_repr"]


def _changed_params(model: Any) -> dict[str, Any]:
    """Return the constructor parameters that differ from a default-constructed model's."""
    params = model.get_params()
    try:
        defaults = type(model)().get_params()
    except TypeError:  # a required parameter: compare with the signature's defaults
        sig = inspect.signature(type(model).__init__)
        defaults = {n: sig.parameters[n].default for n in params}
    return {k: v for k, v in params.items() if k not in defaults or not _same(v, defaults[k])}


def _same(value: Any, default: Any) -> bool:
    try:
        return bool(value == default)
    except (TypeError, ValueError):
        return False


def _params_text(model: Any) -> str:
    params = ", ".join(f"{k}={v!r}" for k, v in _changed_params(model).items())
    return f"{type(model).__name__}({params})"


def convergence_status(model: Any) -> str:
    """One phrase: the convergence gate's verdict on a fitted model's draws."""
    diag = model.diagnostics_
    if "note" in diag.attrs:
        return str(diag.attrs["note"])
    from followon.hazard.base import ESS_MIN, RHAT_MAX

    if diag.empty:
        return "no diagnostics"
    rhat = float(np.nanmax(diag["r_hat"]))
    ess = float(np.nanmin(diag["ess_bulk"]))
    div = int(diag.attrs.get("divergences", 0))
    ok = rhat <= RHAT_MAX and ess >= ESS_MIN and div == 0
    return (
        f"{'converged' if ok else 'NOT converged'} (max R-hat {rhat:.3f}, min bulk ESS "
        f"{ess:.0f}, {div} divergences)"
    )


def _fit_facts(model: Any) -> list[tuple[str, Any]]:
    table = model.table_
    dates = table.data["date"]
    posterior = model.idata_["posterior"].dataset
    chains, draws = int(posterior.sizes["chain"]), int(posterior.sizes["draw"])
    return [
        ("outcome", table.outcome.id),
        ("data", f"{dates.min():%Y-%m-%d} … {dates.max():%Y-%m-%d}"),
        ("days", len(table.data)),
        ("events", int(table.data["events"].sum())),
        ("method", model.method_),
        ("draws", f"{chains} × {draws}"),
    ]


def model_repr(model: Any) -> str:
    """Class and changed parameters; a second line with the fit when fitted."""
    head = _params_text(model)
    if not hasattr(model, "idata_"):
        return head
    facts = dict(_fit_facts(model))
    return (
        f"{head}\n  fitted to {facts['outcome']}, {facts['data']} ({facts['days']} days, "
        f"{facts['events']} events); {facts['method']}, {facts['draws']} draws; "
        f"{convergence_status(model)}"
    )


SUMMARY_ROWS = 12
"""At most this many posterior summary rows in a fitted model's HTML card."""


def model_html(model: Any) -> str:
    """Return an HTML card: parameters; when fitted, the fit's facts and a 90% posterior summary."""
    if not hasattr(model, "idata_"):
        params = html_table(
            ["parameter", "value"], [(k, repr(v)) for k, v in model.get_params().items()]
        )
        return html_card(f"{type(model).__name__} (not fitted)", tables=[params])
    facts = [
        ("parameters", _params_text(model)),
        *_fit_facts(model),
        ("convergence", convergence_status(model)),
    ]
    summary = model.summary(ci_prob=0.9)
    rows = [
        (name, r["kind"], r["mean"], f"{cell(r['low'])} – {cell(r['high'])}")
        for name, r in summary.head(SUMMARY_ROWS).iterrows()
    ]
    notes = [f"{len(summary) - SUMMARY_ROWS} more rows: model.summary()"] * (
        len(summary) > SUMMARY_ROWS
    )
    table = html_table(["parameter", "kind", "mean", "90% interval"], rows)
    return html_card(type(model).__name__, facts=facts, tables=[table], notes=notes)
