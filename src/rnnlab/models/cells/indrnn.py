"""The independently recurrent network, IndRNN (Li et al. 2018): one recurrent weight per unit."""

from __future__ import annotations

from typing import NamedTuple

import torch
from torch import Tensor, nn

from rnnlab.models.cells.base import HiddenState, RecurrentCell

GRADIENT_GAIN = 2.0  # γ: the most a unit's gradient may grow over `horizon` steps (Li et al.'s code: MAG = 2)


class IndRNNGates(NamedTuple):
    """Like the Elman cell, IndRNN has no gates; its one activation is the new hidden state."""

    h: Tensor  # (B, H)


class IndRNNCell(RecurrentCell[HiddenState]):
    r"""One IndRNN step (Li et al. 2018, eq. 2): units see only their own past, through a scalar weight.

        h' = relu(W x + b + u ⊙ h)          u ∈ ℝ^H: element-wise, not a matrix
        |u| ≤ u_max = γ^(1/T_h),  γ = 2      T_h = `horizon` steps

    The constraint (Li et al. 2018, section 3.1): the gradient of unit n from step T back to step t is
    ∏ u_n · relu'(·), at most |u_n|^(T−t), so |u_n| ≤ γ^(1/T_h) keeps it from growing more than γ = 2
    times over T_h steps, while u_n near 1 lets it survive them (a plain RNN's U h mixes units, and its
    gradient follows the powers of a matrix instead). Li et al. clip u after every update; we clip it
    where it is used, u = clamp(u_raw, −u_max, u_max), so the bound holds whatever the optimiser did.
    The cost: a u_raw pushed past the bound gets no gradient and stays at ±u_max, the long-memory end.

    Initialisation as in Li et al.'s code: u ~ U(0, u_max), b = 0; W from U(−1/√H, 1/√H) like the
    other cells. Deep stacks are what IndRNN was made for (their section 3.2); `num_layers` gives one.
    """

    gate_names = ("h",)
    state_type = HiddenState
    recurrent_matrix = False  # u ⊙ h, not U h

    def __init__(self, input_size: int, hidden_size: int, horizon: int = 1000) -> None:
        if horizon < 1:
            raise ValueError(f"horizon must be at least one step, got {horizon}")
        self.horizon = horizon
        self.u_max = GRADIENT_GAIN ** (1 / horizon)
        super().__init__(input_size, hidden_size)

    def build_extra_parameters(self) -> None:
        self.u = nn.Parameter(torch.empty(self.hidden_size))

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        bound = self.hidden_size**-0.5
        nn.init.uniform_(self.x_to_gates.weight, -bound, bound, generator=generator)
        nn.init.zeros_(self.x_to_gates.bias)
        nn.init.uniform_(self.u, 0.0, self.u_max, generator=generator)

    def recurrent_weight(self) -> Tensor:
        """u, clipped to [−u_max, u_max]: (H,)."""
        return self.u.clamp(-self.u_max, self.u_max)

    def gates_from_projection(self, x_proj: Tensor, state: HiddenState) -> IndRNNGates:
        return IndRNNGates((x_proj + self.recurrent_weight() * state.h).relu())  # (B, H)

    def gates(self, x: Tensor, state: HiddenState) -> IndRNNGates:
        return self.gates_from_projection(self.project_input(x), state)

    def step(self, x_proj: Tensor, state: HiddenState) -> tuple[Tensor, HiddenState]:
        h = (x_proj + self.recurrent_weight() * state.h).relu()  # (B, H)
        return h, HiddenState(h)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, horizon={self.horizon}"
