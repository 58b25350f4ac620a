"""The recurrent Jacobian: against the linear RNN, the analytic Elman and LSTM Jacobians, and a direct
product of the step Jacobians."""

import json
import math

import pytest
import torch
from torch.testing import assert_close

from rnnlab.data.tasks.base import Batch
from rnnlab.diagnostics.jacobian import jacobian_spectrum, step_jacobians, trajectory
from rnnlab.diagnostics.plots_gradients import plot_jacobian_spectra
from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import InputEncoder, IOSpec, SequenceModel

B, T, D, H = 2, 12, 3, 4
F64 = torch.float64


def linear_rnn(w: float) -> SequenceModel:
    """The 1-unit linear RNN h_t = w·h_{t−1} + x_t on rnnlab's ReLU Elman cell: with w > 0 and positive
    inputs every pre-activation is positive, so the ReLU is the identity."""
    io = IOSpec(1, 1, per_step=False)
    core = RecurrentLayer(RecurrentConfig("rnn", 1, 1, nonlinearity="relu", backend="readable"))
    model = SequenceModel(InputEncoder(io, None), core, io).double()
    cell = core.cell_stack[0]
    with torch.no_grad():
        for linear, weight in ((cell.x_to_gates, 1.0), (cell.h_to_gates, w)):
            linear.weight.fill_(weight)
            linear.bias.zero_()
    return model


def features(steps: int = T, width: int = D) -> Batch:
    return Batch(torch.randn(B, steps, width, dtype=F64), torch.zeros(B, 1))


def model_with(cell: str, **options) -> SequenceModel:
    return build_model(ModelConfig(cell, hidden_size=H, **options), IOSpec(D, 1, per_step=False)).double()


@pytest.mark.parametrize("w", [0.5, 0.9, 1.1])
def test_linear_rnn_jacobian_is_w(w):
    """Reference: h_t = w·h_{t−1} + x_t has J_t = w at every step, so the product over any window grows
    by exactly log w per step. 300 steps and a window of 200 cross the CHUNK boundaries (128 steps)."""
    steps = 300
    batch = Batch(torch.rand(B, steps, 1, dtype=F64) + 0.1, torch.zeros(B, 1))
    spectrum = jacobian_spectrum(linear_rnn(w), batch, example=1, window=200)
    assert spectrum.singular_values == ((pytest.approx(w),),) * steps
    assert_close(list(spectrum.largest), [w] * steps)
    assert_close(spectrum.growth_rate, math.log(w))
    assert_close(spectrum.growth_factor, w)
    assert spectrum.state == "h" and spectrum.window == 200


def test_elman_jacobian_is_diag_one_minus_h_squared_times_u():
    """Reference: h_t = tanh(W x_t + b + U h_{t−1}) gives ∂h_t/∂h_{t−1} = diag(1 − h_t²) U, with h_t from
    a loop written here by hand (not the layer's)."""
    model = model_with("rnn")
    cell = model.core.cell_stack[0]
    x = features().inputs[1]  # (T, D), example 1
    W, b, U, b_h = cell.x_to_gates.weight, cell.x_to_gates.bias, cell.h_to_gates.weight, cell.h_to_gates.bias
    h, analytic = torch.zeros(H, dtype=F64), []
    with torch.no_grad():
        for x_t in x:
            h = torch.tanh(W @ x_t + b + U @ h + b_h)
            analytic.append((1 - h**2)[:, None] * U)
    expected = torch.stack(analytic)  # (T, H, H)

    _, x_proj, before = trajectory(model, x[None])
    assert_close(step_jacobians(cell, x_proj, before), expected)
    spectrum = jacobian_spectrum(model, Batch(x[None], torch.zeros(1, 1)))
    assert_close(torch.tensor(spectrum.singular_values, dtype=F64), torch.linalg.svdvals(expected))
    assert spectrum.largest == spectrum.largest_hidden


def test_lstm_full_state_jacobian_has_the_cell_path_blocks():
    """Reference: without peepholes the gates do not read c, so with c' = f ⊙ c + i ⊙ g and
    h' = o ⊙ tanh(c'): ∂c'/∂c = diag(f) and ∂h'/∂c = diag(o ⊙ (1 − tanh² c') ⊙ f) (Gers et al. 2000)."""
    model = model_with("lstm")
    cell = model.core.cell_stack[0]
    batch = features()
    _, x_proj, before = trajectory(model, batch.inputs[:1])
    jacobians = step_jacobians(cell, x_proj, before)  # (T, 2H, 2H), state [h; c]
    with torch.no_grad():
        gates = cell.gates_from_projection(x_proj, before)
        c_next = gates.f * before.c + gates.i * gates.g  # (T, H)
    assert jacobians.shape == (T, 2 * H, 2 * H)
    assert_close(jacobians[:, H:, H:], torch.diag_embed(gates.f))
    assert_close(jacobians[:, :H, H:], torch.diag_embed(gates.o * (1 - c_next.tanh() ** 2) * gates.f))
    spectrum = jacobian_spectrum(model, batch)
    assert spectrum.state == "h,c"
    assert_close(list(spectrum.largest_hidden), torch.linalg.matrix_norm(jacobians[:, :H, :H], ord=2).tolist())


@pytest.mark.parametrize("cell", ["gru", "lstm", "peephole-lstm", "ln-lstm"])
def test_growth_rate_is_the_log_norm_of_the_product(cell):
    """Reference: the product J_{T−1} ⋯ J_{T−w} multiplied out directly (short enough not to underflow);
    the spectrum's rescaled running product must give the same top singular value."""
    model = model_with(cell, backend="readable", num_layers=2)
    batch = features(steps=20)
    _, x_proj, before = trajectory(model, batch.inputs[:1, :15])
    jacobians = step_jacobians(model.core.cell_stack[-1], x_proj, before)
    product = torch.linalg.multi_dot(list(jacobians[-6:].flip(0)))  # J_14 J_13 ... J_9
    spectrum = jacobian_spectrum(model, batch, steps=15, window=6)
    assert_close(spectrum.growth_rate, math.log(torch.linalg.svdvals(product)[0]) / 6)
    assert spectrum.steps == len(spectrum.largest) == len(spectrum.singular_values) == 15
    assert json.loads(json.dumps(spectrum.to_json()))["window"] == 6


def test_errors():
    """Reference: the messages say what is wrong."""
    transformer = build_model(ModelConfig("transformer", hidden_size=8, num_heads=2), IOSpec(D, 1))
    with pytest.raises(ValueError, match="no recurrent state"):
        jacobian_spectrum(transformer, features())
    model = model_with("gru")
    for options, message in (({"example": B}, "example"), ({"steps": 0}, "steps"), ({"steps": T + 1}, "steps"),
                             ({"steps": 5, "window": 6}, "window")):
        with pytest.raises(ValueError, match=message):
            jacobian_spectrum(model, features(), **options)


def test_plot_writes_a_png(tmp_path):
    """Reference: the PNG signature; two models in one figure (viewed by hand when written)."""
    spectra = [jacobian_spectrum(model_with(name), features(), label=name) for name in ("rnn", "lstm")]
    path = plot_jacobian_spectra(spectra, tmp_path / "jacobian.png", setting="untrained, H = 4")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
