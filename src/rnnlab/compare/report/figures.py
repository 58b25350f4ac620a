"""The report's figures, drawn from `RunResult`s: each function returns one PNG as bytes.

    metric_vs_length(runs, "adding")     where each model breaks: final metric vs length, seeds spread
    learning_curves(runs, "adding")      test metric vs training step, one panel per length, seed bands
    cost_vs_length(runs, "adding")       training throughput, inference latency and peak memory vs length

Every model keeps one colour across a task's figures (its order of first appearance).
"""

from __future__ import annotations

import io
import math
import statistics
from collections.abc import Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

from rnnlab.compare.results import (
    RunResult,
    knob_name,
    length_name,
    metric_name,
    model_name,
    summarise_group,
)
from rnnlab.diagnostics.figures import new_figure, spans_decades, title

DECADES_FOR_LOG = 1.5  # a value axis goes logarithmic when its positive values span this many powers of ten
LENGTH_DECADES_FOR_LOG = 1.0  # lengths usually double (25, 50, ..., 400): log spacing from a ratio of 10 on
PANELS_PER_ROW = 3


def png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()


def _of_task(runs: Sequence[RunResult], task: str, with_length: bool) -> list[RunResult]:
    mine = [run for run in runs if run.task == task and (run.length is not None or not with_length)]
    if not mine:
        raise ValueError(f"no runs of task {task!r}" + (" with a length" if with_length else ""))
    return mine


def _colours(runs: Sequence[RunResult]) -> dict[str, str]:
    return {model: f"C{k}" for k, model in enumerate(dict.fromkeys(run.model for run in runs))}


def _finite(values: Sequence[float]) -> list[float]:
    return [value for value in values if math.isfinite(value)]


def _log_if_wide(ax: Axes, axis: str, values: Sequence[float], decades: float = DECADES_FOR_LOG) -> None:
    """A log scale when the values span `decades`, its ticks at 1, 2 and 5 times powers of ten, written
    plainly (500, 0.002) rather than as 5 × 10²."""
    drawn = _finite(values)
    if not (drawn and all(value > 0 for value in drawn) and spans_decades(drawn, decades)):
        return
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
    target.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))
    target.set_minor_formatter(NullFormatter())


def _length_axis(ax: Axes, task: str, lengths: Sequence[int]) -> None:
    """The tested lengths as ticks, on a log axis when they span decades."""
    _log_if_wide(ax, "x", [float(length) for length in lengths], LENGTH_DECADES_FOR_LOG)
    ax.set_xticks(list(lengths), [str(length) for length in lengths])
    ax.xaxis.set_minor_formatter(NullFormatter())
    ax.set_xlabel(f"{knob_name(task)} (steps)")


def _by_length(runs: Sequence[RunResult]) -> dict[int, list[RunResult]]:
    """The runs that have a length, per length, lengths ascending."""
    groups: dict[int, list[RunResult]] = {}
    for run in runs:
        if run.length is not None:
            groups.setdefault(run.length, []).append(run)
    return dict(sorted(groups.items()))


def _first_known(runs: Sequence[RunResult], field: str) -> float | None:
    """A property of the task at one length (baseline, threshold), from the first run that gives it."""
    return next((value for run in runs if (value := getattr(run, field)) is not None), None)


def metric_vs_length(runs: Sequence[RunResult], task: str, setting: str | None = None) -> bytes:
    """Per model: each seed's final metric (dots), the mean over seeds (line; filled marker where at least
    half the seeds solved), the min-max band; the memoryless baseline dotted, the solved threshold dashed."""
    mine = _of_task(runs, task, with_length=True)
    colours = _colours(mine)
    figure = new_figure(7.5, 5.4)
    ax = figure.add_subplot()
    drawn: list[float] = []
    for model, colour in colours.items():
        own = _by_length([run for run in mine if run.model == model])
        at = {length: summarise_group(group) for length, group in own.items()}
        xs = list(at)
        ax.plot(xs, [s.metric_mean for s in at.values()], color=colour, linewidth=1.6, label=model_name(model))
        for length, s in at.items():
            ax.plot([length], [s.metric_mean], marker="o", markersize=7, color=colour, zorder=3,
                    markerfacecolor=colour if s.solved_fraction >= 0.5 else "white")
        seeds = {length: _finite([run.final_metric for run in group]) for length, group in own.items()}
        for length, values in seeds.items():
            ax.scatter([length] * len(values), values, s=10, color=colour, alpha=0.5, zorder=2)
            drawn += values
        band = {length: values for length, values in seeds.items() if values}
        ax.fill_between(list(band), [min(values) for values in band.values()],
                        [max(values) for values in band.values()], color=colour, alpha=0.12, linewidth=0)
    lengths = list(_by_length(mine))
    first = mine[0]
    for name, style, colour, field in (("memoryless baseline", ":", "grey", "baseline"),
                                       ("solved threshold", "--", "black", "threshold")):
        per_length = {length: _first_known(group, field) for length, group in _by_length(mine).items()}
        known = {length: value for length, value in per_length.items() if value is not None}
        if known:
            ax.plot(list(known), list(known.values()), linestyle=style, color=colour, linewidth=1.2, label=name)
            drawn += list(known.values())
    ax.plot([], [], marker="o", color="grey", linestyle="none", label="mean over seeds: ≥ half solved")
    ax.plot([], [], marker="o", color="grey", markerfacecolor="white", linestyle="none",
            label="mean over seeds: < half solved")
    _length_axis(ax, task, lengths)
    _log_if_wide(ax, "y", drawn)
    metric = metric_name(first.metric)
    ax.set_ylabel(f"final test {metric} ({'lower' if first.lower_is_better else 'higher'} is better)")
    ax.grid(True, alpha=0.3)
    figure.legend(loc="outside lower center", ncols=min(4, len(colours) + 2), fontsize="small")
    ax.set_title(title(f"{task}: final {metric} vs {knob_name(task)}",
                       f"{setting + '; ' if setting else ''}dots: seeds, band: min to max"))
    return png(figure)


