"""The `--threads` option every compute subcommand shares: one torch thread by default."""

from __future__ import annotations

import argparse

import torch

HELP = "torch threads (default: 1, the fastest for small models on a shared 2-core machine)"


def add_threads_argument(parser: argparse.ArgumentParser | argparse._ArgumentGroup) -> None:
    parser.add_argument("--threads", type=int, default=1, metavar="N", help=HELP)


def use_threads(args: argparse.Namespace) -> None:
    """Check `--threads` and give torch that many."""
    if args.threads <= 0:
        raise ValueError("--threads must be positive")
    torch.set_num_threads(args.threads)
