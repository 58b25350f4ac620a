"""Gradient flow over time: known answers from a linear RNN and a remembering LSTM, the contract over
every recurrent model, and the errors."""

import json
import math

import pytest
import torch
from torch.testing import assert_close

from rnnlab.data.tasks.base import Batch
from rnnlab.diagnostics.gradients import decay_rate, gradient_flow, vanish_lag
from rnnlab.diagnostics.plots_gradients import plot_gradient_flow
from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer
from rnnlab.models.registry import MODELS, ModelConfig, RecurrentFamily, build_model
from rnnlab.models.sequence import InputEncoder, IOSpec, SequenceModel

pytestmark = pytest.mark.filterwarnings("ignore:backend='auto' runs the readable path")

B, T, D = 3, 20, 2
F64 = torch.float64
RECURRENT = [name for name, family in MODELS.items() if isinstance(family, RecurrentFamily)]


def positive_batch(steps: int = T) -> Batch:
    return Batch(torch.rand(B, steps, 1, dtype=F64) + 0.1, torch.zeros(B, 1, dtype=F64))


def remembering_lstm() -> SequenceModel:
    """An LSTM whose forget gate is 1 and input gate 0 to machine precision (biases ±50): c_t = c_{t−1}."""
    io = IOSpec(D, 1, per_step=True)
    core = RecurrentLayer(RecurrentConfig("lstm", D, 4, backend="readable"))
    model = SequenceModel(InputEncoder(io, None), core, io).double()
    cell = core.cell_stack[0]
    with torch.no_grad():
        cell.h_to_gates.bias.zero_()
        cell.x_to_gates.bias[cell.gate_slice("f")] = 50.0
        cell.x_to_gates.bias[cell.gate_slice("i")] = -50.0
    return model


def features(steps: int = T, batch_size: int = B) -> Batch:
    return Batch(torch.randn(batch_size, steps, D, dtype=F64), torch.zeros(batch_size, 1))


@pytest.mark.parametrize("w", [0.5, 0.9, 1.1])
def test_linear_rnn_decays_at_log_w(w, linear_rnn):
    """Reference: for h_t = w·h_{t−1} + x_t and L = h_T, ∂L/∂h_t = w^(T−1−t) and ∂L/∂x_t = w^(T−1−t)
    exactly (Bengio et al. 1994): the fit gives log w per step, growth included (w = 1.1)."""
    flow = gradient_flow(linear_rnn(w), positive_batch())
    expected = [w**lag for lag in range(T)]
    assert_close(list(flow.hidden.norms), expected)
    assert_close(list(flow.inputs.norms), expected)
    assert_close(flow.hidden.log_factor, math.log(w))
    assert_close(flow.hidden.factor, w)
    assert flow.cell_state is None
    assert flow.hidden.vanish_lag is None  # 0.5^19 ≈ 2e-6 is still above 1e-6


def test_linear_rnn_vanishes_where_w_to_the_lag_drops_below_1e_6(linear_rnn):
    """Reference: 0.5^k < 1e-6 first at k = 20 (0.5^19 = 1.9e-6, 0.5^20 = 9.5e-7)."""
    flow = gradient_flow(linear_rnn(0.5), positive_batch(steps=30))
    assert flow.hidden.vanish_lag == 20


def test_remembering_lstm_keeps_the_cell_path_while_a_small_tanh_rnn_forgets():
    """Reference: with f = 1 and i = 0, ∂c_t/∂c_{t−1} = I and the cell path carries ∂L/∂c_t back unchanged
    (Hochreiter & Schmidhuber 1997, the constant error carousel); with c stuck at 0 the h path dies after
    one step. A tanh RNN with recurrent weights 0.1·U shrinks the gradient by ≤ 0.1·σ_max(U) per step."""
    lstm = gradient_flow(remembering_lstm(), features())
    assert lstm.cell_state is not None
    assert abs(lstm.cell_state.log_factor) < 1e-9
    assert_close(list(lstm.cell_state.norms), [lstm.cell_state.norms[0]] * T)
    assert lstm.hidden.vanish_lag == 1

    rnn = build_model(ModelConfig("rnn", hidden_size=4), IOSpec(D, 1, per_step=True)).double()
    with torch.no_grad():
        rnn.core.cell_stack[0].h_to_gates.weight.mul_(0.1)
    flow = gradient_flow(rnn, features())
    assert flow.hidden.log_factor < -1.0


