"""Figures for the training diagnostics: gradient norms, gates, stability across seeds.

Each function takes records and a path, writes one PNG there and returns the path. Figures are drawn on
matplotlib's Agg canvas directly, so no display is needed and a notebook's own backend is left alone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

from matplotlib.axes import Axes

from rnnlab.diagnostics.explode import GradientNormSeries, explosion_summary, spike_indices
from rnnlab.diagnostics.figures import new_figure, save, spans_decades, title
from rnnlab.diagnostics.gates import GateStatistics, GateTrajectory
from rnnlab.diagnostics.stability import StabilityRun, group_by_model, stability_summary

GATE_LABELS = {"i": "i (input)", "f": "f (forget)", "g": "g (candidate)", "o": "o (output)",
               "r": "r (reset)", "z": "z (update)", "n": "n (candidate)"}
KEEP_GATE_LABELS = {"f": "LSTM forget gate f", "z": "GRU update gate z"}
DECADES_FOR_LOG = 2.0  # a y axis goes logarithmic when its positive values span more than this


def plot_gradient_norms(series: Sequence[GradientNormSeries], path: Path | str, factor: float = 10.0,
                        window: int = 50, setting: str | None = None) -> Path:
    """Norm vs step on a log axis, one line per series; spikes as triangles, the clip value as a dotted
    line and divergence as a dashed vertical line, each in its series' colour."""
    figure = new_figure(8.0, 5.0)
    ax = figure.add_subplot()
    for k, one in enumerate(series):
        colour = f"C{k}"
        summary = explosion_summary(one, factor, window)
        drawable = [norm if math.isfinite(norm) and norm > 0 else math.nan for norm in one.norms]
        spikes_said = f"{summary.spikes} spike" + ("" if summary.spikes == 1 else "s")
        ax.plot(one.steps, drawable, color=colour, linewidth=0.8,
                label=f"{one.label}: max {summary.max_norm:.3g}, {spikes_said}")
        spikes = spike_indices(one.norms, factor, window)
        ax.scatter([one.steps[i] for i in spikes], [one.norms[i] for i in spikes], marker="^", s=36,
                   color=colour, edgecolors="black", linewidths=0.6, zorder=3)
        if one.clip is not None:
            ax.axhline(one.clip, color=colour, linestyle=":", linewidth=1.2,
                       label=f"{one.label}: clip at {one.clip:g} ({summary.clipped_fraction:.0%} of steps clipped)")
        if summary.diverged_at is not None:
            ax.axvline(summary.diverged_at, color=colour, linestyle="--", linewidth=1.2,
                       label=f"{one.label}: diverged at step {summary.diverged_at}")
    ax.scatter([], [], marker="^", color="white", edgecolors="black", label=f"spike: > {factor:g}× median of "
               f"previous {window} steps")
    ax.set_yscale("log")
    ax.set_xlabel("training step")
    ax.set_ylabel("global gradient norm before clipping (L2)")
    ax.grid(True, which="major", alpha=0.3)
    figure.legend(loc="outside lower center", ncols=2, fontsize="small")
    ax.set_title(title("Gradient norm per training step", setting))
    return save(figure, path)


def plot_gate_activity(stats: GateStatistics, path: Path | str, setting: str | None = None) -> Path:
    """Per cell (columns): mean activation of each gate per time step (top) and the fraction of its
    values saturated (bottom)."""
    columns = len(stats.cells)
    figure = new_figure(max(5.0, 3.6 * columns), 6.0)
    axes = figure.subplots(2, columns, sharex=True, sharey="row", squeeze=False)
    steps = list(range(stats.steps))
    for column, cell in enumerate(stats.cells):
        top: Axes = axes[0, column]
        bottom: Axes = axes[1, column]
        for k, gate in enumerate(cell.gates):
            label = GATE_LABELS.get(gate.name, gate.name)
            top.plot(steps, gate.mean_per_step, color=f"C{k}", label=label)
            bottom.plot(steps, gate.saturated_per_step, color=f"C{k}",
                        label=f"{label}: {gate.saturated:.0%} overall")
        top.set_title(stats.cell_label(cell))
        top.axhline(0.0, color="grey", linewidth=0.5)
        top.set_ylim(-1.05, 1.05)
        bottom.set_ylim(-0.03, 1.03)
        bottom.set_xlabel("time step t (as the cell reads it)")
        bottom.legend(fontsize="x-small", framealpha=0.6)
        for ax in (top, bottom):
            ax.grid(True, alpha=0.3)
    axes[0, 0].set_ylabel("mean activation\n(over sequences, units)")
    axes[1, 0].set_ylabel("fraction saturated\n(within 0.05 of a bound)")
    axes[0, 0].legend(fontsize="x-small", framealpha=0.6)
    figure.suptitle(title(f"{stats.cell.upper()} gates per time step: {stats.batch_size} sequences × "
                           f"{stats.steps} steps, {stats.hidden_size} units", setting))
    return save(figure, path)


