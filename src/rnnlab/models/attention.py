"""Attention over an encoder's outputs for sequence-to-sequence decoders, with padded sources masked.

A decoder query q_t (its hidden state at target step t) scores every encoder output h_j; the scores
become weights over the source's real positions, and the context is their weighted sum:

    e_tj = score(q_t, h_j)                       (B, T, S)
    α_tj = softmax_j(e_tj) over real j           Σ_j α_tj = 1; α_tj = 0 exactly where j is padding
    c_t  = Σ_j α_tj h_j                          (B, T, K)

Two score functions:

    additive        score(q, h) = vᵀ tanh(W q + U h)     Bahdanau, Cho & Bengio 2015, eq. (6) / appendix A.1.2
    multiplicative  score(q, h) = qᵀ W h                 Luong, Pham & Manning 2015, "general", eq. (8)

Both take all T queries at once (B, T, Q): a decoder whose recurrence does not read the context (Luong's
placement, see models/seq2seq.py) attends for every target step in one call; Bahdanau's placement asks one
step at a time (T = 1), since each query is the state the previous step's context helped make.
"""

from __future__ import annotations

from typing import Literal

import torch
from torch import Tensor, nn

AttentionName = Literal["none", "additive", "multiplicative"]
ATTENTIONS: tuple[AttentionName, ...] = ("none", "additive", "multiplicative")
# Where the context enters the decoder (models/seq2seq.py): after its recurrent step, read out beside its state
# (Luong et al. 2015), or into the step itself, attending from the previous state (Bahdanau et al. 2015).
Placement = Literal["luong", "bahdanau"]
PLACEMENTS: tuple[Placement, ...] = ("luong", "bahdanau")


def attend(scores: Tensor, memory: Tensor, mask: Tensor | None) -> tuple[Tensor, Tensor]:
    """scores (B, T, S), memory (B, S, K), mask (B, S) True at real positions -> context (B, T, K), weights (B, T, S).

    Padding gets a score of -inf before the softmax, so its weight is exactly 0 and it never reaches the
    context; every row needs at least one real position (sources have length ≥ 1).
    """
    if mask is not None:
        scores = scores.masked_fill(~mask[:, None, :], float("-inf"))  # (B, T, S)
    weights = torch.softmax(scores, dim=-1)  # (B, T, S)
    return weights @ memory, weights  # (B, T, K), (B, T, S)


class AdditiveAttention(nn.Module):
    r"""Bahdanau et al. (2015): score(q, h) = vᵀ tanh(W q + U h), with an A-unit hidden layer.

        keys   = U h_j                  (B, S, A)   once per source: it does not depend on the query
        e_tj   = vᵀ tanh(W q_t + U h_j)  (B, T, S)
    """

    def __init__(self, query_size: int, key_size: int, attention_size: int) -> None:
        super().__init__()
        self.query_to_hidden = nn.Linear(query_size, attention_size, bias=False)  # W
        self.key_to_hidden = nn.Linear(key_size, attention_size)  # U (its bias is the b of the paper's MLP)
        self.hidden_to_score = nn.Linear(attention_size, 1, bias=False)  # vᵀ

    def scores(self, queries: Tensor, memory: Tensor) -> Tensor:
        """queries (B, T, Q), memory (B, S, K) -> e (B, T, S)."""
        keys = self.key_to_hidden(memory)  # (B, S, A)
        hidden = torch.tanh(self.query_to_hidden(queries)[:, :, None, :] + keys[:, None, :, :])  # (B, T, S, A)
        return self.hidden_to_score(hidden).squeeze(-1)  # (B, T, S)

    def forward(self, queries: Tensor, memory: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """queries (B, T, Q), memory (B, S, K), mask (B, S) -> context (B, T, K), weights (B, T, S)."""
        return attend(self.scores(queries, memory), memory, mask)


class MultiplicativeAttention(nn.Module):
    r"""Luong et al. (2015), "general": score(q, h) = qᵀ W h.

        e_tj = q_tᵀ (W h_j)              (B, T, S)
    """

    def __init__(self, query_size: int, key_size: int) -> None:
        super().__init__()
        self.key_to_query = nn.Linear(key_size, query_size, bias=False)  # W

    def scores(self, queries: Tensor, memory: Tensor) -> Tensor:
        """queries (B, T, Q), memory (B, S, K) -> e (B, T, S)."""
        return queries @ self.key_to_query(memory).transpose(1, 2)  # (B, T, Q) @ (B, Q, S)

    def forward(self, queries: Tensor, memory: Tensor, mask: Tensor | None = None) -> tuple[Tensor, Tensor]:
        """queries (B, T, Q), memory (B, S, K), mask (B, S) -> context (B, T, K), weights (B, T, S)."""
        return attend(self.scores(queries, memory), memory, mask)


def make_attention(name: AttentionName, query_size: int, key_size: int) -> AdditiveAttention | MultiplicativeAttention:
    """The attention `name` ("additive" or "multiplicative"); the additive MLP is as wide as the query."""
    if name == "additive":
        return AdditiveAttention(query_size, key_size, attention_size=query_size)
    if name == "multiplicative":
        return MultiplicativeAttention(query_size, key_size)
    raise ValueError(f"unknown attention {name!r}; choose one of {', '.join(ATTENTIONS[1:])}")
