"""One training run from names and typed configs to a run folder: what `rnnlab train` and sweeps call."""

from __future__ import annotations

import dataclasses
import errno
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import torch

from rnnlab.data.tasks.base import (
    ArtifactTask,
    BaselineTask,
    HeldOut,
    PreparedTask,
    RestorableTask,
    SelfEvaluatingTask,
    SplitConfig,
    Task,
    TaskConfig,
    on_split,
)
from rnnlab.data.tasks.entry import TaskEntry
from rnnlab.data.tasks.option_types import check_options
from rnnlab.data.tasks.pairs import PairTask
from rnnlab.data.tasks.registry import task_entry
from rnnlab.models.device import resolve_device
from rnnlab.models.init import InitConfig
from rnnlab.models.registry import (
    MODELS,
    ModelConfig,
    RecurrentFamily,
    build_for_io,
    count_parameters,
    hidden_size_for_budget,
)
from rnnlab.models.seq2seq import Seq2SeqModel
from rnnlab.models.sequence import SequenceModel
from rnnlab.train.checkpoint import (
    CheckpointError,
    complete_checkpoints,
    latest_checkpoint,
    load_weights,
    read_best,
    saved_records,
    verify_checkpoint,
)
from rnnlab.train.distributed import ALONE, Ranks
from rnnlab.train.loop import TrainConfig, evaluate_task, train
from rnnlab.train.pretraining import pretrain
from rnnlab.train.recipe_book import find_recipe
from rnnlab.train.recipes import Settings
from rnnlab.train.records import EvalRecord
from rnnlab.train.run import RunFolder, RunSpec, RunSummary


@dataclass(frozen=True)
class Experiment:
    task: str
    task_config: TaskConfig  # the task's own typed config
    model: ModelConfig
    train: TrainConfig

    def spec(self) -> RunSpec:
        return RunSpec(self.task, asdict(self.task_config), asdict(self.model), asdict(self.train))

    @classmethod
    def from_spec(cls, spec: RunSpec) -> Experiment:
        entry = task_entry(spec.task)
        model = dict(spec.model)
        if model.get("init") is not None:
            model["init"] = InitConfig(**model["init"])
        return cls(spec.task, entry.config(**spec.task_config), ModelConfig(**model), TrainConfig(**spec.train))

    @property
    def entry(self) -> TaskEntry:
        return task_entry(self.task)

    def build(self, artifacts: Path | None = None) -> tuple[Task, Any]:
        """The task and its freshly initialised model: a SequenceModel, or for a sequence-to-sequence task
        (`task.io.pairs`) a Seq2SeqModel (models/seq2seq.py). With `artifacts` (a run folder), the task takes
        what the run kept there (a vocabulary, class names) instead of reading its data."""
        task = self.entry.build(self.task_config)
        if artifacts is not None and isinstance(task, RestorableTask):
            task.restore_artifacts(artifacts)
        torch.manual_seed(self.train.seed)  # the same seed gives the same initial weights
        return task, build_for_io(self.model, task.io)


def upgraded_spec(saved: RunSpec) -> RunSpec:
    """A saved run's spec as today's configs write it: fields added since then appear with their defaults."""
    return Experiment.from_spec(saved).spec()


def make_experiment(task: str, model: str, *, length: int | None = None, task_options: dict[str, Any] | None = None,
                    model_options: dict[str, Any] | None = None, init_options: dict[str, Any] | None = None,
                    train_options: dict[str, Any] | None = None, budget: int | None = None,
                    recipe: str | None = None) -> Experiment:
    """An experiment from names, with what was given, else the `recipe`'s settings (train/recipe_book.py),
    else the task's suggested settings, else defaults.

    `model_options` and `train_options` are ModelConfig and TrainConfig fields; `init_options` are
    InitConfig fields applied on top of the model family's own initialisation; `budget` picks the hidden
    size that meets a parameter budget (over a recipe's hidden size).
    """
    entry = task_entry(task)
    check_options(entry.config_type, task_options or {})
    chosen = find_recipe(task, recipe) if recipe is not None else None
    settings = chosen.settings(model) if chosen is not None else Settings()  # traits(model): one error if unknown
    try:
        task_config = entry.config(length, **((chosen.task_options if chosen else {}) | (task_options or {})))
    except TypeError as error:  # e.g. a text value where the config compares numbers
        raise ValueError(f"bad option for task {entry.name!r}: {error}") from error
    given_model, given_train = dict(model_options or {}), dict(train_options or {})
    suggested = entry.suggested_training.given() | settings.train_options()
    train_values = {f.name: given_train.get(f.name, suggested.get(f.name, f.default))
                    for f in dataclasses.fields(TrainConfig)}
    family = MODELS.get(model)
    if family is None:
        raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
    if init_options:
        base = family.init if isinstance(family, RecurrentFamily) else InitConfig()
        given_model["init"] = dataclasses.replace(base, **init_options)
    if budget is not None and "hidden_size" in given_model:
        raise ValueError("give --hidden or --budget, not both")
    recipe_model = settings.model_options()
    if budget is not None:
        recipe_model.pop("hidden_size", None)  # the budget sets the size
    given_model = entry.suggested_model.given() | recipe_model | given_model
    model_config = ModelConfig(name=model, **given_model)
    if budget is not None:
        io = entry.build(task_config).io
        model_config = dataclasses.replace(model_config, hidden_size=hidden_size_for_budget(model_config, io, budget))
    return Experiment(entry.name, task_config, model_config, TrainConfig(**train_values))


