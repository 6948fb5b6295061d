"""Missile launches as launch days: per-missile records → one row per Korean date.

CNS/NTI records one row per missile, dated (by its own methodology) with the UTC date and a UTC
launch time; in practice some rows carry the Korean date instead. CSIS records one row per
launch event with the Korean date as reported, and covers what CNS leaves out (cruise missiles,
most rocket launchers, launches of unknown type). This module turns both into launch days in
Korean time (KST = UTC+9) and merges them.

Date rule (recorded per row in ``date_rule``)
---------------------------------------------
For a CNS missile recorded on date *d* with UTC time *t*, the KST date is ``(d + t + 9 h)`` —
unambiguous (``utc_time``) when that is still *d*, i.e. *t* before 15:00 UTC. When it is
*d + 1* the row might already carry the Korean date, so CSIS decides: a CSIS launch on *d + 1*
keeps *d + 1* (``utc_time_csis_agrees``); a CSIS launch on *d* only keeps *d*
(``cns_date_was_kst``); no CSIS launch on either day keeps *d + 1* (``utc_time``, CNS's stated
convention). Without a time: CSIS on *d* keeps *d* (``untimed_csis_agrees``), CSIS on *d + 1*
only moves it to *d + 1* (``untimed_csis_next_day``: a UTC date is never later than the Korean
one), otherwise *d* (``untimed_cns_date``).

A CSIS launch on a date with a CNS launch day is merged into it; a CSIS ballistic launch one day
off a CNS launch day that has no CSIS launch of its own is merged too (``csis_date`` keeps
CSIS's date); every other CSIS launch makes a CSIS-only launch day.

Verified CSIS rows
------------------
A CSIS row checked against a dated news page carries ``verified_url`` (the page), with ``date``,
``class`` (several ``;``-separated) and ``count`` as the page states them and ``csis_date`` /
``csis_count`` keeping what CSIS recorded. Such a row joins a launch day on its own date only
(no one-day-off merge); a CSIS-only day whose rows are all verified gets rule ``csis_verified``
and the verifying page as ``source_url`` (``csis_url`` keeps the CSIS link).

Scope rule for rocket artillery
-------------------------------
KN-25 (the 600 mm "super-large" multiple rocket launcher) is class ``SRBM``, as CNS classes it;
rockets of 300 mm or more (the guided KN-09, and the FROG-type free rockets of 2014) are class
``MLRS``; 240 mm and smaller rocket artillery (including the guided "new 240 mm MLRS") and tube
artillery are out of scope, as are surface-to-air missiles and engine tests. A CSIS label
cannot tell these apart, so a CSIS "MLRS" row on a CNS day is taken to be the KN-25 CNS records
(no ``MLRS`` added), and every CSIS-only row is verified against a page before the bundled
catalog ships it (``data/curated/csis_launch_checks.csv``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from followon.events.schema import MISSILE_CLASSES

__all__ = [
    "CNS_DATABASE_URL",
    "aggregate_launch_days",
    "classify_csis_event",
    "cns_class",
    "csis_label_unfamiliar",
    "normalise_time",
    "parse_missile_count",
]

CNS_DATABASE_URL = "https://www.nti.org/analysis/articles/cns-north-korea-missile-test-database/"

_SEVERITY = {c: i for i, c in enumerate(MISSILE_CLASSES)}

_CNS_TYPES = {
    "ICBM": "ICBM",
    "IRBM": "IRBM",
    "HGV": "HGV",
    "MRBM": "MRBM",
    "SLBM": "SLBM",
    "SRBM": "SRBM",
    "UNKNOWN": "unknown",
    "SLV": "SLV",
}


def cns_class(missile_type: str) -> str:
    """Map a CNS ``Missile Type`` to a followon class (``SLV`` stays ``SLV``: a satellite launch).

    Raises
    ------
    ValueError
        For a type CNS does not use.
    """
    key = str(missile_type).strip().upper()
    if key not in _CNS_TYPES:
        raise ValueError(
            f"unknown CNS missile type '{missile_type}'; expected one of {', '.join(_CNS_TYPES)}"
        )
    return _CNS_TYPES[key]


# CSIS `event` labels (free text with variants and typos) → (type, class). Checked in order;
# the first pattern found in the lower-cased label wins.
_CSIS_RULES: tuple[tuple[str, str, str | None], ...] = (
    (r"balloon", "balloon_launch", None),
    (r"nuclear test", "nuclear_test", None),
    (r"satellite launch", "satellite_launch", "SLV"),
    (r"inter-?continental", "missile_launch", "ICBM"),
    (r"intermediate-range", "missile_launch", "IRBM"),
    (r"hypersonic", "missile_launch", "HGV"),
    (r"medium-range", "missile_launch", "MRBM"),
    (r"submarine[- ]launched", "missile_launch", "SLBM"),
    (r"short-range (ballistic )?missile", "missile_launch", "SRBM"),
    (r"cruise missile", "missile_launch", "cruise"),
    (r"(multiple )?la?u?n?a?ch rocket system|mlrs", "missile_launch", "MLRS"),
    (r"ballistic missile launch|mixed tactical weapons", "missile_launch", "unknown"),
)


def classify_csis_event(event: str, provocation_type: str = "") -> tuple[str, str | None] | None:
    """Classify a CSIS provocation by its ``event`` label.

    Parameters
    ----------
    event : str
        The CSIS ``event`` label, e.g. ``"Short-range Ballistic Missile Launch"``.
    provocation_type : str
        The CSIS ``type`` column; an unclassified ``"Missile Provocation"`` is not guessed.

    Returns
    -------
    tuple of (str, str or None) or None
        ``(type, class)`` in followon's vocabulary, or None for events out of the catalog's
        scope (artillery, surface-to-air missiles, engine tests, DMZ incidents, ...).

    Examples
    --------
    >>> classify_csis_event("Strategic cruise missile")
    ('missile_launch', 'cruise')
    >>> classify_csis_event("Artillery Fire") is None
    True
    """
    label = str(event).strip().lower()
    if "surface-to-air" in label or "anti-aircraft" in label:
        return None
    for pattern, etype, cls in _CSIS_RULES:
        if re.search(pattern, label):
            return etype, cls
    return None


# CSIS labels known to be out of the catalog's scope although they name a missile, rocket or
# nuclear matter (surface-to-air missiles, artillery, engine tests, ...): left out silently
_CSIS_OUT_OF_SCOPE = re.compile(
    r"surface-to-air|anti-aircraft|artillery|engine test|rocket experiment|joint missile test"
    r"|detonation device|mirv|re-?n?try vehicle|nuclear-powered|attack drone|reactor|uranium"
    r"|\bnpt\b"
)
# words of a label that may be in scope: a label with one of them that no rule classifies is
# reported, as is any unclassified label of a missile or nuclear provocation
_CSIS_SCOPE_WORDS = re.compile(
    r"missile|rocket|launch|lanuch|nuclear|satellite|balloon|projectile|icbm|slbm|[ims]rbm|hgv"
    r"|hypersonic|mlrs"
)


def csis_label_unfamiliar(event: str, provocation_type: str = "") -> bool:
    """Whether an unclassified CSIS row's label is one followon does not recognise.

    True when :func:`classify_csis_event` leaves the row out although it may be in scope:
    its CSIS ``type`` is not ``"Other Provocation"`` (a missile or nuclear provocation, or an
    unknown type) or its label names a missile, rocket, launch, satellite, balloon or nuclear
    matter, and the label is none of the known out-of-scope events (surface-to-air missiles,
    artillery, engine tests, ...).

    Examples
    --------
    >>> csis_label_unfamiliar("Artillery Fire", "Missile Provocation")
    False
    >>> csis_label_unfamiliar("SRBM test", "Missile Provocation")
    True
    >>> csis_label_unfamiliar("DMZ Enroachment", "Other Provocation")
    False
    """
    label = str(event).strip().lower()
    if _CSIS_OUT_OF_SCOPE.search(label):
        return False
    kind = str(provocation_type).strip().lower()
    return kind != "other provocation" or bool(_CSIS_SCOPE_WORDS.search(label))


_NUMBER_WORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "single": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
}
_COUNT_RE = re.compile(
    r"\b(?:fired|launched|launch(?:es|ing)? of|test-fired)\s+"
    r"(?:what (?:appeared|seemed) to be\s+|(?:around|about|some|at least|approximately)\s+)?"
    r"(\d+|" + "|".join(_NUMBER_WORDS) + r")\s+"
    r"(?:[\w()-]+\s+){0,5}?(?:missiles?|rockets?|projectiles?)\b",
    re.IGNORECASE,
)


def parse_missile_count(text: str | None) -> int | None:
    """Read the number of missiles from a sentence such as "fired two short-range missiles".

    Returns None where no number is stated ("several", "multiple") or nothing matches.

    Examples
    --------
    >>> parse_missile_count("North Korea fired around 10 short-range ballistic missiles")
    10
    >>> parse_missile_count("launched a ballistic missile toward the sea")
    1
    >>> parse_missile_count("fired several cruise missiles") is None
    True
    """
    if not text:
        return None
    m = _COUNT_RE.search(text)
    if not m:
        return None
    token = m.group(1).lower()
    return int(token) if token.isdigit() else _NUMBER_WORDS[token]


@dataclass
class _Day:
    """One launch day being assembled."""

    kind: str  # missile_launch | satellite_launch
    date: pd.Timestamp
    classes: set[str] = field(default_factory=set)
    count: int = 0
    count_known: bool = True
    outcomes: set[str] = field(default_factory=set)
    names: list[str] = field(default_factory=list)
    sites: list[str] = field(default_factory=list)
    utc_times: list[str] = field(default_factory=list)
    rules: set[str] = field(default_factory=set)
    recorded: set[str] = field(default_factory=set)
    provisional: bool = False
    cns: bool = False
    csis_dates: list[str] = field(default_factory=list)
    csis_urls: list[str] = field(default_factory=list)
    csis_count: int | None = None
    confirmed: set[str] = field(default_factory=set)
    launched: int | None = None  # missiles on a CSIS-only day (a verified count where checked)
    verified_urls: list[str] = field(default_factory=list)
    unverified: int = 0


def _kst_date(
    recorded: pd.Timestamp, utc_time: str | None, csis_dates: set[pd.Timestamp]
) -> tuple[pd.Timestamp, str]:
    nxt = recorded + pd.Timedelta(days=1)
    if utc_time:
        hh, mm = (int(x) for x in utc_time.split(":")[:2])
        kst = (recorded + pd.Timedelta(hours=hh + 9, minutes=mm)).normalize()
        if kst == recorded:
            return kst, "utc_time"
        if kst in csis_dates:
            return kst, "utc_time_csis_agrees"
        if recorded in csis_dates:
            return recorded, "cns_date_was_kst"
        return kst, "utc_time"
    if recorded in csis_dates:
        return recorded, "untimed_csis_agrees"
    if nxt in csis_dates:
        return nxt, "untimed_csis_next_day"
    return recorded, "untimed_cns_date"


def normalise_time(value: Any) -> str | None:
    """``"22:44 (UTC)"``, ``"10:09:00 PM"``, ``datetime.time`` → ``"HH:MM"``; unknown → None."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if hasattr(value, "hour") and hasattr(value, "minute"):
        return f"{value.hour:02d}:{value.minute:02d}"
    text = str(value).replace("(UTC)", "").strip()
    if not text or text.lower() in {"unknown", "nan", "none"}:
        return None
    for fmt in ("%H:%M", "%H:%M:%S", "%I:%M:%S %p", "%I:%M %p"):
        try:
            t = pd.to_datetime(text, format=fmt)
        except ValueError:
            continue
        return f"{t.hour:02d}:{t.minute:02d}"
    raise ValueError(f"'{value}' is not a time of day (HH:MM, UTC)")


