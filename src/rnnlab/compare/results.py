"""What a report is made from: one `RunResult` per finished run, however the runs were stored.

    runs = [RunResult("adding", 200, "lstm", seed, 17_537, "solved", 4e-4, 3e-4, "mse", True, 41.0), ...]
    for (task, length, model), mine in group(runs).items():
        summary = summarise_group(mine)          # one model at one length: over its seeds

The store, the tables, the figures and the recommendation read these records and nothing else.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from rnnlab.compare.stats import Interval, mean_interval, wilson
from rnnlab.data.tasks.registry import TASKS
from rnnlab.models.registry import display_name

Status = Literal["solved", "not solved", "diverged", "failed"]
STATUSES: tuple[Status, ...] = ("solved", "not solved", "diverged", "failed")
GroupKey = tuple[str, int | None, str]  # (task, length, model)

METRIC_NAMES = {"mse": "MSE"}


@dataclass(frozen=True)
class RunResult:
    """One training run of one model on one task at one difficulty, under one seed."""

    task: str
    length: int | None  # the task's difficulty knob (sequence length, or copy's delay); None: no knob
    model: str
    seed: int
    parameters: int
    status: Status  # "failed": the run raised or its worker died, so it says nothing about the model
    final_metric: float  # at the last evaluation; NaN when there is none or the outputs blew up
    best_metric: float  # the best over all evaluations
    metric: str  # the task's primary test metric, the one "solved" is judged on
    lower_is_better: bool
    seconds: float  # training time
    seconds_to_solve: float | None = None  # training time to the first solved evaluation
    steps_to_solve: int | None = None
    throughput: float | None = None  # training sequences per second
    inference_latency_ms: float | None = None  # one forward pass over one batch
    peak_memory_mb: float | None = None
    baseline: float | None = None  # what a memoryless predictor scores on `metric`
    learning_curve: tuple[tuple[int, float], ...] = ()  # (step, metric) at each evaluation
    threshold: float | None = None  # the metric value at which the task counts as solved, where known
    steps: int | None = None  # training steps taken
    batch_size: int | None = None
    lr: float | None = None  # the run's learning rate (tuned per model, where the sweep tunes)
    stop_reason: str | None = None  # solved, plateaued, budget, time, diverged (train/loop.py); broken: not
    # run, the model solved no seed at a shorter length (a sweep's stop_at_break); None: not known
    still_improving: bool = False  # the budget ran out while its metric still improved: more might solve it
    baselines: tuple[tuple[str, float], ...] = ()  # classical predictors' scores on `metric`, same split

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; choose one of {', '.join(STATUSES)}")


@dataclass(frozen=True)
class ModelSummary:
    """One model at one length, over its seeds. Metric statistics are over the finite final metrics;
    times to solve over the solved runs; costs over the runs that measured them. Failed runs count in
    `n` (and so lower the solved fraction): a run that did not finish did not solve."""

    task: str
    length: int | None
    model: str
    metric: str
    lower_is_better: bool
    n: int
    n_solved: int
    n_diverged: int
    n_failed: int
    n_finite: int  # runs with a finite final metric
    metric_mean: float  # NaN when n_finite = 0
    metric_sd: float  # sample standard deviation (n − 1); NaN when n_finite < 2
    median_seconds_to_solve: float | None  # None when no run solved
    median_steps_to_solve: float | None
    throughput: float | None  # mean training sequences per second
    inference_latency_ms: float | None  # mean
    peak_memory_mb: float | None  # mean
    parameters: int  # the median over seeds (equal in a sweep at one budget)
    baseline: float | None
    threshold: float | None
    metric_interval: Interval | None = None  # 95 % t-interval of the mean final metric (stats.py)
    solved_interval: Interval | None = None  # 95 % Wilson interval of the solved fraction
    n_still_improving: int = 0  # unsolved runs whose metric still improved when the budget ran out
    n_plateaued: int = 0  # runs stopped because their metric had stopped improving
    n_not_run: int = 0  # runs not trained: the model had solved no seed at a shorter length (stop_at_break)
    lr: float | None = None  # the learning rate its runs used (the first run's)
    baselines: tuple[tuple[str, float], ...] = ()  # classical predictors' scores on the same split

    @property
    def solved_fraction(self) -> float:
        return self.n_solved / self.n

    @property
    def diverged_fraction(self) -> float:
        return self.n_diverged / self.n


def _mean(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None and math.isfinite(value)]
    return statistics.fmean(present) if present else None


def _median(values: Iterable[float | None]) -> float | None:
    present = [value for value in values if value is not None and math.isfinite(value)]
    return statistics.median(present) if present else None


def _shared(runs: Sequence[RunResult], name: str) -> float | None:
    """A property of the task at one length (its baseline, its threshold): the first one given."""
    return next((getattr(run, name) for run in runs if getattr(run, name) is not None), None)


def summarise_group(runs: Sequence[RunResult]) -> ModelSummary:
    """Summarise the seeds of one model at one length of one task."""
    if not runs:
        raise ValueError("a summary needs at least one run")
    keys = {(run.task, run.length, run.model) for run in runs}
    if len(keys) > 1:
        raise ValueError(f"runs of {len(keys)} (task, length, model) groups; summarise each group of `group`")
    first = runs[0]
    finals = [run.final_metric for run in runs if math.isfinite(run.final_metric)]
    solved = [run for run in runs if run.status == "solved"]
    return ModelSummary(
        task=first.task, length=first.length, model=first.model, metric=first.metric,
        lower_is_better=first.lower_is_better, n=len(runs), n_solved=len(solved),
        n_diverged=sum(run.status == "diverged" for run in runs),
        n_failed=sum(run.status == "failed" for run in runs), n_finite=len(finals),
        metric_mean=statistics.fmean(finals) if finals else math.nan,
        metric_sd=statistics.stdev(finals) if len(finals) >= 2 else math.nan,
        median_seconds_to_solve=_median(run.seconds_to_solve for run in solved),
        median_steps_to_solve=_median(run.steps_to_solve for run in solved),
        throughput=_mean(run.throughput for run in runs),
        inference_latency_ms=_mean(run.inference_latency_ms for run in runs),
        peak_memory_mb=_mean(run.peak_memory_mb for run in runs),
        parameters=statistics.median_low(run.parameters for run in runs),
        baseline=_shared(runs, "baseline"), threshold=_shared(runs, "threshold"),
        metric_interval=mean_interval([run.final_metric for run in runs]),
        solved_interval=wilson(len(solved), len(runs)),
        n_still_improving=sum(run.still_improving and run.status != "solved" for run in runs),
        n_plateaued=sum(run.stop_reason == "plateaued" for run in runs),
        n_not_run=sum(run.stop_reason == "broken" for run in runs),
        lr=first.lr, baselines=next((run.baselines for run in runs if run.baselines), ()),
    )


def group(runs: Iterable[RunResult]) -> dict[GroupKey, list[RunResult]]:
    """Runs per (task, length, model): tasks and models in the order they first appear, lengths ascending
    (None first), and each group's runs by seed: reordering the runs changes nothing else."""
    runs = list(runs)
    task_order = list(dict.fromkeys(run.task for run in runs))
    model_order = list(dict.fromkeys(run.model for run in runs))

    def position(run: RunResult) -> tuple[int, int, int, int]:
        length = -1 if run.length is None else run.length
        return task_order.index(run.task), length, model_order.index(run.model), run.seed

    groups: dict[GroupKey, list[RunResult]] = {}
    for run in sorted(runs, key=position):
        groups.setdefault((run.task, run.length, run.model), []).append(run)
    return groups


