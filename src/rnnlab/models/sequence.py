"""Models built on a core: input encoder -> recurrent layers (or a Transformer) -> head.

A core is anything with `forward(x, state=None, lengths=None) -> (outputs, state)`, `output_size`
and `summary(outputs, lengths)`: `RecurrentLayer` and `CausalTransformer` both are.

    SequenceModel, per_step=True :  (B, T) tokens or (B, T, D) features -> (B, T, O)  tagging, LM
    SequenceModel, per_step=False:  (B, T) tokens or (B, T, D) features -> (B, O)     classify, regress
    EncoderDecoder               :  source (B, S), target-in (B, T) tokens -> (B, T, V) logits
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.models.recurrent import RecurrentLayer
from rnnlab.models.transformer import CausalTransformer

Core = RecurrentLayer | CausalTransformer


@dataclass(frozen=True)
class IOSpec:
    """What a task feeds a model and wants back."""

    input_size: int  # features D per step, or the vocabulary size V when `tokens`
    output_size: int  # classes, regression targets, or the output vocabulary
    tokens: bool = False  # integer inputs (B, T) through an embedding, rather than (B, T, D) floats
    per_step: bool = True  # an output at every step (tagging, language models) or one per sequence

    def __post_init__(self) -> None:
        if self.input_size <= 0 or self.output_size <= 0:
            raise ValueError(f"input_size and output_size must be positive, got {self.input_size}, "
                             f"{self.output_size}")


class InputEncoder(nn.Module):
    """Tokens (B, T) -> embeddings (B, T, E); features (B, T, D) -> (B, T, E) by a linear map, or as
    they are when no width is asked for (a recurrent layer's W_ih is already a linear input map)."""

    def __init__(self, io: IOSpec, width: int | None) -> None:
        super().__init__()
        self.io = io
        self.to_width: nn.Module
        if io.tokens:
            self.to_width = nn.Embedding(io.input_size, width or io.input_size)
        else:
            self.to_width = nn.Identity() if width is None else nn.Linear(io.input_size, width)
        self.output_size = width or io.input_size

    def forward(self, inputs: Tensor) -> Tensor:
        if self.io.tokens:
            if inputs.dim() != 2 or inputs.is_floating_point():
                raise ValueError(f"expected integer tokens of shape (batch, time), got {inputs.dtype} "
                                 f"{tuple(inputs.shape)}")
            if inputs.numel() and (int(inputs.min()) < 0 or int(inputs.max()) >= self.io.input_size):
                raise ValueError(f"token ids must lie in [0, {self.io.input_size}), got "
                                 f"[{int(inputs.min())}, {int(inputs.max())}]")
        elif inputs.dim() != 3 or inputs.shape[-1] != self.io.input_size:
            raise ValueError(f"expected inputs of shape (batch, time, {self.io.input_size}), got {tuple(inputs.shape)}")
        return self.to_width(inputs)


class SequenceModel(nn.Module):
    """Input encoder + core + linear head; the one call every task and the trainer use."""

    def __init__(self, encoder: InputEncoder, core: Core, io: IOSpec) -> None:
        super().__init__()
        self.io = io
        self.encoder = encoder
        self.core: Core = core
        self.head = nn.Linear(core.output_size, io.output_size)

    def forward(self, inputs: Tensor, state: Any = None, lengths: Tensor | None = None) -> tuple[Tensor, Any]:
        """inputs (B, T) or (B, T, D) -> outputs (B, T, O) per step, or (B, O) per sequence; state."""
        x = self.encoder(inputs)  # (B, T, E)
        outputs, state = self.core(x, state, lengths)  # (B, T, F)
        if not self.io.per_step:
            outputs = self.core.summary(outputs, lengths)  # (B, F)
        return self.head(outputs), state


class EncoderDecoder(nn.Module):
    """Sequence to sequence (Sutskever et al. 2014; Cho et al. 2014): the encoder's final state is the
    decoder's initial state. Teacher forcing: `forward((source, target_in))` gives logits for every
    target step; `decode` one chunk at a time carries state for step-by-step generation.

    A bidirectional encoder's two directions are concatenated per layer, so the decoder's hidden size
    is the encoder's times two (`bridge`).
    """

    def __init__(self, source: InputEncoder, encoder: RecurrentLayer, target: InputEncoder,
                 decoder: RecurrentLayer, output_size: int) -> None:
        super().__init__()
        enc, dec = encoder.config, decoder.config
        if dec.bidirectional or dec.hidden_size != enc.output_size or dec.num_layers != enc.num_layers \
                or dec.cell != enc.cell:
            raise ValueError("the decoder must be a unidirectional stack of the encoder's cell with as many "
                             "layers and hidden size = encoder directions x encoder hidden size")
        self.source, self.encoder, self.target, self.decoder = source, encoder, target, decoder
        self.head = nn.Linear(dec.hidden_size, output_size)

    def bridge(self, state: Any) -> Any:
        """Encoder state, fields (L·dirs, B, H) -> decoder state, fields (L, B, dirs·H)."""
        dirs = self.encoder.config.directions
        if dirs == 1:
            return state
        return type(state)(*(torch.cat([part[0::2], part[1::2]], dim=-1) for part in state))

    def encode(self, source: Tensor, lengths: Tensor | None = None) -> tuple[Tensor, Any]:
        """source (B, S) -> memory (B, S, dirs·H), decoder initial state."""
        memory, state = self.encoder(self.source(source), None, lengths)
        return memory, self.bridge(state)

    def decode(self, target_in: Tensor, state: Any) -> tuple[Tensor, Any]:
        """target_in (B, T) -> logits (B, T, V), state after the chunk."""
        outputs, state = self.decoder(self.target(target_in), state)  # (B, T, H_dec)
        return self.head(outputs), state

    def forward(self, inputs: tuple[Tensor, Tensor], state: Any = None, lengths: Tensor | None = None
                ) -> tuple[Tensor, Any]:
        """inputs = (source (B, S), target_in (B, T)); `lengths` are the source lengths."""
        source, target_in = inputs
        if state is None:
            _, state = self.encode(source, lengths)
        return self.decode(target_in, state)
