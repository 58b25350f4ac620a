"""Gate statistics of an LSTM or GRU: how open each gate is at each step, how often it is saturated,
and how the keep gate's values spread, read from the very code the model runs.

    stats = gate_statistics(model, batch.inputs, batch.lengths)
    stats.cells[0].gate("f").mean_per_step        # mean forget gate at each step, cell 0
    snapshots.append(stats.snapshot(step))        # during training, e.g. at every evaluation
    GateTrajectory("lstm", tuple(snapshots))

A gate is saturated where its value lies within `SATURATION_MARGIN` (0.05) of an end of its range:
below 0.05 or above 0.95 for the sigmoid gates (LSTM i, f, o; GRU r, z), |value| > 0.95 for the
candidates in [−1, 1] (LSTM g, GRU n). A saturated gate passes almost no gradient through its
nonlinearity (σ' < 0.048, tanh' < 0.098 there). The keep gate, whose histogram is kept, is the one
that sets how much of the old memory survives a step: the LSTM forget gate f, the GRU update gate z
(PyTorch's form h' = (1 − z) ⊙ n + z ⊙ h). With `lengths`, padding steps are left out everywhere.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any, Literal

import torch
from torch import Tensor

from rnnlab.models.cells import GRUCell, LSTMCell
from rnnlab.models.recurrent import RecurrentLayer, StepView
from rnnlab.models.sequence import SequenceModel
from rnnlab.models.state import step_mask, validate_lengths

SATURATION_MARGIN = 0.05
KEEP_GATE = {"lstm": "f", "gru": "z"}
SIGNED_GATES = {"g", "n"}  # the candidates, tanh in [−1, 1]; every other gate is a sigmoid in [0, 1]


@dataclass(frozen=True)
class GateActivity:
    """One gate of one cell over a batch. Fractions and means are over (sequence, unit) pairs."""

    name: str
    low: float  # the gate's range: [0, 1] for sigmoid gates, [−1, 1] for the candidates
    high: float
    mean: float  # over all real steps
    saturated: float  # fraction of values within SATURATION_MARGIN of low or high, over all real steps
    mean_per_step: tuple[float, ...]  # (T,); NaN at a step no sequence reaches
    saturated_per_step: tuple[float, ...]  # (T,)


@dataclass(frozen=True)
class CellGates:
    """The gates of one cell of the stack."""

    cell_index: int  # layer · dirs + direction, PyTorch's order
    layer: int
    direction: int  # 0 forward, 1 backward (its step t reads the sequence's step L − 1 − t)
    gates: tuple[GateActivity, ...]
    keep_histogram: tuple[int, ...]  # counts of keep-gate values in the bins of `GateStatistics.bin_edges`;
    # they add up to `values_per_gate` unless some values are NaN (a diverged model), which no bin counts

    def gate(self, name: str) -> GateActivity:
        for activity in self.gates:
            if activity.name == name:
                return activity
        raise KeyError(f"no gate {name!r}; this cell has {', '.join(a.name for a in self.gates)}")


@dataclass(frozen=True)
class GateSnapshot:
    """The gates at one training step, in brief: means and saturated fractions per cell."""

    step: int  # training step
    keep_gate: str
    cell_labels: tuple[str, ...]  # e.g. "layer 0, backward", one per cell
    mean: dict[str, tuple[float, ...]]  # gate name -> mean activation, one per cell
    saturated: dict[str, tuple[float, ...]]  # gate name -> saturated fraction, one per cell

    def to_json(self) -> dict[str, Any]:
        return {"step": self.step, "keep_gate": self.keep_gate, "cell_labels": list(self.cell_labels),
                "mean": {name: list(values) for name, values in self.mean.items()},
                "saturated": {name: list(values) for name, values in self.saturated.items()}}


@dataclass(frozen=True)
class GateStatistics:
    """Gate activity of every cell of a model's recurrent stack on one batch."""

    cell: Literal["lstm", "gru"]
    keep_gate: str  # "f" (LSTM forget gate) or "z" (GRU update gate)
    batch_size: int
    steps: int  # T
    hidden_size: int
    values_per_gate: int  # per cell: real (sequence, step) pairs × hidden units
    bin_edges: tuple[float, ...]  # of the keep-gate histograms, on [0, 1]
    cells: tuple[CellGates, ...]  # PyTorch's order: layer 0 forward, layer 0 backward, layer 1 forward, ...

    def cell_label(self, cell: CellGates) -> str:
        bidirectional = any(other.direction for other in self.cells)
        return f"layer {cell.layer}" + ("" if not bidirectional else ", backward" if cell.direction else ", forward")

    def snapshot(self, step: int) -> GateSnapshot:
        names = [activity.name for activity in self.cells[0].gates]
        return GateSnapshot(step, self.keep_gate, tuple(self.cell_label(cell) for cell in self.cells),
                            {name: tuple(cell.gate(name).mean for cell in self.cells) for name in names},
                            {name: tuple(cell.gate(name).saturated for cell in self.cells) for name in names})

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class GateTrajectory:
    """How the gates of one model evolve over training: snapshots in order of training step."""

    label: str
    snapshots: tuple[GateSnapshot, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "snapshots": [snapshot.to_json() for snapshot in self.snapshots]}


