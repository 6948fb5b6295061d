"""Every example script runs (the fast ones: exact path, no MCMC)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.conftest import REPO

EXAMPLES = sorted((REPO / "examples").glob("*.py"))


SLOW = {"seed_questions.py"}  # fits every shipped scenario (quick mode, MCMC)


@pytest.mark.parametrize(
    "script",
    [pytest.param(p, marks=pytest.mark.slow) if p.name in SLOW else p for p in EXAMPLES],
    ids=lambda p: p.name,
)
def test_example_runs(script) -> None:
    result = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", str(script)],
        capture_output=True,
        text=True,
        env={"MPLBACKEND": "Agg", "PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip()
