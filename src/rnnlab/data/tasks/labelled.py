"""Classify variable-length sequences of a real data set: the task behind sentiment, speech, handwriting.

A data set module provides the three fixed splits as `LabelledSequences`; `LabelledSequenceTask` turns
them into the `Task` the trainer uses:

    sample(B)     B training sequences drawn uniformly, in length buckets, padded, with lengths
    test_set()    the whole evaluation split (`config.split`: validation while training; the run's
                  final `test_metrics` use the test split), padded, with lengths
    loss          cross-entropy of the per-sequence outputs (B, C)
    metrics       accuracy, cross-entropy; baseline = always answering the training split's majority class
    baselines     {name: {"accuracy": ...}} on a held-out split: the majority class here; subclasses add theirs
    solved        accuracy at or above `solved_accuracy`; with None (a user's data, where no reference is
                  known), accuracy above the strongest baseline's on the validation split

Nothing is loaded when the task is built: the splits load on first use, once per task.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.batching import bucketed_rows, pad_sequences
from rnnlab.data.tasks.base import Batch
from rnnlab.models.sequence import IOSpec

Split = Literal["train", "validation", "test"]


@dataclass(frozen=True)
class LabelledSequences:
    """One split: sequences of token ids (T_i,) or features (T_i, D), and a class per sequence."""

    sequences: list[Tensor]
    labels: Tensor  # (N,) int64 in [0, C)

    def __post_init__(self) -> None:
        if len(self.sequences) != len(self.labels):
            raise ValueError(f"{len(self.sequences)} sequences but {len(self.labels)} labels")
        if not self.sequences:
            raise ValueError("a split needs at least one sequence")

    def head(self, n: int | None) -> LabelledSequences:
        """The first `n` (all when None): smoke tests on a small slice."""
        return self if n is None else LabelledSequences(self.sequences[:n], self.labels[:n])


class LabelledSequenceTask:
    """A `Task` over fixed splits of labelled sequences (see the module docstring)."""

    def __init__(self, name: str, io: IOSpec, classes: tuple[str, ...], load: Callable[[Split], LabelledSequences],
                 split: Literal["validation", "test"] = "validation", solved_accuracy: float | None = 1.0,
                 max_train: int | None = None, max_eval: int | None = None) -> None:
        if split not in ("validation", "test"):
            raise ValueError(f"split must be 'validation' or 'test', got {split!r}")
        self.name, self.io, self.classes = name, io, classes
        self.split, self.solved_accuracy = split, solved_accuracy
        self._load, self.max_train, self.max_eval = load, max_train, max_eval

    def prepare(self) -> None:
        """Load and check both splits now (the trainer calls this before writing a run folder)."""
        _ = self.train_split, self.eval_split

    @functools.cached_property
    def train_split(self) -> LabelledSequences:
        return self._load("train").head(self.max_train)

    @functools.cached_property
    def eval_split(self) -> LabelledSequences:
        return self._load(self.split).head(self.max_eval)

    @functools.cached_property
    def _train_lengths(self) -> Tensor:
        return torch.tensor([len(s) for s in self.train_split.sequences])

    @functools.cached_property
    def majority_class(self) -> int:
        return int(torch.bincount(self.train_split.labels, minlength=len(self.classes)).argmax())

    @property
    def baseline(self) -> dict[str, float]:
        """Always answering the training split's most frequent class, scored on the evaluation split."""
        labels = self.eval_split.labels
        return {"accuracy": float((labels == self.majority_class).float().mean())}

    def held_out(self, split: Literal["validation", "test"]) -> LabelledSequences:
        """A held-out split as the model is scored on it (the first `max_eval` sequences)."""
        return self.eval_split if split == self.split else self._load(split).head(self.max_eval)

    def baselines(self, split: Literal["validation", "test"]) -> dict[str, dict[str, float]]:
        """The majority class of the training split, scored on `split`."""
        labels = self.held_out(split).labels
        return {"majority class": {"accuracy": float((labels == self.majority_class).float().mean())}}

    def class_names(self) -> tuple[str, ...]:
        return self.classes

    @functools.cached_property
    def strongest_baseline(self) -> float:
        """The best accuracy any of `baselines` reaches on the validation split."""
        return max(scores["accuracy"] for scores in self.baselines("validation").values())

    def batch(self, data: LabelledSequences, rows: Tensor) -> Batch:
        inputs, lengths = pad_sequences([data.sequences[int(r)] for r in rows])
        return Batch(inputs, data.labels[rows], lengths)

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        return self.batch(self.train_split, bucketed_rows(self._train_lengths, batch_size, generator))

    def test_set(self, seed: int = 0) -> Batch:
        """The whole evaluation split in one padded batch (diagnostics; training uses `evaluate_model`)."""
        del seed  # the split is fixed
        return self.batch(self.eval_split, torch.arange(len(self.eval_split.labels)))

    def evaluate_model(self, model: torch.nn.Module, device: torch.device, batch_size: int = 256) -> dict[str, float]:
        """Metrics over the evaluation split in length-sorted batches, each padded only to its own longest."""
        data = self.eval_split
        order = torch.argsort(torch.tensor([len(s) for s in data.sequences]), stable=True)
        totals: dict[str, float] = {}
        for start in range(0, len(order), batch_size):
            batch = self.batch(data, order[start:start + batch_size]).to(device)
            outputs, _ = model(batch.inputs, None, batch.lengths)
            for key, value in self.metrics(outputs, batch).items():
                totals[key] = totals.get(key, 0.0) + value * batch.size / len(order)
        return totals

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        return F.cross_entropy(outputs, batch.targets)

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        return {"accuracy": float((outputs.argmax(dim=-1) == batch.targets).float().mean()),
                "cross_entropy": float(F.cross_entropy(outputs, batch.targets))}

    @property
    def solved_threshold(self) -> float:
        """Solved at or above this held-out accuracy (above it, for the strongest baseline's)."""
        return self.strongest_baseline if self.solved_accuracy is None else float(self.solved_accuracy)

    def solved(self, metrics: dict[str, float]) -> bool:
        if self.solved_accuracy is None:  # beat the baseline, not tie it
            return metrics["accuracy"] > self.strongest_baseline
        return metrics["accuracy"] >= self.solved_accuracy
