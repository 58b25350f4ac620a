"""Checkpoints: weights in safetensors, everything else in JSON, written atomically.

    RUN/checkpoints/step-00000500/model.safetensors       model weights
    RUN/checkpoints/step-00000500/optimizer.safetensors   optimizer tensors (e.g. Adam's moments)
    RUN/checkpoints/step-00000500/state.json              step, time, records, RNG states, optimizer groups
    RUN/checkpoints/latest                                name of the newest complete checkpoint

A checkpoint is written into a temporary folder that is renamed when complete, and `latest` is
replaced atomically after that, so a run killed at any moment leaves the previous checkpoint intact.
A write that fails (a full disk) removes its temporary folder and leaves the previous checkpoint too.

Damage after the fact is caught, never loaded as if it were the run: state.json records the SHA-256 of
both weight files and of its own contents, so a truncated or altered file is a `CheckpointError` naming
it and saying what to do (use the checkpoint before it, or train again). A `latest` that names no
checkpoint falls back to the newest complete one (complete folders are only ever renamed into place).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from rnnlab.files import atomic_path, write_atomic

FORMAT = 1
KEEP = 2  # complete checkpoints kept on disk
WEIGHTS, OPTIMIZER, STATE = "model.safetensors", "optimizer.safetensors", "state.json"


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _document_digest(document: dict[str, Any]) -> str:
    """The SHA-256 of a state document without its own "sha256" entry, in a canonical JSON form."""
    body = {key: value for key, value in document.items() if key != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def save_checkpoint(folder: Path, model: nn.Module, optimizer: torch.optim.Optimizer, state: TrainingState) -> Path:
    """Write a complete checkpoint under `folder` and point `latest` at it."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"step-{state.step:08d}"
    temporary = folder / f"{name}.tmp"
    shutil.rmtree(temporary, ignore_errors=True)
    temporary.mkdir()
    try:
        weights = {key: value.detach().cpu().contiguous() for key, value in model.state_dict().items()}
        save_file(weights, str(temporary / WEIGHTS))
        tensors, optimizer_json = _optimizer_tensors(optimizer)
        save_file(tensors, str(temporary / OPTIMIZER))
        document = {
            "format": FORMAT,
            "step": state.step,
            "elapsed": state.elapsed,
            "diverged": state.diverged,
            "records": state.records,
            "rng": {"data": _bytes_to_text(state.data_rng), "torch": _bytes_to_text(state.torch_rng)},
            "optimizer": optimizer_json,
            "files": {file: _sha256(temporary / file) for file in (WEIGHTS, OPTIMIZER)},
        }
        document["sha256"] = _document_digest(document)
        write_atomic(temporary / STATE, json.dumps(document))
        final = folder / name
        shutil.rmtree(final, ignore_errors=True)
        os.replace(temporary, final)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)  # a full disk: free what this attempt took
        raise
    write_atomic(folder / "latest", name + "\n")
    for old in complete_checkpoints(folder)[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return final


def complete_checkpoints(folder: Path) -> list[Path]:
    """The complete checkpoint folders under `folder`, oldest first."""
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.glob("step-*") if p.is_dir() and not p.name.endswith(".tmp"))


def latest_checkpoint(folder: Path) -> Path | None:
    """The checkpoint `latest` names; the newest complete one if `latest` is unreadable or names none (a
    checkpoint folder is renamed into place complete, so the newest is the last one written); None if none."""
    pointer = folder / "latest"
    if not pointer.exists():
        return None
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        name = ""
    path = folder / name if name.startswith("step-") and "/" not in name else None
    if path is not None and path.is_dir():
        return path
    found = complete_checkpoints(folder)
    if not found:
        raise CheckpointError(f"{pointer} names no checkpoint and {folder} holds none; train the run again "
                              "with --overwrite")
    return found[-1]


def damaged(path: Path, file: str, problem: str) -> CheckpointError:
    """The error for a damaged file of checkpoint `path`: which file, what is wrong, and what to do."""
    earlier = [p for p in complete_checkpoints(path.parent) if p.name < path.name and p.name.startswith("step-")]
    if path.name == "best":
        advice = f"delete {path} to use the run's newest checkpoint instead"
    elif earlier:
        advice = f"delete {path} to use the checkpoint before it ({earlier[-1].name})"
    else:
        advice = "it is the run's only checkpoint: train the run again with --overwrite"
    return CheckpointError(f"{path / file} is {problem}; {advice}")


def _check_file(path: Path, file: str, expected: str | None) -> None:
    if expected is not None and (path / file).is_file() and _sha256(path / file) != expected:
        raise damaged(path, file, "corrupt (its SHA-256 differs from the one state.json recorded)")


def read_tensors(path: Path, file: str, expected: str | None = None) -> dict[str, torch.Tensor]:
    """The tensors of `path/file`, checked against the SHA-256 `expected`; CheckpointError if damaged."""
    _check_file(path, file, expected)
    try:
        return load_file(str(path / file))
    except FileNotFoundError:
        raise damaged(path, file, "missing") from None
    except (SafetensorError, OSError, RuntimeError) as error:
        raise damaged(path, file, f"unreadable ({' '.join(str(error).split())})") from None


