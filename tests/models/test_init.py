"""Initialisation schemes, as RecurrentLayer applies them to every cell of the stack."""

import math

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models import InitConfig, RecurrentConfig, RecurrentLayer

D, H = 3, 8


def rows(k: int) -> slice:
    """Gate block k of a (G·H, ...) weight, in PyTorch's order: LSTM i, f, g, o; GRU r, z, n."""
    return slice(k * H, (k + 1) * H)


LSTM_I, LSTM_F, GRU_Z = rows(0), rows(1), rows(1)
GATE_BLOCKS = {"rnn": 1, "lstm": 4, "gru": 3}


def make_layer(cell: str, init: InitConfig, generator: torch.Generator | None = None, **kwargs) -> RecurrentLayer:
    """Two bidirectional layers, so that every check runs over four cells of two input widths."""
    config = RecurrentConfig(cell, D, H, num_layers=2, bidirectional=True, init=init, **kwargs)  # type: ignore[arg-type]
    return RecurrentLayer(config, generator=generator)


def summed_bias(cell) -> torch.Tensor:
    """What a gate sees: b_ih + b_hh."""
    return cell.x_to_gates.bias + cell.h_to_gates.bias


@pytest.mark.parametrize("scheme", ["uniform", "orthogonal", "identity"])
@pytest.mark.parametrize("forget_bias", [1.0, 2.5])
def test_lstm_forget_bias(scheme, forget_bias):
    """Reference: Jozefowicz et al. 2015: the forget gate's b_ih + b_hh starts at `forget_bias` (default 1.0)."""
    init = InitConfig(scheme=scheme) if forget_bias == 1.0 else InitConfig(scheme=scheme, forget_bias=forget_bias)
    assert InitConfig().forget_bias == 1.0
    for cell in make_layer("lstm", init).cell_stack:
        assert_close(summed_bias(cell)[LSTM_F], torch.full((H,), forget_bias))


def test_cifg_forget_bias_is_in_the_first_block():
    """Reference: under CIFG the blocks are (f, g, o), so the forget bias moves to rows 0..H."""
    for cell in make_layer("lstm", InitConfig(forget_bias=1.5), cifg=True).cell_stack:
        assert_close(summed_bias(cell)[rows(0)], torch.full((H,), 1.5))


@pytest.mark.parametrize("cell_name", ["rnn", "lstm", "gru"])
def test_orthogonal_recurrent_blocks(cell_name):
    """Reference: Saxe et al. 2014: each recurrent gate block U_k is orthogonal, U_k U_kᵀ = I; biases zero
    (but the LSTM forget bias); input weights stay uniform."""
    for cell in make_layer(cell_name, InitConfig(scheme="orthogonal")).cell_stack:
        U = cell.h_to_gates.weight
        for k in range(GATE_BLOCKS[cell_name]):
            U_k = U[rows(k)]
            assert_close(U_k @ U_k.T, torch.eye(H), atol=1e-5, rtol=0)
        expected_bias = torch.zeros(GATE_BLOCKS[cell_name] * H)
        if cell_name == "lstm":
            expected_bias[LSTM_F] = 1.0
        assert_close(summed_bias(cell), expected_bias)
        assert cell.x_to_gates.weight.abs().max() <= H**-0.5


@pytest.mark.parametrize("scale", [1.0, 0.5])
@pytest.mark.parametrize("cell_name", ["rnn", "lstm", "gru"])
def test_identity_init(cell_name, scale):
    """Reference: Le et al. 2015 (IRNN): recurrent blocks scale·I, biases zero (but the LSTM forget bias),
    input weights N(0, 0.001²)."""
    init = InitConfig(scheme="identity") if scale == 1.0 else InitConfig(scheme="identity", identity_scale=scale)
    kwargs = {"nonlinearity": "relu"} if cell_name == "rnn" else {}
    layer = make_layer(cell_name, init, **kwargs)
    for cell in layer.cell_stack:
        for k in range(GATE_BLOCKS[cell_name]):
            assert torch.equal(cell.h_to_gates.weight[rows(k)], scale * torch.eye(H))
        assert torch.equal(cell.h_to_gates.bias, torch.zeros_like(cell.h_to_gates.bias))
        b_ih = cell.x_to_gates.bias.clone()
        if cell_name == "lstm":
            assert torch.equal(b_ih[LSTM_F], torch.ones(H))
            b_ih[LSTM_F] = 0.0
        assert torch.equal(b_ih, torch.zeros_like(b_ih))
    W = torch.cat([cell.x_to_gates.weight.flatten() for cell in layer.cell_stack])  # a few hundred draws
    assert W.abs().max() < 1e-2
    assert 0.5e-3 < W.std() < 2e-3


