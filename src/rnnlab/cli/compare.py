"""`rnnlab compare`: run a sweep (or a suite) at equal budgets, then write its report.

    rnnlab compare sweep.toml --out sweeps/adding                  # a local pool of worker processes
    rnnlab compare sweep.toml --out sweeps/adding --resume         # after Ctrl-C, kill -9 or a crash
    rnnlab compare sweep.toml --out /shared/adding --scheduler tcp://head:8786   # a Dask cluster
    rnnlab compare --suite rnn-vs-lstm --profile quick --out rnn-vs-lstm
    rnnlab compare --suite rnn-vs-lstm --out check --seed-offset 100      # the same verdicts on fresh seeds?
    rnnlab compare --suite rnn-vs-lstm --out tuned --tune                 # tune every model now
    rnnlab compare --task text-csv --set path=reviews.csv --models rnn,lstm,gru,transformer --out mine
"""

from __future__ import annotations

import argparse
import dataclasses
from collections import Counter
from pathlib import Path

from rich.console import Console
from rich.markup import escape

from rnnlab.cli.console import console
from rnnlab.cli.heartbeat import heartbeat
from rnnlab.cli.model_args import parse_models
from rnnlab.cli.task_args import parse_set_options
from rnnlab.compare.report.sweep import report_sweep
from rnnlab.compare.sweeps.config import SweepConfig
from rnnlab.compare.sweeps.one_task import task_sweep
from rnnlab.compare.sweeps.parse import load_sweep
from rnnlab.compare.sweeps.runner import DEFAULT_WORKERS, STORE, ProgressCallback, run_sweep
from rnnlab.compare.sweeps.store import RunRow

DEFAULT_PROFILE = "quick"  # a suite's short profile


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "compare", help="run models side by side at equal budgets and write a report",
        description="Run a sweep (SWEEP.toml) or a suite (--suite) into --out, then write report.html and "
                    "report.md there. The sweep file's format: `python -m pydoc rnnlab.compare.sweeps.config`.")
    parser.add_argument("sweep", nargs="?", type=Path, default=None, metavar="SWEEP.toml", help="the sweep to run")
    parser.add_argument("--suite", default=None, help="run a built-in suite instead, e.g. rnn-vs-lstm")
    parser.add_argument("--profile", default=None,
                        help=f"the suite's size, e.g. quick or full (default {DEFAULT_PROFILE})")
    parser.add_argument("--tune", action="store_true",
                        help="a suite: tune each model's learning rate now instead of using the shipped table")
    parser.add_argument("--seed-offset", type=int, default=0, metavar="N",
                        help="draw the seeds N, N+1, ... instead of 0, 1, ... (check verdicts on fresh seeds)")
    one = parser.add_argument_group("one task, no sweep file (e.g. your own data)")
    one.add_argument("--task", default=None, help="compare the --models on this task (see `rnnlab tasks`)")
    one.add_argument("--models", default="rnn,lstm,gru,transformer",
                     help="comma-separated models to compare (default: rnn,lstm,gru,transformer)")
    one.add_argument("--set", dest="task_options", action="append", default=[], metavar="OPTION=VALUE",
                     help="a task option, e.g. --set path=reviews.csv (repeatable)")
    one.add_argument("--lengths", default=None, help="comma-separated lengths for a task with a length knob")
    one.add_argument("--seeds", type=int, default=3, help="seeds per model (default 3)")
    one.add_argument("--steps", type=int, default=None, help="training steps per run (default: the task's)")
    one.add_argument("--no-tune", action="store_true", help="use the task's learning rate for every model")
    parser.add_argument("--out", type=Path, default=None, help="the folder for the results store, runs and report")
    parser.add_argument("--resume", action="store_true", help="continue the sweep in --out: only unfinished runs")
    parser.add_argument("--overwrite", action="store_true", help="replace the sweep in --out")
    parser.add_argument("--workers", type=int, default=None,
                        help=f"worker processes, one torch thread each (default {DEFAULT_WORKERS}; 0: this process)")
    parser.add_argument("--scheduler", default=None, metavar="tcp://HOST:8786",
                        help="run on this Dask cluster; --out must be on a file system its workers share")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if sum(x is not None for x in (args.sweep, args.suite, args.task)) != 1:
        raise ValueError("give a sweep file (SWEEP.toml), --suite NAME or --task NAME, one of the three")
    if args.seed_offset < 0:
        raise ValueError(f"--seed-offset must not be negative, got {args.seed_offset}")
    if args.tune and args.suite is None:
        raise ValueError("--tune applies to a suite; a sweep file tunes with its [tune] table, --task by default")
    if args.task is None:
        given = [flag for flag, value in (("--set", args.task_options), ("--lengths", args.lengths),
                                          ("--steps", args.steps), ("--no-tune", args.no_tune)) if value]
        if given:
            raise ValueError(f"{given[0]} applies to --task; a sweep file or suite sets its own")
    if args.out is None:
        raise ValueError("--out: name the folder for the sweep's results and report")
    if args.resume and args.overwrite:
        raise ValueError("--resume and --overwrite exclude each other")
    if args.workers is not None and args.scheduler is not None:
        raise ValueError("--workers and --scheduler exclude each other: a cluster runs on its own workers")
    err = console(stderr=True)
    try:
        html, markdown = (_suite(args, err) if args.suite is not None else _sweep(args, err) if args.sweep is not None
                          else _task(args, err))
    except KeyboardInterrupt:
        what = (str(args.sweep) if args.sweep else f"--suite {args.suite} --profile {args.profile or DEFAULT_PROFILE}"
                if args.suite else f"--task {args.task} ...")
        where = f" --scheduler {args.scheduler}" if args.scheduler else ""
        again = f"rnnlab compare {what} --out {args.out}{where} --resume"
        err.print(f"stopped: finished runs are kept in {escape(str(args.out))}; continue with "
                  f"[bold]{escape(again)}[/]", highlight=False)
        raise
    out = console()
    out.print(f"report: {escape(str(html))}", highlight=False)
    out.print(f"report: {escape(str(markdown))}", highlight=False)
    return 0


