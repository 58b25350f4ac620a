"""A whole recurrent layer stack on the compiled core: what `RecurrentLayer._run_cells` computes, with each
cell's loop over time in C++ (csrc/loops.h).

Per layer and direction: the input projection over all steps (`cell.project_input`, one matrix product,
under autocast when the caller runs one), then the core's loop from the state in float32 or float64. The
backward direction needs no reversed copy: the core reads step t of sequence b at time L_b − 1 − t and
writes its output there.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable, Sequence

import torch
from torch import Tensor

from rnnlab.models.cells import RecurrentCell
from rnnlab.models.compiled.functions import (
    Direction,
    ElementwiseRecurrence,
    MatrixRecurrence,
    elementwise_forward,
    matrix_forward,
)
from rnnlab.models.layer_config import COMPILED_CELLS, LayerState, RecurrentConfig
from rnnlab.models.state import step_mask

DTYPES = (torch.float32, torch.float64)  # what csrc/ is instantiated for


def core_cell(config: RecurrentConfig) -> str:
    """The core's name for the config's cell (abi.CELL_CODES): the Elman cell carries its nonlinearity."""
    return f"rnn_{config.nonlinearity}" if config.cell == "rnn" else config.cell


def run_compiled(core: ctypes.CDLL, config: RecurrentConfig, cells: Sequence[RecurrentCell], x: Tensor,
                 state: LayerState, lengths: Tensor | None, between_layers: Callable[[Tensor], Tensor]
                 ) -> tuple[Tensor, LayerState]:
    """x (B, T, D) -> outputs (B, T, dirs·H), final state (each field (L·dirs, B, H))."""
    c = config
    T = x.shape[1]
    if lengths is not None:  # padding never enters the arithmetic, so NaN or inf there cannot leak
        x = torch.where(step_mask(lengths, T, x.device)[..., None], x, 0.0)
    steps = T if lengths is None else int(lengths.max())
    padded = lengths is not None and int(lengths.min()) < T
    cell = core_cell(c)
    finals: list[tuple[Tensor, ...]] = []
    for layer in range(c.num_layers):
        if layer > 0:
            x = between_layers(x)
        outputs = []
        for direction in range(c.directions):
            k = layer * c.directions + direction
            walk = Direction(core, cell, lengths, steps, reverse=direction == 1, padded=padded)
            out, *final = _run_direction(walk, cells[k], x, tuple(part[k] for part in state))
            outputs.append(out)
            finals.append(tuple(final))
        x = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=-1)  # (B, T, dirs·H)
    stacked = [torch.stack(parts) for parts in zip(*finals)]  # each (L·dirs, B, H)
    return x, type(state)(*stacked)


def _run_direction(walk: Direction, cell: RecurrentCell, x: Tensor, state: tuple[Tensor, ...]) -> tuple[Tensor, ...]:
    """One cell over the sequence: (outputs (B, T, H), h_T) or, for the LSTM, (outputs, h_T, c_T)."""
    h0 = state[0].contiguous()
    x_proj = project_input(cell, x).to(h0.dtype)  # (B, T, G·H); float32 again after a bf16 autocast
    if not cell.recurrent_matrix:  # minGRU, minLSTM
        if _needs_grad(x_proj, h0):
            return ElementwiseRecurrence.apply(walk, x_proj, h0)
        return elementwise_forward(walk, x_proj, h0)
    c0 = state[1].contiguous() if len(state) > 1 else None
    weight, bias = cell.h_to_gates.weight, cell.h_to_gates.bias
    if _needs_grad(x_proj, h0, c0, weight, bias):
        out, h, c = MatrixRecurrence.apply(walk, x_proj, h0, c0, weight, bias)
    else:
        out, h, c, _ = matrix_forward(walk, x_proj, h0, c0, weight.contiguous(), bias, save=False)
    return (out, h) if c is None else (out, h, c)


def project_input(cell: RecurrentCell, x: Tensor) -> Tensor:
    """W x + b_ih for all steps, x (B, T, D) -> (B, T, G·H): `cell.project_input` as one product whose weight
    gradient autograd computes as xᵀ·dx_proj. Given Wᵀ as a transposed view (what `nn.Linear` passes), it
    computes (dx_projᵀ·x)ᵀ instead, which MKL ran 5x slower at D = 8 (19 against 3.8 ms at s3)."""
    B, T, D = x.shape
    weight, bias = cell.x_to_gates.weight, cell.x_to_gates.bias  # (G·H, D), (G·H,)
    return torch.addmm(bias, x.reshape(B * T, D), weight.t().contiguous()).view(B, T, -1)


def _needs_grad(*tensors: Tensor | None) -> bool:
    return torch.is_grad_enabled() and any(t is not None and t.requires_grad for t in tensors)


def supports(config: RecurrentConfig, cells: Sequence[RecurrentCell], x: Tensor) -> bool:
    """Whether the core can run this layer on x: its cells without LSTM options, on the CPU, in float32 or
    float64 (x and the weights alike; autocast may still compute the input projection in bfloat16)."""
    return (config.cell in COMPILED_CELLS and not config.lstm_options and x.device.type == "cpu"
            and x.dtype in DTYPES and cells[0].x_to_gates.weight.dtype == x.dtype)
