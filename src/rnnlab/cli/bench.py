"""`rnnlab bench`: throughput and memory of every backend side by side (method: benchmarks/README.md).

    rnnlab bench                                  # everything: s1-s5, all cells, train and infer
    rnnlab bench --shapes s1,s4 --models lstm,gru --mode train --repeats 3 --out lstm-gru.md
    rnnlab bench --quick                          # tiny shapes: a smoke test in seconds
    rnnlab bench --suite scan                     # minGRU/minLSTM's parallel scan against the loops, T = 128-4096
"""

from __future__ import annotations

import argparse
import sys
from datetime import datetime
from pathlib import Path
from typing import cast

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.progress import Progress as ProgressBar
from rich.table import Table

from rnnlab.bench import (
    MODES,
    QUICK_SHAPES,
    BenchReport,
    BenchSettings,
    Mode,
    Progress,
    free_path,
    run_benchmark,
    select_shapes,
    write_report,
)
from rnnlab.bench.suites import SUITES
from rnnlab.bench.table import (
    AGAINST_LSTM_HEADER,
    CHOICE_HEADER,
    FORMATS,
    RESULT_HEADER,
    SCAN_CHOICE_HEADER,
    against_lstm_rows,
    choice_rows,
    result_rows,
    scan_choice_rows,
    to_json,
)
from rnnlab.cli.errors import UsageError
from rnnlab.cli.shared_args import add_alias, add_device_argument, add_json_argument
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.models.precision import PRECISIONS

TERMINAL_COLUMNS = ("shape", "mode", "cell", "impl", "ms/step", "tokens/s", "÷ torch", "% peak", "peak MiB",
                    "saved MiB")  # the results file also has "runs" and "GFLOP/s"
DEFAULT_REPEATS = 5
QUICK_REPEATS = 2
QUICK_GEMM_SIZE = 256  # a smoke test needs the yardstick's code path, not its accuracy
RESULTS_FOLDER = Path("bench-results")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "bench", help="measure throughput and memory of every backend",
        description="Time rnnlab's readable, fused and auto backends against plain torch.nn (and a Transformer), "
                    "interleaved round by round in one process; print a table and write it to a file.")
    parser.add_argument("--suite", default="default",
                        help="; ".join(f"{suite.name}: {suite.description}" for suite in SUITES.values())
                             + " (default: default)")
    parser.add_argument("--shapes", help="comma-separated: s1,s2,s3,s4,s5 (the default suite's), t128,t512,t1024,"
                                         "t4096 (the scan suite's) or the tiny q1,q2 (default: the suite's)")
    parser.add_argument("--models", dest="cells", help="comma-separated, from rnn,lstm,gru,mingru,minlstm,indrnn,"
                                                       "transformer (default: the suite's)")
    add_alias(parser, "--cells", "--models", dest="cells")
    parser.add_argument("--mode", default=",".join(MODES), help="comma-separated: %(default)s")
    parser.add_argument("--repeats", type=int, help=f"interleaved rounds (default {DEFAULT_REPEATS}, "
                                                    f"{QUICK_REPEATS} with --quick)")
    add_threads_argument(parser)
    add_device_argument(parser, default="cpu")
    parser.add_argument("--clock", choices=("auto", "cpu", "wall"), default="auto",
                        help="auto: CPU time for one CPU thread, else wall time")
    parser.add_argument("--precision", choices=PRECISIONS, default="fp32",
                        help="bf16: every step under bfloat16 autocast, recurrences in float32 (default: fp32)")
    parser.add_argument("--no-memory", action="store_true", help="skip the untimed memory run of each case")
    parser.add_argument("--out", type=Path, action="append",
                        help="results file, .md or .json; repeat for both (default: "
                             f"{RESULTS_FOLDER}/bench-YYYYMMDD-HHMMSS.md)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing --out file")
    parser.add_argument("--quick", action="store_true",
                        help="tiny shapes q1,q2, 2 rounds, one step per timed run, a small GEMM: a smoke test")
    add_json_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    settings = _settings(args)
    paths = _output_paths(args.out, args.overwrite)
    report = _run_with_progress(settings)
    for path in paths:  # files first: a closed pipe on stdout must not lose the results
        if args.overwrite:
            path.unlink(missing_ok=True)
        try:
            write_report(report, path)
        except FileExistsError as error:
            raise UsageError(f"{path} appeared while the benchmark ran; not overwritten") from error
    if args.json:
        sys.stdout.write(to_json(report))
        return 0
    console = Console()
    if not console.is_terminal:  # piped or redirected: no screen to fit, so do not squeeze the table
        console = Console(width=160)
    console.print(_results_table(report))
    if choices := choice_rows(report):
        console.print(_rich_table("Which backend? (÷ readable < 1: faster than the readable loop)", CHOICE_HEADER,
                                  choices, numeric_from=3))
    if scan_choices := scan_choice_rows(report):
        console.print(_rich_table("Which backend for the scan cells? (÷ readable < 1: faster)", SCAN_CHOICE_HEADER,
                                  scan_choices, numeric_from=3))
    if against := against_lstm_rows(report):
        console.print(_rich_table("Against the LSTM kernel (time ratios, < 1: faster)", AGAINST_LSTM_HEADER,
                                  against, numeric_from=5))
    for path in paths:
        console.print(f"wrote {path}")
    return 0


