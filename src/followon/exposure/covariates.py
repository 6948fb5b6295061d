"""Covariate builders: named, documented functions of the day and of the history before it.

Each builder turns a run of Korean days into columns of a design matrix. A builder only looks
at events it is given and, for self-excitation, at the outcome history strictly before each
day, so the same builder serves the fitted days and a forecast's future days (where the
history stops at the forecast origin and simulated events can be fed back in).

==================  =============================================  ==========================
builder             columns                                        value on day d
==================  =============================================  ==========================
TriggerWindows      ``plenary_meeting[0-7]``, ``[8-30]``, ...       1 if d − end of trigger in
                                                                   the bin
Spans               ``military_exercise[in_progress]``             1 if start − lead ≤ d ≤
                                                                   end + lag
DaysSinceLast       ``since_last[1-7]``, ``[8-30]``, ...            1 if d − last outcome day
                                                                   in the bin
Excitation          ``excitation[14d]``                            Σ_k c_k exp(−(d − t_k)/τ)
RecentRate          ``recent[365d]``                               log(1 + outcome count in
                                                                   the W days before d)
Season              ``quarter[Q2]`` ... or ``month[02]`` ...        1 in that quarter / month
Era                 the era's name                                 1 if start ≤ d ≤ end
Trend               ``trend[1]``, ``trend[2]``, ...                 cubic B-spline of the date
==================  =============================================  ==========================
"""

from __future__ import annotations

import dataclasses
import itertools
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

import numpy as np
import pandas as pd

from followon.errors import DataError, did_you_mean
from followon.events.schema import event_types

__all__ = [
    "Covariate",
    "DaysSinceLast",
    "Era",
    "Excitation",
    "RecentRate",
    "Season",
    "Spans",
    "Trend",
    "TriggerWindows",
    "covariate_from_spec",
    "days_since_latest",
    "select_events",
]


@dataclass(frozen=True)
class History:
    """What a builder may look at: the events known, and the outcome counts per day."""

    events: pd.DataFrame
    outcome_counts: pd.Series  # index: dates with outcome events, values: counts


