"""Weights to and from `torch.nn.RNN/LSTM/GRU`, whose parameter names map one to one onto ours.

    load_from_torch(layer, nn.LSTM(8, 64, num_layers=2, batch_first=True))
    module = to_torch(layer)          # a plain nn.LSTM holding a copy of the layer's weights
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from rnnlab.models.fused import flat_weights
from rnnlab.models.layer_config import RecurrentConfig
from rnnlab.models.recurrent import RecurrentLayer


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
    ours = flat_weights(layer.cell_stack)
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
    ref = flat_weights(layer.cell_stack)[0]
    module.to(device=ref.device, dtype=ref.dtype)
    with torch.no_grad():
        for name, source in zip(_torch_names(c), flat_weights(layer.cell_stack)):
            getattr(module, name).copy_(source)
    return module
