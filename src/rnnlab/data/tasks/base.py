"""What every task gives the trainer: batches, a loss, metrics, and an honest "solved" test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import torch
from torch import Tensor

from rnnlab.models.sequence import IOSpec


@dataclass(frozen=True)
class Batch:
    inputs: Tensor  # (B, T, D) features or (B, T) token ids
    targets: Tensor  # task-specific: (B,) classes or (B, O) values per sequence; (B, T) or (B, T, O) per step
    lengths: Tensor | None = None  # (B,) real steps per sequence, when they differ

    def to(self, device: torch.device) -> Batch:
        lengths = None if self.lengths is None else self.lengths.to(device)
        return Batch(self.inputs.to(device), self.targets.to(device), lengths)


class Task(Protocol):
    """A source of batches with its loss, metrics and success criterion."""

    name: str
    io: IOSpec
    baseline: dict[str, float]  # what a memoryless predictor scores on `metrics`

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch: ...

    def test_set(self, seed: int) -> Batch: ...

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor: ...

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]: ...

    def solved(self, metrics: dict[str, float]) -> bool: ...


def seeded(seed: int, stream: int) -> torch.Generator:
    """An independent generator per (seed, stream): training batches and the test set never overlap."""
    return torch.Generator().manual_seed(seed * 1_000_003 + stream)