def _curve_band(curves: Sequence[tuple[tuple[int, float], ...]]) -> tuple[list[int], list[float], list[float],
                                                                          list[float]]:
    """Steps, and at each the median, min and max over the seeds that evaluated there (finite values only)."""
    at: dict[int, list[float]] = {}
    for curve in curves:
        for step, value in curve:
            if math.isfinite(value):
                at.setdefault(step, []).append(value)
    steps = sorted(at)
    return (steps, [statistics.median(at[s]) for s in steps], [min(at[s]) for s in steps],
            [max(at[s]) for s in steps])


def learning_curves(runs: Sequence[RunResult], task: str, setting: str | None = None) -> bytes:
    """One panel per length: per model, the median test metric over seeds at each evaluation and the
    min-max band (a seed that stopped early, solved or diverged, leaves the band where it stopped)."""
    mine = [run for run in _of_task(runs, task, with_length=False) if run.learning_curve]
    if not mine:
        raise ValueError(f"no run of task {task!r} has a learning curve")
    colours = _colours(mine)
    lengths = sorted({run.length for run in mine}, key=lambda length: -1 if length is None else length)
    columns = min(len(lengths), PANELS_PER_ROW)
    rows = math.ceil(len(lengths) / columns)
    figure = new_figure(3.6 * columns + 1.6, 3.0 * rows + 1.0)
    axes = figure.subplots(rows, columns, squeeze=False, sharey=True)
    first = mine[0]
    drawn = [value for run in mine for _, value in run.learning_curve]
    for k, length in enumerate(lengths):
        ax: Axes = axes[k // columns, k % columns]
        for model, colour in colours.items():
            curves = [run.learning_curve for run in mine if run.model == model and run.length == length]
            if not curves:
                continue
            steps, middle, low, high = _curve_band(curves)
            ax.plot(steps, middle, color=colour, linewidth=1.4,
                    label=f"{model_name(model)} (median of {len(curves)} seeds)" if k == 0 else None)
            ax.fill_between(steps, low, high, color=colour, alpha=0.15, linewidth=0)
        for value, style, colour in ((first.baseline, ":", "grey"), (first.threshold, "--", "black")):
            if value is not None:
                ax.axhline(value, linestyle=style, color=colour, linewidth=1.0)
        _log_if_wide(ax, "y", drawn)
        ax.set_title(length_name(task, length) or task, fontsize="medium")
        ax.set_xlabel("training step")
        ax.grid(True, alpha=0.3)
    for k in range(len(lengths), rows * columns):
        axes[k // columns, k % columns].set_visible(False)
    for row in range(rows):
        axes[row, 0].set_ylabel(f"test {metric_name(first.metric)}")
    if first.baseline is not None:
        axes[0, 0].plot([], [], linestyle=":", color="grey", label="memoryless baseline")
    if first.threshold is not None:
        axes[0, 0].plot([], [], linestyle="--", color="black", label="solved threshold")
    figure.legend(loc="outside lower center", ncols=min(4, len(colours) + 2), fontsize="small")
    figure.suptitle(title(f"{task}: learning curves (band: min to max over seeds)", setting))
    return png(figure)


COSTS = (("throughput", "training throughput (sequences/s)"),
         ("inference_latency_ms", "inference latency per batch (ms)"),
         ("peak_memory_mb", "peak memory (MB)"))


def cost_vs_length(runs: Sequence[RunResult], task: str, setting: str | None = None) -> bytes:
    """Training throughput, inference latency and peak memory vs length: per model the mean over seeds
    (line) and each seed (dots). A cost no run measured leaves its panel saying so."""
    mine = _of_task(runs, task, with_length=True)
    colours = _colours(mine)
    lengths = list(_by_length(mine))
    figure = new_figure(12.0, 4.0)
    axes = figure.subplots(1, len(COSTS))
    for ax, (field, label) in zip(axes, COSTS, strict=True):
        drawn: list[float] = []
        for model, colour in colours.items():
            measured = {length: values for length, group in _by_length([r for r in mine if r.model == model]).items()
                        if (values := [v for r in group if (v := getattr(r, field)) is not None])}
            if not measured:
                continue
            ax.plot(list(measured), [statistics.fmean(values) for values in measured.values()], color=colour,
                    marker="o", markersize=4, linewidth=1.4, label=model_name(model))
            for length, values in measured.items():
                ax.scatter([length] * len(values), values, s=8, color=colour, alpha=0.5)
                drawn += values
        if not drawn:
            ax.text(0.5, 0.5, "not measured", transform=ax.transAxes, ha="center", va="center", color="grey")
        _length_axis(ax, task, lengths)
        _log_if_wide(ax, "y", drawn)
        ax.set_ylabel(label)
        ax.grid(True, alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    if not handles:
        handles, labels = next((ax.get_legend_handles_labels() for ax in axes if ax.get_legend_handles_labels()[0]),
                               ([], []))
    figure.legend(handles, labels, loc="outside lower center", ncols=len(colours), fontsize="small")
    figure.suptitle(title(f"{task}: cost vs {knob_name(task)} (line: mean, dots: seeds)",
                          setting))
    return png(figure)
