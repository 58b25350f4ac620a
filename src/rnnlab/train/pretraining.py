"""Pretraining before a run's first step, for tasks that offer it (data/tasks/base.py `PretrainingTask`: a text
classifier's embedding and encoder as a language model on its training texts, data/tasks/text_pretrain.py).

A fresh run pretrains once, then trains as usual; a resumed run takes its weights from its checkpoint and
pretrains nothing again. The run folder keeps what the pretraining did (RUN/pretraining.json: steps, seconds,
the mean loss of its first and last 100 steps) beside its results; its time is not in result.json's
`seconds`, which count training only, but counts against `--max-seconds`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

from torch import nn

from rnnlab.data.tasks.base import PretrainingTask, Task, seeded
from rnnlab.files import write_atomic
from rnnlab.models.device import resolve_device
from rnnlab.train.loop import TrainConfig

PRETRAIN_STREAM = 4  # its batches' generator stream (training draws 0, test sets 1, probes 2, costs 3)
PRETRAINING = "pretraining.json"  # in a run folder


def pretrain(task: Task, model: nn.Module, train: TrainConfig, folder: Path | None,
             on_phase: Callable[[str], None] | None = None) -> None:
    """Pretrain `model` as `task` asks (nothing for most tasks), at the run's rate, batch size and clip, from
    the run's seed; with `folder`, record it there."""
    if not isinstance(task, PretrainingTask):
        return
    started = time.monotonic()
    model.to(resolve_device(train.device))  # where the run trains (a GPU when asked), as `train` would move it

    def on_step(step: int, steps: int, loss: float) -> None:
        if on_phase is not None and (step == 1 or step % 50 == 0):
            on_phase(f"pretraining a language model: step {step} of {steps}, loss {loss:.2f}")

    losses = task.pretrain(model, train.lr, train.batch_size, train.clip, seeded(train.seed, PRETRAIN_STREAM),
                           on_step)
    if losses and folder is not None:
        first, last = losses[:100], losses[-100:]
        record = {"steps": len(losses), "seconds": round(time.monotonic() - started, 3),
                  "loss_first_100": sum(first) / len(first), "loss_last_100": sum(last) / len(last)}
        write_atomic(folder / PRETRAINING, json.dumps(record, indent=1) + "\n")
