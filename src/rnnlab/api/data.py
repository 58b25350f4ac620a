"""The user's data as rnnlab sequences: tensors, NumPy arrays, lists of sequences, pandas DataFrames.

    inputs, lengths = as_sequences(x)                  # x: (N, T, D) floats, (N, T) token ids or floats,
                                                       # a list of (T_i, D) / (T_i,) sequences, or a DataFrame
    data = as_arrays(x, y, validation=0.1, test=0.1)   # three splits for the `arrays` task (data/tasks/arrays.py)

Inputs: a 3-d array is (N, T, D) features; a 2-d array of integers is (N, T) token ids, of floats (N, T) one
feature per step; a list holds one sequence per item, of any lengths. A DataFrame is either one sequence per
row (its numeric columns, the `target` column left out, are the steps) or, with `group`, long: one row per
step, the rows of a group (in the order of `order`, else as they come) one sequence of the numeric columns,
and its target the group's value (per step when it changes within a group, or with `per_step=True`).

Targets: strings, booleans or integers are classes (names sorted; integers keep their numbers), floats are
values. One per sequence, (N,) or (N, O); per step, (N, T) classes or (N, T, O) values, with `per_step=True`
(integer (N, T) targets are taken per step without it). Held-out splits are fractions drawn with `seed`, or
(inputs, targets) pairs of their own.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import Tensor

from rnnlab.data.batching import pad_sequences
from rnnlab.data.tasks.arrays import ArraysData, Kind, Split
from rnnlab.models.sequence import IOSpec

HeldOutData = float | tuple[Any, Any]  # a fraction of the given data, or (inputs, targets) of its own


def _is_dataframe(value: Any) -> bool:
    return type(value).__module__.startswith("pandas") and hasattr(value, "columns")


def frame_sequences(frame: Any, target: str | None, group: str | None, order: str | None,
                    per_step: bool | None = None) -> tuple[list[Tensor], list[Any] | None]:
    """A DataFrame as sequences (T_i, D) and, with `target`, their targets: with `group`, per step when
    `per_step` says so (None: when the target changes within a group), else the group's one value."""
    skip = {name for name in (target, group, order) if name is not None}
    missing = sorted(skip - set(frame.columns))
    if missing:
        raise ValueError(f"the DataFrame has no column {', '.join(map(repr, missing))}")
    numeric = [c for c in frame.columns if c not in skip and np.issubdtype(frame[c].dtype, np.number)]
    if not numeric:
        raise ValueError("the DataFrame has no numeric column to read as inputs")
    if group is None:  # one sequence per row: its numeric columns are the steps
        values = frame[numeric].to_numpy(dtype=np.float32)
        return [torch.from_numpy(row.copy()).unsqueeze(-1) for row in values], (
            None if target is None else frame[target].tolist())
    sequences, targets = [], []
    for _, rows in frame.groupby(group, sort=False):
        rows = rows.sort_values(order, kind="stable") if order is not None else rows
        sequences.append(torch.tensor(rows[numeric].to_numpy(dtype=np.float32)))
        if target is not None:
            targets.append(rows[target].tolist())
    if target is None:
        return sequences, None
    varies = any(len(set(map(str, steps))) > 1 for steps in targets)
    if per_step is False and varies:
        raise ValueError(f"column {target!r} changes within a group: pass per_step=True for a target per step")
    return sequences, targets if (per_step or (per_step is None and varies)) else [steps[-1] for steps in targets]


def as_sequences(inputs: Any, lengths: Any = None) -> tuple[Tensor, Tensor]:
    """Inputs as padded (N, T, D) float32 or (N, T) int64, and lengths (N,) (see the module docstring)."""
    if isinstance(inputs, list | tuple) and inputs and not np.isscalar(inputs[0]):
        sequences = [torch.as_tensor(np.asarray(s)) for s in inputs]
        if any(s.dim() not in (1, 2) or len(s) == 0 for s in sequences):
            raise ValueError("each sequence must be (T,) or (T, D) with at least one step")
        tokens = not sequences[0].is_floating_point() and sequences[0].dim() == 1
        sequences = [s.long() if tokens else (s.float().unsqueeze(-1) if s.dim() == 1 else s.float())
                     for s in sequences]
        padded, found = pad_sequences(sequences)
        return padded, found if lengths is None else _lengths(lengths, padded)
    array = torch.as_tensor(np.asarray(inputs))
    if array.dim() == 2:
        array = array.long() if not array.is_floating_point() else array.float().unsqueeze(-1)
    elif array.dim() == 3:
        array = array.float()
    else:
        raise ValueError(f"inputs must be (N, T, D) features or (N, T) steps, got shape {tuple(array.shape)}")
    full = torch.full((array.shape[0],), array.shape[1], dtype=torch.int64)
    return array, full if lengths is None else _lengths(lengths, array)


def _lengths(lengths: Any, padded: Tensor) -> Tensor:
    found = torch.as_tensor(np.asarray(lengths)).long()
    if found.shape != (padded.shape[0],) or int(found.min()) < 1 or int(found.max()) > padded.shape[1]:
        raise ValueError(f"lengths must be one per sequence, in 1 .. {padded.shape[1]}")
    return found


def target_rows(targets: Any) -> list[Any]:
    """Targets as a list with one item per sequence: a Python scalar, or an array of its steps or values."""
    if isinstance(targets, Tensor):
        targets = targets.detach().cpu().numpy()
    if hasattr(targets, "to_numpy"):  # a pandas Series
        targets = targets.to_numpy()
    return [row.item() if isinstance(row, np.generic) else row for row in targets]


