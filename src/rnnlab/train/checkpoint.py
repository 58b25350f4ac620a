"""Checkpoints: weights in safetensors, everything else in JSON, written atomically.

    RUN/checkpoints/step-00000500/model.safetensors       model weights
    RUN/checkpoints/step-00000500/optimizer.safetensors   optimizer tensors (e.g. Adam's moments)
    RUN/checkpoints/step-00000500/state.json              step, time, records, RNG states, optimizer groups
    RUN/checkpoints/latest                                name of the newest complete checkpoint

A checkpoint is written into a temporary folder that is renamed when complete, and `latest` is
replaced atomically after that, so a run killed at any moment leaves the previous checkpoint intact.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError
from safetensors.torch import load_file, save_file
from torch import nn

from rnnlab.files import write_atomic

FORMAT = 1
KEEP = 2  # complete checkpoints kept on disk


class CheckpointError(ValueError):
    """A checkpoint that is missing, incomplete or corrupt."""


@dataclass
class TrainingState:
    """Everything beyond the weights that a resumed run needs to continue exactly."""

    step: int
    elapsed: float
    records: list[dict[str, Any]]
    data_rng: torch.Tensor  # the training stream's generator state
    torch_rng: torch.Tensor  # the global CPU generator (dropout)
    diverged: bool = False


def _bytes_to_text(tensor: torch.Tensor) -> str:
    return base64.b64encode(tensor.cpu().numpy().tobytes()).decode()


def _text_to_bytes(text: str) -> torch.Tensor:
    return torch.frombuffer(bytearray(base64.b64decode(text)), dtype=torch.uint8)


def _optimizer_tensors(optimizer: torch.optim.Optimizer) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    state = optimizer.state_dict()
    tensors, scalars = {}, {}
    for index, slots in state["state"].items():
        for name, value in slots.items():
            if isinstance(value, torch.Tensor):
                tensors[f"{index}.{name}"] = value.detach().cpu().contiguous()
            else:
                scalars[f"{index}.{name}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def save_checkpoint(folder: Path, model: nn.Module, optimizer: torch.optim.Optimizer, state: TrainingState) -> Path:
    """Write a complete checkpoint under `folder` and point `latest` at it."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"step-{state.step:08d}"
    temporary = folder / f"{name}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    weights = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items()}
    save_file(weights, str(temporary / "model.safetensors"))
    tensors, optimizer_json = _optimizer_tensors(optimizer)
    save_file(tensors, str(temporary / "optimizer.safetensors"))
    document = {
        "format": FORMAT,
        "step": state.step,
        "elapsed": state.elapsed,
        "diverged": state.diverged,
        "records": state.records,
        "rng": {"data": _bytes_to_text(state.data_rng), "torch": _bytes_to_text(state.torch_rng)},
        "optimizer": optimizer_json,
    }
    write_atomic(temporary / "state.json", json.dumps(document))
    final = folder / name
    shutil.rmtree(final, ignore_errors=True)
    os.replace(temporary, final)
    write_atomic(folder / "latest", name + "\n")
    for old in sorted(p for p in folder.glob("step-*") if p.is_dir() and not p.name.endswith(".tmp"))[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def latest_checkpoint(folder: Path) -> Path | None:
    pointer = folder / "latest"
    if not pointer.exists():
        return None
    path = folder / pointer.read_text().strip()
    if not path.is_dir():
        raise CheckpointError(f"{pointer} names {path.name}, which does not exist")
    return path


def load_weights(path: Path, model: nn.Module) -> None:
    """Load `path/model.safetensors` into `model`, or raise CheckpointError saying what is wrong."""
    try:
        weights = load_file(str(path / "model.safetensors"))
    except (SafetensorError, OSError, RuntimeError) as error:
        raise CheckpointError(f"corrupt checkpoint {path}: cannot read model.safetensors ({error})") from error
    try:
        model.load_state_dict(weights)
    except RuntimeError as error:
        first = str(error).strip().splitlines()[0]
        raise CheckpointError(f"checkpoint {path} does not fit this model: {first}") from error


def _state_document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads((path / "state.json").read_text())
    except (OSError, ValueError) as error:  # ValueError: bad JSON or bytes that are not UTF-8
        raise CheckpointError(f"corrupt checkpoint {path}: cannot read state.json ({error})") from error
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise CheckpointError(f"corrupt checkpoint {path}: state.json is not a format-{FORMAT} checkpoint")
    missing = [key for key in ("step", "elapsed", "records", "rng", "optimizer") if key not in document]
    if missing:
        raise CheckpointError(f"corrupt checkpoint {path}: state.json lacks {', '.join(missing)}")
    return document


def saved_records(path: Path) -> list[dict[str, Any]]:
    """The evaluation records a checkpoint holds."""
    return list(_state_document(path)["records"])


def load_checkpoint(path: Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> TrainingState:
    """Restore weights and optimizer from a checkpoint folder; returns the training state."""
    load_weights(path, model)
    document = _state_document(path)
    try:
        tensors = load_file(str(path / "optimizer.safetensors"))
    except (OSError, SafetensorError) as error:
        raise CheckpointError(f"corrupt checkpoint {path}: cannot read optimizer.safetensors ({error})") from error
    slots: dict[int, dict[str, Any]] = {}
    for key, value in tensors.items():
        index, name = key.split(".", 1)
        slots.setdefault(int(index), {})[name] = value
    for key, value in document["optimizer"]["scalars"].items():
        index, name = key.split(".", 1)
        slots.setdefault(int(index), {})[name] = value
    try:
        optimizer.load_state_dict({"state": slots, "param_groups": document["optimizer"]["param_groups"]})
    except (ValueError, KeyError) as error:
        raise CheckpointError(f"checkpoint {path}: optimizer state does not fit ({error})") from error
    return TrainingState(
        step=int(document["step"]),
        elapsed=float(document["elapsed"]),
        records=list(document["records"]),
        data_rng=_text_to_bytes(document["rng"]["data"]),
        torch_rng=_text_to_bytes(document["rng"]["torch"]),
        diverged=bool(document.get("diverged", False)),
    )
