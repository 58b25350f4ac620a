"""What every recurrent cell shares: the parameter layout and the one-step interface.

Every cell keeps its weights in the layout of `torch.nn.RNN/LSTM/GRU`:

    x_to_gates : Linear(D, G·H)   weight_ih and bias_ih, gate blocks stacked in PyTorch's order
    h_to_gates : Linear(H, G·H)   weight_hh and bias_hh

so the fused path (`models/fused.py`) hands these very tensors to PyTorch's kernels, and weights copied
from an `nn.LSTM` need no reshuffling. G is the number of gate blocks (LSTM 4, GRU 3, RNN 1).
Cells whose recurrence is no matrix product (IndRNN: u ⊙ h; minGRU, minLSTM: gates from x alone) set
`recurrent_matrix = False` and have no `h_to_gates`.

The input projection W x + b does not depend on the state, so the layer computes it for all T steps in
one matrix multiply (`project_input`) and the loop over time calls `step` with one slice of it.
"""

from __future__ import annotations

from typing import ClassVar, Generic, NamedTuple, TypeVar

import torch
from torch import Tensor, nn


class HiddenState(NamedTuple):
    """State of an Elman RNN or a GRU: the hidden vector alone."""

    h: Tensor  # (B, H), or (L·dirs, B, H) for a whole layer stack


class LSTMState(NamedTuple):
    """State of an LSTM: the hidden (shown) vector and the memory cell."""

    h: Tensor  # (B, H), or (L·dirs, B, H) for a whole layer stack
    c: Tensor  # same shape as h


State = TypeVar("State", HiddenState, LSTMState)


class RecurrentCell(nn.Module, Generic[State]):
    """One time step of a recurrence: `forward(x, state) -> (h, state)`.

    Subclasses define `gate_names` (the row blocks of `x_to_gates`, in order), `step` (the equations,
    given the input already projected) and `gates` (the named gate activations that `step` uses).
    """

    gate_names: tuple[str, ...]
    state_type: type[State]
    recurrent_matrix: ClassVar[bool] = True  # False: no U h term, hence no `h_to_gates`
    h_to_gates: nn.Linear

    def __init__(self, input_size: int, hidden_size: int) -> None:
        super().__init__()
        if input_size <= 0 or hidden_size <= 0:
            raise ValueError(
                f"input_size and hidden_size must be positive, got input_size={input_size}, "
                f"hidden_size={hidden_size}"
            )
        self.input_size = input_size
        self.hidden_size = hidden_size
        blocks = len(self.gate_names)
        self.x_to_gates = nn.Linear(input_size, blocks * hidden_size)
        if self.recurrent_matrix:
            self.h_to_gates = nn.Linear(hidden_size, blocks * hidden_size)
        self.build_extra_parameters()
        self.reset_parameters()

    def build_extra_parameters(self) -> None:
        """Hook for parameters beyond the two projections (peepholes, layer norms)."""

    def reset_parameters(self, generator: torch.Generator | None = None) -> None:
        """PyTorch's default: every weight and bias from U(-1/√H, 1/√H)."""
        bound = self.hidden_size**-0.5
        for p in self.parameters():
            nn.init.uniform_(p, -bound, bound, generator=generator)

    def gate_slice(self, name: str) -> slice:
        """Rows of `x_to_gates` / `h_to_gates` that belong to gate `name`."""
        k = self.gate_names.index(name)
        return slice(k * self.hidden_size, (k + 1) * self.hidden_size)

    def initial_state(self, batch_size: int, device: torch.device | None = None,
                      dtype: torch.dtype | None = None) -> State:
        zeros = torch.zeros(batch_size, self.hidden_size, device=device, dtype=dtype)
        return self.state_type(*(zeros for _ in self.state_type._fields))

    def project_input(self, x: Tensor) -> Tensor:
        """W x + b for any leading shape: (..., D) -> (..., G·H). Hoisted out of the loop over time."""
        return self.x_to_gates(x)

    def step(self, x_proj: Tensor, state: State) -> tuple[Tensor, State]:
        """One step given `x_proj = project_input(x)`: returns (output h, new state)."""
        raise NotImplementedError

    def forward(self, x: Tensor, state: State | None = None) -> tuple[Tensor, State]:
        if x.shape[-1] != self.input_size:
            raise ValueError(f"expected input with {self.input_size} features, got {x.shape[-1]}")
        if state is None:
            state = self.initial_state(x.shape[0], x.device, x.dtype)
        return self.step(self.project_input(x), state)

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}"
