"""Figures for gradient flow, the recurrent Jacobian and the memory horizon: one line (colour) per model.

Each function takes records and a path, writes one PNG there and returns the path. As in
`plots_training.py`, figures are drawn on matplotlib's Agg canvas directly: no display is needed, and a
notebook's own backend is left alone (no global `matplotlib.use`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes

from rnnlab.diagnostics.figures import new_figure, save, spans_decades, title
from rnnlab.diagnostics.gradients import GradientFlow, GradientNorms
from rnnlab.diagnostics.jacobian import JacobianSpectrum
from rnnlab.diagnostics.memory import MemoryCurve, Sensitivity

DECADES_FOR_LOG = 1.0  # an axis goes logarithmic when its positive values span more than this


def plot_gradient_flow(flows: Sequence[GradientFlow], path: Path | str, setting: str | None = None) -> Path:
    """Left: ‖∂L/∂h_t‖ (solid) and the LSTM's ‖∂L/∂c_t‖ (dashed) against lag; right: ‖∂L/∂x_t‖. Log y.

    Records with the same label (one model over several seeds) are one line: the geometric mean over
    seeds, shaded between the smallest and largest seed. The legend gives the mean fitted factor per step.
    """
    _require(flows, "gradient flow")
    figure = new_figure(12.0, 4.8)
    state_ax, input_ax = figure.subplots(1, 2)
    groups: dict[str, list[GradientFlow]] = {}
    for flow in flows:
        groups.setdefault(flow.label, []).append(flow)
    for k, (label, group) in enumerate(groups.items()):
        _norm_band(state_ax, label, [f.hidden for f in group], f"C{k}", "-")
        cell_paths = [f.cell_state for f in group if f.cell_state is not None]
        if cell_paths:
            _norm_band(state_ax, label, cell_paths, f"C{k}", "--")
        _norm_band(input_ax, label, [f.inputs for f in group], f"C{k}", "-")
    for ax, what in ((state_ax, "‖∂L/∂h_t‖, ‖∂L/∂c_t‖"), (input_ax, "‖∂L/∂x_t‖")):
        ax.set_yscale("log")
        ax.set_xlabel("lag T−1−t (steps before the loss)")
        ax.set_ylabel(f"{what} (batch mean of L2 norms)")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize="small")
    state_ax.set_title("through the recurrent state (top layer; dashed: LSTM cell path)")
    input_ax.set_title("reaching the inputs (features or embeddings)")
    seeds = max(len(group) for group in groups.values())
    spread = f"; band: min-max over {seeds} seeds" if seeds > 1 else ""
    figure.suptitle(title(f"Gradient flow over time: loss at the last step, {_steps_and_batch(flows)}{spread}",
                          setting))
    return save(figure, path)


def plot_jacobian_spectra(spectra: Sequence[JacobianSpectrum], path: Path | str, setting: str | None = None) -> Path:
    """Left: σ_max(J_t) along the trajectory (dashed: the LSTM's h → h block alone), with σ = 1 marked;
    right: the spectrum σ_1 ≥ ... ≥ σ_S, median over steps with its 10-90 % band."""
    _require(spectra, "Jacobian spectrum")
    figure = new_figure(12.0, 4.8)
    step_ax, spectrum_ax = figure.subplots(1, 2)
    for k, one in enumerate(spectra):
        colour = f"C{k}"
        growth = "−∞" if one.growth_rate == -math.inf else f"{one.growth_rate:+.3f} (×{one.growth_factor:.3g})"
        step_ax.plot(range(one.steps), _positive(one.largest), color=colour, linewidth=1.0,
                     label=f"{one.label} ({one.state}): λ = {growth} per step over the last {one.window}")
        if one.state != "h":
            step_ax.plot(range(one.steps), _positive(one.largest_hidden), color=colour, linewidth=1.0,
                         linestyle="--", label=f"{one.label}: h → h block only")
        columns = list(zip(*one.singular_values))  # [k]: σ_k at every step
        rank = range(1, len(columns) + 1)
        spectrum_ax.plot(rank, _positive([_quantile(c, 0.5) for c in columns]), color=colour, marker=".",
                         label=f"{one.label} ({one.state}, S = {len(columns)})")
        spectrum_ax.fill_between(rank, _positive([_quantile(c, 0.1) for c in columns]),
                                 _positive([_quantile(c, 0.9) for c in columns]), color=colour, alpha=0.2)
    for ax in (step_ax, spectrum_ax):
        ax.axhline(1.0, color="grey", linestyle=":", linewidth=1.0, label="σ = 1: neither grows nor shrinks")
        ax.set_yscale("log")
        ax.grid(True, which="major", alpha=0.3)
        ax.legend(fontsize="small")
    step_ax.set_xlabel("step t")
    step_ax.set_ylabel("largest singular value σ_max(J_t)")
    step_ax.set_title("per step")
    spectrum_ax.set_xlabel("singular value index k (descending)")
    spectrum_ax.set_ylabel("σ_k(J_t): median over steps, 10-90 % band")
    spectrum_ax.set_title("whole spectrum")
    examples = ", ".join(sorted({f"example {one.example}, {one.steps} steps" for one in spectra}))
    figure.suptitle(title(f"Recurrent Jacobian J_t = ∂s_t/∂s_{{t−1}} along one trajectory ({examples})", setting))
    return save(figure, path)


def plot_memory_curves(curves: Sequence[MemoryCurve], path: Path | str, metric: str | None = None,
                       setting: str | None = None) -> Path:
    """`metric` against task length, filled markers where solved and hollow where not; a dashed vertical
    line at each model's effective memory length and the memoryless baseline dotted in grey.

    metric: default, the first metric the task gives a baseline for (adding: mse; copy: accuracy).
    """
    _require(curves, "memory curve")
    first = curves[0].points[0]
    metric = metric or next((name for name in first.baseline if name in first.metrics), next(iter(first.metrics)))
    if any(metric not in point.metrics for curve in curves for point in curve.points):
        raise ValueError(f"metric {metric!r} is missing at some length; choose one of {', '.join(first.metrics)}")
    all_lengths = sorted({p.length for curve in curves for p in curve.points})
    baseline = [(p.length, p.baseline[metric]) for p in curves[0].points if metric in p.baseline]
    values = [p.metrics[metric] for curve in curves for p in curve.points] + [v for _, v in baseline]
    log_y = spans_decades(values, DECADES_FOR_LOG)
    figure = new_figure(8.0, 4.8)
    ax = figure.add_subplot()
    for k, curve in enumerate(curves):
        colour = f"C{k}"
        lengths = [point.length for point in curve.points]
        values = [point.metrics[metric] for point in curve.points]
        ax.plot(lengths, _positive(values) if log_y else values, color=colour, linewidth=1.0,
                label=f"{curve.label}: {_memory_reach(curve)}")
        for length, value, point in zip(lengths, values, curve.points):
            ax.plot([length], [value], marker="o", markersize=7, color=colour,
                    markerfacecolor=colour if point.solved else "white")
        if curve.effective_length is not None:
            ax.axvline(curve.effective_length, color=colour, linestyle="--", linewidth=1.0)
    if baseline:
        ax.plot(*zip(*baseline), color="grey", linestyle=":", linewidth=1.2, label="memoryless baseline")
    ax.plot([], [], marker="o", linestyle="", color="black", label="solved")
    ax.plot([], [], marker="o", linestyle="", color="black", markerfacecolor="white", label="not solved")
    if spans_decades(all_lengths, DECADES_FOR_LOG):
        ax.set_xscale("log")
    ax.set_xticks(all_lengths, [str(length) for length in all_lengths])
    ax.minorticks_off()
    if log_y:
        ax.set_yscale("log")
    ax.set_xlabel("task length or delay (steps)")
    ax.set_ylabel(f"test {metric}")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    task = first.task.rsplit("-", 1)[0]
    evaluated = "test set" if curves[0].batch_size is None else f"{curves[0].batch_size} sequences"
    ax.set_title(title(f"Memory horizon on {task}: {metric} by length ({evaluated}, seed {curves[0].seed})",
                        setting))
    return save(figure, path)


def plot_input_sensitivity(sensitivities: Sequence[Sensitivity], path: Path | str,
                           setting: str | None = None) -> Path:
    """‖∂y_T/∂x_t‖ / its maximum against lag on a log axis; the threshold dotted, each horizon dashed."""
    _require(sensitivities, "input sensitivity")
    figure = new_figure(8.0, 4.8)
    ax = figure.add_subplot()
    for k, one in enumerate(sensitivities):
        colour = f"C{k}"
        reach = "ignores the input" if one.horizon is None else f"horizon {one.horizon} steps"
        if one.horizon == one.steps - 1:
            reach += " (whole sequence)"
        ax.plot(range(one.steps), _positive(one.sensitivity), color=colour, linewidth=1.0,
                label=f"{one.label}: {reach}")
        if one.horizon is not None:
            ax.axvline(one.horizon, color=colour, linestyle="--", linewidth=1.0)
    thresholds = sorted({one.threshold for one in sensitivities})
    for threshold in thresholds:
        ax.axhline(threshold, color="grey", linestyle=":", linewidth=1.2, label=f"threshold {threshold:g} of the peak")
    ax.set_yscale("log")
    ax.set_xlabel("lag T−1−t (steps before the last output)")
    ax.set_ylabel("‖∂y_T/∂x_t‖_F / max over t (batch mean)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(title(f"Input sensitivity of the last output, {_steps_and_batch(sensitivities)}", setting))
    return save(figure, path)


def _memory_reach(curve: MemoryCurve) -> str:
    if curve.effective_length is None:
        return "solved at no tested length"
    failed_longer = [p.length for p in curve.points if not p.solved and p.length > curve.effective_length]
    return f"solved up to {curve.effective_length}" + (f", not at {failed_longer[0]}" if failed_longer else "")


def _norm_band(ax: Axes, label: str, series: Sequence[GradientNorms], colour: str, style: str) -> None:
    """The geometric mean of the series (one per seed) as a line, their min-max as a band."""
    length = min(len(one.norms) for one in series)
    columns = [[one.norms[lag] for one in series] for lag in range(length)]
    middle = [math.exp(sum(math.log(v) for v in column) / len(column)) if all(math.isfinite(v) and v > 0
              for v in column) else math.nan for column in columns]
    factors = [one.factor for one in series if one.factor is not None]
    fit = f"×{math.exp(sum(math.log(f) for f in factors) / len(factors)):.3g} per step" if factors else "no fit"
    ax.plot(range(length), _positive(middle), color=colour, linestyle=style, linewidth=1.2,
            label=f"{label}, ∂L/∂{series[0].quantity}: {fit}")
    if len(series) > 1:
        ax.fill_between(range(length), _positive([min(column) for column in columns]),
                        _positive([max(column) for column in columns]), color=colour, alpha=0.15, linewidth=0)


def _steps_and_batch(records: Sequence[GradientFlow] | Sequence[Sensitivity]) -> str:
    steps = ", ".join(str(s) for s in sorted({r.steps for r in records}))
    batch = ", ".join(str(b) for b in sorted({r.batch_size for r in records}))
    return f"T = {steps}, batch mean over B = {batch}"


def _positive(values: Sequence[float]) -> list[float]:
    """NaN where a log axis cannot draw (zero, negative, inf), so the line breaks instead of warning."""
    return [v if math.isfinite(v) and v > 0 else math.nan for v in values]


def _quantile(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _require(records: Sequence[object], what: str) -> None:
    if not records:
        raise ValueError(f"nothing to plot: give at least one {what} record")