class Covariate(ABC):
    """A named covariate builder (see the table in :mod:`followon.exposure.covariates`)."""

    kind: ClassVar[str]
    self_exciting: ClassVar[bool] = False

    @abstractmethod
    def columns(self) -> list[str]:
        """Names of the columns this builder makes."""

    @abstractmethod
    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Return a ``len(days) × len(columns())`` float array."""

    def check(self, events: pd.DataFrame) -> None:  # noqa: B027 - optional hook
        """Raise :class:`DataError` if the builder cannot work on these events."""

    def spec(self) -> dict[str, Any]:
        """JSON-able description; :func:`covariate_from_spec` rebuilds the builder."""
        out: dict[str, Any] = {"kind": self.kind}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            out[f.name] = list(value) if isinstance(value, tuple) else value
        return out


def _check_cuts(cut_days: Sequence[int], what: str, minimum: int) -> tuple[int, ...]:
    cuts = tuple(int(c) for c in cut_days)
    if len(cuts) < 2 or any(b <= a for a, b in itertools.pairwise(cuts)):
        raise DataError(
            f"{what}: cut_days must be at least two increasing whole numbers of days "
            f"(e.g. [0, 7, 30, 60, 90]), not {list(cut_days)}."
        )
    if cuts[0] < minimum:
        raise DataError(f"{what}: cut_days must start at {minimum} or later, not {cuts[0]}.")
    return cuts


def _bin_labels(cuts: tuple[int, ...], first_inclusive: bool) -> list[str]:
    labels = []
    for i, (lo, hi) in enumerate(itertools.pairwise(cuts)):
        start = lo if (i == 0 and first_inclusive) else lo + 1
        labels.append(f"{start}-{hi}")
    return labels


def _bin_matrix(lags: np.ndarray, cuts: tuple[int, ...], first_inclusive: bool) -> np.ndarray:
    """Return indicators of lags (NaN = no trigger) in bins (c0, c1], (c1, c2], ... ."""
    out = np.zeros((len(lags), len(cuts) - 1))
    for i, (lo, hi) in enumerate(itertools.pairwise(cuts)):
        low_ok = lags >= lo if (i == 0 and first_inclusive) else lags > lo
        out[:, i] = (low_ok & (lags <= hi)).astype(float)
    return out


def days_since_latest(days: pd.DatetimeIndex, anchors: np.ndarray) -> np.ndarray:
    """For each day, days since the latest anchor date on or before it (NaN if none)."""
    anchors = np.sort(anchors.astype("datetime64[D]"))
    d = days.values.astype("datetime64[D]")
    idx = np.searchsorted(anchors, d, side="right") - 1
    lags = np.full(len(d), np.nan)
    ok = idx >= 0
    lags[ok] = (d[ok] - anchors[idx[ok]]).astype(float)
    return lags


def select_events(
    events: pd.DataFrame, etype: str, tags: Sequence[str], where: Mapping[str, Sequence[str]]
) -> pd.DataFrame:
    """Events of type ``etype`` with any of ``tags`` and matching every ``where`` column."""
    chosen = events[events["type"] == etype]
    if tags:
        wanted = set(tags)
        chosen = chosen[
            chosen["tags"].fillna("").map(lambda v: bool(set(str(v).split(";")) & wanted))
        ]
    for col, allowed in where.items():
        values = {str(a) for a in allowed}
        chosen = chosen[chosen[col].fillna("").astype(str).isin(values)]
    return chosen


def _check_type(etype: str, what: str) -> None:
    allowed = event_types()
    if etype not in allowed:
        raise DataError(
            f"{what}: unknown event type '{etype}'{did_you_mean(etype, allowed)}; allowed: "
            f"{', '.join(allowed)}."
        )


@dataclass(frozen=True)
class TriggerWindows(Covariate):
    """Indicator bins of days since a trigger event ended.

    Day *d* falls in bin ``[lo-hi]`` when ``lo ≤ d − end ≤ hi`` for the first bin and
    ``lo < d − end ≤ hi`` for the others, with ``end`` the trigger's ``end_date`` (its
    ``date`` for one-day events). Days beyond the last cut are the reference.

    Parameters
    ----------
    type : str
        Trigger event type, e.g. ``"plenary_meeting"``.
    cut_days : sequence of int
        Bin edges, e.g. ``(0, 7, 30, 60, 90)`` → bins 0–7, 8–30, 31–60, 61–90.
    tags : sequence of str, optional
        Keep triggers carrying any of these agenda tags (e.g. ``("military",)``).
    where : mapping, optional
        Further filters ``column → allowed values`` (e.g. ``{"counterpart_country": ["Russia"]}``).
    overlap : {"latest", "any"}
        When a trigger falls inside an earlier trigger's window: ``latest`` (default) counts
        days from the most recent trigger only, so each day is in at most one bin; ``any``
        sets the bin of every trigger whose window covers the day (bins may overlap).
    during : bool
        Add a ``[during]`` column for the days of a multi-day trigger before its last day.
    name : str, optional
        Column prefix; defaults to the type (with the tags, e.g. ``plenary_meeting|military``).
    """

    type: str
    cut_days: Sequence[int] = (0, 7, 30, 60, 90)
    tags: Sequence[str] = ()
    where: Mapping[str, Sequence[str]] = field(default_factory=dict)
    overlap: Literal["latest", "any"] = "latest"
    during: bool = False
    name: str | None = None

    kind: ClassVar[str] = "trigger_windows"

    def __post_init__(self) -> None:
        _check_type(self.type, f"trigger windows '{self.prefix}'")
        object.__setattr__(self, "cut_days", _check_cuts(self.cut_days, self.prefix, 0))
        object.__setattr__(self, "tags", tuple(self.tags))
        if self.overlap not in ("latest", "any"):
            raise DataError(
                f"{self.prefix}: overlap must be 'latest' or 'any', not '{self.overlap}'."
            )

    @property
    def prefix(self) -> str:
        """Column prefix."""
        if self.name:
            return self.name
        return self.type + (f"|{'+'.join(self.tags)}" if self.tags else "")

    def columns(self) -> list[str]:
        """Bin columns, then ``[during]`` if asked."""
        cols = [f"{self.prefix}[{b}]" for b in _bin_labels(tuple(self.cut_days), True)]
        return [*cols, f"{self.prefix}[during]"] if self.during else cols

    def check(self, events: pd.DataFrame) -> None:
        """Fail when no event matches the trigger definition."""
        if select_events(events, self.type, self.tags, self.where).empty:
            raise DataError(
                f"covariate '{self.prefix}': no {self.type} events"
                + (f" tagged {', '.join(self.tags)}" if self.tags else "")
                + " in the event history; check the type, tags and filters."
            )

    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Return the indicator columns."""
        trig = select_events(history.events, self.type, self.tags, self.where)
        ends = trig["end_date"].fillna(trig["date"]).to_numpy(dtype="datetime64[ns]")
        starts = trig["date"].to_numpy(dtype="datetime64[ns]")
        cuts = tuple(self.cut_days)
        if self.overlap == "latest":
            lags = days_since_latest(days, ends)
            out = _bin_matrix(lags, cuts, True)
        else:
            out = np.zeros((len(days), len(cuts) - 1))
            d = days.values.astype("datetime64[D]")
            for end in ends.astype("datetime64[D]"):
                lags = (d - end).astype(float)
                lags[lags < 0] = np.nan
                out = np.maximum(out, _bin_matrix(lags, cuts, True))
        if self.during:
            d = days.values.astype("datetime64[D]")
            during = np.zeros(len(days))
            for s, e in zip(
                starts.astype("datetime64[D]"), ends.astype("datetime64[D]"), strict=True
            ):
                during[(d >= s) & (d < e)] = 1.0
            out = np.column_stack([out, during])
        return out


