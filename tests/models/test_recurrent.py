"""The loop over time: against torch.nn.RNN/LSTM/GRU, against stepping the cell by hand, and its errors."""

import re

import pytest
import torch
from torch import Tensor, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence
from torch.testing import assert_close

from rnnlab.models import HiddenState, InitConfig, LSTMState, RecurrentConfig, RecurrentLayer
from rnnlab.models.torch_interop import load_from_torch, to_torch

B, T, D, H = 4, 7, 3, 5
F64 = torch.float64
LENGTHS = torch.tensor([5, 7, 1, 3])  # unsorted, one full-length, one single step

CELLS = [
    pytest.param({"cell": "rnn", "nonlinearity": "tanh"}, id="rnn-tanh"),
    pytest.param({"cell": "rnn", "nonlinearity": "relu"}, id="rnn-relu"),
    pytest.param({"cell": "lstm"}, id="lstm"),
    pytest.param({"cell": "gru"}, id="gru"),
]
# Cells without a torch.nn twin: references are stepping the cell by hand and running alone.
OTHER_CELLS = [
    pytest.param({"cell": "mingru"}, id="mingru"),
    pytest.param({"cell": "mingru", "backend": "scan"}, id="mingru-scan"),
    pytest.param({"cell": "minlstm"}, id="minlstm"),
    pytest.param({"cell": "minlstm", "backend": "scan"}, id="minlstm-scan"),
    pytest.param({"cell": "indrnn", "horizon": 7}, id="indrnn"),
]
LSTM_OPTIONS = [
    pytest.param({"cell": "lstm", "peephole": True}, id="lstm-peephole"),
    pytest.param({"cell": "lstm", "cifg": True}, id="lstm-cifg"),
    pytest.param({"cell": "lstm", "layer_norm": True}, id="lstm-layer_norm"),
]


def make_layer(cell: dict, **kwargs) -> RecurrentLayer:
    config = RecurrentConfig(input_size=D, hidden_size=H, **{"backend": "readable", **cell}, **kwargs)
    return RecurrentLayer(config).double()


def random_state(layer: RecurrentLayer, batch_size: int = B) -> HiddenState | LSTMState:
    """A non-zero initial state that takes gradients."""
    c = layer.config
    shape = (c.num_layers * c.directions, batch_size, H)
    return layer.state_type(*(torch.randn(shape, dtype=F64, requires_grad=True) for _ in layer.state_type._fields))


def our_weights(layer: RecurrentLayer) -> list[Tensor]:
    return [t for cell in layer.cell_stack
            for t in (cell.x_to_gates.weight, cell.h_to_gates.weight, cell.x_to_gates.bias, cell.h_to_gates.bias)]


def torch_weights(module: nn.RNNBase) -> list[Tensor]:
    """torch's parameters in the matching order: per layer, per direction, weight_ih, weight_hh, bias_ih, bias_hh."""
    directions = ["", "_reverse"] if module.bidirectional else [""]
    return [getattr(module, f"{kind}_l{layer}{direction}")
            for layer in range(module.num_layers) for direction in directions
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def run_torch(module: nn.RNNBase, x: Tensor, state: HiddenState | LSTMState, lengths: Tensor | None
              ) -> tuple[Tensor, tuple[Tensor, ...]]:
    """The torch module on the same batch; with lengths, as a PackedSequence (enforce_sorted=False)."""
    hx = (state.h, state.c) if isinstance(state, LSTMState) else state.h
    if lengths is None:
        out, final = module(x, hx)
    else:
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        packed_out, final = module(packed, hx)
        out, _ = pad_packed_sequence(packed_out, batch_first=True, total_length=x.shape[1])
    return out, (final if isinstance(final, tuple) else (final,))


def assert_layer_equals_torch(layer: RecurrentLayer, module: nn.RNNBase, lengths: Tensor | None) -> None:
    """Forward outputs, final state, and gradients of the input, initial state and every parameter."""
    assert len(our_weights(layer)) == len(list(layer.parameters()))  # every parameter is compared
    x = torch.randn(B, T, D, dtype=F64, requires_grad=True)
    state = random_state(layer)
    out, final = layer(x, state, lengths=lengths)
    out_ref, final_ref = run_torch(module, x, state, lengths)
    assert_close(out, out_ref)
    assert_close(tuple(final), final_ref)

    probes = [torch.randn_like(out_ref), *(torch.randn_like(part) for part in final_ref)]
    ours = torch.autograd.grad([out, *final], [x, *state, *our_weights(layer)], probes)
    theirs = torch.autograd.grad([out_ref, *final_ref], [x, *state, *torch_weights(module)], probes)
    assert_close(ours, theirs)


@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 3])
@pytest.mark.parametrize("cell", CELLS)
def test_layer_equals_torch(cell, num_layers, bidirectional, with_lengths):
    """Reference: torch.nn.RNN/LSTM/GRU holding the layer's weights (`to_torch`), fed a PackedSequence
    where there are lengths; float64, from a non-zero initial state."""
    layer = make_layer(cell, num_layers=num_layers, bidirectional=bidirectional)
    module = to_torch(layer)
    assert isinstance(module, {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell["cell"]])
    assert module.batch_first
    assert_layer_equals_torch(layer, module, LENGTHS if with_lengths else None)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell", CELLS)
