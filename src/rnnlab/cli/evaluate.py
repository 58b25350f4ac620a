"""`rnnlab evaluate RUN`: score a run's weights on its task's test set (real data: --split).

`rnnlab evaluate RUN RUN ...`: several runs of one task scored as an ensemble (the mean of their class
probabilities, or of their next-token probabilities at every decoding step for translation and dialogue;
train/ensemble.py), beside each member's own score and the task's baselines."""

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
from rnnlab.train.ensemble import evaluate_ensemble
from rnnlab.train.experiment import evaluate_run
from rnnlab.train.run import RunFolder


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("evaluate", help="score a run's weights on the test (or validation) split")
    parser.add_argument("run_dirs", type=Path, nargs="+", metavar="run_dir",
                        help="a folder written by `rnnlab train`; several (classification, translation or "
                             "dialogue runs of one task): scored as an ensemble, the mean of their probabilities")
    parser.add_argument("--split", choices=("test", "validation"), default="test",
                        help="for real data sets: which held-out split to score (default: test)")
    add_device_argument(parser)
    add_threads_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    if len(args.run_dirs) > 1:
        return _ensemble(args)
    run_dir = args.run_dirs[0]
    folder = RunFolder(run_dir)
    with heartbeat(console(stderr=True)) as beat:
        beat.now(f"loading the run and scoring its {args.split} split")
        experiment, metrics = evaluate_run(folder, args.split, use_device(args))
    held_out = args.split if isinstance(experiment.task_config, SplitConfig) else "test"
    summary = folder.summary()
    solved = experiment.entry.build(experiment.task_config).solved(metrics)
    if args.json:
        print_json({"run": str(run_dir), "model": experiment.model.name, "task": experiment.task,
                    "split": held_out, "metrics": metrics, "status": summary.status if summary else None,
                    "meets_solved_criterion": solved})
        return 0
    table = Table(title=f"{escape(str(run_dir))}: {experiment.model.name} on {experiment.task}")
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


def _ensemble(args: argparse.Namespace) -> int:
    with heartbeat(console(stderr=True)) as beat:
        beat.now(f"loading {len(args.run_dirs)} runs and scoring their ensemble on the {args.split} split")
        result = evaluate_ensemble([RunFolder(path) for path in args.run_dirs], args.split, use_device(args))
    if args.json:
        print_json({"task": result.task, "split": result.split, "averaged": result.averaged,
                    "ensemble": result.metrics,
                    "members": [{"run": run, "model": model, "metrics": metrics}
                                for run, model, metrics in result.members],
                    "baselines": result.baselines, "meets_solved_criterion": result.solved})
        return 0
    names = list(result.metrics)
    table = Table(title=f"an ensemble of {len(result.members)} runs on {result.task} ({result.split} split)")
    table.add_column("scored")
    for name in names:
        table.add_column(name, justify="right")
    for run_dir, model, metrics in result.members:
        table.add_row(escape(f"{run_dir} ({model})"), *(_cell(metrics, name) for name in names))
    table.add_row(f"[bold]ensemble: mean {result.averaged} probability[/]",
                  *(_cell(result.metrics, name) for name in names))
    for baseline, metrics in result.baselines.items():
        table.add_row(f"baseline: {escape(baseline)}", *(_cell(metrics, name) for name in names))
    out = console()
    out.print(table)
    verdict = "meets" if result.solved else "does not meet"
    out.print(f"the ensemble {verdict} the solved criterion", highlight=False)
    return 0


def _cell(metrics: dict[str, float], name: str) -> str:
    return f"{metrics[name]:.4f}" if name in metrics else "-"
