"""One key per result: hypothesis → (colour, line style, marker), and readable labels.

Every ``plot_*`` takes its colours, line styles and markers from :func:`style_map` and its
words from :func:`label_map`, built from the scenario's hypotheses in scenario order, so a
hypothesis looks the same in every figure of a result (forecast, hazard, forest plot,
comparison, reliability) and keeps its look when another figure draws only some hypotheses.
``combined`` is always black and solid; ``climatology`` (the base rate) always dark grey and
dotted.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

__all__ = [
    "LINE_STYLES",
    "PALETTE",
    "HypothesisStyle",
    "event_type_label",
    "fmt_prob",
    "label_map",
    "outcome_label",
    "parameter_label",
    "result_labels",
    "result_styles",
    "style_map",
]

PALETTE: tuple[str, ...] = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9", "#E69F00")
"""Okabe–Ito without yellow (1.3:1 on white) and black (kept for ``combined``). Vermillion and
orange, which merge under deuteranopia, are four places apart and never share a line style."""
LINE_STYLES: tuple[tuple[Any, str], ...] = (
    ("-", "o"),
    ("--", "s"),
    ("-.", "^"),
    (":", "D"),
    ((0, (5, 1, 1, 1, 1, 1)), "v"),
    ((0, (1, 1)), "P"),
    ((0, (6, 2)), "X"),
    ((0, (3, 1, 1, 1)), "h"),
)
"""Eight line style and marker pairs: with six colours no two of the first 24 hypotheses share
colour *and* style, and the first eight differ in style alone (grayscale print)."""
COMBINED = "combined"
CLIMATOLOGY = "climatology"


@dataclass(frozen=True)
class HypothesisStyle:
    """How one hypothesis is drawn in every figure."""

    color: str
    linestyle: Any = "-"
    marker: str = "o"
    linewidth: float | None = None

    def line_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for ``Axes.plot``."""
        kw: dict[str, Any] = {
            "color": self.color,
            "linestyle": self.linestyle,
            "marker": self.marker,
        }
        if self.linewidth is not None:
            kw["linewidth"] = self.linewidth
        return kw


_RESERVED = {
    COMBINED: HypothesisStyle("black", "-", "None", 1.4),
    CLIMATOLOGY: HypothesisStyle("0.3", ":", "None", 0.9),
}


def _override(base: HypothesisStyle, value: Any, name: str) -> HypothesisStyle:
    if isinstance(value, HypothesisStyle):
        return value
    if isinstance(value, str):
        return replace(base, color=value)
    if isinstance(value, Mapping):
        unknown = set(value) - {"color", "colour", "linestyle", "marker", "linewidth"}
        if unknown:
            raise ValueError(
                f"styles['{name}']: unknown key(s) {', '.join(sorted(map(str, unknown)))}; "
                "use color, linestyle, marker, linewidth."
            )
        kw = dict(value)
        if "colour" in kw:
            kw["color"] = kw.pop("colour")
        return replace(base, **kw)
    raise ValueError(
        f"styles['{name}'] must be a colour, a mapping (color, linestyle, marker, linewidth) or "
        f"a HypothesisStyle, not {type(value).__name__}."
    )


def style_map(
    names: Iterable[str], styles: Mapping[str, Any] | None = None
) -> dict[str, HypothesisStyle]:
    """Return ``name → HypothesisStyle`` for hypotheses in this order (overridden by ``styles``).

    ``combined`` and ``climatology`` get their fixed looks and take no place in the palette;
    every other name gets the next colour of :data:`PALETTE` and the next pair of
    :data:`LINE_STYLES`. ``styles`` maps a name to a colour, a mapping of ``color, linestyle,
    marker, linewidth``, or a :class:`HypothesisStyle`; names not yet listed are appended.
    """
    out: dict[str, HypothesisStyle] = {}
    i = 0
    for name in dict.fromkeys([*names, *(styles or {})]):
        if name in _RESERVED:
            base = _RESERVED[name]
        else:
            ls, marker = LINE_STYLES[i % len(LINE_STYLES)]
            base = HypothesisStyle(PALETTE[i % len(PALETTE)], ls, marker)
            i += 1
        out[name] = _override(base, styles[name], name) if styles and name in styles else base
    return out


def result_styles(
    result: Any, styles: Mapping[str, Any] | None = None, extra: Iterable[str] = ()
) -> dict[str, HypothesisStyle]:
    """Return a result's style map: its hypotheses in scenario order, then ``extra``."""
    scenario = getattr(result, "scenario", None)
    names = [h.id for h in getattr(scenario, "hypotheses", [])]
    return style_map([*names, *extra, COMBINED, CLIMATOLOGY], styles)


