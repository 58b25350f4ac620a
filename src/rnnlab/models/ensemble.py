"""Ensembles: several trained models answering as one, by the mean of their probabilities.

A classifier ensemble (`Ensemble`) averages the members' class probabilities:

    p(y | x) = (1/K) Σ_k softmax(f_k(x))_y

A sequence-to-sequence ensemble (`Seq2SeqEnsemble`) averages the members' next-token distributions at every
decoding step, each member reading the same history y_<t with its own encoder memory and decoder state
(Sutskever et al. 2014 decoded with ensembles of this kind):

    p(y_t | y_<t, x) = (1/K) Σ_k p_k(y_t | y_<t, x)

so greedy and beam search (rnnlab.decode) run over an ensemble as over one model. Outputs are log p (B, C),
(B, T, C) per step, or (B, T, V) per target step, so anything that reads logits reads them unchanged: argmax
picks the highest mean probability, and cross-entropy of the outputs is −log p(y | x), the ensemble's own,
because log p is already normalised (log_softmax(log p) = log p). Members may differ in family and size; they
read the same inputs (a sequence-to-sequence ensemble's members share their vocabularies).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, NamedTuple

import torch
from torch import Tensor, nn

from rnnlab.models.seq2seq import Seq2SeqModel


def log_mean_probability(logits: Sequence[Tensor]) -> Tensor:
    """K members' logits (..., C) -> log of their mean softmax (..., C), computed in log space, in at least
    float32 (half-precision logits are widened)."""
    log_probs = torch.stack([torch.log_softmax(x, dim=-1, dtype=torch.promote_types(x.dtype, torch.float32))
                             for x in logits])  # (K, ..., C)
    return torch.logsumexp(log_probs, dim=0) - math.log(len(logits))


class Ensemble(nn.Module):
    """The members' mean class probability, as log-probabilities (see the module docstring)."""

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("an ensemble needs at least one member")
        self.members = nn.ModuleList(members)

    def forward(self, inputs: Tensor, state: Any = None, lengths: Tensor | None = None) -> tuple[Tensor, None]:
        """inputs as each member reads them -> log mean probabilities (B, C) or (B, T, C); no state."""
        if state is not None:
            raise ValueError("an ensemble carries no state between batches")
        return log_mean_probability([member(inputs, None, lengths)[0] for member in self.members]), None


def share_vocabularies(a: Seq2SeqModel, b: Seq2SeqModel) -> bool:
    """Whether an id means the same token to both models, on both sides: the same sizes and token tables."""
    return (a.source_vocab, a.target_vocab) == (b.source_vocab, b.target_vocab) and a.token_tables() == b.token_tables()


class Memories(NamedTuple):
    """Each member's memory of the source, selected by rows together (as beam search reorders them)."""

    parts: tuple[Any, ...]

    def select(self, rows: Tensor) -> Memories:
        return Memories(tuple(part.select(rows) for part in self.parts))


class Seq2SeqEnsemble(Seq2SeqModel):
    """The members' mean next-token probability, step by step (see the module docstring). Members must carry
    the same token tables: one vocabulary on each side, so that an id means the same token to all of them."""

    def __init__(self, members: Sequence[Seq2SeqModel]) -> None:
        if not members:
            raise ValueError("an ensemble needs at least one member")
        first = members[0]
        super().__init__(first.source_vocab, first.target_vocab)
        for k, member in enumerate(members[1:], start=2):
            if not share_vocabularies(first, member):
                raise ValueError(f"member {k} has other vocabularies than member 1: the members of a "
                                 "sequence-to-sequence ensemble must share theirs")
        self.members = nn.ModuleList(members)
        self._members: list[Seq2SeqModel] = list(members)  # typed, for the calls below
        self.source_tokens.copy_(first.source_tokens)
        self.target_tokens.copy_(first.target_tokens)

    def encode(self, source: Tensor, lengths: Tensor | None = None) -> tuple[Any, tuple[Any, ...]]:
        """source (B, S) -> every member's memory (Memories), every member's initial decoder state."""
        encoded = [member.encode(source, lengths) for member in self._members]
        return Memories(tuple(memory for memory, _ in encoded)), tuple(state for _, state in encoded)

    def decode(self, target_in: Tensor, state: Any, memory: Any) -> tuple[Tensor, tuple[Any, ...]]:
        """target_in (B, T) -> log mean next-token probabilities (B, T, V), every member's state after them."""
        decoded = [member.decode(target_in, part_state, part)
                   for member, part_state, part in zip(self._members, state, memory.parts, strict=True)]
        return log_mean_probability([logits for logits, _ in decoded]), tuple(after for _, after in decoded)

    def select_state(self, state: Any, rows: Tensor) -> tuple[Any, ...]:
        return tuple(member.select_state(part, rows) for member, part in zip(self._members, state, strict=True))
