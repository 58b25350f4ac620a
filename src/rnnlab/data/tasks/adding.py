"""The adding problem (Hochreiter & Schmidhuber 1997, experiment 4; in the form of Le et al. 2015)."""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.data.tasks.base import Batch, seeded
from rnnlab.models.sequence import IOSpec

TEST_STREAM = 1  # generator stream of the fixed test set; training uses stream 0
BASELINE_MSE = 1 / 6  # Var(U1 + U2) = 2 · 1/12: the error of always answering 1, the mean target


@dataclass(frozen=True)
class AddingConfig:
    """Add the two values whose marker is 1; everything else is a distractor.

        values : 0.31 0.72 0.05 0.94 0.18 0.40 0.66 0.27
        markers:  0    1    0    0    0    0    1    0
        target : 0.72 + 0.66 = 1.38     (one marker in each half of the sequence)

    Predicting 1 (the mean of the target) scores MSE 1/6 ≈ 0.167, the memoryless baseline.
    """

    length: int = 100  # the difficulty knob: the lag between marker and answer grows with it
    test_size: int = 1000
    solved_mse: float = 0.01  # Le et al. 2015 call the task solved below this test MSE

    def __post_init__(self) -> None:
        if self.length < 2:
            raise ValueError(f"the adding problem needs a length of at least 2, got {self.length}")
        if self.test_size <= 0:
            raise ValueError(f"test_size must be positive, got {self.test_size}")


class AddingTask:
    """Regression from a (B, T, 2) sequence to one number per sequence; loss MSE."""

    def __init__(self, config: AddingConfig | None = None) -> None:
        self.config = config or AddingConfig()
        self.name = f"adding-{self.config.length}"
        self.io = IOSpec(input_size=2, output_size=1, per_step=False)
        self.baseline = {"mse": BASELINE_MSE}

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        T = self.config.length
        values = torch.rand(batch_size, T, generator=generator)  # (B, T)
        first = torch.randint(0, T // 2, (batch_size,), generator=generator)  # (B,)
        second = torch.randint(T // 2, T, (batch_size,), generator=generator)  # (B,)
        markers = torch.zeros(batch_size, T)
        rows = torch.arange(batch_size)
        markers[rows, first] = 1.0
        markers[rows, second] = 1.0
        inputs = torch.stack([values, markers], dim=-1)  # (B, T, 2)
        targets = (values * markers).sum(dim=1, keepdim=True)  # (B, 1)
        return Batch(inputs, targets)

    def test_set(self, seed: int) -> Batch:
        return self.sample(self.config.test_size, seeded(seed, TEST_STREAM))

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        return F.mse_loss(outputs, batch.targets)

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        error = (outputs - batch.targets).abs()
        return {
            "mse": float(error.pow(2).mean()),
            # Hochreiter & Schmidhuber's 1997 criterion: the share of answers off by more than 0.04
            "error_rate_0.04": float((error > 0.04).float().mean()),
        }

    @property
    def solved_threshold(self) -> float:
        """Solved below this test MSE."""
        return float(self.config.solved_mse)

    def solved(self, metrics: dict[str, float]) -> bool:
        return metrics["mse"] < self.config.solved_mse
