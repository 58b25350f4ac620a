"""The gated recurrent unit (Cho et al. 2014), with the reset gate where PyTorch and cuDNN put it."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor

from rnnlab.models.cells.base import HiddenState, RecurrentCell


class GRUGates(NamedTuple):
    r: Tensor  # reset gate, (B, H)
    z: Tensor  # update gate: the share of the old state kept, (B, H)
    n: Tensor  # candidate state, (B, H)


class GRUCell(RecurrentCell[HiddenState]):
    r"""One GRU step, as `torch.nn.GRUCell`.

        r  = σ(W_r x + b_ir + U_r h + b_hr)             reset gate
        z  = σ(W_z x + b_iz + U_z h + b_hz)             update gate: how much of h to keep
        n  = tanh(W_n x + b_in + r ⊙ (U_n h + b_hn))    candidate state
        h' = (1 − z) ⊙ n + z ⊙ h

    Reset-gate placement: Cho et al. (2014, eq. 8) reset the state before the matrix multiply,
    n = tanh(W_n x + U_n (r ⊙ h)). PyTorch and cuDNN apply r after it, to U_n h + b_hn, which lets all
    three U blocks be one matrix multiply per step. We follow PyTorch so the fused kernel is the same
    function. Note also that z here keeps the old state (Cho et al. write h' = z ⊙ h + (1 − z) ⊙ n too).
    """

    gate_names = ("r", "z", "n")
    state_type = HiddenState

    def gates_from_projection(self, x_proj: Tensor, state: HiddenState) -> GRUGates:
        x_r, x_z, x_n = x_proj.chunk(3, dim=-1)  # each (B, H)
        h_r, h_z, h_n = self.h_to_gates(state.h).chunk(3, dim=-1)  # each (B, H)
        r = (x_r + h_r).sigmoid()
        z = (x_z + h_z).sigmoid()
        n = (x_n + r * h_n).tanh()
        return GRUGates(r, z, n)

    def gates(self, x: Tensor, state: HiddenState) -> GRUGates:
        return self.gates_from_projection(self.project_input(x), state)

    def step(self, x_proj: Tensor, state: HiddenState) -> tuple[Tensor, HiddenState]:
        _, z, n = self.gates_from_projection(x_proj, state)
        h = torch.lerp(n, state.h, z)  # (1 − z) ⊙ n + z ⊙ h in one kernel (10 % faster than four), (B, H)
        return h, HiddenState(h)