def _settings(args: argparse.Namespace) -> BenchSettings:
    if args.suite not in SUITES:
        raise ValueError(f"unknown suite {args.suite!r}; choose from {', '.join(SUITES)}")
    suite = SUITES[args.suite]
    default_shapes = QUICK_SHAPES if args.quick else suite.shapes
    shapes = select_shapes(_names(args.shapes)) if args.shapes is not None else default_shapes
    cells = tuple(_names(args.cells)) if args.cells is not None else suite.cells
    repeats = args.repeats if args.repeats is not None else QUICK_REPEATS if args.quick else DEFAULT_REPEATS
    modes = cast(tuple[Mode, ...], tuple(_names(args.mode)))  # BenchSettings rejects unknown modes
    return BenchSettings(shapes=shapes, cells=cells, modes=modes,
                         repeats=repeats, threads=args.threads, device=args.device, clock=args.clock,
                         measure_memory=not args.no_memory, precision=args.precision,
                         min_time_s=0.0 if args.quick else BenchSettings.min_time_s,
                         gemm_size=QUICK_GEMM_SIZE if args.quick else BenchSettings.gemm_size)


def _names(text: str) -> list[str]:
    return [name.strip() for name in text.split(",") if name.strip()]


def _output_paths(requested: list[Path] | None, overwrite: bool = False) -> list[Path]:
    """Where to write, checked before the run: a known format, and nothing there yet (unless `overwrite`)."""
    if not requested:
        return [free_path(RESULTS_FOLDER / f"bench-{datetime.now():%Y%m%d-%H%M%S}.md")]
    for path in requested:
        if path.suffix not in FORMATS:
            raise UsageError(f"--out {path}: name a {' or '.join(FORMATS)} file")
        if path.exists() and not overwrite:
            raise UsageError(f"--out {path} exists; choose another name or pass --overwrite")
    return requested


def _run_with_progress(settings: BenchSettings) -> BenchReport:
    columns = (TextColumn("{task.description:<28}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
               TimeRemainingColumn())
    with ProgressBar(*columns, console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("GEMM peak", total=None)

        def show(event: Progress) -> None:
            bar.update(task, completed=event.done, total=event.total, description=event.what)

        return run_benchmark(settings, show)


def _results_table(report: BenchReport) -> Table:
    onednn = "" if report.onednn_gflops is None else f", oneDNN {report.onednn_gflops:.1f}"
    caption = (f"{report.device}, torch {report.torch_version}, {report.threads} thread(s), {report.clock} clock "
               f"({report.cpu_share:.0%} CPU share). GEMM {report.gemm_size}² GFLOP/s: "
               f"torch.mm {report.mm_gflops:.1f}{onednn}. Medians of {report.repeats} interleaved rounds. "
               f"Precision {report.precision}{': ' + report.precision_note if report.precision_note else ''}.")
    keep = [RESULT_HEADER.index(name) for name in TERMINAL_COLUMNS]
    rows = [tuple(row[k] for k in keep) for row in result_rows(report)]
    table = _rich_table("rnnlab bench", TERMINAL_COLUMNS, rows, numeric_from=4)
    table.caption = caption
    return table


def _rich_table(title: str, header: tuple[str, ...], rows: list[tuple[str, ...]], numeric_from: int) -> Table:
    """Rows grouped by their first two columns, a rule between groups."""
    table = Table(title=title)
    for k, name in enumerate(header):
        table.add_column(name, justify="right" if k >= numeric_from else "left")
    for k, row in enumerate(rows):
        last_of_group = k + 1 == len(rows) or rows[k + 1][:2] != row[:2]
        table.add_row(*row, end_section=last_of_group)
    return table
