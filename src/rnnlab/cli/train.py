"""`rnnlab train`: one model on one task, into a run folder that survives interruption.

Under torchrun (`torchrun --nproc-per-node N -m rnnlab train ...`) the N processes train one model together
(train/distributed.py): `--batch-size` is the global batch, rank 0 writes the run folder and alone prints,
and an error on any rank ends every rank, with one line from the rank that failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

from rich.markup import escape

from rnnlab.cli.config_args import add_config_arguments
from rnnlab.cli.console import console
from rnnlab.cli.errors import UsageError
from rnnlab.cli.heartbeat import heartbeat
from rnnlab.cli.progress import training_progress
from rnnlab.cli.shared_args import add_alias
from rnnlab.cli.task_args import add_task_arguments, parse_task_options
from rnnlab.cli.threads import add_threads_argument, use_threads
from rnnlab.cli.train_args import INIT_DEFAULTS, INIT_HELP, MODEL_DEFAULTS, MODEL_HELP, TRAIN_DEFAULTS, TRAIN_HELP
from rnnlab.data.tasks.base import SplitConfig
from rnnlab.data.tasks.forecast_configs import CsvSeriesConfig
from rnnlab.models.init import InitConfig
from rnnlab.models.registry import MODELS, ModelConfig
from rnnlab.train.distributed import Ranks, joined
from rnnlab.train.experiment import Experiment, make_experiment, start_run, train_run
from rnnlab.train.loop import TrainConfig
from rnnlab.train.recipes import RECIPE_NAMES
from rnnlab.train.records import EvalRecord
from rnnlab.train.run import RunFolder, RunSummary

# A rank that failed only because another did waits this long before it exits, so that the rank that failed
# first says why and exits first (torchrun names the first rank to exit as the root cause, then ends the rest).
LINGER_SECONDS = 5.0

def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("train", help="train one model on one task",
                                   description="Train one model on one task into a run folder.")
    add_task_arguments(parser)
    parser.add_argument("--recipe", choices=RECIPE_NAMES, default=None,
                        help="the application's recipe: settings measured to train it to useful quality on 2 CPU "
                             "cores (cpu) or one GPU (gpu); flags given still win (train/recipe_book.py)")
    model = parser.add_argument_group("model")
    model.add_argument("--model", default="lstm", choices=list(MODELS), metavar="NAME",
                       help=f"the model to train, one of {', '.join(MODELS)} (default: lstm)")
    add_alias(model, "--models", "--model (train trains one model; `rnnlab compare --models` compares several)",
              dest="model")
    model.add_argument("--hidden", dest="hidden_size", type=int, default=None,
                       help=f"{MODEL_HELP['hidden_size']} (default: {MODEL_DEFAULTS['hidden_size']})")
    model.add_argument("--budget", type=int, default=None, help="pick the hidden size that meets this many parameters")
    none_defaults = {f.name: None for f in dataclasses.fields(ModelConfig)}
    add_config_arguments(model, ModelConfig, skip=("name", "hidden_size"), defaults=none_defaults, help_for=MODEL_HELP,
                         shown=MODEL_DEFAULTS)
    init = parser.add_argument_group("initialisation (default: the model's own)")
    init_defaults = {f.name: None for f in dataclasses.fields(InitConfig)}
    add_config_arguments(init, InitConfig, prefix="init_", defaults=init_defaults, help_for=INIT_HELP,
                         shown=INIT_DEFAULTS)
    training = parser.add_argument_group("training (default: the task's suggestion, else TrainConfig's)")
    add_config_arguments(training, TrainConfig, defaults={f.name: None for f in dataclasses.fields(TrainConfig)},
                         help_for=TRAIN_HELP, shown=TRAIN_DEFAULTS)
    out = parser.add_argument_group("output")
    out.add_argument("--out", type=Path, default=None, help="run folder (default: runs/TASK-MODEL-sSEED)")
    out.add_argument("--resume", action="store_true", help="continue the run in --out from its last checkpoint")
    out.add_argument("--overwrite", action="store_true", help="replace the run in --out")
    add_threads_argument(out)
    parser.set_defaults(run=run)


def build_experiment(args: argparse.Namespace) -> Experiment:
    """The experiment the flags describe: flags given, else the recipe's, else the task's suggestions, else
    defaults."""
    task_options = parse_task_options(args)

    def given(cls: type, prefix: str = "", skip: tuple[str, ...] = ()) -> dict[str, object]:
        return {f.name: getattr(args, prefix + f.name) for f in dataclasses.fields(cls)
                if f.name not in skip and getattr(args, prefix + f.name, None) is not None}

    return make_experiment(args.task, args.model, length=args.length, task_options=task_options,
                           model_options=given(ModelConfig, skip=("name", "init")),
                           init_options=given(InitConfig, prefix="init_"), train_options=given(TrainConfig),
                           budget=args.budget, recipe=args.recipe)


def run(args: argparse.Namespace) -> int:
    """Check everything a bad input could break before saying a word or writing a file (`start_run`), then
    train. `--max-seconds` caps the whole command from here: data preparation, training, every evaluation and
    the final scoring of the test split (train/deadline.py); a silent stretch gets a heartbeat line."""
    started = time.monotonic()
    use_threads(args)
    with joined() as ranks:  # one rank alone outside torchrun
        if ranks.world == 1:
            return train_ranks(args, ranks, started)
        try:
            return train_ranks(args, ranks, started)
        except Exception as error:
            if not ranks.first_to_fail():  # this rank failed because another did, which says why
                time.sleep(LINGER_SECONDS)
                return 2
            if isinstance(error, (UsageError, ValueError, OSError)):
                raise
            raise ValueError(f"rank {ranks.rank}: {' '.join(f'{type(error).__name__}: {error}'.split())}") from error


def train_ranks(args: argparse.Namespace, ranks: Ranks, started: float) -> int:
    experiment = build_experiment(args)
    ranks.share(experiment.train.batch_size)
    name = f"{experiment.entry.build(experiment.task_config).name}-{args.model}-s{experiment.train.seed}"
    folder = RunFolder(args.out or Path("runs") / name)
    limit = experiment.train.max_seconds
    deadline = None if limit is None else started + limit
    if not ranks.writes:  # the other ranks train beside rank 0, which writes and says how it goes
        train_run(start_run(experiment, folder, resume=args.resume, overwrite=args.overwrite, ranks=ranks),
                  deadline=deadline)
        return 0
    err = console(stderr=True)
    metric, steps, every = experiment.entry.metric, experiment.train.steps, experiment.train.eval_every
    held_out = held_out_name(experiment)
    with heartbeat(err) as beat:
        beat.now("checking and preparing the data")
        run = start_run(experiment, folder, resume=args.resume, overwrite=args.overwrite, ranks=ranks)
        cap = f"  (at most {limit:g} s in all, evaluations included)" if limit is not None else ""
        shared = f"  {ranks.world} ranks" if ranks.world > 1 else ""
        err.print(f"[bold]{name}[/]  H={experiment.model.hidden_size}{shared}  -> {escape(str(folder.path))}"
                  f"{escape(cap)}", highlight=False)
        if isinstance(experiment.task_config, CsvSeriesConfig) and experiment.task_config.detected:
            err.print(f"chosen from the data: {escape(experiment.task_config.detected)}", highlight=False)
        beat.spoke()

        def on_step(step: int, loss: float, grad_norm: float) -> None:
            beat.now(f"evaluating at step {step}" if step % every == 0 or step == steps
                     else f"training: step {step} of {steps}")

        with training_progress(err, steps, metric, name, held_out) as report:
            def on_eval(record: EvalRecord) -> None:
                report(record)
                beat.spoke()

            summary = train_run(run, on_eval=on_eval, on_step=on_step, on_phase=beat.now, deadline=deadline)
    lines = summary_lines(summary, held_out, experiment.entry.lower_is_better)
    if summary.stop_reason == "time" and limit is not None:
        lines[0] = lines[0].replace("; stopped: time", f"; stopped by --max-seconds {limit:g} after "
                                    f"{time.monotonic() - started:.1f} s in all")
    for line in lines:
        console().print(line, highlight=False)
    console().print(f"results: {escape(str(folder.path / 'result.json'))}", highlight=False)
    return 0


def held_out_name(experiment: Experiment) -> str:
    """What the scores during training are called: a real data set's split (validation), else the generated
    task's test set."""
    config = experiment.task_config
    return config.split if isinstance(config, SplitConfig) else "test"


