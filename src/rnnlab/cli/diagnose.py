"""`rnnlab diagnose KIND`: why an RNN fails, measured: figures (PNG) and numbers (JSON) in --out."""

from __future__ import annotations

import argparse
from pathlib import Path

from rich.markup import escape
from rich.table import Table

from rnnlab.cli.console import console
from rnnlab.cli.model_args import parse_models
from rnnlab.cli.shared_args import MAX_SECONDS_HELP, add_alias, add_json_argument, print_json
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.compare.diagnose import KINDS, DiagnoseConfig, run_diagnostics
from rnnlab.data.tasks.registry import TASKS
from rnnlab.train.records import EvalRecord


def register(subparsers: argparse._SubParsersAction) -> None:
    defaults = DiagnoseConfig()
    parser = subparsers.add_parser(
        "diagnose", help="measure vanishing/exploding gradients, gates, memory and stability",
        description="Probe models at initialisation and after training; write PNG figures and a JSON file.")
    parser.add_argument("kind", choices=[*KINDS, "all"], help="what to measure")
    parser.add_argument("--models", default=",".join(defaults.models),
                        help="comma-separated model names (default: %(default)s)")
    parser.add_argument("--task", default=defaults.task, help=f"one of {', '.join(TASKS)} (default: %(default)s)")
    parser.add_argument("--length", type=int, default=defaults.length,
                        help="the task's difficulty knob (default: %(default)s)")
    parser.add_argument("--seeds", type=int, default=defaults.seeds,
                        help="seeds per model, 0 .. N-1 (default: %(default)s)")
    parser.add_argument("--max-seconds", dest="train_seconds", type=float, default=None,
                        help=f"{MAX_SECONDS_HELP} per model, then probe again (default: 0: probe at initialisation "
                             "only; 60 for memory, stability and all)")
    add_alias(parser, "--train-seconds", "--max-seconds", dest="train_seconds", type=float)
    parser.add_argument("--budget", type=int, default=None,
                        help="parameters per model (default: the task's hidden size)")
    parser.add_argument("--probe-batch", type=int, default=defaults.probe_batch,
                        help="sequences each probe averages over (default: %(default)s)")
    parser.add_argument("--explode-lr", type=float, default=defaults.explode_lr,
                        help="SGD rate for `explode` (default: %(default)s)")
    parser.add_argument("--explode-steps", type=int, default=defaults.explode_steps,
                        help="SGD steps for `explode` (default: %(default)s)")
    parser.add_argument("--run", dest="run_dir", type=Path, default=None,
                        help="probe this run folder's newest checkpoint (from `rnnlab train`) instead")
    add_threads_argument(parser)
    parser.add_argument("--out", type=Path, default=Path("diag"),
                        help="folder for the PNGs and diagnostics.json (default: %(default)s)")
    parser.add_argument("--overwrite", action="store_true", help="replace the diagnostics an earlier run left in --out")
    add_json_argument(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    models = parse_models(args.models)
    if args.task not in TASKS:
        raise ValueError(f"unknown task {args.task!r}; choose one of {', '.join(TASKS)}")
    if args.length is not None and args.length <= 0:
        raise ValueError(f"--length must be positive, got {args.length}")
    use_threads(args)
    kinds = set(KINDS) if args.kind == "all" else {args.kind}
    seconds = args.train_seconds
    if seconds is None:
        seconds = 60.0 if kinds & {"memory", "stability"} else 0.0
    length = args.length if TASKS[args.task].knob is not None else None
    config = DiagnoseConfig(models=models, task=args.task, length=length, seeds=args.seeds,
                            probe_batch=args.probe_batch, train_seconds=seconds, budget=args.budget,
                            explode_steps=args.explode_steps, explode_lr=args.explode_lr, threads=args.threads)
    if args.out.exists() and (args.out / "diagnostics.json").exists() and not args.overwrite:
        raise ValueError(f"{args.out} already holds diagnostics; choose another --out or pass --overwrite")
    err = console(stderr=True)

    def evaluated(name: str, seed: int, record: EvalRecord) -> None:
        if record.solved:
            err.print(f"  {name} seed {seed}: solved at step {record.step} ({record.seconds:.1f} s)", highlight=False)

    kinds = kinds - {"explode", "stability"} if args.run_dir is not None and args.kind == "all" else kinds
    report = run_diagnostics(config, kinds, args.out, lambda text: err.print(escape(text), highlight=False), evaluated,
                             run=args.run_dir)
    if args.json:
        print_json(report)
        return 0
    out = console()
    out.print(_table(report))
    for path in report["figures"]:
        out.print(f"figure: {escape(path)}", highlight=False)
    out.print(f"numbers: {escape(str(args.out / 'diagnostics.json'))}", highlight=False)
    return 0


def _fmt(value: object) -> str:
    if isinstance(value, dict):
        mean, sd = value.get("mean"), value.get("sd")
        if mean is None:
            return "-"
        return f"{mean:.3g}" + (f" ± {sd:.2g}" if sd is not None else "")
    if isinstance(value, list):
        return ", ".join("-" if v is None else str(v) for v in value)
    return str(value)


def _table(report: dict) -> Table:
    table = Table(title=f"Diagnostics: {report['setting']}")
    columns = [("model", None), ("‖∂L/∂h‖ per step, init", ("gradients_init", "h_factor_per_step")),
               ("1e-6 lag, init", ("gradients_init", "h_vanish_lag")),
               ("‖∂L/∂c‖ per step, init", ("gradients_init", "c_factor_per_step")),
               ("‖∂L/∂h‖ per step, trained", ("gradients_trained", "h_factor_per_step")),
               ("σ_max(J) init", ("jacobian_init", "largest_singular_value_median")),
               ("σ_max(J) trained", ("jacobian_trained", "largest_singular_value_median")),
               ("memory length", ("effective_memory_length", None))]
    rows = report.get("models", {})
    shown = [(title, key) for title, key in columns
             if key is None or any(key[0] in row for row in rows.values())]
    for title, _ in shown:
        table.add_column(title, justify="left" if title == "model" else "right")
    for name, row in rows.items():
        cells = [name]
        for _, key in shown[1:]:
            assert key is not None
            section = row.get(key[0])
            value = section if key[1] is None else (section or {}).get(key[1])
            cells.append("-" if value is None else _fmt(value))
        table.add_row(*cells)
    return table