@dataclass(frozen=True)
class StartedRun:
    """A run ready to train (`start_run`): its folder's rules checked, its data loaded and validated, its model
    built and its device found, and nothing written yet."""

    experiment: Experiment
    folder: RunFolder
    task: Task
    model: Any
    resume: bool
    overwrite: bool
    ranks: Ranks = ALONE


def start_run(experiment: Experiment, folder: RunFolder, *, resume: bool = False,
              overwrite: bool = False, ranks: Ranks = ALONE) -> StartedRun:
    """Everything a bad input can break, before anything is written: a bad user file, an unknown device or a
    folder that holds another run is one error line, and no run folder is left behind.

    With `ranks` of a torchrun world (train/distributed.py) every rank trains and returns the same summary;
    rank 0 alone writes the folder and calls `on_eval`; the others read its checkpoints to resume."""
    if ranks.writes:
        folder.check(experiment.spec(), resume=resume, overwrite=overwrite, upgrade=upgraded_spec)
    resolve_device(experiment.train.device)
    if resume and folder.checkpoints.exists():  # what the resumed run will load, checked now
        saved = latest_checkpoint(folder.checkpoints)
        if saved is not None:
            verify_checkpoint(saved)
        if (folder.checkpoints / "best" / "model.safetensors").exists():
            read_best(folder.checkpoints / "best")
    ranks.share(experiment.train.batch_size)
    task, model = experiment.build()
    if isinstance(task, PreparedTask):
        task.prepare()
    return StartedRun(experiment, folder, task, model, resume, overwrite, ranks)


def run_experiment(experiment: Experiment, folder: RunFolder, *, resume: bool = False, overwrite: bool = False,
                   on_eval: Callable[[EvalRecord], None] | None = None, ranks: Ranks = ALONE) -> RunSummary:
    """Train into `folder` (creating it, or resuming the run it holds); returns the result summary."""
    return train_run(start_run(experiment, folder, resume=resume, overwrite=overwrite, ranks=ranks), on_eval=on_eval)


def train_run(run: StartedRun, *, on_eval: Callable[[EvalRecord], None] | None = None,
              on_step: Callable[[int, float, float], None] | None = None,
              on_phase: Callable[[str], None] | None = None, deadline: float | None = None) -> RunSummary:
    """Write the run folder and train a started run; returns its summary. `deadline` (a `time.monotonic()`
    value) bounds everything left, the final scoring on the test split included (see `train`); `on_phase`
    hears what the run is doing ("training", "scoring the test split").

    A fresh run that fails before its first checkpoint takes its folder with it, so that the same command can
    simply be run again; a run with a checkpoint keeps it, and the error says how to resume."""
    experiment, folder = run.experiment, run.folder
    try:
        if run.ranks.writes:
            folder.prepare(experiment.spec(), resume=run.resume, overwrite=run.overwrite, upgrade=upgraded_spec)
        summary = _train(run, on_eval, on_step, on_phase, deadline)
    except Exception as error:
        checkpointed = bool(complete_checkpoints(folder.checkpoints))
        if not run.resume and not checkpointed and run.ranks.writes:
            folder.abandon()
        if isinstance(error, OSError) and error.errno in (errno.ENOSPC, errno.EDQUOT):
            kept = ("its last checkpoint is intact: free some space, then run again with --resume" if checkpointed
                    else "nothing was kept: free some space, then run again")
            raise OSError(error.errno, f"no space left on the disk of {folder.path} ({error.strerror}); {kept}") \
                from error
        raise
    return summary


def _train(run: StartedRun, on_eval: Callable[[EvalRecord], None] | None,
           on_step: Callable[[int, float, float], None] | None, on_phase: Callable[[str], None] | None,
           deadline: float | None) -> RunSummary:
    experiment, folder, task, model, ranks = run.experiment, run.folder, run.task, run.model, run.ranks
    saved = latest_checkpoint(folder.checkpoints) if run.resume else None
    if ranks.writes:
        if isinstance(task, ArtifactTask):  # e.g. a vocabulary, so the run needs no corpus later
            task.save_artifacts(folder.path)
        if run.resume:
            kept = saved_records(saved) if saved is not None else []
            folder.restart_log([EvalRecord.from_json(r) for r in kept])

    if saved is None:  # a resumed run takes its weights from its checkpoint: only a fresh start pretrains
        pretrain(task, model, experiment.train, folder.path if ranks.writes else None, on_phase)

    def log(record: EvalRecord) -> None:
        folder.log(record)
        if on_eval is not None:
            on_eval(record)

    # Real data sets (a `split` field) train against their validation split: keep the weights of the best
    # validation evaluation (early stopping), and score those once on the test split.
    config = experiment.task_config
    held_out = isinstance(config, SplitConfig) and config.split != "test"
    select = (experiment.entry.metric, experiment.entry.lower_is_better) if held_out else None
    monitor = (experiment.entry.metric, experiment.entry.lower_is_better)
    if on_phase is not None:
        on_phase("training")
    result = train(model, task, experiment.train, log if ranks.writes else None, checkpoints=folder.checkpoints,
                   resume=run.resume, on_step=on_step, select=select, monitor=monitor, ranks=ranks,
                   deadline=deadline, evaluations_after=1 if held_out else 0)
    if on_phase is not None and held_out:
        on_phase("scoring the test split")
    test = final_test_task(experiment)
    summary = RunSummary.of(result, experiment.entry.metric, experiment.entry.lower_is_better,
                            parameters=count_parameters(model),
                            test_metrics=None if test is None else ranks.first(lambda: score(experiment, test, model)),
                            baselines=None if test is None else ranks.first(lambda: baselines_of(test)))
    if ranks.writes:
        folder.finish(summary)
    return summary


