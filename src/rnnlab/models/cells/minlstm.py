"""The minimal LSTM of Feng et al. (2024), "Were RNNs All We Needed?": gates that read the input alone."""

from __future__ import annotations

from typing import NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor

from rnnlab.models.cells.base import HiddenState
from rnnlab.models.cells.linear import LinearRecurrentCell, g, log_g


class MinLSTMGates(NamedTuple):
    f: Tensor  # forget gate, normalised: f / (f + i), (B, H)
    i: Tensor  # input gate, normalised: i / (f + i) = 1 − f', (B, H)
    h_tilde: Tensor  # candidate state, positive, (B, H)


class MinLSTMCell(LinearRecurrentCell):
    r"""One minLSTM step (Feng et al. 2024, section 3.2, with the positive g of their log-space version).

        f  = σ(W_f x + b_f)                  forget gate, from x alone
        i  = σ(W_i x + b_i)                  input gate, from x alone
        h̃  = g(W_h x + b_h)                  candidate state, g > 0 (see `cells/linear.py`)
        f' = f / (f + i),   i' = i / (f + i)  normalised, so that f' + i' = 1 and h keeps the scale of h̃
        h' = f' ⊙ h + i' ⊙ h̃

    Against the LSTM: no output gate, no cell separate from h, no U h, no tanh; h' is linear in h, so a
    whole sequence runs as a parallel scan with a = f', b = i' ⊙ h̃. `gates` gives the normalised f', i'.
    """

    gate_names = ("f", "i", "h")

    def gates_from_projection(self, x_proj: Tensor, state: HiddenState) -> MinLSTMGates:
        x_f, x_i, x_h = x_proj.chunk(3, dim=-1)  # each (B, H)
        f, i = x_f.sigmoid(), x_i.sigmoid()
        return MinLSTMGates(f / (f + i), i / (f + i), g(x_h))

    def gates(self, x: Tensor, state: HiddenState) -> MinLSTMGates:
        return self.gates_from_projection(self.project_input(x), state)

    def step(self, x_proj: Tensor, state: HiddenState) -> tuple[Tensor, HiddenState]:
        _, i, h_tilde = self.gates_from_projection(x_proj, state)
        h = torch.lerp(state.h, h_tilde, i)  # f' ⊙ h + i' ⊙ h̃ in one kernel, as f' = 1 − i'; (B, H)
        return h, HiddenState(h)

    def log_coefficients(self, x_proj: Tensor) -> tuple[Tensor, Tensor]:
        """With d = log i − log f = softplus(−k_f) − softplus(−k_i) (as log σ(k) = −softplus(−k)):
        log a = log f' = −softplus(d);  log b = log i' + log h̃ = −softplus(−d) + log g(k_h)."""
        x_f, x_i, x_h = x_proj.chunk(3, dim=-1)  # each (..., H)
        d = F.softplus(-x_f) - F.softplus(-x_i)
        return -F.softplus(d), -F.softplus(-d) + log_g(x_h)
