"""A recurrent layer's typed config, and the cell it builds per layer and direction.

    config = RecurrentConfig("lstm", input_size=8, hidden_size=64, num_layers=2, bidirectional=True)
    cell = make_cell(config, input_size=8)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from rnnlab.models.cells import (
    GRUCell,
    HiddenState,
    IndRNNCell,
    LSTMCell,
    LSTMState,
    MinGRUCell,
    MinLSTMCell,
    RecurrentCell,
    RNNCell,
)
from rnnlab.models.cells.rnn import Nonlinearity
from rnnlab.models.init import InitConfig

CellName = Literal["rnn", "lstm", "gru", "mingru", "minlstm", "indrnn"]
Backend = Literal["readable", "fused", "scan", "compiled", "auto"]
Runner = Literal["readable", "fused", "scan", "compiled"]  # what `auto` resolves to
CELL_NAMES: tuple[CellName, ...] = ("rnn", "lstm", "gru", "mingru", "minlstm", "indrnn")
BACKENDS: tuple[Backend, ...] = ("readable", "fused", "scan", "compiled", "auto")
FUSED_CELLS: tuple[CellName, ...] = ("rnn", "lstm", "gru")  # the cells torch.nn has kernels for
SCAN_CELLS: tuple[CellName, ...] = ("mingru", "minlstm")  # linear in h, gates from x: a parallel scan
COMPILED_CELLS: tuple[CellName, ...] = ("rnn", "lstm", "gru", "mingru", "minlstm")  # models/compiled/csrc has them
DEFAULT_HORIZON = 1000  # IndRNN: steps over which a gradient may at most double (see cells/indrnn.py)
LayerState = HiddenState | LSTMState


@dataclass(frozen=True)
class RecurrentConfig:
    """A stack of recurrent layers of one cell type."""

    cell: CellName
    input_size: int
    hidden_size: int
    num_layers: int = 1
    bidirectional: bool = False
    dropout: float = 0.0  # between stacked layers, as in nn.LSTM; not after the last one
    nonlinearity: Nonlinearity = "tanh"  # Elman cell only
    peephole: bool = False  # LSTM only (Gers & Schmidhuber 2000)
    cifg: bool = False  # LSTM only: coupled input-forget gate (Greff et al. 2017)
    layer_norm: bool = False  # LSTM only: LN-LSTM (Ba et al. 2016)
    horizon: int = DEFAULT_HORIZON  # IndRNN only: |u| ≤ 2^(1/horizon) (Li et al. 2018 take the sequence length)
    init: InitConfig = field(default_factory=InitConfig)  # rnn, lstm, gru; the others start as their papers say
    backend: Backend = "auto"  # see RecurrentLayer.backend_for

    def __post_init__(self) -> None:
        if self.cell not in CELL_NAMES:
            raise ValueError(f"unknown cell {self.cell!r}; choose one of {', '.join(CELL_NAMES)}")
        for name in ("input_size", "hidden_size", "num_layers"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.backend not in BACKENDS:
            raise ValueError(f"unknown backend {self.backend!r}; choose one of {', '.join(BACKENDS)}")
        if self.cell != "lstm" and self.lstm_options:
            raise ValueError(f"{', '.join(self.lstm_options)} apply to the LSTM only, not to {self.cell!r}")
        if self.cell != "rnn" and self.nonlinearity != "tanh":
            raise ValueError(f"nonlinearity applies to the Elman cell 'rnn' only, not to {self.cell!r}")
        if self.backend == "fused" and self.lstm_options:
            raise ValueError(f"the fused backend does not support {', '.join(self.lstm_options)}; "
                             "use backend='readable' or 'auto'")
        if self.backend == "fused" and self.cell not in FUSED_CELLS:
            raise ValueError(f"the fused backend runs torch.nn's kernels, which exist for {', '.join(FUSED_CELLS)} "
                             f"only, not {self.cell!r}; use backend='readable' or 'auto'")
        if self.backend == "compiled" and (self.cell not in COMPILED_CELLS or self.lstm_options):
            what = f"the options {', '.join(self.lstm_options)}" if self.lstm_options else repr(self.cell)
            raise ValueError(f"the compiled backend has loops for {', '.join(COMPILED_CELLS)} without options, "
                             f"not {what}; use backend='readable' or 'auto'")
        if self.backend == "scan" and self.cell not in SCAN_CELLS:
            raise ValueError(f"the scan backend needs a cell that is linear in h ({', '.join(SCAN_CELLS)}), "
                             f"not {self.cell!r}; use backend='readable' or 'auto'")
        if self.horizon < 1:
            raise ValueError(f"horizon must be at least one step, got {self.horizon}")
        if self.cell != "indrnn" and self.horizon != DEFAULT_HORIZON:
            raise ValueError(f"horizon applies to the IndRNN only, not to {self.cell!r}")
        if self.cell not in FUSED_CELLS and self.init != InitConfig():
            raise ValueError(f"init schemes apply to {', '.join(FUSED_CELLS)}; {self.cell!r} starts as its "
                             "paper says (see its cell's docstring)")

    @cached_property  # read at every forward call (RecurrentLayer.backend_for)
    def lstm_options(self) -> list[str]:
        return [name for name in ("peephole", "cifg", "layer_norm") if getattr(self, name)]

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_size(self) -> int:
        return self.directions * self.hidden_size


def make_cell(config: RecurrentConfig, input_size: int) -> RecurrentCell:
    if config.cell == "lstm":
        return LSTMCell(input_size, config.hidden_size, peephole=config.peephole, cifg=config.cifg,
                        layer_norm=config.layer_norm)
    if config.cell == "gru":
        return GRUCell(input_size, config.hidden_size)
    if config.cell == "mingru":
        return MinGRUCell(input_size, config.hidden_size)
    if config.cell == "minlstm":
        return MinLSTMCell(input_size, config.hidden_size)
    if config.cell == "indrnn":
        return IndRNNCell(input_size, config.hidden_size, config.horizon)
    return RNNCell(input_size, config.hidden_size, config.nonlinearity)
