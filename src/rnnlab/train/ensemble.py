"""Score several finished classification runs together: the mean of their class probabilities
(models/ensemble.py) on a held-out split, beside each member's own score and the task's baselines.

Members must be runs of one task with one task config (the same data, vocabulary and splits); their models
may differ (an LSTM, a GRU and a Transformer ensemble as well as three seeds of one). Each member uses the
weights `evaluate_run` would (its best validation evaluation's where it selected them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import torch

from rnnlab.data.tasks.base import BaselineTask, ClassifyingTask, HeldOut, SplitConfig, Task, on_split
from rnnlab.models.ensemble import Ensemble
from rnnlab.models.sequence import SequenceModel
from rnnlab.train.experiment import Experiment, load_run, score
from rnnlab.train.run import RunFolder


@dataclass(frozen=True)
class EnsembleScore:
    task: str
    split: HeldOut  # the split scored ("test" for a generated task, whose one held-out set it is)
    members: list[tuple[str, str, dict[str, float]]]  # (run folder, model name, its own metrics)
    metrics: dict[str, float]  # the ensemble's
    baselines: dict[str, dict[str, float]]  # {name: metrics} on the same split; {} when the task has none
    solved: bool  # whether the ensemble's metrics meet the task's solved criterion


def _differences(first: Experiment, other: Experiment) -> list[str]:
    """The task-config fields in which `other` differs from `first` (all of them when the tasks differ)."""
    if first.task != other.task:
        return ["task"]
    a, b = asdict(first.task_config), asdict(other.task_config)
    return [key for key in a if a[key] != b.get(key)]


Member = tuple[Experiment, Task, SequenceModel]  # a run as `load_run` returns it


def load_members(folders: Sequence[RunFolder], device: torch.device | str | None = None) -> list[Member]:
    """The runs in `folders` (one or more) as `load_run` loads them, on `device` (else the CPU), once they are
    known to average: runs of different tasks or task configs, or of a task that does not classify whole
    sequences, are a ValueError naming the run."""
    if not folders:
        raise ValueError("an ensemble needs at least one run")
    loaded = [load_run(folder, device) for folder in folders]
    first, task, _ = loaded[0]
    for folder, (experiment, _, _) in zip(folders[1:], loaded[1:], strict=True):
        differing = _differences(first, experiment)
        if differing:
            raise ValueError(f"{folder.path} cannot join an ensemble with {folders[0].path}: its "
                             f"{', '.join(differing)} differ{'s' if len(differing) == 1 else ''} (members must "
                             "be runs of one task on the same data)")
    if not isinstance(task, ClassifyingTask) or task.io.per_step or len(task.class_names()) != task.io.output_size:
        raise ValueError(f"{folders[0].path} is a run of {first.task!r}: an ensemble scores runs that classify "
                         "whole sequences (sentiment, text-csv, spoken-digits, japanese-vowels, ...)")
    return loaded


def evaluate_ensemble(folders: Sequence[RunFolder], split: HeldOut = "test",
                      device: torch.device | str | None = None) -> EnsembleScore:
    """The ensemble of the runs in `folders` (two or more, see `load_members`) scored on `split`, on `device`
    (else the CPU)."""
    if len(folders) < 2:
        raise ValueError("an ensemble needs at least two runs")
    loaded = load_members(folders, device)
    first, task, _ = loaded[0]
    if isinstance(first.task_config, SplitConfig):
        task = first.entry.build(on_split(first.task_config, split))
    else:
        split = "test"
    members = [(str(folder.path), experiment.model.name, score(experiment, task, model))
               for folder, (experiment, _, model) in zip(folders, loaded, strict=True)]
    metrics = score(first, task, Ensemble([model for _, _, model in loaded]))
    return EnsembleScore(first.task, split, members, metrics, _baselines(task, split), task.solved(metrics))


def _baselines(task: Task, split: HeldOut) -> dict[str, dict[str, float]]:
    return dict(task.baselines(split)) if isinstance(task, BaselineTask) else {}
