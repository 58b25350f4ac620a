"""The training loop: one plain loop for every model, honest about success and failure."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import torch
from torch import nn

from rnnlab.data.tasks.base import Batch, Task, seeded
from rnnlab.models.device import resolve_device

TRAIN_STREAM = 0


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 2000
    batch_size: int = 32
    lr: float = 1e-3  # Adam (Kingma & Ba 2015)
    clip: float = 1.0  # global gradient-norm clip (Pascanu et al. 2013); 0 disables it
    eval_every: int = 100
    max_seconds: float | None = None  # wall-clock budget; stops at the first evaluation past it
    seed: int = 0
    stop_when_solved: bool = True
    device: str = "auto"  # CUDA when present (cuDNN for the fused path), else the CPU

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "eval_every"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        if self.lr <= 0 or self.clip < 0:
            raise ValueError(f"lr must be positive and clip non-negative, got lr={self.lr}, clip={self.clip}")


@dataclass(frozen=True)
class EvalRecord:
    step: int
    seconds: float  # training time so far, evaluation excluded
    sequences: int  # training sequences seen
    train_loss: float  # mean over the steps since the last evaluation
    grad_norm: float  # median global gradient norm since the last evaluation, before clipping
    metrics: dict[str, float]  # on the fixed test set
    solved: bool


@dataclass
class TrainResult:
    records: list[EvalRecord] = field(default_factory=list)
    diverged: bool = False  # a non-finite loss stopped training

    @property
    def solved(self) -> bool:
        return any(r.solved for r in self.records)

    @property
    def final(self) -> EvalRecord:
        return self.records[-1]

    @property
    def first_solved(self) -> EvalRecord | None:
        return next((r for r in self.records if r.solved), None)


@torch.no_grad()
def evaluate(model: nn.Module, task: Task, batch: Batch, batch_size: int = 500) -> dict[str, float]:
    """Metrics over `batch` in slices, weighted by slice size."""
    was_training = model.training
    model.eval()
    totals: dict[str, float] = {}
    n = batch.inputs.shape[0]
    for start in range(0, n, batch_size):
        part = Batch(batch.inputs[start:start + batch_size], batch.targets[start:start + batch_size],
                     None if batch.lengths is None else batch.lengths[start:start + batch_size])
        outputs, _ = model(part.inputs, None, part.lengths)
        size = part.inputs.shape[0]
        for key, value in task.metrics(outputs, part).items():
            totals[key] = totals.get(key, 0.0) + value * size / n
    model.train(was_training)
    return totals


def train(model: nn.Module, task: Task, config: TrainConfig,
          on_eval: Callable[[EvalRecord], None] | None = None) -> TrainResult:
    """Train `model` on `task` until solved, out of steps, or out of time."""
    torch.manual_seed(config.seed)
    generator = seeded(config.seed, TRAIN_STREAM)
    device = resolve_device(config.device)
    model.to(device)
    test = task.test_set(config.seed).to(device)
    optimiser = torch.optim.Adam(model.parameters(), lr=config.lr)
    result = TrainResult()
    losses: list[float] = []
    norms: list[float] = []
    elapsed = 0.0
    model.train()
    for step in range(1, config.steps + 1):
        started = time.perf_counter()
        batch = task.sample(config.batch_size, generator).to(device)
        outputs, _ = model(batch.inputs, None, batch.lengths)
        loss = task.loss(outputs, batch)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        max_norm = config.clip if config.clip > 0 else math.inf
        norm = float(nn.utils.clip_grad_norm_(model.parameters(), max_norm))
        loss_value = float(loss.detach())
        if not math.isfinite(loss_value):
            result.diverged = True
        else:
            optimiser.step()
        elapsed += time.perf_counter() - started
        losses.append(loss_value)
        norms.append(norm)
        out_of_time = config.max_seconds is not None and elapsed >= config.max_seconds
        if step % config.eval_every == 0 or step == config.steps or out_of_time or result.diverged:
            metrics = evaluate(model, task, test)
            record = EvalRecord(step, elapsed, step * config.batch_size, sum(losses) / len(losses),
                                sorted(norms)[len(norms) // 2], metrics, task.solved(metrics))
            result.records.append(record)
            losses, norms = [], []
            if on_eval is not None:
                on_eval(record)
            if result.diverged or out_of_time or (record.solved and config.stop_when_solved):
                break
    return result
