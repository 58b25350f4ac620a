"""The training loop: one plain loop for every model, honest about success and failure.

A run ends when the task is solved (if `stop_when_solved`), when the step or time budget is spent, when
its metric has stopped improving (`plateau_evals`, if set), or when the loss or gradient stops being
finite (`diverged`, with the step it happened). A run that did not solve is reported as not solved, with
its best metric, and says why it stopped (`TrainResult.stop_reason`) and whether it was still improving
when its budget ran out, so that "not solved" is never mistaken for "cannot solve". With a checkpoint
folder, a checkpoint is written at evaluations, and `resume=True` continues from the newest one to the same result as an
uninterrupted run (same seed, CPU). With `ranks` (train/distributed.py) several processes train one model on
shares of each global batch, to the result of one process on the whole batch.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from torch import Tensor, nn

from rnnlab.data.stream import reset_rows
from rnnlab.data.tasks.base import Batch, SelfEvaluatingTask, StatefulTask, StreamTask, Task, seeded
from rnnlab.models.device import resolve_device
from rnnlab.models.precision import PRECISIONS, Precision, autocast
from rnnlab.train.checkpoint import (
    TrainingState,
    latest_checkpoint,
    load_checkpoint,
    save_checkpoint,
)
from rnnlab.train.deadline import Deadline
from rnnlab.train.distributed import ALONE, Ranks
from rnnlab.train.optim import DECAYS, OPTIMIZERS, DecayName, OptimizerName, lr_factor, make_optimizer, set_lr
from rnnlab.train.records import (
    STILL_IMPROVING_WINDOW,
    BestWeights,
    EvalRecord,
    TrainResult,
    improved_within,
    still_improving,
)

TRAIN_STREAM = 0


@dataclass(frozen=True)
class TrainConfig:
    steps: int = 10_000  # an upper bound: runs stop when solved or when max_seconds is spent
    batch_size: int = 32
    optimizer: OptimizerName = "adam"
    lr: float = 1e-3  # Adam's default (Kingma & Ba 2015); tasks may suggest their own
    weight_decay: float = 0.0
    momentum: float = 0.0  # SGD and RMSprop only
    warmup_steps: int = 0  # linear warm-up from 0 (Goyal et al. 2017)
    decay: DecayName = "constant"  # after warm-up: constant, linear or cosine to 0 at `steps`
    clip: float = 1.0  # global gradient-norm clip (Pascanu et al. 2013); 0 disables it
    eval_every: int = 100
    max_seconds: float | None = None  # wall-clock budget for training; evaluation time not counted
    seed: int = 0
    stop_when_solved: bool = True
    device: str = "auto"  # CUDA when present (cuDNN for the fused path), else the CPU
    checkpoint_every: int = 1  # in evaluations, when a checkpoint folder is given; 0 = never
    # A plateau: the monitored metric's best has not improved by `plateau_delta` (relative) over the last
    # `plateau_evals` evaluations. With plateau_evals > 0 the run stops there ("plateaued"); either way the
    # same window says whether a run that spent its budget was still improving.
    plateau_evals: int = 0
    plateau_delta: float = 0.01
    precision: Precision = "fp32"  # bf16: large products in bfloat16, recurrences in float32 (models/precision.py)

    def __post_init__(self) -> None:
        for name in ("steps", "batch_size", "eval_every"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive, got {getattr(self, name)}")
        for name in ("weight_decay", "momentum", "warmup_steps", "clip", "checkpoint_every", "plateau_evals",
                     "plateau_delta"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        if not self.lr > 0:
            raise ValueError(f"lr must be positive, got {self.lr}")
        if self.max_seconds is not None and not self.max_seconds > 0:
            raise ValueError(f"max_seconds must be positive, got {self.max_seconds}")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}")
        if self.decay not in DECAYS:
            raise ValueError(f"unknown decay {self.decay!r}; choose one of {', '.join(DECAYS)}")
        if self.precision not in PRECISIONS:
            raise ValueError(f"unknown precision {self.precision!r}; choose one of {', '.join(PRECISIONS)}")


@torch.no_grad()
def evaluate(model: nn.Module, task: Task, batch: Batch, batch_size: int = 500) -> dict[str, float]:
    """Metrics over `batch` in slices, weighted by slice size."""
    was_training = model.training
    model.eval()
    totals: dict[str, float] = {}
    n = batch.size
    for start in range(0, n, batch_size):
        part = batch.slice(start, start + batch_size)
        outputs, _ = model(part.inputs, None, part.lengths)
        size = part.size
        for key, value in task.metrics(outputs, part).items():
            totals[key] = totals.get(key, 0.0) + value * size / n
    model.train(was_training)
    return totals


def evaluate_task(model: nn.Module, task: Task, test: Batch | None, device: torch.device) -> dict[str, float]:
    """The task's own evaluation if it has one (`evaluate_model`), else `evaluate` on its test batch."""
    if isinstance(task, SelfEvaluatingTask):
        was_training = model.training
        model.eval()
        try:
            with torch.no_grad():
                return dict(task.evaluate_model(model, device))
        finally:
            model.train(was_training)
    assert test is not None
    return evaluate(model, task, test)


