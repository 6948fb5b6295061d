"""The followon command line: output, exit codes, one-line errors and no tracebacks."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from followon.cli import main


def test_data_summary(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "summary"]) == 0
    out = capsys.readouterr().out
    assert "Events per type per year" in out
    assert "missile_launch" in out and "politburo_meeting" in out
    assert "cns      observed_until 2026-04-18" in out
    assert "csis     observed_until 2026-08-20" in out
    header = next(line for line in out.splitlines() if "total" in line)
    assert header.split()[0] == "2012" and header.split()[-2] == "2026"


def test_data_list_and_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "list"]) == 0
    out = capsys.readouterr().out
    assert "missile_launches.csv" in out and "party_meetings.csv" in out
    assert main(["data", "show", "--type", "nuclear_test"]) == 0
    out = capsys.readouterr().out
    assert "NT-2017-09-03" in out and "(6 events)" in out
    assert (
        main(["data", "show", "--type", "summit", "--from", "2024-01-01", "--to", "2024-12-31"])
        == 0
    )
    assert "KJU-PUTIN-2024-06" in capsys.readouterr().out


def test_validate_ok_and_bad(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.csv"
    good.write_text("event_id,type,date,source\na,summit,2019-02-27,news\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id,type,date,source\na,sumit,2019-02-27,news\n", encoding="utf-8")
    assert main(["data", "validate", str(good)]) == 0
    assert capsys.readouterr().out == f"{good}: ok, 1 events (summit)\n"
    assert main(["data", "validate", str(good), str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.err.startswith(
        f"followon: error: {bad}, row 1 (line 2), column 'type': unknown type 'sumit' "
        "(did you mean 'summit'?); allowed: "
    )
    assert captured.err.count("\n") == 1


def test_unknown_type_in_show(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "show", "--type", "ICBM"]) == 1
    assert "unknown type 'ICBM'" in capsys.readouterr().err


def test_console_script_has_no_traceback(tmp_path: Path) -> None:
    beside = Path(sys.executable).parent / "followon"
    exe = str(beside) if beside.exists() else shutil.which("followon")
    assert exe is not None, "the followon console script is not installed"
    bad = tmp_path / "bad.csv"
    bad.write_text("event_id,type,date,source\na,summit,2023-02-30,news\n", encoding="utf-8")
    result = subprocess.run([exe, "data", "validate", str(bad)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        f"followon: error: {bad}, row 1 (line 2), column 'date': '2023-02-30' is not a real "
        "calendar date; check the day and month."
    )
