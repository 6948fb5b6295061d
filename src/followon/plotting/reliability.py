"""CORP reliability diagram: PAV-recalibrated curves, consistency bands, sharpness histogram.

Drawn from forecasts and outcomes only: the recalibration, bands and MCB/DSC/UNC terms come
from :mod:`followon.evaluation.scores`; nothing here fits a model.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import numpy.typing as npt
import pandas as pd
from matplotlib.axes import Axes

from followon.errors import EvaluationError, did_you_mean
from followon.evaluation.scores import corp_decomposition, reliability_curve
from followon.plotting.keys import HypothesisStyle, name_of, style_map
from followon.plotting.style import MIN_TEXT_PT

__all__ = ["plot_reliability"]

_FRAME_COLUMNS = ("hypothesis", "outcome", "horizon_days", "p_mean", "observed")
_HIST_BOUNDS = (0.56, 0.05, 0.38, 0.2)
"""Sharpness histogram inset, in axes fractions: the lower right, under the diagonal."""


def _choose(frame: pd.DataFrame, column: str, value: Any, keyword: str) -> pd.DataFrame:
    present = list(dict.fromkeys(frame[column]))
    if value is None:
        if len(present) > 1:
            shown = ", ".join(str(v) for v in present)
            raise EvaluationError(
                f"the frame has several {column} values ({shown}); choose one with {keyword}=."
            )
        return frame
    if value not in present:
        hint = did_you_mean(value, [str(v) for v in present]) if isinstance(value, str) else ""
        shown = ", ".join(str(v) for v in present)
        raise EvaluationError(f"no {column} {value!r}{hint}; the frame has {shown}.")
    return frame[frame[column] == value]


def _series_from_frame(
    frame: pd.DataFrame,
    hypothesis: str | Sequence[str] | None,
    outcome: str | None,
    horizon_days: int | None,
) -> list[tuple[str, Any, Any]]:
    missing = [c for c in _FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise EvaluationError(
            f"the backtest frame has no column(s) {', '.join(repr(c) for c in missing)}; a "
            f"reliability diagram needs {', '.join(_FRAME_COLUMNS)}."
        )
    sub = _choose(frame, "outcome", outcome, "outcome")
    sub = _choose(sub, "horizon_days", horizon_days, "horizon_days")
    present = [str(h) for h in dict.fromkeys(sub["hypothesis"])]
    wanted = (
        present
        if hypothesis is None
        else [hypothesis]
        if isinstance(hypothesis, str)
        else list(hypothesis)
    )
    series = []
    for name in wanted:
        if name not in present:
            raise EvaluationError(
                f"no hypothesis '{name}'{did_you_mean(name, present)}; the frame has "
                f"{', '.join(present)}."
            )
        rows = sub[(sub["hypothesis"].astype(str) == name) & sub["observed"].notna()]
        if rows.empty:
            raise EvaluationError(
                f"hypothesis '{name}' has no uncensored forecasts to draw (every observed is NaN)."
            )
        series.append((name, rows["p_mean"].to_numpy(), rows["observed"].to_numpy()))
    return series


def plot_reliability(
    frame_or_p: pd.DataFrame | npt.ArrayLike,
    y: npt.ArrayLike | None = None,
    *,
    ax: Axes | None = None,
    hypothesis: str | Sequence[str] | None = None,
    outcome: str | None = None,
    horizon_days: int | None = None,
    n_boot: int = 200,
    ci_prob: float = 0.9,
    random_seed: int | np.random.Generator | None = 0,
    histogram: bool = True,
    annotate: bool = True,
    styles: Mapping[str, Any] | None = None,
    labels: Mapping[str, str] | None = None,
    overlapping: bool | None = None,
) -> Axes:
    r"""CORP reliability diagram (Dimitriadis, Gneiting & Jordan, PNAS 2021).

    For each forecaster: the PAV-recalibrated event probability against the forecast
    probability as a step line (:func:`~followon.evaluation.reliability_curve`), its
    ``ci_prob`` consistency band under the hypothesis of calibration shaded, the diagonal of
    perfect calibration, a sharpness histogram of the forecast probabilities in an inset at
    the lower right, and MCB (miscalibration), DSC (discrimination) and UNC (uncertainty) of
    the Brier score (:func:`~followon.evaluation.corp_decomposition`;
    :math:`\mathrm{BS} = \mathrm{MCB} - \mathrm{DSC} + \mathrm{UNC}`) in a small annotation.
    Several hypotheses get their colour and line style/marker from
    :func:`~followon.plotting.keys.style_map` (in the order given, ``climatology`` dark grey
    and dotted; ``styles=`` overrides, ``labels=`` renames), outlined histograms in the same
    colours and styles. The axes are square (the diagonal at 45°); legend, scores and the
    number of forecasts sit below them. No title.

    The consistency bands resample forecasts as if they were independent. Backtest origins a
    few weeks apart share most of their windows, so the cases are dependent and the bands too
    narrow: with a frame (or ``overlapping=True``) the figure says so.

    Parameters
    ----------
    frame_or_p : pandas.DataFrame or array_like of float
        A tidy backtest frame (columns ``hypothesis, outcome, horizon_days, p_mean, observed``;
        censored rows, ``observed`` NaN, are left out), or forecast probabilities with ``y``.
    y : array_like of {0, 1}, optional
        Outcomes, when ``frame_or_p`` is an array of probabilities.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's by default (sized by :func:`~followon.paper_style`
        when inside it).
    hypothesis : str or sequence of str, optional
        With a frame: the hypotheses to draw (default: all, in frame order). With arrays: the
        forecaster's name for the legend (no legend without it).
    outcome, horizon_days : optional
        With a frame: which outcome and horizon to draw; needed when the frame has several.
    n_boot, ci_prob : int, float
        Resamples and probability mass of the consistency bands.
    random_seed : int, numpy.random.Generator or None, default 0
        Seed of the band resampling; fixed by default so a figure's bytes are reproducible.
    histogram, annotate : bool, default True
        Draw the sharpness histogram inset; write the MCB/DSC/UNC annotation.
    styles, labels : mapping, optional
        Hypothesis → colour/style, and id → text (as for :func:`~followon.plot_forecast`).
    overlapping : bool, optional
        Whether the forecast windows overlap (default: True for a backtest frame, False for
        arrays); when they do, a note under the axes says the bands are too narrow.

    Returns
    -------
    matplotlib.axes.Axes
        The diagram's axes (limits [0, 1] on both); the histogram inset is
        ``ax.child_axes[0]``. The legend and the MCB/DSC/UNC lines sit below the axes, clear
        of the curves; the axes box is square whatever the figure's shape.

    Raises
    ------
    EvaluationError
        For malformed forecasts or outcomes, a frame missing a column, an unknown or
        ambiguous hypothesis, outcome or horizon, or a hypothesis with only censored rows.
    """
    series: list[tuple[str, Any, Any]]
    if isinstance(frame_or_p, pd.DataFrame):
        if y is not None:
            raise EvaluationError(
                "y is taken from the frame's 'observed' column; pass one or the other."
            )
        series = _series_from_frame(frame_or_p, hypothesis, outcome, horizon_days)
        legend = True
    else:
        if y is None:
            raise EvaluationError(
                "y (the observed 0/1 outcomes) is needed with an array of probabilities."
            )
        if hypothesis is not None and not isinstance(hypothesis, str):
            raise EvaluationError("with arrays, hypothesis is the forecaster's name: one string.")
        series = [(hypothesis or "", frame_or_p, y)]
        legend = hypothesis is not None

    # every number first (this validates the input), so a bad input leaves no empty figure
    rng = np.random.default_rng(random_seed)
    drawn = []
    for name, p, obs in series:
        try:
            curve = reliability_curve(p, obs, n_boot=n_boot, ci_prob=ci_prob, random_seed=rng)
            d = corp_decomposition(p, obs)
        except EvaluationError as err:
            if not isinstance(frame_or_p, pd.DataFrame):
                raise
            raise EvaluationError(f"hypothesis '{name}': {err}") from None
        drawn.append((name, curve, d, np.asarray(p, dtype=float)))

    if ax is None:
        _, ax = plt.subplots()
    if overlapping is None:
        overlapping = isinstance(frame_or_p, pd.DataFrame)
    several = len(drawn) > 1
    key = style_map([name for name, *_ in drawn], styles)
    words = dict(labels or {})
    terms: list[tuple[str, float, float, float]] = []
    for i, (name, curve, d, _) in enumerate(drawn):
        st = key.get(name) or HypothesisStyle("#0072B2")
        x = curve["p"].to_numpy()
        ax.fill_between(
            x,
            curve["low"].to_numpy(),
            curve["high"].to_numpy(),
            step="post",
            color=st.color,
            alpha=0.12 if several else 0.2,
            linewidth=0,
        )
        ax.step(
            x,
            curve["p_recal"].to_numpy(),
            where="post",
            markevery=max(len(x) // 6, 1),
            label=name_of(name, words) if legend else "_nolegend_",
            zorder=3 + 0.1 * i,
            **st.line_kwargs(),
        )
        terms.append((name_of(name, words), d["reliability"], d["resolution"], d["uncertainty"]))
    ax.plot(
        [0, 1], [0, 1], color="0.55", linewidth=0.6, linestyle="--", zorder=1, label="_nolegend_"
    )
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_box_aspect(1)
    ax.set_anchor("N")  # spare height goes below, with the notes
    ax.set_xlabel("forecast probability")
    ax.set_ylabel("observed event frequency (PAV)")
    n = len(drawn[0][3])
    notes = [
        f"{n} forecasts" + (" with overlapping windows" if overlapping else ""),
        f"shaded: {ci_prob:.0%} consistency band"
        + ("\n(assumes independent forecasts: too narrow here)" if overlapping else ""),
    ]
    if annotate:
        if several:
            notes.append(_terms_table(terms))
        else:
            _, mcb, dsc, unc = terms[0]
            notes.append(f"MCB {mcb:.3f}, DSC {dsc:.3f}, UNC {unc:.3f}")
    handles, _ = ax.get_legend_handles_labels()
    under = 2.6 * MIN_TEXT_PT * 1.3
    if legend and handles:
        leg = ax.legend(
            loc="upper left",
            bbox_to_anchor=(0.0, 0.0),
            borderaxespad=3.3,
            ncols=2 if len(handles) > 1 else 1,
            handlelength=2.6,
            columnspacing=1.0,
        )
        under += 1.3 * MIN_TEXT_PT * (math.ceil(len(handles) / 2) + 0.6)
        assert leg is not None
    ax.annotate(
        "\n".join(notes),
        (0.0, 0.0),
        xycoords="axes fraction",
        xytext=(0, -under),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=MIN_TEXT_PT,
        color="0.25",
        annotation_clip=False,
    )
    if histogram:
        _sharpness(ax, [p for *_, p in drawn], [key.get(name) for name, *_ in drawn])
    return ax


def _small() -> float:
    """Annotation size: the body text, never below :data:`MIN_TEXT_PT`."""
    return max(MIN_TEXT_PT, float(mpl.rcParams["font.size"]))


def _terms_table(terms: list[tuple[str, float, float, float]]) -> str:
    """One line per hypothesis; UNC once when every hypothesis scored the same cases' outcomes."""
    uncs = {round(unc, 12) for *_, unc in terms}
    if len(uncs) == 1:
        lines = [f"{name}: MCB {mcb:.3f}, DSC {dsc:.3f}" for name, mcb, dsc, _ in terms]
        return "\n".join([*lines, f"UNC {terms[0][3]:.3f}"])
    return "\n".join(
        f"{name}: MCB {mcb:.3f}, DSC {dsc:.3f}, UNC {unc:.3f}" for name, mcb, dsc, unc in terms
    )


