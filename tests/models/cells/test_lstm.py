"""The LSTM cell against torch.nn.LSTMCell, and its options against the textbook equations."""

import pytest
import torch
from torch import Tensor, nn
from torch.testing import assert_close

from rnnlab.models.cells import LSTMCell, LSTMState

B, D, H = 4, 3, 5
F64 = torch.float64


def weights(cell: LSTMCell) -> list[Tensor]:
    """Our four tensors in the order of torch's weight_ih, weight_hh, bias_ih, bias_hh."""
    return [cell.x_to_gates.weight, cell.h_to_gates.weight, cell.x_to_gates.bias, cell.h_to_gates.bias]


def random_inputs(dtype: torch.dtype = F64) -> tuple[Tensor, Tensor, Tensor]:
    return tuple(torch.randn(B, n, dtype=dtype, requires_grad=True) for n in (D, H, H))  # type: ignore[return-value]


@pytest.mark.parametrize("dtype", [torch.float64, torch.float32])
def test_lstm_cell_equals_torch(dtype):
    """Reference: torch.nn.LSTMCell with the same weights: output, new state (h, c), and gradients w.r.t.
    the input, the initial state (h and c) and every weight."""
    cell = LSTMCell(D, H).to(dtype)
    ref = nn.LSTMCell(D, H).to(dtype)
    with torch.no_grad():
        for ours, theirs in zip(weights(cell), [ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh]):
            theirs.copy_(ours)
    assert len(list(cell.parameters())) == 4  # the gradient check below covers every weight
    x, h0, c0 = random_inputs(dtype)

    h, state = cell(x, LSTMState(h0, c0))
    h_ref, c_ref = ref(x, (h0, c0))
    assert isinstance(state, LSTMState)
    assert_close(h, h_ref)
    assert_close(state, LSTMState(h_ref, c_ref))

    probes = [torch.randn_like(h_ref), torch.randn_like(c_ref)]
    ours = torch.autograd.grad([state.h, state.c], [x, h0, c0, *weights(cell)], probes)
    theirs = torch.autograd.grad([h_ref, c_ref], [x, h0, c0, ref.weight_ih, ref.weight_hh, ref.bias_ih, ref.bias_hh],
                                 probes)
    assert_close(ours, theirs)


def test_lstm_cell_default_state_is_zero():
    """Reference: the same cell given an explicit all-zero (h, c)."""
    cell = LSTMCell(D, H).double()
    x = torch.randn(B, D, dtype=F64)
    zeros = torch.zeros(B, H, dtype=F64)
    assert_close(cell(x), cell(x, LSTMState(zeros, zeros)))


def layer_norm(v: Tensor, gain: Tensor, bias: Tensor, eps: float = 1e-5) -> Tensor:
    """Ba et al. 2016, eq. 4: normalise over the features, then gain and bias (eps as nn.LayerNorm)."""
    mean = v.mean(-1, keepdim=True)
    var = ((v - mean) ** 2).mean(-1, keepdim=True)
    return gain * (v - mean) / torch.sqrt(var + eps) + bias


def textbook_step(cell: LSTMCell, x: Tensor, h: Tensor, c: Tensor) -> tuple[Tensor, Tensor]:
    """One LSTM step written from the equations, gate by gate, apart from the cell's code.

    Peepholes: Gers & Schmidhuber 2000 (i, f see c; o sees c'). CIFG: Greff et al. 2017 (i = 1 − f).
    LN-LSTM: Ba et al. 2016, eq. 20-22: LN(W x) + LN(U h) + b over all gates together, h' = o tanh(LN(c')).
    """
    names = ("f", "g", "o") if cell.cifg else ("i", "f", "g", "o")
    rows = {name: slice(k * H, (k + 1) * H) for k, name in enumerate(names)}
    W, U = cell.x_to_gates.weight, cell.h_to_gates.weight  # (G·H, D), (G·H, H)
    b = cell.x_to_gates.bias + cell.h_to_gates.bias  # the gate sees the sum of PyTorch's two biases
    if cell.layer_norm:  # the statistics span every gate, so normalise the whole projection first
        Wx = layer_norm(x @ W.T, cell.ln_x.weight, cell.ln_x.bias)
        Uh = layer_norm(h @ U.T, cell.ln_h.weight, cell.ln_h.bias)
        pre = {name: Wx[:, r] + Uh[:, r] + b[r] for name, r in rows.items()}
    else:
        pre = {name: x @ W[r].T + h @ U[r].T + b[r] for name, r in rows.items()}
    zero = torch.zeros(H, dtype=x.dtype)
    p_i = cell.peep_i if cell.peephole and not cell.cifg else zero
    p_f = cell.peep_f if cell.peephole else zero
    p_o = cell.peep_o if cell.peephole else zero

    f = torch.sigmoid(pre["f"] + p_f * c)
    i = 1 - f if cell.cifg else torch.sigmoid(pre["i"] + p_i * c)
    g = torch.tanh(pre["g"])
    c_new = f * c + i * g
    o = torch.sigmoid(pre["o"] + p_o * c_new)
    shown = layer_norm(c_new, cell.ln_c.weight, cell.ln_c.bias) if cell.layer_norm else c_new
    return o * torch.tanh(shown), c_new


