"""The Elman RNN cell (Elman 1990), the baseline every gated cell is measured against."""

from __future__ import annotations

from typing import Literal, NamedTuple

from torch import Tensor

from rnnlab.models.cells.base import HiddenState, RecurrentCell

Nonlinearity = Literal["tanh", "relu"]


class RNNGates(NamedTuple):
    """An Elman cell has no gates; its one activation is the new hidden state."""

    h: Tensor  # (B, H)


class RNNCell(RecurrentCell[HiddenState]):
    r"""One Elman step, as `torch.nn.RNNCell`.

        h' = φ(W x + b_ih + U h + b_hh)        φ = tanh, or relu (the IRNN of Le et al. 2015)
    """

    gate_names = ("h",)
    state_type = HiddenState

    def __init__(self, input_size: int, hidden_size: int, nonlinearity: Nonlinearity = "tanh") -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity: Nonlinearity = nonlinearity
        super().__init__(input_size, hidden_size)

    def _phi(self, pre: Tensor) -> Tensor:
        return pre.tanh() if self.nonlinearity == "tanh" else pre.relu()

    def gates_from_projection(self, x_proj: Tensor, state: HiddenState) -> RNNGates:
        return RNNGates(self._phi(x_proj + self.h_to_gates(state.h)))  # (B, H)

    def gates(self, x: Tensor, state: HiddenState) -> RNNGates:
        return self.gates_from_projection(self.project_input(x), state)

    def step(self, x_proj: Tensor, state: HiddenState) -> tuple[Tensor, HiddenState]:
        h = self._phi(x_proj + self.h_to_gates(state.h))  # (B, H)
        return h, HiddenState(h)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, nonlinearity={self.nonlinearity}"
