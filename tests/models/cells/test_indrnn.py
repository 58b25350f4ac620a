"""IndRNN against its equation by hand, its recurrent-weight bound, and a deep stack."""

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models.cells import HiddenState, IndRNNCell
from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer

B, D, H = 4, 3, 5
F64 = torch.float64


@pytest.mark.parametrize("dtype", [F64, torch.float32])
def test_step_equals_the_equation(dtype):
    """Reference: h' = relu(W x + b + u ⊙ h) by hand, u inside its bound."""
    cell = IndRNNCell(D, H).to(dtype)
    x, h0 = torch.randn(B, D, dtype=dtype), torch.randn(B, H, dtype=dtype)
    h, state = cell(x, HiddenState(h0))
    expected = torch.relu(x @ cell.x_to_gates.weight.T + cell.x_to_gates.bias + cell.u * h0)
    assert_close(h, expected)
    assert_close(state.h, h)
    (gate,) = cell.gates(x, HiddenState(h0))
    assert_close(gate, h)


def test_bound_is_two_to_the_one_over_horizon():
    """Reference: u_max = 2^(1/T_h) by hand (2^(1/100) = 1.006955...); initialisation in [0, u_max], b = 0."""
    cell = IndRNNCell(D, 1000, horizon=100)
    assert cell.u_max == pytest.approx(1.0069555500567189)
    assert (cell.u >= 0).all() and (cell.u <= cell.u_max).all()
    assert cell.u.max() > 0.9 * cell.u_max  # drawn over the whole interval
    assert not cell.x_to_gates.bias.any()


def test_weights_beyond_the_bound_are_clipped_where_used():
    """Reference: the step by hand with u clipped to ±u_max: a raw u of ±5 acts as ±u_max, and passes no
    gradient; a u within the bound acts as itself."""
    cell = IndRNNCell(D, 3, horizon=10).double()
    with torch.no_grad():
        cell.u.copy_(torch.tensor([5.0, -5.0, 0.5]))
    x, h0 = torch.randn(B, D, dtype=F64), torch.rand(B, 3, dtype=F64)
    h, _ = cell(x, HiddenState(h0))
    u = torch.tensor([2 ** 0.1, -(2 ** 0.1), 0.5], dtype=F64)
    assert_close(h, torch.relu(x @ cell.x_to_gates.weight.T + cell.x_to_gates.bias + u * h0))
    (grad,) = torch.autograd.grad(h.sum(), cell.u)
    assert grad[0] == 0 and grad[1] == 0


def test_deep_stack_equals_stepping_each_cell_by_hand():
    """Reference: four IndRNN layers stepped by hand, each layer's outputs the next one's inputs;
    outputs, final states, and gradients of every parameter (deep IndRNNs, Li et al. 2018, section 3.2)."""
    L, T = 4, 9
    layer = RecurrentLayer(RecurrentConfig("indrnn", D, H, num_layers=L, horizon=T)).double()
    x = torch.randn(B, T, D, dtype=F64)
    out, final = layer(x)
    inputs, finals = x, []
    for cell in layer.cell_stack:
        state, outputs = cell.initial_state(B, dtype=F64), []
        for t in range(T):
            h, state = cell(inputs[:, t], state)
            outputs.append(h)
        inputs = torch.stack(outputs, dim=1)
        finals.append(state.h)
    assert_close(out, inputs)
    assert_close(final.h, torch.stack(finals))
    params = list(layer.parameters())
    assert len(params) == 3 * L  # W, b, u per layer
    assert_close(torch.autograd.grad(out.sum(), params), torch.autograd.grad(inputs.sum(), params))


def test_horizon_must_be_positive():
    with pytest.raises(ValueError, match="horizon must be at least one step, got 0"):
        IndRNNCell(D, H, horizon=0)
