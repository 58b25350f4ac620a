"""The only place a task name becomes a task: its config type, difficulty knob and suggested settings.

    task = make_task("adding", length=200)
    task = make_task("copy", length=100)       # `length` sets each task's difficulty knob (here: delay)
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.data.tasks.base import Task
from rnnlab.data.tasks.copy_memory import CopyMemoryConfig, CopyMemoryTask
from rnnlab.data.tasks.pixel_mnist import PixelMNISTConfig, PixelMNISTTask
from rnnlab.data.tasks.selective_copy import SelectiveCopyConfig, SelectiveCopyTask
from rnnlab.data.tasks.temporal_order import TemporalOrderConfig, TemporalOrderTask


@dataclass(frozen=True)
class TaskEntry:
    name: str
    description: str
    config_type: type
    build: Callable[[Any], Task]
    knob: str | None  # the config field `--length` sets; None for a task with no length knob
    metric: str  # the test metric "solved" is judged on
    lower_is_better: bool
    # Training settings that make the defaults good for this task (TrainConfig and ModelConfig fields).
    suggested: dict[str, Any] = field(default_factory=dict)
    fixed: dict[str, Any] = field(default_factory=dict)  # config fields this task name pins
    # The real data set behind the task (a name in rnnlab.data.catalog), None for generated tasks.
    # Building such a task must not load its data: loading happens on first use (sample, test_set, baseline).
    dataset: str | None = None

    def config(self, length: int | None = None, /, **options: Any) -> Any:
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


TASKS: dict[str, TaskEntry] = {}


def register(entry: TaskEntry) -> None:
    TASKS[entry.name] = entry


register(TaskEntry(
    "adding", "sum of the two marked values in a sequence of U(0,1) values (Hochreiter & Schmidhuber 1997)",
    AddingConfig, AddingTask, knob="length", metric="mse", lower_is_better=True,
    # PERFORMANCE.md: LSTM H=64, Adam 1e-2, batch 32 solved T=100 in 22 s and T=200 in 78 s; H=128 with
    # Adam 1e-3 did not solve T=200 in 400 s.
    suggested={"lr": 1e-2, "batch_size": 32, "hidden_size": 64},
))

register(TaskEntry(
    "copy", "reproduce 10 symbols after a delay of T steps (Arjovsky et al. 2016)",
    CopyMemoryConfig, CopyMemoryTask, knob="delay", metric="accuracy", lower_is_better=False,
    suggested={"lr": 1e-3, "batch_size": 64, "hidden_size": 128},
))
register(TaskEntry(
    "temporal-order", "classify the order of two symbols hidden among distractors (Hochreiter & Schmidhuber 1997)",
    TemporalOrderConfig, TemporalOrderTask, knob="length", metric="error_rate_0.3", lower_is_better=True,
    suggested={"lr": 1e-3, "batch_size": 32, "hidden_size": 64},
))
register(TaskEntry(
    "selective-copy", "recall 16 tokens scattered at random positions, in order (Gu & Dao 2023)",
    SelectiveCopyConfig, SelectiveCopyTask, knob="length", metric="accuracy", lower_is_better=False,
    suggested={"lr": 1e-3, "batch_size": 64, "hidden_size": 128},
))

register(TaskEntry(
    "mnist5k", "classify real MNIST digits read pixel by pixel (784 steps; --set layout=rows for 28, "
    "--set permuted=True for pMNIST); 5k subset, not comparable with full-MNIST papers",
    PixelMNISTConfig, PixelMNISTTask, knob=None, metric="accuracy", lower_is_better=False,
    suggested={"lr": 1e-3, "batch_size": 32, "hidden_size": 128}, fixed={"dataset": "mnist5k"},
))
register(TaskEntry(
    "fashion", "classify Fashion-MNIST clothing read pixel by pixel (784 steps; official 60k/10k split)",
    PixelMNISTConfig, PixelMNISTTask, knob=None, metric="accuracy", lower_is_better=False,
    suggested={"lr": 1e-3, "batch_size": 32, "hidden_size": 128}, fixed={"dataset": "fashion"},
))


def task_entry(name: str) -> TaskEntry:
    if name not in TASKS:
        raise ValueError(f"unknown task {name!r}; choose one of {', '.join(TASKS)}")
    return TASKS[name]


def make_task(name: str, length: int | None = None, **options: Any) -> Task:
    entry = task_entry(name)
    return entry.build(entry.config(length, **options))