@pytest.mark.parametrize("cell_name", ["rnn", "lstm", "gru"])
def test_uniform_weights_within_bound(cell_name):
    """Reference: PyTorch's default, U(−1/√H, 1/√H) for every weight and bias (but the LSTM forget bias)."""
    bound = H**-0.5
    for cell in make_layer(cell_name, InitConfig(scheme="uniform")).cell_stack:
        for tensor in (cell.x_to_gates.weight, cell.h_to_gates.weight, cell.h_to_gates.bias):
            assert tensor.abs().max() <= bound
            assert tensor.abs().max() > bound / 2  # drawn over the range, not left near zero
        b_ih = cell.x_to_gates.bias
        if cell_name == "lstm":
            b_ih = torch.cat([b_ih[:LSTM_F.start], b_ih[LSTM_F.stop:]])
        assert b_ih.abs().max() <= bound


@pytest.mark.parametrize("cifg", [False, True])
def test_chrono_lstm(cifg):
    """Reference: Tallec & Ollivier 2018, eq. 19: forget bias log(U(1, T_max − 1)) ∈ [0, log(T_max − 1)],
    input bias its negative; it replaces forget_bias."""
    max_len = 50
    init = InitConfig(chrono_max_len=max_len, forget_bias=5.0)
    for cell in make_layer("lstm", init, cifg=cifg).cell_stack:
        bias = summed_bias(cell)
        forget = bias[rows(0) if cifg else LSTM_F]
        assert ((forget >= 0) & (forget <= math.log(max_len - 1))).all()
        assert forget.std() > 0.1  # spread over the range, not one value
        if not cifg:
            assert_close(bias[LSTM_I], -forget)


def test_chrono_gru_update_gate():
    """Reference: Tallec & Ollivier 2018 with the GRU's keep gate z (h' = (1 − z) ⊙ n + z ⊙ h):
    b_z ∈ [0, log(T_max − 1)]."""
    max_len = 20
    for cell in make_layer("gru", InitConfig(chrono_max_len=max_len)).cell_stack:
        z = summed_bias(cell)[GRU_Z]
        assert ((z >= 0) & (z <= math.log(max_len - 1))).all()
        assert z.std() > 0.1


def test_chrono_needs_a_gated_cell():
    """Reference: init.py: chrono sets a keep-gate bias, which the Elman cell lacks."""
    with pytest.raises(ValueError, match=r"chrono initialisation needs a gated cell.*RNNCell"):
        make_layer("rnn", InitConfig(chrono_max_len=10))


def test_invalid_init_config():
    """Reference: the messages of InitConfig.__post_init__."""
    with pytest.raises(ValueError, match="unknown init scheme 'xavier'"):
        InitConfig(scheme="xavier")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="chrono_max_len must be at least 3 steps, got 2"):
        InitConfig(chrono_max_len=2)


SCHEMES = [
    pytest.param("gru", InitConfig(), id="gru-uniform"),
    pytest.param("lstm", InitConfig(scheme="orthogonal"), id="lstm-orthogonal"),
    pytest.param("rnn", InitConfig(scheme="identity"), id="rnn-identity"),
    pytest.param("lstm", InitConfig(chrono_max_len=10), id="lstm-chrono"),
    pytest.param("gru", InitConfig(chrono_max_len=10), id="gru-chrono"),
]


@pytest.mark.parametrize(("cell_name", "init"), SCHEMES)
def test_deterministic_under_a_generator(cell_name, init):
    """Reference: a second layer built from an identically seeded torch.Generator, whatever the global
    random state in between; a different seed gives different weights."""
    a = make_layer(cell_name, init, torch.Generator().manual_seed(7))
    torch.rand(100)  # move the global generator on: it must not matter
    b = make_layer(cell_name, init, torch.Generator().manual_seed(7))
    c = make_layer(cell_name, init, torch.Generator().manual_seed(8))
    assert_close(a.state_dict(), b.state_dict(), rtol=0, atol=0)
    assert any(not torch.equal(p, q) for p, q in zip(a.parameters(), c.parameters()))


@pytest.mark.parametrize(("cell_name", "init"), SCHEMES)
def test_deterministic_under_manual_seed(cell_name, init):
    """Reference: a second layer built after the same torch.manual_seed."""
    torch.manual_seed(3)
    a = make_layer(cell_name, init)
    torch.manual_seed(3)
    b = make_layer(cell_name, init)
    assert_close(a.state_dict(), b.state_dict(), rtol=0, atol=0)