def final_test_task(experiment: Experiment) -> Task | None:
    """Real data sets evaluate on their validation split while training (config field `split`); the final
    weights are scored once on the test split, which nothing was chosen on: this is the task scoring that
    split. None for other tasks."""
    config = experiment.task_config
    if not isinstance(config, SplitConfig) or config.split == "test":
        return None
    return experiment.entry.build(on_split(config, "test"))


def baselines_of(task: Task) -> dict[str, dict[str, float]] | None:
    """The task's classical baselines on the test split, when it has any (data/tasks/base.py BaselineTask)."""
    return task.baselines("test") if isinstance(task, BaselineTask) else None


def score(experiment: Experiment, task: Task, model: torch.nn.Module) -> dict[str, float]:
    """`model`'s metrics on `task`'s held-out data, on the device the model is on."""
    device = next(model.parameters()).device
    test = None if isinstance(task, SelfEvaluatingTask) else task.test_set(experiment.train.seed).to(device)
    return evaluate_task(model, task, test, device)


def load_run(folder: RunFolder, device: torch.device | str | None = None) -> tuple[Experiment, Task, SequenceModel]:
    """Rebuild a finished or interrupted run from its folder, with its weights: those of its best validation
    evaluation when the run selected them (real data sets: `checkpoints/best/`, what its test metrics were
    measured on), else its newest checkpoint's; on `device` when given (else the CPU)."""
    if not folder.path.is_dir():
        raise ValueError(f"{folder.path} is not a folder")
    experiment = Experiment.from_spec(folder.spec())
    weights = weights_of(folder)
    task, model = experiment.build(artifacts=folder.path)
    load_weights(weights, model)
    if device is not None:
        model.to(device)
    return experiment, task, model


def load_seq2seq_run(folder: RunFolder, device: torch.device | str | None = None) -> tuple[PairTask, Seq2SeqModel]:
    """`load_run` for a sequence-to-sequence run (translation, dialogue), in eval mode; any other run, or
    one whose checkpoint carries no vocabulary, is a one-line error."""
    pair_task, model = as_seq2seq(folder, *load_run(folder, device))
    return pair_task, model.eval()


def as_seq2seq(folder: RunFolder, experiment: Experiment, task: Task, model: torch.nn.Module
               ) -> tuple[PairTask, Seq2SeqModel]:
    """A loaded run's task and model as a sequence-to-sequence pair that decodes its own outputs; a one-line
    error naming `folder` for any other run, or for a checkpoint without its vocabularies."""
    if not isinstance(task, PairTask) or not isinstance(model, Seq2SeqModel):
        raise ValueError(f"{folder.path} is a run of {experiment.task!r}, not of a sequence-to-sequence task "
                         "(de-en, tsv, chatterbot, shakespeare-dialogue)")
    if model.token_tables() is None:
        raise ValueError(f"{folder.path}'s checkpoint carries no vocabulary; was it written by this version of "
                         "rnnlab?")
    return task, model


def weights_of(folder: RunFolder) -> Path:
    """The checkpoint a run is used from: its best validation evaluation's (`checkpoints/best/`, where the
    run selected one: what its test metrics were measured on), else its newest."""
    best = folder.checkpoints / "best"
    if (best / "model.safetensors").exists():
        return best
    saved = latest_checkpoint(folder.checkpoints) if folder.checkpoints.exists() else None
    if saved is None:
        raise CheckpointError(f"{folder.path} has no checkpoint yet")
    return saved


def evaluate_run(folder: RunFolder, split: HeldOut = "test", device: torch.device | str | None = None
                 ) -> tuple[Experiment, dict[str, float]]:
    """Score a run's weights (see `load_run`) on its task's test set (a real data set: on `split`, test or
    validation; a generated task has one held-out set, whatever `split` says), on `device` (else the CPU)."""
    experiment, task, model = load_run(folder, device)
    if isinstance(experiment.task_config, SplitConfig):
        if split not in ("validation", "test"):
            raise ValueError(f"split must be 'validation' or 'test', got {split!r}")
        task = experiment.entry.build(on_split(experiment.task_config, split))
    return experiment, score(experiment, task, model)
