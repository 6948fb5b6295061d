"""ECDF-difference plot of simulation-based calibration ranks (Säilynoja et al. 2022).

Drawn from a finished :class:`~followon.evaluation.sbc.SBCResult`: the ECDF differences and
the simultaneous band come from :func:`~followon.evaluation.sbc.sbc_ecdf_difference`; nothing
here fits a model.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from matplotlib.axes import Axes

from followon.errors import EvaluationError
from followon.evaluation.sbc import SBCResult
from followon.plotting.style import OKABE_ITO, STYLES

__all__ = ["plot_sbc_ecdf"]


def plot_sbc_ecdf(
    result: SBCResult,
    *,
    ax: Axes | None = None,
    prob: float = 0.95,
    random_seed: int = 0,
    legend: bool = True,
) -> Axes:
    r"""ECDF of each test quantity's fractional SBC ranks minus the uniform CDF.

    One line per quantity (an Okabe–Ito colour and a line style each), the ``prob``
    simultaneous band for ``n_sims`` uniform ranks shaded grey and a zero line. A calibrated
    model's lines stay inside the band. A hump above zero: the truth ranks low, the posterior
    sits above it (below zero: below it); a curve falling through zero at 0.5: posteriors too
    narrow (ranks pile up at both ends); rising through zero: too wide. No title.

    Parameters
    ----------
    result : SBCResult
        From :func:`~followon.simulation_based_calibration`.
    ax : matplotlib.axes.Axes, optional
        Axes to draw on; a new figure's by default.
    prob : float
        Coverage of the simultaneous band (0.95).
    random_seed : int
        Seed of the band simulation (fixed, so a figure's bytes are reproducible).
    legend : bool
        Name the quantities in a legend.

    Returns
    -------
    matplotlib.axes.Axes
        x: fractional rank in (0, 1); y: ECDF − uniform CDF. The band is ``ax.collections[0]``.

    Raises
    ------
    EvaluationError
        Not an :class:`SBCResult`, or ranks outside ``0 … L``.
    """
    if not isinstance(result, SBCResult):
        raise EvaluationError(
            f"plot_sbc_ecdf draws an SBCResult (fo.simulation_based_calibration), not "
            f"{type(result).__name__}."
        )
    diff = result.ecdf_difference(prob=prob, random_seed=random_seed)
    z = diff.index.to_numpy()
    if ax is None:
        _, ax = plt.subplots()
    ax.fill_between(
        z,
        diff["lower"].to_numpy(),
        diff["upper"].to_numpy(),
        step="post",
        color="0.85",
        linewidth=0,
        label=f"{prob:.0%} simultaneous band",
    )
    ax.axhline(0.0, color="0.5", linewidth=0.6, zorder=1)
    for i, name in enumerate(result.ranks.columns):
        style = STYLES[i % len(STYLES)]
        ax.step(
            z,
            diff[str(name)].to_numpy(),
            where="post",
            color=OKABE_ITO[i % len(OKABE_ITO)],
            linestyle=style["linestyle"],
            label=str(name),
        )
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel("fractional rank")
    ax.set_ylabel("ECDF difference")
    if legend:
        ax.legend(loc="best")
    return ax
