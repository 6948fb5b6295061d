"""Time to read and validate a scenario file with many hypotheses (``load_scenario``).

    python benchmarks/bench_scenario_load.py [--sizes 2000 5000 10000 20000] [--repeats 3]

Writes scenario files with N hypotheses (each a Politburo trigger window, ``sampler: exact``)
into a temporary folder and times :func:`followon.load_scenario` on each: the YAML reader
(libyaml's parser, followon's own safe composer) and the pydantic schema. The time per
hypothesis should stay flat as N grows (linear, not quadratic). Also times a "billion laughs"
file, which must be refused at once. Figures are medians of ``--repeats`` runs.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from followon import load_scenario
from followon.errors import ScenarioError
from followon.scenarios.safe_yaml import read_yaml

HEAD = """\
name: many
question: many hypotheses
as_of: 2022-01-20
data: {catalog: dprk, start: 2014-01-01}
trigger: {event_id: WPK-CC8-PB6}
outcomes:
  - {id: any_missile, type: missile_launch}
horizons_days: [60, 30]
hypotheses:
"""
ITEM = (
    "  - id: h{i}\n    triggers: [{{type: politburo_meeting, cut_days: [0, 30, 60]}}]\n"
    "    sampler: exact\n"
)
LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9) if i else ', '.join(['lol'] * 9)}]\n"
    for i in range(10)
)


def _median(fn: object, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    """Print seconds per file and per 1,000 hypotheses."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 5000, 10000, 20000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'hypotheses':>10} {'MB':>5} {'read_s':>7} {'load_s':>7} {'load_s/1000':>11}")
        for n in args.sizes:
            path = Path(tmp) / f"many-{n}.yaml"
            path.write_text(HEAD + "".join(ITEM.format(i=i) for i in range(n)), encoding="utf-8")
            text = path.read_text(encoding="utf-8")
            read = _median(lambda text=text: read_yaml(text), args.repeats)
            load = _median(lambda path=path: load_scenario(path), args.repeats)
            size = path.stat().st_size / 1e6
            print(f"{n:>10} {size:>5.1f} {read:>7.2f} {load:>7.2f} {load / n * 1000:>11.3f}")
        bomb = Path(tmp) / "laughs.yaml"
        bomb.write_text(LAUGHS, encoding="utf-8")

        def refuse() -> None:
            try:
                load_scenario(bomb)
            except ScenarioError:
                return
            raise AssertionError("the billion-laughs file was accepted")

        print(f"billion laughs refused in {_median(refuse, args.repeats) * 1000:.2f} ms")


if __name__ == "__main__":
    main()