def test_load_from_torch(cell, bidirectional):
    """Reference: a freshly initialised torch.nn.RNN/LSTM/GRU whose weights `load_from_torch` copies in."""
    kind = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell["cell"]]
    extra = {"nonlinearity": cell["nonlinearity"]} if cell["cell"] == "rnn" else {}
    module = kind(D, H, num_layers=2, bidirectional=bidirectional, batch_first=True, **extra).double()
    layer = make_layer(cell, num_layers=2, bidirectional=bidirectional)
    load_from_torch(layer, module)
    for ours, theirs in zip(our_weights(layer), torch_weights(module)):
        assert torch.equal(ours, theirs)
    assert_layer_equals_torch(layer, module, LENGTHS)


def test_load_from_torch_rejects_a_mismatched_module():
    """Reference: the messages in torch_interop.load_from_torch and torch_interop.to_torch."""
    layer = make_layer({"cell": "lstm"}, num_layers=2)
    with pytest.raises(ValueError, match="expected a LSTM, got GRU"):
        load_from_torch(layer, nn.GRU(D, H, num_layers=2))
    with pytest.raises(ValueError, match=re.escape("LSTM.weight_ih_l0 has shape (24, 3), expected (20, 3)")):
        load_from_torch(layer, nn.LSTM(D, H + 1, num_layers=2))
    with pytest.raises(ValueError, match=re.escape("LSTM.weight_ih_l1 has shape None")):
        load_from_torch(layer, nn.LSTM(D, H, num_layers=1))
    with pytest.raises(ValueError, match=re.escape("torch.nn has no LSTM with peephole")):
        to_torch(make_layer({"cell": "lstm", "peephole": True}))


