"""Observed-until per event type: the function, data/manifest.json and data/README.md agree,
and no bundled event lies after its own type's cut-off."""

from __future__ import annotations

import re

import pandas as pd
import pytest

import followon as fo
from followon.errors import DataError
from tests.conftest import REPO

T = pd.Timestamp


def readme_observed_until() -> dict[str, pd.Timestamp]:
    """Type → date from the table in data/README.md (its `type(s)` and `observed_until` cells)."""
    lines = (REPO / "data" / "README.md").read_text(encoding="utf-8").splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("| file |"))
    cells = [c.strip() for c in lines[header].strip("|").split("|")]
    types_col, until_col = cells.index("type(s)"), cells.index("observed_until")
    out: dict[str, pd.Timestamp] = {}
    for line in lines[header + 2 :]:
        if not line.startswith("|"):
            break
        row = [c.strip() for c in line.strip("|").split("|")]
        date = re.search(r"\d{4}-\d{2}-\d{2}", row[until_col])
        assert date, f"data/README.md: no observed_until date in {line!r}"
        for t in re.findall(r"`([a-z_]+)`", row[types_col]):
            out[t] = T(date.group())
    return out


def test_readme_manifest_and_function_agree() -> None:
    readme = readme_observed_until()
    function = fo.observed_until(overlay=False)
    manifest = {
        t: T(table["observed_until"])
        for table in fo.load_manifest()["tables"]
        for t in table["types"]
    }
    assert set(function) == set(fo.EVENT_TYPES)
    assert readme == function
    assert manifest == function


def test_no_bundled_event_after_its_types_observed_until() -> None:
    events = fo.load_events(overlay=False)
    until = events["type"].astype(str).map(fo.observed_until(overlay=False))
    late = events[events["date"] > until]
    # only rows a producer may still revise (CSIS-only launch days after CNS's date) are later
    assert late["provisional"].all(), late[["event_id", "type", "date"]]
    assert set(late["type"]) <= {"missile_launch"}
    spans = events.dropna(subset=["end_date"])
    assert (spans["end_date"] <= until[spans.index]).all()


def test_exercises_observed_through_ufs_2026() -> None:
    exercises = fo.load_events("military_exercise", overlay=False).set_index("event_id")
    assert fo.observed_until("military_exercise") >= exercises.loc["UFS-2026", "end_date"]
    assert fo.observed_until("military_exercise") >= exercises.loc["FS-2026", "end_date"]
    assert fo.observed_until_sources()["military_exercise"] == ("military_exercises.csv (curated)")


def test_per_type_and_per_producer() -> None:
    until = fo.observed_until()
    assert list(until)[: len(fo.EVENT_TYPES)] == list(fo.EVENT_TYPES)
    assert fo.observed_until("missile_launch") == T("2026-04-18")
    assert fo.observed_until("party_congress") == T("2026-02-25")
    assert fo.observed_until_sources()["missile_launch"] == "missile_launches.csv (cns)"
    assert fo.observed_until_by_producer()["csis"] == T("2026-08-20")
    with pytest.raises(DataError) as info:
        fo.observed_until("missle_launch")
    assert str(info.value).startswith(
        "observed_until: unknown type 'missle_launch' (did you mean 'missile_launch'?); allowed: "
    )


def test_exposure_defaults_to_the_types_observed_until() -> None:
    events = fo.load_events(overlay=False)
    plenums = fo.build_exposure(
        events,
        fo.Outcome("plenum", "plenary_meeting"),
        start="2020-01-01",
        as_of="2026-12-01",
    )
    drills = fo.build_exposure(
        events,
        fo.Outcome("drills", "military_exercise"),
        start="2020-01-01",
        as_of="2026-12-01",
    )
    assert plenums.end == T("2026-02-25") and drills.end == T("2026-08-27")
