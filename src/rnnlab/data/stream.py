"""Truncated-BPTT batching of long streams: B parallel columns read T steps at a time, targets one step ahead.

A stream is a sequence of elements: token ids (L,) or frames (L, F, ...); nothing here looks at the
trailing dims. It comes as documents (plays, chorales, a user's file), and state must never flow
from one document into the next without a reset. So each document is cut on its own into chunks of
T (input, next-element) pairs, its last chunk padded at the end; the chunks of all documents, in
order, make one chunk stream of K chunks, and that is cut into B columns of N = K // B chunks (the
last K mod B chunks are dropped; `drop_remainder=False` keeps them, for evaluation). Batch k holds
chunk k of every column, so row b of batch k+1 continues row b of batch k:

    documents "abcdef", "xyz";  T = 2, B = 2        (· = padding; a document of L elements gives L-1 pairs)

    chunk stream     0: ab→bc   1: cd→de   2: e·→f·   3: xy→yz        K = 4, N = 2
    column 0         chunks 0, 1
    column 1         chunks 2, 3

                     batch 0                      batch 1
    inputs           [a b]  [e ·]                 [c d]  [x y]
    targets          [b c]  [f ·]                 [d e]  [y z]
    lengths          (2, 1)                       None: every row is full
    resets           (True, True): first chunk    (False, True): "xy" starts a document

Rows of `resets` mark where the carried state must be zeroed: where a document starts, and on every
row of the first batch of each pass (k mod N = 0), since a column may start inside a document whose
beginning it never saw, and the pass before ended elsewhere. Padding comes only at the end of a
chunk whose next chunk in the column is a reset, so a causal model may read it without harm: mask
the loss with `lengths` (`Batch.lengths` is None when every row is full, so the fast path runs).

The layout is fixed (no shuffling) and batch k is a pure function of k: a resumed run asks for the
batch of its step and continues where it stopped (its carried state starts from zero).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import torch
from torch import Tensor

from rnnlab.data.tasks.base import Batch


class StreamBatches:
    """Documents cut into `columns` parallel streams of chunks of `chunk_length` steps.

        batches = StreamBatches([tokens_play1, tokens_play2], chunk_length=128, columns=32)
        batch = batches.batch(k)       # inputs (B, T) or (B, T, F...), targets likewise; resets (B,)
        len(batches)                   # N, batches per pass; batch(k) reads batch k mod N
    """

    def __init__(self, documents: Sequence[Tensor], chunk_length: int, columns: int, *,
                 drop_remainder: bool = True, pad_value: float = 0) -> None:
        if chunk_length <= 0 or columns <= 0:
            raise ValueError(f"chunk_length and columns must be positive, got {chunk_length}, {columns}")
        self.chunk_length, self.columns = chunk_length, columns
        self.inputs, self.targets, self.real, self.starts = _chunk_stream(documents, chunk_length, pad_value)
        K = self.real.shape[0]
        if drop_remainder:
            self.rows = K // columns  # N chunks per column
            if self.rows == 0:
                raise ValueError(f"the stream has {K} chunks of {chunk_length} steps, too few for {columns} "
                                 f"columns: use a smaller batch or chunk length, or more text")
        else:  # every chunk read once: the last columns end in empty chunks (real steps 0)
            self.rows = -(-K // columns)
            missing = self.rows * columns - K
            self.inputs = _pad_chunks(self.inputs, missing, pad_value)
            self.targets = _pad_chunks(self.targets, missing, pad_value)
            self.real = torch.cat([self.real, self.real.new_zeros(missing)])
            self.starts = torch.cat([self.starts, self.starts.new_zeros(missing)])

    def __len__(self) -> int:
        return self.rows

    @property
    def steps(self) -> int:
        """Real (input, target) pairs over one pass: the number of predictions a pass scores."""
        return int(self.real[: self.rows * self.columns].sum())

    def rows_of(self, k: int) -> Tensor:
        """Chunk indices of batch k (mod N), one per column: (B,)."""
        return torch.arange(self.columns) * self.rows + k % self.rows

    def batch(self, k: int) -> Batch:
        """Chunk k (mod N) of every column. `lengths` counts each row's real steps (0 for an empty chunk,
        only with `drop_remainder=False`); it is None when every row is full."""
        index = self.rows_of(k)  # (B,)
        real = self.real[index]  # (B,)
        resets = self.starts[index] | (k % self.rows == 0)  # (B,)
        lengths = None if bool((real == self.chunk_length).all()) else real
        return Batch(self.inputs[index], self.targets[index], lengths, resets)

    def __iter__(self) -> Iterator[Batch]:
        """One pass: batches 0 .. N-1."""
        return (self.batch(k) for k in range(self.rows))


def _chunk_stream(documents: Sequence[Tensor], T: int, pad_value: float
                  ) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Every document as whole chunks: inputs and targets (K, T, ...), real steps (K,), starts (K,)."""
    inputs, targets, real, starts = [], [], [], []
    for document in documents:
        steps = document.shape[0] - 1  # (input, next element) pairs
        if steps < 1:
            continue  # a single element predicts nothing
        count = -(-steps // T)  # chunks, the last one padded
        padding = count * T - steps
        inputs.append(_pad_steps(document[:-1], padding, pad_value).reshape(count, T, *document.shape[1:]))
        targets.append(_pad_steps(document[1:], padding, pad_value).reshape(count, T, *document.shape[1:]))
        real.append(torch.full((count,), T, dtype=torch.int64))
        real[-1][-1] = T - padding
        starts.append(torch.arange(count) == 0)
    if not inputs:
        raise ValueError("the stream is empty: no document has two or more elements")
    return torch.cat(inputs), torch.cat(targets), torch.cat(real), torch.cat(starts)


def _pad_steps(x: Tensor, count: int, value: float) -> Tensor:
    """x (L, ...) with `count` steps of `value` appended: (L + count, ...)."""
    return torch.cat([x, x.new_full((count, *x.shape[1:]), value)]) if count else x


def _pad_chunks(x: Tensor, count: int, value: float) -> Tensor:
    """x (K, T, ...) with `count` chunks of `value` appended: (K + count, T, ...)."""
    return torch.cat([x, x.new_full((count, *x.shape[1:]), value)]) if count else x


def step_weights(batch: Batch) -> Tensor:
    """(B, T) 1.0 at real steps, 0.0 at padding: what a per-step loss is weighted by."""
    B, T = batch.targets.shape[:2]
    if batch.lengths is None:
        return torch.ones(B, T, device=batch.targets.device)
    return (torch.arange(T, device=batch.targets.device)[None, :] < batch.lengths.to(batch.targets.device)[:, None]
            ).float()


def reset_rows(state: Any, resets: Tensor | None) -> Any:
    """A carried state with the rows `resets` marks set to zero (a fresh start); None stays None.

    A state is a tuple of tensors (a NamedTuple); the batch is its dim `state.batch_dim` where the
    state says so (the Transformer's context (B, T_ctx, d): 0), else dim 1 (recurrent layers'
    fields (L·dirs, B, H)).
    """
    if state is None or resets is None or not bool(resets.any()):
        return state
    dim = getattr(state, "batch_dim", 1)
    parts = []
    for part in state:
        shape = [1] * part.dim()
        shape[dim] = -1
        parts.append(part * (~resets).to(part.device, part.dtype).view(shape))  # zero rows b with resets[b]
    return type(state)(*parts)
