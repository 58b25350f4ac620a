"""Score several finished runs together: the mean of their probabilities (models/ensemble.py) on a held-out
split, beside each member's own score and the task's baselines.

Classification runs average their class probabilities; they must be runs of one task whose models read the
same held-out data as the same inputs (the same splits and vocabulary). Sequence-to-sequence runs
(translation, dialogue) average their next-token probabilities at every decoding step; they must be runs of
one task with the same vocabularies (the token tables their models carry), and are scored on the first run's
held-out data. Either way their models and training may differ (an LSTM, a GRU and a Transformer ensemble as
well as three seeds of one, or runs with and without word dropout). Each member uses the weights
`evaluate_run` would (its best validation evaluation's where it selected them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from rnnlab.data.tasks.base import BaselineTask, Batch, ClassifyingTask, HeldOut, SplitConfig, Task, on_split
from rnnlab.data.tasks.pairs import PairTask
from rnnlab.models.ensemble import Ensemble, Seq2SeqEnsemble, share_vocabularies
from rnnlab.models.seq2seq import Seq2SeqModel
from rnnlab.models.sequence import SequenceModel
from rnnlab.train.experiment import Experiment, as_seq2seq, load_run, load_seq2seq_run, score
from rnnlab.train.run import RunFolder


@dataclass(frozen=True)
class EnsembleScore:
    task: str
    split: HeldOut  # the split scored ("test" for a generated task, whose one held-out set it is)
    members: list[tuple[str, str, dict[str, float]]]  # (run folder, model name, its own metrics)
    metrics: dict[str, float]  # the ensemble's
    baselines: dict[str, dict[str, float]]  # {name: metrics} on the same split; {} when the task has none
    solved: bool  # whether the ensemble's metrics meet the task's solved criterion
    averaged: str = "class"  # what the members' probabilities are of: "class", or "next-token" (seq2seq)


def _differences(first: Experiment, other: Experiment) -> list[str]:
    """The task-config fields in which `other` differs from `first` (both runs of one task)."""
    a, b = asdict(first.task_config), asdict(other.task_config)
    return [key for key in a if a[key] != b.get(key)]


def _held_out(experiment: Experiment, task: Task, split: HeldOut | None) -> Batch:
    """What the run's model reads when scored: `split` of a real data set (None: the split its task holds)."""
    if split is not None and isinstance(experiment.task_config, SplitConfig):
        task = experiment.entry.build(on_split(experiment.task_config, split))
    return task.test_set(experiment.train.seed)


def _same(a: Batch, b: Batch) -> bool:
    return all(_equal(x, y) for x, y in ((a.inputs, b.inputs), (a.targets, b.targets), (a.lengths, b.lengths)))


def _equal(x: object, y: object) -> bool:
    if x is None or y is None:
        return x is None and y is None
    return isinstance(x, Tensor) and isinstance(y, Tensor) and x.shape == y.shape and bool(torch.equal(x, y))


Member = tuple[Experiment, Task, SequenceModel]  # a run as `load_run` returns it


