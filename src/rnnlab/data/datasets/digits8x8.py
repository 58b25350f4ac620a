"""UCI 8x8 handwritten digits (scikit-learn's `load_digits`), read straight out of the scikit-learn wheel.

Source: the PyPI wheel `scikit-learn==1.7.2` (BSD-3 package; the data, from the UCI "Optical
Recognition of Handwritten Digits" set by E. Alpaydin and C. Kaynak, 1998, are CC BY 4.0), file
`sklearn/datasets/data/digits.csv.gz`: 1,797 rows of 64 pixels (8x8, row-major, integers 0..16:
counts of ink in 4x4 blocks of a 32x32 bitmap) and then the label. scikit-learn is never installed:
its wheel is downloaded into the cache once and read with `zipfile`. Parsing takes milliseconds, so
nothing parsed is cached.

Split: none comes with the file (it records no writers), so this module fixes one, stratified by
class from one shuffle with `SPLIT_SEED`: 20 % of each class to test, then 10 % of each class's rest
to validation: 1,295 train / 143 validation / 359 test. Every split keeps the shuffled order.

    images, labels = load_digits8x8("train")     # (N, 8, 8) uint8 in 0..16, (N,) int64
"""

from __future__ import annotations

import functools
import gzip
from typing import Literal

import numpy as np
import torch
from torch import Tensor

from rnnlab.data.datasets.info import DatasetInfo
from rnnlab.data.sources import cached_wheel, wheel_member

Split = Literal["train", "validation", "test"]

PACKAGE, VERSION = "scikit-learn", "1.7.2"  # a release with wheels for CPython 3.10-3.14
MEMBER = "sklearn/datasets/data/digits.csv.gz"
SIDE = 8
CLASSES = 10
MAX_PIXEL = 16
SPLIT_SEED = 1797  # fixed forever: changing it changes the test set and breaks comparisons
TEST_FRACTION = 0.2
VALIDATION_FRACTION = 0.1  # of what is left after the test rows


def parse_csv(text: bytes, name: str = MEMBER) -> tuple[Tensor, Tensor]:
    """Rows of 64 pixels then a label -> images (N, 8, 8) uint8, labels (N,) int64; ValueError naming the row."""
    rows = [line for line in text.decode("ascii").splitlines() if line.strip()]
    if not rows:
        raise ValueError(f"{name} is empty")
    values = []
    for number, line in enumerate(rows, start=1):
        fields = line.split(",")
        if len(fields) != SIDE * SIDE + 1:
            raise ValueError(f"{name} row {number}: expected {SIDE * SIDE} pixels and a label, "
                             f"got {len(fields)} fields")
        try:
            values.append([int(float(field)) for field in fields])
        except ValueError:
            raise ValueError(f"{name} row {number}: a field is not a number") from None
    table = np.array(values, dtype=np.int64)
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min() < 0 or pixels.max() > MAX_PIXEL:
        raise ValueError(f"{name}: pixels must lie in 0..{MAX_PIXEL}")
    if labels.min() < 0 or labels.max() >= CLASSES:
        raise ValueError(f"{name}: labels must lie in 0..{CLASSES - 1}")
    return torch.from_numpy(pixels.astype(np.uint8)).reshape(-1, SIDE, SIDE), torch.from_numpy(labels.copy())


@functools.cache
def load_all() -> tuple[Tensor, Tensor]:
    """All 1,797 images (N, 8, 8) uint8 and labels (N,) int64 in file order; the wheel is fetched on first use."""
    return parse_csv(gzip.decompress(wheel_member(PACKAGE, VERSION, MEMBER)))


def stratified_holdout(labels: Tensor, fraction: float, seed: int) -> tuple[Tensor, Tensor]:
    """Row indices (kept, held): round(fraction · n_c) rows of every class c are held out.

    One shuffle of all rows from `seed`; in that order a class's first rows are the held ones. Both
    index lists keep the shuffled order, so any prefix mixes the classes.
    """
    if not 0 < fraction < 1:
        raise ValueError(f"fraction must lie in (0, 1), got {fraction}")
    classes = int(labels.max()) + 1
    counts = torch.bincount(labels, minlength=classes)  # (C,)
    quota = torch.round(counts.double() * fraction).long()  # (C,)
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))  # (N,)
    shuffled = labels[order]  # (N,)
    seen = torch.nn.functional.one_hot(shuffled, classes).cumsum(dim=0)  # (N, C): rows of each class so far
    rank = seen[torch.arange(len(shuffled)), shuffled] - 1  # (N,): 0 for a class's first row
    held = rank < quota[shuffled]
    return order[~held], order[held]


def split_rows(labels: Tensor) -> dict[Split, Tensor]:
    """The fixed row indices of each split (see the module docstring)."""
    rest, test = stratified_holdout(labels, TEST_FRACTION, SPLIT_SEED)
    kept, validation = stratified_holdout(labels[rest], VALIDATION_FRACTION, SPLIT_SEED + 1)
    return {"train": rest[kept], "validation": rest[validation], "test": test}


def load_digits8x8(split: Split) -> tuple[Tensor, Tensor]:
    """One fixed split: images (N, 8, 8) uint8 in 0..16, labels (N,) int64."""
    images, labels = load_all()
    rows = split_rows(labels)
    if split not in rows:
        raise ValueError(f"split must be one of {', '.join(rows)}, got {split!r}")
    return images[rows[split]], labels[rows[split]]


INFO = DatasetInfo(
    "digits8x8", "handwriting", f"PyPI {PACKAGE}=={VERSION} (wheel, read with zipfile)", "1,797 images 8x8",
    "CC BY 4.0", "UCI handwritten digits, 8x8 ink counts; fixed stratified 1,295 / 143 / 359 split",
    fetch=load_all, is_cached=lambda: cached_wheel(PACKAGE, VERSION) is not None,
)
