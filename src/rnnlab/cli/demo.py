"""`rnnlab demo`: RNN vs LSTM vs GRU on the adding problem, equal parameters and time."""

from __future__ import annotations

import argparse

from rich.table import Table

from rnnlab.cli.console import console
from rnnlab.cli.model_args import parse_models
from rnnlab.cli.shared_args import MAX_SECONDS_HELP, SEED_HELP, add_alias, add_json_argument, print_json
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.compare.quick import QuickConfig, run_quick
from rnnlab.data.tasks.adding import BASELINE_MSE
from rnnlab.train.records import EvalRecord


def register(subparsers: argparse._SubParsersAction) -> None:
    defaults = QuickConfig()
    parser = subparsers.add_parser("demo", help="train RNN, LSTM and GRU briefly on the adding problem and report")
    parser.add_argument("--models", default=",".join(defaults.models),
                        help="comma-separated model names (default: %(default)s)")
    parser.add_argument("--length", type=int, default=defaults.length,
                        help="adding-problem sequence length (default: %(default)s)")
    parser.add_argument("--max-seconds", dest="seconds", type=float, default=defaults.seconds,
                        help=f"{MAX_SECONDS_HELP} per model (default: %(default)s)")
    add_alias(parser, "--seconds", "--max-seconds", dest="seconds", type=float)
    parser.add_argument("--budget", type=int, default=defaults.budget,
                        help="parameters per model (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=defaults.seed, help=f"{SEED_HELP} (default: %(default)s)")
    add_threads_argument(parser)
    add_json_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    models = parse_models(args.models)
    if args.seconds <= 0:
        raise ValueError("--max-seconds must be positive")
    use_threads(args)
    config = QuickConfig(models=models, length=args.length, seconds=args.seconds, budget=args.budget,
                         seed=args.seed)
    out = console(stderr=args.json)  # with --json, stdout holds only the JSON
    out.print(f"[bold]Adding problem, T = {config.length}[/]: {config.budget:,} parameters and "
                  f"{config.seconds:g} s per model; solved = test MSE < 0.01; baseline MSE {BASELINE_MSE:.3f}")

    def progress(name: str, record: EvalRecord) -> None:
        if record.step % 500 == 0 or record.solved:
            out.print(f"  {name:>12}  step {record.step:>6}  {record.seconds:6.1f} s  "
                          f"test MSE {record.metrics['mse']:.4f}" + ("  [green]solved[/]" if record.solved else ""))

    rows = run_quick(config, progress)
    if args.json:
        print_json([{"model": row.model, "hidden_size": row.hidden_size, "parameters": row.parameters, "lr": row.lr,
                     "test_mse": row.result.final.metrics["mse"], "diverged": row.result.diverged,
                     "solved_after_seconds": row.result.first_solved.seconds if row.result.first_solved else None,
                     "steps": row.result.final.step, "seconds": row.result.final.seconds,
                     "sequences_per_second": row.sequences_per_second} for row in rows])
        return 0
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
