"""What a benchmark runs: one small record per (cell, implementation) at a shape.

    rnn, lstm, gru   rnnlab's RecurrentLayer with backend "readable", "fused", "compiled" and "auto", and
                     plain torch.nn: nn.RNN/LSTM/GRU (batch first) over a sequence, nn.RNNCell/LSTMCell/
                     GRUCell stepped by hand for a single step (T = 1), as one would decode with them.
    mingru, minlstm  RecurrentLayer with backend "readable", "scan" (the parallel scan), "compiled" and "auto".
    indrnn           RecurrentLayer, readable: the only backend it has. torch.nn has none of these three.
    transformer      rnnlab's CausalTransformer, and nn.TransformerEncoderLayer with the same block
                     (d_model = H, 4 heads, feed-forward 4H, pre-norm, GELU, one layer, causal mask).

Each case builds a fresh module whose forward(x (B, T, D)) returns outputs (B, T, H) or
(outputs, state); the harness neither knows nor asks which.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import cast

import torch
from torch import Tensor, nn

from rnnlab.bench.flops import recurrent_forward_flops, transformer_forward_flops
from rnnlab.bench.shapes import BenchShape
from rnnlab.models.layer_config import (
    CELL_NAMES,
    COMPILED_CELLS,
    FUSED_CELLS,
    SCAN_CELLS,
    Backend,
    CellName,
    RecurrentConfig,
)
from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.transformer import CausalTransformer, TransformerConfig

CELLS = ("rnn", "lstm", "gru", "transformer")  # what `rnnlab bench` runs unless told otherwise
KNOWN_CELLS = (*CELL_NAMES, "transformer")  # what it can run
TORCH = "torch"  # the implementation every other is timed against
TRANSFORMER_HEADS = 4
TRANSFORMER_FF_MULT = 4  # feed-forward width = 4·d_model (Vaswani et al. 2017)


@dataclass(frozen=True)
class BenchCase:
    cell: str  # one of KNOWN_CELLS
    implementation: str  # readable, fused, scan, auto (rnnlab backends), rnnlab (the Transformer) or torch
    runs: str  # what executes, for the results table
    build: Callable[[], nn.Module]
    forward_flops: int | None  # analytic, see flops.py; None where no estimate is given

    @property
    def name(self) -> str:
        return f"{self.cell}/{self.implementation}"


class TorchCellLoop(nn.Module):
    """An nn.RNNCell/LSTMCell/GRUCell stepped over time by hand. x: (B, T, D) -> outputs (B, T, H)."""

    def __init__(self, cell: nn.RNNCellBase) -> None:
        super().__init__()
        self.cell = cell

    def forward(self, x: Tensor) -> Tensor:
        state = None
        outputs = []
        for x_t in x.unbind(1):  # x_t: (B, D)
            state = self.cell(x_t, state)
            outputs.append(state[0] if isinstance(state, tuple) else state)  # LSTMCell returns (h, c)
        return torch.stack(outputs, dim=1)


class TorchTransformer(nn.Module):
    """nn.TransformerEncoderLayer behind an input projection, with a causal mask. x: (B, T, D) -> (B, T, d)."""

    def __init__(self, input_size: int, d_model: int) -> None:
        super().__init__()
        self.input_to_model = nn.Linear(input_size, d_model)
        self.block = nn.TransformerEncoderLayer(d_model, TRANSFORMER_HEADS, TRANSFORMER_FF_MULT * d_model,
                                                dropout=0.0, activation="gelu", batch_first=True, norm_first=True)

    def forward(self, x: Tensor) -> Tensor:
        causal = nn.Transformer.generate_square_subsequent_mask(x.shape[1], device=x.device, dtype=x.dtype)
        return self.block(self.input_to_model(x), src_mask=causal, is_causal=True)


def backends_of(cell: CellName) -> tuple[Backend, ...]:
    """The backends a cell can run on: readable always; fused or scan, and compiled, where it has them, and
    then auto."""
    compiled: tuple[Backend, ...] = ("compiled",) if cell in COMPILED_CELLS else ()
    if cell in FUSED_CELLS:
        return ("readable", "fused", *compiled, "auto")
    if cell in SCAN_CELLS:
        return ("readable", "scan", *compiled, "auto")
    return ("readable",)


def recurrent_cases(cell: CellName, shape: BenchShape) -> list[BenchCase]:
    flops = recurrent_forward_flops(cell, shape)
    cases = []
    for backend in backends_of(cell):
        config = RecurrentConfig(cell=cell, input_size=shape.input_size, hidden_size=shape.hidden_size,
                                 backend=backend)
        cases.append(BenchCase(cell, backend, f"RecurrentLayer {backend}", partial(RecurrentLayer, config), flops))
    if cell not in FUSED_CELLS:
        return cases
    torch_module = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
    torch_cell = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}[cell]
    D, H = shape.input_size, shape.hidden_size
    if shape.time == 1:
        cases.append(BenchCase(cell, TORCH, f"{torch_cell.__name__} stepped",
                               lambda: TorchCellLoop(torch_cell(D, H)), flops))
    else:
        cases.append(BenchCase(cell, TORCH, torch_module.__name__, partial(torch_module, D, H, batch_first=True),
                               flops))
    return cases


def transformer_cases(shape: BenchShape) -> list[BenchCase]:
    d_model = shape.hidden_size
    flops = transformer_forward_flops(shape, d_model, TRANSFORMER_FF_MULT * d_model)
    config = TransformerConfig(input_size=shape.input_size, d_model=d_model, num_layers=1,
                               num_heads=TRANSFORMER_HEADS, ff_mult=TRANSFORMER_FF_MULT, max_len=shape.time)
    return [
        BenchCase("transformer", "rnnlab", "CausalTransformer", partial(CausalTransformer, config), flops),
        BenchCase("transformer", TORCH, "nn.TransformerEncoderLayer",
                  partial(TorchTransformer, shape.input_size, d_model), flops),
    ]


def cases_for(shape: BenchShape, cells: tuple[str, ...]) -> list[BenchCase]:
    """Every case of `cells` at `shape`, rnnlab's first and the torch baseline last within a cell."""
    cases: list[BenchCase] = []
    for cell in cells:
        if cell == "transformer":
            cases += transformer_cases(shape)
        elif cell in CELL_NAMES:
            cases += recurrent_cases(cast(CellName, cell), shape)
        else:
            raise ValueError(f"unknown cell {cell!r}; choose from {', '.join(KNOWN_CELLS)}")
    return cases


def what_runs(case: BenchCase, module: nn.Module, x: Tensor) -> str:
    """The case's label, naming the backend that `auto` chose for input x, and the one `compiled` fell back
    to where the core is unavailable."""
    if isinstance(module, RecurrentLayer):
        backend, ran = module.config.backend, module.backend_for(x)
        if backend == "auto" or ran != backend:
            return f"{backend} → {ran}"
    return case.runs

