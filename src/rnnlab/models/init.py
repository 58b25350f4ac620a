"""Initialisation schemes for recurrent cells, selectable per model.

Where each comes from:
- ``uniform``: PyTorch's default, every weight and bias from U(-1/√H, 1/√H).
- ``orthogonal``: each gate's recurrent block U_k an orthogonal matrix (Saxe et al. 2014), so at
  initialisation the recurrence neither shrinks nor grows a vector; input weights stay uniform,
  biases start at zero.
- ``identity``: recurrent blocks U_k = scale · I, biases zero, input weights N(0, 0.001²): the IRNN of
  Le et al. (2015), meant for the ReLU Elman cell.

On top of the scheme, for gated cells:
- ``forget_bias`` (LSTM only; default 1.0, Jozefowicz et al. 2015; Gers et al. 2000 already
  suggested a positive value): the forget-gate bias starts at this value so the cell remembers by
  default. PyTorch's `nn.LSTM` has no such default: its forget bias is a uniform draw around 0.
- ``chrono_max_len`` (Tallec & Ollivier 2018): for dependencies up to T_max steps, the keep-gate bias
  is drawn as log(U(1, T_max − 1)) and the LSTM input-gate bias is its negative, so characteristic
  forgetting times spread over [1, T_max]. It replaces ``forget_bias``. For the GRU the keep gate is
  the update gate z (PyTorch's form h' = (1 − z) ⊙ n + z ⊙ h).

Biases are split in PyTorch's layout into b_ih (in `x_to_gates`) and b_hh (in `h_to_gates`); the
gate sees their sum. A scheme writes the whole value into b_ih and zeroes the matching b_hh rows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

import torch
from torch import nn

from rnnlab.models.cells import GRUCell, LSTMCell, RecurrentCell

InitScheme = Literal["uniform", "orthogonal", "identity"]
INIT_SCHEMES: tuple[InitScheme, ...] = ("uniform", "orthogonal", "identity")


@dataclass(frozen=True)
class InitConfig:
    """How a recurrent cell's weights start. See the module docstring for the sources."""

    scheme: InitScheme = "uniform"
    forget_bias: float = 1.0  # Jozefowicz et al. 2015; PyTorch's nn.LSTM effectively uses ~0
    chrono_max_len: int | None = None  # expected longest dependency, in steps (Tallec & Ollivier 2018)
    identity_scale: float = 1.0  # Le et al. 2015 use 1.0; Talathi & Vartak 2016 suggest < 1 for stability

    def __post_init__(self) -> None:
        if self.scheme not in INIT_SCHEMES:
            raise ValueError(f"unknown init scheme {self.scheme!r}; choose one of {', '.join(INIT_SCHEMES)}")
        if self.chrono_max_len is not None and self.chrono_max_len < 3:
            raise ValueError(f"chrono_max_len must be at least 3 steps, got {self.chrono_max_len}")


@torch.no_grad()
def initialise(cell: RecurrentCell, config: InitConfig, generator: torch.Generator | None = None) -> None:
    """Re-initialise `cell` in place according to `config`."""
    if cell.x_to_gates.weight.is_meta:  # sizing a model on the meta device: no values to set
        return
    cell.reset_parameters(generator)
    H = cell.hidden_size
    W, U = cell.x_to_gates.weight, cell.h_to_gates.weight  # (G·H, D), (G·H, H)
    b_ih, b_hh = cell.x_to_gates.bias, cell.h_to_gates.bias  # (G·H,)
    if config.scheme == "orthogonal":
        for name in cell.gate_names:
            nn.init.orthogonal_(U[cell.gate_slice(name)], generator=generator)
        b_ih.zero_()
        b_hh.zero_()
    elif config.scheme == "identity":
        for name in cell.gate_names:
            block = U[cell.gate_slice(name)]  # (H, H)
            block.zero_()
            block.diagonal().fill_(config.identity_scale)
        nn.init.normal_(W, std=1e-3, generator=generator)  # Le et al. 2015, section 3
        b_ih.zero_()
        b_hh.zero_()

    if config.chrono_max_len is not None:
        _chrono(cell, config.chrono_max_len, generator)
    elif isinstance(cell, LSTMCell):
        _set_bias(cell, "f", torch.full((H,), config.forget_bias))


def _set_bias(cell: RecurrentCell, gate: str, value: torch.Tensor) -> None:
    rows = cell.gate_slice(gate)
    cell.x_to_gates.bias[rows] = value
    cell.h_to_gates.bias[rows] = 0.0


def _chrono(cell: RecurrentCell, max_len: int, generator: torch.Generator | None) -> None:
    H = cell.hidden_size
    u = torch.empty(H).uniform_(1.0, max_len - 1.0, generator=generator)
    keep_bias = u.log()  # log(U(1, T_max − 1)), Tallec & Ollivier 2018, eq. 19
    if isinstance(cell, LSTMCell):
        _set_bias(cell, "f", keep_bias)
        if not cell.cifg:
            _set_bias(cell, "i", -keep_bias)
    elif isinstance(cell, GRUCell):
        _set_bias(cell, "z", keep_bias)
    else:
        raise ValueError(f"chrono initialisation needs a gated cell (LSTM or GRU), not {type(cell).__name__}")


def expected_chrono_range(max_len: int) -> tuple[float, float]:
    """The interval chrono draws keep-gate biases from: [0, log(T_max − 1)]."""
    return 0.0, math.log(max_len - 1.0)
