"""The one loop over time, for every cell: stacking, both directions, variable lengths, carried state.

Shapes are batch-first throughout: inputs (B, T, D), outputs (B, T, dirs·H). A layer's state has the
cell's state fields stacked as (L·dirs, B, H), in PyTorch's order: layer 0 forward, layer 0 backward,
layer 1 forward, ...

    outputs, state = layer(x)                 # x: (B, T, D)
    outputs, state = layer(x_next, state)     # carry state across chunks (see `detach_state`)
    outputs, state = layer(x, lengths=L)      # L: (B,) real steps per sequence

With `lengths`, outputs past a sequence's end are zero and its final state is the state at its last
real step (for the backward direction: after reading the sequence's first step).

Four ways to run the same cells, chosen by `backend` (see `RecurrentLayer.backend_for`):

    readable   the loop below, one `cell.step` per time step: every cell, and what diagnostics observe
    fused      PyTorch's kernels (`models/fused.py`): rnn, lstm, gru
    scan       all steps at once by a parallel scan (`models/scan.py`): mingru, minlstm, whose
               update h' = a ⊙ h + b is linear in h with a, b from the input alone
    compiled   the loop over time in C++ on the CPU (`models/compiled/`): rnn, lstm, gru, mingru, minlstm;
               built on first use, and where it cannot be, rnnlab warns once and runs the others
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.models import compiled, fused
from rnnlab.models.auto_backend import auto_backend
from rnnlab.models.cells import (
    HiddenState,
    LinearRecurrentCell,
    RecurrentCell,
)
from rnnlab.models.cudnn_weights import FlatWeights
from rnnlab.models.init import initialise
from rnnlab.models.layer_config import (
    FUSED_CELLS,
    LayerState,
    RecurrentConfig,
    Runner,
    make_cell,
)
from rnnlab.models.precision import full_precision
from rnnlab.models.scan import linear_recurrence
from rnnlab.models.state import last_step, reverse_padded, step_mask, validate_lengths


@dataclass(frozen=True)
class StepView:
    """What the loop over time shows an observer at each step (see `RecurrentLayer.observing`)."""

    cell_index: int  # position in `cell_stack`: layer · dirs + direction
    t: int  # step index as the cell reads it (a backward direction reads its sequence reversed)
    x_proj: Tensor  # (B, G·H), the cell's projected input at this step
    before: LayerState  # fields (B, H)
    after: LayerState  # fields (B, H); `after.h` is the h_t the next step and the output both read


Observer = Callable[[StepView], None]


def run_cell(cell: RecurrentCell, x: Tensor, state: LayerState, mask: Tensor | None,
             observe: Callable[[int, Tensor, LayerState, LayerState], None] | None = None
             ) -> tuple[Tensor, LayerState]:
    """The loop over time: step `cell` along x (B, T, D) from `state`; returns outputs (B, T, H).

    Where `mask` (B, T) is False the state is held and the output is zero. `observe(t, x_proj_t,
    state_before, state_after)` is called after every step, for diagnostics.
    """
    x_proj = cell.project_input(x).to(state[0].dtype)  # (B, T, G·H): one matrix multiply for all steps
    outputs = []
    with full_precision(x.device.type):  # a bf16 autocast covers the projection only (models/precision.py)
        # unbind, not x_proj[:, t]: indexing inside the loop makes the backward pass quadratic in T
        for t, x_t in enumerate(x_proj.unbind(1)):  # x_t: (B, G·H)
            h, new_state = cell.step(x_t, state)  # h: (B, H)
            if mask is not None:
                keep = mask[:, t, None]  # (B, 1)
                new_state = type(state)(*(torch.where(keep, n, o) for n, o in zip(new_state, state)))
                h = torch.where(keep, h, 0.0)
            if observe is not None:
                observe(t, x_t, state, new_state)
            state = new_state
            outputs.append(h)
    return torch.stack(outputs, dim=1), state


def run_scan(cell: LinearRecurrentCell, x: Tensor, state: HiddenState, lengths: Tensor | None
             ) -> tuple[Tensor, HiddenState]:
    """What `run_cell` computes for a cell with h' = a ⊙ h + b, all steps at once: x (B, T, D) -> (B, T, H).

    With `lengths`, the outputs past a sequence's end are zeroed and its final state is read at its
    last real step. The scan runs over the padding too, but it is causal: a later step never changes
    an earlier one.
    """
    x_proj = cell.project_input(x).to(state.h.dtype)  # (B, T, G·H)
    with full_precision(x.device.type):
        log_a, log_b = cell.log_coefficients(x_proj)  # each (B, T, H)
        h = linear_recurrence(log_a, log_b, state.h)  # (B, T, H)
    if lengths is None:
        return h, HiddenState(h[:, -1])
    real = step_mask(lengths, x.shape[1], x.device)[..., None]  # (B, T, 1)
    return torch.where(real, h, 0.0), HiddenState(last_step(h, lengths))


class RecurrentLayer(nn.Module):
    """`num_layers` stacked recurrent layers of one cell type, run by the readable loop, the fused
    kernels or the parallel scan (see the module docstring).

    All backends read the same parameters (see `models/cells/base.py` for the layout), so a state
    dict moves between them, and between rnnlab and `nn.RNN/LSTM/GRU` (`models/fused.py`), unchanged.
    """

    def __init__(self, config: RecurrentConfig, generator: torch.Generator | None = None) -> None:
        super().__init__()
        self.config = config
        cells: list[RecurrentCell] = []
        for layer in range(config.num_layers):
            width = config.input_size if layer == 0 else config.output_size
            for _ in range(config.directions):
                cell = make_cell(config, width)
                if cell.recurrent_matrix:
                    initialise(cell, config.init, generator)
                else:  # no U to initialise; the cell's own scheme, from its paper
                    cell.reset_parameters(generator)
                cells.append(cell)
        self.cells = nn.ModuleList(cells)
        self._cell_stack: list[RecurrentCell] = cells  # read at every call: not rebuilt from the ModuleList each time
        self._cudnn_weights = FlatWeights()
        self._steps_with_cell_kernels = config.cell in FUSED_CELLS and not config.lstm_options \
            and config.backend in ("auto", "fused")  # see `forward` and auto_backend: T = 1 runs nn.*Cell's kernels
        self._warned_fallback = False
        self._observer: Observer | None = None

    @contextmanager
    def observing(self, observer: Observer) -> Iterator[None]:
        """Run the readable path and show `observer` every step of every cell (diagnostics).

            views = []
            with layer.observing(views.append):
                outputs, _ = layer(x)        # views[i].after.h.retain_grad() then works for dL/dh_t
        """
        previous, self._observer = self._observer, observer
        try:
            yield
        finally:
            self._observer = previous

    def between_layers(self, x: Tensor) -> Tensor:
        """Dropout between stacked layers, as in nn.LSTM (not after the last one). A function rather than an
        nn.Dropout module: every module costs each `zero_grad` and `parameters()` a visit, which at a single
        step (B = 1) was a measurable share of a training step."""
        return F.dropout(x, self.config.dropout, self.training) if self.config.dropout > 0 else x

    @property
    def cell_stack(self) -> list[RecurrentCell]:
        """The cells in PyTorch's order: layer 0 forward, layer 0 backward, layer 1 forward, ..."""
        return self._cell_stack

    @property
    def state_type(self) -> type[LayerState]:
        return self._cell_stack[0].state_type  # each cell names its state (cells/base.py)

    def initial_state(self, batch_size: int, device: torch.device | None = None,
                      dtype: torch.dtype | None = None) -> LayerState:
        c = self.config
        zeros = torch.zeros(c.num_layers * c.directions, batch_size, c.hidden_size, device=device, dtype=dtype)
        return self.state_type(*(zeros for _ in self.state_type._fields))

    def uses_fused(self, x: Tensor) -> bool:
        """Whether the fused kernels run for input x (see `backend_for`)."""
        return self.backend_for(x) == "fused"

    def backend_for(self, x: Tensor) -> Runner:
        """Which backend runs for input x (B, T, D): the one configured, or the one `auto` picks
        (`models/auto_backend.py`, from what `rnnlab bench` measured). `compiled` asked for where the core
        cannot run (not built, CUDA, bfloat16 weights) runs what `auto` would, after one warning per process.
        """
        c = self.config
        if self._observer is not None:
            return "readable"  # only the readable loop has steps to show
        if c.backend == "compiled":
            if self._compiled_runs(x):
                return "compiled"
        elif c.backend != "auto":
            return c.backend
        runner = auto_backend(c, x, lambda: self._compiled_runs(x), torch.is_grad_enabled())
        if c.lstm_options and not self._warned_fallback:
            warnings.warn(f"backend='auto' runs the readable path: the fused kernels do not support "
                          f"{', '.join(c.lstm_options)}", stacklevel=3)
            self._warned_fallback = True
        return runner

    def _compiled_runs(self, x: Tensor) -> bool:
        """The core supports this layer and input, and is built and loaded (on first use)."""
        return compiled.supports(self.config, self._cell_stack, x) and compiled.load_core() is not None

    def forward(self, x: Tensor, state: LayerState | None = None, lengths: Tensor | None = None
                ) -> tuple[Tensor, LayerState]:
        """x: (B, T, D) -> outputs (B, T, dirs·H), final state (each field (L·dirs, B, H))."""
        c = self.config
        if x.dim() != 3:
            raise ValueError(f"expected input of shape (batch, time, features), got {tuple(x.shape)}")
        B, T, D = x.shape
        if D != c.input_size:
            raise ValueError(f"expected input with {c.input_size} features, got {D}")
        if state is not None:
            self._check_state(state, B)
        if T == 1 and self._steps_with_cell_kernels and lengths is None and self._observer is None \
                and not torch.is_autocast_enabled(x.device.type):
            # what backend_for picks for one step ("fused": nn.*Cell's kernels), without its dispatch: a
            # single step at B = 1 costs little more than the Python around it
            return fused.run_one_step(c, self._cell_stack, self.training, x, state, self.state_type)
        if state is None:  # zeros, shaped like x: one tensor operation
            zeros = x.new_zeros(c.num_layers * c.directions, B, c.hidden_size)
            state = self.state_type(*(zeros for _ in self.state_type._fields))
        checked_lengths = validate_lengths(lengths, B, T)
        backend = self.backend_for(x)
        if backend == "compiled":
            core = compiled.load_core()
            assert core is not None  # backend_for checked
            return compiled.run_compiled(core, c, self._cell_stack, x, state, checked_lengths, self.between_layers)
        if backend == "fused":
            if x.is_cuda:  # cuDNN reads one weight buffer: keep ours packed rather than copied at every call
                self._cudnn_weights.ensure(c, self._cell_stack)
            if not torch.is_autocast_enabled(x.device.type):
                return fused.run_fused(c, self._cell_stack, self.training, x, state, checked_lengths)
            with full_precision(x.device.type):  # the kernels' own input products, too, in the weights' dtype
                return fused.run_fused(c, self._cell_stack, self.training, x, state, checked_lengths)
        return self._run_cells(x, state, checked_lengths, scan=backend == "scan")

    def _run_cells(self, x: Tensor, state: LayerState, lengths: Tensor | None, scan: bool
                   ) -> tuple[Tensor, LayerState]:
        """Layer by layer, direction by direction: each cell by the loop over time, or by the scan."""
        c = self.config
        mask = None if lengths is None else step_mask(lengths, x.shape[1], x.device)  # (B, T)
        if mask is not None:  # padding never enters the arithmetic, so NaN or inf there cannot leak
            x = torch.where(mask[..., None], x, 0.0)
        finals: list[LayerState] = []
        for layer in range(c.num_layers):
            if layer > 0:
                x = self.between_layers(x)
            outputs = []
            for direction in range(c.directions):
                k = layer * c.directions + direction
                cell_state = self.state_type(*(part[k] for part in state))  # each (B, H)
                inputs = x if direction == 0 else reverse_padded(x, lengths)
                cell = self.cell_stack[k]
                final: LayerState
                if scan:
                    assert isinstance(cell, LinearRecurrentCell) and isinstance(cell_state, HiddenState)
                    out, final = run_scan(cell, inputs, cell_state, lengths)  # out: (B, T, H)
                else:
                    observe = None if self._observer is None else self._observe_cell(k)
                    out, final = run_cell(cell, inputs, cell_state, mask, observe)  # out: (B, T, H)
                outputs.append(out if direction == 0 else reverse_padded(out, lengths))
                finals.append(final)
            x = torch.cat(outputs, dim=-1)  # (B, T, dirs·H)
        stacked = self.state_type(*(torch.stack(parts) for parts in zip(*finals)))  # (L·dirs, B, H)
        return x, stacked

    def _observe_cell(self, k: int) -> Callable[[int, Tensor, LayerState, LayerState], None]:
        observer = self._observer
        assert observer is not None

        def observe(t: int, x_proj: Tensor, before: LayerState, after: LayerState) -> None:
            observer(StepView(k, t, x_proj, before, after))

        return observe

    @property
    def output_size(self) -> int:
        return self.config.output_size

    def summary(self, outputs: Tensor, lengths: Tensor | None) -> Tensor:
        """One vector per sequence, outputs (B, T, dirs·H) -> (B, dirs·H): the forward direction at its
        last real step, the backward direction at step 0 (where it has read the whole sequence)."""
        last = last_step(outputs, lengths)  # (B, dirs·H)
        if not self.config.bidirectional:
            return last
        H = self.config.hidden_size
        return torch.cat([last[:, :H], outputs[:, 0, H:]], dim=-1)

    def _check_state(self, state: LayerState, batch_size: int) -> None:
        c = self.config
        expected = (c.num_layers * c.directions, batch_size, c.hidden_size)
        if not isinstance(state, self.state_type):
            raise ValueError(f"a {c.cell} layer takes a {self.state_type.__name__} state, "
                             f"got {type(state).__name__}")
        for name, part in zip(state._fields, state):
            if part.shape != expected:
                raise ValueError(f"state.{name} must have shape {expected}, got {tuple(part.shape)}")

    def extra_repr(self) -> str:
        c = self.config
        return f"cell={c.cell}, layers={c.num_layers}, bidirectional={c.bidirectional}, backend={c.backend}"
