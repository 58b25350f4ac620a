"""`auto`'s rule (models/auto_backend.py), with the compiled core present or not: the rule alone, then that
the layer follows it."""

import pytest
import torch

from rnnlab.models import RecurrentConfig, RecurrentLayer
from rnnlab.models.auto_backend import LSTM_ONEDNN_FROM_HIDDEN, auto_backend

D, H = 3, 8


def picks(cell: str, steps: int, core: bool, hidden: int = H, **options) -> str:
    config = RecurrentConfig(cell, D, hidden, **options)  # type: ignore[arg-type]
    return auto_backend(config, torch.randn(2, steps, D), lambda: core)


@pytest.mark.parametrize("cell", ["rnn", "gru", "lstm", "mingru", "minlstm"])
def test_sequences_on_the_cpu_run_the_compiled_core(cell):
    """Reference: benchmarks/results/compiled-cpu-2core.md: the core is the fastest backend of these cells at
    s1-s3 and T = 512-4096 (the LSTM up to H = 256)."""
    assert picks(cell, 50, core=True) == "compiled"


def test_wide_lstms_and_lstm_inference_run_onednn():
    """Reference: benchmarks/results/compiled-cpu-2core.md: at s5 (H = 512), and without gradients at every
    shape, oneDNN's LSTM kernel matched or beat the core; the GRU's core won there too."""
    assert picks("lstm", 50, core=True, hidden=LSTM_ONEDNN_FROM_HIDDEN) == "fused"
    assert picks("gru", 50, core=True, hidden=LSTM_ONEDNN_FROM_HIDDEN) == "compiled"
    config = RecurrentConfig("lstm", D, H)
    assert auto_backend(config, torch.randn(2, 50, D), lambda: True, gradients=False) == "fused"
    layer = RecurrentLayer(config)
    with torch.no_grad():
        assert layer.backend_for(torch.randn(2, 50, D)) == "fused"


@pytest.mark.parametrize("cell, expected", [("rnn", "fused"), ("lstm", "fused"), ("gru", "fused"),
                                            ("mingru", "readable"), ("minlstm", "readable")])
def test_a_single_step_runs_cell_kernels_or_the_readable_step(cell, expected):
    """Reference: the s4 rows of benchmarks/results/compiled-cpu-2core.md: nn.*Cell's kernels for a single
    step; minGRU/minLSTM's readable step beat a call into the core."""
    assert picks(cell, 1, core=True) == expected


@pytest.mark.parametrize("cell, expected", [("rnn", "fused"), ("lstm", "fused"), ("gru", "fused"),
                                            ("mingru", "readable"), ("minlstm", "readable"), ("indrnn", "readable")])
def test_without_the_core_the_earlier_rule_holds(cell, expected):
    """Reference: auto_backend.torch_backend (benchmarks/results/cpu-2core.md, scan-cpu-2core.md)."""
    assert picks(cell, 50, core=False) == expected


def test_options_no_kernel_has_run_readable():
    assert picks("lstm", 50, core=True, peephole=True) == "readable"


def test_the_layer_follows_the_rule(monkeypatch):
    """Reference: auto_backend, for the same config and input, whether or not the core runs here."""
    for core in (True, False):
        monkeypatch.setattr(RecurrentLayer, "_compiled_runs", lambda self, x, core=core: core)
        for cell in ("rnn", "lstm", "mingru"):
            layer = RecurrentLayer(RecurrentConfig(cell, D, H))  # type: ignore[arg-type]
            for steps in (1, 9):
                x = torch.randn(2, steps, D)
                assert layer.backend_for(x) == auto_backend(layer.config, x, lambda core=core: core)
                with torch.inference_mode():
                    assert layer.backend_for(x) == auto_backend(layer.config, x, lambda core=core: core, False)
