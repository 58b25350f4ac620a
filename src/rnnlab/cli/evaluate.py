"""`rnnlab evaluate RUN`: score a run's weights on its task's test set (real data: --split)."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from rnnlab.cli.console import console
from rnnlab.cli.heartbeat import heartbeat
from rnnlab.cli.shared_args import add_device_argument, add_json_argument, print_json, use_device
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.data.tasks.base import SplitConfig
from rnnlab.train.experiment import evaluate_run
from rnnlab.train.run import RunFolder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="score a run's weights on the test (or validation) split")
    parser.add_argument("run_dir", type=Path, help="a folder written by `rnnlab train`")
    parser.add_argument("--split", choices=("test", "validation"), default="test",
                        help="for real data sets: which held-out split to score (default: test)")
    add_device_argument(parser)
    add_threads_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    folder = RunFolder(args.run_dir)
    with heartbeat(console(stderr=True)) as beat:
        beat.now(f"loading the run and scoring its {args.split} split")
        experiment, metrics = evaluate_run(folder, args.split, use_device(args))
    held_out = args.split if isinstance(experiment.task_config, SplitConfig) else "test"
    summary = folder.summary()
    solved = experiment.entry.build(experiment.task_config).solved(metrics)
    if args.json:
        print_json({"run": str(args.run_dir), "model": experiment.model.name, "task": experiment.task,
                    "split": held_out, "metrics": metrics, "status": summary.status if summary else None,
                    "meets_solved_criterion": solved})
        return 0
    table = Table(title=f"{escape(str(args.run_dir))}: {experiment.model.name} on {experiment.task}")
    table.add_column(f"{held_out} metric")
    table.add_column("value", justify="right")
    for name, value in metrics.items():
        table.add_row(name, f"{value:.4f}")
    out = console()
    out.print(table)
    status = summary.status if summary else "unfinished (no result.json yet; resume with `rnnlab train --resume`)"
    verdict = "meets" if solved else "does not meet"
    out.print(f"run status: {status}; this checkpoint {verdict} the solved criterion", highlight=False)
    return 0
