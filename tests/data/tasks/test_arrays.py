"""The `arrays` task: a user's sequences and targets in one .safetensors file (data/tasks/arrays.py).

Reference: the tensors written, and losses, metrics and baselines computed by hand on the real steps only."""

import math

import pytest
import torch
import torch.nn.functional as F

from rnnlab.data.tasks.arrays import (
    ArraysConfig,
    ArraysData,
    ArraysTask,
    Split,
    arrays_bytes,
    arrays_digest,
    read_arrays,
)
from rnnlab.models.sequence import IOSpec


def tagging_data() -> ArraysData:
    """Token sequences tagged per step with 3 classes; row 1 has 2 real steps of 4."""
    inputs = torch.tensor([[1, 2, 3, 4], [4, 3, 0, 0]])
    lengths = torch.tensor([4, 2])
    targets = torch.tensor([[0, 1, 2, 0], [2, 2, 0, 0]])
    split = Split(inputs, lengths, targets, per_step=True)
    return ArraysData("classes", IOSpec(5, 3, tokens=True, per_step=True), ("a", "b", "c"),
                      {"train": split, "validation": split, "test": split})


@pytest.fixture
def task(tmp_path) -> ArraysTask:
    path = tmp_path / "tags.safetensors"
    path.write_bytes(arrays_bytes(tagging_data()))
    return ArraysTask(ArraysConfig(path=str(path)))


def test_the_file_reads_back_what_was_written(task):
    written, read = tagging_data(), task.data
    assert (read.kind, read.io, read.classes) == (written.kind, written.io, written.classes)
    for name in ("train", "validation", "test"):
        for part in ("inputs", "lengths", "targets"):
            assert torch.equal(getattr(read.splits[name], part), getattr(written.splits[name], part))


def test_loss_and_metrics_read_real_steps_only(task):
    batch = task.test_set()
    outputs = torch.randn(2, 4, 3)
    real = torch.tensor([[True] * 4, [True, True, False, False]])
    expected = F.cross_entropy(outputs[real], batch.targets[real])
    assert torch.allclose(task.loss(outputs, batch), expected)
    accuracy = float((outputs[real].argmax(-1) == batch.targets[real]).float().mean())
    assert task.metrics(outputs, batch) == pytest.approx({"loss": float(expected), "accuracy": accuracy})


def test_the_baseline_is_the_training_class_frequencies(task):
    """Real training tags: a b c a | c c -> counts 2, 1, 3; add-one smoothed p = 3/9, 2/9, 4/9."""
    p = {0: 3 / 9, 1: 2 / 9, 2: 4 / 9}
    tags = [0, 1, 2, 0, 2, 2]
    assert task.baseline["loss"] == pytest.approx(-sum(math.log(p[t]) for t in tags) / len(tags))


def test_solved_only_with_a_threshold(tmp_path, task):
    assert not task.solved({"loss": 0.0})
    assert ArraysTask(ArraysConfig(path=task.config.path, solved_loss=0.1)).solved({"loss": 0.05})


def test_a_bad_file_is_one_line_naming_it(tmp_path):
    bad = tmp_path / "x.safetensors"
    bad.write_bytes(b"not safetensors")
    with pytest.raises(ValueError, match=r"x\.safetensors: not an arrays data file"):
        read_arrays(bad)
    with pytest.raises(ValueError, match=r"missing\.safetensors: no such data file"):
        ArraysTask(ArraysConfig(path=str(tmp_path / "missing.safetensors"))).prepare()
    with pytest.raises(ValueError, match=r"lengths must lie in 1 \.\. 2"):
        Split(torch.zeros(1, 2, 1), torch.tensor([3]), torch.zeros(1, dtype=torch.long), per_step=False)


def test_class_names_are_the_files_else_indices_and_none_for_values(tmp_path, task):
    assert task.class_names() == ("a", "b", "c")
    data = tagging_data()
    unnamed = tmp_path / "unnamed.safetensors"
    unnamed.write_bytes(arrays_bytes(ArraysData(data.kind, data.io, (), data.splits)))
    assert ArraysTask(ArraysConfig(path=str(unnamed))).class_names() == ("0", "1", "2")
    values = {name: Split(s.inputs, s.lengths, s.targets[..., None].float(), per_step=True)
              for name, s in data.splits.items()}
    valued = tmp_path / "values.safetensors"
    valued.write_bytes(arrays_bytes(ArraysData("values", IOSpec(5, 1, tokens=True, per_step=True), (), values)))
    assert ArraysTask(ArraysConfig(path=str(valued))).class_names() == ()


def test_the_digest_names_the_data_not_the_bytes(tmp_path):
    """safetensors writes its metadata in no fixed order, so the same data can give other bytes; the digest,
    which names a stored file (rnnlab.train from Python), is the same for the same data and read-back data."""
    data = tagging_data()
    path = tmp_path / "tags.safetensors"
    path.write_bytes(arrays_bytes(data))
    assert arrays_digest(data) == arrays_digest(tagging_data()) == arrays_digest(read_arrays(path))
    changed = Split(data.splits["test"].inputs, data.splits["test"].lengths, data.splits["test"].targets.flip(0), True)
    assert arrays_digest(ArraysData(data.kind, data.io, data.classes, {**data.splits, "test": changed})) != \
        arrays_digest(data)
    assert arrays_digest(ArraysData(data.kind, data.io, ("x", "y", "z"), data.splits)) != arrays_digest(data)