def aggregate_launch_days(
    missiles: pd.DataFrame,
    csis: pd.DataFrame | None = None,
    *,
    provisional_after: pd.Timestamp | None = None,
    cns_url: str = CNS_DATABASE_URL,
    date_overrides: Mapping[tuple[str, pd.Timestamp], pd.Timestamp] | None = None,
) -> tuple[pd.DataFrame, dict[str, int]]:
    """Turn per-missile CNS rows (and optional CSIS events) into launch days in Korean time.

    Parameters
    ----------
    missiles : pandas.DataFrame
        One row per missile with columns ``date`` (Timestamp, the date CNS recorded),
        ``utc_time`` (``"HH:MM"`` or None), ``class`` (from :func:`cns_class`), ``name``,
        ``outcome`` (``success``/``failure``/``unknown``) and optionally ``site`` and
        ``confirmed`` (bool, CNS's Confirmed/Unconfirmed).
    csis : pandas.DataFrame, optional
        One row per CSIS launch event with columns ``date`` (Timestamp, KST), ``type``
        (``missile_launch`` or ``satellite_launch``), ``class``, ``count`` (int or None) and
        ``url``.
    provisional_after : Timestamp, optional
        CNS launch days after this date are marked provisional (figures CNS may revise).
    cns_url : str
        ``source_url`` of CNS-sourced rows.
    date_overrides : mapping, optional
        ``(type, recorded CNS date) → KST date`` for launches whose Korean date was settled
        from a cited page (rule ``sourced_override``); takes precedence over the date rule.

    Returns
    -------
    days : pandas.DataFrame
        Catalog-schema rows (strings; pass through ``validate_events``), one per launch day
        and type, with extra columns ``utc_time``, ``date_rule``, ``cns_date``, ``csis_date``,
        ``csis_url``, ``csis_count``, ``names``, ``sites``.
    report : dict
        Counts for the build report: CNS missiles, CSIS events, merges by rule.

    See Also
    --------
    followon.events.readers.read_cns_missile_database, read_csis_provocations
    """
    report: dict[str, int] = {"cns_missiles": len(missiles)}
    csis = csis if csis is not None else pd.DataFrame(columns=["date", "type", "class"])
    report["csis_launch_events"] = len(csis)
    csis_by_kind: dict[str, set[pd.Timestamp]] = {}
    for kind, d, cls in zip(csis["type"], csis["date"], csis["class"], strict=True):
        if kind == "missile_launch" and cls == "cruise":
            continue  # a cruise launch says nothing about the date of a ballistic one
        csis_by_kind.setdefault("satellite_launch" if cls == "SLV" else "missile_launch", set())
        csis_by_kind["satellite_launch" if cls == "SLV" else "missile_launch"].add(d)
    # a satellite launch is sometimes typed as a missile provocation by CSIS: let both match
    sat_dates = csis_by_kind.get("satellite_launch", set()) | csis_by_kind.get(
        "missile_launch", set()
    )

    days: dict[tuple[str, pd.Timestamp], _Day] = {}
    for rec in missiles.to_dict("records"):
        cls = rec["class"]
        kind = "satellite_launch" if cls == "SLV" else "missile_launch"
        recorded = pd.Timestamp(rec["date"])
        utc = normalise_time(rec.get("utc_time"))
        match_dates = sat_dates if kind == "satellite_launch" else csis_by_kind.get(kind, set())
        override = (date_overrides or {}).get((kind, recorded))
        if override is not None:
            kst, rule = pd.Timestamp(override), "sourced_override"
        else:
            kst, rule = _kst_date(recorded, utc, match_dates)
        day = days.setdefault((kind, kst), _Day(kind=kind, date=kst))
        day.cns = True
        if cls != "SLV":
            day.classes.add(cls)
        day.count += 1
        day.outcomes.add(str(rec.get("outcome") or "unknown").lower())
        if rec.get("name"):
            day.names.append(str(rec["name"]))
        if rec.get("site"):
            day.sites.append(str(rec["site"]))
        if utc:
            day.utc_times.append(utc)
        day.rules.add(rule)
        day.recorded.add(f"{recorded:%Y-%m-%d}")
        if rec.get("confirmed") is False:
            day.confirmed.add("unconfirmed")
        if provisional_after is not None and kst > provisional_after:
            day.provisional = True
        report[f"rule_{rule}"] = report.get(f"rule_{rule}", 0) + 1

    # CSIS: exact-date merges first, then ±1 day merges onto CNS days still without CSIS
    pending = []
    for rec in csis.to_dict("records"):
        kind = rec["type"]
        key = (kind, pd.Timestamp(rec["date"]))
        sat_key = ("satellite_launch", key[1])
        if key in days and days[key].cns:
            _add_csis(days[key], rec)
            report["csis_merged_same_day"] = report.get("csis_merged_same_day", 0) + 1
        elif (
            kind == "missile_launch"
            and not _text(rec, "verified_url")
            and sat_key in days
            and days[sat_key].cns
        ):
            # CSIS sometimes types a satellite launch as a missile provocation
            _add_csis(days[sat_key], rec)
            report["csis_missile_row_on_satellite_day"] = (
                report.get("csis_missile_row_on_satellite_day", 0) + 1
            )
        else:
            pending.append(rec)
    for rec in pending:
        kind, d = rec["type"], pd.Timestamp(rec["date"])
        target = None
        if rec["class"] not in ("cruise", "MLRS") and not _text(rec, "verified_url"):
            for off in (-1, 1):
                cand = days.get((kind, d + pd.Timedelta(days=off)))
                if cand is not None and cand.cns and not cand.csis_dates:
                    target = cand
                    break
        if target is not None:
            _add_csis(target, rec)
            report["csis_merged_one_day_off"] = report.get("csis_merged_one_day_off", 0) + 1
            continue
        day = days.setdefault((kind, d), _Day(kind=kind, date=d, count_known=False))
        _add_csis(day, rec)
        report["csis_only_events"] = report.get("csis_only_events", 0) + 1

    rows = [_day_row(day, cns_url) for _, day in sorted(days.items(), key=lambda kv: kv[0][1])]
    report["launch_days"] = sum(1 for r in rows if r["type"] == "missile_launch")
    report["satellite_launch_days"] = sum(1 for r in rows if r["type"] == "satellite_launch")
    return pd.DataFrame(rows), report


