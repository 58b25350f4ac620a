"""The parallel scan against the sequential recurrence: the scan module alone, and the min* layers on
backend='scan' against their readable loop (which tests/models/cells proves equal to the equations)."""

import pytest
import torch
from torch import Tensor
from torch.testing import assert_close

from rnnlab.models.cells import HiddenState
from rnnlab.models.recurrent import RecurrentConfig, RecurrentLayer
from rnnlab.models.scan import CHUNK, linear_recurrence

F64 = torch.float64


def sequential(log_a: Tensor, log_b: Tensor, h0: Tensor) -> Tensor:
    """The reference: h_t = a_t h_{t−1} + b_t, one step at a time."""
    a, b, h, outputs = log_a.exp(), log_b.exp(), h0, []
    for a_t, b_t in zip(a.unbind(1), b.unbind(1)):
        h = a_t * h + b_t
        outputs.append(h)
    return torch.stack(outputs, dim=1)


def coefficients(B: int, T: int, H: int, dtype: torch.dtype = F64, scale: float = 1.0) -> list[Tensor]:
    """log a = log σ(k) (a decay in (0, 1)), log b of either size, h0 of either sign; all take gradients."""
    log_a = torch.nn.functional.logsigmoid(scale * torch.randn(B, T, H, dtype=dtype))
    log_b = torch.randn(B, T, H, dtype=dtype)
    h0 = torch.randn(B, H, dtype=dtype)
    return [t.requires_grad_() for t in (log_a, log_b, h0)]


def assert_scan_equals_sequential(inputs: list[Tensor], chunk: int = CHUNK, **tolerance: float) -> None:
    """Forward, and the gradients w.r.t. log a, log b and h0 for a random probe."""
    ours, theirs = linear_recurrence(*inputs, chunk=chunk), sequential(*inputs)
    assert_close(ours, theirs, **tolerance)
    probe = torch.randn_like(theirs)
    assert_close(torch.autograd.grad(ours, inputs, probe), torch.autograd.grad(theirs, inputs, probe), **tolerance)


@pytest.mark.parametrize("T, chunk", [(1, CHUNK), (6, CHUNK), (6, 1), (6, 4), (300, CHUNK), (513, CHUNK), (100, 7)])
def test_scan_equals_the_sequential_recurrence(T, chunk):
    """Reference: `sequential`, float64: lengths below, at and across chunk boundaries, and one-step chunks."""
    assert_scan_equals_sequential(coefficients(3, T, 4), chunk)


def test_scan_equals_the_sequential_recurrence_at_4096_steps():
    """Reference: `sequential` in float64 over 4096 steps (16 chunks): outputs and gradients agree to
    the default float64 tolerance (measured: largest error 1e-14 of the largest |h|, 7e-14 for gradients)."""
    assert_scan_equals_sequential(coefficients(2, 4096, 3))


def test_float32_scan_stays_close_over_4096_steps():
    """Reference: `sequential` in float64 on the same numbers. The float32 scan's relative error stays
    below 1e-4 (measured 2.5e-5 with chunks of 256; one scan over all 4096 steps reached 4e-4)."""
    log_a, log_b, h0 = (t.detach() for t in coefficients(4, 4096, 16))
    h0 = h0.abs()  # h > 0 throughout, so that the relative error is defined everywhere
    exact = sequential(log_a, log_b, h0)
    approx = linear_recurrence(log_a.float(), log_b.float(), h0.float()).double()
    assert ((approx - exact).abs() / exact).max() < 1e-4


def test_tiny_decays_and_large_values_stay_finite():
    """Reference: `sequential`, float64, for decays down to e^−200 per step and inputs b up to e^40: the
    log space never forms 1/a, so nothing overflows. Outputs agree elementwise; gradients (up to 1e15
    here) agree relative to their norm, 1e-10 (an element decayed to 1e-80 has an absolute error that
    is a rounding of the large terms beside it, as in any float64 computation)."""
    log_a, log_b, h0 = coefficients(2, 700, 3, scale=60.0)
    with torch.no_grad():
        log_b.mul_(10)
    ours, theirs = linear_recurrence(log_a, log_b, h0), sequential(log_a, log_b, h0)
    assert_close(ours, theirs)
    probe = torch.randn_like(theirs)
    for mine, reference in zip(torch.autograd.grad(ours, [log_a, log_b, h0], probe),
                               torch.autograd.grad(theirs, [log_a, log_b, h0], probe)):
        assert torch.isfinite(mine).all()
        assert (mine - reference).norm() <= 1e-10 * reference.norm()