@dataclass(frozen=True)
class Spans(Covariate):
    """1 while a span event is under way (summit, exercise, ...), with lead and lag days.

    Day *d* is 1 when ``date − lead_days ≤ d ≤ end_date + lag_days`` for any matching span.
    """

    type: str
    lead_days: int = 0
    lag_days: int = 0
    tags: Sequence[str] = ()
    where: Mapping[str, Sequence[str]] = field(default_factory=dict)
    name: str | None = None

    kind: ClassVar[str] = "spans"

    def __post_init__(self) -> None:
        _check_type(self.type, f"spans '{self.type}'")
        object.__setattr__(self, "tags", tuple(self.tags))
        if self.lead_days < 0 or self.lag_days < 0:
            raise DataError(f"spans '{self.type}': lead_days and lag_days must be ≥ 0.")

    def columns(self) -> list[str]:
        """One column."""
        return [self.name or f"{self.type}[in_progress]"]

    def check(self, events: pd.DataFrame) -> None:
        """Fail when no event matches."""
        if select_events(events, self.type, self.tags, self.where).empty:
            raise DataError(
                f"covariate '{self.columns()[0]}': no {self.type} events in the event history; "
                "check the type and filters."
            )

    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Return the indicator column."""
        spans = select_events(history.events, self.type, self.tags, self.where)
        d = days.values.astype("datetime64[D]")
        out = np.zeros(len(days))
        starts = spans["date"].to_numpy(dtype="datetime64[ns]").astype("datetime64[D]")
        ends = (
            spans["end_date"]
            .fillna(spans["date"])
            .to_numpy(dtype="datetime64[ns]")
            .astype("datetime64[D]")
        )
        lead, lag = np.timedelta64(self.lead_days, "D"), np.timedelta64(self.lag_days, "D")
        for s, e in zip(starts, ends, strict=True):
            out[(d >= s - lead) & (d <= e + lag)] = 1.0
        return out[:, None]


@dataclass(frozen=True)
class DaysSinceLast(Covariate):
    """Indicator bins of days since the last outcome event (self-excitation, binned).

    Day *d* falls in bin ``[lo+1-hi]`` when ``lo < d − t_last ≤ hi``, with ``t_last`` the last
    outcome day strictly before *d*. Days beyond the last cut, and days before any outcome
    event, are the reference.
    """

    cut_days: Sequence[int] = (0, 7, 30, 90)
    name: str = "since_last"

    kind: ClassVar[str] = "days_since_last"
    self_exciting: ClassVar[bool] = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "cut_days", _check_cuts(self.cut_days, self.name, 0))

    def columns(self) -> list[str]:
        """Bin columns."""
        return [f"{self.name}[{b}]" for b in _bin_labels(tuple(self.cut_days), False)]

    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Return the indicator columns."""
        past = history.outcome_counts[history.outcome_counts > 0].index.values
        lags = days_since_latest(days - pd.Timedelta(days=1), past) + 1.0
        return _bin_matrix(lags, tuple(self.cut_days), False)


