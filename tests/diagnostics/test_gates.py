"""Gate statistics: known answers from saturated and zeroed cells, against stepping the cell by hand,
counts that must add up, the cell layout of a stack, the errors, and the plots."""

import json
import math

import pytest
import torch

from rnnlab.diagnostics.gates import GateStatistics, GateTrajectory, gate_statistics
from rnnlab.diagnostics.plots_training import plot_gate_activity, plot_gate_trajectory, plot_keep_gate_histogram
from rnnlab.models.registry import ModelConfig, build_model
from rnnlab.models.sequence import IOSpec, SequenceModel

B, T, D, H = 3, 5, 2, 4
IO = IOSpec(input_size=D, output_size=1)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def make_model(name: str, **kwargs) -> SequenceModel:
    return build_model(ModelConfig(name, hidden_size=H, **kwargs), IO).double()


def inputs(batch_size: int = B, steps: int = T) -> torch.Tensor:
    return torch.randn(batch_size, steps, D, dtype=torch.float64)


def set_gate_biases(model: SequenceModel, value: float) -> None:
    """Every gate's total bias b_ih + b_hh to `value`."""
    with torch.no_grad():
        for cell in model.core.cells:
            cell.x_to_gates.bias.fill_(value)
            cell.h_to_gates.bias.zero_()


@pytest.mark.parametrize("name", ["lstm", "gru"])
@pytest.mark.parametrize("bias", [50.0, -50.0])
def test_huge_biases_saturate_every_gate(name: str, bias: float) -> None:
    """Reference: σ(±50) and tanh(±50) are 0 or ±1 to double precision, and weights of size 1/√H
    on unit inputs cannot move a pre-activation of ±50 far, so every value is saturated."""
    model = make_model(name)
    set_gate_biases(model, bias)
    stats = gate_statistics(model, inputs())
    for gate in stats.cells[0].gates:
        assert gate.saturated == 1.0, gate.name
        assert gate.saturated_per_step == (1.0,) * T
    keep = stats.cells[0].keep_histogram
    assert (keep[-1] if bias > 0 else keep[0]) == stats.values_per_gate == B * T * H


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_zero_weights_leave_every_gate_half_open(name: str) -> None:
    """Reference: with all weights and biases zero, σ(0) = 0.5 and tanh(0) = 0, nowhere near saturation."""
    model = make_model(name)
    with torch.no_grad():
        for p in model.core.parameters():
            p.zero_()
    stats = gate_statistics(model, inputs())
    for gate in stats.cells[0].gates:
        expected = 0.0 if gate.name in ("g", "n") else 0.5
        assert gate.saturated == 0.0
        assert gate.mean == expected and gate.mean_per_step == (expected,) * T
    counts = stats.cells[0].keep_histogram
    (full,) = [k for k, count in enumerate(counts) if count]
    assert counts[full] == B * T * H
    assert stats.bin_edges[full] <= 0.5 <= stats.bin_edges[full + 1]


def test_means_match_stepping_the_cell_by_hand() -> None:
    """Reference: the cell's public `gates(x, state)` and `forward`, stepped by hand over the sequence."""
    model = make_model("lstm")
    x = inputs()
    stats = gate_statistics(model, x)
    cell = model.core.cell_stack[0]
    state = cell.initial_state(B, dtype=torch.float64)
    with torch.no_grad():
        for t in range(T):
            gates = cell.gates(x[:, t], state)
            for name, values in gates._asdict().items():
                activity = stats.cells[0].gate(name)
                assert activity.mean_per_step[t] == pytest.approx(float(values.mean()), rel=1e-12)
                near_end = (values < -0.95) | (values > 0.95) if name == "g" else (values < 0.05) | (values > 0.95)
                assert activity.saturated_per_step[t] == float(near_end.double().mean())
            _, state = cell(x[:, t], state)


def test_gru_update_gate_histogram_counts_every_value() -> None:
    """Reference: B · T · H values per cell without lengths; sum(lengths) · H with them."""
    model = make_model("gru")
    stats = gate_statistics(model, inputs())
    assert stats.keep_gate == "z" and [a.name for a in stats.cells[0].gates] == ["r", "z", "n"]
    assert sum(stats.cells[0].keep_histogram) == stats.values_per_gate == B * T * H
    lengths = torch.tensor([5, 2, 3])
    stats = gate_statistics(model, inputs(), lengths)
    assert sum(stats.cells[0].keep_histogram) == stats.values_per_gate == 10 * H


def test_padding_steps_are_left_out() -> None:
    """Reference: the same sequence run alone, cut at its length. Steps no sequence reaches are NaN."""
    model = make_model("gru")
    x = inputs(batch_size=1)
    cut = gate_statistics(model, x[:, :3])
    padded = gate_statistics(model, torch.cat([x[:, :3], 100 * torch.ones(1, 2, D, dtype=torch.float64)], 1),
                             torch.tensor([3]))
    for name in ("r", "z", "n"):
        assert padded.cells[0].gate(name).mean_per_step[:3] == pytest.approx(cut.cells[0].gate(name).mean_per_step)
        assert padded.cells[0].gate(name).mean == pytest.approx(cut.cells[0].gate(name).mean)
        assert all(math.isnan(m) for m in padded.cells[0].gate(name).mean_per_step[3:])


def test_bidirectional_two_layer_lstm_reports_four_cells() -> None:
    """Reference: PyTorch's order, layer 0 forward, layer 0 backward, layer 1 forward, layer 1 backward."""
    model = make_model("lstm", num_layers=2, bidirectional=True)
    model.train()
    stats = gate_statistics(model, inputs())
    assert [(c.cell_index, c.layer, c.direction) for c in stats.cells] == [(0, 0, 0), (1, 0, 1), (2, 1, 0), (3, 1, 1)]
    assert all([a.name for a in c.gates] == ["i", "f", "g", "o"] for c in stats.cells)
    assert model.training  # put back as it was
    snapshot = stats.snapshot(step=100)
    assert snapshot.mean["f"] == tuple(c.gate("f").mean for c in stats.cells)
    json.dumps(stats.to_json())
    json.dumps(GateTrajectory("lstm", (snapshot,)).to_json())


@pytest.mark.parametrize("name", ["rnn", "irnn", "transformer"])
def test_models_without_gates_raise(name: str) -> None:
    model = build_model(ModelConfig(name, hidden_size=H, num_heads=2), IO)
    with pytest.raises(ValueError, match="gate statistics need an LSTM or GRU"):
        gate_statistics(model, torch.randn(B, T, D))


def gate_run(name: str) -> tuple[GateStatistics, GateTrajectory]:
    model = make_model(name, num_layers=2)
    snapshots = []
    for step in (0, 100, 200):
        with torch.no_grad():
            for cell in model.core.cells:
                cell.x_to_gates.bias.add_(0.5)  # stands in for training
        snapshots.append(gate_statistics(model, inputs()).snapshot(step))
    return gate_statistics(model, inputs()), GateTrajectory(name, tuple(snapshots))


@pytest.mark.parametrize("name", ["lstm", "gru"])
def test_plots_write_pngs(name: str, tmp_path) -> None:
    """Reference: the PNG file signature."""
    stats, trajectory = gate_run(name)
    for plot in (plot_gate_activity, plot_keep_gate_histogram):
        path = plot(stats, tmp_path / f"{plot.__name__}.png", setting="adding task, T=5")
        assert path.read_bytes().startswith(PNG_SIGNATURE)
    path = plot_gate_trajectory(trajectory, tmp_path / "trajectory.png")
    assert path.read_bytes().startswith(PNG_SIGNATURE)
