"""Flags several commands share, defined once so that they read the same everywhere (README: "One CLI
convention"): `--json`, `--device`, and hidden aliases that keep an old spelling working.

    add_json_argument(parser)        # --json: print the command's table or result as JSON instead
    add_device_argument(parser)      # --device auto|cpu|cuda[:N]; use_device(args) -> torch.device
    add_alias(parser, "--cells", "--models")   # the old spelling, hidden from --help, says it is deprecated
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

JSON_HELP = "print the result as JSON (one document on stdout) instead of a table"
DEVICE_HELP = "where the model runs: auto (a CUDA GPU when present), cpu, cuda or cuda:N (default: auto)"
SEED_HELP = "random seed"  # --seed N: one seed; --seeds N: that many (0 .. N-1)
MAX_SECONDS_HELP = "training time budget in seconds"
STEPS_HELP = "training steps"

Group = argparse.ArgumentParser | argparse._ArgumentGroup


def add_json_argument(parser: Group) -> None:
    parser.add_argument("--json", action="store_true", help=JSON_HELP)


def print_json(document: Any) -> None:
    """One JSON document on stdout (NaN and infinity as null: JSON has neither)."""
    sys.stdout.write(json.dumps(_finite(document), indent=2) + "\n")


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def add_seq2seq_ensemble_argument(parser: Group) -> None:
    """`--ensemble RUN` (repeatable) for commands that decode with a sequence-to-sequence run."""
    parser.add_argument("--ensemble", type=Path, action="append", default=[], metavar="RUN",
                        help="another run of the same task and vocabularies to decode with: every step takes the "
                             "mean of the runs' next-token probabilities (repeatable: an ensemble)")


def add_device_argument(parser: Group, default: str = "auto") -> None:
    parser.add_argument("--device", default=default, help=DEVICE_HELP.replace("auto)", f"{default})", 1)
                        if default != "auto" else DEVICE_HELP)


def use_device(args: argparse.Namespace) -> Any:
    """The torch.device `--device` names; a one-line ValueError for one this machine lacks."""
    from rnnlab.models.device import resolve_device

    return resolve_device(args.device)


class _DeprecatedAlias(argparse.Action):
    """Stores like the flag it stands for, and says once on stderr that the spelling is deprecated."""

    def __init__(self, option_strings: Sequence[str], dest: str, instead: str, **kwargs: Any) -> None:
        self.instead = instead
        super().__init__(option_strings, dest, **kwargs)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        sys.stderr.write(f"note: {option_string} is deprecated; use {self.instead}\n")
        setattr(namespace, self.dest, values)


def add_alias(parser: Group, old: str, new: str, dest: str, type: Any = str) -> None:
    """`old` as a hidden, deprecated spelling of `new` (same destination `dest`)."""
    parser.add_argument(old, dest=dest, type=type, action=_DeprecatedAlias, instead=new, default=argparse.SUPPRESS,
                        help=argparse.SUPPRESS)
