"""PyTorch's fused recurrent kernels (oneDNN on CPU for the LSTM, cuDNN on GPU) behind our layer.

The fused path owns no parameters: it hands the cells' own tensors to the same kernels that
`nn.RNN/LSTM/GRU` call, in their flat order (per layer, per direction: weight_ih, weight_hh, bias_ih,
bias_hh). The readable and fused paths therefore compute one function of one set of weights, which
tests/models/test_fused.py checks. `load_from_torch` / `to_torch` move weights from and to the
`torch.nn` modules, whose parameter names map one to one onto ours.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import _VF, Tensor, nn
from torch.nn.utils.rnn import PackedSequence, pack_padded_sequence, pad_packed_sequence

from rnnlab.models.cells import LSTMState
from rnnlab.models.recurrent import LayerState, RecurrentConfig, RecurrentLayer


def flat_weights(layer: RecurrentLayer) -> list[Tensor]:
    """The cells' parameters in the order the kernels take them."""
    weights: list[Tensor] = []
    for cell in layer.cell_stack:
        weights += [cell.x_to_gates.weight, cell.h_to_gates.weight, cell.x_to_gates.bias, cell.h_to_gates.bias]
    return weights


def _kernel(config: RecurrentConfig) -> Any:
    if config.cell == "lstm":
        return _VF.lstm
    if config.cell == "gru":
        return _VF.gru
    return _VF.rnn_tanh if config.nonlinearity == "tanh" else _VF.rnn_relu


def run_fused(layer: RecurrentLayer, x: Tensor, state: LayerState, lengths: Tensor | None
              ) -> tuple[Tensor, LayerState]:
    """The same computation as the readable loop, in one kernel call. x: (B, T, D)."""
    c = layer.config
    kernel = _kernel(c)
    hx: Any = (state.h, state.c) if isinstance(state, LSTMState) else state.h
    args = (flat_weights(layer), True, c.num_layers, c.dropout, layer.training, c.bidirectional)
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
    return output, layer.state_type(*final)


def torch_module_type(config: RecurrentConfig) -> Any:
    return {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[config.cell]


def _torch_names(config: RecurrentConfig) -> list[str]:
    names = []
    for layer in range(config.num_layers):
        for direction in range(config.directions):
            suffix = f"_l{layer}" + ("_reverse" if direction else "")
            names += [f"weight_ih{suffix}", f"weight_hh{suffix}", f"bias_ih{suffix}", f"bias_hh{suffix}"]
    return names


@torch.no_grad()
def load_from_torch(layer: RecurrentLayer, module: nn.RNNBase) -> None:
    """Copy the weights of an `nn.RNN/LSTM/GRU` of the same shape into `layer`."""
    names = _torch_names(layer.config)
    ours = flat_weights(layer)
    if not isinstance(module, torch_module_type(layer.config)):
        raise ValueError(f"expected a {torch_module_type(layer.config).__name__}, got {type(module).__name__}")
    for name, target in zip(names, ours):
        source = getattr(module, name, None)
        if source is None or source.shape != target.shape:
            got = None if source is None else tuple(source.shape)
            raise ValueError(f"{type(module).__name__}.{name} has shape {got}, expected {tuple(target.shape)}")
        target.copy_(source)


def to_torch(layer: RecurrentLayer) -> nn.RNNBase:
    """A batch-first `nn.RNN/LSTM/GRU` holding a copy of `layer`'s weights."""
    c = layer.config
    if c.lstm_options:
        raise ValueError(f"torch.nn has no LSTM with {', '.join(c.lstm_options)}")
    kwargs = {"nonlinearity": c.nonlinearity} if c.cell == "rnn" else {}
    module = torch_module_type(c)(c.input_size, c.hidden_size, num_layers=c.num_layers, dropout=c.dropout,
                                  bidirectional=c.bidirectional, batch_first=True, **kwargs)
    ref = flat_weights(layer)[0]
    module.to(device=ref.device, dtype=ref.dtype)
    with torch.no_grad():
        for name, source in zip(_torch_names(c), flat_weights(layer)):
            getattr(module, name).copy_(source)
    return module
