"""Nothing a user types loses their data: results folders, several scenarios, the last resort.

Fitting is mocked here (``run_scenario`` and ``write_results`` replaced by stand-ins that write
through the same atomic, marked folder), so the CLI's rules are tested without MCMC.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import followon as fo
from followon._io import MARKER, atomic_folder, check_output_folder
from followon.cli import main
from followon.errors import OutputError
from tests.scenarios.test_scenarios import GOOD

FOREIGN = (
    "is a folder followon did not write (no .followon-results marker in it); it is left "
    "untouched. Choose another --out folder, or pass --force to replace it and everything in it."
)


def _thesis(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "thesis.tex").write_text("\\chapter{One}", encoding="utf-8")
    return folder


def _untouched(folder: Path) -> bool:
    return [p.name for p in folder.iterdir()] == ["thesis.tex"] and (
        folder / "thesis.tex"
    ).read_text(encoding="utf-8") == "\\chapter{One}"


# -- the rule, on the context manager ---------------------------------------------------------


def test_new_folder_gets_the_marker(tmp_path: Path) -> None:
    out = tmp_path / "a" / "b"
    with atomic_folder(out, kind="scenario") as tmp:
        (tmp / "x.csv").write_text("1", encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "x.csv"]
    marker = json.loads((out / MARKER).read_text(encoding="utf-8"))
    assert set(marker) == {"followon_version", "kind", "created"}
    assert marker["kind"] == "scenario" and marker["followon_version"] == fo.__version__
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["b"]  # no temporary left


def test_foreign_folder_is_refused_before_the_block_runs(tmp_path: Path) -> None:
    out = _thesis(tmp_path / "res")
    ran = False
    with pytest.raises(OutputError) as exc, atomic_folder(out, kind="scenario"):
        ran = True
    assert str(exc.value) == f"{out}: {FOREIGN}"
    assert not ran and _untouched(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_a_file_and_a_link_are_refused_and_unchanged(tmp_path: Path) -> None:
    target = tmp_path / "report.txt"
    target.write_text("mine", encoding="utf-8")
    with pytest.raises(OutputError) as exc:
        check_output_folder(target)
    assert str(exc.value) == (
        f"{target}: is a file, not a results folder; it is left untouched. Choose another "
        "--out folder, or pass --force to replace it."
    )
    link = tmp_path / "link"
    link.symlink_to(target)
    with pytest.raises(OutputError, match=r"link: is a symbolic link, not a results folder"):
        check_output_folder(link)
    assert target.read_text(encoding="utf-8") == "mine" and link.is_symlink()


def test_marked_and_empty_folders_are_replaced_and_force_replaces_anything(
    tmp_path: Path,
) -> None:
    out = tmp_path / "res"
    for version in ("one", "two"):
        with atomic_folder(out, kind="backtest") as tmp:
            (tmp / f"{version}.csv").write_text(version, encoding="utf-8")
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "two.csv"]
    empty = tmp_path / "empty"
    empty.mkdir()
    check_output_folder(empty)
    mine = _thesis(tmp_path / "mine")
    with atomic_folder(mine, kind="scenario", force=True) as tmp:
        (tmp / "x.csv").write_text("1", encoding="utf-8")
    assert sorted(p.name for p in mine.iterdir()) == [MARKER, "x.csv"]
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    with atomic_folder(file, kind="scenario", force=True) as tmp:
        (tmp / "x.csv").write_text("1", encoding="utf-8")
    assert (file / "x.csv").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty", "file", "mine", "res"]


def test_a_folder_appearing_during_the_write_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "res"
    with (
        pytest.raises(OutputError, match="followon did not write"),
        atomic_folder(out, kind="scenario") as tmp,
    ):
        (tmp / "x.csv").write_text("1", encoding="utf-8")
        _thesis(out)  # someone else wrote there while the fit ran
    assert _untouched(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["res"]


def test_unwritable_places_are_one_line(tmp_path: Path) -> None:
    file = tmp_path / "file"
    file.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError) as exc:
        check_output_folder(file / "sub" / "res")
    assert str(exc.value) == (
        f"{file / 'sub' / 'res'}: cannot be created: {file} is a file, not a folder. Choose "
        "another --out folder."
    )
    with pytest.raises(OutputError, match="cannot be a results folder"):
        check_output_folder("/")


def test_force_never_replaces_home_or_the_current_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = _thesis(tmp_path / "work" / "deeper")
    monkeypatch.chdir(work)
    for target in (".", "..", str(work)):
        with pytest.raises(OutputError) as exc:
            check_output_folder(target, force=True)
        assert str(exc.value) == (
            f"{target}: is the current folder or above it; followon never replaces it, even "
            "with --force. Choose another --out folder."
        )
    monkeypatch.setenv("HOME", str(tmp_path / "work"))
    with pytest.raises(OutputError, match="is your home folder; followon never replaces it"):
        check_output_folder(Path.home(), force=True)
    assert _untouched(work)


def test_overlay_folders_keep_their_own_rule(tmp_path: Path) -> None:
    """``kind=None``: no marker, no check (the overlay decides with its own --replace)."""
    out = _thesis(tmp_path / "o")
    with atomic_folder(out) as tmp:
        (tmp / "events.csv").write_text("x", encoding="utf-8")
    assert [p.name for p in out.iterdir()] == ["events.csv"]


# -- the CLI: run ------------------------------------------------------------------------------


@pytest.fixture
def fits(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Replace fitting and writing: record the scenarios fitted; a scenario named *boom* fails."""
    fitted: list[str] = []

    def run_scenario(scenario: Any, quick: bool = False, progress: bool = False) -> Any:
        fitted.append(scenario.name)
        if "boom" in scenario.name:
            raise fo.ModelError(f"{scenario.name}: the sampler diverged")
        if "bug" in scenario.name:
            raise KeyError("oops")
        return scenario

    def write_results(result: Any, out_dir: Path, *, force: bool = False, **kw: Any) -> Path:
        with atomic_folder(out_dir, kind="scenario", force=force) as tmp:
            (tmp / "report.md").write_text(result.name, encoding="utf-8")
        return Path(out_dir)

    monkeypatch.setattr("followon.scenarios.run_scenario", run_scenario)
    monkeypatch.setattr("followon.reports.write_results", write_results)
    return fitted