def step_by_hand(layer: RecurrentLayer, x: Tensor, state: HiddenState | LSTMState
                 ) -> tuple[Tensor, HiddenState | LSTMState]:
    """The stack written as plain Python loops calling `cell(x_t, state)`: layer by layer, the forward
    direction over t = 0..T-1, the backward direction over t = T-1..0."""
    c = layer.config
    finals = []
    for depth in range(c.num_layers):
        outputs = []
        for direction in range(c.directions):
            k = depth * c.directions + direction
            cell, cell_state = layer.cell_stack[k], layer.state_type(*(part[k] for part in state))
            steps = range(T) if direction == 0 else range(T - 1, -1, -1)
            h_at = {}
            for t in steps:
                h_at[t], cell_state = cell(x[:, t], cell_state)
            outputs.append(torch.stack([h_at[t] for t in range(T)], dim=1))
            finals.append(cell_state)
        x = torch.cat(outputs, dim=-1)
    return x, layer.state_type(*(torch.stack(parts) for parts in zip(*finals)))


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell", CELLS + LSTM_OPTIONS + OTHER_CELLS)
def test_layer_equals_stepping_the_cell_by_hand(cell, bidirectional):
    """Reference: `step_by_hand` above, a Python loop over time calling the cells one step at a time:
    outputs, final state and gradients of every parameter and the input."""
    layer = make_layer(cell, num_layers=2, bidirectional=bidirectional)
    x = torch.randn(B, T, D, dtype=F64, requires_grad=True)
    state = random_state(layer)
    out, final = layer(x, state)
    out_ref, final_ref = step_by_hand(layer, x, state)
    assert out.shape == (B, T, layer.config.output_size)
    assert_close(out, out_ref)
    assert_close(final, final_ref)

    inputs = [x, *state, *layer.parameters()]
    probes = [torch.randn_like(out), *(torch.randn_like(part) for part in final)]
    assert_close(torch.autograd.grad([out, *final], inputs, probes),
                 torch.autograd.grad([out_ref, *final_ref], inputs, probes))


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("cell", CELLS + LSTM_OPTIONS + OTHER_CELLS)
def test_lengths_equal_running_each_sequence_alone(cell, bidirectional):
    """Reference: the same layer run on each sequence alone, cut to its length (no padding at all).
    Outputs past a sequence's end are exactly zero, and its final state is the one at its last real step."""
    layer = make_layer(cell, num_layers=2, bidirectional=bidirectional)
    x = torch.randn(B, T, D, dtype=F64, requires_grad=True)
    state = random_state(layer)
    out, final = layer(x, state, lengths=LENGTHS)
    for b, L in enumerate(LENGTHS.tolist()):
        alone_state = layer.state_type(*(part[:, b:b + 1] for part in state))
        out_alone, final_alone = layer(x[b:b + 1, :L], alone_state)
        assert_close(out[b, :L], out_alone[0])
        assert (out[b, L:] == 0).all()
        assert_close(tuple(part[:, b] for part in final), tuple(part[:, 0] for part in final_alone))

    (grad,) = torch.autograd.grad(out.sum() + sum(part.sum() for part in final), x)
    for b, L in enumerate(LENGTHS.tolist()):
        assert (grad[b, L:] == 0).all()  # padding takes no part in the result


@pytest.mark.parametrize("cell", CELLS + OTHER_CELLS)
def test_padding_values_do_not_matter(cell):
    """Reference: the same batch with zeros as padding; large garbage in the padding changes nothing."""
    layer = make_layer(cell, num_layers=2, bidirectional=True)
    x = torch.randn(B, T, D, dtype=F64)
    padding = ~(torch.arange(T)[None, :] < LENGTHS[:, None])  # (B, T)
    clean, noisy = x.clone(), x.clone()
    clean[padding] = 0.0
    noisy[padding] = 1e3 * torch.randn(int(padding.sum()), D, dtype=F64)
    assert_close(layer(noisy, lengths=LENGTHS), layer(clean, lengths=LENGTHS))


def test_default_state_is_zero():
    """Reference: the same layer given `initial_state`, all zeros of shape (L·dirs, B, H)."""
    layer = make_layer({"cell": "lstm"}, num_layers=2, bidirectional=True)
    zeros = layer.initial_state(B, dtype=F64)
    assert isinstance(zeros, LSTMState)
    assert zeros.h.shape == zeros.c.shape == (4, B, H)
    assert not zeros.h.any() and not zeros.c.any()
    x = torch.randn(B, T, D, dtype=F64)
    assert_close(layer(x), layer(x, zeros))


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"cell": "transformer"}, "unknown cell 'transformer'; choose one of rnn, lstm, gru, mingru, minlstm, indrnn"),
    ({"cell": "gru", "input_size": 0}, "input_size must be positive, got 0"),
    ({"cell": "gru", "hidden_size": -3}, "hidden_size must be positive, got -3"),
    ({"cell": "gru", "num_layers": 0}, "num_layers must be positive, got 0"),
    ({"cell": "gru", "dropout": -0.1}, re.escape("dropout must be in [0, 1), got -0.1")),
    ({"cell": "gru", "dropout": 1.0}, re.escape("dropout must be in [0, 1), got 1.0")),
    ({"cell": "gru", "backend": "cuda"}, "unknown backend 'cuda'"),
    ({"cell": "gru", "peephole": True}, "peephole apply to the LSTM only, not to 'gru'"),
    ({"cell": "rnn", "cifg": True, "layer_norm": True}, "cifg, layer_norm apply to the LSTM only"),
    ({"cell": "lstm", "nonlinearity": "relu"}, "nonlinearity applies to the Elman cell 'rnn' only"),
    ({"cell": "mingru", "backend": "fused"}, "torch.nn's kernels, which exist for rnn, lstm, gru only, not 'mingru'"),
    ({"cell": "indrnn", "backend": "scan"}, r"needs a cell that is linear in h \(mingru, minlstm\), not 'indrnn'"),
    ({"cell": "lstm", "backend": "scan"}, "needs a cell that is linear in h"),
    ({"cell": "indrnn", "horizon": 0}, "horizon must be at least one step, got 0"),
    ({"cell": "gru", "horizon": 50}, "horizon applies to the IndRNN only, not to 'gru'"),
    ({"cell": "minlstm", "init": InitConfig(scheme="orthogonal")}, "init schemes apply to rnn, lstm, gru; 'minlstm'"),
])
def test_config_rejects_bad_arguments(kwargs, message):
    """Reference: the messages of RecurrentConfig.__post_init__."""
    with pytest.raises(ValueError, match=message):
        RecurrentConfig(**{"input_size": D, "hidden_size": H, **kwargs})


