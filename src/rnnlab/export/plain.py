"""The `torch` export: a model as plain nn.LSTM / nn.GRU / nn.RNN + nn.Linear modules, loaded without rnnlab.

The export folder gets export/standalone.py as `model.py` (the loader, which imports only torch), the
weights as `weights.pt` (a state dict, `torch.load(weights_only=True)`), and the sizes in export.json.
Only what torch.nn has a module for can go this way: the Elman RNN (tanh or ReLU), the LSTM and the GRU,
with an embedding or raw features in and a linear head out. Anything else is refused with the reason and
the formats that do work (`plain_refusal`).
"""

from __future__ import annotations

import inspect
from typing import Any

import torch

from rnnlab.export import standalone
from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.sequence import SequenceModel
from rnnlab.models.torch_interop import to_torch

OTHER_FORMATS = "export it with --format onnx or --format torchscript"
NOT_IN_TORCH = {  # why torch.nn cannot hold a cell, by what makes it different
    "peephole": "nn.LSTM has no peephole connections",
    "cifg": "nn.LSTM has no coupled input-forget gate",
    "layer_norm": "nn.LSTM has no layer normalisation inside the cell",
    "mingru": "torch.nn has no minGRU (gates from the input alone)",
    "minlstm": "torch.nn has no minLSTM (gates from the input alone)",
    "indrnn": "torch.nn has no IndRNN (an element-wise recurrent weight)",
}


def plain_refusal(model: Any, name: str) -> str | None:
    """Why `model` (registered as `name`) cannot be written as plain torch.nn modules; None when it can."""
    if not isinstance(model, SequenceModel):
        return (f"a sequence-to-sequence {name} model has an encoder, a decoder and attention, which plain "
                f"torch.nn modules and a short loader do not express; {OTHER_FORMATS}")
    if not isinstance(model.core, RecurrentLayer):
        return f"the Transformer core is not an nn.LSTM, nn.GRU or nn.RNN; {OTHER_FORMATS}"
    config = model.core.config
    reasons = [NOT_IN_TORCH[option] for option in config.lstm_options]
    if config.cell in NOT_IN_TORCH:
        reasons.append(NOT_IN_TORCH[config.cell])
    if reasons:
        return f"{name} cannot be plain torch.nn modules: {'; '.join(reasons)}; {OTHER_FORMATS}"
    return None


def plain_config(model: SequenceModel) -> dict[str, Any]:
    """The sizes standalone.load builds the network from (export.json["torch"])."""
    assert isinstance(model.core, RecurrentLayer)
    c, io = model.core.config, model.io
    return {"cell": c.cell, "nonlinearity": c.nonlinearity, "input_size": io.input_size,
            "embed_size": model.encoder.output_size if io.tokens else None, "hidden_size": c.hidden_size,
            "num_layers": c.num_layers, "bidirectional": c.bidirectional, "tokens": io.tokens,
            "per_step": io.per_step, "output_size": io.output_size}


def plain_model(model: SequenceModel) -> standalone.SequenceModel:
    """standalone.SequenceModel holding copies of `model`'s weights, on the CPU in float32, in eval mode."""
    refusal = plain_refusal(model, type(model).__name__)
    if refusal is not None:
        raise ValueError(refusal)
    assert isinstance(model.core, RecurrentLayer)
    plain = standalone.SequenceModel(plain_config(model))
    with torch.no_grad():
        plain.rnn.load_state_dict(to_torch(model.core).state_dict())
        if model.io.tokens:
            plain.encoder.load_state_dict(model.encoder.to_width.state_dict())
        plain.head.load_state_dict(model.head.state_dict())
    return plain.float().cpu().eval()


def loader_source() -> str:
    """The text of the loader written as model.py."""
    return inspect.getsource(standalone)
