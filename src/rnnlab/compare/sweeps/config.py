"""A sweep: models × tasks × lengths × seeds × (optional) hyper-parameters, every model at the same budget.

    name = "adding-lengths"
    models = ["rnn", "lstm", "gru"]
    tasks = ["adding"]
    lengths = [50, 100, 200]     # shared by every task with a length knob; or a table: [lengths] adding = [50]
    seeds = 3                    # seeds 0, 1, 2; or a list: [0, 7]
    budget = 17000               # parameters per model: the hidden size is solved per model and task
    max_steps = 2000             # per run; give max_steps, max_seconds or both
    max_seconds = 60
    stop_at_break = true         # a model that solves no seed at a length skips the longer ones

    [train]                      # TrainConfig fields for every run
    eval_every = 50
    [model]                      # ModelConfig fields for every run
    num_layers = 1
    [grid]                       # TrainConfig or ModelConfig field -> values: every combination runs
    batch_size = [32, 64]
    [tune]                       # each model's own settings, chosen per task and length (sweeps/tuning.py)
    lr = [0.0003, 0.001, 0.003, 0.01]
    [task_options.adding]        # the task's own config fields
    test_size = 500

`expand` turns a sweep into RunPlans in a fixed order: every model of one setting before the next
setting, so a sweep stopped half-way still compares like with like. With a [tune] table, the runs use
the settings each model was given by tuning (sweeps/tuning.py): candidates trained on a tuning seed of
their own (`tune_seed`), chosen on held-out data the sweep's seeds never score on.

Budgets in steps (`max_steps`) reproduce: the same sweep gives the same metrics on any machine, busy or
quiet (bit-identical on a CPU). A time budget (`max_seconds`) measures the machine as much as the model.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import re
import typing
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import torch

from rnnlab.compare.sweeps.checks import check_lengths, check_names, check_type, is_int, no_repeats
from rnnlab.data.tasks.registry import TASKS, task_entry
from rnnlab.models.registry import MODELS, ModelConfig, build_model, count_parameters
from rnnlab.train.experiment import Experiment, make_experiment
from rnnlab.train.loop import TrainConfig

TUNE_SEED = 10_007  # a prime well clear of the seeds people choose (0, 1, 2, ...)
SET_BY_SWEEP = {"seed": "seeds", "steps": "max_steps", "max_seconds": "max_seconds", "name": "models"}
NOT_SWEPT = {"init"}  # initialisation options: not part of sweeps yet
TRAIN_FIELDS = {f.name for f in dataclasses.fields(TrainConfig)} - set(SET_BY_SWEEP)
MODEL_FIELDS = {f.name for f in dataclasses.fields(ModelConfig)} - set(SET_BY_SWEEP) - NOT_SWEPT


@dataclass(frozen=True)
class SweepConfig:
    """What to run and under which budgets; every field is checked here, errors name the key."""

    name: str
    models: tuple[str, ...]
    tasks: tuple[str, ...]
    lengths: tuple[int, ...] | Mapping[str, tuple[int, ...]] = ()  # empty, or a task left out: its default
    seeds: int | tuple[int, ...] = 1  # a count (seeds 0..n-1) or the seeds themselves
    budget: int | None = None  # parameters per model; None: model.hidden_size, else the task's suggestion
    max_steps: int | None = None  # None: the task's suggestion, else TrainConfig's (an upper bound)
    max_seconds: float | None = None  # training time per run, evaluation excluded
    train: Mapping[str, Any] = field(default_factory=dict)  # TrainConfig fields for every run
    model: Mapping[str, Any] = field(default_factory=dict)  # ModelConfig fields for every run
    grid: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # field -> values, all combinations
    task_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # task -> config fields
    tune: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)  # TrainConfig field -> candidate values
    tune_seed: int = TUNE_SEED  # the seed tuning runs train and are scored on; never one of `seeds`
    tune_steps: int | None = None  # steps per tuning candidate; None: max_steps
    # Settings already chosen by tuning (a shipped table, see tuning.py): "task/length/model" -> fields.
    tuned: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # A model that solves no seed at one of a task's lengths is not trained at its longer ones: those runs are
    # recorded "not solved", stop reason "broken" (runner.py). The lengths then run shortest first.
    stop_at_break: bool = False

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise ValueError("name: give the sweep a name")
        check_names("models", self.models, MODELS, "model")
        check_names("tasks", self.tasks, TASKS, "task")
        self._check_lengths()
        if not isinstance(self.seeds, int | tuple):
            raise ValueError(f"seeds: expected a count or a tuple of seeds, got {self.seeds!r}")
        seeds = (self.seeds,) if isinstance(self.seeds, int) else self.seeds
        if not seeds or any(not is_int(s) or s < 0 for s in seeds) or self.seeds == 0:
            raise ValueError(f"seeds: give a positive count or non-negative seeds, got {self.seeds!r}")
        no_repeats("seeds", seeds)
        for key, kind in (("budget", int), ("max_steps", int), ("max_seconds", float)):
            value = getattr(self, key)
            if value is not None:
                check_type(key, value, kind)
                if value <= 0:
                    raise ValueError(f"{key}: must be positive, got {value!r}")
        if self.max_steps is None and self.max_seconds is None:
            raise ValueError("max_steps: give max_steps, max_seconds or both: every model gets the same budget")
        if not isinstance(self.stop_at_break, bool):
            raise ValueError(f"stop_at_break: expected true or false, got {self.stop_at_break!r}")
        self._check_settings()
        self._check_tuning()
        for task, options in self.task_options.items():
            if task not in self.tasks:
                raise ValueError(f"task_options: {task!r} is not one of the sweep's tasks")
            entry = task_entry(task)
            hints = typing.get_type_hints(entry.config_type)
            for key, value in options.items():
                if key in hints:
                    check_type(f"task_options.{task}.{key}", value, hints[key])
            try:
                entry.config(**options)
            except ValueError as error:
                raise ValueError(f"task_options.{task}: {error}") from None

    def _check_lengths(self) -> None:
        if isinstance(self.lengths, Mapping):
            for task, lengths in self.lengths.items():
                if task not in self.tasks:
                    raise ValueError(f"lengths: {task!r} is not one of the sweep's tasks")
                if task_entry(task).knob is None:
                    raise ValueError(f"lengths.{task}: task {task!r} has no length to set")
                check_lengths(f"lengths.{task}", lengths)
        else:
            check_lengths("lengths", self.lengths)

    def _check_settings(self) -> None:
        tables = {"train": (self.train, TrainConfig, TRAIN_FIELDS), "model": (self.model, ModelConfig, MODEL_FIELDS)}
        for table, (settings, config_type, allowed) in tables.items():
            for key, value in settings.items():
                _check_setting(f"{table}.{key}", key, value, config_type, allowed)
        for key, values in self.grid.items():
            if key in self.train or key in self.model:
                raise ValueError(f"grid.{key}: also set in [{'train' if key in self.train else 'model'}]; "
                                 "give it in one place")
            if not isinstance(values, tuple) or not values:
                raise ValueError(f"grid.{key}: expected a non-empty tuple of values, got {values!r}")
            no_repeats(f"grid.{key}", values)
            config_type = TrainConfig if key in TRAIN_FIELDS else ModelConfig
            for value in values:
                _check_setting(f"grid.{key}", key, value, config_type, TRAIN_FIELDS | MODEL_FIELDS)
        if self.budget is not None and ("hidden_size" in self.model or "hidden_size" in self.grid):
            raise ValueError("budget: give a budget or a hidden_size, not both: the budget sets each hidden size")

    def _check_tuning(self) -> None:
        for key, values in self.tune.items():
            if key in self.train or key in self.grid:
                raise ValueError(f"tune.{key}: also set in [{'train' if key in self.train else 'grid'}]; "
                                 "give it in one place")
            if key not in TRAIN_FIELDS:
                raise ValueError(f"tune.{key}: unknown field; tuning chooses among TrainConfig fields: "
                                 f"{', '.join(sorted(TRAIN_FIELDS))}")
            if not isinstance(values, tuple) or not values:
                raise ValueError(f"tune.{key}: expected a non-empty tuple of values, got {values!r}")
            no_repeats(f"tune.{key}", values)
            for value in values:
                _check_setting(f"tune.{key}", key, value, TrainConfig, TRAIN_FIELDS)
        if not is_int(self.tune_seed) or self.tune_seed < 0:
            raise ValueError(f"tune_seed: expected a non-negative integer, got {self.tune_seed!r}")
        if self.tune and self.tune_seed in self.seed_values:
            raise ValueError(f"tune_seed: {self.tune_seed} is also one of the sweep's seeds; tuning must not "
                             "score on a seed the comparison reports")
        if self.tune_steps is not None and (not is_int(self.tune_steps) or self.tune_steps <= 0):
            raise ValueError(f"tune_steps: expected a positive integer, got {self.tune_steps!r}")
        for key, settings in self.tuned.items():
            for name, value in settings.items():
                if name not in TRAIN_FIELDS:
                    raise ValueError(f"tuned.{key}.{name}: unknown field; choose one of "
                                     f"{', '.join(sorted(TRAIN_FIELDS))}")
                _check_setting(f"tuned.{key}.{name}", name, value, TrainConfig, TRAIN_FIELDS)

    @property
    def seed_values(self) -> tuple[int, ...]:
        return tuple(range(self.seeds)) if isinstance(self.seeds, int) else self.seeds

    def lengths_for(self, task: str) -> tuple[int | None, ...]:
        """The knob values `task` runs at; (None,) is the task's default, or a task with no knob."""
        lengths = self.lengths.get(task, ()) if isinstance(self.lengths, Mapping) else self.lengths
        return tuple(lengths) if lengths and task_entry(task).knob is not None else (None,)

    def grid_points(self) -> list[dict[str, Any]]:
        """Every combination of the grid's values, keys in sorted order; [{}] without a grid."""
        keys = sorted(self.grid)
        return [dict(zip(keys, values)) for values in itertools.product(*(self.grid[k] for k in keys))]

    def to_json(self) -> dict[str, Any]:
        """The config as TOML would hold it (parse_sweep reads it back): None fields left out, and the tuning
        fields when the sweep does not tune (so a sweep's digest is what it was before tuning existed)."""
        data = asdict(self) | {"lengths": dict(self.lengths) if isinstance(self.lengths, Mapping) else self.lengths}
        unused = {"tune", "tuned", "tune_seed", "tune_steps"} if not (self.tune or self.tuned) else set()
        if not self.stop_at_break:
            unused.add("stop_at_break")  # so a sweep's digest is what it was before the field existed
        return json.loads(json.dumps({key: value for key, value in data.items()
                                      if value is not None and key not in unused}))

    def digest(self) -> str:
        """A digest of everything that defines the sweep: a store holds the runs of one hash only."""
        return hashlib.sha256(json.dumps(self.to_json(), sort_keys=True).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class RunPlan:
    """One run of a sweep: its id (also its folder name), the experiment, and what the report groups by."""

    run_id: str
    experiment: Experiment
    task: str
    length: int | None  # the task's knob value (None for a task without one)
    model: str
    seed: int
    hidden_size: int
    parameters: int
    grid: dict[str, Any]  # this run's grid values
    phase: str = "eval"  # "tune": a tuning candidate (sweeps/tuning.py); "eval": a run the report compares
    tuned: dict[str, Any] = field(default_factory=dict)  # the settings tuning chose (or, tuning, the candidate's)

    def config_json(self) -> dict[str, Any]:
        return {"spec": asdict(self.experiment.spec()), "grid": self.grid, "phase": self.phase, "tuned": self.tuned}


def setting_key(task: str, length: int | None, model: str) -> str:
    """How a tuned table names a setting: "adding/200/lstm" ("mnist5k/-/gru" for a task without a length)."""
    return f"{task}/{'-' if length is None else length}/{model}"


def expand(config: SweepConfig, chosen: Mapping[str, Mapping[str, Any]] | None = None) -> list[RunPlan]:
    """Every run of the sweep, in order: task, length, seed, grid point, model. `chosen` (setting_key ->
    TrainConfig fields) gives each setting what tuning chose; default: the sweep's `tuned` table."""
    chosen = config.tuned if chosen is None else chosen
    swept = {key for key, values in config.grid.items() if len(values) > 1}  # only these go in run ids
    return [_plan_run(config, task, length, seed, point, model, swept,
                      dict(chosen.get(setting_key(task, length, model), {})))
            for task in config.tasks for length in config.lengths_for(task) for seed in config.seed_values
            for point in config.grid_points() for model in config.models]


def plan_run(config: SweepConfig, task: str, length: int | None, seed: int, model: str, settings: dict[str, Any],
             phase: str, steps: int | None = None) -> RunPlan:
    """One run of `model` at one setting with the TrainConfig fields `settings` on top of the sweep's: what
    tuning candidates are (phase "tune"), with their own step budget."""
    return _plan_run(config, task, length, seed, {}, model, set(), settings, phase, steps)


def _plan_run(config: SweepConfig, task: str, length: int | None, seed: int, point: dict[str, Any], model: str,
              swept: set[str], tuned: dict[str, Any], phase: str = "eval", steps: int | None = None) -> RunPlan:
    train = {**config.train, **{k: v for k, v in point.items() if k in TRAIN_FIELDS}, **tuned, "seed": seed}
    if steps is not None or config.max_steps is not None:
        train["steps"] = steps if steps is not None else config.max_steps
    if config.max_seconds is not None:
        train["max_seconds"] = config.max_seconds
    model_options = {**config.model, **{k: v for k, v in point.items() if k in MODEL_FIELDS}}
    try:
        experiment = make_experiment(task, model, length=length, task_options=dict(config.task_options.get(task, {})),
                                     model_options=model_options, train_options=train, budget=config.budget)
    except ValueError as error:  # e.g. a budget below the smallest model
        raise ValueError(f"{'budget' if config.budget else 'model'}: {task}, {model}: {error}") from None
    entry = experiment.entry
    with torch.device("meta"):  # counts parameters without allocating them
        parameters = count_parameters(build_model(experiment.model, entry.build(experiment.task_config).io))
    knob = getattr(experiment.task_config, entry.knob) if entry.knob else None
    hidden = experiment.model.hidden_size
    digest = hashlib.sha256(json.dumps(asdict(experiment.spec()), sort_keys=True).encode()).hexdigest()[:8]
    said = {**{key: point[key] for key in sorted(swept)}, **(tuned if phase == "tune" else {})}
    parts = [*(["tune"] if phase == "tune" else []), task, *([str(knob)] if knob is not None else []), model,
             f"H{hidden}", *(f"{key}{value}" for key, value in said.items()), f"s{seed}", digest]
    run_id = "-".join(re.sub(r"[^A-Za-z0-9._]+", "_", part) for part in parts)
    return RunPlan(run_id, experiment, task, knob, model, seed, hidden, parameters, point, phase, tuned)


def _check_setting(key: str, name: str, value: Any, config_type: type, allowed: set[str]) -> None:
    """One TrainConfig or ModelConfig field: a field the sweep may set, of its type, and a valid value."""
    if name in SET_BY_SWEEP:
        raise ValueError(f"{key}: set by the sweep's {SET_BY_SWEEP[name]}, not here")
    if name in NOT_SWEPT:
        raise ValueError(f"{key}: initialisation options are not part of sweeps yet")
    if name not in allowed:
        raise ValueError(f"{key}: unknown field; choose one of {', '.join(sorted(allowed))}")
    check_type(key, value, typing.get_type_hints(config_type)[name])
    try:
        config_type(**({"name": "lstm"} if config_type is ModelConfig else {}), **{name: value})
    except ValueError as error:
        raise ValueError(f"{key}: {error}") from None
