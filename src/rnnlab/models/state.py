"""Helpers for recurrent state and variable-length batches, shared by both backends."""

from __future__ import annotations

from typing import TypeVar

import torch
from torch import Tensor

from rnnlab.models.cells import HiddenState, LSTMState

S = TypeVar("S", HiddenState, LSTMState)


def detach_state(state: S) -> S:
    """Cut the autograd graph behind a state, for truncated backpropagation through time.

        state = None
        for chunk in stream:                      # chunk: (B, T_chunk, D)
            outputs, state = layer(chunk, state)
            loss(outputs).backward()              # gradients flow back T_chunk steps only
            state = detach_state(state)           # keep the values, drop the history
    """
    return type(state)(*(part.detach() for part in state))


def validate_lengths(lengths: Tensor | None, batch_size: int, time_steps: int) -> Tensor | None:
    """Check per-example lengths against a (B, T, ...) batch; returns them as int64 on the CPU."""
    if lengths is None:
        return None
    lengths = torch.as_tensor(lengths)
    if lengths.is_floating_point() and not torch.equal(lengths, lengths.round()):
        raise ValueError("lengths must be whole numbers of steps")
    lengths = lengths.to("cpu", torch.int64)
    if lengths.shape != (batch_size,):
        raise ValueError(f"lengths must have shape ({batch_size},), one per sequence, got {tuple(lengths.shape)}")
    if int(lengths.min()) < 1:
        raise ValueError(f"every length must be at least 1, got a minimum of {int(lengths.min())}")
    if int(lengths.max()) > time_steps:
        raise ValueError(f"a length of {int(lengths.max())} exceeds the sequence's {time_steps} steps")
    return lengths


def step_mask(lengths: Tensor, time_steps: int, device: torch.device) -> Tensor:
    """(B, T) boolean: True where step t is a real step of sequence b (t < lengths[b])."""
    return torch.arange(time_steps, device=device)[None, :] < lengths.to(device)[:, None]


def reverse_padded(x: Tensor, lengths: Tensor | None) -> Tensor:
    """Reverse each sequence of a (B, T, ...) batch within its own length; padding stays at the end.

    This is how a backward direction sees a padded batch: step t of sequence b reads x[b, L_b − 1 − t].
    """
    if lengths is None:
        return x.flip(1)
    B, T = x.shape[:2]
    t = torch.arange(T, device=x.device)[None, :]  # (1, T)
    L = lengths.to(x.device)[:, None]  # (B, 1)
    index = torch.where(t < L, L - 1 - t, t)  # (B, T)
    index = index.view(B, T, *([1] * (x.dim() - 2))).expand_as(x)
    return x.gather(1, index)


def last_step(outputs: Tensor, lengths: Tensor | None) -> Tensor:
    """outputs (B, T, F) -> (B, F) at each sequence's last real step."""
    if lengths is None:
        return outputs[:, -1]
    index = (lengths.to(outputs.device) - 1).view(-1, 1, 1).expand(-1, 1, outputs.shape[-1])  # (B, 1, F)
    return outputs.gather(1, index).squeeze(1)
