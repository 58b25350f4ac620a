"""The benchmark cases: every one builds a module with the shared call, and the baselines are right."""

import pytest
import torch
from torch import nn

from rnnlab.bench.cases import CELLS, KNOWN_CELLS, TorchCellLoop, cases_for, what_runs
from rnnlab.bench.shapes import BenchShape
from rnnlab.models.recurrent import RecurrentLayer

SEQUENCE = BenchShape("seq", batch=3, time=5, input_size=4, hidden_size=8)
SINGLE_STEP = BenchShape("step", batch=2, time=1, input_size=4, hidden_size=8)


@pytest.mark.parametrize("shape", [SEQUENCE, SINGLE_STEP], ids=lambda s: s.name)
def test_every_case_maps_batch_time_features_to_hidden(shape):
    """Reference: the shared call, forward(x (B, T, D)) -> outputs (B, T, H) or (outputs, state)."""
    cases = cases_for(shape, KNOWN_CELLS)
    assert {case.cell for case in cases} == set(KNOWN_CELLS)
    for case in cases:
        result = case.build()(torch.randn(shape.batch, shape.time, shape.input_size))
        outputs = result[0] if isinstance(result, tuple) else result
        assert outputs.shape == (shape.batch, shape.time, shape.hidden_size), case.name
        assert case.forward_flops is not None and case.forward_flops > 0


def test_each_cell_has_one_torch_baseline():
    names = [case.name for case in cases_for(SEQUENCE, CELLS)]
    assert names == ["rnn/readable", "rnn/fused", "rnn/compiled", "rnn/auto", "rnn/torch", "lstm/readable",
                     "lstm/fused", "lstm/compiled", "lstm/auto", "lstm/torch", "gru/readable", "gru/fused",
                     "gru/compiled", "gru/auto", "gru/torch", "transformer/rnnlab", "transformer/torch"]


def test_cells_without_a_torch_twin_run_their_own_backends():
    """Reference: RecurrentConfig's rules: the scan and the compiled loop for mingru and minlstm, the readable
    loop alone for indrnn; torch.nn has none of them, so there is no torch case."""
    names = [case.name for case in cases_for(SEQUENCE, ("mingru", "minlstm", "indrnn"))]
    assert names == ["mingru/readable", "mingru/scan", "mingru/compiled", "mingru/auto", "minlstm/readable",
                     "minlstm/scan", "minlstm/compiled", "minlstm/auto", "indrnn/readable"]


def test_single_step_baseline_steps_a_cell():
    """At T = 1 plain PyTorch decodes with nn.LSTMCell, not nn.LSTM (PERFORMANCE.md: 3.5-5x faster)."""
    torch_case = next(case for case in cases_for(SINGLE_STEP, ("lstm",)) if case.implementation == "torch")
    assert isinstance(torch_case.build(), TorchCellLoop)
    assert torch_case.runs == "LSTMCell stepped"


def test_cell_loop_equals_nn_lstm():
    """Reference: nn.LSTM over the sequence, its weights copied into the nn.LSTMCell being stepped."""
    lstm = nn.LSTM(4, 8, batch_first=True)
    cell = nn.LSTMCell(4, 8)
    cell.load_state_dict({name.removesuffix("_l0"): value for name, value in lstm.state_dict().items()})
    x = torch.randn(3, 5, 4)
    torch.testing.assert_close(TorchCellLoop(cell)(x), lstm(x)[0])


def test_auto_names_its_choice():
    """Reference: RecurrentLayer.backend_for, whatever rule it follows, for the same module and input."""
    x = torch.randn(SEQUENCE.batch, SEQUENCE.time, SEQUENCE.input_size)
    for case in cases_for(SEQUENCE, ("rnn", "lstm", "gru", "mingru", "minlstm")):
        module = case.build()
        if case.implementation == "auto":
            assert what_runs(case, module, x) == f"auto → {module.backend_for(x)}"
        elif not isinstance(module, RecurrentLayer) or module.backend_for(x) == case.implementation:
            assert what_runs(case, module, x) == case.runs
        else:  # `compiled` where the core could not be built: the label says what ran instead
            assert what_runs(case, module, x) == f"{case.implementation} → {module.backend_for(x)}"