def summarise_all(runs: Iterable[RunResult]) -> list[ModelSummary]:
    """One `summarise_group` per group, in `group`'s order."""
    return [summarise_group(mine) for mine in group(runs).values()]


def tasks_of(runs: Iterable[RunResult]) -> list[str]:
    return list(dict.fromkeys(run.task for run in runs))


def model_name(model: str) -> str:
    """How a model is named in prose and on figures: "RNN" for "rnn" (the registry's traits); unknown names as
    given."""
    return display_name(model)


def metric_name(metric: str) -> str:
    return METRIC_NAMES.get(metric, metric)


def solved_when(lower_is_better: bool, threshold: float) -> str:
    """'solved below 0.01' (MSE), 'solved at 0.99 or above' (accuracy)."""
    return f"solved below {threshold:.3g}" if lower_is_better else f"solved at {threshold:.3g} or above"


def knob_name(task: str) -> str:
    """What `length` means for this task, for axis labels; a task not registered here reads as a length."""
    entry = TASKS.get(task)
    return "delay" if entry is not None and entry.knob == "delay" else "sequence length T"


def length_name(task: str, length: int | None, at_least: bool = False) -> str:
    """"T=200" ("T ≥ 200") for a task whose knob is its sequence length, "delay 200" ("delay ≥ 200") for
    copy's delay, "" for a task without a knob."""
    if length is None:
        return ""
    entry = TASKS.get(task)
    if entry is not None and entry.knob == "delay":
        return f"delay ≥ {length}" if at_least else f"delay {length}"
    return f"T ≥ {length}" if at_least else f"T={length}"
