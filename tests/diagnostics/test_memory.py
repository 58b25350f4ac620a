"""The memory horizon: effective memory length from models that solve known lengths, and input
sensitivity against the linear RNN and a Transformer with a known window."""

import json

import pytest
import torch
from torch import Tensor, nn
from torch.testing import assert_close

from rnnlab.data.tasks.base import Batch
from rnnlab.data.tasks.registry import make_task
from rnnlab.diagnostics.memory import effective_length, input_sensitivity, memory_curve
from rnnlab.diagnostics.plots_gradients import plot_input_sensitivity, plot_memory_curves
from rnnlab.models.registry import MODELS, ModelConfig, build_model
from rnnlab.models.sequence import IOSpec

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")

B, T, D = 3, 16, 2
F64 = torch.float64


def adding(length: int):
    return make_task("adding", length=length, test_size=300)


class AddingOracle(nn.Module):
    """A fake trained model for the adding problem: the exact sum at the lengths in `solves`, noise at the
    others (an MSE far above the 0.01 that counts as solved)."""

    def __init__(self, solves: set[int]) -> None:
        super().__init__()
        self.solves = solves

    def forward(self, inputs: Tensor, state: object = None, lengths: Tensor | None = None) -> tuple[Tensor, None]:
        values, markers = inputs.unbind(-1)  # each (B, T)
        exact = (values * markers).sum(dim=1, keepdim=True)  # (B, 1)
        return (exact if inputs.shape[1] in self.solves else exact + 1.0), None


def test_effective_length_is_the_longest_solved_delay():
    """Reference: an oracle perfect up to L = 16 and wrong beyond: the effective memory length is 16."""
    curve = memory_curve(AddingOracle({4, 8, 16}), adding, [32, 4, 16, 8, 64], batch_size=20, seed=3)
    assert [p.length for p in curve.points] == [4, 8, 16, 32, 64]
    assert [p.solved for p in curve.points] == [True, True, True, False, False]
    assert curve.effective_length == 16
    assert curve.points[0].task == "adding-4" and curve.points[0].metrics["mse"] == 0.0
    assert curve.points[-1].baseline == {"mse": pytest.approx(1 / 6)}
    assert json.loads(json.dumps(curve.to_json()))["effective_length"] == 16


def test_the_longest_solved_length_counts_even_after_a_failure():
    """Reference: effective_length's definition: the longest tested length still solved; a failure at a
    shorter length does not stop the count (train-length effects are not memory)."""
    assert memory_curve(AddingOracle({4, 16}), adding, [4, 8, 16], batch_size=8).effective_length == 16
    assert memory_curve(AddingOracle({8}), adding, [4, 8], batch_size=8).effective_length == 8
    assert memory_curve(AddingOracle(set()), adding, [4, 8], batch_size=8).effective_length is None
    assert effective_length([]) is None


def test_test_set_is_scored_in_chunks():
    """Reference: task.test_set(seed) itself (300 sequences, more than one EVAL_CHUNK of 256)."""
    curve = memory_curve(AddingOracle({10}), adding, [10], seed=1)
    assert curve.batch_size is None and curve.points[0].metrics["mse"] == 0.0


def test_a_real_model_keeps_its_training_mode():
    """Reference: the registry's LSTM on the copy task: metrics for each delay, its train mode restored."""
    model = build_model(ModelConfig("lstm", hidden_size=8), make_task("copy", length=3).io).train()
    curve = memory_curve(model, lambda delay: make_task("copy", delay), [2, 3], batch_size=4)
    assert model.training
    assert set(curve.points[0].metrics) >= {"accuracy", "cross_entropy"}


