"""The ``followon`` command line. Thin: each subcommand calls one public function.

Errors a user can cause print one line to stderr, never a traceback. Exit statuses:

- 0: done;
- 1: an error in data, a model or the environment (a bad event file, a file that cannot be
  read or written, an edited forecast ledger, a bad external-forecast file);
- 2: bad input: a bad argument, a bad scenario file, an ``--out`` folder that would replace
  something followon did not write, or (``run`` with several files) some scenarios failed;
  ``register`` of a folder that is not a run's results or of a run registered already;
- 3: an internal error (a bug): one line naming the exception, the traceback only with
  ``--debug``;
- 130: interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import sys
import traceback
import warnings
from collections.abc import Callable, Sequence

from followon._version import __version__
from followon.errors import FollowonError, OutputError, RecordError, ScenarioError

__all__ = ["main"]


def _cmd_data_list(args: argparse.Namespace) -> int:
    import pandas as pd

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
    import pandas as pd

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
    from followon.events import catalog_summary

    print(catalog_summary(start_year=args.from_year).to_text())
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
    import pandas as pd

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
        t = plan.trigger
        trigger = (
            f"trigger {t.get('event_id') or 'hypothetical ' + t['type']} ends "
            if t
            else "no trigger, windows start the day after "
        )
        print(
            f"{path}: ok, {len(s.outcomes)} outcome(s) × {len(s.hypotheses)} hypothesis(es), "
            f"horizons {', '.join(map(str, s.horizons_days))} days; {trigger}"
            f"{plan.origin:%Y-%m-%d}; {len(plan.tables)} table(s) and {blocks} comparison "
            "block(s) built"
        )
    return 0


def _cmd_scenario_prior_check(args: argparse.Namespace) -> int:
    import pandas as pd

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

    from followon._io import check_output_folder
    from followon.reports import write_results
    from followon.scenarios import load_scenario, run_scenario
    from followon.scenarios.build import check_scenario
    from followon.scenarios.progress import FitProgress

    # everything is checked before anything is fitted: every file, and every --out target
    files = [str(p) for p in args.files]
    scenarios = [load_scenario(p) for p in files]
    out = Path(args.out)
    several = len(scenarios) > 1
    targets = [out / s.name if several or args.subfolder else out for s in scenarios]
    seen: dict[Path, str] = {}
    for path, s, target in zip(files, scenarios, targets, strict=True):
        if target in seen:
            raise ScenarioError(
                f"{path}: name '{s.name}' is also the name of {seen[target]}; both would write "
                f"{target}. Give one of them another name."
            )
        seen[target] = path
        try:
            check_output_folder(target, force=args.force)
        except OutputError as exc:
            raise OutputError(f"{path}: {exc}" if several else str(exc)) from None
    from followon.plotting.folder import figure_jobs

    figure_jobs()  # a bad $FOLLOWON_FIGURE_JOBS is refused now, not after the fits
    if several:  # a data, trigger or comparison problem in any file stops all before fitting
        for s in scenarios:
            check_scenario(s, quick=args.quick)
    written: list[str] = []
    failed: list[str] = []
    for path, s, target in zip(files, scenarios, targets, strict=True):
        print(
            f"{s.name}: fitting {len(s.hypotheses)} hypotheses × {len(s.outcomes)} outcomes"
            + (" (quick)" if args.quick else ""),
            flush=True,
        )
        try:
            result = run_scenario(s, quick=args.quick, progress=not args.quiet)
            with FitProgress(0, enabled=not args.quiet).step(
                f"{s.name}: writing the report, tables and figures"
            ):
                written_to = write_results(
                    result, target, save_models=not args.no_models, force=args.force
                )
        except KeyboardInterrupt:
            if written:
                print(
                    f"followon: written before the interrupt: {', '.join(written)}", file=sys.stderr
                )
            raise
        except Exception as exc:
            if not several:
                raise
            failed.append(path)
            known = isinstance(exc, FollowonError | OSError)  # bad input, or the environment
            message = " ".join(str(exc).split()) if known else _internal_error(exc)
            if args.debug:
                traceback.print_exc()
            prefix = "" if message.startswith(path) else f"{path}: "
            print(f"followon: error: {prefix}{message}", file=sys.stderr, flush=True)
            continue
        written.append(str(written_to))
        print(f"{s.name}: report at {written_to / 'report.md'}", flush=True)
    if failed:
        print(
            f"followon: {len(written)} of {len(scenarios)} scenarios written"
            + (f" ({', '.join(written)})" if written else "")
            + f"; failed: {', '.join(failed)} (fix and run those again).",
            file=sys.stderr,
        )
        return 2
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    from followon._io import check_output_folder
    from followon.reports import write_backtest
    from followon.scenarios import backtest, load_scenario

    scenario = load_scenario(args.file)
    check_output_folder(args.out, force=args.force)  # before the refits, not after
    kwargs = {
        "every_days": args.every_days,
        "at_triggers": not args.no_triggers,
        "start": args.start,
        "end": args.end,
        "inference": args.inference,
        "progressbar": not args.quiet,
        "random_seed": args.seed,
        "placebo": args.placebo,
    }
    if args.dask is None:
        result = backtest(scenario, n_jobs=args.jobs, **kwargs)
    else:
        from followon.scenarios import dask_executor

        with dask_executor(args.dask or None, n_workers=args.jobs) as dask:
            result = backtest(scenario, executor=dask.executor, n_jobs=dask.workers, **kwargs)
    path = write_backtest(result, args.out, force=args.force)
    m = result.meta
    print(
        f"{scenario.name}: {m['origins']} origins ({m['first_origin']} … {m['last_origin']}) "
        f"in {m['seconds']} s; report at {path / 'report.md'}"
    )
    return 0


def _cmd_register(args: argparse.Namespace) -> int:
    from followon.record import ForecastLedger

    ledger = ForecastLedger(args.ledger)
    added = ledger.register(args.results)
    first = added.iloc[0]
    print(
        f"registered {len(added)} forecast(s) of '{first['scenario']}' (as of {first['as_of']}, "
        f"windows from {first['window_start']}; registration {first['registration']}) in "
        f"{ledger.path}"
    )
    return 0


def _cmd_score(args: argparse.Namespace) -> int:
    from pathlib import Path

    import pandas as pd

    from followon.record import ForecastLedger, score_forecasts

    if args.ledger and not Path(args.ledger).exists():
        raise RecordError(
            f"{args.ledger}: no such ledger; `followon register RESULTS_DIR --ledger "
            f"{args.ledger}` creates it."
        )
    ledger = ForecastLedger(args.ledger)
    forecasts = ledger.forecasts(external=args.external)
    counts = forecasts["status"].value_counts()
    print(
        f"{len(forecasts)} forecast(s): {counts.get('resolved', 0)} resolved, "
        f"{counts.get('pending', 0)} pending (window not yet observed), "
        f"{counts.get('void', 0)} void (hypothetical trigger did not happen)"
    )
    scores = score_forecasts(forecasts)
    if len(scores):
        shown = scores[
            [*scores.columns[:4], "n_resolved", "n_pending", "brier", "log_score", "brier_skill"]
        ]
        with pd.option_context("display.width", 200, "display.max_colwidth", 40):
            print(shown.round(3).to_string(index=False))
    if args.out:
        path = ledger.write_scores(args.out, external=args.external, force=args.force)
        print(f"report at {path / 'report.md'}")
    return 0


_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
FIRST_DATE, LAST_DATE = "1900-01-01", "2199-12-31"
"""The dates a command-line argument may name."""


def _shown(value: str) -> str:
    """Show at most 40 characters of an argument, control characters escaped: one line."""
    short = value if len(value) <= 40 else value[:40] + "…"
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in short)


def _date_arg(value: str) -> str:
    """Check a calendar date YYYY-MM-DD between FIRST_DATE and LAST_DATE (argparse type)."""
    shown = _shown(value)
    try:
        if not _DATE_RE.fullmatch(value):
            raise ValueError(value)
        dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"'{shown}' is not a date (YYYY-MM-DD, a real calendar day)"
        ) from None
    if not FIRST_DATE <= value <= LAST_DATE:
        raise argparse.ArgumentTypeError(
            f"'{value}' is outside the dates followon handles ({FIRST_DATE} … {LAST_DATE})"
        )
    return value


def _int_arg(what: str, lo: int, hi: int | None = None) -> Callable[[str], int]:
    """Make an argparse type: a whole number in [lo, hi], with a message saying what it is."""

    def parse(value: str) -> int:
        shown = _shown(value)
        bounds = f"from {lo} to {hi}" if hi is not None else f"≥ {lo}"
        try:
            number = int(value.strip())
        except ValueError:
            number = None
        if number is None or number < lo or (hi is not None and number > hi):
            raise argparse.ArgumentTypeError(
                f"'{shown}' is not {what}: give a whole number {bounds}"
            )
        return number

    parse.__name__ = what
    return parse


_seed_arg = _int_arg("a random seed", 0, 2**32 - 1)
_count_arg = _int_arg("a count", 1)
_days_arg = _int_arg("a number of days", 1, 365 * 300)
_year_arg = _int_arg("a year", int(FIRST_DATE[:4]), int(LAST_DATE[:4]))
_MAX_JOBS = max(64, 4 * (os.cpu_count() or 1))
_ADDRESS_RE = re.compile(r"([a-z]+://)?[\w.\-\[\]:]+:\d+")


def _address_arg(value: str) -> str:
    """Check a Dask scheduler address HOST:PORT or PROTOCOL://HOST:PORT (argparse type)."""
    if value and not _ADDRESS_RE.fullmatch(value):  # "": --dask alone (its const)
        raise argparse.ArgumentTypeError(
            f"'{_shown(value)}' is not a Dask scheduler address: give tcp://HOST:PORT, or --dask "
            "alone (after the scenario file) for a cluster on this machine"
        )
    return value


