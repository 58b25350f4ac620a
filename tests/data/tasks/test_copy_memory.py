"""Copy memory against its docstring, Arjovsky et al.'s memoryless baseline, and the training loop."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch import Tensor
from torch.testing import assert_close

from rnnlab.data.tasks.base import seeded
from rnnlab.data.tasks.copy_memory import BLANK, IGNORE, CopyMemoryConfig, CopyMemoryTask
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TRAIN_STREAM

SMALL = CopyMemoryConfig(length=4, delay=5, test_size=16)


def test_worked_example():
    """Reference: the example in CopyMemoryConfig's docstring, written out by hand."""
    batch = CopyMemoryTask(SMALL).batch_from(torch.tensor([[3, 1, 4, 1]]))
    _ = IGNORE
    assert batch.inputs.tolist() == [[3, 1, 4, 1, 0, 0, 0, 0, 9, 0, 0, 0, 0]]
    assert batch.targets.tolist() == [[_, _, _, _, _, _, _, _, _, 3, 1, 4, 1]]
    assert batch.lengths is None


def test_default_is_arjovsky():
    """Reference: Arjovsky et al. 2016, section 4.1: ids 0 blank, 1..8 symbols, 9 delimiter; T + 20 steps."""
    task = CopyMemoryTask()
    assert task.name == "copy-100"
    assert (task.io.input_size, task.io.output_size, task.io.tokens, task.io.per_step) == (10, 10, True, True)
    batch = task.sample(3, seeded(0, TRAIN_STREAM))
    assert batch.inputs.shape == batch.targets.shape == (3, 120)
    assert batch.inputs.dtype == batch.targets.dtype == torch.long


@pytest.mark.parametrize("delay", [1, 2, 37])
def test_structure(delay):
    """Reference: the docstring's layout: symbols, delay - 1 blanks, the cue, L blank recall steps whose
    targets are the symbols in order; IGNORE everywhere else."""
    c = CopyMemoryConfig(length=6, delay=delay, vocab_size=5)
    L, T = c.length, c.delay
    batch = CopyMemoryTask(c).sample(64, seeded(3, TRAIN_STREAM))
    x, y = batch.inputs, batch.targets
    assert x.shape == y.shape == (64, T + 2 * L)
    symbols = x[:, :L]
    assert bool(((symbols >= 1) & (symbols <= 5)).all())
    assert bool((x[:, L:L + T - 1] == BLANK).all())
    assert bool((x[:, L + T - 1] == c.cue).all())
    assert bool((x == c.cue).sum(dim=1).eq(1).all())  # one cue per sequence
    assert bool((x[:, L + T:] == BLANK).all())
    assert torch.equal(y[:, -L:], symbols)
    assert bool((y[:, :-L] == IGNORE).all())


@pytest.mark.parametrize(("field", "value"), [("length", 0), ("delay", 0), ("delay", -1), ("vocab_size", 1),
                                              ("test_size", 0)])
def test_config_rejects(field, value):
    with pytest.raises(ValueError, match=field.split("_")[0]):
        CopyMemoryConfig(**{field: value})


def memoryless_logits(task: CopyMemoryTask, targets: Tensor) -> Tensor:
    """Arjovsky et al.'s memoryless strategy as logits: certain of blank before the recall, uniform over
    the symbols 1..V during it, never the cue."""
    V = task.config.vocab_size
    logits = torch.full((*targets.shape, V + 2), -math.inf, dtype=torch.float64)
    recalled = targets != IGNORE
    logits[..., BLANK] = torch.where(recalled, -math.inf, 0.0)
    logits[..., 1:V + 1] = torch.where(recalled, 0.0, -math.inf).unsqueeze(-1)
    return logits


