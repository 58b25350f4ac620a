"""A trained classifier's answer for raw inputs (a text, a recording): what `rnnlab classify` and
`rnnlab.load(RUN).classify(...)` call.

How a raw input becomes a model input is the task's business, through a small protocol any
labelled-sequence task can implement (`RawInputClassifier`): `classes`, the class names by index, and
`encode_input(raw: str | Path) -> Tensor`, one sequence: (T,) token ids or (T, D) features. Text tasks
encode a string with the run's vocabulary; speech tasks read a .wav path.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from rnnlab.data.batching import pad_sequences

# 100,000 tokens took an H=128 LSTM 25 s on one CPU core (measured: 1 M tokens, 245 s; H=256 fails to allocate).
MAX_TOKENS = 100_000


@runtime_checkable
class RawInputClassifier(Protocol):
    """A task that can turn a user's raw input into one model input."""

    classes: tuple[str, ...]

    def encode_input(self, raw: str | Path) -> Tensor: ...


@dataclass(frozen=True)
class Prediction:
    label: str
    probability: float  # of `label`, the most probable class


@torch.no_grad()
def classify(model: nn.Module, task: RawInputClassifier, raws: Sequence[str | Path],
             batch_size: int = 256) -> list[Prediction]:
    """The most probable class of each input, batched by length (padded to each batch's longest).
    An input longer than MAX_TOKENS, or one the model has no memory for, is a ValueError naming it."""
    model.eval()
    device = next(model.parameters()).device
    sequences = [task.encode_input(raw) for raw in raws]
    for number, (raw, sequence) in enumerate(zip(raws, sequences, strict=True), start=1):
        if len(sequence) > MAX_TOKENS:
            what = raw if isinstance(raw, Path) else f"input {number}" if len(raws) > 1 else "INPUT"
            raise ValueError(f"{what}: {len(sequence):,} tokens, more than the {MAX_TOKENS:,} a classifier reads "
                             "at once; split it into shorter texts (a .csv with one text per row)")
    order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
    found: dict[int, Prediction] = {}
    for start in range(0, len(order), batch_size):
        rows = order[start:start + batch_size]
        inputs, lengths = pad_sequences([sequences[i] for i in rows])  # (B, T[, D]), (B,)
        try:
            outputs, _ = model(inputs.to(device), None, lengths.to(device))  # (B, C)
        except RuntimeError as error:  # e.g. oneDNN "could not create a primitive": no memory for this input
            first = str(error).strip().splitlines()[0]
            raise ValueError(f"the model could not read inputs of {int(lengths.max()):,} tokens ({first}); "
                             "classify shorter texts") from None
        probabilities = outputs.float().softmax(dim=-1).cpu()  # (B, C)
        best, index = probabilities.max(dim=-1)  # (B,), (B,)
        for row, p, k in zip(rows, best.tolist(), index.tolist(), strict=True):
            found[row] = Prediction(task.classes[k], p)
    return [found[i] for i in range(len(sequences))]
