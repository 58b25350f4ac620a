"""What `rnnlab diagnose` measures on each model (`ModelProbes`, filled by compare/diagnose.py) and writes from
it: the figures, and the headline numbers per model (mean, sample sd and per-seed values) that go into
diagnostics.json."""

from __future__ import annotations

import dataclasses
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rnnlab.diagnostics.gates import GateStatistics, GateTrajectory
from rnnlab.diagnostics.gradients import GradientFlow
from rnnlab.diagnostics.jacobian import JacobianSpectrum
from rnnlab.diagnostics.memory import MemoryCurve, Sensitivity
from rnnlab.diagnostics.plots_gradients import (
    plot_gradient_flow,
    plot_input_sensitivity,
    plot_jacobian_spectra,
    plot_memory_curves,
)
from rnnlab.diagnostics.plots_training import plot_gate_activity, plot_gate_trajectory, plot_keep_gate_histogram


@dataclass
class ModelProbes:
    """Everything measured on one model with one seed."""

    model: str
    seed: int
    gradients: dict[str, GradientFlow] = field(default_factory=dict)  # "init", "trained"
    decay_during_training: list[tuple[int, float | None]] = field(default_factory=list)  # (step, ln factor of h)
    jacobian: dict[str, JacobianSpectrum] = field(default_factory=dict)
    gates: dict[str, GateStatistics] = field(default_factory=dict)
    gate_trajectory: GateTrajectory | None = None
    sensitivity: dict[str, Sensitivity] = field(default_factory=dict)
    memory: MemoryCurve | None = None
    result: dict[str, Any] | None = None  # the training summary (status, best metric, time to solve)


def write_probe_figures(probes: list[ModelProbes], out: Path, setting_line: Callable[[str | None], str]) -> list[Path]:
    """The probes' figures (PNG) in `out`, each captioned by `setting_line(when)` (when: init, trained or None)."""
    figures: list[Path] = []
    for when in ("init", "trained"):
        setting = setting_line(when)
        flows = [p.gradients[when] for p in probes if when in p.gradients]
        if flows:
            figures.append(plot_gradient_flow(flows, out / f"gradients-{when}.png", setting=setting))
        spectra = [p.jacobian[when] for p in probes if when in p.jacobian and p.seed == 0]
        if spectra:
            figures.append(plot_jacobian_spectra(spectra, out / f"jacobian-{when}.png", setting=setting))
        sensitivities = [p.sensitivity[when] for p in probes if when in p.sensitivity and p.seed == 0]
        if sensitivities:
            figures.append(plot_input_sensitivity(sensitivities, out / f"sensitivity-{when}.png",
                                                  setting=setting))
        for p in probes:
            if when in p.gates and p.seed == 0:
                figures.append(plot_gate_activity(p.gates[when], out / f"gates-{p.model}-{when}.png",
                                                  setting=f"{p.model}, {setting}"))
                figures.append(plot_keep_gate_histogram(p.gates[when], out / f"keep-gate-{p.model}-{when}.png",
                                                        setting=f"{p.model}, {setting}"))
    setting = setting_line(None)
    for p in probes:
        if p.gate_trajectory is not None and p.gate_trajectory.snapshots and p.seed == 0:
            figures.append(plot_gate_trajectory(p.gate_trajectory, out / f"gates-{p.model}-training.png",
                                                setting=f"{p.model}, {setting}"))
    curves = [p.memory for p in probes if p.memory is not None and p.seed == 0]
    if curves:
        figures.append(plot_memory_curves(curves, out / "memory.png", setting=setting))
    return figures


def numbers(probes: list[ModelProbes]) -> dict[str, Any]:
    """Per model: the headline numbers, each as mean and per-seed values."""
    table: dict[str, Any] = {}
    for name in dict.fromkeys(p.model for p in probes):
        mine = [p for p in probes if p.model == name]
        row: dict[str, Any] = {}
        for when in ("init", "trained"):
            flows = [p.gradients[when] for p in mine if when in p.gradients]
            if flows:
                row[f"gradients_{when}"] = {
                    "h_factor_per_step": _spread([f.hidden.factor for f in flows]),
                    "h_vanish_lag": [f.hidden.vanish_lag for f in flows],
                    "c_factor_per_step": _spread([f.cell_state.factor if f.cell_state else None for f in flows]),
                    "c_vanish_lag": [f.cell_state.vanish_lag if f.cell_state else None for f in flows],
                    "x_factor_per_step": _spread([f.inputs.factor for f in flows]),
                }
            spectra = [p.jacobian[when] for p in mine if when in p.jacobian]
            if spectra:
                row[f"jacobian_{when}"] = {
                    "largest_singular_value_median": _spread([statistics.median(s.largest) for s in spectra]),
                    "growth_factor_per_step": _spread([s.growth_factor for s in spectra]),
                }
            sens = [p.sensitivity[when] for p in mine if when in p.sensitivity]
            if sens:
                row[f"sensitivity_horizon_{when}"] = [s.horizon for s in sens]
            gates = [p.gates[when] for p in mine if when in p.gates]
            if gates:
                row[f"gates_{when}"] = [_gate_headline(g) for g in gates]
        memories = [p.memory for p in mine if p.memory is not None]
        if memories:
            row["effective_memory_length"] = [m.effective_length for m in memories]
            row["memory_curves"] = [m.to_json() for m in memories]
        results = [p.result for p in mine if p.result is not None]
        if results:
            row["training"] = results
        decay = [p.decay_during_training for p in mine if p.decay_during_training]
        if decay:
            row["h_log_factor_during_training"] = decay
        table[name] = row
    return table


def _gate_headline(stats: GateStatistics) -> dict[str, float]:
    cell = stats.cells[-1] if stats.cells else None
    if cell is None:
        return {}
    keep = cell.gate(stats.keep_gate)
    saturated = [g.saturated for g in cell.gates]
    return {f"mean_{stats.keep_gate}": keep.mean, f"saturated_{stats.keep_gate}": keep.saturated,
            "saturated_all_gates": sum(saturated) / len(saturated)}


def _spread(values: list[float | None]) -> dict[str, Any]:
    finite = [v for v in values if v is not None and math.isfinite(v)]
    mean = statistics.mean(finite) if finite else None
    sd = statistics.stdev(finite) if len(finite) > 1 else None
    return {"mean": mean, "sd": sd, "per_seed": values}


def json_default(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    return str(value)
