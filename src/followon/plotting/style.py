"""Paper style: journal widths, 7 pt text, Okabe–Ito colours paired with line styles.

Nothing here changes matplotlib's global state at import; :func:`paper_style` is a context
manager, and :func:`save_figure` writes PDF (TrueType fonts, no creation date, so the same
inputs give the same bytes) and 300 dpi PNG.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import matplotlib as mpl
from cycler import cycler
from matplotlib import font_manager

from followon.plotting.keys import LINE_STYLES, PALETTE

__all__ = [
    "DOUBLE_COLUMN_MM",
    "MIN_TEXT_PT",
    "OKABE_ITO",
    "SINGLE_COLUMN_MM",
    "STYLES",
    "paper_style",
    "save_figure",
]

SINGLE_COLUMN_MM = 89.0
DOUBLE_COLUMN_MM = 183.0
OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000")
"""Okabe & Ito's colour-blind-safe palette (blue, vermillion, green, purple, orange, ...)."""
STYLES: tuple[dict[str, Any], ...] = tuple(
    {"linestyle": ls, "marker": marker} for ls, marker in LINE_STYLES
)
"""Line style and marker paired with each colour, so figures survive grayscale printing."""
MIN_TEXT_PT = 7.0
"""Smallest text in any figure at its final size (ticks, legends, annotations)."""


def _mm(value: float) -> float:
    return value / 25.4


@contextlib.contextmanager
def paper_style(
    width: str | float = "single", height_mm: float | None = None, *, font: str | None = None
) -> Iterator[None]:
    """Matplotlib settings for a journal figure, inside a ``with`` block only.

    Every text is 7 pt (:data:`MIN_TEXT_PT`) at the final size: ticks, legends, annotations.

    Parameters
    ----------
    width : {"single", "double"} or float
        89 mm, 183 mm, or a width in mm.
    height_mm : float, optional
        Default: 0.62 × width.
    font : str, optional
        A font family installed on this machine (e.g. ``"Arial"``, ``"Helvetica"``), for
        publishers that ask for one; default DejaVu Sans (matplotlib's, always present).

    Raises
    ------
    ValueError
        A ``width`` that is neither "single", "double" nor a number, or a ``font`` matplotlib
        cannot find.
    """
    if isinstance(width, str):
        if width not in ("single", "double"):
            raise ValueError(f"width must be 'single', 'double' or millimetres, not '{width}'")
        w = SINGLE_COLUMN_MM if width == "single" else DOUBLE_COLUMN_MM
    else:
        w = float(width)
    h = height_mm if height_mm is not None else 0.62 * w
    fonts: dict[str, Any] = {}
    if font is not None:
        try:
            font_manager.findfont(
                font_manager.FontProperties(family=font), fallback_to_default=False
            )
        except ValueError:
            raise ValueError(
                f"font '{font}' is not installed (matplotlib cannot find it); install it, or "
                "leave font unset for DejaVu Sans."
            ) from None
        fonts = {"font.family": "sans-serif", "font.sans-serif": [font, "DejaVu Sans"]}
    rc: dict[str, Any] = {
        "figure.figsize": (_mm(w), _mm(h)),
        "figure.dpi": 150,
        "savefig.dpi": 300,
        "font.size": 7,
        "axes.titlesize": 7,
        "axes.labelsize": 7,
        "xtick.labelsize": MIN_TEXT_PT,
        "ytick.labelsize": MIN_TEXT_PT,
        "legend.fontsize": MIN_TEXT_PT,
        "legend.frameon": False,
        "axes.linewidth": 0.6,
        "lines.linewidth": 1.0,
        "lines.markersize": 3,
        "xtick.major.width": 0.6,
        "ytick.major.width": 0.6,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": cycler(color=list(PALETTE)),
        "pdf.fonttype": 42,
        "ps.fonttype": 42,
        "svg.hashsalt": "followon",
        "figure.constrained_layout.use": True,
        **fonts,
    }
    with mpl.rc_context(rc):  # type: ignore[arg-type]
        yield


def save_figure(fig: Any, stem: str | Path, *, subject: str | None = None) -> list[Path]:
    """Write ``stem.pdf`` and ``stem.png`` (300 dpi) with fixed metadata; return the paths.

    ``subject`` goes into the PDF's Subject and the PNG's Description (e.g. "quick run – not
    for publication").
    """
    stem = Path(stem)
    stem.parent.mkdir(parents=True, exist_ok=True)
    pdf, png = stem.with_suffix(".pdf"), stem.with_suffix(".png")
    meta: dict[str, Any] = {"CreationDate": None, "ModDate": None, "Producer": "followon"}
    png_meta = {"Software": "followon"}
    if subject:
        meta["Subject"] = subject
        png_meta["Description"] = subject
    fig.savefig(pdf, metadata=meta)
    fig.savefig(png, dpi=300, metadata=png_meta)
    return [pdf, png]
