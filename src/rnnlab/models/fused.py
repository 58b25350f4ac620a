"""PyTorch's fused recurrent kernels (oneDNN on CPU for the LSTM, cuDNN on GPU) behind our layer.

The fused path owns no parameters: it hands the cells' own tensors to the same kernels that
`nn.RNN/LSTM/GRU` call, in their flat order (per layer, per direction: weight_ih, weight_hh, bias_ih,
bias_hh). The readable and fused paths therefore compute one function of one set of weights, which
tests/models/test_fused.py checks. This module reads cells and a config, not the layer, so that the
layer (recurrent.py) imports it and nothing imports back; `models/torch_interop.py` moves weights from
and to the `torch.nn` modules.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

import torch
import torch.nn.functional as F
from torch import _VF, Tensor
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from rnnlab.models.cells import LSTMState, RecurrentCell
from rnnlab.models.layer_config import LayerState, RecurrentConfig


def flat_weights(cells: Sequence[RecurrentCell]) -> list[Tensor]:
    """The cells' parameters (layer 0 forward, layer 0 backward, layer 1 forward, ...) in the order the
    kernels take them."""
    weights: list[Tensor] = []
    for cell in cells:
        weights += [cell.x_to_gates.weight, cell.h_to_gates.weight, cell.x_to_gates.bias, cell.h_to_gates.bias]
    return weights


def _kernel(config: RecurrentConfig) -> Any:
    if config.cell == "lstm":
        return _VF.lstm
    if config.cell == "gru":
        return _VF.gru
    return _VF.rnn_tanh if config.nonlinearity == "tanh" else _VF.rnn_relu


def run_fused(config: RecurrentConfig, cells: Sequence[RecurrentCell], training: bool, x: Tensor,
              state: LayerState, lengths: Tensor | None) -> tuple[Tensor, LayerState]:
    """The same computation as the readable loop over `cells`, in one kernel call. x: (B, T, D).

    A single step (T = 1) runs the cell kernels instead, the ones `nn.RNNCell/LSTMCell/GRUCell` call: the
    sequence kernels' set-up costs more than the step itself there (oneDNN's LSTM: 2.7x the readable cell).
    """
    c = config
    if x.shape[1] == 1:
        return run_one_step(config, cells, training, x, state, type(state))
    kernel = _kernel(c)
    hx: Any = (state.h, state.c) if isinstance(state, LSTMState) else state.h
    args = (flat_weights(cells), True, c.num_layers, c.dropout, training, c.bidirectional)
    if lengths is None:
        output, *final = kernel(x, hx, *args, True)  # batch_first=True
    else:
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        order, unorder = packed.sorted_indices, packed.unsorted_indices
        assert order is not None and unorder is not None
        hx = tuple(part.index_select(1, order) for part in hx) if isinstance(hx, tuple) \
            else hx.index_select(1, order)
        data, *final = kernel(packed.data, packed.batch_sizes, hx, *args)
        final = [part.index_select(1, unorder) for part in final]
        output, _ = pad_packed_sequence(PackedSequence(data, packed.batch_sizes, order, unorder),
                                        batch_first=True, total_length=x.shape[1])
    return output, type(state)(*final)


def run_one_step(config: RecurrentConfig, cells: Sequence[RecurrentCell], training: bool, x: Tensor,
                 state: LayerState | None, state_type: type[LayerState]) -> tuple[Tensor, LayerState]:
    """One time step through the stack with `_VF.*_cell`, x (B, 1, D) -> outputs (B, 1, dirs·H), from `state`
    or zeros. At T = 1 both directions read the same step, and every length is 1. Written for few tensor
    operations: at B = 1 each costs more than the arithmetic."""
    c = config
    x_t = x.select(1, 0)  # (B, D)
    kernel = _cell_kernel(c)
    zeros = x_t.new_zeros(x_t.shape[0], c.hidden_size) if state is None else None  # (B, H)
    finals: list[tuple[Tensor, ...]] = []
    for layer in range(c.num_layers):
        if layer > 0 and c.dropout > 0:
            x_t = F.dropout(x_t, c.dropout, training)
        outputs = []
        for direction in range(c.directions):
            k = layer * c.directions + direction
            parts = [zeros for _ in state_type._fields] if state is None else [part.select(0, k) for part in state]
            if state_type is LSTMState:
                final = kernel(x_t, tuple(parts), *step_weights(cells[k]))
            else:
                final = (kernel(x_t, parts[0], *step_weights(cells[k])),)
            finals.append(final)
            outputs.append(final[0])
        x_t = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=-1)  # (B, dirs·H)
    if len(finals) == 1:
        return x_t.unsqueeze(1), state_type(*(part.unsqueeze(0) for part in finals[0]))
    return x_t.unsqueeze(1), state_type(*(torch.stack(parts) for parts in zip(*finals)))


def step_weights(cell: RecurrentCell) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """(weight_ih, weight_hh, bias_ih, bias_hh) of one cell, read from its Linear modules' parameter tables:
    `linear.weight` goes through nn.Module.__getattr__, ~2 µs a lookup here, which at B = 1 was a quarter of
    what rnnlab added to a single step over nn.RNNCell."""
    modules = cell._modules  # the cell's own table: `cell.x_to_gates` would go through __getattr__ as well
    x_params, h_params = modules["x_to_gates"]._parameters, modules["h_to_gates"]._parameters  # type: ignore[union-attr]
    weights = (x_params["weight"], h_params["weight"], x_params["bias"], h_params["bias"])
    assert all(w is not None for w in weights)  # every cell's projections have weights and biases
    return cast(tuple[Tensor, Tensor, Tensor, Tensor], weights)


def _cell_kernel(config: RecurrentConfig) -> Any:
    if config.cell in ("lstm", "gru"):
        return _CELL_KERNELS[config.cell]
    return _CELL_KERNELS[f"rnn_{config.nonlinearity}"]


_CELL_KERNELS = {"lstm": _VF.lstm_cell, "gru": _VF.gru_cell, "rnn_tanh": _VF.rnn_tanh_cell,
                 "rnn_relu": _VF.rnn_relu_cell}  # looked up once: each `_VF.name` goes through a __getattr__