class _Tally:
    """Running sums for one cell, filled step by step by the observer (nothing of size T·B·H is kept)."""

    def __init__(self, steps: int, bins: int) -> None:
        self.sums: dict[str, list[float]] = {}
        self.saturated: dict[str, list[float]] = {}
        self.counts = [0] * steps  # real values per gate at each step
        self.histogram = torch.zeros(bins, dtype=torch.float64)
        self.bins = bins

    def add(self, t: int, gates: dict[str, Tensor], keep: str, real: Tensor | None) -> None:
        for name, values in gates.items():  # values: (B, H)
            if real is not None:
                values = values[real]  # (B_real, H)
            low = -1.0 if name in SIGNED_GATES else 0.0
            near_end = (values < low + SATURATION_MARGIN) | (values > 1.0 - SATURATION_MARGIN)
            self.sums.setdefault(name, [0.0] * len(self.counts))[t] += float(values.double().sum())
            self.saturated.setdefault(name, [0.0] * len(self.counts))[t] += float(near_end.sum())
            if name == keep:
                self.histogram += torch.histc(values.double().cpu(), self.bins, 0.0, 1.0)
        self.counts[t] = gates[keep].numel() if real is None else int(real.sum()) * gates[keep].shape[-1]

    def activity(self, name: str) -> GateActivity:
        total = sum(self.counts)
        low = -1.0 if name in SIGNED_GATES else 0.0
        per_step = [(s / n if n else math.nan, z / n if n else math.nan)
                    for s, z, n in zip(self.sums[name], self.saturated[name], self.counts)]
        return GateActivity(name, low, 1.0, sum(self.sums[name]) / total, sum(self.saturated[name]) / total,
                            tuple(m for m, _ in per_step), tuple(z for _, z in per_step))


def gated_core(model: SequenceModel) -> RecurrentLayer:
    """The model's recurrent layer if its cells have gates; ValueError otherwise."""
    core = model.core
    if not isinstance(core, RecurrentLayer):
        raise ValueError(f"gate statistics need an LSTM or GRU; this model's core is a {type(core).__name__}")
    if core.config.cell not in KEEP_GATE:
        raise ValueError(f"gate statistics need an LSTM or GRU; this model's cells are {core.config.cell!r}, "
                         "which have no gates")
    return core


@torch.no_grad()
def gate_statistics(model: SequenceModel, inputs: Tensor, lengths: Tensor | None = None,
                    bins: int = 20) -> GateStatistics:
    """Run `model` on a batch in eval mode and tally every gate of every cell (see the module docstring).

    inputs: what the model takes, (B, T) tokens or (B, T, D) features; lengths: (B,) real steps.
    """
    core = gated_core(model)
    if bins < 1:
        raise ValueError(f"bins must be at least 1, got {bins}")
    cell_name: Literal["lstm", "gru"] = "lstm" if core.config.cell == "lstm" else "gru"
    keep = KEEP_GATE[cell_name]
    B, T = inputs.shape[:2]
    checked = validate_lengths(lengths, B, T)
    real = None if checked is None else step_mask(checked, T, inputs.device)  # (B, T)
    cells = core.cell_stack
    tallies = [_Tally(T, bins) for _ in cells]

    def observe(view: StepView) -> None:
        cell = cells[view.cell_index]
        assert isinstance(cell, LSTMCell | GRUCell)
        gates = cell.gates_from_projection(view.x_proj, view.before)  # type: ignore[arg-type]
        tallies[view.cell_index].add(view.t, gates._asdict(), keep, None if real is None else real[:, view.t])

    was_training = model.training
    model.eval()
    try:
        with core.observing(observe):
            model(inputs, None, lengths)
    finally:
        model.train(was_training)
    dirs = core.config.directions
    cell_gates = tuple(
        CellGates(k, k // dirs, k % dirs, tuple(tally.activity(name) for name in tally.sums),
                  tuple(int(count) for count in tally.histogram.round()))
        for k, tally in enumerate(tallies))
    edges = tuple(float(edge) for edge in torch.linspace(0.0, 1.0, bins + 1, dtype=torch.float64))
    return GateStatistics(cell_name, keep, B, T, core.config.hidden_size, sum(tallies[0].counts), edges,
                          cell_gates)
