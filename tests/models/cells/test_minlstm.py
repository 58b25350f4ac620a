"""minLSTM against the equations of Feng et al. (2024) written out by hand."""

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models.cells import HiddenState, MinLSTMCell

B, D, H = 4, 3, 5
F64 = torch.float64


def by_hand(cell: MinLSTMCell, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """f, i = σ(W x + b) by rows; h̃ = g(W_h x + b_h); h' = f/(f+i) h + i/(f+i) h̃."""
    W, b = cell.x_to_gates.weight, cell.x_to_gates.bias
    f, i = (torch.sigmoid(x @ W[cell.gate_slice(name)].T + b[cell.gate_slice(name)]) for name in ("f", "i"))
    k = x @ W[cell.gate_slice("h")].T + b[cell.gate_slice("h")]
    h_tilde = torch.where(k >= 0, k + 0.5, torch.sigmoid(k))
    return f / (f + i) * h + i / (f + i) * h_tilde


@pytest.mark.parametrize("dtype", [F64, torch.float32])
def test_step_equals_the_equations(dtype):
    """Reference: `by_hand`, the equations of the docstring; output and state are h'."""
    cell = MinLSTMCell(D, H).to(dtype)
    x, h0 = torch.randn(B, D, dtype=dtype), torch.randn(B, H, dtype=dtype)
    h, state = cell(x, HiddenState(h0))
    assert_close(h, by_hand(cell, x, h0))
    assert_close(state.h, h)


def test_normalised_gates_add_up_to_one():
    """Reference: f' + i' = 1 by construction (Feng et al.: h keeps the scale of h̃); and h' from the gates."""
    cell = MinLSTMCell(D, H).double()
    x, h0 = torch.randn(B, D, dtype=F64), torch.randn(B, H, dtype=F64)
    f, i, h_tilde = cell.gates(x, HiddenState(h0))
    assert_close(f + i, torch.ones(B, H, dtype=F64))
    assert_close(cell(x, HiddenState(h0))[0], f * h0 + i * h_tilde)


def test_log_coefficients_are_the_logs_of_a_and_b():
    """Reference: a = f' and b = i' h̃ from `gates`, whose logs the scan takes; pre-activations up to about ±10."""
    cell = MinLSTMCell(D, H).double()
    with torch.no_grad():
        cell.x_to_gates.weight.mul_(5)
    x = torch.randn(B, D, dtype=F64)
    f, i, h_tilde = cell.gates(x, cell.initial_state(B, dtype=F64))
    log_a, log_b = cell.log_coefficients(cell.project_input(x))
    assert_close(log_a, f.log())
    assert_close(log_b, (i * h_tilde).log())


def test_no_recurrent_weights():
    """Reference: the parameter list: one input projection of three blocks (f, i, h), nothing that reads h."""
    cell = MinLSTMCell(D, H)
    assert [name for name, _ in cell.named_parameters()] == ["x_to_gates.weight", "x_to_gates.bias"]
    assert cell.x_to_gates.weight.shape == (3 * H, D)
