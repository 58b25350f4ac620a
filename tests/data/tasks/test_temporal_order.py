"""The temporal order problem against its docstring, the 1997 paper's windows and criterion, and the loop."""

import math

import pytest
import torch
import torch.nn.functional as F
from torch.testing import assert_close

from rnnlab.data.tasks.base import seeded
from rnnlab.data.tasks.temporal_order import (
    BEGIN,
    CLASSES,
    DISTRACTORS,
    END,
    SYMBOLS,
    TemporalOrderConfig,
    TemporalOrderTask,
    X,
    Y,
)
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TRAIN_STREAM

SMALL = TemporalOrderConfig(length=20, test_size=16)


def tokens(text: str) -> torch.Tensor:
    """'B a d X ...' -> ids (1, T)."""
    return torch.tensor([[SYMBOLS.index(symbol) for symbol in text.split()]])


def order_class(sequence: list[int]) -> int:
    """The 1997 rules, written independently of the task: X,X -> Q; X,Y -> R; Y,X -> S; Y,Y -> U."""
    relevant = "".join(SYMBOLS[i] for i in sequence if SYMBOLS[i] in "XY")
    return {"XX": 0, "XY": 1, "YX": 2, "YY": 3}[relevant]


def test_worked_example():
    """Reference: the example in TemporalOrderConfig's docstring, written out by hand."""
    assert SMALL.first_window == (2, 4) and SMALL.second_window == (10, 12)
    task = TemporalOrderTask(SMALL)
    example = tokens("B a d X c b a c d a b Y d c a b c d a E")
    batch = task.batch_from(example)
    assert batch.targets.tolist() == [1] and CLASSES[1] == "XY"
    assert torch.equal(batch.inputs, example)
    # the same sequence with the relevant symbols swapped, and both Y
    assert task.batch_from(tokens("B a d Y c b a c d a b X d c a b c d a E")).targets.tolist() == [2]
    assert task.batch_from(tokens("B a d Y c b a c d a b Y d c a b c d a E")).targets.tolist() == [3]


def test_defaults_are_the_papers():
    """Reference: Hochreiter & Schmidhuber 1997, section 5.6, task 6a: t1 in [10, 20], t2 in [50, 60] for
    sequences of length 100; 8 input symbols, 4 classes; a test set of 2560 sequences."""
    task = TemporalOrderTask()
    assert task.name == "temporal-order-100"
    assert task.config.first_window == (10, 20) and task.config.second_window == (50, 60)
    assert (task.io.input_size, task.io.output_size, task.io.tokens, task.io.per_step) == (8, 4, True, False)
    assert task.config.test_size == 2560


@pytest.mark.parametrize("length", [10, 13, 100, 257])
def test_structure(length):
    """Reference: the docstring: B first, E last, exactly one X/Y in each window and none elsewhere,
    distractors a-d everywhere else; the target is the 1997 rule applied to the sequence."""
    c = TemporalOrderConfig(length=length)
    batch = TemporalOrderTask(c).sample(256, seeded(4, TRAIN_STREAM))
    x = batch.inputs
    assert x.shape == (256, length) and batch.targets.shape == (256,)
    assert bool((x[:, 0] == BEGIN).all()) and bool((x[:, -1] == END).all())
    relevant = (x == X) | (x == Y)
    for low, high in (c.first_window, c.second_window):
        assert bool((relevant[:, low:high + 1].sum(dim=1) == 1).all())
    assert int(relevant.sum()) == 2 * 256
    middle = x[:, 1:-1][~relevant[:, 1:-1]]
    assert bool((middle < DISTRACTORS).all())
    assert batch.targets.tolist() == [order_class(row) for row in x.tolist()]


