"""What every task gives the trainer: batches, a loss, metrics, and an honest "solved" test.

The contract is typed, so that mypy checks it and the trainer never looks an ability up by name:

    Task                 every task: name, io, baseline, sample, test_set, loss, metrics, solved
    StreamTask           sample_at(step, batch_size): training batches from a stream, resumable
    StatefulTask         carries_state: the model's state is carried from batch to batch (truncated BPTT)
    SelfEvaluatingTask   evaluate_model(model, device): its own evaluation instead of metrics over test_set
    PreparedTask         prepare(): load and validate the data before anything is written
    ArtifactTask         save_artifacts(folder): what a run needs later (a vocabulary), kept beside it
    RestorableTask       restore_artifacts(folder): use what a run folder keeps instead of the data
    ThresholdTask        solved_threshold: the number `solved` compares the task's metric with
    BaselineTask         baselines(split): classical predictors' scores on a held-out split (bag of words,
                         seasonal naive, unigram, ...), which runs report beside their test metrics
    ClassifyingTask      class_names(): the classes its outputs are logits over (ensembles read them)

    TaskConfig           every task's config: a dataclass, saved with the run
    SplitConfig          a real data set's config: a `split` (validation or test) to score while training

The optional ones are `runtime_checkable` protocols: `isinstance(task, StreamTask)` says whether a task
has the ability, and narrows its type for mypy. tests/data/tasks/test_base.py checks every registered
task against them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import Field, dataclass
from pathlib import Path
from typing import Any, ClassVar, Literal, Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from rnnlab.models.sequence import IOSpec

HeldOut = Literal["validation", "test"]
Inputs = Tensor | tuple[Tensor, ...]  # one tensor, or several (sequence to sequence: source, target-in)


@dataclass(frozen=True)
class Batch:
    inputs: Inputs  # (B, T, D) features or (B, T) token ids; or a tuple of such tensors
    targets: Tensor  # task-specific: (B,) classes or (B, O) values per sequence; (B, T) or (B, T, O) per step
    lengths: Tensor | None = None  # (B,) real steps per sequence, when they differ
    # Tasks that carry state from batch to batch (truncated BPTT): (B,) True where a row starts a new
    # document, so its carried state is zeroed before this batch.
    resets: Tensor | None = None

    @property
    def sequence(self) -> Tensor:
        """The inputs as one tensor, for code that reads a single sequence per example (diagnostics)."""
        if isinstance(self.inputs, tuple):
            raise ValueError("this works on single-sequence inputs, not sequence-to-sequence batches")
        return self.inputs

    @property
    def size(self) -> int:
        """B, the number of sequences."""
        return self.targets.shape[0]

    def to(self, device: torch.device) -> Batch:
        return Batch(_map(self.inputs, lambda t: t.to(device)), self.targets.to(device),
                     None if self.lengths is None else self.lengths.to(device),
                     None if self.resets is None else self.resets.to(device))

    def slice(self, start: int, stop: int) -> Batch:
        """Sequences start..stop-1 of this batch."""
        return Batch(_map(self.inputs, lambda t: t[start:stop]), self.targets[start:stop],
                     None if self.lengths is None else self.lengths[start:stop],
                     None if self.resets is None else self.resets[start:stop])


def _map(inputs: Inputs, function: Callable[[Tensor], Tensor]) -> Inputs:
    return tuple(function(t) for t in inputs) if isinstance(inputs, tuple) else function(inputs)


class Task(Protocol):
    """A source of batches with its loss, metrics and success criterion: what every task has."""

    # Read-only for the trainer: plain attributes, or properties computed on first use (a real data set's
    # vocabulary size or baseline needs its data, which building a task must not load).
    @property
    def name(self) -> str: ...

    @property
    def io(self) -> IOSpec: ...

    @property
    def baseline(self) -> dict[str, float]:
        """What a memoryless (or simple) predictor scores on `metrics`."""
        ...

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch: ...

    def test_set(self, seed: int) -> Batch: ...

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor: ...

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]: ...

    def solved(self, metrics: dict[str, float]) -> bool: ...


# The optional abilities: a task has one when it has the member, and the trainer asks `isinstance(task,
# StreamTask)`. They hold methods and plain attributes only, so that asking loads no data (Python 3.11's
# isinstance reads every member of a runtime protocol).


@runtime_checkable
class StreamTask(Protocol):
    """Training batches come from a stream: the trainer reads the batch of step `step` instead of calling
    `sample`, so that a resumed run continues its stream where it stopped."""

    def sample_at(self, step: int, batch_size: int) -> Batch: ...


@runtime_checkable
class StatefulTask(Protocol):
    """With `carries_state` True, each training batch continues the previous one's sequences (truncated
    BPTT): the trainer keeps the model's state, detached, zeroing the rows `batch.resets` marks."""

    carries_state: bool