def summary_lines(summary: RunSummary, held_out: str, lower_is_better: bool) -> list[str]:
    """The end of a run: its best held-out score and why it stopped; for a real data set, its test metrics
    beside its task's baselines on the same test split, and whether it beats them."""
    metric = summary.metric
    line = (f"{summary.status}: best {held_out} {metric} {summary.best:.4f} after {summary.steps} steps, "
            f"{summary.seconds:.1f} s; {summary.parameters:,} parameters")
    if summary.status == "solved":
        line += f"; solved at step {summary.solved_at_step} ({summary.seconds_to_solve:.1f} s)"
    if summary.diverged_at_step is not None:
        line += f"; diverged at step {summary.diverged_at_step}"
    if summary.stop_reason is not None:
        line += f"; stopped: {summary.stop_reason}" + (" (still improving)" if summary.still_improving else "")
    lines = [line]
    if summary.test_metrics is None or metric not in summary.test_metrics:
        return lines
    value = summary.test_metrics[metric]
    lines.append(f"test {metric} {value:.4f} (the weights of step {summary.test_weights_from_step}, chosen on "
                 f"{held_out}; scored once on the test split)")
    scored = {name: scores[metric] for name, scores in (summary.baselines or {}).items() if metric in scores}
    if scored:
        listed = ", ".join(f"{name} {score:.4f}" for name, score in scored.items())
        strongest = (min if lower_is_better else max)(scored, key=lambda name: scored[name])
        beats = value < scored[strongest] if lower_is_better else value > scored[strongest]
        verdict = ("beats every baseline" if beats else
                   f"does NOT beat the {strongest} baseline ({scored[strongest]:.4f})")
        lines.append(f"baselines on the test split: {listed}; the model {verdict}")
    return lines
