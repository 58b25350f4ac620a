"""Task selection flags shared by the commands that run tasks."""

from __future__ import annotations

import argparse
import ast
from typing import Any

from rnnlab.data.tasks.registry import TASKS

ALIASES = ("text_column", "label_column", "time_column", "target")  # task options that also have a flag


def add_task_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("task")
    group.add_argument("--task", required=True, help=f"task name: {', '.join(TASKS)} (see `rnnlab tasks`)")
    group.add_argument("--length", type=int, default=None, help="the task's difficulty knob (sequence length or delay)")
    group.add_argument("--set", dest="task_options", action="append", default=[], metavar="OPTION=VALUE",
                       help="any other task option, e.g. --set test_size=2000 (repeatable)")
    for name in ALIASES:  # the flags for a user's CSV (text-csv, csv-series): --set NAME=... by another name
        group.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None, help=f"same as --set {name}=...")


def _value(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


def parse_set_options(items: list[str]) -> dict[str, Any]:
    """--set OPTION=VALUE pairs as a dictionary, values read as Python literals where they are one."""
    options = {}
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"--set takes OPTION=VALUE, got {item!r}")
        options[key.strip().replace("-", "_")] = _value(value.strip())
    return options


def parse_task_options(args: argparse.Namespace) -> dict[str, Any]:
    """The --set OPTION=VALUE pairs as a dictionary; --length checked."""
    options = parse_set_options(args.task_options)
    for name in ALIASES:
        value = getattr(args, name, None)
        if value is not None and options.setdefault(name, value) != value:
            raise ValueError(f"--{name.replace('_', '-')} {value} and --set {name}={options[name]} disagree")
    if args.length is not None and args.length <= 0:
        raise ValueError(f"--length must be positive, got {args.length}")
    return options
