"""An ensemble of classifiers: the mean of its members' class probabilities.

    p(y | x) = (1/K) Σ_k softmax(f_k(x))_y

Its outputs are log p (B, C) (or (B, T, C) per step), so anything that reads logits reads them unchanged:
argmax picks the class with the highest mean probability, and cross-entropy of the outputs is −log p(y | x),
the ensemble's own, because log p is already normalised (log_softmax(log p) = log p). Members may differ in
family and size; they read the same inputs.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import torch
from torch import Tensor, nn


class Ensemble(nn.Module):
    """The members' mean class probability, as log-probabilities (see the module docstring)."""

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)

    def forward(self, inputs: Tensor, state: Any = None, lengths: Tensor | None = None) -> tuple[Tensor, None]:
        """inputs as each member reads them -> log mean probabilities (B, C) or (B, T, C); no state."""
        if state is not None:
            raise ValueError("an ensemble carries no state between batches")
        log_probs = torch.stack([torch.log_softmax(member(inputs, None, lengths)[0], dim=-1)
                                 for member in self.members])  # (K, B, C)
        return torch.logsumexp(log_probs, dim=0) - math.log(len(self.members)), None  # (B, C)