def _scalars(rows: list[Any]) -> list[Any]:
    """Every single target value, as Python objects (an object array turns NumPy numbers into them)."""
    return [v for row in rows for v in np.ravel(np.asarray(row, dtype=object))]


def _classes(values: list[Any]) -> tuple[str, ...]:
    """Class names: integers keep their numbers (0 .. max), anything else is sorted by its text."""
    if all(isinstance(v, int) and not isinstance(v, bool) for v in values):
        if min(values) < 0:
            raise ValueError("integer class labels must not be negative")
        return tuple(str(k) for k in range(max(values) + 1))
    return tuple(sorted({str(v) for v in values}))


def _target_tensor(rows: list[Any], kind: Kind, classes: tuple[str, ...], per_step: bool, T: int) -> Tensor:
    """Targets as (N,) / (N, T) int64 class ids, or (N, O) / (N, T, O) float32 values (padding 0)."""
    if kind == "classes":
        index = {name: k for k, name in enumerate(classes)}
        ids = [torch.tensor([index[str(v)] for v in np.ravel(np.asarray(row, dtype=object))]) for row in rows]
        if not per_step:
            return torch.cat(ids)  # (N,)
        padded = torch.zeros(len(rows), T, dtype=torch.int64)
        for n, row_ids in enumerate(ids):
            padded[n, :len(row_ids)] = row_ids
        return padded  # (N, T)
    if not per_step:
        return torch.stack([torch.as_tensor(np.asarray(row, dtype=np.float32)).reshape(-1) for row in rows])  # (N, O)
    values = [torch.as_tensor(np.asarray(row, dtype=np.float32)).reshape(len(row), -1) for row in rows]
    padded = torch.zeros(len(rows), T, values[0].shape[-1])
    for n, row_values in enumerate(values):
        padded[n, :len(row_values)] = row_values
    return padded  # (N, T, O)


def as_arrays(inputs: Any, targets: Any = None, *, lengths: Any = None, per_step: bool | None = None,
              target: str | None = None, group: str | None = None, order: str | None = None,
              validation: HeldOutData = 0.1, test: HeldOutData = 0.1, seed: int = 0) -> ArraysData:
    """The three splits of the `arrays` task from the user's data (see the module docstring)."""
    def read(x: Any, y: Any) -> tuple[Tensor, Tensor, list[Any]]:
        if _is_dataframe(x):
            if y is not None:
                raise ValueError("with a DataFrame, name its target column: target='column'")
            sequences, y = frame_sequences(x, target, group, order, per_step)
            x = sequences
        elif target is not None or group is not None:
            raise ValueError("target=, group= and order= name columns of a DataFrame")
        if y is None:
            raise ValueError("give the targets: train(inputs, targets), or target='column' with a DataFrame")
        padded, found = as_sequences(x, lengths if x is inputs else None)
        rows = target_rows(y)
        if len(rows) != len(found):
            raise ValueError(f"{len(found)} sequences but {len(rows)} targets")
        return padded, found, rows

    given = [("train", *read(inputs, targets))]
    fractions = {}
    for name, held_out in (("validation", validation), ("test", test)):
        if isinstance(held_out, tuple):
            given.append((name, *read(*held_out)))
        else:
            fractions[name] = float(held_out)
    rows = [row for _, _, _, y in given for row in y]
    values = _scalars(rows)
    kind: Kind = "values" if all(isinstance(v, float) for v in values) else "classes"
    steps = per_step if per_step is not None else kind == "classes" and np.ndim(rows[0]) >= 1
    classes = _classes(values) if kind == "classes" else ()
    tensors = {name: (x, L, _target_tensor(y, kind, classes, steps, x.shape[1])) for name, x, L, y in given}
    tensors = _draw_held_out(tensors, fractions, seed)
    first = tensors["train"][0]
    tokens = not first.is_floating_point()
    vocabulary = max(int(x.max()) + 1 for x, _, _ in tensors.values()) if tokens else first.shape[-1]
    outputs = len(classes) if kind == "classes" else tensors["train"][2].shape[-1]
    io = IOSpec(vocabulary, outputs, tokens=tokens, per_step=steps)
    splits = {name: Split(x, L, y, steps) for name, (x, L, y) in tensors.items()}
    return ArraysData(kind, io, classes, splits)


def _draw_held_out(tensors: dict[str, tuple[Tensor, Tensor, Tensor]], fractions: dict[str, float], seed: int
                   ) -> dict[str, tuple[Tensor, Tensor, Tensor]]:
    """Move the asked fractions of the training data, drawn with `seed`, into the held-out splits."""
    if not fractions:
        return tensors
    x, L, y = tensors["train"]
    N = len(L)
    order = torch.randperm(N, generator=torch.Generator().manual_seed(seed))
    start = 0
    for name, fraction in fractions.items():
        if not 0 < fraction < 1:
            raise ValueError(f"{name} must be a fraction in (0, 1) or an (inputs, targets) pair, got {fraction}")
        count = max(1, round(fraction * N))
        rows = order[start:start + count]
        tensors[name] = (x[rows], L[rows], y[rows])
        start += count
    if start >= N:
        raise ValueError(f"{N} sequences leave none to train on after the held-out splits")
    rest = order[start:]
    tensors["train"] = (x[rest], L[rest], y[rest])
    return tensors