def _sharpness(
    ax: Axes, forecasts: list[np.ndarray], looks: Sequence[HypothesisStyle | None]
) -> Axes:
    """Histogram of the forecast probabilities, 20 bins on [0, 1], in an inset of ``ax``.

    One forecaster: filled bars. Several: one outline each, in its colour and line style.
    """
    hax = ax.inset_axes(_HIST_BOUNDS)
    bins = np.linspace(0, 1, 21).tolist()
    top = 0.0
    if len(forecasts) == 1:
        colour = looks[0].color if looks[0] else "#0072B2"
        counts, *_ = hax.hist(forecasts[0], bins=bins, color=colour, alpha=0.8, linewidth=0)
        top = float(np.max(counts))
    else:
        for p, look in zip(forecasts, looks, strict=True):
            st = look or HypothesisStyle("0.2")
            counts, *_ = hax.hist(
                p, bins=bins, histtype="step", color=st.color, linestyle=st.linestyle, linewidth=0.8
            )
            top = max(top, float(np.max(counts)))
    hax.set_xlim(0, 1)
    hax.set_xticks([0, 0.5, 1])
    hax.set_xticklabels(["0", "0.5", "1"])
    hax.set_yticks([top], [f"{top:.0f}"])  # the count scale: the tallest bar
    hax.spines["left"].set_visible(True)
    hax.tick_params(labelsize=_small(), length=2, pad=1)
    hax.spines[["top", "right"]].set_visible(False)
    hax.patch.set_alpha(0)
    return hax