def test_stack_reports_the_top_forward_layer():
    """Reference: for a per-sequence model and L = Σ y, the top layer's forward h at the last step
    reaches L only through the head, so ∂L/∂h_{T−1} = Σ_o head.weight[o, :H] for every example."""
    H = 4
    model = build_model(ModelConfig("gru", hidden_size=H, num_layers=2, bidirectional=True),
                        IOSpec(D, 3, per_step=False)).double()
    flow = gradient_flow(model, features())
    assert_close(flow.hidden.norms[0], float(model.head.weight[:, :H].detach().sum(0).norm()))


@pytest.mark.parametrize("name", RECURRENT)
def test_every_recurrent_model(name):
    """Reference: the GradientFlow contract: T norms per quantity, the cell path for LSTMs only, and the
    model untouched: parameters' .grad as before, training mode restored, JSON round trip."""
    model = build_model(ModelConfig(name, hidden_size=4, num_layers=2), IOSpec(5, 3, tokens=True)).train()
    model.head.weight.grad = torch.ones_like(model.head.weight)
    batch = Batch(torch.randint(0, 5, (B, 8)), torch.zeros(B, 8, dtype=torch.long))
    flow = gradient_flow(model, batch, loss_fn=lambda y: y.pow(2).sum())
    assert len(flow.hidden.norms) == len(flow.inputs.norms) == 8
    assert (flow.cell_state is not None) == (MODELS[name].cell == "lstm")
    assert all(n > 0 and math.isfinite(n) for n in flow.hidden.norms[:3])
    assert model.training
    assert torch.equal(model.head.weight.grad, torch.ones_like(model.head.weight))
    assert all(p.grad is None for p in model.core.parameters())
    assert json.loads(json.dumps(flow.to_json()))["hidden"]["quantity"] == "h"


@pytest.mark.parametrize("cell", ["rnn", "lstm", "gru"])
def test_fused_backend_gives_the_readable_answer(cell):
    """Reference: the same weights on backend='readable'. Observing runs the readable loop either way."""
    io = IOSpec(D, 2, per_step=True)
    torch.manual_seed(1)
    fused = build_model(ModelConfig(cell, hidden_size=4, backend="fused"), io).double()
    readable = build_model(ModelConfig(cell, hidden_size=4, backend="readable"), io).double()
    readable.load_state_dict(fused.state_dict())
    batch = features()
    assert gradient_flow(fused, batch) == gradient_flow(readable, batch)


def test_decay_rate_and_vanish_lag():
    """Reference: a geometric sequence 3·0.8^k has slope ln 0.8; zeros drop out of the fit."""
    norms = [3 * 0.8**k for k in range(10)]
    assert_close(decay_rate(norms), math.log(0.8))
    assert_close(decay_rate([*norms, 0.0, math.inf]), math.log(0.8))
    assert decay_rate([1.0, 0.0, 0.0]) is None
    assert vanish_lag([1.0, 1e-3, 1e-7]) == 2
    assert vanish_lag([1.0, 0.5]) is None


def test_errors():
    """Reference: the messages name the problem and, for the Transformer, what to use instead."""
    transformer = build_model(ModelConfig("transformer", hidden_size=8, num_heads=2), IOSpec(D, 1))
    with pytest.raises(ValueError, match=r"no recurrent state.*input_sensitivity"):
        gradient_flow(transformer, features())
    model = build_model(ModelConfig("lstm", hidden_size=4), IOSpec(D, 1)).double()
    with pytest.raises(ValueError, match="equal length"):
        gradient_flow(model, Batch(torch.randn(B, T, D, dtype=F64), torch.zeros(B), torch.tensor([T, 3, T])))
    with pytest.raises(ValueError, match="at least 2 steps"):
        gradient_flow(model, features(steps=1))


def test_plot_writes_a_png(tmp_path):
    """Reference: the PNG signature; two models in one figure (viewed by hand when written)."""
    batch = features(steps=30)
    io = IOSpec(D, 1, per_step=True)
    flows = [gradient_flow(build_model(ModelConfig(name, hidden_size=8), io).double(), batch, label=name)
             for name in ("rnn", "lstm")]
    path = plot_gradient_flow(flows, tmp_path / "flow.png", setting="untrained, H = 8")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="nothing to plot"):
        plot_gradient_flow([], tmp_path / "empty.png")
