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
from typing import Any

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
    """The same computation as the readable loop over `cells`, in one kernel call. x: (B, T, D)."""
    c = config
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
