"""A sweep from one command: "which model for my data?" without writing a TOML file.

    config = task_sweep("text-csv", ("rnn", "lstm", "gru", "transformer"), {"path": "reviews.csv"})

Every model gets the same parameter budget (an LSTM of the task's suggested width), the same step budget
(the task's suggestion), three seeds, early stopping once its metric stops improving, and its own
learning rate, tuned among the task's suggestion ×1/3, ×1 and ×3 on a seed of its own (sweeps/tuning.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import torch

from rnnlab.compare.sweeps.config import SweepConfig
from rnnlab.data.tasks.registry import task_entry
from rnnlab.models.registry import ModelConfig, build_for_io, count_parameters
from rnnlab.train.loop import TrainConfig

SEEDS = 3  # the fewest that give an interval over seeds (stats.py)
PLATEAU_EVALS = 10  # evaluations without improvement before a run stops early
LR_FACTORS = (1 / 3, 1.0, 3.0)


def task_sweep(task: str, models: Sequence[str], task_options: Mapping[str, Any] | None = None,
               lengths: Sequence[int] = (), seeds: int | Sequence[int] = SEEDS, steps: int | None = None,
               budget: int | None = None, tune: bool = True) -> SweepConfig:
    """The sweep `rnnlab compare --task TASK --models ...` runs; ValueError naming what is wrong."""
    entry = task_entry(task)
    options = dict(task_options or {})
    suggested = entry.suggested_training
    if budget is None:
        config = entry.config(lengths[0] if lengths else None, **options)
        io = entry.build(config).io
        with torch.device("meta"):  # sizes only: a user's file is not read here
            budget = count_parameters(build_for_io(ModelConfig("lstm", hidden_size=entry.suggested_model.hidden_size),
                                                   io))
    train = {"eval_every": suggested.eval_every or TrainConfig.eval_every, "plateau_evals": PLATEAU_EVALS}
    return SweepConfig(
        name=task, models=tuple(models), tasks=(task,), lengths=tuple(lengths),
        seeds=seeds if isinstance(seeds, int) else tuple(seeds), budget=budget,
        max_steps=steps or suggested.steps or TrainConfig.steps, train=train,
        task_options={task: options} if options else {},
        tune={"lr": tuple(round(suggested.lr * factor, 8) for factor in LR_FACTORS)} if tune else {})
