"""Analytic FLOP counts: what a layer must compute, not what a kernel happens to do.

Counting a multiply-add as 2 FLOPs, one step of a recurrent cell with G gate blocks computes
W x + U h for every gate: 2·B·G·H·(D + H) FLOPs, forward (elementwise gate arithmetic is O(B·H) and
left out). Cells without a recurrent matrix (minGRU, minLSTM: gates from x alone; IndRNN: u ⊙ h)
compute W x only, 2·B·G·H·D; their recurrence is elementwise, O(B·H) per step, and left out too
(the log-space scan's exp and log are many such operations per element: they cost time, not FLOPs).

Training costs about 3x the forward pass: backward needs one matrix multiply for the gradient with
respect to the inputs and one for the weights, each as large as the forward one (the usual
6N-per-token rule of Kaplan et al. 2020, eq. 2.1, is this 3x on top of 2N).
"""

from __future__ import annotations

from rnnlab.bench.shapes import BenchShape

GATE_BLOCKS = {"rnn": 1, "gru": 3, "lstm": 4, "mingru": 2, "minlstm": 3, "indrnn": 1}  # G: rows of W, blocks of H
RECURRENT_MATRIX = {"rnn", "gru", "lstm"}  # the cells that also multiply U h each step
TRAINING_FLOP_FACTOR = 3  # forward + backward ≈ 3 × forward


def recurrent_forward_flops(cell: str, shape: BenchShape, num_layers: int = 1) -> int:
    """2·B·G·H·(D + H) per step per layer (2·B·G·H·D without U h), times T steps; layers after the first
    read H features."""
    if cell not in GATE_BLOCKS:
        raise ValueError(f"unknown cell {cell!r}; choose one of {', '.join(GATE_BLOCKS)}")
    B, T, D, H = shape.batch, shape.time, shape.input_size, shape.hidden_size
    G = GATE_BLOCKS[cell]
    recurrent = H if cell in RECURRENT_MATRIX else 0
    per_step = sum(2 * B * G * H * ((D if layer == 0 else H) + recurrent) for layer in range(num_layers))
    return per_step * T


def transformer_forward_flops(shape: BenchShape, d_model: int, ff_size: int, num_layers: int = 1) -> int:
    """Input projection, then per layer: Q, K, V and output projections, dense attention, feed-forward.

    Per token, with d = model width: 2·D·d for the input projection; per layer 4·2·d² for the four
    projections, 2·2·T·d for the scores QKᵀ and their product with V (all T×T entries, as the kernels
    compute them under a causal mask), and 2·2·d·ff for the feed-forward. Norms and softmax are left out.
    """
    B, T, D = shape.batch, shape.time, shape.input_size
    d = d_model
    per_token = 2 * D * d + num_layers * (8 * d * d + 4 * T * d + 4 * d * ff_size)
    return B * T * per_token
