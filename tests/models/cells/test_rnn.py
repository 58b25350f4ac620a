"""The Elman cell against torch.nn.RNNCell."""

import pytest
import torch
from torch import nn
from torch.testing import assert_close

from rnnlab.models.cells import HiddenState, RNNCell

B, D, H = 4, 3, 5


def weights(cell: RNNCell) -> list[torch.Tensor]:
    """Our four tensors in the order of torch's weight_ih, weight_hh, bias_ih, bias_hh."""
    return [cell.x_to_gates.weight, cell.h_to_gates.weight, cell.x_to_gates.bias, cell.h_to_gates.bias]


def torch_twin(cell: RNNCell) -> nn.RNNCell:
    ref = nn.RNNCell(cell.input_size, cell.hidden_size, nonlinearity=cell.nonlinearity)
    ref.to(cell.x_to_gates.weight.dtype)
    with torch.no_grad():
        for ours, theirs in zip(weights(cell), [ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh]):
            theirs.copy_(ours)
    return ref


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_equals_torch(nonlinearity, dtype):
    """Reference: torch.nn.RNNCell with the same weights: output, new state, and gradients w.r.t. the
    input, the initial state and every weight."""
    cell = RNNCell(D, H, nonlinearity).to(dtype)
    ref = torch_twin(cell)
    assert len(list(cell.parameters())) == 4  # the gradient check below covers every weight
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


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_rnn_cell_default_state_is_zero(nonlinearity):
    """Reference: torch.nn.RNNCell called without a state (it starts from zeros)."""
    cell = RNNCell(D, H, nonlinearity).double()
    x = torch.randn(B, D, dtype=torch.float64)
    h, _ = cell(x)
    assert_close(h, torch_twin(cell)(x))


def test_rnn_gates_are_what_forward_uses():
    """Reference: `forward` itself: the Elman cell's one activation is the new hidden state."""
    cell = RNNCell(D, H).double()
    x, h0 = torch.randn(B, D, dtype=torch.float64), torch.randn(B, H, dtype=torch.float64)
    (h_gate,) = cell.gates(x, HiddenState(h0))
    h, _ = cell(x, HiddenState(h0))
    assert_close(h_gate, h)


def test_rnn_cell_rejects_bad_arguments():
    """Reference: the messages in RNNCell and RecurrentCell."""
    with pytest.raises(ValueError, match="nonlinearity must be 'tanh' or 'relu', got 'sigmoid'"):
        RNNCell(D, H, "sigmoid")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"input_size and hidden_size must be positive.*input_size=0"):
        RNNCell(0, H)
    with pytest.raises(ValueError, match=r"input_size and hidden_size must be positive.*hidden_size=-1"):
        RNNCell(D, -1)
    with pytest.raises(ValueError, match=f"expected input with {D} features, got {D + 1}"):
        RNNCell(D, H)(torch.randn(B, D + 1))
