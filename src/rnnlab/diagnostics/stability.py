"""Training stability across seeds: how often a model solves a task, how often it diverges, and how much
its final metric varies from one seed to the next.

    runs = [StabilityRun.from_summary("lstm", seed, summary, "accuracy") for seed, summary in results]
    stability_summary(runs, "accuracy", lower_is_better=False)      # one model
    stability_by_model(runs, "accuracy", lower_is_better=False)     # one summary per model

`summary` is the dictionary a finished run writes to its result.json (`rnnlab.train.run.summarise`).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal

Status = Literal["solved", "not solved", "diverged"]
STATUSES: tuple[Status, ...] = ("solved", "not solved", "diverged")


@dataclass(frozen=True)
class StabilityRun:
    """One training run of one model under one seed, as plain numbers."""

    model: str  # the label runs are grouped by, e.g. "lstm" or "gru h=64"
    seed: int
    status: Status
    final_metric: float  # the metric at the last evaluation; NaN when the model's outputs blew up
    best_metric: float  # the best over all evaluations
    seconds_to_solve: float | None = None  # training time to the first solved evaluation; None if never

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"unknown status {self.status!r}; choose one of {', '.join(STATUSES)}")

    @classmethod
    def from_summary(cls, model: str, seed: int, summary: Mapping[str, Any], metric: str) -> StabilityRun:
        """From a run's result.json: keys status, best, final_metrics and seconds_to_solve."""
        final = summary["final_metrics"].get(metric, math.nan)
        return cls(model, seed, summary["status"], float(final), float(summary["best"]),
                   summary["seconds_to_solve"])

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class StabilitySummary:
    """One model across seeds. Metric statistics are over the runs whose final metric is finite."""

    model: str
    metric: str
    lower_is_better: bool
    n: int  # runs
    n_finite: int  # runs with a finite final metric, the ones mean, sd, min and max are over
    mean: float  # NaN when n_finite = 0
    sd: float  # sample standard deviation (n − 1 in the denominator); NaN when n_finite < 2
    min: float
    max: float
    best: float  # min or max, as `lower_is_better` says
    solved_fraction: float
    diverged_fraction: float
    median_seconds_to_solve: float | None  # among solved runs; None when none solved

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def stability_summary(runs: Sequence[StabilityRun], metric: str, lower_is_better: bool) -> StabilitySummary:
    """Summarise the runs of one model (their `model` labels must agree)."""
    if not runs:
        raise ValueError("a stability summary needs at least one run")
    models = {run.model for run in runs}
    if len(models) > 1:
        raise ValueError(f"runs of several models ({', '.join(sorted(models))}); use stability_by_model")
    finals = [run.final_metric for run in runs if math.isfinite(run.final_metric)]
    times = [run.seconds_to_solve for run in runs if run.status == "solved" and run.seconds_to_solve is not None]
    lowest, highest = (min(finals), max(finals)) if finals else (math.nan, math.nan)
    return StabilitySummary(
        model=runs[0].model, metric=metric, lower_is_better=lower_is_better, n=len(runs), n_finite=len(finals),
        mean=statistics.mean(finals) if finals else math.nan,
        sd=statistics.stdev(finals) if len(finals) >= 2 else math.nan,
        min=lowest, max=highest, best=lowest if lower_is_better else highest,
        solved_fraction=sum(run.status == "solved" for run in runs) / len(runs),
        diverged_fraction=sum(run.status == "diverged" for run in runs) / len(runs),
        median_seconds_to_solve=statistics.median(times) if times else None,
    )


def group_by_model(runs: Iterable[StabilityRun]) -> dict[str, list[StabilityRun]]:
    """Runs per model label, models in the order they first appear."""
    groups: dict[str, list[StabilityRun]] = {}
    for run in runs:
        groups.setdefault(run.model, []).append(run)
    return groups


def stability_by_model(runs: Iterable[StabilityRun], metric: str, lower_is_better: bool) -> list[StabilitySummary]:
    """One `stability_summary` per model, in the order the models first appear."""
    return [stability_summary(group, metric, lower_is_better) for group in group_by_model(runs).values()]
