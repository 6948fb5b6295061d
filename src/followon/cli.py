"""The ``followon`` command line. Thin: each subcommand calls one public function.

Errors a user can cause (bad files, unknown types) print one line to stderr and exit 1,
never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from collections.abc import Sequence

import pandas as pd

from followon._version import __version__
from followon.errors import FollowonError, ScenarioError

__all__ = ["main"]


def _cmd_data_list(args: argparse.Namespace) -> int:
    from followon.events import load_manifest

    manifest = load_manifest()
    rows = [
        {
            "file": t["file"],
            "types": ", ".join(t["types"]),
            "rows": t["rows"],
            "producers": ", ".join(t["producers"]),
            "observed_until": t["observed_until"],
        }
        for t in manifest["tables"]
    ]
    print(pd.DataFrame(rows).to_string(index=False))
    return 0


def _cmd_data_show(args: argparse.Namespace) -> int:
    from followon.events import load_events

    events = load_events(args.type, start=args.start, end=args.end)
    columns = ["event_id", "type", "subtype", "date", "end_date", "count", "source"]
    shown = events[columns].copy()
    for col in ("date", "end_date"):
        shown[col] = shown[col].dt.strftime("%Y-%m-%d").fillna("")
    shown = shown.astype(object).where(shown.notna(), "")
    if args.limit is not None:
        shown = shown.tail(args.limit)
    with pd.option_context("display.max_rows", None, "display.width", 200):
        print(shown.to_string(index=False))
    print(f"({len(events)} events)")
    return 0


def _cmd_data_summary(args: argparse.Namespace) -> int:
    from followon.events import events_per_year, load_events, load_manifest, observed_until

    events = load_events()
    table = events_per_year(events, start_year=args.from_year)
    added = sum(e["rows"] for e in events.attrs.get("overlay", []))
    print(
        f"followon {__version__}: bundled DPRK event catalog, {len(events)} events"
        + (f" (with {len(events.attrs['overlay'])} overlay file(s))" if added else "")
    )
    print(f"\nEvents per type per year (from {args.from_year}; Korean dates):")
    with pd.option_context("display.width", 250, "display.max_columns", None):
        print(table.to_string())
    print("\nSources (days after observed_until are unobserved, not quiet):")
    manifest = load_manifest()
    for producer, info in manifest["sources"].items():
        print(f"  {producer:<8} observed_until {info['observed_until']}  {info['name']}")
    for entry in events.attrs.get("overlay", []):
        print(f"  overlay  observed_until {entry['observed_until']}  '{entry['name']}'")
    print("\nObserved until, per event type:")
    for etype, until in observed_until().items():
        print(f"  {etype:<20} {until:%Y-%m-%d}")
    return 0


def _cmd_data_validate(args: argparse.Namespace) -> int:
    from followon.events import read_events

    for path in args.files:
        events = read_events(path)
        print(f"{path}: ok, {len(events)} events ({', '.join(sorted(set(events['type'])))})")
    return 0


def _cmd_data_add(args: argparse.Namespace) -> int:
    from followon.events import add_overlay

    entry, merged = add_overlay(
        args.file,
        cns=args.cns,
        csis=args.csis,
        observed_until=args.observed_until,
        name=args.name,
        types=args.types,
        replace=args.replace,
    )
    print(
        f"added '{entry.name}' ({entry.original_file}): {entry.rows} events, covering "
        f"{', '.join(entry.types)} through {entry.observed_until:%Y-%m-%d}"
        + (f"; new types {', '.join(entry.new_types)}" if entry.new_types else "")
    )
    if merged:
        print(f"{len(merged)} event(s) repeat one already loaded and are merged into it:")
        for m in merged:
            print(f"  {m['event_id']} ({m['type']} {m['date']}) → {m['kept']}")
    print(f"stored in {entry.folder}")
    return 0


def _cmd_data_remove(args: argparse.Namespace) -> int:
    from followon.events import overlay_dir, remove_overlay

    for name in args.names:
        remove_overlay(name)
        print(f"removed '{name}' from {overlay_dir()}")
    return 0


def _cmd_data_sources(args: argparse.Namespace) -> int:
    from followon.events import (
        load_manifest,
        observed_until,
        observed_until_sources,
        overlay_dir,
        overlay_files,
    )
    from followon.events.overlay import read_overlay_file

    manifest = load_manifest()
    bundled = pd.DataFrame(
        [
            {
                "file": t["file"],
                "types": ", ".join(t["types"]),
                "rows": t["rows"],
                "observed_until": t["observed_until"],
                "producers": ", ".join(t["producers"]),
            }
            for t in manifest["tables"]
        ]
    )
    print(f"Bundled {manifest['catalog'].upper()} catalog (followon {__version__}):")
    print(bundled.to_string(index=False))
    entries = overlay_files()
    print(f"\nOverlay ({overlay_dir()}):")
    if entries:
        rows = []
        for e in entries:
            try:
                read_overlay_file(e)
                status = "ok"
            except FollowonError:
                status = f"EDITED: run `followon data remove {e.name}` and add it again"
            rows.append(
                {
                    "name": e.name,
                    "file": e.original_file,
                    "types": ", ".join(e.types),
                    "rows": e.rows,
                    "observed_until": f"{e.observed_until:%Y-%m-%d}",
                    "added": e.added,
                    "sha256": e.sha256[:12],
                    "status": status,
                }
            )
        with pd.option_context("display.width", 250, "display.max_colwidth", 80):
            print(pd.DataFrame(rows).to_string(index=False))
    else:
        print("  (empty: `followon data add FILE --observed-until YYYY-MM-DD` adds one)")
    print("\nObserved until, per event type (later days are unobserved, not quiet):")
    where = observed_until_sources()
    for t, until in observed_until().items():
        print(f"  {t:<20} {until:%Y-%m-%d}  {where[t]}")
    return 0


def _cmd_scenario_validate(args: argparse.Namespace) -> int:
    """Check each file as `run` would, short of fitting: data, trigger, every table, blocks."""
    from followon.scenarios import load_scenario
    from followon.scenarios.build import check_scenario

    for path in args.files:
        s = load_scenario(path)
        plan = check_scenario(s)
        blocks = max((len(b) for b in plan.blocks.values()), default=0)
        trigger = plan.trigger.get("event_id") or f"hypothetical {plan.trigger['type']}"
        print(
            f"{path}: ok, {len(s.outcomes)} outcome(s) × {len(s.hypotheses)} hypothesis(es), "
            f"horizons {', '.join(map(str, s.horizons_days))} days; trigger {trigger} ends "
            f"{plan.origin:%Y-%m-%d}; {len(plan.tables)} table(s) and {blocks} comparison "
            "block(s) built"
        )
    return 0


def _cmd_scenario_prior_check(args: argparse.Namespace) -> int:
    from followon.scenarios import load_scenario, prior_predictive

    scenarios = [load_scenario(p) for p in args.files]
    for s in scenarios:
        table = prior_predictive(s, random_seed=args.seed)
        print(f"{s.name}: P(outcome within H days of the trigger) under the priors alone")
        print("(base_rate: the climatological probability at the fitted window's rate)")
        with pd.option_context("display.width", 200):
            print(table.round(3).to_string(index=False))
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from pathlib import Path

    from followon.reports import write_results
    from followon.scenarios import load_scenario, run_scenario

    scenarios = [load_scenario(p) for p in args.files]  # all checked before any fitting
    out = Path(args.out)
    for s in scenarios:
        target = out / s.name if len(scenarios) > 1 or args.subfolder else out
        print(
            f"{s.name}: fitting {len(s.hypotheses)} hypotheses × {len(s.outcomes)} outcomes"
            + (" (quick)" if args.quick else ""),
            flush=True,
        )
        result = run_scenario(s, quick=args.quick)
        path = write_results(result, target, save_models=not args.no_models)
        print(f"{s.name}: report at {path / 'report.md'}")
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    from followon.reports import write_backtest
    from followon.scenarios import backtest, load_scenario

    scenario = load_scenario(args.file)
    result = backtest(
        scenario,
        every_days=args.every_days,
        at_triggers=not args.no_triggers,
        start=args.start,
        end=args.end,
        inference=args.inference,
        n_jobs=args.jobs,
        progressbar=not args.quiet,
        random_seed=args.seed,
    )
    path = write_backtest(result, args.out)
    m = result.meta
    print(
        f"{scenario.name}: {m['origins']} origins ({m['first_origin']} … {m['last_origin']}) "
        f"in {m['seconds']} s; report at {path / 'report.md'}"
    )
    return 0


def _date_arg(value: str) -> str:
    try:
        pd.Timestamp(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{value}' is not a date (YYYY-MM-DD)") from None
    return value


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``followon`` command."""
    parser = argparse.ArgumentParser(
        prog="followon",
        description="Forecast what a state does after a summit or a party meeting.",
    )
    parser.add_argument("--version", action="version", version=f"followon {__version__}")
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    data = groups.add_parser("data", help="the bundled event catalog and event files")
    sub = data.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser("list", help="the bundled tables, their rows and observed_until")
    p.set_defaults(func=_cmd_data_list)

    p = sub.add_parser("show", help="print events")
    p.add_argument("--type", action="append", help="event type (repeatable)")
    p.add_argument("--from", dest="start", help="first date, YYYY-MM-DD")
    p.add_argument("--to", dest="end", help="last date, YYYY-MM-DD")
    p.add_argument("--limit", type=int, help="show only the last N events")
    p.set_defaults(func=_cmd_data_show)

    p = sub.add_parser("summary", help="events per type per year, and each source's coverage")
    p.add_argument("--from-year", type=int, default=2012, help="first year shown (2012)")
    p.set_defaults(func=_cmd_data_summary)

    p = sub.add_parser("validate", help="check event files (CSV/Parquet) against the schema")
    p.add_argument("files", nargs="+", help="files to check")
    p.set_defaults(func=_cmd_data_validate)

    p = sub.add_parser(
        "add",
        help="add an event file (or NTI/CSIS downloads) to the local overlay",
        description="Validate an event file and store it in the local overlay folder "
        "(followon.data_dir()/overlay), so load_events() and scenarios see it. See "
        "docs/data-updates.md.",
    )
    p.add_argument("file", nargs="?", help="event file in the catalog schema (CSV or Parquet)")
    p.add_argument("--cns", metavar="FILE.xlsx", help="the NTI/CNS missile database download")
    p.add_argument("--csis", metavar="FILE.csv", help="the CSIS provocations export")
    p.add_argument(
        "--observed-until",
        type=_date_arg,
        metavar="YYYY-MM-DD",
        help="last day the file is complete (required here or in the file)",
    )
    p.add_argument("--name", help="name in the overlay (default: the file's stem)")
    p.add_argument(
        "--types", metavar="T1,T2", help="event types the file covers; declares new types"
    )
    p.add_argument("--replace", action="store_true", help="replace an overlay file of this name")
    p.set_defaults(func=_cmd_data_add)

    p = sub.add_parser("remove", help="take files out of the local overlay")
    p.add_argument("names", nargs="+", metavar="NAME", help="overlay file name(s)")
    p.set_defaults(func=_cmd_data_remove)

    p = sub.add_parser(
        "sources", help="bundled tables, overlay files and each type's observed_until"
    )
    p.set_defaults(func=_cmd_data_sources)

    scen = groups.add_parser("scenario", help="scenario files")
    ssub = scen.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")
    p = ssub.add_parser("validate", help="check scenario files without fitting")
    p.add_argument("files", nargs="+")
    p.set_defaults(func=_cmd_scenario_validate)
    p = ssub.add_parser("prior-check", help="what the priors alone say P(outcome within H days) is")
    p.add_argument("files", nargs="+")
    p.add_argument("--seed", type=int, default=None, help="random seed")
    p.set_defaults(func=_cmd_scenario_prior_check)

    p = groups.add_parser("run", help="run scenario files: fit, forecast, compare, write results")
    p.add_argument("files", nargs="+", help="scenario YAML files")
    p.add_argument(
        "--out",
        required=True,
        help="results folder (one subfolder per scenario when several are given)",
    )
    p.add_argument("--quick", action="store_true", help="fewer draws for a first look")
    p.add_argument("--subfolder", action="store_true", help="write into OUT/<scenario name>")
    p.add_argument("--no-models", action="store_true", help="do not save fitted models (.nc)")
    p.set_defaults(func=_cmd_run)

    p = groups.add_parser(
        "backtest",
        help="refit at many past origins, forecast, and score against what happened",
    )
    p.add_argument("file", help="scenario YAML file (its outcomes, horizons and hypotheses)")
    p.add_argument("--out", required=True, help="results folder")
    p.add_argument(
        "--every-days", type=int, help="also put an origin every N days (default: triggers only)"
    )
    p.add_argument("--from", dest="start", type=_date_arg, help="first origin, YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date_arg, help="last origin, YYYY-MM-DD")
    p.add_argument(
        "--no-triggers", action="store_true", help="no origins on the day after each trigger"
    )
    p.add_argument(
        "--inference",
        choices=("fast", "scenario"),
        default="fast",
        help="fast: exact or Laplace refits (default); scenario: each hypothesis' own sampler",
    )
    p.add_argument("--jobs", type=int, help="worker processes (default: all cores)")
    p.add_argument("--seed", type=int, default=None, help="random seed")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_backtest)
    return parser


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    return f"followon: warning: {message}\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = build_parser().parse_args(argv)
    warnings.formatwarning = _one_line_warning
    try:
        status: int = args.func(args)
    except ScenarioError as exc:
        print(f"followon: error: {exc}", file=sys.stderr)
        return 2
    except FollowonError as exc:
        print(f"followon: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `followon data show | head`
        return 0
    return status


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
