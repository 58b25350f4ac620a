"""The minimal GRU of Feng et al. (2024), "Were RNNs All We Needed?": gates that read the input alone."""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.models.cells.base import HiddenState
from rnnlab.models.cells.linear import LinearRecurrentCell, g, log_g


class MinGRUGates(NamedTuple):
    z: Tensor  # update gate: the share of the candidate written, (B, H)
    h_tilde: Tensor  # candidate state, positive, (B, H)


class MinGRUCell(LinearRecurrentCell):
    r"""One minGRU step (Feng et al. 2024, section 3.1, with the positive g of their log-space version).

        z  = σ(W_z x + b_z)                 update gate, from x alone
        h̃  = g(W_h x + b_h)                 candidate state, g > 0 (see `cells/linear.py`)
        h' = (1 − z) ⊙ h + z ⊙ h̃

    Against the GRU: no reset gate, no U h anywhere, and no tanh on the candidate, so h' is linear in h
    and a whole sequence runs as a parallel scan with a = 1 − z, b = z ⊙ h̃. Note that z here is the
    share of the *new* candidate, as in Feng et al. and Cho et al.; PyTorch's GRU uses z for the old state.
    """

    gate_names = ("z", "h")

    def gates_from_projection(self, x_proj: Tensor, state: HiddenState) -> MinGRUGates:
        x_z, x_h = x_proj.chunk(2, dim=-1)  # each (B, H)
        return MinGRUGates(x_z.sigmoid(), g(x_h))

    def gates(self, x: Tensor, state: HiddenState) -> MinGRUGates:
        return self.gates_from_projection(self.project_input(x), state)

    def step(self, x_proj: Tensor, state: HiddenState) -> tuple[Tensor, HiddenState]:
        z, h_tilde = self.gates_from_projection(x_proj, state)
        h = torch.lerp(state.h, h_tilde, z)  # (1 − z) ⊙ h + z ⊙ h̃ in one kernel, (B, H)
        return h, HiddenState(h)

    def log_coefficients(self, x_proj: Tensor) -> tuple[Tensor, Tensor]:
        """log a = log(1 − z) = −softplus(k_z);  log b = log z + log h̃ = −softplus(−k_z) + log g(k_h)."""
        x_z, x_h = x_proj.chunk(2, dim=-1)  # each (..., H)
        return -F.softplus(x_z), -F.softplus(-x_z) + log_g(x_h)
