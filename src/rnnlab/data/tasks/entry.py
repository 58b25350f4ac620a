"""What the registry (registry.py) knows of a task besides its code: its config type, difficulty knob,
metric, and the model and training settings that make the defaults good for it.

    entry = task_entry("adding")
    entry.config(200)                          # AddingConfig(length=200): `length` sets the knob
    entry.suggested_model.hidden_size          # 64
    entry.suggested_training.given()           # {"lr": 0.01, "batch_size": 32}: TrainConfig fields

The suggestions are typed by what they configure: `SuggestedModel` holds ModelConfig fields,
`SuggestedTraining` TrainConfig fields (train/ sits above data/, so tests/data/tasks/test_entry.py
checks the names against both configs rather than this module importing them).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rnnlab.data.tasks.base import Task, TaskConfig


@dataclass(frozen=True)
class SuggestedModel:
    """ModelConfig fields that suit a task."""

    hidden_size: int

    def given(self) -> dict[str, Any]:
        """The settings by ModelConfig field name."""
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class SuggestedTraining:
    """TrainConfig fields that suit a task; None leaves TrainConfig's default."""

    lr: float
    batch_size: int
    eval_every: int | None = None  # e.g. fewer evaluations where one decodes or scores a whole stream
    steps: int | None = None
    stop_when_solved: bool | None = None  # False: a low bar (forecasting) must not end the run

    def given(self) -> dict[str, Any]:
        """The settings given (not None), by TrainConfig field name, in field order."""
        return {name: value for name, value in dataclasses.asdict(self).items() if value is not None}


@dataclass(frozen=True)
class TaskEntry:
    name: str
    description: str
    config_type: type[TaskConfig]
    build: Callable[[Any], Task]  # config_type -> the task
    knob: str | None  # the config field `--length` sets; None for a task with no length knob
    metric: str  # the test metric "solved" is judged on
    lower_is_better: bool
    suggested_model: SuggestedModel
    suggested_training: SuggestedTraining
    fixed: dict[str, Any] = field(default_factory=dict)  # config fields this task name pins
    # The real data set behind the task (a name in rnnlab.data.catalog), None for generated tasks.
    # Building such a task must not load its data: loading happens on first use (sample, test_set, baseline).
    dataset: str | None = None

    def config(self, length: int | None = None, /, **options: Any) -> TaskConfig:
        """The task's config: `length` (positional) sets the knob; `options` name config fields, so that a
        saved config (`copy`'s own `length` field included) rebuilds as `config(**fields)`."""
        names = {f.name for f in dataclasses.fields(self.config_type)}
        for key, value in self.fixed.items():
            if options.setdefault(key, value) != value:
                raise ValueError(f"task {self.name!r} always has {key}={value!r}")
        unknown = sorted(set(options) - names)
        if unknown:
            raise ValueError(f"task {self.name!r} has no option {', '.join(unknown)}; "
                             f"its options are {', '.join(sorted(names))}")
        if length is not None:
            if self.knob is None:
                raise ValueError(f"task {self.name!r} has no length to set")
            options[self.knob] = length
        return self.config_type(**options)