_jobs_arg = _int_arg("a number of worker processes", 1, _MAX_JOBS)
_placebo_arg = _int_arg("a number of placebo runs", 0, 10_000)


_FORCE_HELP = (
    "replace --out even if it is not a folder followon wrote (default: refuse anything but a "
    "new or empty folder or an earlier results folder)"
)
_DEBUG_HELP = "print the traceback of an internal error"


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser of the ``followon`` command."""
    parser = argparse.ArgumentParser(
        prog="followon",
        description="Forecast what a state does after a summit or a party meeting.",
    )
    parser.add_argument("--version", action="version", version=f"followon {__version__}")
    parser.add_argument("--debug", action="store_true", help=_DEBUG_HELP)
    groups = parser.add_subparsers(dest="group", required=True, metavar="COMMAND")

    data = groups.add_parser("data", help="the bundled event catalog and event files")
    sub = data.add_subparsers(dest="command", required=True, metavar="SUBCOMMAND")

    p = sub.add_parser("list", help="the bundled tables, their rows and observed_until")
    p.set_defaults(func=_cmd_data_list)

    p = sub.add_parser("show", help="print events")
    p.add_argument("--type", action="append", help="event type (repeatable)")
    p.add_argument("--from", dest="start", type=_date_arg, help="first date, YYYY-MM-DD")
    p.add_argument("--to", dest="end", type=_date_arg, help="last date, YYYY-MM-DD")
    p.add_argument("--limit", type=_count_arg, help="show only the last N events")
    p.set_defaults(func=_cmd_data_show)

    p = sub.add_parser("summary", help="events per type per year, and each source's coverage")
    p.add_argument("--from-year", type=_year_arg, default=2012, help="first year shown (2012)")
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
    p.add_argument("--seed", type=_seed_arg, default=None, help="random seed (≥ 0)")
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
    p.add_argument("--force", action="store_true", help=_FORCE_HELP)
    p.add_argument("--quiet", action="store_true", help="no progress lines")
    p.set_defaults(func=_cmd_run)

    p = groups.add_parser(
        "backtest",
        help="refit at many past origins, forecast, and score against what happened",
    )
    p.add_argument("file", help="scenario YAML file (its outcomes, horizons and hypotheses)")
    p.add_argument("--out", required=True, help="results folder")
    p.add_argument("--force", action="store_true", help=_FORCE_HELP)
    p.add_argument(
        "--every-days",
        type=_days_arg,
        help="also put an origin every N days (default: triggers only)",
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
    p.add_argument(
        "--jobs", type=_jobs_arg, help=f"worker processes, 1 … {_MAX_JOBS} (default: all cores)"
    )
    p.add_argument(
        "--dask",
        nargs="?",
        const="",
        type=_address_arg,
        metavar="ADDRESS",
        help="run the origins on a Dask cluster: its scheduler's tcp://HOST:PORT, or none for a "
        "local cluster of --jobs workers (needs pip install 'followon[dask]'; docs/dask.md)",
    )
    p.add_argument("--seed", type=_seed_arg, default=None, help="random seed (≥ 0)")
    p.add_argument(
        "--placebo",
        type=_placebo_arg,
        default=0,
        help="N placebo runs per trigger hypothesis: its trigger events at random dates",
    )
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=_cmd_backtest)

    ledger_help = "the forecast ledger (default: followon.data_dir()/ledger/forecasts.jsonl)"
    p = groups.add_parser("register", help="add a run's forecasts to the forecast record")
    p.add_argument("results", metavar="RESULTS_DIR", help="a folder `followon run` wrote")
    p.add_argument("--ledger", metavar="FILE", help=ledger_help)
    p.set_defaults(func=_cmd_register)

    p = groups.add_parser("score", help="score registered forecasts whose windows are observed")
    p.add_argument("--ledger", metavar="FILE", help=ledger_help)
    p.add_argument("--external", metavar="FILE", help="also score others' forecasts (a CSV)")
    p.add_argument("--out", help="write scores, forecasts, report and figures to this folder")
    p.add_argument("--force", action="store_true", help=_FORCE_HELP)
    p.set_defaults(func=_cmd_score)
    # --debug is accepted after the subcommand too (`followon run s.yaml --debug`)
    for group in (groups, sub, ssub):
        for subparser in group.choices.values():
            subparser.add_argument(
                "--debug", action="store_true", default=argparse.SUPPRESS, help=_DEBUG_HELP
            )
    return parser


def _one_line_warning(
    message: Warning | str,
    category: type[Warning],
    filename: str,
    lineno: int,
    line: str | None = None,
) -> str:
    return f"followon: warning: {message}\n"


def _internal_error(exc: BaseException) -> str:
    """One line for an unexpected exception: its type, its message (at most ~200 characters)."""
    message = " ".join(str(exc).split())
    if len(message) > 200:
        message = message[:200] + "…"
    return (
        f"internal error: {type(exc).__name__}: {message} "
        "(run again with --debug for the traceback, and please report it)"
    )


def _check_date_order(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    start, end = getattr(args, "start", None), getattr(args, "end", None)
    if start is not None and end is not None and start > end:
        parser.error(f"argument --to: {end} is before --from {start}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (see the module docstring)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    _check_date_order(parser, args)
    debug = bool(getattr(args, "debug", False))
    warnings.formatwarning = _one_line_warning
    try:
        status: int = args.func(args)
    except (ScenarioError, OutputError, RecordError) as exc:
        print(f"followon: error: {exc}", file=sys.stderr)
        return 2
    except FollowonError as exc:
        print(f"followon: error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. `followon data show | head`
        _silence_stdout()
        return 0
    except KeyboardInterrupt:
        print("followon: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the environment: a file that cannot be read or written, a full disk
        if debug:
            traceback.print_exc()
        print(f"followon: error: {' '.join(str(exc).split())}", file=sys.stderr)
        return 1
    except Exception as exc:  # the last resort: a bug, in one line
        if debug:
            traceback.print_exc()
        print(f"followon: {_internal_error(exc)}", file=sys.stderr)
        return 3
    return status


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's final flush does not fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (pytest's capture)
        pass


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