# classes CNS does not record: the only CSIS classes added to a day CNS covers (elsewhere a
# CSIS label such as "unknown" or "SRBM" just names the same missiles CNS classified). A CSIS
# "MLRS" label on a CNS day is the KN-25 CNS records as SRBM (see the scope rule above); only a
# verified row (``verified_url``) can add MLRS (a 300 mm rocket) to a CNS day.
_OUTSIDE_CNS_SCOPE = frozenset({"cruise"})
_OUTSIDE_CNS_SCOPE_VERIFIED = frozenset({"cruise", "MLRS"})


def _int_or_none(value: Any) -> int | None:
    return None if value is None or pd.isna(value) or value == "" else int(value)


def _text(rec: Mapping[Any, Any], key: str) -> str:
    """``rec[key]`` as a string; missing, None and NaN (a column other rows fill) → ``""``."""
    value = rec.get(key)
    return value if isinstance(value, str) else ""


def _add_csis(day: _Day, rec: Mapping[Any, Any]) -> None:
    verified = _text(rec, "verified_url")
    outside = _OUTSIDE_CNS_SCOPE_VERIFIED if verified else _OUTSIDE_CNS_SCOPE
    for cls in str(rec.get("class") or "").split(";"):
        if (
            day.kind == "missile_launch"
            and cls
            and cls != "SLV"
            and (not day.cns or cls in outside)
        ):
            day.classes.add(cls)
    # the producer's record: CSIS's own date and count where a check corrected them
    day.csis_dates.append(f"{pd.Timestamp(_text(rec, 'csis_date') or rec['date']):%Y-%m-%d}")
    url = rec.get("url")
    if url and isinstance(url, str):
        day.csis_urls.append(url)
    n = _int_or_none(rec.get("count"))
    recorded = _int_or_none(rec["csis_count"]) if "csis_count" in rec else n
    if recorded is not None:
        day.csis_count = (day.csis_count or 0) + recorded
    if n is not None:
        day.launched = (day.launched or 0) + n
    if verified:
        day.verified_urls.append(verified)
    else:
        day.unverified += 1


