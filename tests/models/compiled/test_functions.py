"""The autograd functions around the core, alone: torch.autograd.gradcheck (float64, finite differences)
on small shapes, both directions, with sequences of different lengths."""

import pytest
import torch

from rnnlab.models.compiled.abi import GATE_BLOCKS
from rnnlab.models.compiled.functions import Direction, ElementwiseRecurrence, MatrixRecurrence

B, T, H = 3, 5, 4
F64 = torch.float64


def direction(core, cell: str, lengths: torch.Tensor | None, reverse: bool) -> Direction:
    steps = T if lengths is None else int(lengths.max())
    padded = lengths is not None and int(lengths.min()) < T
    return Direction(core, cell, lengths, steps, reverse, padded)


def inputs(*shapes: tuple[int, ...], scale: float = 0.5) -> list[torch.Tensor]:
    return [(scale * torch.randn(shape, dtype=F64)).requires_grad_() for shape in shapes]


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("lengths", [None, torch.tensor([5, 2, 3])], ids=["full", "lengths"])
@pytest.mark.parametrize("cell", ["rnn_tanh", "rnn_relu", "gru", "lstm"])
def test_matrix_recurrence_passes_gradcheck(core, cell, lengths, reverse):
    """Reference: finite differences of the function itself (torch.autograd.gradcheck), for x_proj, h0, c0,
    U and b_hh. relu's kink is met with probability zero by random inputs."""
    G = GATE_BLOCKS[cell]
    walk = direction(core, cell, lengths, reverse)
    x_proj, h0, weight_hh, bias_hh = inputs((B, T, G * H), (B, H), (G * H, H), (G * H,))
    c0 = inputs((B, H))[0] if cell == "lstm" else None

    def run(x_proj, h0, c0, weight_hh, bias_hh):
        out, h, c = MatrixRecurrence.apply(walk, x_proj, h0, c0, weight_hh, bias_hh)
        return (out, h) if c is None else (out, h, c)

    assert torch.autograd.gradcheck(run, (x_proj, h0, c0, weight_hh, bias_hh))


@pytest.mark.parametrize("reverse", [False, True], ids=["forward", "reverse"])
@pytest.mark.parametrize("lengths", [None, torch.tensor([5, 2, 3])], ids=["full", "lengths"])
@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_elementwise_recurrence_passes_gradcheck(core, cell, lengths, reverse):
    """Reference: finite differences (torch.autograd.gradcheck), for x_proj and h0; g's kink at 0 is met
    with probability zero."""
    walk = direction(core, cell, lengths, reverse)
    x_proj, h0 = inputs((B, T, GATE_BLOCKS[cell] * H), (B, H), scale=1.0)
    assert torch.autograd.gradcheck(lambda x, h: ElementwiseRecurrence.apply(walk, x, h), (x_proj, h0))


def test_double_backward_is_refused(core):
    """Reference: once_differentiable: a second derivative through the core raises, rather than being wrong."""
    walk = direction(core, "gru", None, False)
    x_proj, h0, weight_hh, bias_hh = inputs((B, T, 3 * H), (B, H), (3 * H, H), (3 * H,))
    out, _, _ = MatrixRecurrence.apply(walk, x_proj, h0, None, weight_hh, bias_hh)
    (grad,) = torch.autograd.grad(out.sum(), x_proj, create_graph=True)
    with pytest.raises(RuntimeError, match=r"once_differentiable|does not require grad"):
        grad.sum().backward()
