"""Progress lines of ``followon run`` (issue 15): one per fit, on stderr, off with ``--quiet``."""

from __future__ import annotations

import io
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

from followon.cli import main
from followon.scenarios.progress import FitProgress, method_label
from tests.scenarios.test_scenarios import GOOD

SECONDS = re.compile(r" \d+\.\d s$")


def test_run_prints_a_line_per_fit_and_quiet_prints_none(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def write_results(result: Any, out_dir: Path, **kw: Any) -> Path:  # the fits are real
        return Path(out_dir)

    monkeypatch.setattr("followon.reports.write_results", write_results)
    path = tmp_path / "s.yaml"
    path.write_text(GOOD, encoding="utf-8")
    assert main(["run", str(path), "--out", str(tmp_path / "a"), "--no-models"]) == 0
    out, err = capsys.readouterr()
    lines = err.splitlines()
    assert all(SECONDS.search(line) for line in lines), err
    assert [SECONDS.sub("", line) for line in lines] == [
        "[1/2] any_missile / steady: fitting (exact) …",
        "[2/2] any_missile / politburo: fitting (exact) …",
        "      any_missile / politburo: prior sensitivity refits (exact) …",
        "      any_missile / steady: comparison, 3 refits (exact) …",
        "      any_missile / politburo: comparison, 3 refits (exact) …",
        "test-politburo: writing the report, tables and figures …",
    ]
    assert out.startswith("test-politburo: fitting 2 hypotheses × 1 outcomes\n")
    cmd = ["run", str(path), "--out", str(tmp_path / "b"), "--no-models", "--quiet"]
    assert main(cmd) == 0
    assert capsys.readouterr().err == ""


def test_a_warning_waits_for_the_line_to_end() -> None:
    stream = io.StringIO()
    shown: list[str] = []
    bar = FitProgress(2, enabled=True, stream=stream)

    def show(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
        shown.append(f"{stream.getvalue()!r} then {message}")

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = show
        with bar.fit("any_missile", "clustering", "numpyro"):
            warnings.warn("R-hat 1.02", UserWarning, stacklevel=1)
    assert SECONDS.sub("", stream.getvalue().rstrip("\n")) == (
        "[1/2] any_missile / clustering: fitting (numpyro NUTS) …"
    )
    assert shown == [f"{stream.getvalue()!r} then R-hat 1.02"]  # after the newline


def test_a_repeated_warning_is_shown_once() -> None:
    bar = FitProgress(2, enabled=True, stream=io.StringIO())
    shown: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = lambda message, *args, **kw: shown.append(str(message))
        for h in ("a", "b"):
            with bar.fit("o", h, "numpyro"):
                warnings.warn("ESS < 400", UserWarning, stacklevel=1)
                warnings.warn(f"{h} only", UserWarning, stacklevel=1)
    assert shown == ["ESS < 400", "a only", "b only"]


def test_a_failed_fit_ends_its_line_and_the_error_passes() -> None:
    stream = io.StringIO()
    bar = FitProgress(1, enabled=True, stream=stream)
    with pytest.raises(RuntimeError, match="diverged"), bar.fit("o", "h", "exact"):
        raise RuntimeError("diverged")
    assert stream.getvalue() == "[1/1] o / h: fitting (exact) … failed\n"


def test_disabled_writes_nothing() -> None:
    stream = io.StringIO()
    bar = FitProgress(1, enabled=False, stream=stream)
    with bar.fit("o", "h", "exact"), bar.refits("o", "h", "comparison", "exact"):
        pass
    assert stream.getvalue() == ""
    assert method_label("pymc") == "PyMC NUTS" and method_label("laplace") == "laplace"
