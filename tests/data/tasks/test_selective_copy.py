"""Selective copying against its docstring, its memoryless baseline, and the training loop."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from rnnlab.data.tasks.base import seeded
from rnnlab.data.tasks.selective_copy import IGNORE, NOISE, SelectiveCopyConfig, SelectiveCopyTask
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TRAIN_STREAM

SMALL = SelectiveCopyConfig(num_tokens=3, length=8, test_size=16)


def test_worked_example():
    """Reference: the example in SelectiveCopyConfig's docstring, written out by hand; the tokens are
    given out of order to show that the targets follow the positions."""
    batch = SelectiveCopyTask(SMALL).batch_from(torch.tensor([[7, 5, 2]]), torch.tensor([[6, 1, 4]]))
    _ = IGNORE
    assert batch.inputs.tolist() == [[0, 5, 0, 0, 2, 0, 7, 0, 9, 9, 9]]
    assert batch.targets.tolist() == [[_, _, _, _, _, _, _, _, 5, 2, 7]]


def test_defaults():
    """Reference: Gu & Dao 2023's 16 tokens to copy; ids 0 noise, 1..8 data, 9 cue."""
    task = SelectiveCopyTask()
    assert task.name == "selective-copy-256"
    assert (task.io.input_size, task.io.output_size, task.io.tokens, task.io.per_step) == (10, 10, True, True)
    batch = task.sample(2, seeded(0, TRAIN_STREAM))
    assert batch.inputs.shape == batch.targets.shape == (2, 256 + 16)


@pytest.mark.parametrize(("num_tokens", "length"), [(1, 1), (5, 5), (16, 40)])
def test_structure(num_tokens, length):
    """Reference: the docstring's layout: M data tokens among T noise steps, then M cues whose targets
    are the data tokens in order of position; IGNORE everywhere else."""
    c = SelectiveCopyConfig(num_tokens=num_tokens, length=length, vocab_size=5)
    batch = SelectiveCopyTask(c).sample(64, seeded(2, TRAIN_STREAM))
    x, y = batch.inputs, batch.targets
    M, T = num_tokens, length
    data = x[:, :T]
    is_data = data != NOISE
    assert bool((is_data.sum(dim=1) == M).all())
    assert bool((data <= 5).all())  # no cue among the data
    assert bool((x[:, T:] == c.cue).all())
    assert torch.equal(y[:, T:], data[is_data].view(64, M))  # boolean indexing reads each row left to right
    assert bool((y[:, :T] == IGNORE).all())


def test_positions_are_spread():
    """Reference: a uniformly random M-subset puts a token at each step with probability M/T; over 2000
    sequences every step's share is within 5 standard errors of 16/64."""
    c = SelectiveCopyConfig(num_tokens=16, length=64)
    batch = SelectiveCopyTask(c).sample(2000, seeded(0, TRAIN_STREAM))
    share = (batch.inputs[:, :64] != NOISE).float().mean(dim=0)  # (T,)
    p = 16 / 64
    assert float((share - p).abs().max()) < 5 * math.sqrt(p * (1 - p) / 2000)


def test_batch_from_rejects_bad_positions():
    task = SelectiveCopyTask(SMALL)
    tokens = torch.tensor([[1, 2, 3]])
    for positions in ([[0, 0, 1]], [[0, 1, 8]], [[-1, 1, 2]]):
        with pytest.raises(ValueError, match="distinct"):
            task.batch_from(tokens, torch.tensor(positions))
    with pytest.raises(ValueError, match="shape"):
        task.batch_from(torch.tensor([[1, 2]]), torch.tensor([[0, 1]]))


@pytest.mark.parametrize(("options", "word"), [({"num_tokens": 0}, "num_tokens"), ({"length": 15}, "length"),
                                               ({"vocab_size": 1}, "vocab_size"), ({"test_size": 0}, "test_size")])
def test_config_rejects(options, word):
    with pytest.raises(ValueError, match=word):
        SelectiveCopyConfig(**options)


def test_memoryless_baseline():
    """Reference: logits uniform over the 8 data symbols (never noise or cue) score log 8 per output step."""
    task = SelectiveCopyTask(SMALL)
    batch = task.sample(32, seeded(0, TRAIN_STREAM))
    logits = torch.full((*batch.targets.shape, 10), -math.inf, dtype=torch.float64)
    logits[..., 1:9] = 0.0
    metrics = task.metrics(logits, batch)
    assert_close(metrics["cross_entropy"], math.log(8))
    assert_close(float(task.loss(logits, batch)), math.log(8))
    assert task.baseline == {"accuracy": 1 / 8, "sequence_accuracy": 8.0 ** -3, "cross_entropy": math.log(8)}
    assert not task.solved(metrics)


def test_perfect_outputs_solve_it():
    """Reference: one-hot logits on the targets score accuracy 1; one wrong token per sequence 15/16."""
    task = SelectiveCopyTask(SelectiveCopyConfig(length=32))
    batch = task.sample(16, seeded(0, TRAIN_STREAM))
    perfect = 20.0 * F.one_hot(batch.targets.clamp(min=0), 10).float()
    metrics = task.metrics(perfect, batch)
    assert metrics["accuracy"] == metrics["sequence_accuracy"] == 1.0
    assert metrics["cross_entropy"] < 1e-6
    assert task.solved(metrics)

    perfect[:, -1] = 20.0 * F.one_hot(torch.full((16,), task.config.cue), 10).float()  # the cue, never a target
    metrics = task.metrics(perfect, batch)
    assert_close(metrics["accuracy"], 15 / 16)
    assert metrics["sequence_accuracy"] == 0.0
    assert not task.solved(metrics)


def test_metrics_of_a_model():
    """Reference: the keys of `baseline`; accuracies in [0, 1]; cross-entropy finite and positive."""
    task = SelectiveCopyTask(SMALL)
    model = build_model(ModelConfig("lstm", hidden_size=8), task.io)
    batch = task.sample(8, seeded(0, TRAIN_STREAM))
    with torch.no_grad():
        outputs, _ = model(batch.inputs, None, batch.lengths)
    metrics = task.metrics(outputs, batch)
    assert set(metrics) == set(task.baseline)
    assert 0 <= metrics["sequence_accuracy"] <= metrics["accuracy"] <= 1
    assert 0 < metrics["cross_entropy"] < math.inf
