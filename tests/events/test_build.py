"""The committed tables are exactly what data/build.py makes from ../shared/data-sources."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED_SOURCES

pytestmark = pytest.mark.skipif(
    not SHARED_SOURCES.is_dir(), reason="../shared/data-sources is not beside this checkout"
)


def test_committed_tables_match_a_rebuild() -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(REPO / "data" / "build.py"),
            "--sources",
            str(SHARED_SOURCES),
            "--check",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "files match a rebuild" in result.stdout


def test_check_fails_when_a_table_was_edited(tmp_path: Path) -> None:
    out = tmp_path / "data"
    build = [sys.executable, str(REPO / "data" / "build.py"), "--sources", str(SHARED_SOURCES)]
    subprocess.run([*build, "--out", str(out)], capture_output=True, check=True)
    table = out / "summits.csv"
    table.write_text(table.read_text().replace("2024-06-19", "2024-06-18", 1))
    result = subprocess.run([*build, "--out", str(out), "--check"], capture_output=True, text=True)
    assert result.returncode == 1
    assert "summits.csv" in result.stdout