def test_linear_rnn_sensitivity_is_w_to_the_lag(linear_rnn):
    """Reference: y_T = Σ_t w^(T−1−t) x_t, so ∂y_T/∂x_t = w^lag and the horizon at 1e-3 is the largest k
    with 0.5^k ≥ 1e-3: k = 9 (0.5^9 = 1.95e-3, 0.5^10 = 9.8e-4)."""
    batch = Batch(torch.rand(B, T, 1, dtype=F64) + 0.1, torch.zeros(B, 1))
    sensitivity = input_sensitivity(linear_rnn(0.5), batch)
    assert_close(list(sensitivity.sensitivity), [0.5**k for k in range(T)])
    assert sensitivity.peak == pytest.approx(1.0)
    assert sensitivity.horizon == 9


@pytest.mark.parametrize("window", [1, 4])
def test_transformer_reads_only_its_context_window(window):
    """Reference: a causal Transformer with max_len = k attends to the last k steps only (its context
    slides), so ∂y_T/∂x_t is exactly 0 at lags ≥ k and the horizon is k − 1."""
    model = build_model(ModelConfig("transformer", hidden_size=8, num_heads=2, max_len=window),
                        IOSpec(D, 3, per_step=True)).double()
    sensitivity = input_sensitivity(model, Batch(torch.randn(B, T, D, dtype=F64), torch.zeros(B, T)))
    assert all(s > 0 for s in sensitivity.sensitivity[:window])
    assert all(s == 0 for s in sensitivity.sensitivity[window:])
    assert sensitivity.horizon == window - 1


@pytest.mark.parametrize("name", list(MODELS))
def test_every_registered_model(name):
    """Reference: the Sensitivity contract: T values with maximum 1, no parameter gradient left behind."""
    model = build_model(ModelConfig(name, hidden_size=8, num_layers=2, num_heads=2), IOSpec(5, 3, tokens=True))
    sensitivity = input_sensitivity(model, Batch(torch.randint(0, 5, (B, 10)), torch.zeros(B, 10)))
    assert len(sensitivity.sensitivity) == 10 and max(sensitivity.sensitivity) == 1.0
    assert sensitivity.horizon is not None and 0 <= sensitivity.horizon < 10
    assert all(p.grad is None for p in model.parameters())


def test_errors():
    """Reference: the messages say what is wrong."""
    with pytest.raises(ValueError, match="at least one length"):
        memory_curve(AddingOracle(set()), adding, [])
    with pytest.raises(ValueError, match="positive"):
        memory_curve(AddingOracle(set()), adding, [4, 0])
    with pytest.raises(ValueError, match="batch_size"):
        memory_curve(AddingOracle(set()), adding, [4], batch_size=0)
    with pytest.raises(ValueError, match="SequenceModel"):
        input_sensitivity(AddingOracle(set()), Batch(torch.rand(B, T, 2), torch.zeros(B, 1)))
    model = build_model(ModelConfig("gru", hidden_size=4), IOSpec(D, 1))
    with pytest.raises(ValueError, match="equal length"):
        input_sensitivity(model, Batch(torch.randn(B, T, D), torch.zeros(B), torch.tensor([T, 2, T])))
    with pytest.raises(ValueError, match="threshold"):
        input_sensitivity(model, Batch(torch.randn(B, T, D), torch.zeros(B)), threshold=0.0)


def test_plots_write_pngs(tmp_path):
    """Reference: the PNG signature; two models per figure (viewed by hand when written)."""
    curves = [memory_curve(AddingOracle(solves), adding, [4, 8, 16, 32, 64], batch_size=8, label=label)
              for label, solves in (("remembers 16", {4, 8, 16}), ("remembers 4", {4}))]
    path = plot_memory_curves(curves, tmp_path / "memory.png", setting="oracles")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="metric"):
        plot_memory_curves(curves, tmp_path / "bad.png", metric="accuracy")

    batch = Batch(torch.randn(B, T, D), torch.zeros(B, 1))
    sensitivities = [input_sensitivity(build_model(ModelConfig(name, hidden_size=8, num_heads=2), IOSpec(D, 1)),
                                       batch, label=name) for name in ("gru", "transformer")]
    path = plot_input_sensitivity(sensitivities, tmp_path / "sensitivity.png", setting="untrained")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
