"""Your own arrays as a task: sequences and their targets, in one .safetensors file, split three ways.

`rnnlab.train(inputs, targets)` writes the file (from tensors, NumPy arrays, lists of sequences or a pandas
DataFrame: rnnlab.api.data) into the cache under its content hash and trains on it as this task, so the
run can be loaded, evaluated and exported like any other. By hand: `rnnlab train --task arrays --set
path=data.safetensors`, the file holding, for each split S of train, validation and test,

    S.inputs    (N, T, D) float features or (N, T) int64 token ids, padded past each sequence's end
    S.lengths   (N,) int64, the real steps of each sequence (1 .. T)
    S.targets   classes: (N,) int64 per sequence or (N, T) per step; values: (N, O) or (N, T, O) float32

and as metadata (strings): `kind` ("classes" or "values"), `per_step` ("true"/"false"), `input_size` (D, or
the vocabulary size for tokens), `output_size` (classes C or values O) and `classes` (JSON list of names).

    loss     cross-entropy (classes) or mean squared error (values), over real steps only
    metric   `loss` on the held-out split (lower is better); accuracy and MSE / MAE beside it
    solved   never, unless `solved_loss` is set: user data has no threshold of its own
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import torch
import torch.nn.functional as F
from safetensors import SafetensorError, safe_open
from safetensors.torch import save
from torch import Tensor

from rnnlab.data.batching import bucketed_rows
from rnnlab.data.tasks.base import Batch, HeldOut
from rnnlab.models.sequence import IOSpec

SPLITS = ("train", "validation", "test")
Kind = Literal["classes", "values"]


@dataclass(frozen=True)
class ArraysConfig:
    path: str = ""  # the .safetensors file (module docstring); rnnlab.train writes it into the cache
    split: HeldOut = "validation"  # scored while training; the test split is scored once at the end
    solved_loss: float | None = None  # stop when the held-out loss falls below this; None: train to the budget


@dataclass(frozen=True)
class Split:
    inputs: Tensor  # (N, T) or (N, T, D)
    lengths: Tensor  # (N,)
    targets: Tensor  # (N,), (N, T), (N, O) or (N, T, O)
    per_step: bool

    def __post_init__(self) -> None:
        N = len(self.lengths)
        if N == 0 or self.inputs.shape[0] != N or self.targets.shape[0] != N:
            raise ValueError(f"a split needs as many inputs, lengths and targets, at least one; got "
                             f"{self.inputs.shape[0]}, {N}, {self.targets.shape[0]}")
        if int(self.lengths.min()) < 1 or int(self.lengths.max()) > self.inputs.shape[1]:
            raise ValueError(f"lengths must lie in 1 .. {self.inputs.shape[1]} (the padded length)")
        if self.per_step and self.targets.shape[1] != self.inputs.shape[1]:
            raise ValueError(f"per-step targets need {self.inputs.shape[1]} steps, got {self.targets.shape[1]}")

    def rows(self, rows: Tensor) -> Batch:
        """A batch of `rows`, cut to its longest sequence."""
        lengths = self.lengths[rows]
        T = int(lengths.max())
        targets = self.targets[rows]
        return Batch(self.inputs[rows, :T], targets[:, :T] if self.per_step else targets, lengths)


@dataclass(frozen=True)
class ArraysData:
    kind: Kind
    io: IOSpec
    classes: tuple[str, ...]
    splits: dict[str, Split]


def _contents(data: ArraysData) -> tuple[dict[str, Tensor], dict[str, str]]:
    tensors = {f"{name}.{part}": getattr(split, part).clone() for name, split in data.splits.items()
               for part in ("inputs", "lengths", "targets")}
    meta = {"kind": data.kind, "per_step": "true" if data.io.per_step else "false",
            "input_size": str(data.io.input_size), "output_size": str(data.io.output_size),
            "classes": json.dumps(list(data.classes))}
    return tensors, meta


def arrays_bytes(data: ArraysData) -> bytes:
    """`data` as the bytes of the file `read_arrays` reads (module docstring). The same data need not give
    the same bytes (safetensors writes its metadata in no fixed order): name a file by `arrays_digest`."""
    return save(*_contents(data))


def arrays_digest(data: ArraysData) -> str:
    """The SHA-256 of what `data` holds (each tensor's name, dtype, shape and values, and the metadata, in
    sorted order): the same for the same data, whatever order its file's bytes come in."""
    tensors, meta = _contents(data)
    digest = hashlib.sha256(json.dumps(meta, sort_keys=True).encode())
    for name in sorted(tensors):
        tensor = tensors[name].contiguous()
        digest.update(f"{name}:{tensor.dtype}:{tuple(tensor.shape)}".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def read_arrays(path: Path) -> ArraysData:
    """The file's splits and description; a one-line ValueError naming the file for anything wrong."""
    if not path.is_file():
        raise ValueError(f"{path}: no such data file (task arrays: --set path=FILE.safetensors)")
    try:
        with safe_open(str(path), framework="pt") as file:
            meta = file.metadata() or {}
            tensors = {name: file.get_tensor(name) for name in file.keys()}  # noqa: SIM118 (not a dict)
        kind, per_step = meta["kind"], meta["per_step"] == "true"
        io = IOSpec(int(meta["input_size"]), int(meta["output_size"]),
                    tokens=not tensors["train.inputs"].is_floating_point(), per_step=per_step)
        classes = tuple(json.loads(meta.get("classes", "[]")))
        splits = {s: Split(tensors[f"{s}.inputs"], tensors[f"{s}.lengths"], tensors[f"{s}.targets"], per_step)
                  for s in SPLITS}
    except (SafetensorError, KeyError, ValueError, OSError) as error:
        raise ValueError(f"{path}: not an arrays data file ({error})") from None
    if kind not in ("classes", "values"):
        raise ValueError(f"{path}: kind must be 'classes' or 'values', got {kind!r}")
    return ArraysData(kind, io, classes, splits)


class ArraysTask:
    """The `Task` over an arrays file (module docstring); nothing is read until the data is needed."""

    name = "arrays"

    def __init__(self, config: ArraysConfig) -> None:
        self.config = config

    @functools.cached_property
    def data(self) -> ArraysData:
        return read_arrays(Path(self.config.path))

    def prepare(self) -> None:
        """Read and check the file before a run folder is written."""
        self.data  # noqa: B018 (reading is the check)

    @property
    def io(self) -> IOSpec:
        return self.data.io

    @property
    def classes(self) -> tuple[str, ...]:
        return self.data.classes

    def class_names(self) -> tuple[str, ...]:
        """The file's class names, else the class indices as names; () for a file of values."""
        if self.data.kind != "classes":
            return ()
        return self.classes or tuple(str(c) for c in range(self.io.output_size))

    @property
    def baseline(self) -> dict[str, float]:
        """A constant prediction: the training split's class frequencies, or its mean value."""
        if not self.config.path:
            return {}  # no file, nothing to count (`rnnlab tasks` lists the task without one)
        held_out, train = self.data.splits[self.config.split], self.data.splits["train"]
        if self.data.kind == "classes":
            counts = torch.bincount(self._real(train.targets, train.lengths), minlength=self.io.output_size)
            log_p = (counts.double() + 1).log() - (counts.sum() + len(counts)).double().log()  # add-one smoothing
            return {"loss": float(-log_p[self._real(held_out.targets, held_out.lengths)].mean())}
        mean = self._real(train.targets, train.lengths).mean(dim=0)
        return {"loss": float((self._real(held_out.targets, held_out.lengths) - mean).pow(2).mean())}

    def _real(self, values: Tensor, lengths: Tensor) -> Tensor:
        """Targets at real steps only: (N, ...) per sequence as they are; (N, T, ...) per step flattened."""
        if not self.io.per_step:
            return values
        mask = torch.arange(values.shape[1])[None, :] < lengths[:, None]  # (N, T)
        return values[mask]

    def sample(self, batch_size: int, generator: torch.Generator) -> Batch:
        train = self.data.splits["train"]
        return train.rows(bucketed_rows(train.lengths, batch_size, generator))

    def test_set(self, seed: int = 0) -> Batch:
        del seed  # the split is fixed
        held_out = self.data.splits[self.config.split]
        return held_out.rows(torch.arange(len(held_out.lengths)))

    def _pairs(self, outputs: Tensor, batch: Batch) -> tuple[Tensor, Tensor]:
        """Outputs and targets at real steps: (M, C) and (M,), or (M, O) and (M, O)."""
        targets = batch.targets
        if self.io.per_step:
            assert batch.lengths is not None
            steps = torch.arange(outputs.shape[1], device=outputs.device)[None, :]  # (1, T)
            mask = steps < batch.lengths.to(outputs.device)[:, None]  # (B, T)
            return outputs[mask], targets[mask]
        return outputs, targets

    def loss(self, outputs: Tensor, batch: Batch) -> Tensor:
        predicted, targets = self._pairs(outputs, batch)
        if self.data.kind == "classes":
            return F.cross_entropy(predicted, targets)
        return F.mse_loss(predicted, targets.view_as(predicted))

    def metrics(self, outputs: Tensor, batch: Batch) -> dict[str, float]:
        predicted, targets = self._pairs(outputs, batch)
        if self.data.kind == "classes":
            return {"loss": float(F.cross_entropy(predicted, targets)),
                    "accuracy": float((predicted.argmax(dim=-1) == targets).float().mean())}
        error = predicted - targets.view_as(predicted)
        return {"loss": float(error.pow(2).mean()), "mae": float(error.abs().mean())}

    def solved(self, metrics: dict[str, float]) -> bool:
        return self.config.solved_loss is not None and metrics["loss"] <= self.config.solved_loss
