"""The `rnnlab` command: one file per subcommand, each a few lines that call the library.

Every subcommand module has `register(subparsers)`, which adds its parser and sets `run`, a function
of the parsed arguments returning an exit code. Errors a user can fix (bad flags, bad files) are
raised as `UsageError` or `ValueError` and printed as one line, exit code 2; never a traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from rich.markup import escape

from rnnlab import __version__
from rnnlab.cli import (
    bench,
    chat,
    classify,
    compare,
    compose,
    data,
    demo,
    diagnose,
    evaluate,
    forecast,
    generate,
    report,
    tasks,
    train,
    translate,
)
from rnnlab.cli.console import console
from rnnlab.cli.errors import UsageError

SUBCOMMANDS = (demo, train, tasks, data, evaluate, classify, diagnose, bench, compare, report, generate, compose,
               translate, chat, forecast)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rnnlab",
        description="Build, train, diagnose and compare RNNs, LSTMs, GRUs and Transformers.",
    )
    parser.add_argument("--version", action="version", version=f"rnnlab {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in SUBCOMMANDS:
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except (UsageError, ValueError, OSError) as error:
        console(stderr=True).print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
        return 2
    except KeyboardInterrupt:
        console(stderr=True).print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