# --- words ------------------------------------------------------------------------------------

_TYPE_WORDS = {
    "plenary_meeting": "plenum",
    "politburo_meeting": "Politburo meeting",
    "party_congress": "party congress",
    "summit": "summit",
    "military_exercise": "US–ROK exercise",
    "missile_launch": "missile launch",
    "balloon_launch": "balloon round",
    "nuclear_test": "nuclear test",
    "satellite_launch": "satellite launch",
}


def _words(name: str, labels: Mapping[str, str]) -> str:
    return labels.get(name) or _TYPE_WORDS.get(name) or name.replace("_", " ")


def label_map(labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return a copy of user labels (id → text), ``combined``/``climatology`` filled in."""
    out = {COMBINED: "combined", CLIMATOLOGY: "base rate"}
    out.update(labels or {})
    return out


def result_labels(result: Any, labels: Mapping[str, str] | None = None) -> dict[str, str]:
    """Return labels: outcome defaults from the specs, the scenario's ``labels:``, ``labels``.

    An outcome without a label reads from its spec: ``ICBM launch``, ``missile launch``,
    ``balloon round``; a hypothesis without one is its id with spaces.
    """
    scenario = getattr(result, "scenario", None)
    out: dict[str, str] = {}
    for spec in getattr(scenario, "outcomes", []):
        noun = _TYPE_WORDS.get(spec.type, spec.type.replace("_", " "))
        if spec.subtype:
            subs = list(spec.subtype)
            head = ", ".join(subs[:-1]) + (" or " if len(subs) > 1 else "") + subs[-1]
            noun = f"{head} {noun.split()[-1] if spec.type == 'missile_launch' else noun}"
        out[spec.id] = noun
    out.update(getattr(scenario, "labels", None) or {})
    return label_map({**out, **(labels or {})})


def name_of(name: str, labels: Mapping[str, str]) -> str:
    """Text for a hypothesis or outcome id."""
    return labels.get(name) or name.replace("_", " ")


def event_type_label(etype: str, labels: Mapping[str, str] | None = None) -> str:
    """Text for an event type (``plenary_meeting`` → ``plenum`` unless labelled)."""
    return _words(etype, labels or {})


def outcome_label(outcome: str, labels: Mapping[str, str]) -> str:
    """Text for an outcome id (``any_missile`` → ``any missile`` unless labelled)."""
    return name_of(outcome, labels)


_WINDOW = re.compile(r"^(?P<type>[A-Za-z_]+)\[(?P<a>\d+)-(?P<b>\d+)\]$")
_DURING = re.compile(r"^(?P<type>[A-Za-z_]+)\[during\]$")
_EXCITE = re.compile(r"^excitation\[(?P<d>\d+(?:\.\d+)?)d\]$")
_UNCATALOGUED = re.compile(r"^(?P<type>[A-Za-z_]+)\[uncatalogued\]$")


def parameter_label(name: str, labels: Mapping[str, str] | None = None) -> str:
    """Readable text for a parameter: ``plenary_meeting[0-30]`` → ``plenum, days 0–30``.

    ``excitation[14d]`` → ``self-excitation (14-day decay)``; ``x[during]`` → ``x, during``;
    ``x[uncatalogued]`` → ``before the x catalogue``;
    event types read as the ``labels`` give them (else a default: plenum, summit, ...).
    """
    labels = labels or {}
    if name in labels:
        return labels[name]
    if m := _WINDOW.match(name):
        kind = "pooled mean" if m["type"] == "pool_mean" else _words(m["type"], labels)
        return f"{kind}, days {m['a']}–{m['b']}"
    if m := _DURING.match(name):
        return f"{_words(m['type'], labels)}, during"
    if m := _EXCITE.match(name):
        return f"self-excitation ({m['d']}-day decay)"
    if m := _UNCATALOGUED.match(name):
        return f"before the {_words(m['type'], labels)} catalogue"
    return name.replace("_", " ")


def fmt_prob(p: float) -> str:
    """Format a probability with two decimals, never claiming certainty: ``> 0.99``, ``< 0.01``."""
    if p != p:  # NaN
        return "—"
    if p > 0.99:
        return "> 0.99"
    if p < 0.01:
        return "< 0.01"
    return f"{p:.2f}"
