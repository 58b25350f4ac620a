"""TrainConfig.precision: a training run under bfloat16 autocast (models/precision.py)."""

import warnings

import pytest
import torch

from rnnlab.data.tasks.adding import AddingConfig, AddingTask
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.train.loop import TrainConfig, train


@pytest.mark.parametrize("model", ["gru", "transformer"])
def test_bf16_training_runs_with_float32_weights(model):
    """Reference: the float32 run of the same seed: a bf16 run takes the same steps, keeps float32 weights
    and ends with a finite loss near it (bf16 rounds the products, so not equal)."""
    task = AddingTask(AddingConfig(length=10, test_size=32))
    results = {}
    for precision in ("fp32", "bf16"):
        torch.manual_seed(0)
        net = build_model(ModelConfig(model, hidden_size=8), task.io)
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "precision 'bf16' on a device without bf16 units")
            results[precision] = train(net, task, TrainConfig(steps=4, batch_size=8, eval_every=2, precision=precision,
                                                              stop_when_solved=False))
        assert all(p.dtype == torch.float32 for p in net.parameters())
    fp32, bf16 = results["fp32"].final, results["bf16"].final
    assert bf16.step == fp32.step == 4
    assert abs(bf16.train_loss - fp32.train_loss) < 0.1 * fp32.train_loss + 1e-3


def test_unknown_precision_is_refused():
    with pytest.raises(ValueError, match="unknown precision 'fp16'"):
        TrainConfig(precision="fp16")  # type: ignore[arg-type]