def _scenario(tmp_path: Path, name: str) -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(GOOD.replace("name: test-politburo", f"name: {name}"), encoding="utf-8")
    return path


def test_run_refuses_a_foreign_out_folder(
    tmp_path: Path, fits: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    good = _scenario(tmp_path, "good")
    out = _thesis(tmp_path / "thesis")
    assert main(["run", str(good), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"followon: error: {out}: {FOREIGN}\n"
    assert fits == [] and _untouched(out)
    file = tmp_path / "results.txt"
    file.write_text("keep", encoding="utf-8")
    assert main(["run", str(good), "--out", str(file)]) == 2
    assert "results.txt: is a file, not a results folder" in capsys.readouterr().err
    assert fits == [] and file.read_text(encoding="utf-8") == "keep"
    # --force replaces; a marked folder is replaced without it
    assert main(["run", str(good), "--out", str(out), "--force"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "report.md"]
    assert main(["run", str(good), "--out", str(out)]) == 0
    assert fits == ["good", "good"]


def test_run_checks_every_file_and_folder_before_fitting(
    tmp_path: Path, fits: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = _scenario(tmp_path, "a"), _scenario(tmp_path, "b")
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("as_of", "asof"), encoding="utf-8")
    out = tmp_path / "results"
    assert main(["run", str(a), str(bad), "--out", str(out)]) == 2
    assert capsys.readouterr().err.startswith(f"followon: error: {bad}: asof: unknown key")
    assert fits == [] and not out.exists()
    # the second scenario's target is someone else's folder
    _thesis(out / "b")
    assert main(["run", str(a), str(b), "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"followon: error: {b}: {out / 'b'}: {FOREIGN}\n"
    assert fits == [] and sorted(p.name for p in out.iterdir()) == ["b"]
    # two files with one name would write the same folder
    twin = tmp_path / "twin.yaml"
    twin.write_text(a.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["run", str(a), str(twin), "--out", str(tmp_path / "x")]) == 2
    assert capsys.readouterr().err == (
        f"followon: error: {twin}: name 'a' is also the name of {a}; both would write "
        f"{tmp_path / 'x' / 'a'}. Give one of them another name.\n"
    )
    assert fits == []


def test_run_refuses_a_bad_figure_jobs_value_before_fitting(
    tmp_path: Path,
    fits: list[str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FOLLOWON_FIGURE_JOBS", "two")
    out = tmp_path / "results"
    assert main(["run", str(_scenario(tmp_path, "good")), "--out", str(out)]) == 2
    assert capsys.readouterr().err == (
        "followon: error: FOLLOWON_FIGURE_JOBS='two': give the number of processes that draw "
        "the figures, a whole number ≥ 1 (1: one after another), or unset it.\n"
    )
    assert fits == [] and not out.exists()


def test_run_keeps_completed_results_and_says_which_failed(
    tmp_path: Path, fits: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, boom, c = (_scenario(tmp_path, n) for n in ("a", "boom", "c"))
    out = tmp_path / "results"
    assert main(["run", str(a), str(boom), str(c), "--out", str(out)]) == 2
    assert fits == ["a", "boom", "c"]
    captured = capsys.readouterr()
    writing = [line for line in captured.err.splitlines() if "writing the report" in line]
    assert [line.split(": writing")[0] for line in writing] == ["a", "c"]  # progress lines
    assert [line for line in captured.err.splitlines() if line not in writing] == [
        f"followon: error: {boom}: boom: the sampler diverged",
        f"followon: 2 of 3 scenarios written ({out / 'a'}, {out / 'c'}); failed: {boom} "
        "(fix and run those again).",
    ]
    assert f"a: report at {out / 'a' / 'report.md'}" in captured.out
    assert sorted(p.name for p in out.iterdir()) == ["a", "c"]
    assert (out / "a" / MARKER).is_file()
    # a bug in one scenario is one line too, and the others still run
    bug = _scenario(tmp_path, "bug")
    assert main(["run", str(bug), str(a), "--out", str(tmp_path / "more")]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line for line in lines if "writing the report" not in line] == [
        f"followon: error: {bug}: internal error: KeyError: 'oops' (run again with --debug for "
        "the traceback, and please report it)",
        f"followon: 1 of 2 scenarios written ({tmp_path / 'more' / 'a'}); failed: {bug} (fix "
        "and run those again).",
    ]


# -- the CLI: the last resort ------------------------------------------------------------------


def _broken(*args: object, **kwargs: object) -> None:
    raise RuntimeError("unexpected\nstate " + "x" * 400)


def test_internal_error_is_one_line_and_debug_shows_the_traceback(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr("followon.events.load_events", _broken)
    assert main(["data", "show", "--type", "summit"]) == 3
    err = capsys.readouterr().err
    assert err == (
        "followon: internal error: RuntimeError: unexpected state " + "x" * 183 + "… (run again "
        "with --debug for the traceback, and please report it)\n"
    )
    assert main(["--debug", "data", "show", "--type", "summit"]) == 3
    err = capsys.readouterr().err
    assert err.startswith("Traceback (most recent call last):")
    assert "in _broken" in err and err.splitlines()[-1].startswith("followon: internal error:")
    assert main(["data", "show", "--debug"]) == 3  # also after the subcommand
    assert "Traceback" in capsys.readouterr().err


def test_interrupt_and_environment_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("followon.events.load_events", interrupted)
    assert main(["data", "show"]) == 130
    assert capsys.readouterr().err == "followon: interrupted\n"

    def disk_full(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("followon.events.load_events", disk_full)
    assert main(["data", "show"]) == 1
    assert capsys.readouterr().err == "followon: error: [Errno 28] No space left on device\n"


def test_console_script_broken_pipe_is_quiet() -> None:
    beside = Path(sys.executable).parent / "followon"
    if not beside.exists():
        pytest.skip("the followon console script is not installed beside the interpreter")
    proc = subprocess.run(
        f"'{beside}' data show | head -n 1",
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(fo.__file__).parents[1])},
    )
    assert proc.stdout.count("\n") == 1 and proc.stderr == ""


# -- the CLI: arguments ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["data", "show", "--from", "2024-02-30"],
            "followon data show: error: argument --from: '2024-02-30' is not a date "
            "(YYYY-MM-DD, a real calendar day)",
        ),
        (
            ["data", "show", "--to", "9999-01-01"],
            "followon data show: error: argument --to: '9999-01-01' is outside the dates "
            "followon handles (1900-01-01 … 2199-12-31)",
        ),
        (
            ["data", "show", "--from", "2024-06-01", "--to", "2024-01-01"],
            "followon: error: argument --to: 2024-01-01 is before --from 2024-06-01",
        ),
        (
            ["data", "show", "--limit", "-3"],
            "followon data show: error: argument --limit: '-3' is not a count: give a whole "
            "number ≥ 1",
        ),
        (
            ["data", "summary", "--from-year", "20000"],
            "followon data summary: error: argument --from-year: '20000' is not a year: give a "
            "whole number from 1900 to 2199",
        ),
        (
            ["scenario", "prior-check", "s.yaml", "--seed", "-1"],
            "followon scenario prior-check: error: argument --seed: '-1' is not a random seed: "
            "give a whole number from 0 to 4294967295",
        ),
        (
            ["backtest", "s.yaml", "--out", "o", "--jobs", "0"],
            "followon backtest: error: argument --jobs: '0' is not a number of worker "
            "processes: give a whole number from 1 to ",
        ),
        (
            ["backtest", "s.yaml", "--out", "o", "--seed", "1.5"],
            "followon backtest: error: argument --seed: '1.5' is not a random seed",
        ),
        (
            ["data", "show", "--from", "2024-01-01\n"],
            "followon data show: error: argument --from: '2024-01-01\\n' is not a date",
        ),
        (
            ["data", "add", "f.csv", "--observed-until", "2026-1-5"],
            "followon data add: error: argument --observed-until: '2026-1-5' is not a date",
        ),
    ],
)
def test_bad_arguments_are_one_line_naming_the_argument(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    last = capsys.readouterr().err.splitlines()[-1]
    assert last.startswith(message)
    assert "Traceback" not in last
