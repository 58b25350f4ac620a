"""minGRU and its positive activation g, against the equations of Feng et al. (2024) written out by hand."""

import math

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models.cells import HiddenState, MinGRUCell
from rnnlab.models.cells.linear import g, log_g

B, D, H = 4, 3, 5
F64 = torch.float64


def by_hand(cell: MinGRUCell, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    """z = σ(W_z x + b_z), h̃ = g(W_h x + b_h), h' = (1 − z) h + z h̃, from the weight rows by name."""
    W, b = cell.x_to_gates.weight, cell.x_to_gates.bias
    rows_z, rows_h = cell.gate_slice("z"), cell.gate_slice("h")
    z = torch.sigmoid(x @ W[rows_z].T + b[rows_z])
    k = x @ W[rows_h].T + b[rows_h]
    h_tilde = torch.where(k >= 0, k + 0.5, torch.sigmoid(k))
    return (1 - z) * h + z * h_tilde


def test_g_by_hand():
    """Reference: g(v) = v + ½ for v ≥ 0 and σ(v) below, at hand-picked points; continuous at 0."""
    v = torch.tensor([-3.0, -0.5, 0.0, 0.25, 2.0], dtype=F64)
    expected = torch.tensor([1 / (1 + math.exp(3)), 1 / (1 + math.exp(0.5)), 0.5, 0.75, 2.5], dtype=F64)
    assert_close(g(v), expected)
    assert_close(g(torch.tensor(-1e-12, dtype=F64)), torch.tensor(0.5, dtype=F64))
    assert (g(torch.linspace(-30, 30, 101, dtype=F64)) > 0).all()


def test_log_g_is_log_of_g_with_finite_gradients():
    """Reference: log(g(v)) computed directly, on both branches, and its autograd gradient g'/g; log_g
    also stays finite where g underflows (v = −800) and has finite gradients at v = −½ (the relu guard)."""
    v = torch.linspace(-20, 20, 401, dtype=F64, requires_grad=True)
    assert_close(log_g(v), g(v).log())
    (ours,) = torch.autograd.grad(log_g(v).sum(), v)
    (theirs,) = torch.autograd.grad(g(v).log().sum(), v)
    assert_close(ours, theirs)
    far = torch.tensor([-800.0, -0.5], dtype=F64, requires_grad=True)
    assert_close(log_g(far)[0], torch.tensor(-800.0, dtype=F64))  # log σ(v) ≈ v there
    (grad,) = torch.autograd.grad(log_g(far).sum(), far)
    assert torch.isfinite(grad).all()


@pytest.mark.parametrize("dtype", [F64, torch.float32])
def test_step_equals_the_equations(dtype):
    """Reference: `by_hand`, the three equations of the docstring; output and state are h'."""
    cell = MinGRUCell(D, H).to(dtype)
    x, h0 = torch.randn(B, D, dtype=dtype), torch.randn(B, H, dtype=dtype)
    h, state = cell(x, HiddenState(h0))
    assert_close(h, by_hand(cell, x, h0))
    assert_close(state.h, h)


def test_gates_are_what_step_uses():
    """Reference: h' rebuilt from the gates `gates` returns: (1 − z) h + z h̃."""
    cell = MinGRUCell(D, H).double()
    x, h0 = torch.randn(B, D, dtype=F64), torch.randn(B, H, dtype=F64)
    z, h_tilde = cell.gates(x, HiddenState(h0))
    assert_close(cell(x, HiddenState(h0))[0], (1 - z) * h0 + z * h_tilde)


def test_log_coefficients_are_the_logs_of_a_and_b():
    """Reference: a = 1 − z and b = z h̃ from `gates`, whose logs the scan takes; for pre-activations up
    to about ±10 (1 − z is computed by hand, so not much beyond: it cancels there)."""
    cell = MinGRUCell(D, H).double()
    with torch.no_grad():
        cell.x_to_gates.weight.mul_(5)
    x = torch.randn(B, D, dtype=F64)
    z, h_tilde = cell.gates(x, cell.initial_state(B, dtype=F64))
    log_a, log_b = cell.log_coefficients(cell.project_input(x))
    assert_close(log_a, (1 - z).log())
    assert_close(log_b, (z * h_tilde).log())


def test_no_recurrent_weights():
    """Reference: the parameter list: one input projection of two blocks (z, h), nothing that reads h."""
    cell = MinGRUCell(D, H)
    assert [name for name, _ in cell.named_parameters()] == ["x_to_gates.weight", "x_to_gates.bias"]
    assert cell.x_to_gates.weight.shape == (2 * H, D)
    assert not hasattr(cell, "h_to_gates")
