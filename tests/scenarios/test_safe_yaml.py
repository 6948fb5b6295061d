"""The scenario reader: aliases, nesting, duplicate keys, octal numbers, long input, dates."""

from __future__ import annotations

from pathlib import Path

import pytest

import followon as fo
from followon.errors import ScenarioError
from tests.scenarios.test_scenarios import GOOD, write

LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
    for i in range(10)
)


def refused(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        fo.load_scenario(path)
    message = str(info.value)
    assert "\n" not in message
    return message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            LAUGHS,
            "line 5: aliases (*l3) repeat more than 10,000 values; write the values out.",
        ),
        (
            "a: &a [1, *a]\n",
            "line 1: alias *a is used inside its own value.",
        ),
        ("a: *nowhere\n", "line 1: alias *nowhere is not defined before its use."),
        (
            "a:\n" + "".join(f"{'  ' * (i + 1)}k{i}:\n" for i in range(60)) + "      x: 1\n",
            "line 51: values are nested more than 50 levels deep; a scenario needs fewer than 10.",
        ),
        (
            "a: " + "[" * 5000 + "]" * 5000 + "\n",
            "line 1: values are nested more than 50 levels deep; a scenario needs fewer than 10.",
        ),
        (
            "a: 1\n---\nb: 2\n",
            "line 2: a second YAML document ('---'); a scenario file holds one mapping.",
        ),
        (
            "a: !!python/object/apply:os.system [ls]\n",
            "line 1: the tag !!python/object/apply:os.system is not supported here.",
        ),
        ("a: !!set {x}\n", "line 1: the tag !!set is not supported here."),
        ("? [1, 2]\n: x\n", "line 1: a key must be a single value, not a list or a mapping."),
        ("a: <<\n", "line 1: '<<' is YAML's merge key; quote it to write the text '<<'."),
    ],
    ids=[
        "billion-laughs",
        "recursive-alias",
        "undefined-alias",
        "deep-block",
        "deep-flow",
        "two-documents",
        "python-tag",
        "set-tag",
        "list-as-key",
        "merge-as-value",
    ],
)
def test_unsafe_yaml_is_refused_in_one_line(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    assert refused(path) == f"{path}: {message}"


def test_duplicate_key_names_both_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        GOOD.replace("horizons_days: [60, 30]\n", "horizons_days: [60, 30]\nas_of: 2022-01-10\n"),
    )
    assert refused(path) == (
        f"{path}: line 9: key 'as_of' is given twice (lines 3 and 9); keep one."
    )
    path = write(tmp_path, GOOD.replace("  - id: politburo\n", "  - id: politburo\n    id: x\n"))
    assert refused(path) == f"{path}: line 12: key 'id' is given twice (lines 11 and 12); keep one."


@pytest.mark.parametrize(
    ("number", "written"), [("030", "30"), ("090", "90"), ("-030", "-30"), ("0_30", "30")]
)
def test_leading_zero_numbers_are_refused(tmp_path: Path, number: str, written: str) -> None:
    path = write(tmp_path, GOOD.replace("[60, 30]", f"[60, {number}]"))
    assert refused(path) == (
        f"{path}: line 8: {number} has a leading zero, which YAML may read as an octal number; "
        f"write {written} (or quote it, '{number}', if it is text)."
    )


def test_quoted_leading_zero_and_merge_keys_are_fine(tmp_path: Path) -> None:
    text = GOOD.replace("[60, 30]", "[60, '030']").replace(
        "  - id: steady\n",
        "  - &base {id: steady, description: flat}\n  - {<<: *base, id: flat2}\n",
    )
    scenario = fo.load_scenario(write(tmp_path, text))
    assert scenario.horizons_days == [30, 60]
    assert [h.id for h in scenario.hypotheses] == ["steady", "flat2", "politburo"]
    assert scenario.hypotheses[1].description == "flat"


def test_long_input_is_cut_in_messages(tmp_path: Path) -> None:
    long = "x" * 100_000
    for old, new in [
        ("as_of: 2022-01-20", f"? {long}\n: 1\nas_of: 2022-01-20"),
        ("type: missile_launch}", f"type: {long}}}"),
        ("  - id: steady\n", f"  - id: steady\n    model: {long}\n"),
        ("  - id: steady\n", f"  - id: steady\n    sampler: {long}\n"),
        ("  - id: steady\n", f"  - id: steady\n    options:\n      ? {long}\n      : 1\n"),
        ("method: lfo", f"method: {long}"),
        ("  - id: politburo\n", f"  - id: {long}\n  - id: {long}\n  - id: politburo\n"),
    ]:
        assert old in GOOD
        path = write(tmp_path, GOOD.replace(old, new, 1))
        message = refused(path)
        assert "x" * 81 not in message and "x…" in message, message[:300]
        assert len(message) < 600


