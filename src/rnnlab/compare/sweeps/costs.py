"""What a trained run costs to use: inference latency and training memory, measured on its own model.

Measured once per run, right after training, in the process that trained it (one torch thread in the
runner's workers), on one batch of the run's own batch size and sequence length drawn from a stream
of its own (stream 3: training draws 0, the test sets 1, the diagnostics' probes 2).
"""

from __future__ import annotations

import statistics
import time

import torch

from rnnlab.bench.memory import peak_bytes
from rnnlab.data.tasks.base import seeded
from rnnlab.train.experiment import load_run
from rnnlab.train.run import RunFolder

COST_STREAM = 3
LATENCY_REPEATS = 5  # forward passes timed after one warm-up; the median is reported


def run_costs(folder: RunFolder) -> dict[str, float]:
    """{"inference_latency_ms": median ms per forward pass over one batch (inference mode),
    "peak_memory_mb": MiB PyTorch allocates above its starting level during one training step}."""
    experiment, task, model = load_run(folder)
    device = next(model.parameters()).device
    batch = task.sample(experiment.train.batch_size, seeded(experiment.train.seed, COST_STREAM)).to(device)
    model.eval()
    times = []
    with torch.inference_mode():
        model(batch.inputs, None, batch.lengths)  # warm-up: kernel choice, allocator growth
        for _ in range(LATENCY_REPEATS):
            started = time.perf_counter()
            model(batch.inputs, None, batch.lengths)
            times.append(time.perf_counter() - started)
    model.train()

    def training_step() -> None:
        outputs, _ = model(batch.inputs, None, batch.lengths)
        task.loss(outputs, batch).backward()

    peak = peak_bytes(training_step, device)
    model.zero_grad(set_to_none=True)
    return {"inference_latency_ms": statistics.median(times) * 1e3, "peak_memory_mb": peak / 2**20}
