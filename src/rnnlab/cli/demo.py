"""`rnnlab demo`: RNN vs LSTM vs GRU on the adding problem, equal parameters and time."""

from __future__ import annotations

import argparse

import torch
from rich.table import Table

from rnnlab.cli.console import console
from rnnlab.cli.model_args import parse_models
from rnnlab.compare.quick import QuickConfig, run_quick
from rnnlab.data.tasks.adding import BASELINE_MSE
from rnnlab.train.loop import EvalRecord


def register(subparsers: argparse._SubParsersAction) -> None:
    defaults = QuickConfig()
    parser = subparsers.add_parser("demo", help="train RNN, LSTM and GRU briefly on the adding problem and report")
    parser.add_argument("--models", default=",".join(defaults.models), help="comma-separated model names")
    parser.add_argument("--length", type=int, default=defaults.length, help="adding-problem sequence length")
    parser.add_argument("--seconds", type=float, default=defaults.seconds, help="training time per model")
    parser.add_argument("--budget", type=int, default=defaults.budget, help="parameters per model")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a shared 2-core box)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    models = parse_models(args.models)
    if args.seconds <= 0 or args.threads <= 0:
        raise ValueError("--seconds and --threads must be positive")
    torch.set_num_threads(args.threads)
    config = QuickConfig(models=models, length=args.length, seconds=args.seconds, budget=args.budget,
                         seed=args.seed)
    out = console()
    out.print(f"[bold]Adding problem, T = {config.length}[/]: {config.budget:,} parameters and "
                  f"{config.seconds:g} s per model; solved = test MSE < 0.01; baseline MSE {BASELINE_MSE:.3f}")

    def progress(name: str, record: EvalRecord) -> None:
        if record.step % 500 == 0 or record.solved:
            out.print(f"  {name:>12}  step {record.step:>6}  {record.seconds:6.1f} s  "
                          f"test MSE {record.metrics['mse']:.4f}" + ("  [green]solved[/]" if record.solved else ""))

    rows = run_quick(config, progress)
    table = Table(title=f"RNN vs LSTM: adding problem, T = {config.length}")
    for column in ("model", "H", "params", "lr", "test MSE", "err>.04", "solved", "steps", "sec", "seq/s"):
        table.add_column(column, justify="left" if column == "model" else "right")
    for row in rows:
        final = row.result.final
        first = row.result.first_solved
        solved = "diverged" if row.result.diverged else (
            f"{first.seconds:.0f} s" if first else "no")
        table.add_row(row.model, str(row.hidden_size), f"{row.parameters:,}", f"{row.lr:g}",
                      f"{final.metrics['mse']:.4f}",
                      f"{final.metrics['error_rate_0.04']:.1%}", solved, str(final.step), f"{final.seconds:.1f}",
                      f"{row.sequences_per_second:,.0f}")
    out.print(table)
    return 0
