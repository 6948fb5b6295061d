"""Set-up: finding a Python >= 3.12, and what the wheel carries."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPO

FIND = REPO / "scripts" / "find-python.sh"


def run_find(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(FIND)], capture_output=True, text=True, env=env)


def test_find_python_honours_PYTHON() -> None:
    result = run_find({**os.environ, "PYTHON": sys.executable})
    assert result.returncode == 0
    assert Path(result.stdout.strip()).resolve() == Path(sys.executable).resolve() or (
        "3.1"
        in subprocess.run(
            [result.stdout.strip(), "--version"], capture_output=True, text=True
        ).stdout
    )


def test_find_python_explains_when_none_is_found(tmp_path: Path) -> None:
    # a PATH whose only python3 is too old, and no pyenv
    fake = tmp_path / "python3"
    fake.write_text("#!/bin/sh\n[ \"$1\" = --version ] && echo 'Python 3.11.7'\nexit 1\n")
    fake.chmod(0o755)
    env = {"PATH": f"{tmp_path}:/usr/bin:/bin", "HOME": str(tmp_path)}
    env["PATH"] = f"{tmp_path}:" + ":".join(
        p
        for p in ["/usr/bin", "/bin"]
        if not any(Path(p, f"python3.{v}").exists() for v in (12, 13, 14))
    )
    result = run_find(env)
    if result.returncode == 0:
        pytest.skip(f"this machine has a system Python >= 3.12 at {result.stdout.strip()}")
    assert result.returncode == 1
    assert (
        result.stderr.splitlines()[0] == "error: followon needs Python >= 3.12 and none was found."
    )
    assert "python3 (Python 3.11.7)" in result.stderr
    assert "set PYTHON=/path/to/python3.12" in result.stderr


@pytest.mark.slow
def test_wheel_carries_data_and_scenarios(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(REPO),
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    wheel = next(tmp_path.glob("followon-*.whl"))
    names = set(zipfile.ZipFile(wheel).namelist())
    manifest_tables = [
        f"followon/data/{name}"
        for name in (
            "manifest.json",
            "missile_launches.csv",
            "party_meetings.csv",
            "summits.csv",
            "balloon_launches.csv",
            "nuclear_tests.csv",
            "military_exercises.csv",
            "satellite_launches.csv",
        )
    ]
    assert set(manifest_tables) <= names
    assert "followon/scenarios_bundled/README.md" in names
    assert "followon/cli.py" in names