@pytest.mark.parametrize("backend", ["readable", "fused"])
def test_forward_rejects_bad_inputs(backend):
    """Reference: the messages of RecurrentLayer.forward and validate_lengths, for either backend."""
    layer = RecurrentLayer(RecurrentConfig("lstm", D, H, num_layers=2, backend=backend))
    x = torch.randn(B, T, D)
    with pytest.raises(ValueError, match=f"expected input with {D} features, got {D + 1}"):
        layer(torch.randn(B, T, D + 1))
    with pytest.raises(ValueError, match=re.escape("expected input of shape (batch, time, features), got (4, 3)")):
        layer(torch.randn(B, D))
    with pytest.raises(ValueError, match=f"a length of {T + 1} exceeds the sequence's {T} steps"):
        layer(x, lengths=torch.tensor([T, T + 1, 2, 1]))
    with pytest.raises(ValueError, match="every length must be at least 1, got a minimum of 0"):
        layer(x, lengths=torch.tensor([T, 0, 2, 1]))
    with pytest.raises(ValueError, match=re.escape("lengths must have shape (4,), one per sequence, got (3,)")):
        layer(x, lengths=torch.tensor([T, 2, 1]))
    good = layer.initial_state(B)
    with pytest.raises(ValueError, match=re.escape("state.c must have shape (2, 4, 5), got (1, 4, 5)")):
        layer(x, LSTMState(good.h, good.c[:1]))
    with pytest.raises(ValueError, match=re.escape("state.h must have shape (2, 4, 5), got (2, 3, 5)")):
        layer(x, LSTMState(good.h[:, :3], good.c))
    with pytest.raises(ValueError, match="a lstm layer takes a LSTMState state, got HiddenState"):
        layer(x, HiddenState(good.h))
    with pytest.raises(ValueError, match="a lstm layer takes a LSTMState state, got Tensor"):
        layer(x, good.h)  # type: ignore[arg-type]


def test_observing_shows_every_step_and_gives_dl_dh():
    """Reference: stepping the cell by hand with retain_grad on each h_t; the observer must show
    T steps per cell and its `after.h` must carry the same dL/dh_t, even for a layer set to fused."""
    torch.manual_seed(3)
    layer = RecurrentLayer(RecurrentConfig("lstm", 3, 5, num_layers=2, backend="fused")).double()
    x = torch.randn(2, 6, 3, dtype=torch.float64)
    views = []
    with layer.observing(views.append):
        outputs, _ = layer(x)
        for view in views:
            view.after.h.retain_grad()
    outputs[:, -1].sum().backward()
    assert [(v.cell_index, v.t) for v in views] == [(k, t) for k in range(2) for t in range(6)]
    assert not layer._observer  # the context restores the layer

    # by hand: the top layer's h_t gradient, stepping both cells
    cells = layer.cell_stack
    hs = []
    state0 = cells[0].initial_state(2, dtype=torch.float64)
    state1 = cells[1].initial_state(2, dtype=torch.float64)
    for t in range(6):
        h0, state0 = cells[0](x[:, t], state0)
        h1, state1 = cells[1](h0, state1)
        h1.retain_grad()
        hs.append(h1)
    hs[-1].sum().backward()
    for t in range(6):
        torch.testing.assert_close(views[6 + t].after.h.grad, hs[t].grad)