@dataclass(frozen=True)
class Excitation(Covariate):
    r"""Exponentially decaying sum over past outcome events, with a fixed decay.

    .. math:: x_d = \sum_{t_k < d} c_k \, e^{-(d - t_k)/\tau}

    computed by the O(n) recursion :math:`x_{d+1} = e^{-1/\tau}(x_d + c_d)`, with
    :math:`c_k` the outcome count on day :math:`t_k` and :math:`\tau` = ``decay_days``.
    (A fitted decay is the ``hawkes`` model's job.)
    """

    decay_days: float = 14.0
    name: str | None = None

    kind: ClassVar[str] = "excitation"
    self_exciting: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not self.decay_days > 0:
            raise DataError(f"excitation: decay_days must be > 0, not {self.decay_days}.")

    def columns(self) -> list[str]:
        """One column."""
        return [self.name or f"excitation[{self.decay_days:g}d]"]

    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Return the decayed sum on each day."""
        counts = history.outcome_counts[history.outcome_counts > 0]
        if counts.empty or len(days) == 0:
            return np.zeros((len(days), 1))
        first = min(counts.index.min(), days.min())
        grid = pd.date_range(first, days.max(), freq="D")
        c = counts.reindex(grid, fill_value=0).to_numpy(dtype=float)
        decay = np.exp(-1.0 / self.decay_days)
        x = np.zeros(len(grid))
        for i in range(1, len(grid)):
            x[i] = decay * (x[i - 1] + c[i - 1])
        pos = grid.get_indexer(days)
        return x[pos][:, None]


@dataclass(frozen=True)
class RecentRate(Covariate):
    r"""Log of one plus the outcome count in the ``window_days`` days before each day.

    .. math:: x_d = \log\Bigl(1 + \sum_{d - W \le t_k < d} c_k\Bigr)

    With coefficient :math:`\beta` the hazard moves as :math:`(1 + n_W)^{\beta}`: a level that
    follows the recent rate (a year's window tracks eras such as the 2018–19 moratorium or the
    2022 surge) without the exponential blow-up a long-decay :class:`Excitation` gives in a
    busy year. Self-exciting: a forecast feeds simulated events back into the count.
    """

    window_days: int = 365
    name: str | None = None

    kind: ClassVar[str] = "recent_rate"
    self_exciting: ClassVar[bool] = True

    def __post_init__(self) -> None:
        if not (isinstance(self.window_days, int) and self.window_days >= 1):
            raise DataError(
                f"recent rate: window_days must be a whole number ≥ 1, not {self.window_days}."
            )

    def columns(self) -> list[str]:
        """One column."""
        return [self.name or f"recent[{self.window_days}d]"]

    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Return log(1 + count in the window) on each day."""
        counts = history.outcome_counts[history.outcome_counts > 0]
        if counts.empty or len(days) == 0:
            return np.zeros((len(days), 1))
        when = counts.index.values.astype("datetime64[D]")
        order = np.argsort(when)
        when, cum = when[order], np.concatenate([[0.0], np.cumsum(counts.to_numpy(float)[order])])
        d = days.values.astype("datetime64[D]")
        upto = np.searchsorted(when, d, side="left")  # events strictly before d
        since = np.searchsorted(when, d - np.timedelta64(self.window_days, "D"), side="left")
        return np.log1p(cum[upto] - cum[since])[:, None]