@runtime_checkable
class SelfEvaluatingTask(Protocol):
    """The task scores a model itself (a language model over a whole held-out stream with carried state, a
    translator's decoded BLEU) instead of `metrics` over `test_set` in slices; the trainer calls it in eval
    mode, without gradients."""

    def evaluate_model(self, model: nn.Module, device: torch.device) -> dict[str, float]: ...


@runtime_checkable
class PreparedTask(Protocol):
    """`prepare()` loads and validates the data now; it runs before a run folder is written, so that a bad
    user file leaves nothing behind."""

    def prepare(self) -> None: ...


@runtime_checkable
class ArtifactTask(Protocol):
    """`save_artifacts(folder)` keeps what using the run later needs (a vocabulary) in its run folder."""

    def save_artifacts(self, folder: Path) -> None: ...


@runtime_checkable
class RestorableTask(Protocol):
    """`restore_artifacts(folder)` takes what `save_artifacts` kept (a vocabulary, class names) from a run
    folder, so that using the run (classify) needs neither its data nor the data unchanged."""

    def restore_artifacts(self, folder: Path) -> None: ...


@runtime_checkable
class PretrainingTask(Protocol):
    """`pretrain(model, ...)` trains parts of a fresh model before the trainer's first step (a text classifier's
    embedding and encoder as a language model on its training texts, data/tasks/text_pretrain.py); it does
    nothing and returns [] when the task's config asks for no pretraining. `on_step(step, steps, loss)` hears
    every step; returns the loss of every step."""

    def pretrain(self, model: nn.Module, lr: float, batch_size: int, clip: float, generator: torch.Generator,
                 on_step: Callable[[int, int, float], None] | None = None) -> list[float]: ...


@runtime_checkable
class ThresholdTask(Protocol):
    """`solved` compares the task's metric with one number: reports draw it beside the learning curves."""

    @property
    def solved_threshold(self) -> float: ...


@runtime_checkable
class ClassifyingTask(Protocol):
    """`class_names()`: the classes a task's outputs are logits over, in their order (() for a task whose
    data turned out to hold values, not classes)."""

    def class_names(self) -> tuple[str, ...]: ...


@runtime_checkable
class BaselineTask(Protocol):
    """`baselines(split)`: what classical predictors that need no sequence model score on a held-out split,
    `{name: {metric: value}}` in the task's own metrics (e.g. {"bag of words": {"accuracy": 0.78}}). Every
    setting a baseline has (a regularisation strength, a mixing weight) is chosen on the training and
    validation splits only, so its test score is as honest as a model's."""

    def baselines(self, split: HeldOut) -> dict[str, dict[str, float]]: ...


class TaskConfig(Protocol):
    """A task's config: a frozen dataclass next to its task, saved as JSON with the run (`asdict`) and
    rebuilt from it (`TaskEntry.config(**fields)`)."""

    __dataclass_fields__: ClassVar[dict[str, Field[Any]]]


@runtime_checkable
class SplitConfig(TaskConfig, Protocol):
    """A real data set's config: `split` is the held-out split scored while training (validation: the run
    keeps its best weights there) and the test split is scored once at the end (train/experiment.py)."""

    @property
    def split(self) -> HeldOut: ...


def on_split(config: SplitConfig, split: HeldOut) -> SplitConfig:
    """The same config, scored on another held-out split."""
    return dataclasses.replace(config, split=split)


def seeded(seed: int, stream: int) -> torch.Generator:
    """An independent generator per (seed, stream): training batches and the test set never overlap."""
    return torch.Generator().manual_seed(seed * 1_000_003 + stream)