@pytest.mark.parametrize("delay", [5, 100])
def test_memoryless_baseline(delay):
    """Reference: log 8 per recalled step, and Arjovsky et al.'s 10 log(8) / (T + 20) computed directly
    as the mean cross-entropy over all T + 20 steps, whose targets are blank before the recall."""
    task = CopyMemoryTask(CopyMemoryConfig(delay=delay))
    batch = task.sample(32, seeded(0, TRAIN_STREAM))
    logits = memoryless_logits(task, batch.targets)
    metrics = task.metrics(logits, batch)

    assert_close(task.baseline["cross_entropy"], math.log(8))
    assert_close(metrics["cross_entropy"], math.log(8))
    assert_close(float(task.loss(logits, batch)), math.log(8))

    all_targets = torch.where(batch.targets == IGNORE, BLANK, batch.targets)  # (B, T + 20)
    direct = float(F.cross_entropy(logits.flatten(0, 1), all_targets.flatten()))
    assert_close(direct, 10 * math.log(8) / (delay + 20))
    assert_close(task.baseline["cross_entropy_all_steps"], direct)
    assert_close(metrics["cross_entropy_all_steps"], direct)

    assert task.baseline["accuracy"] == 1 / 8
    assert task.baseline["sequence_accuracy"] == 8.0 ** -10
    assert not task.solved(metrics)


def test_constant_guess_scores_chance():
    """Reference: always answering one symbol is right with probability 1/8 per symbol (binomial, 40 000
    draws: standard error 0.0017, the tolerance is 4 of them)."""
    task = CopyMemoryTask(CopyMemoryConfig(delay=1))
    batch = task.sample(4000, seeded(0, TRAIN_STREAM))
    logits = torch.zeros(*batch.targets.shape, 10)
    logits[..., 3] = 1.0
    metrics = task.metrics(logits, batch)
    assert abs(metrics["accuracy"] - task.baseline["accuracy"]) < 4 * math.sqrt(1 / 8 * 7 / 8 / 40_000)
    assert metrics["sequence_accuracy"] == 0.0  # 8^-10 per sequence: none in 4000


def test_perfect_and_partial_outputs():
    """Reference: one-hot logits on the targets score accuracy 1 and solve the task; getting exactly one
    symbol wrong in every sequence scores 9/10 per symbol and 0 per sequence."""
    task = CopyMemoryTask()
    batch = task.sample(16, seeded(0, TRAIN_STREAM))
    wanted = batch.targets.clamp(min=0)
    perfect = 20.0 * F.one_hot(wanted, 10).float()
    metrics = task.metrics(perfect, batch)
    assert metrics["accuracy"] == metrics["sequence_accuracy"] == 1.0
    assert metrics["cross_entropy"] < 1e-6
    assert task.solved(metrics)

    wrong_once = perfect.clone()
    wrong_once[:, -1] = 20.0 * F.one_hot(torch.zeros(16, dtype=torch.long), 10).float()  # blank, never a symbol
    metrics = task.metrics(wrong_once, batch)
    assert_close(metrics["accuracy"], 0.9)
    assert metrics["sequence_accuracy"] == 0.0
    assert not task.solved(metrics)


def test_metrics_of_a_model():
    """Reference: the keys of `baseline`; accuracies in [0, 1]; cross-entropies finite and positive, and
    the all-steps one L / (T + 2L) of the recalled one."""
    task = CopyMemoryTask(SMALL)
    model = build_model(ModelConfig("lstm", hidden_size=8), task.io)
    batch = task.sample(8, seeded(0, TRAIN_STREAM))
    with torch.no_grad():
        outputs, _ = model(batch.inputs, None, batch.lengths)
    assert outputs.shape == (8, 13, 10)
    metrics = task.metrics(outputs, batch)
    assert set(metrics) == set(task.baseline)
    assert 0 <= metrics["sequence_accuracy"] <= metrics["accuracy"] <= 1
    assert 0 < metrics["cross_entropy"] < math.inf
    assert_close(metrics["cross_entropy_all_steps"], metrics["cross_entropy"] * 4 / 13)
