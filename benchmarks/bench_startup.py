"""Start-up time: ``import followon`` and the light CLI commands, each in a new process.

    python benchmarks/bench_startup.py [--repeats 5] [--src PATH]

For each command, runs a new Python process ``--repeats`` times and prints the medians of the
wall-clock time and of the CPU time (user + system, from ``getrusage`` of the child, which a
busy machine inflates far less than the wall clock), the ``-X importtime`` total for
``followon`` and which heavy libraries (PyMC, PyTensor, JAX, numpyro, ArviZ, matplotlib) the
process had loaded at the end. ``--src`` points ``PYTHONPATH`` at another checkout's ``src``
(e.g. a snapshot of the previous commit) so before and after run in the same invocation.
The load average is printed with the results: on a shared machine read the CPU times.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HEAVY = ("pymc", "pytensor", "jax", "numpyro", "arviz", "matplotlib")
ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "plenum-2025-06.yaml"
REPORT = (
    f"import sys; heavy = {set(HEAVY)!r}; "
    "print('HEAVY', sorted({m.split('.')[0] for m in sys.modules if m.split('.')[0] in heavy}),"
    " file=sys.stderr)"
)
COMMANDS = {
    "import followon": ["-c", f"import followon; {REPORT}"],
    "followon --version": [
        "-c",
        f"from followon.cli import main\ntry:\n    main(['--version'])\nexcept SystemExit:\n"
        f"    pass\n{REPORT}",
    ],
    "followon scenario validate": [
        "-c",
        f"from followon.cli import main; main(['scenario', 'validate', {str(SCENARIO)!r}])\n"
        + REPORT,
    ],
    "followon data summary": [
        "-c",
        f"from followon.cli import main; main(['data', 'summary']); {REPORT}",
    ],
}


def _run(args: list[str], env: dict[str, str]) -> tuple[float, float, str]:
    """Wall seconds, CPU seconds and stderr of one new process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, *args], env=env, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stderr


def _importtime(env: dict[str, str]) -> float:
    """Seconds ``-X importtime`` attributes to ``followon`` (cumulative)."""
    _, _, err = _run(["-X", "importtime", "-c", "import followon"], env)
    line = [ln for ln in err.splitlines() if re.search(r"\|\s*followon$", ln)][-1]
    return int(line.split("|")[1]) / 1e6


def main() -> None:
    """Print the medians per command."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    args = parser.parse_args()
    env = {**os.environ, "PYTHONPATH": str(args.src.resolve()), "MPLBACKEND": "Agg"}
    print(f"src {args.src}; load average before {os.getloadavg()}")
    times = [_importtime(env) for _ in range(args.repeats)]
    print(f"{'import followon (-X importtime)':32s} {statistics.median(times):7.2f}s")
    for name, cmd in COMMANDS.items():
        runs = [_run(cmd, env) for _ in range(args.repeats)]
        wall = statistics.median(r[0] for r in runs)
        cpu = statistics.median(r[1] for r in runs)
        heavy = runs[-1][2].split("HEAVY", 1)[1].strip()
        print(f"{name:32s} {wall:7.2f}s wall {cpu:7.2f}s cpu  heavy loaded: {heavy}")
    print(f"load average after {os.getloadavg()}")


if __name__ == "__main__":
    main()
