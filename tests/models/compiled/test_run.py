"""The compiled backend against the readable loop, through the whole layer: every cell it has, stacked,
both directions, variable lengths, a given initial state; outputs, final states and every gradient."""

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models import RecurrentConfig, RecurrentLayer
from rnnlab.models.layer_config import LayerState

B, T, D, H = 4, 7, 3, 5
LENGTHS = torch.tensor([2, 7, 1, 4])
F64 = torch.float64
EXACT = {"rtol": 1e-10, "atol": 1e-10}  # float64: two summation orders differ by ~1e-15 (measured)
FLOAT32 = {"rtol": 1e-5, "atol": 1e-6}  # float32: measured ≤ 5e-7 of the largest value over 50 steps, 2 layers

CELLS = [
    pytest.param({"cell": "rnn", "nonlinearity": "tanh"}, id="rnn-tanh"),
    pytest.param({"cell": "rnn", "nonlinearity": "relu"}, id="rnn-relu"),
    pytest.param({"cell": "gru"}, id="gru"),
    pytest.param({"cell": "lstm"}, id="lstm"),
    pytest.param({"cell": "mingru"}, id="mingru"),
    pytest.param({"cell": "minlstm"}, id="minlstm"),
]


def twin_layers(cell: dict, dtype: torch.dtype = F64, **kwargs) -> tuple[RecurrentLayer, RecurrentLayer]:
    """A readable and a compiled layer holding the same weights (the readable one's state_dict)."""
    readable = RecurrentLayer(RecurrentConfig(input_size=D, hidden_size=H, backend="readable", **cell, **kwargs))
    compiled = RecurrentLayer(RecurrentConfig(input_size=D, hidden_size=H, backend="compiled", **cell, **kwargs))
    compiled.load_state_dict(readable.state_dict())
    return readable.to(dtype), compiled.to(dtype)


def random_state(layer: RecurrentLayer, dtype: torch.dtype) -> LayerState:
    c = layer.config
    shape = (c.num_layers * c.directions, B, H)
    return layer.state_type(*(torch.randn(shape, dtype=dtype, requires_grad=True) for _ in layer.state_type._fields))


def assert_layers_agree(readable: RecurrentLayer, compiled: RecurrentLayer, lengths: torch.Tensor | None,
                        dtype: torch.dtype = F64, steps: int = T, **tolerance: float) -> None:
    """Outputs, final state, and gradients of the input, the initial state and every parameter."""
    x = torch.randn(B, steps, D, dtype=dtype, requires_grad=True)
    state = random_state(readable, dtype)
    assert compiled.backend_for(x) == "compiled" and readable.backend_for(x) == "readable"
    out_r, final_r = readable(x, state, lengths=lengths)
    out_c, final_c = compiled(x, state, lengths=lengths)
    assert_close(out_c, out_r, **tolerance)
    assert_close(final_c, final_r, **tolerance)
    probes = [torch.randn_like(out_r), *(torch.randn_like(part) for part in final_r)]
    grads_r = torch.autograd.grad([out_r, *final_r], [x, *state, *readable.parameters()], probes)
    grads_c = torch.autograd.grad([out_c, *final_c], [x, *state, *compiled.parameters()], probes)
    assert_close(grads_c, grads_r, **tolerance)


@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["uni", "bi"])
@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("cell", CELLS)
def test_compiled_equals_readable(core, cell, num_layers, bidirectional, with_lengths):
    """Reference: the readable backend (the loop over time) with the same state_dict, float64, to 1e-10."""
    readable, compiled = twin_layers(cell, num_layers=num_layers, bidirectional=bidirectional)
    assert_layers_agree(readable, compiled, LENGTHS if with_lengths else None, **EXACT)


@pytest.mark.parametrize("cell", CELLS)
def test_compiled_float32_equals_readable(core, cell):
    """Reference: the readable backend in float32. The core's float32 exp, σ and tanh are its own
    (csrc/activations.h, within 2e-7 of libm's), so the tolerance is float32's, 1e-5 relative."""
    readable, compiled = twin_layers(cell, torch.float32, num_layers=2, bidirectional=True)
    assert_layers_agree(readable, compiled, LENGTHS, torch.float32, steps=T, **FLOAT32)


@pytest.mark.parametrize("cell", CELLS)
def test_compiled_inference_equals_readable(core, cell):
    """Reference: the readable backend; without gradients the core saves nothing, and computes the same."""
    readable, compiled = twin_layers(cell, num_layers=2, bidirectional=True, dropout=0.5)
    readable.eval()
    compiled.eval()
    x = torch.randn(B, T, D, dtype=F64)
    with torch.inference_mode():
        out_r, final_r = readable(x, lengths=LENGTHS)
        out_c, final_c = compiled(x, lengths=LENGTHS)
    assert_close(out_c, out_r, **EXACT)
    assert_close(final_c, final_r, **EXACT)


@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_min_cells_stay_equal_over_4096_steps(core, cell):
    """Reference: the readable loop in float64 on the same weights. The compiled float32 loop computes the
    same recurrence step by step (no log-space scan), so its error does not grow with T: measured 1e-7."""
    readable, compiled = twin_layers({"cell": cell}, F64)
    compiled = compiled.float()
    x = torch.randn(2, 4096, D, dtype=F64)
    with torch.no_grad():
        exact, _ = readable(x)
        approx, _ = compiled(x.float())
    assert_close(approx.double(), exact, rtol=1e-5, atol=1e-5)


def test_padding_never_reaches_the_results(core):
    """Reference: the same batch with finite padding. NaN past a sequence's end changes nothing: not the
    outputs (zero there), not the final state, not the weight gradients."""
    _, compiled = twin_layers({"cell": "gru"}, num_layers=2, bidirectional=True)
    x = torch.randn(B, T, D, dtype=F64)
    poisoned = x.clone()
    for b, length in enumerate(LENGTHS.tolist()):
        poisoned[b, length:] = float("nan")
    results = []
    for inputs in (x, poisoned):
        compiled.zero_grad()
        out, final = compiled(inputs, lengths=LENGTHS)
        (out.sum() + final.h.sum()).backward()
        results.append((out, final.h, [p.grad.clone() for p in compiled.parameters()]))
    assert_close(results[1], results[0], rtol=0, atol=0)
