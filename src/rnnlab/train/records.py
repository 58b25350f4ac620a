"""What a training run records and keeps: one evaluation (`EvalRecord`), the run's outcome (`TrainResult`, with
why it stopped), the weights of its best evaluation (`BestWeights`) and the plateau test (`improved_within`)
that train/loop.py stops on."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from torch import Tensor, nn

from rnnlab.train.checkpoint import read_best, write_best


@dataclass(frozen=True)
class EvalRecord:
    step: int
    seconds: float  # training time so far, evaluation excluded
    sequences: int  # training sequences seen
    train_loss: float  # mean over the steps since the last evaluation
    grad_norm: float  # median global gradient norm since the last evaluation, before clipping
    lr: float
    metrics: dict[str, float]  # on the fixed test set
    solved: bool

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> EvalRecord:
        return cls(**data)


StopReason = Literal["solved", "plateaued", "budget", "time", "diverged"]
STILL_IMPROVING_WINDOW = 5  # evaluations, for runs without a plateau window of their own


@dataclass
class TrainResult:
    records: list[EvalRecord] = field(default_factory=list)
    diverged_at: int | None = None  # the step whose loss or gradient was not finite
    selected_step: int | None = None  # with `select`: the evaluation whose weights the model ends with
    stop_reason: StopReason | None = None  # why training ended (see `train`); None while it runs
    still_improving: bool = False  # the monitored metric improved within the last window when training ended

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def solved(self) -> bool:
        return any(r.solved for r in self.records)

    @property
    def final(self) -> EvalRecord:
        return self.records[-1]

    @property
    def first_solved(self) -> EvalRecord | None:
        return next((r for r in self.records if r.solved), None)

    def best(self, metric: str, lower_is_better: bool) -> float:
        values = [r.metrics[metric] for r in self.records if math.isfinite(r.metrics.get(metric, math.nan))]
        if not values:
            return math.nan
        return min(values) if lower_is_better else max(values)


class BestWeights:
    """The weights of the best evaluation so far on one metric, in memory and (optionally) on disk."""

    def __init__(self, select: tuple[str, bool] | None, folder: Path | None, resume: bool,
                 result: TrainResult, writes: bool = True) -> None:
        self.select, self.folder, self.result, self.writes = select, folder, result, writes
        self.value = math.nan
        self.weights: dict[str, Tensor] | None = None
        if select is not None and resume and folder is not None and (folder / "model.safetensors").exists():
            self.weights, (self.value, result.selected_step) = read_best(folder)

    def offer(self, model: nn.Module, record: EvalRecord) -> None:
        if self.select is None:
            return
        metric, lower_is_better = self.select
        value = record.metrics.get(metric, math.nan)
        better = value < self.value if lower_is_better else value > self.value
        if not math.isfinite(value) or not (math.isnan(self.value) or better):
            return
        self.value, self.result.selected_step = value, record.step
        self.weights = {k: v.detach().to("cpu", copy=True) for k, v in model.state_dict().items()}
        if self.folder is not None and self.writes:
            # One file, written atomically: a crash leaves the previous best or this one, never half.
            write_best(self.folder, self.weights, value, record.step)

    def restore(self, model: nn.Module) -> None:
        if self.weights is not None:
            model.load_state_dict(self.weights)


def improved_within(records: list[EvalRecord], monitor: tuple[str, bool], window: int, delta: float) -> bool:
    """Whether the best value of the monitored metric over the last `window` evaluations beats the best
    before them by more than `delta` (relative). Fewer than window + 1 evaluations: still improving."""
    metric, lower_is_better = monitor
    values = [r.metrics.get(metric, math.nan) for r in records]
    values = [v if math.isfinite(v) else (math.inf if lower_is_better else -math.inf) for v in values]
    if len(values) <= window:
        return True
    pick = min if lower_is_better else max
    before, recent = pick(values[:-window]), pick(values[-window:])
    if not math.isfinite(before):
        return math.isfinite(recent)
    return recent < before - delta * abs(before) if lower_is_better else recent > before + delta * abs(before)


def still_improving(records: list[EvalRecord], monitor: tuple[str, bool], window: int, delta: float) -> bool:
    """Whether a run that ran out of budget or time was still improving: `improved_within` the window, or,
    with fewer than window + 1 evaluations, within the later half of them (a run whose metric got worse
    over its last evaluations is not still improving because it was short). One evaluation or none:
    nothing says otherwise, still improving."""
    if len(records) <= window:
        window = max(1, len(records) // 2)
    return improved_within(records, monitor, window, delta)
