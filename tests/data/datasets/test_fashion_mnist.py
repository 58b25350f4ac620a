"""Fashion-MNIST: IDX parsing on tiny files written here, the missing-package message, and the real
files from the Debian package when it is installed."""

import gzip
import struct
from pathlib import Path

import numpy as np
import pytest
import torch

from rnnlab.data.datasets import fashion_mnist
from rnnlab.data.datasets.fashion_mnist import DEFAULT_DIR, load_fashion_mnist, parse_idx, read_idx

REAL_FILES = [DEFAULT_DIR / f"{prefix}-{kind}-ubyte.gz" for prefix in ("train", "t10k")
              for kind in ("images-idx3", "labels-idx1")]
needs_debian_package = pytest.mark.skipif(not all(p.exists() for p in REAL_FILES),
                                          reason="apt-get install dataset-fashion-mnist to run")


def idx_bytes(array: np.ndarray) -> bytes:
    """IDX by its spec (LeCun et al., the MNIST page): 0, 0, type code, ndim, big-endian sizes, values."""
    code = {np.dtype(np.uint8): 0x08, np.dtype(np.int32): 0x0C, np.dtype(np.float32): 0x0D}[array.dtype]
    header = bytes([0, 0, code, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def write_split(folder: Path, prefix: str, images: np.ndarray, labels: np.ndarray) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{prefix}-images-idx3-ubyte.gz").write_bytes(gzip.compress(idx_bytes(images)))
    (folder / f"{prefix}-labels-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))


@pytest.fixture(autouse=True)
def _fresh() -> None:
    fashion_mnist._load.cache_clear()


def test_parse_idx_images_and_labels():
    images = np.arange(3 * 28 * 28, dtype=np.int64).reshape(3, 28, 28).astype(np.uint8)
    assert np.array_equal(parse_idx(idx_bytes(images)), images)
    labels = np.array([9, 0, 3], dtype=np.uint8)
    parsed = parse_idx(idx_bytes(labels))
    assert parsed.shape == (3,) and parsed.tolist() == [9, 0, 3]


def test_parse_idx_reads_multibyte_values_big_endian():
    """Reference: the IDX spec: multi-byte values are stored most significant byte first."""
    values = np.array([[1, -2], [70_000, 3]], dtype=np.int32)
    assert idx_bytes(values)[-16:-12] == b"\x00\x00\x00\x01"
    parsed = parse_idx(idx_bytes(values))
    assert parsed.dtype == np.int32 and parsed.tolist() == values.tolist() and parsed.dtype.isnative


@pytest.mark.parametrize("data, message", [
    (b"\x08\x03\x00\x00", "not an IDX file"),
    (b"\x00\x00\x07\x01" + struct.pack(">I", 1) + b"\x00", "not an IDX file"),  # unknown type code
    (b"\x00\x00\x08\x03" + struct.pack(">I", 2), "header promises 3 dimensions"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 3) + b"\x01\x02", "should be 11 bytes"),
    (b"\x00\x00\x08\x01" + struct.pack(">I", 1) + b"\x01\x02", "should be 9 bytes"),
])
def test_parse_idx_refuses_malformed_files(data, message):
    with pytest.raises(ValueError, match=message):
        parse_idx(data)


def test_read_idx_handles_gzipped_and_plain_files(tmp_path):
    labels = np.array([1, 2, 3], dtype=np.uint8)
    (tmp_path / "plain-idx1-ubyte").write_bytes(idx_bytes(labels))
    (tmp_path / "packed-idx1-ubyte.gz").write_bytes(gzip.compress(idx_bytes(labels)))
    assert read_idx(tmp_path / "plain-idx1-ubyte").tolist() == [1, 2, 3]
    assert read_idx(tmp_path / "packed-idx1-ubyte.gz").tolist() == [1, 2, 3]


def test_load_reads_the_official_file_names(tmp_path):
    """Reference: `dpkg -L dataset-fashion-mnist`: {train,t10k}-{images-idx3,labels-idx1}-ubyte.gz."""
    rng = np.random.default_rng(0)
    train_images = rng.integers(0, 256, (6, 28, 28), dtype=np.uint8)
    test_images = rng.integers(0, 256, (4, 28, 28), dtype=np.uint8)
    write_split(tmp_path, "train", train_images, np.array([0, 1, 2, 3, 4, 9], dtype=np.uint8))
    write_split(tmp_path, "t10k", test_images, np.array([5, 6, 7, 8], dtype=np.uint8))
    images, labels = load_fashion_mnist("train", tmp_path)
    assert images.dtype == torch.uint8 and torch.equal(images, torch.from_numpy(train_images))
    assert labels.dtype == torch.int64 and labels.tolist() == [0, 1, 2, 3, 4, 9]
    images, labels = load_fashion_mnist("test", tmp_path)
    assert torch.equal(images, torch.from_numpy(test_images)) and labels.tolist() == [5, 6, 7, 8]
    assert load_fashion_mnist("test", tmp_path) is load_fashion_mnist("test", tmp_path)  # once per process


def test_mismatched_files_are_refused(tmp_path):
    write_split(tmp_path, "train", np.zeros((3, 28, 28), np.uint8), np.zeros(2, np.uint8))
    with pytest.raises(ValueError, match="N labels"):
        load_fashion_mnist("train", tmp_path)


def test_missing_package_says_how_to_install_it(tmp_path):
    with pytest.raises(FileNotFoundError, match="install it with: apt-get install dataset-fashion-mnist"):
        load_fashion_mnist("train", tmp_path / "nowhere")


def test_unknown_split_is_refused(tmp_path):
    with pytest.raises(ValueError, match="split must be"):
        load_fashion_mnist("validation", tmp_path)  # type: ignore[arg-type]


@needs_debian_package
def test_real_fashion_mnist_official_split():
    """Reference: the Fashion-MNIST README: 60,000 training and 10,000 test images, 28x28, ten balanced
    classes; the first labels are golden numbers read from the Debian package's files."""
    train_images, train_labels = load_fashion_mnist("train")
    test_images, test_labels = load_fashion_mnist("test")
    assert train_images.shape == (60_000, 28, 28) and test_images.shape == (10_000, 28, 28)
    assert train_images.dtype == torch.uint8
    assert torch.bincount(train_labels).tolist() == [6000] * 10
    assert torch.bincount(test_labels).tolist() == [1000] * 10
    assert train_labels[:5].tolist() == [9, 0, 0, 3, 0] and test_labels[:5].tolist() == [9, 2, 1, 1, 6]
