"""A recurrent layer as TorchScript: the loop over time scripted, each cell's own step traced into it.

ONNX and TorchScript both need the loop over time as a loop in the graph (ONNX `Loop`), not unrolled
for one length, so that an exported model takes any batch size and any number of steps. `torch.jit.trace`
cannot record such a loop, and our cells are written for readers, not for `torch.jit.script`. So the
loop is scripted here, and what runs inside it is traced from the cells themselves:

    project   = trace(cell.project_input)   x (B, T, D) -> x_proj (B, T, G·H)     once per sequence
    step      = trace(cell.step)            x_proj_t, h, c -> output, h', c'      once per step

A trace records the operations of one call with the shapes left free, which is exact for a step: its
Python branches depend on the cell's options (peephole, CIFG, layer norm), fixed for a cell, never on
the data. The loop keeps `RecurrentLayer`'s semantics for padded batches (models/recurrent.py): padding
is zeroed before the first layer, a finished sequence holds its state and outputs zeros, and a backward
direction reads each sequence reversed within its own length. Every state is carried as two tensors
(h, c); cells without a memory cell pass c through untouched. tests/export/ check the result against
the layer at 1e-5.
"""

# No `from __future__ import annotations`: TorchScript reads these annotations as objects, not strings.
import warnings
from typing import Final

import torch
from torch import Tensor, nn

from rnnlab.models.cells import HiddenState, LSTMState, RecurrentCell
from rnnlab.models.recurrent import RecurrentLayer

EXAMPLE_BATCH, EXAMPLE_STEPS = 2, 3  # the shapes the traces are recorded at; any others run the same


def trace(module: nn.Module, example: tuple[Tensor, ...]) -> torch.jit.ScriptModule:
    """`torch.jit.trace`, quietly: the input checks in rnnlab's code (`int(lengths.max()) > T`) run at trace
    time only, which is all they are for, and the tracer warns about each of them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", torch.jit.TracerWarning)
        return torch.jit.trace(module, example)


def reverse_padded(x: Tensor, lengths: Tensor) -> Tensor:
    """Each sequence of x (B, T, F) reversed within its length; padding stays at the end (as
    rnnlab.models.state.reverse_padded, written for TorchScript)."""
    T = x.shape[1]
    t = torch.arange(T, device=x.device).unsqueeze(0)  # (1, T)
    L = lengths.unsqueeze(1)  # (B, 1)
    index = torch.where(t < L, L - 1 - t, t)  # (B, T)
    return x.gather(1, index.unsqueeze(2).expand(x.shape[0], T, x.shape[2]))


def step_mask(lengths: Tensor, steps: int) -> Tensor:
    """(B, T) True where step t is a real step of sequence b."""
    return torch.arange(steps, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


class _Project(nn.Module):
    def __init__(self, cell: RecurrentCell) -> None:
        super().__init__()
        self.cell = cell

    def forward(self, x: Tensor) -> Tensor:
        return self.cell.project_input(x)  # (B, T, G·H)


class _Step(nn.Module):
    """One step with the state as two tensors: (x_proj_t, h, c) -> (output, h', c')."""

    def __init__(self, cell: RecurrentCell) -> None:
        super().__init__()
        self.cell = cell
        self.has_memory = cell.state_type is LSTMState

    def forward(self, x_proj: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        if self.has_memory:
            output, state = self.cell.step(x_proj, LSTMState(h, c))
            return output, state.h, state.c
        output, hidden = self.cell.step(x_proj, HiddenState(h))
        return output, hidden.h, c


class Direction(nn.Module):
    """One cell of the stack run along the sequence (reversed for a backward direction)."""

    index: Final[int]  # the cell's row in the stacked state (L·dirs, B, H)
    reverse: Final[bool]

    def __init__(self, cell: RecurrentCell, input_size: int, index: int, reverse: bool) -> None:
        super().__init__()
        self.index, self.reverse = index, reverse
        H = cell.hidden_size
        x = torch.zeros(EXAMPLE_BATCH, EXAMPLE_STEPS, input_size)
        x_t = cell.project_input(x)[:, 0].detach()
        h = torch.zeros(EXAMPLE_BATCH, H)
        self.project = trace(_Project(cell), (x,))
        self.step = trace(_Step(cell), (x_t, h, h))

    def forward(self, x: Tensor, lengths: Tensor, mask: Tensor, h0: Tensor, c0: Tensor
                ) -> tuple[Tensor, Tensor, Tensor]:
        if self.reverse:
            x = reverse_padded(x, lengths)
        x_proj = self.project(x)  # (B, T, G·H)
        h, c = h0[self.index], c0[self.index]  # each (B, H)
        outputs: list[Tensor] = []
        for t in range(x_proj.shape[1]):
            keep = mask[:, t].unsqueeze(1)  # (B, 1)
            output, h_new, c_new = self.step(x_proj[:, t], h, c)
            h = torch.where(keep, h_new, h)
            c = torch.where(keep, c_new, c)
            outputs.append(torch.where(keep, output, torch.zeros_like(output)))
        y = torch.stack(outputs, dim=1)  # (B, T, H)
        if self.reverse:
            y = reverse_padded(y, lengths)
        return y, h, c


class Layer(nn.Module):
    """One layer of the stack: its directions side by side."""

    def __init__(self, directions: list[Direction]) -> None:
        super().__init__()
        self.directions = nn.ModuleList(directions)

    def forward(self, x: Tensor, lengths: Tensor, mask: Tensor, h0: Tensor, c0: Tensor
                ) -> tuple[Tensor, list[Tensor], list[Tensor]]:
        outputs: list[Tensor] = []
        hs: list[Tensor] = []
        cs: list[Tensor] = []
        for direction in self.directions:
            y, h, c = direction(x, lengths, mask, h0, c0)
            outputs.append(y)
            hs.append(h)
            cs.append(c)
        return torch.cat(outputs, dim=-1), hs, cs  # (B, T, dirs·H)


class ScriptedRecurrent(nn.Module):
    """`RecurrentLayer`'s forward in TorchScript: x (B, T, D), lengths (B,), h0, c0 (L·dirs, B, H) ->
    outputs (B, T, dirs·H), h_n, c_n (L·dirs, B, H). In eval mode: dropout between layers is off."""

    hidden_size: Final[int]
    stacked: Final[int]  # L·dirs

    def __init__(self, layer: RecurrentLayer) -> None:
        super().__init__()
        c = layer.config
        self.hidden_size, self.stacked = c.hidden_size, c.num_layers * c.directions
        cells = layer.cell_stack
        self.layers = nn.ModuleList(
            Layer([Direction(cells[k * c.directions + d], c.input_size if k == 0 else c.output_size,
                             k * c.directions + d, reverse=d == 1) for d in range(c.directions)])
            for k in range(c.num_layers))

    @torch.jit.export
    def initial_state(self, x: Tensor) -> Tensor:
        return torch.zeros(self.stacked, x.shape[0], self.hidden_size, dtype=x.dtype, device=x.device)

    def forward(self, x: Tensor, lengths: Tensor, h0: Tensor, c0: Tensor) -> tuple[Tensor, Tensor, Tensor]:
        mask = step_mask(lengths, x.shape[1])  # (B, T)
        x = torch.where(mask.unsqueeze(2), x, torch.zeros_like(x))  # padding never enters the arithmetic
        hs: list[Tensor] = []
        cs: list[Tensor] = []
        for layer in self.layers:
            x, h, c = layer(x, lengths, mask, h0, c0)
            hs += h
            cs += c
        return x, torch.stack(hs), torch.stack(cs)