def load_weights(path: Path, model: nn.Module) -> None:
    """Load `path/model.safetensors` into `model`, or raise CheckpointError saying what is wrong."""
    if (path / STATE).exists() or path.name != "best":
        weights = read_tensors(path, WEIGHTS, _state_document(path).get("files", {}).get(WEIGHTS))
    else:
        weights = read_best(path)[0]
    try:
        model.load_state_dict(weights)
    except RuntimeError as error:
        first = str(error).strip().splitlines()[0]
        raise CheckpointError(f"checkpoint {path} does not fit this model: {first}") from error


def _state_document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads((path / STATE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise damaged(path, STATE, "missing") from None
    except (OSError, ValueError) as error:  # ValueError: bad JSON or bytes that are not UTF-8
        raise damaged(path, STATE, f"unreadable ({' '.join(str(error).split())})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise damaged(path, STATE, f"not a format-{FORMAT} checkpoint state")
    missing = [key for key in ("step", "elapsed", "records", "rng", "optimizer") if key not in document]
    if missing:
        raise damaged(path, STATE, f"incomplete (it lacks {', '.join(missing)})")
    if "sha256" in document and document["sha256"] != _document_digest(document):
        raise damaged(path, STATE, "corrupt (its contents differ from the SHA-256 written with them)")
    return document


def tensors_digest(tensors: dict[str, torch.Tensor]) -> str:
    """The SHA-256 of named tensors: names, dtypes, shapes and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        tensor = tensors[name].detach().cpu().contiguous()
        digest.update(f"{name}\0{tensor.dtype}\0{tuple(tensor.shape)}\0".encode())
        digest.update(tensor.reshape(-1).view(torch.uint8).numpy().tobytes())
    return digest.hexdigest()


def write_best(folder: Path, weights: dict[str, torch.Tensor], value: float, step: int) -> None:
    """Keep the best evaluation's weights in `folder` (checkpoints/best), its metric value, step and the digest
    of the weights in the same file's metadata: one atomic write, so a kill leaves the old best or the new."""
    tensors = {key: tensor.contiguous() for key, tensor in weights.items()}
    meta = {"value": repr(float(value)), "step": str(step), "tensors_sha256": tensors_digest(tensors)}
    folder.mkdir(parents=True, exist_ok=True)
    with atomic_path(folder / WEIGHTS) as partial:
        save_file(tensors, str(partial), metadata=meta)


def read_best(path: Path) -> tuple[dict[str, torch.Tensor], tuple[float, int]]:
    """The best evaluation's weights and (metric value, step) kept in `path` (checkpoints/best); runs written
    before the metadata existed keep value and step in best.json beside the weights."""
    try:
        with safe_open(str(path / WEIGHTS), framework="pt") as reader:
            meta = reader.metadata() or {}
    except FileNotFoundError:
        raise damaged(path, WEIGHTS, "missing") from None
    except (SafetensorError, OSError) as error:
        raise damaged(path, WEIGHTS, f"unreadable ({' '.join(str(error).split())})") from None
    weights = read_tensors(path, WEIGHTS)
    if "step" not in meta:
        return weights, _old_best_json(path)
    if tensors_digest(weights) != meta.get("tensors_sha256"):
        raise damaged(path, WEIGHTS, "corrupt (its tensors differ from the SHA-256 written with them)")
    try:
        return weights, (float(meta["value"]), int(meta["step"]))
    except ValueError:
        raise damaged(path, WEIGHTS, "corrupt (its metadata is not a value and a step)") from None


def _old_best_json(path: Path) -> tuple[float, int]:
    try:
        meta = json.loads((path / "best.json").read_text(encoding="utf-8"))
        return float(meta["value"]), int(meta["step"])
    except FileNotFoundError:
        raise damaged(path, "best.json", "missing") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise damaged(path, "best.json", f"unreadable ({' '.join(str(error).split())})") from None


def verify_checkpoint(path: Path) -> None:
    """Read a checkpoint through, checking every file against the SHA-256 state.json recorded (what resuming
    will load), so that a damaged one is refused before a resumed run starts; CheckpointError if damaged."""
    files = _state_document(path).get("files", {})
    for file in (WEIGHTS, OPTIMIZER):
        read_tensors(path, file, files.get(file))


def saved_records(path: Path) -> list[dict[str, Any]]:
    """The evaluation records a checkpoint holds."""
    return list(_state_document(path)["records"])


def load_checkpoint(path: Path, model: nn.Module, optimizer: torch.optim.Optimizer) -> TrainingState:
    """Restore weights and optimizer from a checkpoint folder; returns the training state."""
    load_weights(path, model)
    document = _state_document(path)
    tensors = read_tensors(path, OPTIMIZER, document.get("files", {}).get(OPTIMIZER))
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
        raise damaged(path, OPTIMIZER, f"not this run's optimizer state ({error})") from None
    return TrainingState(
        step=int(document["step"]),
        elapsed=float(document["elapsed"]),
        records=list(document["records"]),
        data_rng=_text_to_bytes(document["rng"]["data"]),
        torch_rng=_text_to_bytes(document["rng"]["torch"]),
        diverged=bool(document.get("diverged", False)),
    )
