"""A baseline a sequence classifier over feature frames must beat: a bag of frames, which ignores order.

Each sequence x_1..x_T (T, D) becomes one vector of its per-feature mean and standard deviation over time,

    φ(x) = [mean_t x_t ; std_t x_t]                      (2D,)    order-free: any shuffle of the frames
                                                                   gives the same φ

standardised with the training split's statistics, and a softmax regression reads it (the objective of
text_baselines.fit_logistic_regression: cross-entropy + ‖W‖² / (2C), C chosen on the validation split
from a grid, then scored once on the split asked for). On spoken digits and JapaneseVowels it scores
0.76 / 0.82 and 0.98 / 0.97 (validation / test; data/tasks/speech.py): what a recurrent model adds over
it is the use of order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import torch
from torch import Tensor

from rnnlab.data.text_baselines import accuracy, fit_logistic_regression

GRID = (0.01, 0.1, 1.0, 10.0, 100.0)  # C, the inverse L2 strength


def frame_statistics(sequences: Sequence[Tensor]) -> Tensor:
    """Sequences (T_i, D) -> φ (N, 2D): each one's mean and (population) standard deviation over time."""
    return torch.stack([torch.cat([s.double().mean(dim=0), s.double().std(dim=0, correction=0)])
                        for s in sequences]).float()


@dataclass(frozen=True)
class BagOfFrames:
    """A fitted bag-of-frames classifier (see the module docstring)."""

    center: Tensor  # (2D,) training mean of φ
    scale: Tensor  # (2D,) training standard deviation of φ (1 where it is 0)
    weight: Tensor  # (2D, C)
    bias: Tensor  # (C,)
    c: float  # the inverse L2 strength chosen on validation
    validation_accuracy: float

    @classmethod
    def fit(cls, train: Sequence[Tensor], train_labels: Tensor, validation: Sequence[Tensor],
            validation_labels: Tensor, classes: int, grid: Sequence[float] = GRID) -> BagOfFrames:
        x = frame_statistics(train)  # (N, 2D)
        std = x.std(dim=0, correction=0)
        center, scale = x.mean(dim=0), torch.where(std > 0, std, torch.ones_like(std))
        x, x_validation = (x - center) / scale, (frame_statistics(validation) - center) / scale
        best: BagOfFrames | None = None
        fitted: tuple[Tensor, Tensor] | None = None
        for c in sorted(grid):
            fitted = fit_logistic_regression(x, train_labels, classes, c, start=fitted)
            score = accuracy(x_validation, validation_labels, *fitted)
            if best is None or score > best.validation_accuracy:
                best = cls(center, scale, *fitted, c, score)
        if best is None:
            raise ValueError("the grid of C values is empty")
        return best

    def accuracy(self, sequences: Sequence[Tensor], labels: Tensor) -> float:
        return accuracy((frame_statistics(sequences) - self.center) / self.scale, labels, self.weight, self.bias)
