"""Fashion-MNIST (Xiao, Rasul & Vollgraf 2017): 70,000 28x28 grey clothing images in 10 classes.

Source: the Debian package `dataset-fashion-mnist` (MIT licence), which installs the original
gzipped IDX files under /usr/share/datasets/fashion-mnist/:

    train-images-idx3-ubyte.gz   60,000 images     train-labels-idx1-ubyte.gz   60,000 labels
    t10k-images-idx3-ubyte.gz    10,000 images     t10k-labels-idx1-ubyte.gz    10,000 labels

The split is the official one, 60,000 / 10,000 with 6,000 / 1,000 per class, in the files' order.
Labels: 0 T-shirt/top, 1 trouser, 2 pullover, 3 dress, 4 coat, 5 sandal, 6 shirt, 7 sneaker, 8 bag,
9 ankle boot. Nothing is downloaded or written to the cache: the files are already local, and
parsing all four takes about half a second, once per process.
"""

from __future__ import annotations

import functools
import gzip
import struct
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from torch import Tensor

from rnnlab.data.datasets.info import DatasetInfo

Split = Literal["train", "test"]

DEBIAN_PACKAGE = "dataset-fashion-mnist"
DEFAULT_DIR = Path("/usr/share/datasets/fashion-mnist")
PREFIX = {"train": "train", "test": "t10k"}  # the files' names for the two splits
CLASSES = 10

# IDX (LeCun et al.): two zero bytes, a type code, the number of dimensions, then each size as a
# big-endian uint32, then the values big-endian in row-major order.
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def parse_idx(data: bytes) -> np.ndarray:
    """The array in an IDX file's bytes, in its own shape and (native-endian) type."""
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in IDX_TYPES:
        raise ValueError(f"not an IDX file: magic bytes {data[:4].hex()}")
    ndim = data[3]
    header = 4 + 4 * ndim
    if len(data) < header:
        raise ValueError(f"IDX header promises {ndim} dimensions but the file ends after {len(data)} bytes")
    shape = struct.unpack(f">{ndim}I", data[4:header])
    dtype = np.dtype(IDX_TYPES[data[2]])
    expected = header + dtype.itemsize * int(np.prod(shape, dtype=np.int64))
    if len(data) != expected:
        raise ValueError(f"IDX file of shape {shape} should be {expected} bytes, got {len(data)}")
    values = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    return values.astype(dtype.newbyteorder("="))


def read_idx(path: Path) -> np.ndarray:
    """An IDX file, gzipped (`.gz`) or not."""
    data = path.read_bytes()
    return parse_idx(gzip.decompress(data) if path.suffix == ".gz" else data)


def split_files(split: Split, directory: Path) -> tuple[Path, Path]:
    """(images, labels) paths of a split; a clear error when the Debian package is missing."""
    if split not in PREFIX:
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    files = tuple(directory / f"{PREFIX[split]}-{kind}-ubyte.gz" for kind in ("images-idx3", "labels-idx1"))
    missing = [str(path) for path in files if not path.exists()]
    if missing:
        raise FileNotFoundError(f"Fashion-MNIST not found ({', '.join(missing)}); "
                                f"install it with: apt-get install {DEBIAN_PACKAGE}")
    return files[0], files[1]


def load_fashion_mnist(split: Split, directory: Path = DEFAULT_DIR) -> tuple[Tensor, Tensor]:
    """The official train (60,000) or test (10,000) split: images (N, 28, 28) uint8, labels (N,) int64."""
    return _load(split, directory)


@functools.cache  # once per process, split and folder
def _load(split: Split, directory: Path) -> tuple[Tensor, Tensor]:
    image_file, label_file = split_files(split, directory)
    images, labels = read_idx(image_file), read_idx(label_file)
    if images.dtype != np.uint8 or images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
        raise ValueError(f"expected uint8 images (N, H, W) and N labels, got {images.dtype} {images.shape} "
                         f"and {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= CLASSES):
        raise ValueError(f"labels must lie in [0, {CLASSES}), got [{labels.min()}, {labels.max()}]")
    return torch.from_numpy(images), torch.from_numpy(labels.astype(np.int64))


def _fetch() -> None:
    for split in ("train", "test"):
        load_fashion_mnist(split)


INFO = DatasetInfo(
    "fashion-mnist", "handwriting (clothing images)", f"Debian {DEBIAN_PACKAGE}", "60,000 + 10,000 images 28x28",
    "MIT", "Fashion-MNIST, official split; read pixel by pixel (784 steps)",
    fetch=_fetch, is_cached=lambda: (DEFAULT_DIR / "t10k-images-idx3-ubyte.gz").exists(),
)
