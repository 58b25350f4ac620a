"""Variable-length batches: padding with lengths, and sampling by length buckets.

    inputs, lengths = pad_sequences([x0, x1, x2])     # x_i (T_i,) or (T_i, D) -> (B, T_max[, D]), (B,)
    rows = bucketed_rows(lengths_of_all, batch_size, generator)

Nothing is truncated: a batch is as long as its longest sequence, and `lengths` tell the model
(RecurrentLayer, Transformer masks, `last_step`) where each sequence really ends. Sampling a batch
among sequences of similar length (a random window of the length-sorted order, Khomenko et al. 2016
style bucketing) keeps padding, and so wasted steps, small without changing what is sampled on
average: every sequence is still equally likely to be drawn.
"""

from __future__ import annotations

import torch
from torch import Tensor


def pad_sequences(sequences: list[Tensor], pad_value: float = 0) -> tuple[Tensor, Tensor]:
    """[(T_i, ...)] -> padded (B, T_max, ...) and lengths (B,) int64; every sequence needs a step."""
    if not sequences:
        raise ValueError("cannot pad an empty list of sequences")
    lengths = torch.tensor([len(s) for s in sequences], dtype=torch.int64)  # (B,)
    if int(lengths.min()) < 1:
        raise ValueError("every sequence needs at least one step")
    first = sequences[0]
    padded = first.new_full((len(sequences), int(lengths.max()), *first.shape[1:]), pad_value)  # (B, T, ...)
    for row, sequence in enumerate(sequences):
        padded[row, :len(sequence)] = sequence
    return padded, lengths


def bucketed_rows(lengths: Tensor, batch_size: int, generator: torch.Generator, pool: int = 8) -> Tensor:
    """`batch_size` row indices drawn from a window of `pool · batch_size` neighbours in length order.

    The window's position is uniform over the sorted order (clamped at the ends), and rows are drawn
    uniformly within it, with replacement; so every row is drawn with close to equal probability.
    """
    n = len(lengths)
    if n == 0:
        raise ValueError("cannot sample from an empty split")
    order = torch.argsort(lengths, stable=True)  # (N,) shortest first
    window = min(n, pool * batch_size)
    centre = int(torch.randint(0, n, (1,), generator=generator))
    start = min(max(0, centre - window // 2), n - window)
    picks = torch.randint(0, window, (batch_size,), generator=generator)  # (B,)
    return order[start + picks]
