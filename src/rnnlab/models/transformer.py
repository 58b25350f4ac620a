"""A causal Transformer baseline (Vaswani et al. 2017, decoder-only, pre-norm) with the recurrent call.

It takes the same call as the recurrent layer, `forward(x, state=None, lengths=None) -> (outputs,
state)`, so the trainer never asks which model it holds. Its "state" is the context it has seen: the
projected inputs of earlier chunks, up to `max_len` steps (no key-value cache; every call recomputes
attention over the context). Feeding a sequence in chunks therefore gives the same outputs as one
call while the whole sequence fits in `max_len`; past that the context slides.

    z = W_in x + PE(position)                                   (B, T, d)
    z = z + Attention(LN(z))    softmax(Q Kᵀ/√d_head + causal) V, per head   × num_layers
    z = z + FFN(LN(z))          FFN: d -> ff_mult·d -> d, GELU
    y = LN(z)

Each block computes what `nn.TransformerEncoderLayer(norm_first=True, activation="gelu")` computes
(tests/models/test_transformer.py copies weights across to check), but through
`scaled_dot_product_attention(is_causal=True)`: PyTorch's encoder layer, in eval mode, takes a
"fast path" that materialises the full T x T mask and ran 6.6x slower at T = 1000 (benchmarks).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal, NamedTuple

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from rnnlab.models.state import last_step, step_mask, validate_lengths

Positions = Literal["sinusoidal", "learned"]


@dataclass(frozen=True)
class TransformerConfig:
    input_size: int
    d_model: int = 128
    num_layers: int = 2
    num_heads: int = 4
    ff_mult: int = 4  # feed-forward width = ff_mult · d_model (Vaswani et al. 2017 use 4)
    dropout: float = 0.0
    positions: Positions = "sinusoidal"
    max_len: int = 1024  # context window: positions beyond it slide out of view

    def __post_init__(self) -> None:
        for name in ("input_size", "d_model", "num_layers", "num_heads", "ff_mult", "max_len"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.d_model % self.num_heads:
            raise ValueError(f"d_model ({self.d_model}) must be divisible by num_heads ({self.num_heads})")
        if self.positions not in ("sinusoidal", "learned"):
            raise ValueError(f"positions must be 'sinusoidal' or 'learned', got {self.positions!r}")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")


class TransformerState(NamedTuple):
    context: Tensor  # (B, T_ctx, d): projected inputs seen so far, T_ctx ≤ max_len

    @property
    def batch_dim(self) -> int:
        """The batch is dim 0 here, not dim 1 as in recurrent states: code that resets rows reads this."""
        return 0


def sinusoidal_positions(length: int, d_model: int) -> Tensor:
    """PE[p, 2k] = sin(p / 10000^(2k/d)), PE[p, 2k+1] = cos(...) (Vaswani et al. 2017, section 3.5)."""
    position = torch.arange(length, dtype=torch.float64)[:, None]  # (T, 1)
    frequency = torch.exp(torch.arange(0, d_model, 2, dtype=torch.float64) * (-math.log(10000.0) / d_model))
    table = torch.zeros(length, d_model, dtype=torch.float64)
    table[:, 0::2] = torch.sin(position * frequency)
    table[:, 1::2] = torch.cos(position * frequency)[:, : d_model // 2]
    return table  # (T, d)


class CausalSelfAttention(nn.Module):
    """Multi-head attention where step t attends to steps ≤ t (Vaswani et al. 2017, section 3.2)."""

    def __init__(self, d_model: int, num_heads: int, dropout: float) -> None:
        super().__init__()
        self.num_heads = num_heads
        self.dropout = dropout
        self.to_qkv = nn.Linear(d_model, 3 * d_model)  # queries, keys and values, stacked in that order
        self.to_output = nn.Linear(d_model, d_model)

    def forward(self, z: Tensor) -> Tensor:
        B, T, d = z.shape
        q, k, v = self.to_qkv(z).view(B, T, 3, self.num_heads, d // self.num_heads).permute(2, 0, 3, 1, 4)
        # q, k, v: each (B, heads, T, d_head)
        y = F.scaled_dot_product_attention(q, k, v, dropout_p=self.dropout if self.training else 0.0,
                                           is_causal=True)  # (B, heads, T, d_head)
        return self.to_output(y.transpose(1, 2).reshape(B, T, d))  # (B, T, d)


class TransformerBlock(nn.Module):
    """Pre-norm block: z + Attention(LN(z)), then z + FFN(LN(z)) (Xiong et al. 2020)."""

    def __init__(self, d_model: int, num_heads: int, ff_width: int, dropout: float) -> None:
        super().__init__()
        self.attention_norm = nn.LayerNorm(d_model)
        self.attention = CausalSelfAttention(d_model, num_heads, dropout)
        self.feed_forward_norm = nn.LayerNorm(d_model)
        self.feed_forward = nn.Sequential(nn.Linear(d_model, ff_width), nn.GELU(), nn.Dropout(dropout),
                                          nn.Linear(ff_width, d_model))
        self.residual_dropout = nn.Dropout(dropout)

    def forward(self, z: Tensor) -> Tensor:
        z = z + self.residual_dropout(self.attention(self.attention_norm(z)))  # (B, T, d)
        return z + self.residual_dropout(self.feed_forward(self.feed_forward_norm(z)))  # (B, T, d)


class CausalTransformer(nn.Module):
    """Decoder-only Transformer over (B, T, D) inputs; outputs (B, T, d_model)."""

    def __init__(self, config: TransformerConfig) -> None:
        super().__init__()
        self.config = config
        d = config.d_model
        self.input_to_model = nn.Linear(config.input_size, d)
        if config.positions == "learned":
            self.position_embedding = nn.Embedding(config.max_len, d)
        else:
            self.position_table: Tensor
            self.register_buffer("position_table", sinusoidal_positions(config.max_len, d).float(), persistent=False)
        self.blocks = nn.ModuleList(TransformerBlock(d, config.num_heads, config.ff_mult * d, config.dropout)
                                    for _ in range(config.num_layers))
        self.final_norm = nn.LayerNorm(d)

    @property
    def output_size(self) -> int:
        return self.config.d_model

    def positions(self, length: int, like: Tensor) -> Tensor:
        if self.config.positions == "learned":
            return self.position_embedding.weight[:length].to(like.dtype)  # (T, d)
        return self.position_table[:length].to(like.dtype)  # (T, d)

    def forward(self, x: Tensor, state: TransformerState | None = None, lengths: Tensor | None = None
                ) -> tuple[Tensor, TransformerState]:
        """x: (B, T, D) -> outputs (B, T, d), state holding the last ≤ max_len projected inputs.

        With `lengths`, outputs past each sequence's end are zero; causal attention already keeps
        padding at the end from reaching real steps. The state then holds the padded context, so carry
        state only across equal-length chunks.
        """
        c = self.config
        if x.dim() != 3 or x.shape[-1] != c.input_size:
            raise ValueError(f"expected input of shape (batch, time, {c.input_size}), got {tuple(x.shape)}")
        B, T, _ = x.shape
        checked_lengths = validate_lengths(lengths, B, T)
        z = self.input_to_model(x)  # (B, T, d)
        if state is not None:
            if state.context.shape[0] != B or state.context.shape[-1] != c.d_model:
                raise ValueError(f"state.context must have shape ({B}, T, {c.d_model}), "
                                 f"got {tuple(state.context.shape)}")
            z = torch.cat([state.context, z], dim=1)  # (B, T_ctx + T, d)
        z = z[:, -c.max_len:]
        y = z + self.positions(z.shape[1], z)  # (B, window, d)
        for block in self.blocks:
            y = block(y)
        y = self.final_norm(y)[:, -T:]  # (B, T, d)
        if checked_lengths is not None:
            y = y * step_mask(checked_lengths, T, x.device)[..., None]
        return y, TransformerState(z)

    def summary(self, outputs: Tensor, lengths: Tensor | None) -> Tensor:
        """One vector per sequence: the output at its last real step. outputs (B, T, d) -> (B, d)."""
        return last_step(outputs, lengths)