@dataclass(frozen=True)
class Season(Covariate):
    """Quarter or month dummies; the first quarter / January is the reference."""

    period: Literal["quarter", "month"] = "quarter"

    kind: ClassVar[str] = "season"

    def __post_init__(self) -> None:
        if self.period not in ("quarter", "month"):
            raise DataError(f"season: period must be 'quarter' or 'month', not '{self.period}'.")

    def columns(self) -> list[str]:
        """One column per non-reference period."""
        if self.period == "quarter":
            return [f"quarter[Q{q}]" for q in (2, 3, 4)]
        return [f"month[{m:02d}]" for m in range(2, 13)]

    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Dummies."""
        values = days.quarter if self.period == "quarter" else days.month
        levels = range(2, 5) if self.period == "quarter" else range(2, 13)
        return np.column_stack([(values == v).astype(float) for v in levels])


@dataclass(frozen=True)
class Era(Covariate):
    """1 on the days of a user-declared span (e.g. the 2018–2019 test moratorium)."""

    name: str
    start: str
    end: str

    kind: ClassVar[str] = "era"

    def __post_init__(self) -> None:
        try:
            s, e = pd.Timestamp(self.start), pd.Timestamp(self.end)
        except ValueError:
            raise DataError(
                f"era '{self.name}': start and end must be dates (YYYY-MM-DD)."
            ) from None
        if e < s:
            raise DataError(f"era '{self.name}': end {self.end} is before start {self.start}.")

    def columns(self) -> list[str]:
        """One column."""
        return [self.name]

    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Return the indicator column."""
        inside = (days >= pd.Timestamp(self.start)) & (days <= pd.Timestamp(self.end))
        return np.asarray(inside, dtype=float)[:, None]


@dataclass(frozen=True)
class Trend(Covariate):
    r"""A smooth calendar trend: a cubic B-spline basis of the date over [start, end].

    ``df`` columns (basis functions with equally spaced interior knots, the first dropped so the
    baseline stays identifiable, each centred on its mean over [start, end]). Days outside the
    span are clamped to it: a forecast holds the trend at its last fitted value rather than
    extrapolating a spline. With the model's Normal(0, ``beta_sd``) priors on the coefficients
    the trend is weakly smoothed; fewer ``df`` smooth more.
    """

    start: str
    end: str
    df: int = 4
    name: str = "trend"

    kind: ClassVar[str] = "trend"

    def __post_init__(self) -> None:
        s, e = pd.Timestamp(self.start), pd.Timestamp(self.end)
        if e <= s:
            raise DataError(f"trend: end {self.end} must be after start {self.start}.")
        if self.df < 1:
            raise DataError(f"trend: df must be ≥ 1, not {self.df}.")

    def columns(self) -> list[str]:
        """One column per basis function."""
        return [f"{self.name}[{i}]" for i in range(1, self.df + 1)]

    def _basis(self, u: np.ndarray) -> np.ndarray:
        from scipy.interpolate import BSpline

        degree = 3
        interior = np.linspace(0.0, 1.0, self.df - 1)[1:-1] if self.df > 2 else np.array([])
        knots = np.concatenate([[0.0] * (degree + 1), interior, [1.0] * (degree + 1)])
        n_basis = len(knots) - degree - 1
        basis = BSpline.design_matrix(np.clip(u, 0.0, 1.0), knots, degree).toarray()
        return basis[:, n_basis - self.df :] if n_basis > self.df else basis

    def build(self, days: pd.DatetimeIndex, history: History) -> np.ndarray:
        """Return the centred basis on each day (clamped to [start, end])."""
        s, e = pd.Timestamp(self.start), pd.Timestamp(self.end)
        span = (e - s).days

        def scaled(index: pd.DatetimeIndex) -> np.ndarray:
            return np.asarray((index - s).days, dtype=float) / span

        grid = pd.date_range(s, e, freq="D")
        centre = self._basis(scaled(grid)).mean(axis=0)
        return self._basis(scaled(days)) - centre


_KINDS: dict[str, type[Covariate]] = {
    c.kind: c
    for c in (TriggerWindows, Spans, DaysSinceLast, Excitation, RecentRate, Season, Era, Trend)
}


def covariate_from_spec(spec: Mapping[str, Any]) -> Covariate:
    """Rebuild a builder from :meth:`Covariate.spec` output."""
    params = dict(spec)
    kind = params.pop("kind", None)
    if kind not in _KINDS:
        raise DataError(
            f"unknown covariate kind '{kind}'{did_you_mean(str(kind), _KINDS)}; allowed: "
            f"{', '.join(_KINDS)}."
        )
    return _KINDS[kind](**params)
