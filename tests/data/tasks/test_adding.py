"""The adding problem: determinism, markers where the docstring says, targets, baseline and metrics."""

import pytest
import torch
from torch.testing import assert_close

from rnnlab.data.tasks.adding import BASELINE_MSE, AddingConfig, AddingTask


def generator(seed: int) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


@pytest.mark.parametrize("length", [2, 7, 10, 50])
def test_two_markers_one_in_each_half(length):
    """Reference: the AddingConfig docstring: markers are 0 or 1, exactly two per sequence, one in
    [0, T//2) and one in [T//2, T); values lie in [0, 1)."""
    batch = AddingTask(AddingConfig(length=length)).sample(256, generator(0))
    assert batch.inputs.shape == (256, length, 2) and batch.targets.shape == (256, 1)
    assert batch.lengths is None
    values, markers = batch.inputs[..., 0], batch.inputs[..., 1]
    assert ((values >= 0) & (values < 1)).all()
    assert ((markers == 0) | (markers == 1)).all()
    half = length // 2
    assert (markers[:, :half].sum(dim=1) == 1).all()
    assert (markers[:, half:].sum(dim=1) == 1).all()


def test_target_is_the_sum_of_the_marked_values():
    """Reference: for each sequence, the marked positions found one by one and their values added."""
    batch = AddingTask(AddingConfig(length=9)).sample(32, generator(1))
    for inputs, target in zip(batch.inputs, batch.targets):
        marked = [float(inputs[t, 0]) for t in range(9) if inputs[t, 1] == 1]
        assert len(marked) == 2
        assert_close(target, torch.tensor([marked[0] + marked[1]]))


def test_answering_one_scores_the_baseline():
    """Reference: Var(U1 + U2) = 2 · 1/12 = 1/6 for two independent U(0, 1) values, the MSE of always
    answering their mean 1. With 20 000 sequences the standard error is about 0.002, so 0.01 is 5 sigma."""
    task = AddingTask(AddingConfig(length=10, test_size=20_000))
    test = task.test_set(0)
    metrics = task.metrics(torch.ones_like(test.targets), test)
    assert abs(metrics["mse"] - 1 / 6) < 0.01
    assert task.baseline == {"mse": BASELINE_MSE} and BASELINE_MSE == pytest.approx(1 / 6)
    assert not task.solved(metrics)


def test_metrics_loss_and_solved():
    """Reference: hand values: perfect answers give MSE 0 and error rate 0; answers off by 0.05 give
    MSE 0.0025 and every answer wrong at the 0.04 threshold; the loss is the mean squared error."""
    task = AddingTask(AddingConfig(length=10, test_size=100))
    test = task.test_set(0)
    assert task.metrics(test.targets.clone(), test) == {"mse": 0.0, "error_rate_0.04": 0.0}
    assert task.solved({"mse": 0.0})
    off = task.metrics(test.targets + 0.05, test)
    assert off["mse"] == pytest.approx(0.0025) and off["error_rate_0.04"] == 1.0
    outputs = torch.randn_like(test.targets)
    assert_close(task.loss(outputs, test), ((outputs - test.targets) ** 2).mean())
    assert task.io.input_size == 2 and task.io.output_size == 1 and not task.io.per_step
    assert task.name == "adding-10"


@pytest.mark.parametrize("options", [{"length": 1}, {"length": 0}, {"test_size": 0}])
def test_invalid_config_raises(options):
    """Reference: AddingConfig's constraints: a length of at least 2 (one marker per half), a test set."""
    with pytest.raises(ValueError):
        AddingConfig(**options)
