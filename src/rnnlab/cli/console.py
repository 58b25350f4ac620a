"""Consoles for the CLI: Rich on a terminal; wide, unwrapped lines when output goes to a file or pipe."""

from __future__ import annotations

from rich.console import Console

PIPE_WIDTH = 160  # Rich assumes 80 columns off a terminal, which folds every table


def console(stderr: bool = False) -> Console:
    probe = Console(stderr=stderr)
    return probe if probe.is_terminal else Console(stderr=stderr, width=PIPE_WIDTH, soft_wrap=True)