def plot_keep_gate_histogram(stats: GateStatistics, path: Path | str, setting: str | None = None) -> Path:
    """Distribution of the keep-gate values (LSTM f, GRU z), one outline per cell, as fractions of values."""
    figure = new_figure(7.0, 4.5)
    ax = figure.add_subplot()
    fractions_seen: list[float] = []
    for k, cell in enumerate(stats.cells):
        total = sum(cell.keep_histogram)
        fractions = [count / total if total else 0.0 for count in cell.keep_histogram]
        fractions_seen += fractions
        ax.stairs(fractions, stats.bin_edges, color=f"C{k}", linewidth=1.5,
                  label=stats.cell_label(cell))
    for bound in (0.05, 0.95):
        ax.axvline(bound, color="grey", linestyle=":", linewidth=1.0)
    if spans_decades(fractions_seen, DECADES_FOR_LOG):
        ax.set_yscale("log")
    ax.set_xlim(0.0, 1.0)
    ax.set_xlabel(f"{KEEP_GATE_LABELS[stats.keep_gate]} value (dotted: saturation bounds)")
    ax.set_ylabel(f"fraction of values per bin (width {1 / (len(stats.bin_edges) - 1):g})")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(title(f"{KEEP_GATE_LABELS[stats.keep_gate]}: {stats.values_per_gate} values per cell", setting))
    return save(figure, path)


def plot_gate_trajectory(trajectory: GateTrajectory, path: Path | str, setting: str | None = None) -> Path:
    """Over training: the mean keep gate per cell (left) and each gate's saturated fraction, all cells
    pooled (right)."""
    if not trajectory.snapshots:
        raise ValueError("the trajectory has no snapshots to plot")
    steps = [snapshot.step for snapshot in trajectory.snapshots]
    keep = trajectory.snapshots[0].keep_gate
    figure = new_figure(10.0, 4.2)
    left, right = figure.subplots(1, 2, sharex=True)
    for cell, name in enumerate(trajectory.snapshots[0].cell_labels):
        left.plot(steps, [snapshot.mean[keep][cell] for snapshot in trajectory.snapshots], marker="o",
                  markersize=3, color=f"C{cell}", label=name)
    for k, name in enumerate(trajectory.snapshots[0].saturated):
        pooled = [sum(s.saturated[name]) / len(s.saturated[name]) for s in trajectory.snapshots]
        right.plot(steps, pooled, marker="o", markersize=3, color=f"C{k}", label=GATE_LABELS.get(name, name))
    left.set_ylim(-0.02, 1.02)
    right.set_ylim(-0.02, 1.02)
    left.set_ylabel(f"mean {KEEP_GATE_LABELS[keep]}")
    right.set_ylabel("fraction saturated (within 0.05 of a bound)")
    for ax in (left, right):
        ax.set_xlabel("training step")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize="small")
    figure.suptitle(title(f"Gates over training: {trajectory.label}", setting))
    return save(figure, path)


def plot_stability(runs: Sequence[StabilityRun], path: Path | str, metric: str, lower_is_better: bool,
                   threshold: float | None = None, baseline: float | None = None,
                   setting: str | None = None) -> Path:
    """Per model, the final metric of every seed (filled: solved, open: not solved, red ×: diverged)
    beside its mean ± sample sd; the solved threshold and a baseline as horizontal lines if given."""
    groups = group_by_model(runs)
    figure = new_figure(max(5.0, 1.6 * len(groups) + 2.5), 4.8)
    ax = figure.add_subplot()
    ticks = []
    for x, (model, group) in enumerate(groups.items()):
        summary = stability_summary(group, metric, lower_is_better)
        for k, run in enumerate(group):
            offset = -0.25 + 0.3 * (k + 0.5) / len(group)  # seeds spread over [−0.25, 0.05]
            style = {"solved": {"marker": "o", "color": "C0"},
                     "not solved": {"marker": "o", "color": "white", "edgecolors": "C0"},
                     "diverged": {"marker": "x", "color": "C3"}}[run.status]
            if math.isfinite(run.final_metric):
                ax.scatter([x + offset], [run.final_metric], s=30, zorder=3, **style)  # type: ignore[arg-type]
        if summary.n_finite:
            ax.errorbar([x + 0.18], [summary.mean], yerr=[0.0 if math.isnan(summary.sd) else summary.sd],
                        fmt="D", color="black", capsize=4, markersize=5, zorder=3)
        missing = summary.n - summary.n_finite
        ticks.append(f"{model}\nsolved {summary.solved_fraction:.0%}, diverged {summary.diverged_fraction:.0%}"
                     + (f"\n{missing} without a finite {metric}" if missing else ""))
    for status, style in (("solved", {"marker": "o", "color": "C0"}),
                          ("not solved", {"marker": "o", "color": "white", "edgecolors": "C0"}),
                          ("diverged", {"marker": "x", "color": "C3"})):
        ax.scatter([], [], s=30, label=f"seed, {status}", **style)  # type: ignore[arg-type]
    ax.errorbar([], [], yerr=[], fmt="D", color="black", capsize=4, markersize=5, label="mean ± sd over seeds")
    if threshold is not None:
        ax.axhline(threshold, color="C2", linestyle="--", label=f"solved threshold ({threshold:g})")
    if baseline is not None:
        ax.axhline(baseline, color="grey", linestyle=":", label=f"baseline ({baseline:g})")
    drawn = [run.final_metric for run in runs] + [v for v in (threshold, baseline) if v is not None]
    if spans_decades(drawn, DECADES_FOR_LOG) and all(v > 0 for v in drawn if math.isfinite(v)):
        ax.set_yscale("log")
    ax.set_xticks(range(len(groups)), ticks, fontsize="small")
    ax.set_xlim(-0.6, len(groups) - 0.4)
    ax.set_ylabel(f"final {metric} ({'lower' if lower_is_better else 'higher'} is better)")
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize="small")
    ax.set_title(title(f"Final {metric} per seed, {len(runs)} runs", setting))
    return save(figure, path)
