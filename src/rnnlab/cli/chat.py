"""`rnnlab chat RUN`: talk to a trained dialogue run (chatterbot, shakespeare-dialogue).

On a terminal it prompts; `/reset` forgets the conversation, `/quit` (or Ctrl-D) ends it. With input
piped in, every line gets one reply line and nothing else is written (no prompts, no colour):

    printf 'hello\\nhow are you?\\n' | rnnlab chat runs/chatterbot-lstm-s0 --temperature 0

The model reads the last `--history` lines of the conversation (yours and its own), by default as
many as it was trained with (the task's `context_turns`). With `--ensemble RUN2` (repeatable) the runs reply
as one model, the mean of their next-token probabilities at every step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import torch

from rnnlab.cli.console import console
from rnnlab.cli.shared_args import SEED_HELP, add_device_argument, add_seq2seq_ensemble_argument, use_device
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.data.tasks.dialogue import DialogueTask
from rnnlab.decode.sampling import SamplingConfig
from rnnlab.train.ensemble import load_seq2seq_ensemble
from rnnlab.train.run import RunFolder

HISTORY_KEPT = 100  # lines of conversation remembered at most; the model reads only the last --history


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("chat", help="talk to a trained dialogue run",
                                   description="Talk to a run of a dialogue task; /reset forgets, /quit ends.")
    parser.add_argument("run_dir", type=Path, help="a folder written by `rnnlab train --task chatterbot` (or "
                                                   "shakespeare-dialogue)")
    add_seq2seq_ensemble_argument(parser)
    parser.add_argument("--temperature", type=float, default=0.7, help="sampling temperature; 0 = greedy (default 0.7)")
    parser.add_argument("--top-p", type=float, default=0.9, help="nucleus sampling mass (default 0.9)")
    parser.add_argument("--history", type=int, default=None,
                        help="lines of conversation the model reads (default: as in training)")
    parser.add_argument("--seed", type=int, default=0, help=f"{SEED_HELP} of the sampling (default: 0)")
    add_device_argument(parser)
    add_threads_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    use_threads(args)
    if args.history is not None and args.history <= 0:
        raise ValueError("--history must be positive")
    rule = SamplingConfig(temperature=args.temperature, top_p=args.top_p)
    task, model = load_seq2seq_ensemble([RunFolder(path) for path in [args.run_dir, *args.ensemble]],
                                        use_device(args))
    if not isinstance(task, DialogueTask):
        raise ValueError(f"{args.run_dir} is a run of {task.name!r}, not a dialogue task; use `rnnlab translate`")
    generator = torch.Generator().manual_seed(args.seed)
    interactive = sys.stdin.isatty()
    out = console()
    if interactive:
        out.print(f"[bold]{task.name}[/] - /reset forgets the conversation, /quit ends it", highlight=False)
    history: list[str] = []
    while True:
        try:
            line = out.input("[bold cyan]you>[/] ") if interactive else sys.stdin.readline()
        except EOFError:
            break
        if not interactive and not line:
            break  # end of the piped input
        line = line.strip()
        if line == "/quit":
            break
        if line == "/reset":
            history.clear()
            if interactive:
                out.print("[dim](conversation forgotten)[/]")
            continue
        if not line:
            continue
        history.append(line)
        reply = task.reply(model, history, rule, generator, args.history)
        history = [*history, reply][-HISTORY_KEPT:]
        if interactive:
            out.print(f"[bold green]bot>[/] {reply}", highlight=False)
        else:
            sys.stdout.write(reply + "\n")
            sys.stdout.flush()
    return 0
