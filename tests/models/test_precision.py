"""bfloat16 autocast with float32 recurrences (models/precision.py): under autocast the large products may
run in bfloat16, but every backend's state, update and gradients stay float32."""

import warnings

import pytest
import torch
from torch.testing import assert_close

from rnnlab.models import RecurrentConfig, RecurrentLayer
from rnnlab.models import precision as module
from rnnlab.models.compiled import core_status
from rnnlab.models.precision import Bf16Support, autocast, bf16_support, full_precision

B, T, D, H = 4, 6, 3, 5
CPU = torch.device("cpu")
BF16 = {"rtol": 3e-2, "atol": 3e-2}  # the input projection rounded to bfloat16 (8 bits of mantissa)

BACKENDS = [("rnn", "readable"), ("rnn", "fused"), ("rnn", "compiled"), ("lstm", "readable"), ("lstm", "fused"),
            ("lstm", "compiled"), ("gru", "compiled"), ("mingru", "readable"), ("mingru", "scan"),
            ("mingru", "compiled"), ("minlstm", "compiled")]


@pytest.fixture(autouse=True)
def _quiet_emulation_warning():
    """bf16 on a CPU without bf16 units warns once per process; these tests are about results."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "precision 'bf16' on a device without bf16 units")
        yield


@pytest.mark.parametrize("cell, backend", BACKENDS, ids=lambda value: value)
def test_recurrences_stay_float32_under_bf16_autocast(cell, backend):
    """Reference: the same layer in float32 without autocast: outputs within bfloat16's rounding of the
    projection, and float32 outputs, states and gradients (no bfloat16 state ever reaches the loop)."""
    if backend == "compiled" and core_status().library is None:
        pytest.skip(f"the compiled core cannot be built here: {core_status().reason}")
    layer = RecurrentLayer(RecurrentConfig(cell, D, H, num_layers=2, backend=backend))  # type: ignore[arg-type]
    x = torch.randn(B, T, D)
    reference, reference_state = layer(x)
    with autocast("bf16", CPU):
        outputs, state = layer(x)
    assert outputs.dtype == torch.float32 and all(part.dtype == torch.float32 for part in state)
    assert_close(outputs, reference, **BF16)
    assert_close(state, reference_state, **BF16)
    outputs.sum().backward()
    assert all(p.grad is not None and p.grad.dtype == torch.float32 for p in layer.parameters())


def test_fp32_is_no_autocast_and_full_precision_turns_it_off():
    with autocast("fp32", CPU):
        assert not torch.is_autocast_enabled("cpu")
    with autocast("bf16", CPU):
        assert torch.is_autocast_enabled("cpu")
        with full_precision("cpu"):
            assert not torch.is_autocast_enabled("cpu")
        assert torch.is_autocast_enabled("cpu")
    with pytest.raises(ValueError, match="unknown precision 'fp16'"):
        autocast("fp16", CPU)  # type: ignore[arg-type]


def test_bf16_support_says_what_the_cpu_has():
    """Reference: torch.backends.cpu.get_cpu_capability() and positive rates from the GEMM probe."""
    support = bf16_support("cpu")
    assert support.capability == torch.backends.cpu.get_cpu_capability()
    assert support.fp32_gflops > 0 and support.bf16_gflops > 0
    assert support.capability in support.describe() and ("no bf16 units" in support.describe()) != support.native


@pytest.mark.parametrize("native", [False, True])
def test_emulated_bf16_is_said_once(native, monkeypatch):
    """Reference: autocast's contract: one warning per process where bfloat16 is emulated, none where the
    device has bf16 units."""
    monkeypatch.setattr(module, "bf16_support", lambda device: Bf16Support("cpu", "AVX2", native, 70.0, 1.0))
    monkeypatch.setattr(module, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(2):
            with autocast("bf16", CPU):
                pass
    assert len(caught) == (0 if native else 1)