def _sweep(args: argparse.Namespace, err: Console) -> tuple[Path, Path]:
    if args.profile is not None:
        raise ValueError("--profile sizes a --suite; a sweep file sets its own budgets")
    return _run(load_sweep(args.sweep), args, err)


def _task(args: argparse.Namespace, err: Console) -> tuple[Path, Path]:
    if args.profile is not None:
        raise ValueError("--profile sizes a --suite; --task compares models on one task")
    if args.seeds <= 0:
        raise ValueError(f"--seeds must be positive, got {args.seeds}")
    if args.steps is not None and args.steps <= 0:
        raise ValueError(f"--steps must be positive, got {args.steps}")
    lengths = tuple(_length(text) for text in (args.lengths or "").split(",") if text.strip())
    options = parse_set_options(args.task_options)
    config = task_sweep(args.task, parse_models(args.models), options, lengths, args.seeds, args.steps,
                        tune=not args.no_tune)
    return _run(config, args, err)


def _length(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise ValueError(f"--lengths: expected whole numbers, got {text.strip()!r}") from None
    if value <= 0:
        raise ValueError(f"--lengths: lengths must be positive, got {value}")
    return value


def _run(config: SweepConfig, args: argparse.Namespace, err: Console) -> tuple[Path, Path]:
    if args.seed_offset:
        config = dataclasses.replace(config, seeds=tuple(s + args.seed_offset for s in config.seed_values))
    if (args.out / STORE).exists() and not (args.resume or args.overwrite):
        raise ValueError(f"{args.out} already holds a sweep; pass --resume to continue it or --overwrite to replace it")
    with heartbeat(err) as beat:
        beat.now("starting the sweep")
        said = progress(err)

        def finished(done: int, total: int, eta_seconds: float, row: RunRow) -> None:
            said(done, total, eta_seconds, row)
            beat.spoke()
            beat.now(f"running the sweep: {done} of {total} runs done")

        rows = run_sweep(config, args.out, resume=args.resume, overwrite=args.overwrite, workers=args.workers,
                         scheduler=args.scheduler, on_progress=finished)
        counts = ", ".join(f"{n} {status}" for status, n in Counter(row.status for row in rows).items())
        err.print(f"sweep {escape(config.name)}, {len(rows)} runs: {escape(counts)}", highlight=False)
        beat.spoke()
        beat.now("writing the report")
        return report_sweep(args.out)


def _suite(args: argparse.Namespace, err: Console) -> tuple[Path, Path]:
    if args.workers is not None:
        raise ValueError("--workers applies to a sweep file; a suite sets its own")
    from rnnlab.compare.suites import SUITES, run_suite
    if args.suite not in SUITES:
        raise ValueError(f"--suite: unknown suite {args.suite!r}; choose one of {', '.join(SUITES)}")
    profiles = SUITES[args.suite]
    profile = args.profile or DEFAULT_PROFILE
    if profile not in profiles:
        raise ValueError(f"--profile: unknown profile {profile!r}; choose one of {', '.join(profiles)}")
    return run_suite(args.suite, profile, args.out, resume=args.resume, overwrite=args.overwrite,
                     scheduler=args.scheduler, on_progress=lambda line: err.print(escape(line), highlight=False),
                     seed_offset=args.seed_offset, tune=args.tune)


def progress(err: Console) -> ProgressCallback:
    """A line per finished run: runs done out of the total, the outcome, the time left."""
    def finished(done: int, total: int, eta_seconds: float, row: RunRow) -> None:
        err.print(f"{done:>{len(str(total))}}/{total}  {escape(row.run_id)}: {escape(outcome(row))}  "
                  f"[dim]ETA {duration(eta_seconds)}[/]", highlight=False)
    return finished


def outcome(row: RunRow) -> str:
    if row.status == "failed":
        return f"failed: {row.error}"
    metrics = row.metrics or {}
    metric = metrics.get("metric")
    final = (metrics.get("final") or {}).get(metric)
    said = row.status + (f", {metric} {final:.4g}" if isinstance(final, int | float) else "")
    if row.steps is not None and row.seconds is not None:
        said += f" after {row.steps:,} steps, {row.seconds:.1f} s"
    return said


def duration(seconds: float) -> str:
    """"42 s", "3 min 05 s", "2 h 07 min"."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
