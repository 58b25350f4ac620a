"""Models built on a core: input encoder -> recurrent layers (or a Transformer) -> head.

A core is anything with `forward(x, state=None, lengths=None) -> (outputs, state)`, `output_size`
and `summary(outputs, lengths)`: `RecurrentLayer` and `CausalTransformer` both are.

    SequenceModel, per_step=True :  (B, T) tokens or (B, T, D) features -> (B, T, O)  tagging, LM
    SequenceModel, per_step=False:  (B, T) tokens or (B, T, D) features -> (B, O)     classify, regress
    EncoderDecoder (seq2seq.py)  :  source (B, S), target-in (B, T) tokens -> (B, T, V) logits
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

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
    # Sequence to sequence: inputs are (source (B, S), target-in (B, T)) token ids; input_size is the source
    # vocabulary, output_size the target's; the model is an encoder-decoder (models/seq2seq.py).
    pairs: bool = False

    def __post_init__(self) -> None:
        if self.input_size <= 0 or self.output_size <= 0:
            raise ValueError(f"input_size and output_size must be positive, got {self.input_size}, "
                             f"{self.output_size}")
        if self.pairs and not (self.tokens and self.per_step):
            raise ValueError("sequence-to-sequence inputs are token ids with an output per target step")


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


Pooling = Literal["last", "mean", "max"]
POOLINGS: tuple[Pooling, ...] = ("last", "mean", "max")


def pool(outputs: Tensor, lengths: Tensor | None, how: Pooling) -> Tensor:
    """outputs (B, T, F) -> (B, F): the mean or the maximum over each sequence's real steps ("last" is the
    core's own `summary`). Max-pooling over time is what sentence encoders such as Conneau et al. (2017)
    found best for bidirectional LSTMs."""
    T = outputs.shape[1]
    real = torch.ones(outputs.shape[:2], dtype=torch.bool, device=outputs.device) if lengths is None else \
        torch.arange(T, device=outputs.device)[None, :] < lengths.to(outputs.device)[:, None]  # (B, T)
    if how == "mean":
        weights = real.unsqueeze(-1).to(outputs.dtype)  # (B, T, 1)
        return (outputs * weights).sum(1) / weights.sum(1)
    return outputs.masked_fill(~real.unsqueeze(-1), float("-inf")).amax(dim=1)


class SequenceModel(nn.Module):
    """Input encoder + core + linear head; the one call every task and the trainer use.

    `dropout` (training only) drops token embeddings on their way in and the core's outputs on their way to
    the head: the non-recurrent connections, where Zaremba et al. (2014) regularise recurrent networks; the
    recurrence itself is left alone. Between stacked layers the core drops with the same rate. A model with
    one output per sequence reads the core's `summary` (its last real step; "last") or pools its outputs
    over time (`pooling` "mean" or "max")."""

    def __init__(self, encoder: InputEncoder, core: Core, io: IOSpec, dropout: float = 0.0,
                 pooling: Pooling = "last") -> None:
        super().__init__()
        self.io = io
        self.encoder = encoder
        self.core: Core = core
        self.head = nn.Linear(core.output_size, io.output_size)
        self.drop = nn.Dropout(dropout)
        self.pooling = pooling

    def forward(self, inputs: Tensor, state: Any = None, lengths: Tensor | None = None) -> tuple[Tensor, Any]:
        """inputs (B, T) or (B, T, D) -> outputs (B, T, O) per step, or (B, O) per sequence; state."""
        x = self.encoder(inputs)  # (B, T, E)
        if self.io.tokens:
            x = self.drop(x)
        outputs, state = self.core(x, state, lengths)  # (B, T, F)
        if not self.io.per_step:
            outputs = self.core.summary(outputs, lengths) if self.pooling == "last" else \
                pool(outputs, lengths, self.pooling)  # (B, F)
        return self.head(self.drop(outputs)), state