def _ordered(classes: Iterable[str]) -> list[str]:
    return sorted(set(classes), key=lambda c: _SEVERITY.get(c, len(_SEVERITY)))


def _outcome(outcomes: set[str]) -> str:
    """Return the one known outcome of a day's missiles, or ``mixed`` if they differ."""
    known = outcomes - {"unknown", ""}
    if not known:
        return "unknown"
    return next(iter(known)) if len(known) == 1 else "mixed"


def _unique(items: Sequence[str]) -> str:
    return ";".join(dict.fromkeys(items))


def _day_row(day: _Day, cns_url: str) -> dict[str, object]:
    classes = _ordered(day.classes)
    if day.kind == "missile_launch" and not classes:
        classes = ["unknown"]
    prefix = "ML" if day.kind == "missile_launch" else "SAT"
    source = "+".join(s for s, on in (("cns", day.cns), ("csis", bool(day.csis_dates))) if on)
    if day.cns:
        count: int | None = day.count
        outcome = _outcome(day.outcomes)
        url = cns_url
    else:
        count = day.launched
        outcome = "unknown"
        url = day.csis_urls[0] if day.csis_urls else ""
    verified = bool(day.verified_urls) and not day.unverified
    if verified and not day.cns:
        url = day.verified_urls[0]
    rule = ";".join(sorted(day.rules)) if day.cns else "csis_verified" if verified else "csis_date"
    return {
        "event_id": f"{prefix}-{day.date:%Y-%m-%d}",
        "type": day.kind,
        "subtype": classes[0] if day.kind == "missile_launch" else "SLV",
        "date": f"{day.date:%Y-%m-%d}",
        "end_date": "",
        "count": "" if count is None else str(count),
        "outcome": outcome,
        "classes": ";".join(classes) if day.kind == "missile_launch" else "SLV",
        "tags": "unconfirmed" if day.confirmed else "",
        "label": "",
        "source": source,
        "source_url": url,
        "provisional": "true" if day.provisional else "false",
        "utc_time": _unique(sorted(day.utc_times)),
        "date_rule": rule,
        "cns_date": _unique(sorted(day.recorded)),
        "csis_date": _unique(day.csis_dates),
        "csis_url": _unique(day.csis_urls),
        "csis_count": "" if day.csis_count is None else str(day.csis_count),
        "names": _unique(day.names),
        "sites": _unique(day.sites),
    }