def test_bad_arguments_are_refused():
    log_a, log_b, h0 = coefficients(2, 5, 3)
    with pytest.raises(ValueError, match=r"must both be \(B, T, H\)"):
        linear_recurrence(log_a, log_b[:, :4], h0)
    with pytest.raises(ValueError, match="chunk must be at least 1, got 0"):
        linear_recurrence(log_a, log_b, h0, chunk=0)


def layer_pair(cell: str, D: int, H: int, **kwargs: object) -> tuple[RecurrentLayer, RecurrentLayer]:
    """The same weights on backend='scan' and backend='readable', float64."""
    scan = RecurrentLayer(RecurrentConfig(cell, D, H, backend="scan", **kwargs)).double()  # type: ignore[arg-type]
    readable = RecurrentLayer(RecurrentConfig(cell, D, H, backend="readable", **kwargs)).double()  # type: ignore[arg-type]
    readable.load_state_dict(scan.state_dict())
    return scan, readable


@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_layer_scan_equals_stepping_at_4096_steps(cell):
    """Reference: the readable loop (one `cell.step` per step), float64, over 4096 steps from a random
    initial state: outputs, final state, and gradients of the input, the initial state and every weight."""
    scan, readable = layer_pair(cell, 3, 4)
    x = torch.randn(2, 4096, 3, dtype=F64, requires_grad=True)
    h0 = torch.randn(1, 2, 4, dtype=F64, requires_grad=True)
    out, final = scan(x, HiddenState(h0))
    out_ref, final_ref = readable(x, HiddenState(h0))
    assert_close(out, out_ref)
    assert_close(final.h, final_ref.h)
    inputs = [x, h0, *scan.parameters()]
    probes = [torch.randn_like(out), torch.randn_like(final.h)]
    ours = torch.autograd.grad([out, final.h], inputs, probes)
    theirs = torch.autograd.grad([out_ref, final_ref.h], [x, h0, *readable.parameters()], probes)
    assert_close(ours, theirs)


@pytest.mark.parametrize("cell", ["mingru", "minlstm"])
def test_scan_runs_where_asked_and_readable_where_observed(cell):
    """Reference: RecurrentLayer.backend_for's rule: 'scan' as configured, but the readable loop under an
    observer (diagnostics see every step), with the gates recomputed from each view equal to `gates`."""
    scan, _ = layer_pair(cell, 3, 4)
    x = torch.randn(2, 5, 3, dtype=F64)
    assert scan.backend_for(x) == "scan"
    views = []
    with scan.observing(views.append):
        assert scan.backend_for(x) == "readable"
        out, _ = scan(x)
    assert len(views) == 5
    cell_0 = scan.cell_stack[0]
    for view in views:
        assert_close(cell_0.gates_from_projection(view.x_proj, view.before),
                     cell_0.gates(x[:, view.t], view.before))
        assert_close(view.after.h, out[:, view.t])


@pytest.mark.parametrize("cell", ["mingru", "minlstm", "indrnn"])
def test_without_the_core_auto_runs_the_readable_loop_on_the_cpu(cell, monkeypatch):
    """Reference: auto_backend.torch_backend's rule, from benchmarks/results/scan-cpu-2core.md, which `auto`
    follows where the compiled core is unavailable: on the CPU one thread runs the readable loop faster than
    the scan at every length measured, single steps included. (On CUDA: the scan, benchmarks/gpu_scan.py.)"""
    monkeypatch.setattr(RecurrentLayer, "_compiled_runs", lambda self, x: False)
    layer = RecurrentLayer(RecurrentConfig(cell, 3, 4))  # type: ignore[arg-type]
    for steps in (1, 2, 100):
        x = torch.randn(2, steps, 3)
        assert layer.backend_for(x) == "readable"
        assert not layer.uses_fused(x)
