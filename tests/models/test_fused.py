"""The fused backend (PyTorch's kernels) against the readable loop, and how `auto` picks between them."""

import warnings

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models import RecurrentConfig, RecurrentLayer
from rnnlab.models import fused as fused_module

B, T, D, H = 4, 6, 3, 5
LENGTHS = torch.tensor([2, 6, 1, 4])

CELLS = [
    pytest.param({"cell": "rnn", "nonlinearity": "tanh"}, id="rnn-tanh"),
    pytest.param({"cell": "rnn", "nonlinearity": "relu"}, id="rnn-relu"),
    pytest.param({"cell": "lstm"}, id="lstm"),
    pytest.param({"cell": "gru"}, id="gru"),
]


def twin_layers(cell: dict, dtype: torch.dtype = torch.float64, **kwargs) -> tuple[RecurrentLayer, RecurrentLayer]:
    """A readable and a fused layer holding the same weights (the readable one's state_dict)."""
    readable = RecurrentLayer(RecurrentConfig(input_size=D, hidden_size=H, backend="readable", **cell, **kwargs))
    fused = RecurrentLayer(RecurrentConfig(input_size=D, hidden_size=H, backend="fused", **cell, **kwargs))
    fused.load_state_dict(readable.state_dict())
    return readable.to(dtype), fused.to(dtype)


def assert_backends_agree(readable: RecurrentLayer, fused: RecurrentLayer, lengths: torch.Tensor | None,
                          dtype: torch.dtype = torch.float64, steps: int = T, **tolerance: float) -> None:
    """Outputs, final state, and gradients of the input, the initial state and every parameter."""
    c = readable.config
    x = torch.randn(B, steps, D, dtype=dtype, requires_grad=True)
    shape = (c.num_layers * c.directions, B, H)
    state = readable.state_type(*(torch.randn(shape, dtype=dtype, requires_grad=True)
                                  for _ in readable.state_type._fields))
    assert fused.uses_fused(x) and not readable.uses_fused(x)
    out_r, final_r = readable(x, state, lengths=lengths)
    out_f, final_f = fused(x, state, lengths=lengths)
    assert_close(out_f, out_r, **tolerance)
    assert_close(final_f, final_r, **tolerance)

    names = [name for name, _ in readable.named_parameters()]
    assert names == [name for name, _ in fused.named_parameters()]
    params_r, params_f = dict(readable.named_parameters()), dict(fused.named_parameters())
    probes = [torch.randn_like(out_r), *(torch.randn_like(part) for part in final_r)]
    grads_r = torch.autograd.grad([out_r, *final_r], [x, *state, *(params_r[n] for n in names)], probes)
    grads_f = torch.autograd.grad([out_f, *final_f], [x, *state, *(params_f[n] for n in names)], probes)
    assert_close(grads_f, grads_r, **tolerance)


@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", CELLS)
def test_fused_equals_readable(cell, num_layers, bidirectional, with_lengths):
    """Reference: the readable backend (the loop over time) with the same state_dict, float64."""
    readable, fused = twin_layers(cell, num_layers=num_layers, bidirectional=bidirectional)
    assert_backends_agree(readable, fused, LENGTHS if with_lengths else None)


@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", CELLS)
def test_single_step_equals_readable(cell, num_layers, bidirectional):
    """Reference: the readable backend, float64. At T = 1 the fused backend runs the cell kernels that
    nn.RNNCell/LSTMCell/GRUCell call (fused.run_one_step), not the sequence kernels."""
    readable, fused = twin_layers(cell, num_layers=num_layers, bidirectional=bidirectional)
    assert_backends_agree(readable, fused, torch.ones(B, dtype=torch.int64), steps=1)
    assert_backends_agree(readable, fused, None, steps=1)
    x = torch.randn(B, 1, D, dtype=torch.float64)
    assert_close(fused(x), readable(x))  # from the zero state, which the single step makes itself


@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
def test_fused_lstm_float32_equals_readable(with_lengths):
    """Reference: the readable backend in float32, the path `auto` takes on the CPU (oneDNN kernel).
    Tolerance 1e-5: float32 rounding of two different summation orders over a few steps."""
    readable, fused = twin_layers({"cell": "lstm"}, torch.float32, num_layers=2, bidirectional=True)
    assert_backends_agree(readable, fused, LENGTHS if with_lengths else None, torch.float32, rtol=1e-5, atol=1e-5)


def test_fused_equals_readable_in_eval_with_dropout():
    """Reference: the readable backend; in eval mode dropout between layers is off on both paths."""
    readable, fused = twin_layers({"cell": "gru"}, num_layers=3, dropout=0.5)
    readable.eval()
    fused.eval()
    assert_backends_agree(readable, fused, LENGTHS)


@pytest.mark.parametrize("cell", CELLS)
def test_state_dict_keys_are_identical(cell):
    """Reference: the readable layer's state_dict: the backend is a choice of code, not of parameters."""
    readable, fused = twin_layers(cell, num_layers=2, bidirectional=True)
    assert list(readable.state_dict()) == list(fused.state_dict())
    assert_close(readable.state_dict(), fused.state_dict(), rtol=0, atol=0)


def lstm_layer(**kwargs) -> RecurrentLayer:
    return RecurrentLayer(RecurrentConfig("lstm", D, H, backend="auto", **kwargs))


def test_without_the_core_auto_picks_fused(monkeypatch):
    """Reference: auto_backend.torch_backend's rule on the CPU (benchmarks/results/cpu-2core.md), which `auto`
    follows where the compiled core is unavailable: the fused kernels for rnn, lstm and gru, one step included
    (where the LSTM, too, now runs the cell kernel); checked by counting calls into run_fused and, for the
    single step the layer sends straight there, run_one_step."""
    monkeypatch.setattr(RecurrentLayer, "_compiled_runs", lambda self, x: False)
    calls = []

    def counting(real):
        def count(*args, **kwargs):
            calls.append(real.__name__)
            return real(*args, **kwargs)
        return count

    monkeypatch.setattr(fused_module, "run_fused", counting(fused_module.run_fused))
    monkeypatch.setattr(fused_module, "run_one_step", counting(fused_module.run_one_step))
    for k, cell in enumerate(("lstm", "gru", "rnn")):
        layer = RecurrentLayer(RecurrentConfig(cell, D, H, backend="auto"))  # type: ignore[arg-type]
        assert layer.uses_fused(torch.randn(B, T, D)) and layer.uses_fused(torch.randn(B, 1, D))
        layer(torch.randn(B, T, D))
        layer(torch.randn(B, 1, D))
        assert calls == ["run_fused", "run_one_step"] * (k + 1)


def test_auto_falls_back_to_readable_for_peepholes_warning_once():
    """Reference: RecurrentLayer.uses_fused: options the kernels lack run the readable path, said once."""
    layer = lstm_layer(peephole=True)
    x = torch.randn(B, T, D)
    with pytest.warns(UserWarning, match="backend='auto' runs the readable path.*peephole") as record:
        layer(x)
        layer(x)
        assert not layer.uses_fused(x)
    assert len(record) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # and never again for this layer
        layer(x)


def test_fused_backend_rejects_lstm_options():
    """Reference: RecurrentConfig.__post_init__: the fused kernels support no peephole."""
    with pytest.raises(ValueError, match="the fused backend does not support peephole"):
        RecurrentConfig("lstm", D, H, peephole=True, backend="fused")