def load_members(folders: Sequence[RunFolder], device: torch.device | str | None = None,
                 split: HeldOut | None = None) -> list[Member]:
    """The runs in `folders` (one or more) as `load_run` loads them, on `device` (else the CPU), once they are
    known to average: runs of one task that classifies whole sequences, whose models read the same held-out
    data (`split`, else the one their tasks hold) as the same inputs, or runs of one sequence-to-sequence
    task whose models carry the same vocabularies. A classification run's task config may differ where that
    changes nothing its model reads (word dropout, pretraining, a training subset that keeps the vocabulary).
    Anything else is a ValueError naming the run."""
    if not folders:
        raise ValueError("an ensemble needs at least one run")
    loaded = [load_run(folder, device) for folder in folders]
    first, task, model = loaded[0]
    translator = as_seq2seq(folders[0], first, task, model)[1] if isinstance(task, PairTask) else None
    if translator is None and (not isinstance(task, ClassifyingTask) or task.io.per_step
                               or len(task.class_names()) != task.io.output_size):
        raise ValueError(f"{folders[0].path} is a run of {first.task!r}: an ensemble scores runs that classify "
                         "whole sequences (sentiment, text-csv, spoken-digits, japanese-vowels, ...) or that "
                         "translate or reply (de-en, tsv, chatterbot, shakespeare-dialogue)")
    reference: Batch | None = None
    for folder, (experiment, member_task, member) in zip(folders[1:], loaded[1:], strict=True):
        joining = f"{folder.path} cannot join an ensemble with {folders[0].path}"
        if experiment.task != first.task:
            raise ValueError(f"{joining}: its task differs ({experiment.task!r}, not {first.task!r})")
        if translator is not None:
            if not isinstance(member, Seq2SeqModel) or not share_vocabularies(translator, member):
                raise ValueError(f"{joining}: its vocabularies differ (members of a translation or dialogue "
                                 "ensemble must share theirs: the same tokenizer settings and training data)")
            continue
        differing = _differences(first, experiment)
        if not differing:
            continue
        if reference is None:
            reference = _held_out(first, task, split)
        if not _same(reference, _held_out(experiment, member_task, split)):
            raise ValueError(f"{joining}: its {', '.join(differing)} differ{'s' if len(differing) == 1 else ''}, "
                             "so its model reads other held-out data or other inputs (members must read the same)")
    return loaded


def combine(models: Sequence[nn.Module]) -> Ensemble | Seq2SeqEnsemble:
    """Members' models as one, in eval mode: a Seq2SeqEnsemble of sequence-to-sequence models, else an
    Ensemble of classifiers."""
    seq2seq = [model for model in models if isinstance(model, Seq2SeqModel)]
    return (Seq2SeqEnsemble(seq2seq) if len(seq2seq) == len(models) else Ensemble(models)).eval()


def load_ensemble(folders: Sequence[RunFolder], device: torch.device | str | None = None
                  ) -> tuple[Experiment, Task, Ensemble | Seq2SeqEnsemble]:
    """The runs in `folders` (see `load_members`) as one model, in eval mode, with the first run's experiment
    and task: what `load_run` gives for one run, for an ensemble."""
    members = load_members(folders, device)
    experiment, task, _ = members[0]
    return experiment, task, combine([model for _, _, model in members])


def load_seq2seq_ensemble(folders: Sequence[RunFolder], device: torch.device | str | None = None
                          ) -> tuple[PairTask, Seq2SeqModel]:
    """`load_seq2seq_run` for one run; for several (see `load_members`), their Seq2SeqEnsemble with the first
    run's task."""
    if len(folders) == 1:
        return load_seq2seq_run(folders[0], device)
    experiment, task, model = load_ensemble(folders, device)
    return as_seq2seq(folders[0], experiment, task, model)


def evaluate_ensemble(folders: Sequence[RunFolder], split: HeldOut = "test",
                      device: torch.device | str | None = None) -> EnsembleScore:
    """The ensemble of the runs in `folders` (two or more, see `load_members`) scored on `split`, on `device`
    (else the CPU)."""
    if len(folders) < 2:
        raise ValueError("an ensemble needs at least two runs")
    loaded = load_members(folders, device, split)
    first, task, _ = loaded[0]
    if isinstance(first.task_config, SplitConfig):
        task = first.entry.build(on_split(first.task_config, split))
    else:
        split = "test"
    members = [(str(folder.path), experiment.model.name, score(experiment, task, model))
               for folder, (experiment, _, model) in zip(folders, loaded, strict=True)]
    model = combine([model for _, _, model in loaded])
    metrics = score(first, task, model)
    averaged = "next-token" if isinstance(model, Seq2SeqEnsemble) else "class"
    return EnsembleScore(first.task, split, members, metrics, _baselines(task, split), task.solved(metrics),
                         averaged)


def _baselines(task: Task, split: HeldOut) -> dict[str, dict[str, float]]:
    return dict(task.baselines(split)) if isinstance(task, BaselineTask) else {}