OPTIONS = [
    pytest.param({}, id="plain"),
    pytest.param({"peephole": True}, id="peephole"),
    pytest.param({"cifg": True}, id="cifg"),
    pytest.param({"layer_norm": True}, id="layer_norm"),
    pytest.param({"peephole": True, "cifg": True}, id="peephole+cifg"),
    pytest.param({"peephole": True, "cifg": True, "layer_norm": True}, id="all"),
]


def random_cell(**options) -> LSTMCell:
    """A float64 cell whose every parameter (peepholes and LN gains/biases too) is random and non-trivial."""
    cell = LSTMCell(D, H, **options).double()
    with torch.no_grad():
        for p in cell.parameters():
            p.normal_(0.0, 0.5)
    return cell


@pytest.mark.parametrize("options", OPTIONS)
def test_lstm_options_equal_textbook(options):
    """Reference: `textbook_step` above (peephole / CIFG / LN-LSTM written from the papers), float64:
    output, new state and gradients w.r.t. input, state and every parameter."""
    cell = random_cell(**options)
    x, h0, c0 = random_inputs()
    h, state = cell(x, LSTMState(h0, c0))
    h_ref, c_ref = textbook_step(cell, x, h0, c0)
    assert_close(h, h_ref)
    assert_close(state, LSTMState(h_ref, c_ref))

    params = list(cell.parameters())
    probes = [torch.randn_like(h_ref), torch.randn_like(c_ref)]
    ours = torch.autograd.grad([state.h, state.c], [x, h0, c0, *params], probes)
    theirs = torch.autograd.grad([h_ref, c_ref], [x, h0, c0, *params], probes)
    assert_close(ours, theirs)


@pytest.mark.parametrize("options", OPTIONS)
def test_lstm_gates_are_what_forward_uses(options):
    """Reference: the docstring's c' = f ⊙ c + i ⊙ g and h' = o ⊙ tanh(c') (tanh(LN(c')) under LN),
    recomputed from the activations `gates()` returns."""
    cell = random_cell(**options)
    x, h0, c0 = random_inputs()
    i, f, g, o = cell.gates(x, LSTMState(h0, c0))
    h, state = cell(x, LSTMState(h0, c0))
    c = f * c0 + i * g
    shown = cell.ln_c(c) if cell.layer_norm else c
    assert_close(state.c, c)
    assert_close(h, o * shown.tanh())


def test_cifg_has_three_gate_blocks_and_couples_input_to_forget():
    """Reference: Greff et al. 2017, CIFG: no input-gate weights, and i = 1 − f exactly."""
    cell = random_cell(cifg=True)
    assert cell.gate_names == ("f", "g", "o")
    assert cell.x_to_gates.weight.shape == (3 * H, D)
    assert cell.h_to_gates.weight.shape == (3 * H, H)
    assert cell.x_to_gates.bias.shape == cell.h_to_gates.bias.shape == (3 * H,)
    x, h0, c0 = random_inputs()
    gates = cell.gates(x, LSTMState(h0, c0))
    assert torch.equal(gates.i, 1 - gates.f)


def test_peephole_with_zero_weights_equals_plain_cell():
    """Reference: the plain LSTMCell with the same projections; peepholes at zero add nothing."""
    plain = random_cell()
    peep = random_cell(peephole=True)
    peep.load_state_dict(plain.state_dict(), strict=False)  # the projections; peepholes stay as they are
    x, h0, c0 = random_inputs()
    assert not torch.allclose(peep(x, LSTMState(h0, c0))[0], plain(x, LSTMState(h0, c0))[0])  # they matter

    with torch.no_grad():
        for name in ("peep_i", "peep_f", "peep_o"):
            getattr(peep, name).zero_()
    assert_close(peep(x, LSTMState(h0, c0)), plain(x, LSTMState(h0, c0)))


def test_option_parameters_have_the_documented_shapes():
    """Reference: lstm.py's docstring: diagonal peepholes (H,), none for i under CIFG; LN over G·H and H."""
    cell = LSTMCell(D, H, peephole=True, layer_norm=True)
    assert {cell.peep_i.shape, cell.peep_f.shape, cell.peep_o.shape} == {(H,)}
    assert cell.ln_x.normalized_shape == cell.ln_h.normalized_shape == (4 * H,)
    assert cell.ln_c.normalized_shape == (H,)
    cifg = LSTMCell(D, H, peephole=True, cifg=True)
    assert not hasattr(cifg, "peep_i")
    assert "peephole" in repr(cell) and "layer_norm" in repr(cell)


def test_lstm_cell_rejects_bad_arguments():
    """Reference: the messages in RecurrentCell."""
    with pytest.raises(ValueError, match=r"must be positive.*input_size=-2"):
        LSTMCell(-2, H)
    with pytest.raises(ValueError, match=f"expected input with {D} features, got {D + 2}"):
        LSTMCell(D, H)(torch.randn(B, D + 2))
