"""A whole `SequenceModel` (input encoder, core, head) as one TorchScript module, the graph both the
TorchScript and the ONNX export write.

    exported = scripted_sequence_model(model)          # model: SequenceModel, any registered core
    outputs = exported(inputs, lengths)                # as model(inputs, None, lengths)[0]

inputs are (B, T) token ids (int64) or (B, T, D) features (float32); lengths (B,) the real steps of each
sequence (int64; every one at most T). Outputs are (B, T, O) per step or (B, O) per sequence, as the
model's. A recurrent core is the scripted loop of export/recurrent.py; the Transformer has no loop over
time, so its forward is traced whole (any B, and T up to its `max_len`).
"""

# No `from __future__ import annotations`: TorchScript reads these annotations as objects, not strings.
import copy
from typing import Final, Optional

import torch
from torch import Tensor, nn

from rnnlab.export.recurrent import EXAMPLE_BATCH, EXAMPLE_STEPS, ScriptedRecurrent, trace
from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.sequence import SequenceModel
from rnnlab.models.transformer import CausalTransformer


def last_step(outputs: Tensor, lengths: Tensor) -> Tensor:
    """outputs (B, T, F) -> (B, F) at each sequence's last real step (rnnlab.models.state.last_step)."""
    index = (lengths - 1).view(-1, 1, 1).expand(outputs.shape[0], 1, outputs.shape[2])  # (B, 1, F)
    return outputs.gather(1, index).squeeze(1)


class RecurrentCore(nn.Module):
    """A recurrent core from a zero state: x (B, T, E), lengths -> outputs (B, T, F), and its summary."""

    bidirectional: Final[bool]
    hidden_size: Final[int]

    def __init__(self, layer: RecurrentLayer) -> None:
        super().__init__()
        self.layer = ScriptedRecurrent(layer)
        self.bidirectional, self.hidden_size = layer.config.bidirectional, layer.config.hidden_size

    def forward(self, x: Tensor, lengths: Tensor) -> Tensor:
        zeros = self.layer.initial_state(x)
        return self.layer(x, lengths, zeros, zeros)[0]

    @torch.jit.export
    def summary(self, outputs: Tensor, lengths: Tensor) -> Tensor:
        """RecurrentLayer.summary: the forward direction at the last real step, the backward at step 0."""
        last = last_step(outputs, lengths)  # (B, dirs·H)
        if not self.bidirectional:
            return last
        return torch.cat([last[:, :self.hidden_size], outputs[:, 0, self.hidden_size:]], dim=-1)


class _TransformerForward(nn.Module):
    def __init__(self, core: CausalTransformer) -> None:
        super().__init__()
        self.core = core

    def forward(self, x: Tensor, lengths: Tensor) -> Tensor:
        return self.core(x, None, lengths)[0]


class TransformerCore(nn.Module):
    """The causal Transformer from an empty context, traced: x (B, T, d), lengths -> outputs (B, T, d)."""

    def __init__(self, core: CausalTransformer) -> None:
        super().__init__()
        x = torch.zeros(EXAMPLE_BATCH, EXAMPLE_STEPS, core.config.input_size)
        lengths = torch.full((EXAMPLE_BATCH,), EXAMPLE_STEPS, dtype=torch.int64)
        self.forward_traced = trace(_TransformerForward(core), (x, lengths))

    def forward(self, x: Tensor, lengths: Tensor) -> Tensor:
        return self.forward_traced(x, lengths)

    @torch.jit.export
    def summary(self, outputs: Tensor, lengths: Tensor) -> Tensor:
        return last_step(outputs, lengths)


class ExportedSequenceModel(nn.Module):
    """encoder -> core -> (summary) -> head, from a SequenceModel's own modules and weights."""

    per_step: Final[bool]

    def __init__(self, model: SequenceModel) -> None:
        super().__init__()
        self.per_step = model.io.per_step
        self.encoder = model.encoder.to_width  # nn.Embedding, nn.Linear or nn.Identity
        core = model.core
        self.core = RecurrentCore(core) if isinstance(core, RecurrentLayer) else TransformerCore(core)
        self.head = model.head

    def forward(self, inputs: Tensor, lengths: Optional[Tensor] = None) -> Tensor:  # noqa: UP045 (TorchScript)
        """inputs (B, T) or (B, T, D), lengths (B,) (default: every sequence T steps) -> outputs (B, T, O)
        or (B, O)."""
        if lengths is None:
            lengths = torch.full([inputs.shape[0]], inputs.shape[1], dtype=torch.int64, device=inputs.device)
        return self.run(inputs, lengths)

    @torch.jit.export
    def run(self, inputs: Tensor, lengths: Tensor) -> Tensor:
        """`forward` with the lengths given (the ONNX graph's signature: an optional input defeats ONNX Runtime)."""
        x = self.encoder(inputs)  # (B, T, E)
        outputs = self.core(x, lengths)  # (B, T, F)
        if not self.per_step:
            outputs = self.core.summary(outputs, lengths)  # (B, F)
        return self.head(outputs)


class WithLengths(nn.Module):
    """The scripted model with `lengths` required, for the ONNX exporter."""

    def __init__(self, model: torch.jit.ScriptModule) -> None:
        super().__init__()
        self.model = model

    def forward(self, inputs: Tensor, lengths: Tensor) -> Tensor:
        return self.model.run(inputs, lengths)


def scripted_sequence_model(model: SequenceModel) -> torch.jit.ScriptModule:
    """The TorchScript module of `model` in eval mode, on the CPU in float32 (the model is not changed)."""
    frozen = copy.deepcopy(model).float().cpu().eval()
    for parameter in frozen.parameters():
        parameter.requires_grad_(False)
    return torch.jit.script(ExportedSequenceModel(frozen))