def test_what_if_span_and_era_must_end_after_they_start(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD.replace("end: 2022-03-17", "end: 2022-03-01"))
    assert refused(path) == (
        f"{path}: what_if[0].spans[0]: end 2022-03-01 is before start 2022-03-07."
    )
    path = write(
        tmp_path,
        GOOD.replace(
            "    sampler: exact\n",
            "    sampler: exact\n    eras: [{name: m, start: 2019-01-01, end: 2018-01-01}]\n",
        ),
    )
    assert refused(path) == (
        f"{path}: hypotheses[1].eras[0]: end 2018-01-01 is before start 2019-01-01."
    )


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "as_of: 2022-01-20",
            "as_of: 9999-01-20",
            "as_of: 9999-01-20 is outside the dates followon handles, 1900-01-01 to 2262-04-11.",
        ),
        (
            "start: 2014-01-01",
            "start: 1000-01-01",
            "data.start: 1000-01-01 is outside the dates followon handles, 1900-01-01 to "
            "2262-04-11.",
        ),
        (
            "trigger: {event_id: WPK-CC8-PB6}",
            "trigger: {type: summit, date: 2300-01-01}",
            "trigger.date: 2300-01-01 is outside the dates followon handles, 1900-01-01 to "
            "2262-04-11.",
        ),
        (
            "start: 2022-03-07",
            "start: 1800-03-07",
            "what_if[0].spans[0].start: 1800-03-07 is outside the dates followon handles, "
            "1900-01-01 to 2262-04-11.",
        ),
        (
            "horizons_days: [60, 30]",
            "horizons_days: [60, 100000]",
            "horizons_days: 100000 days after 2022-01-20 is past 2262-04-11, the last date "
            "followon handles (dates run from 1900-01-01 to 2262-04-11).",
        ),
        (
            "trigger: {event_id: WPK-CC8-PB6}",
            "trigger: {type: summit, date: 2262-03-01}",
            "horizons_days: 60 days after 2262-03-01 is past 2262-04-11, the last date "
            "followon handles (dates run from 1900-01-01 to 2262-04-11).",
        ),
        (
            "random_seed: 1",
            "random_seed: -1",
            "sampling.random_seed: Input should be greater than or equal to 0.",
        ),
        (
            "  - id: steady\n",
            "  - id: steady\n    model: pooled\n    triggers: [{type: summit}, {type: "
            "plenary_meeting}]\n    options: {pooling_sd: big}\n",
            "hypotheses[0]: options: pooling_sd must be a number, not 'big'.",
        ),
        (
            "  - id: steady\n",
            "  - id: steady\n    model: weibull\n    triggers: [{type: summit}]\n"
            "    options: {shape_prior: [a, 1]}\n",
            "hypotheses[0]: weibull: shape_prior must be (mean, sd) of log shape with sd > 0, "
            "not ['a', 1].",
        ),
    ],
    ids=[
        "as_of-9999",
        "start-1000",
        "trigger-2300",
        "what-if-1800",
        "horizon-past-2262",
        "trigger-near-2262",
        "negative-seed",
        "word-for-number",
        "words-for-numbers",
    ],
)
def test_values_out_of_range(tmp_path: Path, old: str, new: str, message: str) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    assert refused(path) == f"{path}: {message}"


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            "cut_days: [0, 30, 60]",
            "cut_days: [0, 30, 100000000000000000000]",
            "hypotheses[1].triggers[0].cut_days: must end at 132318 days or sooner (the dates "
            "followon handles).",
        ),
        (
            "    sampler: exact\n",
            "    sampler: exact\n    spans: [{type: military_exercise, lead_days: 10000000000}]\n",
            "hypotheses[1].spans[0].lead_days: Input should be less than or equal to 132318.",
        ),
        (
            "    sampler: exact\n",
            "    sampler: exact\n    self_excitation: {cut_days: [5, 1]}\n",
            "hypotheses[1].self_excitation.cut_days: must be at least two increasing whole numbers "
            "of days, e.g. [0, 30, 60].",
        ),
        (
            "    sampler: exact\n",
            "    sampler: exact\n    trend_df: 100000000\n",
            "hypotheses[1].trend_df: Input should be less than or equal to 50.",
        ),
        (
            "    sampler: exact\n",
            "    sampler: exact\n    priors: {beta_sd: .inf}\n",
            "hypotheses[1].priors.beta_sd: Input should be a finite number.",
        ),
        (
            "draws: 500",
            "draws: 100000000000000000000",
            "sampling.draws: Input should be less than or equal to 1000000.",
        ),
    ],
    ids=["cut-days", "lead-days", "self-excitation-cuts", "trend-df", "infinite-prior", "draws"],
)
def test_sizes_that_would_overflow_or_hang(
    tmp_path: Path, old: str, new: str, message: str
) -> None:
    assert old in GOOD
    path = write(tmp_path, GOOD.replace(old, new, 1))
    assert refused(path) == f"{path}: {message}"


def test_long_filter_values_are_cut_in_run_errors(tmp_path: Path) -> None:
    from followon.scenarios.build import check_scenario

    long = "y" * 5000
    path = write(
        tmp_path,
        GOOD.replace(
            "{type: politburo_meeting, cut_days",
            f"{{type: politburo_meeting, tags: [{long}], cut_days",
        ),
    )
    with pytest.raises(ScenarioError) as info:
        check_scenario(fo.load_scenario(path))
    message = str(info.value)
    assert message.startswith(f"{path}: outcome 'any_missile', hypothesis 'politburo': ")
    assert "y" * 81 not in message and "y…" in message and len(message) < 600