def test_positions_and_classes_cover_their_ranges():
    """Reference: t1 and t2 uniform over their windows (every step used) and the 4 classes near 1/4 each
    (4000 draws: standard error 0.007, tolerance 5 of them)."""
    batch = TemporalOrderTask().sample(4000, seeded(0, TRAIN_STREAM))
    relevant = (batch.inputs == X) | (batch.inputs == Y)
    steps = relevant.nonzero()[:, 1].view(4000, 2)
    assert set(steps[:, 0].tolist()) == set(range(10, 21))
    assert set(steps[:, 1].tolist()) == set(range(50, 61))
    shares = torch.bincount(batch.targets, minlength=4).float() / 4000
    assert float((shares - 0.25).abs().max()) < 5 * math.sqrt(0.25 * 0.75 / 4000)


def test_batch_from_rejects_other_than_two_relevant():
    with pytest.raises(ValueError, match="exactly two"):
        TemporalOrderTask(SMALL).batch_from(tokens("B a d X c b a c d a b a d c a b c d a E"))
    with pytest.raises(ValueError, match="shape"):
        TemporalOrderTask(SMALL).batch_from(tokens("B X Y E"))


@pytest.mark.parametrize(("options", "word"), [({"length": 9}, "length"), ({"test_size": 0}, "test_size")])
def test_config_rejects(options, word):
    with pytest.raises(ValueError, match=word):
        TemporalOrderConfig(**options)


def test_memoryless_baseline():
    """Reference: uniform logits score cross-entropy log 4, and every output is off by 0.75 on the true
    class, so all sequences are wrong by the 1997 criterion."""
    task = TemporalOrderTask(SMALL)
    batch = task.sample(64, seeded(0, TRAIN_STREAM))
    uniform = torch.zeros(64, 4, dtype=torch.float64)
    metrics = task.metrics(uniform, batch)
    assert_close(metrics["cross_entropy"], math.log(4))
    assert_close(float(task.loss(uniform, batch)), math.log(4))
    assert metrics["error_rate_0.3"] == 1.0
    assert task.baseline == {"accuracy": 0.25, "cross_entropy": math.log(4), "error_rate_0.3": 1.0}
    assert not task.solved(metrics)


def test_the_paper_criterion_is_stricter_than_argmax():
    """Reference: 1997, table 11, ABS(0.3): right only when every output is within 0.3 of its target, i.e.
    p(true) > 0.7 for softmax outputs. p(true) = 0.6 is right by argmax but wrong by the paper."""
    task = TemporalOrderTask(SMALL)
    batch = task.sample(32, seeded(0, TRAIN_STREAM))
    for p_true, error_rate in ((0.6, 1.0), (0.8, 0.0)):
        probabilities = torch.full((32, 4), (1 - p_true) / 3, dtype=torch.float64)
        probabilities[torch.arange(32), batch.targets] = p_true
        metrics = task.metrics(probabilities.log(), batch)
        assert metrics["accuracy"] == 1.0
        assert metrics["error_rate_0.3"] == error_rate
        assert task.solved(metrics) == (error_rate == 0.0)


def test_perfect_outputs_solve_it():
    task = TemporalOrderTask(SMALL)
    batch = task.sample(32, seeded(0, TRAIN_STREAM))
    metrics = task.metrics(20.0 * F.one_hot(batch.targets, 4).float(), batch)
    assert metrics["accuracy"] == 1.0 and metrics["error_rate_0.3"] == 0.0
    assert metrics["cross_entropy"] < 1e-6
    assert task.solved(metrics)


def test_metrics_of_a_model():
    """Reference: the keys of `baseline`; accuracy and error rate in [0, 1]; cross-entropy finite, positive."""
    task = TemporalOrderTask(SMALL)
    model = build_model(ModelConfig("lstm", hidden_size=8), task.io)
    batch = task.sample(8, seeded(0, TRAIN_STREAM))
    with torch.no_grad():
        outputs, _ = model(batch.inputs, None, batch.lengths)
    assert outputs.shape == (8, 4)
    metrics = task.metrics(outputs, batch)
    assert set(metrics) == set(task.baseline)
    assert 0 <= metrics["accuracy"] <= 1 and 0 <= metrics["error_rate_0.3"] <= 1
    assert 0 < metrics["cross_entropy"] < math.inf