def carry_state(state: Any, resets: Tensor | None) -> Any:
    """A state carried into the next batch: detached (truncated BPTT), rows in `resets` zeroed.

    Works on any state that is a tuple of tensors, batch at dim 1 (recurrent layers: fields of shape
    (L·dirs, B, H)) or where the state's `batch_dim` says (see `reset_rows`); None stays None.
    """
    if state is None:
        return None
    return reset_rows(type(state)(*(part.detach() for part in state)), resets)


def train(model: nn.Module, task: Task, config: TrainConfig,
          on_eval: Callable[[EvalRecord], None] | None = None,
          checkpoints: Path | None = None, resume: bool = False,
          on_step: Callable[[int, float, float], None] | None = None,
          select: tuple[str, bool] | None = None, monitor: tuple[str, bool] | None = None,
          ranks: Ranks = ALONE, deadline: float | None = None, evaluations_after: int = 0) -> TrainResult:
    """Train `model` on `task` until solved, out of steps or time, or diverged.

    `on_eval(record)` is called at every evaluation; `on_step(step, loss, grad_norm)` after every step
    (the norm before clipping), for diagnostics that need the whole series. With `select = (metric,
    lower_is_better)` the model ends with the weights of its best evaluation on that metric (early
    stopping on a validation split; `result.selected_step` says which), kept in `checkpoints/best/`
    when there is a checkpoint folder so that a resumed run selects from its whole history. `monitor =
    (metric, lower_is_better)` (default: `select`) is the metric whose plateau `config.plateau_evals` watches.

    With `ranks` of a torchrun world, this process trains on its share of every batch of `config.batch_size`
    (the global batch) behind DistributedDataParallel; every rank reaches the same records and stops at the
    same step, and only rank 0 writes checkpoints (every rank resumes from them). `on_eval` and `on_step`
    are called on every rank.

    Why it stopped (`result.stop_reason`): solved (with `stop_when_solved`); plateaued; budget (`steps`
    spent); time (`max_seconds` spent, or the `deadline`); diverged. `deadline`, a `time.monotonic()` value, caps
    the wall-clock time evaluations included, keeping time for `evaluations_after` more (train/deadline.py).
    """
    monitor = monitor or select
    ranks.share(config.batch_size)
    clock = None if deadline is None else Deadline(deadline, evaluations_after)
    torch.manual_seed(config.seed)
    generator = seeded(config.seed, TRAIN_STREAM)
    device = resolve_device(config.device)
    model.to(device)
    network = ranks.wrap(model)  # what trains: the model, behind DDP when there are other ranks
    test = None if isinstance(task, SelfEvaluatingTask) else task.test_set(config.seed).to(device)
    carries_state = isinstance(task, StatefulTask) and task.carries_state
    stream = task if isinstance(task, StreamTask) else None
    state: Any = None  # the model's carried state; not checkpointed: a resumed stream restarts it from zero
    optimizer = make_optimizer(config.optimizer, model.parameters(), config.lr, config.weight_decay,
                               config.momentum)
    result = TrainResult()
    best = BestWeights(select, None if checkpoints is None else checkpoints / "best", resume, result, ranks.writes)
    start_step, elapsed = 1, 0.0
    saved = latest_checkpoint(checkpoints) if (resume and checkpoints is not None) else None
    if saved is not None:
        training = load_checkpoint(saved, model, optimizer)
        generator.set_state(training.data_rng)
        torch.set_rng_state(training.torch_rng)
        result.records = [EvalRecord.from_json(r) for r in training.records]
        result.diverged_at = training.step if training.diverged else None  # a diverged run stops at its checkpoint
        start_step, elapsed = training.step + 1, training.elapsed
        if _finished(result, config, elapsed, training.step, monitor):
            _conclude(result, config, elapsed, training.step, monitor)
            best.restore(model)
            return result
    losses: list[float] = []
    norms: list[float] = []
    evaluations = len(result.records)
    model.train()
    for step in range(start_step, config.steps + 1):
        started = time.perf_counter()
        lr = config.lr * lr_factor(step, config.steps, config.warmup_steps, config.decay)
        set_lr(optimizer, lr)
        # A stream task reads the batch of this step, so a resumed run continues its stream.
        batch = ranks.rows(stream.sample_at(step, config.batch_size) if stream is not None
                           else task.sample(config.batch_size, generator)).to(device)
        state = carry_state(state, batch.resets) if carries_state else None
        with autocast(config.precision, device):
            outputs, state = network(batch.inputs, state, batch.lengths)
            loss = task.loss(outputs, batch)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        norm = float(nn.utils.clip_grad_norm_(model.parameters(), config.clip if config.clip > 0 else math.inf))
        loss_value = ranks.mean(float(loss.detach()))
        if math.isfinite(loss_value) and math.isfinite(norm):
            optimizer.step()
        else:
            result.diverged_at = step
        elapsed += time.perf_counter() - started
        if config.max_seconds is not None:
            elapsed = ranks.slowest(elapsed)  # so that every rank runs out of time at the same step
        if clock is not None:
            clock.stepped(ranks.slowest(time.perf_counter() - started))
        losses.append(loss_value)
        norms.append(norm)
        if on_step is not None:
            on_step(step, loss_value, norm)
        out_of_time = ((config.max_seconds is not None and elapsed >= config.max_seconds)
                       or (clock is not None and ranks.slowest(float(clock.reached())) > 0))  # all ranks agree
        probe = clock is not None and clock.first_evaluation_due()
        if step % config.eval_every and step != config.steps and not out_of_time and not result.diverged and not probe:
            continue
        evaluation_started = time.perf_counter()
        with autocast(config.precision, device):
            metrics = ranks.first(lambda: evaluate_task(model, task, test, device))
        if clock is not None:
            clock.evaluated(time.perf_counter() - evaluation_started)
        # A model whose test outputs are not finite has solved nothing, whatever a thresholded metric says.
        solved = task.solved(metrics) and all(math.isfinite(value) for value in metrics.values())
        record = EvalRecord(step, elapsed, step * config.batch_size, sum(losses) / len(losses),
                            sorted(norms)[len(norms) // 2], lr, metrics, solved)
        result.records.append(record)
        evaluations += 1
        losses, norms = [], []
        if on_eval is not None:
            on_eval(record)
        best.offer(model, record)
        finished = out_of_time or _finished(result, config, elapsed, step, monitor)
        due = config.checkpoint_every and (finished or evaluations % config.checkpoint_every == 0)
        if checkpoints is not None and due and ranks.writes:
            save_checkpoint(checkpoints, model, optimizer, TrainingState(
                step, elapsed, [r.to_json() for r in result.records], generator.get_state(),
                torch.get_rng_state(), result.diverged))
        if finished:
            _conclude(result, config, elapsed, step, monitor)
            break
    best.restore(model)
    return result


def _plateaued(result: TrainResult, config: TrainConfig, monitor: tuple[str, bool] | None) -> bool:
    return (config.plateau_evals > 0 and monitor is not None
            and not improved_within(result.records, monitor, config.plateau_evals, config.plateau_delta))


def _finished(result: TrainResult, config: TrainConfig, elapsed: float, step: int,
              monitor: tuple[str, bool] | None = None) -> bool:
    out_of_time = config.max_seconds is not None and elapsed >= config.max_seconds
    solved = config.stop_when_solved and bool(result.records) and result.records[-1].solved
    return (result.diverged or out_of_time or solved or step >= config.steps
            or _plateaued(result, config, monitor))


def _conclude(result: TrainResult, config: TrainConfig, elapsed: float, step: int,
              monitor: tuple[str, bool] | None) -> None:
    """Say why training ended, first reason first, and whether the metric was still improving."""
    if result.diverged:
        result.stop_reason = "diverged"
    elif config.stop_when_solved and result.records and result.records[-1].solved:
        result.stop_reason = "solved"
    elif _plateaued(result, config, monitor):
        result.stop_reason = "plateaued"
    elif step >= config.steps:
        result.stop_reason = "budget"
    else:
        result.stop_reason = "time"
    window = config.plateau_evals or STILL_IMPROVING_WINDOW
    result.still_improving = (monitor is not None and result.stop_reason in ("budget", "time")
                              and still_improving(result.records, monitor, window, config.plateau_delta))
