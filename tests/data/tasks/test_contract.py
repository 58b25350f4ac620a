"""What every synthetic task promises the trainer, checked once for all of them."""

import math

import pytest
import torch

from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.data.tasks.base import seeded
from rnnlab.data.tasks.copy_memory import CopyMemoryConfig, CopyMemoryTask
from rnnlab.data.tasks.selective_copy import SelectiveCopyConfig, SelectiveCopyTask
from rnnlab.data.tasks.temporal_order import TemporalOrderConfig, TemporalOrderTask
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TRAIN_STREAM, TrainConfig, train

TEST_STREAM = 1  # every task draws its fixed test set from stream 1 (adding.py)

SMALL_TASKS = [
    AddingTask(AddingConfig(length=10, test_size=16)),
    CopyMemoryTask(CopyMemoryConfig(length=4, delay=5, test_size=16)),
    SelectiveCopyTask(SelectiveCopyConfig(num_tokens=3, length=8, test_size=16)),
    TemporalOrderTask(TemporalOrderConfig(length=20, test_size=16)),
]


@pytest.mark.parametrize("task", SMALL_TASKS, ids=lambda task: task.name)
def test_deterministic_and_streaming(task) -> None:
    """Reference: the same generator state gives the same batch; a second draw continues the stream."""
    first, again = task.sample(8, seeded(1, TRAIN_STREAM)), task.sample(8, seeded(1, TRAIN_STREAM))
    assert torch.equal(first.inputs, again.inputs) and torch.equal(first.targets, again.targets)
    generator = seeded(1, TRAIN_STREAM)
    task.sample(8, generator)
    assert not torch.equal(task.sample(8, generator).inputs, first.inputs)


@pytest.mark.parametrize("task", SMALL_TASKS, ids=lambda task: task.name)
def test_test_set_is_fixed_and_apart_from_training(task) -> None:
    """Reference: seeded(seed, TEST_STREAM): the test set is the same on every call, differs per seed,
    and is never the training stream's first batch."""
    test = task.test_set(0)
    size = test.inputs.shape[0]
    assert size == task.config.test_size
    assert torch.equal(test.inputs, task.test_set(0).inputs)
    assert torch.equal(test.inputs, task.sample(size, seeded(0, TEST_STREAM)).inputs)
    assert not torch.equal(test.inputs, task.sample(size, seeded(0, TRAIN_STREAM)).inputs)
    assert not torch.equal(test.inputs, task.test_set(1).inputs)


# The adding task trains in tests/train/test_loop.py; its metrics hold one more than its baseline.
@pytest.mark.parametrize("task", SMALL_TASKS[1:], ids=lambda task: task.name)
def test_the_training_loop_accepts_it(task) -> None:
    """Reference: rnnlab.train.loop.train runs a few steps and evaluates on the test set (no performance
    claim); every metric the task reports has a memoryless baseline."""
    model = build_model(ModelConfig("lstm", hidden_size=8), task.io)
    result = train(model, task, TrainConfig(steps=3, batch_size=4, eval_every=3, device="cpu"))
    assert len(result.records) == 1 and not result.diverged
    assert set(result.final.metrics) == set(task.baseline)
    assert math.isfinite(result.final.train_loss)
