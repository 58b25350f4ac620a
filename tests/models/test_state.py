"""State helpers: detaching for truncated BPTT, reversing and masking padded batches."""

import re

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models import HiddenState, LSTMState, RecurrentConfig, RecurrentLayer, detach_state
from rnnlab.models.state import reverse_padded, step_mask, validate_lengths

B, T, D, H = 3, 9, 2, 4
LENGTHS = torch.tensor([4, 9, 1])


@pytest.mark.parametrize("state_type", [HiddenState, LSTMState])
def test_detach_state_drops_history(state_type):
    """Reference: Tensor.detach applied to each field: same values and type, no grad_fn."""
    w = torch.randn(B, H, requires_grad=True)
    state = state_type(*(w * k for k in range(1, len(state_type._fields) + 1)))
    assert all(part.grad_fn is not None for part in state)
    detached = detach_state(state)
    assert type(detached) is state_type
    for part, before in zip(detached, state):
        assert part.grad_fn is None
        assert not part.requires_grad
        assert torch.equal(part, before)


CELLS = [
    pytest.param({"cell": "rnn"}, id="rnn"),
    pytest.param({"cell": "rnn", "nonlinearity": "relu"}, id="rnn-relu"),
    pytest.param({"cell": "lstm"}, id="lstm"),
    pytest.param({"cell": "gru"}, id="gru"),
]


@pytest.mark.parametrize("backend", ["readable", "fused"])
@pytest.mark.parametrize("cell", CELLS)
def test_truncated_bptt_in_chunks_equals_one_call(cell, backend):
    """Reference: one call over the whole sequence; two chunks carrying a detached state give the same
    outputs and final state, and no gradient reaches the first chunk from the second."""
    layer = RecurrentLayer(RecurrentConfig(input_size=D, hidden_size=H, num_layers=2, backend=backend, **cell))
    layer.double()
    x = torch.randn(B, T, D, dtype=torch.float64, requires_grad=True)
    state0 = layer.state_type(*(torch.randn(2, B, H, dtype=torch.float64) for _ in layer.state_type._fields))
    whole, final = layer(x, state0)

    first, state = layer(x[:, :5], state0)
    state = detach_state(state)
    assert all(part.grad_fn is None for part in state)
    second, chunked_final = layer(x[:, 5:], state)
    assert_close(torch.cat([first, second], dim=1), whole)
    assert_close(chunked_final, final)

    (grad,) = torch.autograd.grad(second.sum(), x)
    assert torch.equal(grad[:, :5], torch.zeros_like(grad[:, :5]))  # history cut
    assert grad[:, 5:].abs().sum() > 0
    (grad_whole,) = torch.autograd.grad(whole[:, 5:].sum(), x)
    assert grad_whole[:, :5].abs().sum() > 0  # without the cut, gradient does reach the first chunk


def reverse_by_hand(x: torch.Tensor, lengths: list[int]) -> torch.Tensor:
    expected = x.clone()
    for b, L in enumerate(lengths):
        expected[b, :L] = x[b, :L].flip(0)
    return expected


@pytest.mark.parametrize("shape", [(B, T), (B, T, 2), (B, T, 2, 3)], ids=["BT", "BTF", "BTxy"])
def test_reverse_padded(shape):
    """Reference: flipping x[b, :L_b] by hand, sequence by sequence; padding stays where it was."""
    x = torch.randn(shape)
    reversed_x = reverse_padded(x, LENGTHS)
    assert torch.equal(reversed_x, reverse_by_hand(x, LENGTHS.tolist()))
    for b, L in enumerate(LENGTHS.tolist()):
        assert torch.equal(reversed_x[b, L:], x[b, L:])  # padding in place
    assert torch.equal(reverse_padded(reversed_x, LENGTHS), x)  # its own inverse


def test_reverse_padded_without_lengths_flips_time():
    """Reference: Tensor.flip over the time axis."""
    x = torch.randn(B, T, D)
    assert torch.equal(reverse_padded(x, None), x.flip(1))


def test_step_mask_matches_lengths():
    """Reference: t < L_b written out as nested Python loops."""
    mask = step_mask(LENGTHS, T, torch.device("cpu"))
    expected = torch.tensor([[t < L for t in range(T)] for L in LENGTHS.tolist()])
    assert mask.dtype == torch.bool
    assert torch.equal(mask, expected)
    assert torch.equal(mask.sum(1), LENGTHS)


def test_validate_lengths():
    """Reference: the documented contract: (B,) int64 on the CPU, each in [1, T]; None passes through."""
    assert validate_lengths(None, B, T) is None
    checked = validate_lengths([4, 9, 1], B, T)  # type: ignore[arg-type]
    assert checked is not None and checked.dtype == torch.int64
    assert torch.equal(checked, LENGTHS)
    with pytest.raises(ValueError, match=re.escape("lengths must have shape (3,), one per sequence, got (3, 1)")):
        validate_lengths(LENGTHS[:, None], B, T)
    with pytest.raises(ValueError, match="every length must be at least 1, got a minimum of 0"):
        validate_lengths(torch.tensor([4, 0, 1]), B, T)
    with pytest.raises(ValueError, match="a length of 10 exceeds the sequence's 9 steps"):
        validate_lengths(torch.tensor([4, 10, 1]), B, T)
