"""What every task gives the trainer: batches, a loss, metrics, and an honest "solved" test."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

import torch
from torch import Tensor

from rnnlab.models.sequence import IOSpec

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
    """A source of batches with its loss, metrics and success criterion.

    Optional, looked up by the trainer with `getattr`:
        sample_at(step, batch_size) -> Batch
                                          the batch of training step `step` (streams: so that a resumed
                                          run continues where it stopped), instead of `sample`.
        prepare() -> None                 load and validate the data now (called before a run folder is
                                          written, so a bad user file leaves nothing behind)
        carries_state: bool = False       each training batch continues the previous one's sequences
                                          (truncated BPTT): the trainer keeps the model's state, detached,
                                          zeroing the rows `batch.resets` marks.
        evaluate_model(model, device) -> dict[str, float]
                                          the task's own evaluation (e.g. a language model scored over a
                                          whole held-out stream with carried state, or a translator's
                                          decoded BLEU) instead of `metrics` over `test_set` in slices.
    """

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


def seeded(seed: int, stream: int) -> torch.Generator:
    """An independent generator per (seed, stream): training batches and the test set never overlap."""
    return torch.Generator().manual_seed(seed * 1_000_003 + stream)
