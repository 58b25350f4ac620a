"""The GRU cell against torch.nn.GRUCell."""

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnnlab.models.cells import GRUCell, HiddenState

B, D, H = 4, 3, 5


def weights(cell: GRUCell) -> list[torch.Tensor]:
    """Our four tensors in the order of torch's weight_ih, weight_hh, bias_ih, bias_hh."""
    return [cell.x_to_gates.weight, cell.h_to_gates.weight, cell.x_to_gates.bias, cell.h_to_gates.bias]


def torch_twin(cell: GRUCell) -> nn.GRUCell:
    ref = nn.GRUCell(cell.input_size, cell.hidden_size).to(cell.x_to_gates.weight.dtype)
    with torch.no_grad():
        for ours, theirs in zip(weights(cell), [ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh]):
            theirs.copy_(ours)
    return ref


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_gru_cell_equals_torch(dtype):
    """Reference: torch.nn.GRUCell with the same weights: output, new state, and gradients w.r.t. the
    input, the initial state and every weight."""
    cell = GRUCell(D, H).to(dtype)
    ref = torch_twin(cell)
    assert len(list(cell.parameters())) == 4  # the gradient check below covers every weight
    assert cell.x_to_gates.weight.shape == (3 * H, D)
    x = torch.randn(B, D, dtype=dtype, requires_grad=True)
    h0 = torch.randn(B, H, dtype=dtype, requires_grad=True)

    h, state = cell(x, HiddenState(h0))
    h_ref = ref(x, h0)
    assert isinstance(state, HiddenState)
    assert_close(h, h_ref)
    assert_close(state.h, h_ref)

    probe = torch.randn_like(h_ref)
    ours = torch.autograd.grad(state.h, [x, h0, *weights(cell)], probe)
    theirs = torch.autograd.grad(h_ref, [x, h0, ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh], probe)
    assert_close(ours, theirs)


def test_gru_cell_default_state_is_zero():
    """Reference: torch.nn.GRUCell called without a state (it starts from zeros)."""
    cell = GRUCell(D, H).double()
    x = torch.randn(B, D, dtype=torch.float64)
    h, _ = cell(x)
    assert_close(h, torch_twin(cell)(x))


def test_gru_gates_are_what_forward_uses():
    """Reference: the docstring's h' = (1 − z) ⊙ n + z ⊙ h, recomputed from `gates()`, equals `forward`."""
    cell = GRUCell(D, H).double()
    x, h0 = torch.randn(B, D, dtype=torch.float64), torch.randn(B, H, dtype=torch.float64)
    r, z, n = cell.gates(x, HiddenState(h0))
    h, _ = cell(x, HiddenState(h0))
    assert_close(h, (1 - z) * n + z * h0)
    for gate in (r, z):
        assert ((gate > 0) & (gate < 1)).all()


def test_gru_cell_rejects_bad_arguments():
    """Reference: the messages in RecurrentCell."""
    with pytest.raises(ValueError, match=r"must be positive.*hidden_size=0"):
        GRUCell(D, 0)
    with pytest.raises(ValueError, match=f"expected input with {D} features, got {D - 1}"):
        GRUCell(D, H)(torch.randn(B, D - 1))
