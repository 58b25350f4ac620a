"""`rnnlab tasks`: every task with its knob, metric, memoryless baseline and suggested settings."""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from rich.markup import escape
from rich.table import Table

from rnnlab.cli.console import console
from rnnlab.cli.shared_args import add_json_argument, print_json
from rnnlab.data.tasks.entry import TaskEntry
from rnnlab.data.tasks.registry import TASKS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("tasks", help="list the tasks, their knobs and baselines")
    add_json_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    table = Table(title="rnnlab tasks (set options with `rnnlab train --task NAME --length N --set OPTION=VALUE`)")
    columns = ("task", "what it asks", "--length sets", "options (defaults)", "metric", "baseline", "suggested")
    for column in columns:
        table.add_column(column, overflow="fold")
    rows = []
    for entry in TASKS.values():
        config = entry.config()
        options = ", ".join(f"{f.name}={getattr(config, f.name)}" for f in dataclasses.fields(config))
        if entry.dataset is None:
            baseline = ", ".join(f"{k} {v:.3g}" for k, v in entry.build(config).baseline.items())
        else:  # listing tasks must not download data sets
            baseline = f"real data: `rnnlab data fetch {entry.dataset}`"
        goal = "lower" if entry.lower_is_better else "higher"
        suggested = ", ".join(f"{k}={v}" for k, v in suggestions(entry).items())
        rows.append((entry.name, entry.description, entry.knob or "-", options, f"{entry.metric} ({goal} is better)",
                     baseline, suggested))
    if args.json:
        print_json([dict(zip(columns, row, strict=True)) for row in rows])
        return 0
    for row in rows:  # descriptions hold brackets ("rnnlab[music]") that Rich would take for markup
        table.add_row(*(escape(cell) for cell in row))
    console().print(table)
    return 0


def suggestions(entry: TaskEntry) -> dict[str, Any]:
    """The suggested settings in the order the table has always listed them: learning rate and batch size,
    the model's, then the rest of the training's."""
    training = entry.suggested_training.given()
    first = {name: training.pop(name) for name in ("lr", "batch_size")}
    return first | entry.suggested_model.given() | training
